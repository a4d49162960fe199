/*
 * cmd_check: `actionplan check [--db FILE] [--config FILE] [--as-at DATE]`.
 * Opens the database read-only, runs every data-quality check as at a day (by
 * default the latest date in the data, so a rerun on the same data prints the
 * same findings) and prints them to stdout. Exit 2 if any finding is an error
 * (it would make reported figures wrong); warnings leave the exit status 0.
 */
#include <stdio.h>
#include <string.h>

#include "ap_check.h"
#include "ap_cli.h"
#include "ap_config.h"
#include "ap_db.h"
#include "ap_metrics.h"
#include "commands.h"

static const struct ap_cli_cmd check_cmd = {
    .name = "check",
    .synopsis = "[--db FILE] [--config FILE] [--as-at DATE]",
    .description = "Lists data-quality findings in the case database, each with a count and up to\n"
                   "10 ids to look at. Errors are problems that make reported figures wrong\n"
                   "(overlapping cases of one child, a closure reason without a closure date,\n"
                   "references to missing records, impossible dates); warnings are worth a look\n"
                   "(long-open cases, children aged 18 or over with an open case, late or missing\n"
                   "return interviews, stale action-plan items, missing birth dates or areas).\n",
    .footer = "Exit status: 0 no errors (warnings allowed), 1 usage, 2 errors found or bad\n"
              "input, 3 the database cannot be read.\n",
    .more_help = ap_config_print_keys,
};

int cmd_check(int argc, char **argv)
{
    struct ap_cli_common o = {.cmd = "check"};
    const char *as_at_arg = NULL;
    const struct ap_option options[] = {
        AP_OPT_COMMON(&o),
        AP_OPT_STRING("as-at", 0, &as_at_arg, "DATE",
                      "judge ages and time limits as at DATE (YYYY-MM-DD);\n"
                      "default: the latest date in the data"),
        AP_OPT_END,
    };
    struct ap_config cfg;
    struct ap_diag d;
    struct ap_findings f = {0, NULL};
    sqlite3 *db = NULL;
    enum ap_status rc = AP_OK;
    int nargs, exit_status;

    if (!ap_cli_parse(&check_cmd, options, argc, argv, &nargs, &exit_status))
        return exit_status;
    memset(&cfg, 0, sizeof cfg); /* ap_cli_config fills it; freeing zeroes is safe */
    ap_diag_init(&d);
    ap_day as_at = AP_DAY_NONE;
    if (as_at_arg) {
        const char *why = NULL;
        if (!ap_date_parse(as_at_arg, strlen(as_at_arg), &as_at, &why)) {
            ap_diag_error(&d, AP_ERR_INPUT, "--as-at '%s' is not a valid date: %s", as_at_arg,
                          why ? why : "expected YYYY-MM-DD");
            rc = AP_ERR_INPUT;
            goto done;
        }
    }
    rc = ap_cli_config(&o, &cfg, &d);
    if (rc != AP_OK)
        goto done;
    rc = ap_db_open(cfg.db_path, true, &db, &d);
    if (rc != AP_OK)
        goto done;
    if (as_at == AP_DAY_NONE) {
        rc = ap_metrics_data_as_at(db, &as_at, &d);
        if (rc != AP_OK)
            goto done;
    }
    if (as_at == AP_DAY_NONE) {
        printf("%s holds no records yet: nothing to check.\n", cfg.db_path);
        goto done;
    }
    rc = ap_check_run(db, as_at, &f, &d);
    if (rc != AP_OK)
        goto done;

    char day[32];
    ap_day_format_long(as_at, day);
    printf("Data-quality check of %s as at %s\n", cfg.db_path, day);
    ap_check_print(&f, stdout);
    size_t errors = ap_findings_errors(&f);
    if (errors) {
        ap_diag_error(&d, AP_ERR_INPUT,
                      "%zu check%s found data that would make reported figures wrong; correct "
                      "it in the case system and import again",
                      errors, errors == 1 ? "" : "s");
        rc = AP_ERR_INPUT;
    }
done:
    ap_findings_free(&f);
    ap_db_close(db);
    ap_config_free(&cfg);
    return (int)rc;
}
