/*
 * ap_cli: config and period resolution shared by every subcommand.
 */
#include "ap_cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ap_db.h"

bool ap_cli_common_option(struct ap_cli_common *o, int c, const char *arg)
{
    switch (c) {
    case AP_OPT_CONFIG:
        o->config_path = arg;
        return true;
    case AP_OPT_DB:
        o->db_path = arg;
        return true;
    case AP_OPT_QUARTER:
        o->quarter = arg;
        return true;
    case AP_OPT_FROM:
        o->from = arg;
        return true;
    case AP_OPT_TO:
        o->to = arg;
        return true;
    default:
        return false;
    }
}

enum ap_status ap_cli_config(const struct ap_cli_common *o, struct ap_config *cfg,
                             struct ap_diag *d)
{
    ap_config_defaults(cfg);
    if (o->config_path) {
        enum ap_status st = ap_config_load(cfg, o->config_path, d);
        if (st != AP_OK)
            return st;
    }
    if (o->db_path)
        ap_config_set(&cfg->db_path, o->db_path);
    ap_db_set_busy_timeout(cfg->busy_timeout);
    return AP_OK;
}

/* Parse one --from/--to date; errors name the option. */
static enum ap_status option_date(const char *opt, const char *value, ap_day *out,
                                  struct ap_diag *d)
{
    const char *why;
    if (!ap_date_parse(value, strlen(value), out, &why)) {
        ap_diag_error(d, AP_ERR_INPUT, "%s '%s': %s", opt, value, why);
        return AP_ERR_INPUT;
    }
    return AP_OK;
}

enum ap_status ap_cli_period(const struct ap_cli_common *o, const struct ap_config *cfg,
                             struct ap_period *out, struct ap_diag *d)
{
    const char *why;
    if (o->quarter && (o->from || o->to)) {
        ap_diag_error(d, AP_ERR_USAGE, "give either --quarter or --from and --to, not both");
        return AP_ERR_USAGE;
    }
    if (o->quarter) {
        if (!ap_period_parse_quarter(o->quarter, cfg->fy_start_month, out, &why)) {
            ap_diag_error(d, AP_ERR_INPUT, "--quarter '%s': %s", o->quarter, why);
            return AP_ERR_INPUT;
        }
        return AP_OK;
    }
    if (!o->from || !o->to) {
        if (o->from || o->to)
            ap_diag_error(d, AP_ERR_USAGE, "--from and --to go together; give both");
        else
            ap_diag_error(d, AP_ERR_USAGE,
                          "no period given; use --quarter YYYY/YY-QN (for example "
                          "--quarter 2016/17-Q4) or --from YYYY-MM-DD --to YYYY-MM-DD");
        return AP_ERR_USAGE;
    }
    ap_day from, to;
    enum ap_status st = option_date("--from", o->from, &from, d);
    if (st == AP_OK)
        st = option_date("--to", o->to, &to, d);
    if (st != AP_OK)
        return st;
    if (!ap_period_from_range(from, to, out, &why)) {
        ap_diag_error(d, AP_ERR_INPUT, "--from %s --to %s: %s", o->from, o->to, why);
        return AP_ERR_INPUT;
    }
    return AP_OK;
}

enum ap_status ap_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "actionplan: %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "; see 'actionplan %s --help'\n", cmd);
    return AP_ERR_USAGE;
}
