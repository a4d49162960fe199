/*
 * cmd_import: `actionplan import [--db FILE] [--config FILE] [--replace] PATH...`.
 * Option parsing only; the work is ap_import_run().
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ap_cli.h"
#include "ap_import.h"
#include "commands.h"

const char cmd_import_usage[] =
    "usage: actionplan import [--db FILE] [--config FILE] [--profile FILE] [--replace] PATH...\n"
    "\n"
    "Load the case system's CSV export into the case database. Each PATH is a CSV\n"
    "file named after its table, or a folder holding such files:\n"
    "  children.csv  cases.csv  missing_episodes.csv  perpetrators.csv\n"
    "  perpetrator_actions.csv  action_plan.csv  action_updates.csv\n"
    "The first row of each file names the columns (any order, any case). Columns\n"
    "the database does not keep, such as names or notes, are ignored and listed.\n"
    "Dates are YYYY-MM-DD or DD/MM/YYYY; date-times add HH:MM or HH:MM:SS.\n"
    "An enumerated column takes its code (social_care) or its label as the reports\n"
    "print it (Children's social care), in any case.\n"
    "\n"
    "An export in the case system's own shape (its file and column names, labels,\n"
    "title rows, US dates, Windows-1252 text) is read through a profile: draft one\n"
    "with 'actionplan map PATH...', fill in its '?', then import with --profile.\n"
    "\n"
    "The import is all or nothing: if any row is wrong, the errors are listed\n"
    "(file:line:column) and the database is left exactly as it was. Rows whose id is\n"
    "already in the database are updated, so a later export can be loaded over an\n"
    "earlier one.\n"
    "\n"
    "Options:\n"
    "  --db FILE      the case database (default: from the config, else actionplan.db)\n"
    "  --config FILE  read defaults from this INI file\n"
    "  --profile FILE read the export through this mapping profile (default: from\n"
    "                 the config's [import] profile, else none)\n"
    "  --replace      make each given file the whole new contents of its table,\n"
    "                 instead of adding to and updating what is there\n"
    "  --help         show this text\n"
    "\n"
    "Exit status: 0 imported, 1 bad command line, 2 bad data (nothing written),\n"
    "3 cannot read a file or the database.\n";

int cmd_import(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, AP_OPT_DB},
        {"config", required_argument, NULL, AP_OPT_CONFIG},
        {"replace", no_argument, NULL, AP_OPT_REPLACE},
        {"profile", required_argument, NULL, AP_OPT_PROFILE},
        {"help", no_argument, NULL, AP_OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    struct ap_cli_common common = {0};
    struct ap_import_opts opts = {0};
    struct ap_import_summary sum;
    struct ap_config cfg;
    struct ap_diag d;
    sqlite3 *db = NULL;
    enum ap_status st = AP_OK;
    bool have_cfg = false;
    const char *profile_path = NULL;
    struct ap_profile *profile = NULL;
    int c;

    ap_diag_init(&d);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (ap_cli_common_option(&common, c, optarg))
            continue;
        switch (c) {
        case AP_OPT_REPLACE:
            opts.replace = true;
            break;
        case AP_OPT_PROFILE:
            profile_path = optarg;
            break;
        case AP_OPT_HELP:
        case 'h':
            fputs(cmd_import_usage, stdout);
            return AP_OK;
        case ':':
            return ap_cli_usage_error("import", "option '%s' needs a value", argv[optind - 1]);
        default:
            return ap_cli_usage_error("import", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return ap_cli_usage_error("import", "no CSV file or folder given");

    st = ap_cli_config(&common, &cfg, &d);
    have_cfg = true;
    if (st != AP_OK)
        goto done;
    if (!profile_path)
        profile_path = cfg.import_profile;
    if (profile_path) {
        st = ap_profile_load(profile_path, &profile, &d);
        if (st != AP_OK)
            goto done;
        opts.profile = profile;
    }
    st = ap_db_open(cfg.db_path, false, &db, &d);
    if (st != AP_OK)
        goto done;
    st = ap_import_run(db, (const char *const *)(argv + optind), (size_t)(argc - optind), &opts,
                       &sum, &d);
    if (st == AP_OK)
        ap_import_print_summary(&sum, stdout);

done:
    ap_diag_finish(&d);
    if (st != AP_OK && db)
        ap_diag_note(&d, "nothing was imported; the database is as it was");
    if (db)
        ap_db_close(db);
    if (have_cfg)
        ap_config_free(&cfg);
    ap_profile_free(profile);
    if (st != AP_OK && d.errors == 0)
        st = AP_ERR_IO;
    return st;
}
