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

#include "ap_atomic.h"
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

/*
 * The upgrade steps: steps[i] takes a database from schema version i + 1 to
 * i + 2. Each runs in one transaction with its user_version bump, so a
 * database is always at one version or the next, never between. A new
 * database is made with the version-1 tables above and every step, so new
 * and upgraded databases have the same schema. Never edit a released step:
 * add one (and keep a database of every released version in
 * tests/fixtures/db).
 */
static const char *const upgrade_steps[] = {
    /* 1 -> 2: the record of imports and of published reports (SCHEMA-V2). */
    "CREATE TABLE import_log (\n"
    "  import_id INTEGER PRIMARY KEY,\n"
    "  imported_at TEXT NOT NULL,\n"
    "  actionplan_version TEXT NOT NULL,\n"
    "  profile_sha256 TEXT,\n"
    "  replace_mode INTEGER NOT NULL CHECK (replace_mode = 0 OR replace_mode = 1)\n"
    ") STRICT;\n"
    "CREATE TABLE import_log_files (\n"
    "  import_id INTEGER NOT NULL REFERENCES import_log(import_id),\n"
    "  file_name TEXT NOT NULL,\n"
    "  size INTEGER NOT NULL,\n"
    "  sha256 TEXT NOT NULL,\n"
    "  PRIMARY KEY (import_id, file_name)\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE TABLE import_log_tables (\n"
    "  import_id INTEGER NOT NULL REFERENCES import_log(import_id),\n"
    "  table_name TEXT NOT NULL,\n"
    "  new_rows INTEGER NOT NULL, changed_rows INTEGER NOT NULL,\n"
    "  unchanged_rows INTEGER NOT NULL, missing_rows INTEGER NOT NULL,\n"
    "  PRIMARY KEY (import_id, table_name)\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE TABLE publications (\n"
    "  publication_id INTEGER PRIMARY KEY,\n"
    "  published_at TEXT NOT NULL,\n"
    "  actionplan_version TEXT NOT NULL,\n"
    "  template TEXT NOT NULL,\n"
    "  period_code TEXT NOT NULL,\n"
    "  period_start TEXT NOT NULL, period_end TEXT NOT NULL\n"
    ") STRICT;\n"
    "CREATE TABLE publication_outputs (\n"
    "  publication_id INTEGER NOT NULL REFERENCES publications(publication_id),\n"
    "  kind TEXT NOT NULL,\n"
    "  file_name TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,\n"
    "  PRIMARY KEY (publication_id, kind)\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE TABLE published_figures (\n"
    "  publication_id INTEGER NOT NULL REFERENCES publications(publication_id),\n"
    "  table_id TEXT NOT NULL, row_no INTEGER NOT NULL, col_no INTEGER NOT NULL,\n"
    "  figure_key TEXT,\n"
    "  shown TEXT NOT NULL,\n"
    "  value REAL,\n"
    "  PRIMARY KEY (publication_id, table_id, row_no, col_no)\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE INDEX published_figures_key ON published_figures(figure_key, publication_id);\n",
};
_Static_assert(AP_ARRAY_LEN(upgrade_steps) == AP_DB_SCHEMA_VERSION - 1,
               "one upgrade step per schema version after the first");

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

/* How long a connection waits for another program's lock before it gives up
 * ([database] busy_timeout, in seconds; 10 by default). */
static int busy_ms = AP_DB_BUSY_TIMEOUT_DEFAULT * 1000;

void ap_db_set_busy_timeout(long seconds)
{
    busy_ms = seconds < 0 ? 0 : seconds > 3600 ? 3600 * 1000 : (int)seconds * 1000;
}

/* The path each open connection was opened by, as the user gave it, so that
 * an error on the connection can name the file. */
static struct db_name {
    sqlite3 *db;
    char *path;
} *names;
static size_t nnames, anames;

static void name_db(sqlite3 *db, const char *path)
{
    ap_grow((void **)&names, sizeof *names, nnames + 1, &anames);
    names[nnames].db = db;
    names[nnames++].path = ap_xstrdup(path);
}

static const char *db_name(sqlite3 *db)
{
    for (size_t i = 0; i < nnames; i++)
        if (names[i].db == db)
            return names[i].path;
    return NULL;
}

