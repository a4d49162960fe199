/*
 * ap_idset: see ap_idset.h. The table is temp.ap_ids_N (N counts the sets
 * moved by this process), a WITHOUT ROWID table keyed by the id's bytes as a
 * BLOB, which compares them as memcmp then length, the order ap_rowsort
 * sorts them in.
 */
#include "ap_idset.h"

#include <stdlib.h>
#include <string.h>

#include "ap_db.h"
#include "ap_rowsort.h"

struct ap_idset {
    struct ap_keyset *mem; /* NULL once on disk */
    size_t count;          /* on disk */
    sqlite3 *db;
    char *table; /* "temp.ap_ids_N" */
    sqlite3_stmt *get, *put;
};

struct ap_idset *ap_idset_new(void)
{
    struct ap_idset *s = ap_xcalloc(1, sizeof *s);
    s->mem = ap_keyset_new();
    return s;
}

void ap_idset_free(struct ap_idset *s)
{
    if (!s)
        return;
    ap_keyset_free(s->mem);
    sqlite3_finalize(s->get);
    sqlite3_finalize(s->put);
    if (s->table) {
        char *sql = ap_xasprintf("DROP TABLE IF EXISTS %s", s->table);
        /* The table is temporary: it goes with the connection if this fails. */
        (void)sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        free(sql);
        free(s->table);
    }
    free(s);
}

struct ap_keyset *ap_idset_mem(struct ap_idset *s)
{
    return s->mem;
}

size_t ap_idset_count(const struct ap_idset *s)
{
    return s->mem ? ap_keyset_count(s->mem) : s->count;
}

size_t ap_idset_bytes(const struct ap_idset *s)
{
    return s->mem ? ap_keyset_bytes(s->mem) : 0;
}

bool ap_idset_on_disk(const struct ap_idset *s)
{
    return !s->mem;
}

enum ap_status ap_idset_get(struct ap_idset *s, const void *key, size_t n, bool *found,
                            uint32_t *val, struct ap_diag *d)
{
    if (s->mem) {
        *found = ap_keyset_get(s->mem, key, n, val);
        return AP_OK;
    }
    sqlite3_bind_blob(s->get, 1, n ? key : "", (int)n, SQLITE_STATIC);
    int rc = sqlite3_step(s->get);
    *found = rc == SQLITE_ROW;
    if (*found && val)
        *val = (uint32_t)sqlite3_column_int64(s->get, 0);
    sqlite3_reset(s->get);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ap_db_error(s->db, d, "cannot check the imported rows");
    return AP_OK;
}

enum ap_status ap_idset_add(struct ap_idset *s, const void *key, size_t n, uint32_t val, int *added,
                            uint32_t *old, struct ap_diag *d)
{
    if (s->mem) {
        *added = ap_keyset_add(s->mem, key, n, val, old);
        return AP_OK;
    }
    sqlite3_bind_blob(s->put, 1, n ? key : "", (int)n, SQLITE_STATIC);
    sqlite3_bind_int64(s->put, 2, val);
    int rc = sqlite3_step(s->put);
    sqlite3_reset(s->put);
    if (rc != SQLITE_DONE)
        return ap_db_error(s->db, d, "cannot keep the imported ids on disk");
    *added = sqlite3_changes(s->db) > 0;
    s->count += (size_t)*added;
    if (*added)
        return AP_OK;
    bool found = false;
    enum ap_status st = ap_idset_get(s, key, n, &found, old, d);
    if (st == AP_OK && !found) { /* cannot be: the insert was ignored for it */
        ap_diag_error(d, AP_ERR_IO, "cannot keep the imported ids on disk (internal error)");
        st = AP_ERR_IO;
    }
    return st;
}

/* Write the sorted ids into the table. */
static enum ap_status fill(struct ap_idset *s, struct ap_rowsort *rs, struct ap_diag *d)
{
    sqlite3_stmt *ins = NULL;
    const char *f[2];
    int len[2], rc = 0;
    char *sql = ap_xasprintf("INSERT INTO %s (k, v) VALUES (?, ?)", s->table);
    enum ap_status st = ap_db_prepare(s->db, sql, &ins, d) ? AP_OK : AP_ERR_IO;
    free(sql);
    if (st == AP_OK)
        st = ap_rowsort_finish(rs, d);
    while (st == AP_OK && (rc = ap_rowsort_next(rs, f, len, d)) == 1) {
        uint32_t v;
        memcpy(&v, f[1], sizeof v);
        sqlite3_bind_blob(ins, 1, len[0] ? f[0] : "", len[0], SQLITE_STATIC);
        sqlite3_bind_int64(ins, 2, v);
        if (sqlite3_step(ins) != SQLITE_DONE)
            st = ap_db_error(s->db, d, "cannot keep the imported ids on disk");
        sqlite3_reset(ins);
    }
    if (st == AP_OK && rc < 0)
        st = AP_ERR_IO;
    sqlite3_finalize(ins);
    return st;
}

enum ap_status ap_idset_to_disk(struct ap_idset *s, sqlite3 *db, size_t sort_budget,
                                struct ap_diag *d)
{
    static unsigned serial;
    if (!s->mem)
        return AP_OK;
    s->db = db;
    s->table = ap_xasprintf("temp.ap_ids_%u", serial++);
    char *sql = ap_xasprintf(
        "CREATE TABLE %s (k BLOB PRIMARY KEY NOT NULL, v INTEGER NOT NULL) WITHOUT ROWID",
        s->table);
    enum ap_status st = AP_OK;
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        st = ap_db_error(db, d, "cannot keep the imported ids on disk");
    free(sql);
    struct ap_rowsort *rs = ap_rowsort_new(2, 1, sort_budget);
    const void *key;
    size_t n;
    uint32_t v;
    for (size_t at = 0; st == AP_OK && (at = ap_keyset_next(s->mem, at, &key, &n, &v)) != 0;) {
        const char *f[2] = {key, (const char *)&v};
        int len[2] = {(int)n, (int)sizeof v};
        st = ap_rowsort_add(rs, f, len, d);
    }
    if (st == AP_OK)
        st = fill(s, rs, d);
    ap_rowsort_free(rs);
    if (st == AP_OK) {
        sql = ap_xasprintf("SELECT v FROM %s WHERE k = ?", s->table);
        if (!ap_db_prepare(db, sql, &s->get, d))
            st = AP_ERR_IO;
        free(sql);
    }
    if (st == AP_OK) {
        sql = ap_xasprintf("INSERT OR IGNORE INTO %s (k, v) VALUES (?, ?)", s->table);
        if (!ap_db_prepare(db, sql, &s->put, d))
            st = AP_ERR_IO;
        free(sql);
    }
    if (st != AP_OK)
        return st;
    s->count = ap_keyset_count(s->mem);
    ap_keyset_free(s->mem);
    s->mem = NULL;
    return AP_OK;
}
