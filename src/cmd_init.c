/*
 * cmd_init: `actionplan init`, create an empty case database.
 */
#include <stdio.h>

#include "ap_cli.h"
#include "ap_db.h"
#include "commands.h"

static const struct ap_cli_cmd init_cmd = {
    .name = "init",
    .synopsis = "[--db FILE] [--config FILE]",
    .description =
        "Creates an empty case database, readable and writable only by you (mode 0600).\n"
        "An existing file is never overwritten.\n",
};

int cmd_init(int argc, char **argv)
{
    struct ap_cli_common o = {.cmd = "init"};
    const struct ap_option options[] = {
        AP_OPT_COMMON(&o),
        AP_OPT_END,
    };
    struct ap_config cfg = {0};
    struct ap_diag d;
    int nargs, rc;

    if (!ap_cli_parse(&init_cmd, options, argc, argv, &nargs, &rc))
        return rc;
    ap_diag_init(&d);
    enum ap_status st = ap_cli_config(&o, &cfg, &d);
    if (st == AP_OK)
        st = ap_db_create(cfg.db_path, &d);
    if (st == AP_OK)
        printf("created an empty case database in %s\n", cfg.db_path);
    ap_config_free(&cfg);
    return st;
}