static void forget_db(sqlite3 *db)
{
    for (size_t i = 0; i < nnames; i++) {
        if (names[i].db == db) {
            free(names[i].path);
            names[i] = names[--nnames];
            break;
        }
    }
    if (!nnames) {
        free(names);
        names = NULL;
        anames = 0;
    }
}

static enum ap_status damaged(const char *file, struct ap_diag *d, const char *what,
                              const char *detail)
{
    ap_diag_report(d, AP_ERROR, AP_ERR_INPUT, file, 0, 0,
                   "%s: the database file is damaged or not a database (%s); restore it from "
                   "a backup, or create a new one and import again",
                   what, detail);
    return AP_ERR_INPUT;
}

enum ap_status ap_db_damaged(sqlite3 *db, struct ap_diag *d, const char *what, const char *detail)
{
    const char *file = db_name(db);
    return damaged(file && strcmp(file, what) ? file : NULL, d, what, detail);
}

enum ap_status ap_db_error(sqlite3 *db, struct ap_diag *d, const char *what)
{
    int code = db ? sqlite3_extended_errcode(db) & 0xff : SQLITE_ERROR;
    const char *msg = db ? sqlite3_errmsg(db) : "no database connection";
    const char *file = db ? db_name(db) : NULL;
    if (file && !strcmp(file, what))
        file = NULL; /* "what" names it already */
    switch (code) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        /* A writer is refused its lock by another writer when it starts
         * (outside a transaction), or by readers when it saves (inside). */
        if (file && sqlite3_db_readonly(db, "main") == 0 && sqlite3_get_autocommit(db)) {
            ap_diag_error(d, AP_ERR_IO,
                          "%s: another import is running on %s; try again when it has finished",
                          what, file);
            return AP_ERR_IO;
        }
        if (file && sqlite3_db_readonly(db, "main") == 0) {
            ap_diag_error(d, AP_ERR_IO,
                          "%s: %s is being read by another program (a report or check) that did "
                          "not finish in time; try again when it has finished, or raise "
                          "[database] busy_timeout",
                          what, file);
            return AP_ERR_IO;
        }
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, file, 0, 0,
                       "%s: the database is locked by another program; try again when it has "
                       "finished",
                       what);
        return AP_ERR_IO;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        return damaged(file, d, what, msg);
    case SQLITE_FULL:
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, file, 0, 0, "%s: the disk is full", what);
        return AP_ERR_IO;
    case SQLITE_READONLY:
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, file, 0, 0, "%s: the database is read-only (%s)",
                       what, msg);
        return AP_ERR_IO;
    default:
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, file, 0, 0, "%s: %s", what, msg);
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
 * bounded wait on a lock instead of an instant failure or a hang. */
static void configure(sqlite3 *db)
{
    sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, (int *)0);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)0);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, 1, (int *)0);
    sqlite3_busy_timeout(db, busy_ms);
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
    for (size_t i = 0; i < AP_ARRAY_LEN(upgrade_steps); i++)
        ap_buf_adds(&sql, upgrade_steps[i]);
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

int ap_db_schema_version(sqlite3 *db)
{
    int ver = -1;
    return exec_int(db, "PRAGMA user_version", &ver) == SQLITE_OK ? ver : -1;
}

/* Write all of buf to fd, or fail with errno set. */
static bool write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        buf += w;
        n -= (size_t)w;
    }
    return true;
}

/*
 * Copy the database file byte for byte to dest, a new file of mode 0600 that
 * must not exist yet. The bytes are read through SQLite's own handle on the
 * file: opening and closing the file again in this process would drop the
 * POSIX locks SQLite holds on it. The caller holds a lock that keeps every
 * writer out, and has read the database under it (so any interrupted write
 * has been rolled back first).
 */
