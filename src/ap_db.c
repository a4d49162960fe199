/*
 * ap_db: the case database's schema and the two ways of opening it. The schema
 * holds only the columns SPEC.md lists; enumerated columns carry CHECK
 * constraints built from ap_enums so the database can never hold a value the
 * metrics do not know.
 */
#include "ap_db.h"

#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ap_enum.h"

const char *const ap_table_names[AP_T_COUNT] = {
    "children",    "cases",          "missing_episodes", "perpetrators", "perpetrator_actions",
    "action_plan", "action_updates",
};

/* The tables, with @enum@ markers replaced by CHECK constraints from ap_enums.
 * The secondary indexes are in ap_db_indexes (below), so that an import can
 * build them once after loading an empty table instead of row by row. */
static const char schema_sql[] =
    "CREATE TABLE children (\n"
    "  child_id TEXT PRIMARY KEY NOT NULL,\n"
    "  birth_date TEXT,\n"
    "  gender TEXT @gender@,\n"
    "  ethnicity TEXT @ethnicity@,\n"
    "  area TEXT\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE TABLE cases (\n"
    "  case_id TEXT PRIMARY KEY NOT NULL,\n"
    "  child_id TEXT NOT NULL REFERENCES children(child_id) DEFERRABLE INITIALLY DEFERRED,\n"
    "  opened_on TEXT NOT NULL,\n"
    "  closed_on TEXT,\n"
    "  risk_level TEXT @risk_level@,\n"
    "  referral_source TEXT @referral_source@,\n"
    "  closure_reason TEXT @closure_reason@\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE TABLE missing_episodes (\n"
    "  episode_id TEXT PRIMARY KEY NOT NULL,\n"
    "  child_id TEXT NOT NULL REFERENCES children(child_id) DEFERRABLE INITIALLY DEFERRED,\n"
    "  missing_from TEXT NOT NULL,\n"
    "  returned_at TEXT,\n"
    "  interview_offered_at TEXT,\n"
    "  interview_completed_at TEXT\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE TABLE perpetrators (\n"
    "  perpetrator_id TEXT PRIMARY KEY NOT NULL,\n"
    "  identified_on TEXT NOT NULL,\n"
    "  concluded_on TEXT,\n"
    "  outcome TEXT @outcome@\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE TABLE perpetrator_actions (\n"
    "  action_id TEXT PRIMARY KEY NOT NULL,\n"
    "  perpetrator_id TEXT NOT NULL REFERENCES perpetrators(perpetrator_id)"
    " DEFERRABLE INITIALLY DEFERRED,\n"
    "  action TEXT NOT NULL @action@,\n"
    "  action_on TEXT NOT NULL\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE TABLE action_plan (\n"
    "  action_ref TEXT PRIMARY KEY NOT NULL,\n"
    "  theme TEXT NOT NULL,\n"
    "  action TEXT NOT NULL,\n"
    "  lead TEXT,\n"
    "  due_on TEXT\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE TABLE action_updates (\n"
    "  action_ref TEXT NOT NULL REFERENCES action_plan(action_ref) DEFERRABLE INITIALLY DEFERRED,\n"
    "  updated_on TEXT NOT NULL,\n"
    "  status TEXT NOT NULL @status@,\n"
    "  rag TEXT @rag@,\n"
    "  commentary TEXT,\n"
    "  PRIMARY KEY (action_ref, updated_on)\n"
    ") STRICT, WITHOUT ROWID;\n";

/*
 * The secondary indexes: only what the report's passes read, since each one is
 * written on every import. Each covers the columns its pass reads, so the
 * pass walks the index in order and never looks a row up:
 *   cases_child: every child's cases in opening order (the children and cases
 *     figures and checks, and the import's overlapping-cases check);
 *   episodes_child: episodes by child (episodes of a child not in the table);
 *   perpetrator_actions_perp: each perpetrator's actions (the actions by type,
 *     actions of an unknown perpetrator, no action in the last three months).
 * The import also relies on the child_id and perpetrator_id columns leading,
 * so that emptying a parent table finds the rows that refer to it.
 */
