/*
 * cmd_init: `actionplan init`, create an empty case database.
 */
#include <getopt.h>
#include <stdio.h>

#include "ap_cli.h"
#include "ap_db.h"
#include "commands.h"

const char cmd_init_usage[] =
    "usage: actionplan init [--db FILE] [--config FILE]\n"
    "\n"
    "Creates an empty case database, readable and writable only by you (mode 0600).\n"
    "An existing file is never overwritten.\n"
    "\n"
    "  --db FILE       the database to create (default: the config's [database] path,\n"
    "                  else actionplan.db)\n"
    "  --config FILE   read defaults from this INI file\n"
    "  --help          show this help\n";

int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, AP_OPT_DB},
        {"config", required_argument, NULL, AP_OPT_CONFIG},
        {"help", no_argument, NULL, AP_OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    struct ap_cli_common o = {0};
    struct ap_config cfg = {0};
    struct ap_diag d;
    int c;

    ap_diag_init(&d);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (ap_cli_common_option(&o, c, optarg))
            continue;
        switch (c) {
        case AP_OPT_HELP:
            fputs(cmd_init_usage, stdout);
            return AP_OK;
        case ':':
            return ap_cli_usage_error("init", "option '%s' needs a value", argv[optind - 1]);
        default:
            return ap_cli_usage_error("init", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return ap_cli_usage_error("init", "unexpected argument '%s'", argv[optind]);

    enum ap_status st = ap_cli_config(&o, &cfg, &d);
    if (st == AP_OK)
        st = ap_db_create(cfg.db_path, &d);
    if (st == AP_OK)
        printf("created an empty case database in %s\n", cfg.db_path);
    ap_config_free(&cfg);
    return st;
}