static enum ap_status copy_db_file(sqlite3 *db, const char *path, const char *dest,
                                   struct ap_diag *d)
{
    enum ap_status st = AP_OK;
    struct ap_atomic a = {0};
    sqlite3_file *f = NULL;
    sqlite3_int64 size = 0;
    char *buf = NULL;
    int fd = -1;

    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK || !f ||
        !f->pMethods || f->pMethods->xFileSize(f, &size) != SQLITE_OK) {
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, path, 0, 0,
                       "cannot read the database to copy it to %s", dest);
        return AP_ERR_IO;
    }
    st = ap_atomic_begin(&a, dest, d);
    if (st != AP_OK)
        return st;
    fd = open(a.tmp, O_WRONLY | O_TRUNC);
    if (fd < 0) {
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, dest, 0, 0, "cannot write the copy: %s",
                       strerror(errno));
        st = AP_ERR_IO;
        goto done;
    }
    enum { CHUNK = 1 << 16 };
    buf = ap_xmalloc(CHUNK);
    for (sqlite3_int64 off = 0; off < size;) {
        int n = size - off < CHUNK ? (int)(size - off) : CHUNK;
        if (f->pMethods->xRead(f, buf, n, off) != SQLITE_OK) {
            ap_diag_report(d, AP_ERROR, AP_ERR_IO, path, 0, 0,
                           "cannot read the database to copy it to %s", dest);
            st = AP_ERR_IO;
            goto done;
        }
        if (!write_all(fd, buf, (size_t)n)) {
            ap_diag_report(d, AP_ERROR, AP_ERR_IO, dest, 0, 0, "cannot write the copy: %s",
                           strerror(errno));
            st = AP_ERR_IO;
            goto done;
        }
        off += n;
    }
    if (close(fd) != 0) {
        fd = -1;
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, dest, 0, 0, "cannot write the copy: %s",
                       strerror(errno));
        st = AP_ERR_IO;
        goto done;
    }
    fd = -1;
    st = ap_atomic_commit_new(&a, 0600, d);

done:
    if (fd >= 0)
        close(fd);
    free(buf);
    ap_atomic_abort(&a);
    return st;
}

/* The message for a writer that could not get the write lock in time. */
static enum ap_status busy_error(const char *path, struct ap_diag *d)
{
    ap_diag_report(d, AP_ERROR, AP_ERR_IO, path, 0, 0,
                   "another import is running on %s; try again when it has finished", path);
    return AP_ERR_IO;
}

/*
 * Bring the database up to AP_DB_SCHEMA_VERSION: under one write lock, copy
 * the file to PATH.bak-vN, then run the first step; each later step in its
 * own transaction. *from is the version found. If the first step fails, the
 * copy is removed again (the database is as it was). Unless quiet, a note
 * says what was done.
 */
static enum ap_status upgrade(sqlite3 *db, const char *path, int *from, bool quiet,
                              struct ap_diag *d)
{
    enum ap_status st = AP_OK;
    char *bak = NULL;
    int ver = 0;

    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if ((rc & 0xff) == SQLITE_BUSY)
        return busy_error(path, d);
    if (rc != SQLITE_OK)
        return ap_db_error(db, d, path);
    /* Read again under the lock: another program may have upgraded it. */
    if (exec_int(db, "PRAGMA user_version", &ver) != SQLITE_OK) {
        st = ap_db_error(db, d, path);
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return st;
    }
    *from = ver;
    if (ver >= AP_DB_SCHEMA_VERSION) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return AP_OK;
    }
    bak = ap_xasprintf("%s.bak-v%d", path, ver);
    st = copy_db_file(db, path, bak, d);
    if (st != AP_OK) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        ap_diag_report(d, AP_NOTE, AP_OK, path, 0, 0,
                       "the database (schema version %d) needs upgrading to version %d before "
                       "it can be written, and was left as it was",
                       ver, AP_DB_SCHEMA_VERSION);
        goto done;
    }
    for (int v = ver; v < AP_DB_SCHEMA_VERSION; v++) {
        if (v > ver && sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
            st = ap_db_error(db, d, path);
            goto done;
        }
        char *sql = ap_xasprintf("%sPRAGMA user_version=%d;\n", upgrade_steps[v - 1], v + 1);
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
        free(sql);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            char *what =
                ap_xasprintf("%s: cannot upgrade the schema from version %d to %d", path, v, v + 1);
            st = ap_db_error(db, d, what);
            free(what);
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            if (v == ver && unlink(bak) != 0)
                ap_diag_report(d, AP_WARNING, AP_OK, bak, 0, 0, "cannot remove: %s",
                               strerror(errno));
            goto done;
        }
    }
    if (!quiet)
        ap_diag_report(d, AP_NOTE, AP_OK, path, 0, 0,
                       "upgraded from schema version %d to %d; the file as it was is kept in %s",
                       ver, AP_DB_SCHEMA_VERSION, bak);