const struct ap_db_index ap_db_indexes[] = {
    {AP_T_CASES, "cases_child",
     "CREATE INDEX cases_child ON cases(child_id, opened_on, closed_on, closure_reason,"
     " risk_level, referral_source)"},
    {AP_T_MISSING_EPISODES, "episodes_child",
     "CREATE INDEX episodes_child ON missing_episodes(child_id)"},
    {AP_T_PERPETRATOR_ACTIONS, "perpetrator_actions_perp",
     "CREATE INDEX perpetrator_actions_perp ON perpetrator_actions(perpetrator_id, action_on,"
     " action)"},
};
const size_t ap_db_nindexes = AP_ARRAY_LEN(ap_db_indexes);

static const struct {
    const char *marker;
    enum ap_enum_id e;
} schema_enums[] = {
    {"@gender@", AP_ENUM_GENDER},
    {"@ethnicity@", AP_ENUM_ETHNICITY},
    {"@risk_level@", AP_ENUM_RISK_LEVEL},
    {"@referral_source@", AP_ENUM_REFERRAL_SOURCE},
    {"@closure_reason@", AP_ENUM_CLOSURE_REASON},
    {"@outcome@", AP_ENUM_OUTCOME},
    {"@action@", AP_ENUM_PERP_ACTION},
    {"@status@", AP_ENUM_STATUS},
    {"@rag@", AP_ENUM_RAG},
};

/* Expand the @enum@ markers of schema_sql into CHECK (col IN (...)) clauses. */
static char *build_schema(void)
{
    struct ap_buf b = AP_BUF_INIT;
    const char *p = schema_sql;
    for (;;) {
        const char *at = strchr(p, '@');
        if (!at) {
            ap_buf_adds(&b, p);
            break;
        }
        ap_buf_add(&b, p, (size_t)(at - p));
        const char *end = strchr(at + 1, '@');
        size_t mlen = (size_t)(end - at + 1);
        for (size_t i = 0; i < AP_ARRAY_LEN(schema_enums); i++) {
            if (strlen(schema_enums[i].marker) == mlen &&
                !memcmp(schema_enums[i].marker, at, mlen)) {
                const struct ap_enum *en = &ap_enums[schema_enums[i].e];
                /* "c = 'a' OR c = 'b'", not "c IN ('a', 'b')": the same
                 * test (NULL passes both), but SQLite evaluates an IN list
                 * in a CHECK by building a lookup table for every row, which
                 * was most of the time of loading a million rows. */
                ap_buf_adds(&b, "CHECK (");
                for (size_t k = 0; k < en->n; k++)
                    ap_buf_addf(&b, "%s%s = '%s'", k ? " OR " : "", en->column, en->values[k]);
                ap_buf_adds(&b, ")");
            }
        }
        p = end + 1;
    }
    return ap_buf_detach(&b);
}

enum ap_status ap_db_error(sqlite3 *db, struct ap_diag *d, const char *what)
{
    int code = db ? sqlite3_extended_errcode(db) & 0xff : SQLITE_ERROR;
    const char *msg = db ? sqlite3_errmsg(db) : "no database connection";
    switch (code) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        ap_diag_error(d, AP_ERR_IO,
                      "%s: the database is locked by another program; try again when it has "
                      "finished",
                      what);
        return AP_ERR_IO;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        ap_diag_error(d, AP_ERR_INPUT, "%s: the database file is damaged or not a database (%s)",
                      what, msg);
        return AP_ERR_INPUT;
    case SQLITE_FULL:
        ap_diag_error(d, AP_ERR_IO, "%s: the disk is full", what);
        return AP_ERR_IO;
    case SQLITE_READONLY:
        ap_diag_error(d, AP_ERR_IO, "%s: the database is read-only (%s)", what, msg);
        return AP_ERR_IO;
    default:
        ap_diag_error(d, AP_ERR_IO, "%s: %s", what, msg);
        return AP_ERR_IO;
    }
}

bool ap_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct ap_diag *d)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
        ap_db_error(db, d, "cannot prepare a database query");
        *st = NULL;
        return false;
    }
    return true;
}

static int exec_int(sqlite3 *db, const char *sql, int *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return sqlite3_errcode(db);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Settings every connection gets: no double-quoted string literals (a typo
 * in a column name must be an error, not a string), foreign keys enforced, a
 * short wait on a lock instead of an instant failure or a hang. */
static void configure(sqlite3 *db)
{
    sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, (int *)0);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)0);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, 1, (int *)0);
    sqlite3_busy_timeout(db, 2000);
}

