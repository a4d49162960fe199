/*
 * cmd_metrics: `actionplan metrics`, every figure for one period as text, JSON
 * or CSV. Raw and unsuppressed: for the analyst checking the data, never for
 * publication (that is `actionplan report`).
 */
#include <stdio.h>

#include "ap_cli.h"
#include "ap_db.h"
#include "ap_metrics.h"
#include "commands.h"

static const struct ap_cli_cmd metrics_cmd = {
    .name = "metrics",
    .synopsis = "[--db FILE] [--config FILE] PERIOD [--format text|json|csv]",
    .description =
        "Prints every figure of the case database for one period, unsuppressed: for the\n"
        "analyst, not for publication.\n"
        "PERIOD is --quarter, --year, --month, or --from and --to (both days\n"
        "included).\n",
};

/* In the order of enum ap_metrics_format. */
static const char *const formats[] = {"text", "json", "csv", NULL};

int cmd_metrics(int argc, char **argv)
{
    struct ap_cli_common o = {.cmd = "metrics"};
    int format = AP_FMT_TEXT;
    const struct ap_option options[] = {
        AP_OPT_COMMON(&o),
        AP_OPT_PERIOD(&o),
        AP_OPT_CHOICE("format", 0, &format, "FMT", formats,
                      "text (an aligned table, the default), json (one object\n"
                      "keyed by metric name) or csv (metric,category,value)"),
        AP_OPT_END,
    };
    struct ap_config cfg;
    struct ap_diag d;
    struct ap_period period;
    struct ap_metrics m = {0};
    sqlite3 *db = NULL;
    enum ap_status rc = AP_OK;
    int nargs, exit_status;

    if (!ap_cli_parse(&metrics_cmd, options, argc, argv, &nargs, &exit_status))
        return exit_status;
    ap_diag_init(&d);
    rc = ap_cli_config(&o, &cfg, &d);
    if (rc == AP_OK)
        rc = ap_cli_period(&o, &cfg, &period, &d);
    if (rc == AP_OK)
        rc = ap_db_open(cfg.db_path, true, &db, &d);
    if (rc == AP_OK)
        rc = ap_metrics_compute(db, &period, cfg.team_start, &m, &d);
    if (rc == AP_OK)
        rc = ap_metrics_write(&m, (enum ap_metrics_format)format, stdout, &d);
    ap_metrics_free(&m);
    ap_db_close(db);
    ap_config_free(&cfg);
    return rc;
}