done:
    free(bak);
    return st;
}

/*
 * An import stopped part-way (killed, power cut) leaves a "hot" rollback
 * journal beside the database: the pages as they were before it. SQLite
 * undoes it on the next connection that may write, but a read-only connection
 * cannot, and fails. So a reader that meets one opens the file read-write
 * just long enough to let SQLite undo it (a read in a transaction), then
 * carries on read-only. A journal is only hot while no other program holds a
 * write lock, so this never touches a running import's journal. Where this
 * user may not write the file or its folder, say what to run instead.
 */
static enum ap_status recover(const char *path, struct ap_diag *d)
{
    sqlite3 *rw = NULL;
    int rc = sqlite3_open_v2(path, &rw, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK) {
        configure(rw);
        rc = sqlite3_exec(rw, "BEGIN; SELECT count(*) FROM sqlite_master; COMMIT", NULL, NULL,
                          NULL);
    }
    int code = rw ? sqlite3_extended_errcode(rw) : rc;
    if (rw && sqlite3_close(rw) != SQLITE_OK && rc == SQLITE_OK)
        rc = SQLITE_ERROR;
    if (rc == SQLITE_OK) {
        ap_diag_report(d, AP_NOTE, AP_OK, path, 0, 0,
                       "an interrupted import was undone; the database is as it was before it");
        return AP_OK;
    }
    if ((code & 0xff) == SQLITE_BUSY) {
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, path, 0, 0,
                       "the database is locked by another program; try again when it has "
                       "finished");
        return AP_ERR_IO;
    }
    const char *slash = strrchr(path, '/');
    char *dir =
        slash ? ap_xstrndup(path, (size_t)(slash - path) + (slash == path)) : ap_xstrdup(".");
    ap_diag_report(d, AP_ERROR, AP_ERR_IO, path, 0, 0,
                   "an import into this database was interrupted, and its unfinished changes "
                   "(in %s-journal) must be undone before it can be read; that needs write "
                   "access to the file and to its folder %s, which this user does not have. "
                   "Run 'actionplan migrate --db %s' as a user who can write there (such as "
                   "the database's owner), then run this command again. Do not delete %s-journal: "
                   "it holds the data as it was before the import",
                   path, dir, path, path);
    free(dir);
    return AP_ERR_IO;
}

static enum ap_status open_db(const char *path, bool readonly, bool recovered, int *upgraded_from,
                              sqlite3 **out, struct ap_diag *d)
{
    enum ap_status st = AP_OK;
    sqlite3 *db = NULL;
    struct stat sb;

    *out = NULL;
    if (upgraded_from)
        *upgraded_from = 0;
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
    name_db(db, path);
    configure(db);
    /* A reader holds one read transaction from here until it closes: every
     * query of a report sees the same state of the file, before or after an
     * import, never a mix. */
    if (readonly && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        st = ap_db_error(db, d, path);
        goto done;
    }
    if (readonly && !recovered) {
        int ver;
        if (exec_int(db, "PRAGMA user_version", &ver) != SQLITE_OK &&
            sqlite3_extended_errcode(db) == SQLITE_READONLY_ROLLBACK) {
            ap_db_close(db);
            db = NULL;
            st = recover(path, d);
            if (st == AP_OK)
                return open_db(path, readonly, true, upgraded_from, out, d);
            goto done;
        }
    }
    st = check_ours(db, path, d);
    if (st != AP_OK)
        goto done;
    if (!readonly && ap_db_schema_version(db) < AP_DB_SCHEMA_VERSION) {
        int from = 0;
        st = upgrade(db, path, &from, upgraded_from != NULL, d);
        if (st != AP_OK)
            goto done;
        if (upgraded_from && from < AP_DB_SCHEMA_VERSION)
            *upgraded_from = from;
    }
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
    ap_db_close(db);
    return st;
}