/* Authorizer for read-only connections: reading, selecting and functions only. */
static int authorize_read(void *user, int action, const char *a, const char *b, const char *c,
                          const char *e)
{
    (void)user, (void)b, (void)c, (void)e;
    switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
        return SQLITE_OK;
    case SQLITE_PRAGMA:
        /* Only pragmas that read. */
        if (a &&
            (!strcmp(a, "user_version") || !strcmp(a, "application_id") ||
             !strcmp(a, "foreign_key_check") || !strcmp(a, "integrity_check") ||
             !strcmp(a, "quick_check") || !strcmp(a, "table_info") || !strcmp(a, "query_only")))
            return SQLITE_OK;
        return SQLITE_DENY;
    default:
        return SQLITE_DENY;
    }
}

/* Check that db is an actionplan database this program understands. */
static enum ap_status check_ours(sqlite3 *db, const char *path, struct ap_diag *d)
{
    int app = 0, ver = 0;
    int rc = exec_int(db, "PRAGMA application_id", &app);
    if (rc == SQLITE_OK)
        rc = exec_int(db, "PRAGMA user_version", &ver);
    if (rc != SQLITE_OK) {
        if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT) {
            ap_diag_report(d, AP_ERROR, AP_ERR_INPUT, path, 0, 0,
                           "not an actionplan database (the file is not an SQLite database, or "
                           "is damaged)");
            return AP_ERR_INPUT;
        }
        return ap_db_error(db, d, path);
    }
    if (app != AP_DB_APPLICATION_ID) {
        ap_diag_report(d, AP_ERROR, AP_ERR_INPUT, path, 0, 0,
                       "not an actionplan database; create one with 'actionplan init'");
        return AP_ERR_INPUT;
    }
    if (ver > AP_DB_SCHEMA_VERSION) {
        ap_diag_report(d, AP_ERROR, AP_ERR_INPUT, path, 0, 0,
                       "the database has schema version %d, newer than this actionplan "
                       "understands (%d); use a newer actionplan",
                       ver, AP_DB_SCHEMA_VERSION);
        return AP_ERR_INPUT;
    }
    if (ver < 1) {
        ap_diag_report(d, AP_ERROR, AP_ERR_INPUT, path, 0, 0,
                       "the database has no schema version; it was not made by actionplan");
        return AP_ERR_INPUT;
    }
    /* Read the schema now, so that a file damaged past its header is named
     * here rather than failing the first query with no file to point at. */
    rc = exec_int(db, "SELECT count(*) FROM sqlite_master", &app);
    if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT) {
        ap_diag_report(d, AP_ERROR, AP_ERR_INPUT, path, 0, 0,
                       "the database file is damaged (%s); restore it from a backup, or "
                       "create a new one and import again",
                       sqlite3_errmsg(db));
        return AP_ERR_INPUT;
    }
    if (rc != SQLITE_OK)
        return ap_db_error(db, d, path);
    return AP_OK;
}

enum ap_status ap_db_create(const char *path, struct ap_diag *d)
{
    enum ap_status st = AP_OK;
    sqlite3 *db = NULL;
    char *schema = NULL;
    bool created = false;

