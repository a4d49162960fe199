/*
 * ap_cli: what every subcommand shares: --config/--db resolution, the period
 * options (--quarter, or --from/--to), and their error messages. Option parsing
 * itself stays in each cmd_*.c (getopt_long).
 */
#ifndef AP_CLI_H
#define AP_CLI_H

#include <stdbool.h>

#include "ap_config.h"
#include "ap_diag.h"
#include "ap_period.h"

/* Long options shared by every command, for getopt_long tables. */
enum {
    AP_OPT_CONFIG = 1000,
    AP_OPT_DB,
    AP_OPT_QUARTER,
    AP_OPT_FROM,
    AP_OPT_TO,
    AP_OPT_HELP,
    AP_OPT_FORMAT,
    AP_OPT_REPLACE,
    AP_OPT_TEMPLATE,
    AP_OPT_OUT,
    AP_OPT_PDF,
    AP_OPT_XLSX,
    AP_OPT_AS_AT,
    AP_OPT_DRY_RUN
};

struct ap_cli_common {
    const char *config_path; /* --config */
    const char *db_path;     /* --db */
    const char *quarter;     /* --quarter */
    const char *from, *to;   /* --from, --to */
};

/* Take option c (a getopt_long result) into o if it is one of the shared ones
 * (--config, --db, --quarter, --from, --to); false if it is not. */
bool ap_cli_common_option(struct ap_cli_common *o, int c, const char *arg);

/* Load the config (if --config was given) and apply --db over it. */
enum ap_status ap_cli_config(const struct ap_cli_common *o, struct ap_config *cfg,
                             struct ap_diag *d);

/* Resolve the period from --quarter or --from/--to (exactly one form required).
 * Errors are usage errors (missing) or input errors (malformed, exit 2). */
enum ap_status ap_cli_period(const struct ap_cli_common *o, const struct ap_config *cfg,
                             struct ap_period *out, struct ap_diag *d);

/* Print "actionplan: CMD: unexpected argument 'x'; see 'actionplan CMD --help'". */
enum ap_status ap_cli_usage_error(const char *cmd, const char *fmt, ...) AP_PRINTF(2, 3);

#endif
