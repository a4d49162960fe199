/*
 * cmd_check: `actionplan check [--db FILE] [--config FILE] [--as-at DATE]`.
 * Opens the database read-only, runs every data-quality check as at a day (by
 * default the latest date in the data, so a rerun on the same data prints the
 * same findings) and prints them to stdout. Exit 2 if any finding is an error
 * (it would make reported figures wrong); warnings leave the exit status 0.
 */
#define _GNU_SOURCE /* getopt_long */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ap_check.h"
#include "ap_cli.h"
#include "ap_config.h"
#include "ap_db.h"
#include "ap_metrics.h"
#include "commands.h"

const char cmd_check_usage[] =
    "usage: actionplan check [--db FILE] [--config FILE] [--as-at DATE]\n"
    "\n"
    "Lists data-quality findings in the case database, each with a count and up to\n"
    "10 ids to look at. Errors are problems that make reported figures wrong\n"
    "(overlapping cases of one child, a closure reason without a closure date,\n"
    "references to missing records, impossible dates); warnings are worth a look\n"
    "(long-open cases, children aged 18 or over with an open case, late or missing\n"
    "return interviews, stale action-plan items, missing birth dates or areas).\n"
    "\n"
    "  --db FILE       the case database (default: the config's, else actionplan.db)\n"
    "  --config FILE   config file (INI) supplying defaults\n"
    "  --as-at DATE    judge ages and time limits as at DATE (YYYY-MM-DD); default:\n"
    "                  the latest date in the data\n"
    "  --help          show this help\n"
    "\n"
    "Exit status: 0 no errors (warnings allowed), 1 usage, 2 errors found or bad\n"
    "input, 3 the database cannot be read.\n";

int cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, AP_OPT_DB},
        {"config", required_argument, NULL, AP_OPT_CONFIG},
        {"as-at", required_argument, NULL, AP_OPT_AS_AT},
        {"help", no_argument, NULL, AP_OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    struct ap_cli_common o;
    struct ap_config cfg;
    struct ap_diag d;
    struct ap_findings f = {0, NULL};
    sqlite3 *db = NULL;
    const char *as_at_arg = NULL;
    enum ap_status rc = AP_OK;
    int c;

    memset(&o, 0, sizeof o);
    memset(&cfg, 0, sizeof cfg); /* ap_cli_config fills it; freeing zeroes is safe */
    ap_diag_init(&d);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        if (ap_cli_common_option(&o, c, optarg))
            continue;
        switch (c) {
        case AP_OPT_AS_AT:
            as_at_arg = optarg;
            break;
        case AP_OPT_HELP:
            fputs(cmd_check_usage, stdout);
            fputc('\n', stdout);
            ap_config_print_keys(stdout);
            goto done;
        case ':':
            rc = ap_cli_usage_error("check", "option '%s' needs a value", argv[optind - 1]);
            goto done;
        default:
            rc = ap_cli_usage_error("check", "unknown option '%s'", argv[optind - 1]);
            goto done;
        }
    }
    if (optind < argc) {
        rc = ap_cli_usage_error("check", "unexpected argument '%s'", argv[optind]);
        goto done;
    }

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
    if (fflush(stdout) != 0 && rc == AP_OK) {
        ap_diag_error(&d, AP_ERR_IO, "cannot write the findings to standard output");
        rc = AP_ERR_IO;
    }
    ap_findings_free(&f);
    ap_db_close(db);
    ap_config_free(&cfg);
    return (int)rc;
}