enum ap_status ap_db_open(const char *path, bool readonly, sqlite3 **out, struct ap_diag *d)
{
    return readonly ? open_db(path, true, false, NULL, out, d)
                    : ap_db_open_write(path, NULL, out, d);
}

enum ap_status ap_db_open_write(const char *path, int *upgraded_from, sqlite3 **out,
                                struct ap_diag *d)
{
    return open_db(path, false, false, upgraded_from, out, d);
}

/* Run PRAGMA integrity_check on db: true if its one row is "ok". */
static bool integrity_ok(sqlite3 *db, struct ap_buf *why)
{
    sqlite3_stmt *st;
    bool ok = false;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK) {
        ap_buf_adds(why, sqlite3_errmsg(db));
        return false;
    }
    int rows = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (rows++ == 0 && t && !strcmp(t, "ok"))
            ok = true;
        else if (rows <= 3)
            ap_buf_addf(why, "%s%s", why->len ? "; " : "", t ? t : "?");
    }
    if (rc != SQLITE_DONE) {
        ap_buf_addf(why, "%s%s", why->len ? "; " : "", sqlite3_errmsg(db));
        ok = false;
    }
    sqlite3_finalize(st);
    return ok && rows == 1;
}

enum ap_status ap_db_backup(sqlite3 *src, const char *dest, long long *size, struct ap_diag *d)
{
    enum ap_status st = AP_OK;
    struct ap_atomic a = {0};
    struct ap_buf why = AP_BUF_INIT;
    sqlite3 *out = NULL;
    struct stat sb;

    if (lstat(dest, &sb) == 0) {
        ap_diag_report(d, AP_ERROR, AP_ERR_USAGE, dest, 0, 0,
                       "already exists; a backup never replaces a file: choose a new name, or "
                       "move the old one away first");
        return AP_ERR_USAGE;
    }
    st = ap_atomic_begin(&a, dest, d);
    if (st != AP_OK)
        return st;
    if (sqlite3_open_v2(a.tmp, &out, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, dest, 0, 0, "cannot write the backup: %s",
                       out ? sqlite3_errmsg(out) : "out of memory");
        st = AP_ERR_IO;
        goto done;
    }
    /* One step copies every page under one read lock of the source: the
     * copy is one state of the database even while others read or an
     * import loads (an import cannot commit until the step ends). */
    sqlite3_backup *b = sqlite3_backup_init(out, "main", src, "main");
    if (!b) {
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, dest, 0, 0, "cannot start the backup: %s",
                       sqlite3_errmsg(out));
        st = AP_ERR_IO;
        goto done;
    }
    int rc = sqlite3_backup_step(b, -1);
    int rc2 = sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE || rc2 != SQLITE_OK) {
        if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
            st = ap_db_error(src, d, "cannot read the database to back it up");
        else {
            ap_diag_report(d, AP_ERROR, AP_ERR_IO, dest, 0, 0, "cannot write the backup: %s",
                           sqlite3_errstr(rc == SQLITE_DONE ? rc2 : rc));
            st = AP_ERR_IO;
        }
        goto done;
    }
    if (!integrity_ok(out, &why)) {
        /* The pages are the source's, so the source is what is damaged. */
        for (char *p = why.buf; *p; p++)
            if (*p == '\n')
                *p = ' ';
        ap_diag_report(d, AP_ERROR, AP_ERR_INPUT, db_name(src), 0, 0,
                       "the database is damaged: its copy failed the integrity check (%s); "
                       "nothing was written to %s. Restore it from an earlier backup, or create "
                       "a new one and import again",
                       why.buf, dest);
        st = AP_ERR_INPUT;
        goto done;
    }
    if (sqlite3_close(out) != SQLITE_OK) {
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, dest, 0, 0, "cannot finish the backup: %s",
                       sqlite3_errmsg(out));
        st = AP_ERR_IO;
        goto done;
    }
    out = NULL;
    if (size)
        *size = stat(a.tmp, &sb) == 0 ? (long long)sb.st_size : -1;
    st = ap_atomic_commit_new(&a, 0600, d);

done:
    if (out)
        sqlite3_close(out);
    ap_atomic_abort(&a);
    ap_buf_release(&why);
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
    if (db) {
        forget_db(db);
        sqlite3_close(db);
    }
}
