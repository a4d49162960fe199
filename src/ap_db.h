/*
 * ap_db: the case database. Creates the versioned schema (PRAGMA user_version;
 * schema versions and their upgrade steps are in ap_db.c; application_id
 * identifies our files), opens it for writing (import, migrate; upgrading an
 * older schema first) or strictly
 * read-only (metrics, check, report: SQLITE_OPEN_READONLY, query_only and an
 * authorizer that permits reads only), and refuses files that are not ours.
 */
#ifndef AP_DB_H
#define AP_DB_H

#include <sqlite3.h>
#include <stdbool.h>

#include "ap_diag.h"

#define AP_DB_APPLICATION_ID 0x41506c6e /* "APln" */
#define AP_DB_SCHEMA_VERSION 2

/* The seven tables of SPEC.md, in load order (parents before children). */
enum ap_table_id {
    AP_T_CHILDREN,
    AP_T_CASES,
    AP_T_MISSING_EPISODES,
    AP_T_PERPETRATORS,
    AP_T_PERPETRATOR_ACTIONS,
    AP_T_ACTION_PLAN,
    AP_T_ACTION_UPDATES,
    AP_T_COUNT
};
extern const char *const ap_table_names[AP_T_COUNT];

/* Pages of 16 KiB: a quarter of the reads of the default 4 KiB when a report
 * walks a million rows, and shallower trees. */
#define AP_DB_PAGE_SIZE 16384

/* A secondary index of the schema: its table, name and CREATE INDEX statement.
 * ap_db_create makes them all; an import into an empty table drops its
 * indexes and makes them again after the rows are in (one sort instead of a
 * tree insert per row). */
struct ap_db_index {
    enum ap_table_id table;
    const char *name;
    const char *sql;
};
extern const struct ap_db_index ap_db_indexes[];
extern const size_t ap_db_nindexes;

/* Create a new database at path with mode 0600 from its first byte. An
 * existing file of any kind is refused, never overwritten (exit 2). */
enum ap_status ap_db_create(const char *path, struct ap_diag *d);

/* Open an existing actionplan database. readonly: for metrics/check/report.
 * Refuses a missing file, a file that is not SQLite or not ours, a newer schema,
 * a corrupt file; a locked database waits briefly then fails clearly.
 * On success *out is the connection (close with ap_db_close).
 * readonly: an older schema is read as it is (every version has the case
 * tables), and the connection holds one read transaction until it is closed,
 * so all its queries see one state of the file. Not readonly: see
 * ap_db_open_write. */
enum ap_status ap_db_open(const char *path, bool readonly, sqlite3 **out, struct ap_diag *d);

/* Open for writing (import, report --publish, migrate). An older schema is
 * first upgraded in place, after the file is copied to PATH.bak-vN (0600; an
 * existing copy is never replaced: the upgrade is refused instead). If an
 * upgrade was made, *upgraded_from (may be NULL) is the version found, else 0.
 * ap_db_open(path, false, ...) is this with upgraded_from NULL. */
enum ap_status ap_db_open_write(const char *path, int *upgraded_from, sqlite3 **out,
                                struct ap_diag *d);

/* Seconds a connection waits for another program's lock before it fails
 * (config [database] busy_timeout). */
#define AP_DB_BUSY_TIMEOUT_DEFAULT 10
void ap_db_set_busy_timeout(long seconds);

/* PRAGMA user_version of an open database, or -1 if it cannot be read. */
int ap_db_schema_version(sqlite3 *db);

/* Copy the open database src to dest, a new file (an existing one is a usage
 * error, never replaced), through SQLite's online backup API in one step, so
 * the copy is one consistent state while others read or an import runs. The
 * copy must pass PRAGMA integrity_check before it is moved into place with
 * mode 0600. *size (may be NULL) is its size in bytes. */
enum ap_status ap_db_backup(sqlite3 *src, const char *dest, long long *size, struct ap_diag *d);

void ap_db_close(sqlite3 *db); /* NULL ok */

/* The database's own guards, as queries: PRAGMA foreign_key_check (every
 * reference resolves) and PRAGMA quick_check (which in SQLite 3.40 also checks
 * every CHECK and NOT NULL constraint). The import turns the enforcement off
 * for speed and proves the same rules itself; this proves that it did. Any row
 * is an internal error (AP_ERR_IO), reported. Reads the whole database. */
enum ap_status ap_db_check_guards(sqlite3 *db, struct ap_diag *d);

/* Report the connection's current error as "what: sqlite message" with the
 * status it implies (locked/busy/corrupt/full map to clear messages), naming
 * the database file when the connection came from ap_db_open. */
enum ap_status ap_db_error(sqlite3 *db, struct ap_diag *d, const char *what);
/* Report what the database gave that its schema forbids (detail says what,
 * e.g. a NULL in a NOT NULL column: a damaged page), as ap_db_error reports
 * SQLITE_CORRUPT, naming the file. Returns AP_ERR_INPUT. */
enum ap_status ap_db_damaged(sqlite3 *db, struct ap_diag *d, const char *what, const char *detail);

/* Prepare a statement or report the failure (returns false). */
bool ap_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct ap_diag *d);

#endif