    /* Create the file ourselves so its mode is 0600 from the first byte. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        if (errno == EEXIST) {
            ap_diag_report(d, AP_ERROR, AP_ERR_INPUT, path, 0, 0,
                           "the file already exists; choose another path, or remove it first "
                           "if it is not needed");
            return AP_ERR_INPUT;
        }
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, path, 0, 0, "cannot create the database: %s",
                       strerror(errno));
        return AP_ERR_IO;
    }
    created = true;
    if (fchmod(fd, 0600) != 0 || close(fd) != 0) {
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, path, 0, 0, "cannot create the database: %s",
                       strerror(errno));
        st = AP_ERR_IO;
        goto done;
    }
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        st = ap_db_error(db, d, path);
        goto done;
    }
    configure(db);
    schema = build_schema();
    struct ap_buf sql = AP_BUF_INIT;
    ap_buf_addf(&sql,
                "PRAGMA page_size=%d;\n"
                "PRAGMA journal_mode=DELETE;\n"
                "BEGIN;\n%s",
                AP_DB_PAGE_SIZE, schema);
    for (size_t i = 0; i < ap_db_nindexes; i++)
        ap_buf_addf(&sql, "%s;\n", ap_db_indexes[i].sql);
    ap_buf_addf(&sql,
                "PRAGMA application_id=%d;\n"
                "PRAGMA user_version=%d;\n"
                "COMMIT;\n",
                AP_DB_APPLICATION_ID, AP_DB_SCHEMA_VERSION);
    int rc = sqlite3_exec(db, sql.buf, NULL, NULL, NULL);
    ap_buf_release(&sql);
    if (rc != SQLITE_OK) {
        st = ap_db_error(db, d, "cannot create the schema");
        goto done;
    }

done:
    if (db && sqlite3_close(db) != SQLITE_OK && st == AP_OK)
        st = ap_db_error(db, d, "cannot close the database");
    free(schema);
    if (st != AP_OK && created)
        unlink(path);
    return st;
}

enum ap_status ap_db_open(const char *path, bool readonly, sqlite3 **out, struct ap_diag *d)
{
    enum ap_status st = AP_OK;
    sqlite3 *db = NULL;
    struct stat sb;

    *out = NULL;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT) {
            ap_diag_report(d, AP_ERROR, AP_ERR_IO, path, 0, 0,
                           "no such database; create it with 'actionplan init --db %s'", path);
        } else {
            ap_diag_report(d, AP_ERROR, AP_ERR_IO, path, 0, 0, "cannot open the database: %s",
                           strerror(errno));
        }
        return AP_ERR_IO;
    }
    if (!S_ISREG(sb.st_mode)) {
        ap_diag_report(d, AP_ERROR, AP_ERR_INPUT, path, 0, 0,
                       "not an actionplan database (not a regular file)");
        return AP_ERR_INPUT;
    }
    /* No thread shares a connection, so a read-only one skips the mutex each
     * API call would take: a tenth of a report's instructions at 100k children. */
    int flags = readonly ? SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX : SQLITE_OPEN_READWRITE;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        st = ap_db_error(db, d, path);
        goto done;
    }
    configure(db);
    st = check_ours(db, path, d);
    if (st != AP_OK)
        goto done;
    if (readonly) {
        if (sqlite3_exec(db, "PRAGMA query_only=1", NULL, NULL, NULL) != SQLITE_OK) {
            st = ap_db_error(db, d, path);
            goto done;
        }
        sqlite3_set_authorizer(db, authorize_read, NULL);
    }
    *out = db;
    db = NULL;

done:
    if (db)
        sqlite3_close(db);
    return st;
}

/* Run one guard pragma; every row that is not "ok" is a broken guard. */
static enum ap_status guard_rows(sqlite3 *db, const char *sql, bool ok_row, struct ap_diag *d)
{
    sqlite3_stmt *st = NULL;
    enum ap_status rc = AP_OK;
    size_t shown = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return ap_db_error(db, d, "cannot run the database's own checks");
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *a = (const char *)sqlite3_column_text(st, 0);
        if (ok_row && a && !strcmp(a, "ok"))
            continue;
        rc = AP_ERR_IO;
        if (shown++ < 10) {
            const char *b = (const char *)sqlite3_column_text(st, 1);
            const char *c = (const char *)sqlite3_column_text(st, 2);
            ap_diag_error(d, AP_ERR_IO,
                          "internal error: %s found a row the database's constraints forbid: "
                          "%s%s%s%s%s",
                          sql, a ? a : "", b ? " row " : "", b ? b : "", c ? " refers to " : "",
                          c ? c : "");
        }
    }
    if (step != SQLITE_DONE)
        rc = ap_db_error(db, d, "cannot run the database's own checks");
    sqlite3_finalize(st);
    return rc;
}

enum ap_status ap_db_check_guards(sqlite3 *db, struct ap_diag *d)
{
    enum ap_status rc = guard_rows(db, "PRAGMA foreign_key_check", false, d);
    return ap_status_worst(rc, guard_rows(db, "PRAGMA quick_check", true, d));
}

void ap_db_close(sqlite3 *db)
{
    if (db)
        sqlite3_close(db);
}
