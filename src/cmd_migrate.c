/*
 * cmd_migrate: `actionplan migrate`, upgrade an older database's schema now
 * (a command that writes would do it anyway, the first time it runs).
 */
#include <getopt.h>
#include <stdio.h>

#include "ap_cli.h"
#include "ap_db.h"
#include "commands.h"

const char cmd_migrate_usage[] =
    "usage: actionplan migrate [--db FILE] [--config FILE]\n"
    "\n"
    "Upgrades a database made by an earlier actionplan to this version's schema.\n"
    "The file as it was is first copied to FILE.bak-vN (N its old schema version,\n"
    "mode 0600); an existing copy of that name is never replaced. The figures do\n"
    "not change. A database already at this version is left as it is.\n"
    "Commands that write (import) upgrade the database the same way by themselves.\n"
    "\n"
    "  --db FILE       the database (default: the config's [database] path, else\n"
    "                  actionplan.db)\n"
    "  --config FILE   read defaults from this INI file\n"
    "  --help          show this help\n"
    "\n"
    "Exit status: 0 upgraded or already current, 1 bad command line, 2 not an\n"
    "actionplan database or a newer one, 3 cannot read, copy or write it.\n";

int cmd_migrate(int argc, char **argv)
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
    sqlite3 *db = NULL;
    int from = 0, c;

    ap_diag_init(&d);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (ap_cli_common_option(&o, c, optarg))
            continue;
        switch (c) {
        case AP_OPT_HELP:
            fputs(cmd_migrate_usage, stdout);
            return AP_OK;
        case ':':
            return ap_cli_usage_error("migrate", "option '%s' needs a value", argv[optind - 1]);
        default:
            return ap_cli_usage_error("migrate", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return ap_cli_usage_error("migrate", "unexpected argument '%s'", argv[optind]);

    enum ap_status st = ap_cli_config(&o, &cfg, &d);
    if (st == AP_OK)
        st = ap_db_open_write(cfg.db_path, &from, &db, &d);
    if (st == AP_OK && from)
        printf("upgraded %s from schema version %d to %d; the file as it was is kept in "
               "%s.bak-v%d\n",
               cfg.db_path, from, AP_DB_SCHEMA_VERSION, cfg.db_path, from);
    else if (st == AP_OK)
        printf("%s is already at schema version %d; nothing to do\n", cfg.db_path,
               AP_DB_SCHEMA_VERSION);
    ap_db_close(db);
    ap_config_free(&cfg);
    return st;
}
