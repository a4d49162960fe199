/*
 * cmd_backup: `actionplan backup [--db FILE] DEST`, a checked copy of the
 * database made with SQLite's online backup API while others may read it.
 */
#include <stdio.h>

#include "ap_cli.h"
#include "ap_db.h"
#include "commands.h"

static const struct ap_cli_cmd backup_cmd = {
    .name = "backup",
    .synopsis = "[--db FILE] [--config FILE] DEST",
    .description =
        "Copies the case database to DEST, a new file readable only by you (mode\n"
        "0600), through SQLite's online backup: the copy is the database as it was at\n"
        "one moment, even while reports are read from it or an import is running (the\n"
        "import's changes are in the copy only if it had finished). The copy is checked\n"
        "(PRAGMA integrity_check) before it is put in place; a failed backup leaves no\n"
        "file. An existing DEST is never replaced.\n"
        "\n"
        "To restore, stop using the database and copy DEST over it (or point --db at\n"
        "DEST).\n",
    .footer = "Exit status: 0 copied and checked, 1 bad command line or DEST exists,\n"
              "2 not an actionplan database, or a damaged one, 3 cannot read the database\n"
              "or write DEST.\n",
    .takes_args = true,
};

int cmd_backup(int argc, char **argv)
{
    struct ap_cli_common o = {.cmd = "backup"};
    const struct ap_option options[] = {
        AP_OPT_COMMON(&o),
        AP_OPT_END,
    };
    struct ap_config cfg = {0};
    struct ap_diag d;
    sqlite3 *db = NULL;
    long long size = 0;
    int nargs, rc;

    if (!ap_cli_parse(&backup_cmd, options, argc, argv, &nargs, &rc))
        return rc;
    if (nargs == 0)
        return ap_cli_usage_error("backup", "give the file to copy the database to");
    if (nargs > 1)
        return ap_cli_usage_error("backup", "unexpected argument '%s'", argv[2]);
    const char *dest = argv[1];

    ap_diag_init(&d);
    enum ap_status st = ap_cli_config(&o, &cfg, &d);
    if (st == AP_OK)
        st = ap_cli_want_file(dest, &d);
    if (st == AP_OK)
        st = ap_db_open(cfg.db_path, true, &db, &d);
    if (st == AP_OK)
        st = ap_db_backup(db, dest, &size, &d);
    if (st == AP_OK) {
        char n[32];
        ap_format_count(size, n);
        printf("backed up %s to %s (%s bytes, schema version %d); integrity check ok\n",
               cfg.db_path, dest, n, ap_db_schema_version(db));
    }
    ap_db_close(db);
    ap_config_free(&cfg);
    return st;
}
