/*
 * cmd_import: `actionplan import [--db FILE] [--config FILE] [--profile FILE]
 * [--replace] [--dry-run] PATH...`.
 * Option parsing only; the work is ap_import_run().
 */
#include <stdio.h>
#include <string.h>

#include "ap_cli.h"
#include "ap_import.h"
#include "ap_progress.h"
#include "commands.h"

static const struct ap_cli_cmd import_cmd = {
    .name = "import",
    .synopsis = "[--db FILE] [--config FILE] [--profile FILE] [--replace]\n[--dry-run] PATH...",
    .description =
        "Load the case system's CSV export into the case database. Each PATH is a CSV\n"
        "file named after its table, or a folder holding such files:\n"
        "  children.csv  cases.csv  missing_episodes.csv  perpetrators.csv\n"
        "  perpetrator_actions.csv  action_plan.csv  action_updates.csv\n"
        "The first row of each file names the columns (any order, any case). Columns\n"
        "the database does not keep, such as names or notes, are ignored and listed.\n"
        "Dates are YYYY-MM-DD or DD/MM/YYYY; date-times add HH:MM or HH:MM:SS.\n"
        "An enumerated column takes its code (social_care) or its label as the reports\n"
        "print it (Children's social care), in any case. A workbook (.xlsx) whose\n"
        "sheets are named after the tables is read as those files would be.\n"
        "\n"
        "An export in the case system's own shape (its file, sheet and column names,\n"
        "labels, title rows, US dates, Windows-1252 text) is read through a profile:\n"
        "draft one with 'actionplan map PATH...', replace its '?', then import with\n"
        "--profile (or [import] profile in the config).\n"
        "\n"
        "The import is all or nothing: if any row is wrong, the errors are listed\n"
        "(file:line:column) and the database is left exactly as it was. Rows whose id is\n"
        "already in the database are updated, so a later export can be loaded over an\n"
        "earlier one. Each file is the whole of its table: the import lists, for each\n"
        "table, the new, changed and unchanged rows, and the ids the database holds\n"
        "that the file no longer has (kept, unless --replace). Importing the same export\n"
        "again changes nothing and writes nothing.\n",
    .footer = "On a terminal, an import that takes more than a few seconds shows its\n"
              "progress on standard error.\n"
              "\n"
              "Exit status: 0 imported (with --dry-run: would import), 1 bad command line,\n"
              "2 bad data (nothing written), 3 cannot read a file or the database.\n",
    .takes_args = true,
};

/* A dry run's findings: what `actionplan check` would say after the import. */
static void print_findings(const struct ap_import_summary *sum)
{
    if (!sum->have_findings) {
        printf("\nThe database would hold no records: nothing to check.\n");
        return;
    }
    char day[32];
    ap_day_format_long(sum->as_at, day);
    printf("\nData-quality findings after the import, as at %s:\n", day);
    ap_check_print(&sum->findings, stdout);
}

int cmd_import(int argc, char **argv)
{
    struct ap_cli_common common = {.cmd = "import"};
    struct ap_import_opts opts = {0};
    const char *profile_path = NULL;
    struct ap_profile *profile = NULL;
    const struct ap_option options[] = {
        AP_OPT_COMMON(&common),
        AP_OPT_STRING("profile", 0, &profile_path, "FILE",
                      "read the export through this mapping profile (default:\n"
                      "the config's [import] profile, else none)"),
        AP_OPT_BOOL("replace", 0, &opts.replace,
                    "make each given file the whole new contents of its table,\n"
                    "instead of adding to and updating what is there"),
        AP_OPT_BOOL("dry-run", 0, &opts.dry_run,
                    "check everything and show what the import would change and\n"
                    "the data-quality findings it would leave, but write nothing"),
        AP_OPT_END,
    };
    struct ap_import_summary sum;
    struct ap_config cfg;
    struct ap_diag d;
    sqlite3 *db = NULL;
    enum ap_status st = AP_OK;
    int nargs, rc;

    if (!ap_cli_parse(&import_cmd, options, argc, argv, &nargs, &rc))
        return rc;
    if (nargs == 0)
        return ap_cli_usage_error("import", "no CSV file or folder given");

    ap_diag_init(&d);
    st = ap_cli_config(&common, &cfg, &d);
    if (st != AP_OK)
        goto done;
    if (!profile_path)
        profile_path = cfg.import_profile;
    if (profile_path) {
        st = ap_profile_load(profile_path, &profile, &d);
        if (st != AP_OK)
            goto done;
        opts.profile = profile_path;
        opts.mapping = profile;
    }
    st = ap_db_open(cfg.db_path, false, &db, &d);
    if (st != AP_OK)
        goto done;
    opts.progress = ap_progress_tty(stderr);
    st = ap_import_run(db, (const char *const *)(argv + 1), (size_t)nargs, &opts, &sum, &d);
    if (st == AP_OK) {
        ap_import_print_summary(&sum, stdout);
        if (sum.dry_run)
            print_findings(&sum);
        ap_findings_free(&sum.findings);
    }

done:
    ap_diag_finish(&d);
    if (st != AP_OK && db && !opts.dry_run)
        ap_diag_note(&d, "nothing was imported; the database is as it was");
    if (st != AP_OK && db && opts.dry_run)
        ap_diag_note(&d, "dry run: the import would fail; the database is as it was");
    if (db)
        ap_db_close(db);
    ap_config_free(&cfg);
    ap_profile_free(profile);
    if (st != AP_OK && d.errors == 0)
        st = AP_ERR_IO;
    return st;
}
