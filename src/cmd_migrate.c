/*
 * cmd_migrate: `actionplan migrate`, upgrade an older database's schema now
 * (a command that writes would do it anyway, the first time it runs).
 */
#include <stdio.h>

#include "ap_cli.h"
#include "ap_db.h"
#include "commands.h"

static const struct ap_cli_cmd migrate_cmd = {
    .name = "migrate",
    .synopsis = "[--db FILE] [--config FILE]",
    .description = "Upgrades a database made by an earlier actionplan to this version's schema.\n"
                   "The file as it was is first copied to FILE.bak-vN (N its old schema version,\n"
                   "mode 0600); an existing copy of that name is never replaced. The figures do\n"
                   "not change. A database already at this version is left as it is.\n"
                   "Commands that write (import) upgrade the database the same way by themselves.\n"
                   "\n"
                   "Run by a user who may write the database and its folder, it also finishes\n"
                   "undoing an interrupted import that a reader could not undo.\n",
    .footer = "Exit status: 0 upgraded or already current, 1 bad command line, 2 not an\n"
              "actionplan database or a newer one, 3 cannot read, copy or write it.\n",
};

int cmd_migrate(int argc, char **argv)
{
    struct ap_cli_common o = {.cmd = "migrate"};
    const struct ap_option options[] = {
        AP_OPT_COMMON(&o),
        AP_OPT_END,
    };
    struct ap_config cfg = {0};
    struct ap_diag d;
    sqlite3 *db = NULL;
    int from = 0, nargs, rc;

    if (!ap_cli_parse(&migrate_cmd, options, argc, argv, &nargs, &rc))
        return rc;
    ap_diag_init(&d);
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
