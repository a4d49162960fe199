/*
 * cmd_metrics: `actionplan metrics`, every figure for one period as text, JSON
 * or CSV. Raw and unsuppressed: for the analyst checking the data, never for
 * publication (that is `actionplan report`).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ap_cli.h"
#include "ap_db.h"
#include "ap_metrics.h"
#include "commands.h"

const char cmd_metrics_usage[] =
    "usage: actionplan metrics [--db FILE] [--config FILE] PERIOD [--format text|json|csv]\n"
    "\n"
    "Prints every figure of the case database for one period, unsuppressed: for the\n"
    "analyst, not for publication.\n"
    "\n"
    "PERIOD is  --quarter YYYY/YY-QN   a financial-year quarter (2016/17-Q4 is\n"
    "                                  1 January to 31 March 2017)\n"
    "       or  --from YYYY-MM-DD --to YYYY-MM-DD   (both days included)\n"
    "\n"
    "Options:\n"
    "  --db FILE       the case database (default: the config's, else actionplan.db)\n"
    "  --config FILE   read defaults (database, team start, financial year) from FILE\n"
    "  --format FMT    text (an aligned table, the default), json (one object keyed\n"
    "                  by metric name) or csv (metric,category,value)\n"
    "  --help          show this help\n";

static const struct option options[] = {
    {"config", required_argument, NULL, AP_OPT_CONFIG},
    {"db", required_argument, NULL, AP_OPT_DB},
    {"quarter", required_argument, NULL, AP_OPT_QUARTER},
    {"from", required_argument, NULL, AP_OPT_FROM},
    {"to", required_argument, NULL, AP_OPT_TO},
    {"format", required_argument, NULL, AP_OPT_FORMAT},
    {"help", no_argument, NULL, AP_OPT_HELP},
    {NULL, 0, NULL, 0},
};

static bool parse_format(const char *s, enum ap_metrics_format *out)
{
    static const struct {
        const char *name;
        enum ap_metrics_format f;
    } formats[] = {{"text", AP_FMT_TEXT}, {"json", AP_FMT_JSON}, {"csv", AP_FMT_CSV}};
    for (size_t i = 0; i < AP_ARRAY_LEN(formats); i++) {
        if (!strcmp(s, formats[i].name)) {
            *out = formats[i].f;
            return true;
        }
    }
    return false;
}

int cmd_metrics(int argc, char **argv)
{
    struct ap_cli_common o = {0};
    struct ap_config cfg;
    struct ap_diag d;
    struct ap_period period;
    struct ap_metrics m = {0};
    enum ap_metrics_format format = AP_FMT_TEXT;
    sqlite3 *db = NULL;
    enum ap_status rc = AP_OK;
    int c;

    ap_config_defaults(&cfg);
    ap_diag_init(&d);
    opterr = 0; /* our own messages, in our format */
    optind = 1;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        if (ap_cli_common_option(&o, c, optarg))
            continue;
        switch (c) {
        case AP_OPT_FORMAT:
            if (!parse_format(optarg, &format)) {
                rc = ap_cli_usage_error("metrics", "--format '%s' is not one of text, json, csv",
                                        optarg);
                goto done;
            }
            break;
        case AP_OPT_HELP:
            fputs(cmd_metrics_usage, stdout);
            goto done;
        case ':':
            rc = ap_cli_usage_error("metrics", "option '%s' needs a value", argv[optind - 1]);
            goto done;
        default:
            rc = ap_cli_usage_error("metrics", "unknown option '%s'", argv[optind - 1]);
            goto done;
        }
    }
    if (optind < argc) {
        rc = ap_cli_usage_error("metrics", "unexpected argument '%s'", argv[optind]);
        goto done;
    }

    ap_config_free(&cfg);
    rc = ap_cli_config(&o, &cfg, &d);
    if (rc == AP_OK)
        rc = ap_cli_period(&o, &cfg, &period, &d);
    if (rc == AP_OK)
        rc = ap_db_open(cfg.db_path, true, &db, &d);
    if (rc == AP_OK)
        rc = ap_metrics_compute(db, &period, cfg.team_start, &m, &d);
    if (rc == AP_OK)
        rc = ap_metrics_write(&m, format, stdout, &d);
done:
    ap_metrics_free(&m);
    ap_db_close(db);
    ap_config_free(&cfg);
    return rc;
}
