/*
 * ap_log: inserts under a SAVEPOINT (nested in the caller's transaction, or a
 * transaction of its own), and the listing for `actionplan log`.
 */
#include "ap_log.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ap_db.h"
#include "ap_util.h"

#ifndef AP_VERSION
#define AP_VERSION "unknown"
#endif

enum ap_status ap_log_now(char out[AP_LOG_TIME_LEN], struct ap_diag *d)
{
    time_t t = time(NULL);
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (s && *s) {
        long v;
        if (!ap_parse_long(s, 0, 253402300799L, &v)) {
            ap_diag_input(d, NULL, 0, 0,
                          "SOURCE_DATE_EPOCH '%s' is not a whole number of seconds since 1970", s);
            return AP_ERR_INPUT;
        }
        t = (time_t)v;
    }
    struct tm tm;
    if (t == (time_t)-1 || !gmtime_r(&t, &tm) ||
        strftime(out, AP_LOG_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) != AP_LOG_TIME_LEN - 1) {
        ap_diag_error(d, AP_ERR_IO, "cannot read the clock");
        return AP_ERR_IO;
    }
    return AP_OK;
}

/* Bind text, or NULL for a NULL pointer (SQLITE_STATIC: the caller's strings
 * outlive the step). */
static int bind_text(sqlite3_stmt *st, int i, const char *s)
{
    return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

/* Step a bound insert once and reset it for the next row. */
static bool step_reset(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    return sqlite3_reset(st) == SQLITE_OK && rc == SQLITE_DONE;
}

static bool exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
}

/* End the savepoint: keep (RELEASE) or undo (ROLLBACK TO, then RELEASE). */
static enum ap_status finish(sqlite3 *db, enum ap_status st, const char *what, struct ap_diag *d)
{
    if (st == AP_OK && !exec(db, "RELEASE ap_log"))
        st = ap_db_error(db, d, what);
    if (st != AP_OK) {
        exec(db, "ROLLBACK TO ap_log");
        exec(db, "RELEASE ap_log");
    }
    return st;
}

enum ap_status ap_log_add_import(sqlite3 *db, struct ap_log_import *imp, struct ap_diag *d)
{
    static const char what[] = "cannot record the import in the database";
    sqlite3_stmt *head = NULL, *file = NULL, *table = NULL;
    char now[AP_LOG_TIME_LEN];
    enum ap_status st = AP_OK;

    if (!imp->at && (st = ap_log_now(now, d)) != AP_OK)
        return st;
    if (!exec(db, "SAVEPOINT ap_log"))
        return ap_db_error(db, d, what);
    if (!ap_db_prepare(db,
                       "INSERT INTO import_log (imported_at, actionplan_version, profile_sha256,"
                       " replace_mode) VALUES (?, ?, ?, ?)",
                       &head, d) ||
        !ap_db_prepare(db,
                       "INSERT INTO import_log_files (import_id, file_name, size, sha256)"
                       " VALUES (?, ?, ?, ?)",
                       &file, d) ||
        !ap_db_prepare(db,
                       "INSERT INTO import_log_tables (import_id, table_name, new_rows,"
                       " changed_rows, unchanged_rows, missing_rows) VALUES (?, ?, ?, ?, ?, ?)",
                       &table, d)) {
        st = AP_ERR_IO;
        goto done;
    }
    bind_text(head, 1, imp->at ? imp->at : now);
    bind_text(head, 2, imp->version ? imp->version : AP_VERSION);
    bind_text(head, 3, imp->profile_sha256);
    sqlite3_bind_int(head, 4, imp->replace ? 1 : 0);
    if (!step_reset(head))
        goto fail;
    imp->id = sqlite3_last_insert_rowid(db);
    for (size_t i = 0; i < imp->nfiles; i++) {
        const struct ap_log_file *f = &imp->files[i];
        sqlite3_bind_int64(file, 1, imp->id);
        bind_text(file, 2, f->name);
        sqlite3_bind_int64(file, 3, f->size);
        bind_text(file, 4, f->sha256);
        if (!step_reset(file))
            goto fail;
    }
    for (size_t i = 0; i < imp->ntables; i++) {
        const struct ap_log_table_counts *t = &imp->tables[i];
        sqlite3_bind_int64(table, 1, imp->id);
        bind_text(table, 2, t->table);
        sqlite3_bind_int64(table, 3, t->new_rows);
        sqlite3_bind_int64(table, 4, t->changed_rows);
        sqlite3_bind_int64(table, 5, t->unchanged_rows);
        sqlite3_bind_int64(table, 6, t->missing_rows);
        if (!step_reset(table))
            goto fail;
    }
    goto done;
fail:
    st = ap_db_error(db, d, what);
done:
    sqlite3_finalize(head);
    sqlite3_finalize(file);
    sqlite3_finalize(table);
    return finish(db, st, what, d);
}

enum ap_status ap_log_add_publication(sqlite3 *db, struct ap_log_publication *pub,
                                      struct ap_diag *d)
{
    static const char what[] = "cannot record the published report in the database";
    sqlite3_stmt *head = NULL, *out = NULL, *fig = NULL;
    char now[AP_LOG_TIME_LEN];
    enum ap_status st = AP_OK;

    if (!pub->at && (st = ap_log_now(now, d)) != AP_OK)
        return st;
    if (!exec(db, "SAVEPOINT ap_log"))
        return ap_db_error(db, d, what);
    if (!ap_db_prepare(db,
                       "INSERT INTO publications (published_at, actionplan_version, template,"
                       " period_code, period_start, period_end) VALUES (?, ?, ?, ?, ?, ?)",
                       &head, d) ||
        !ap_db_prepare(db,
                       "INSERT INTO publication_outputs (publication_id, kind, file_name, size,"
                       " sha256) VALUES (?, ?, ?, ?, ?)",
                       &out, d) ||
        !ap_db_prepare(db,
                       "INSERT INTO published_figures (publication_id, table_id, row_no, col_no,"
                       " figure_key, shown, value) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       &fig, d)) {
        st = AP_ERR_IO;
        goto done;
    }
    bind_text(head, 1, pub->at ? pub->at : now);
    bind_text(head, 2, pub->version ? pub->version : AP_VERSION);
    bind_text(head, 3, pub->template_name);
    bind_text(head, 4, pub->period_code);
    bind_text(head, 5, pub->period_start);
    bind_text(head, 6, pub->period_end);
    if (!step_reset(head))
        goto fail;
    pub->id = sqlite3_last_insert_rowid(db);
    for (size_t i = 0; i < pub->noutputs; i++) {
        const struct ap_log_output *o = &pub->outputs[i];
        sqlite3_bind_int64(out, 1, pub->id);
        bind_text(out, 2, o->kind);
        bind_text(out, 3, o->file_name);
        sqlite3_bind_int64(out, 4, o->size);
        bind_text(out, 5, o->sha256);
        if (!step_reset(out))
            goto fail;
    }
    for (size_t i = 0; i < pub->nfigures; i++) {
        const struct ap_log_figure *f = &pub->figures[i];
        sqlite3_bind_int64(fig, 1, pub->id);
        bind_text(fig, 2, f->table_id);
        sqlite3_bind_int64(fig, 3, f->row_no);
        sqlite3_bind_int64(fig, 4, f->col_no);
        bind_text(fig, 5, f->figure_key);
        bind_text(fig, 6, f->shown);
        if (f->has_value)
            sqlite3_bind_double(fig, 7, f->value);
        else
            sqlite3_bind_null(fig, 7);
        if (!step_reset(fig))
            goto fail;
    }
    goto done;
fail:
    st = ap_db_error(db, d, what);
done:
    sqlite3_finalize(head);
    sqlite3_finalize(out);
    sqlite3_finalize(fig);
    return finish(db, st, what, d);
}

/* Keep p until ap_log_list_free; returns p. */
static void *own(struct ap_log_list *l, void *p)
{
    ap_grow((void **)&l->owned, sizeof *l->owned, l->nowned + 1, &l->aowned);
    l->owned[l->nowned++] = p;
    return p;
}

static const char *col_text(struct ap_log_list *l, sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? own(l, ap_xstrdup((const char *)s)) : NULL;
}

/* Step st: true for a row; false at the end or on an error (*rc says which). */
static bool next_row(sqlite3_stmt *st, int *rc)
{
    *rc = sqlite3_step(st);
    return *rc == SQLITE_ROW;
}

static enum ap_status list_imports(sqlite3 *db, struct ap_log_list *l, struct ap_diag *d)
{
    sqlite3_stmt *head = NULL, *files = NULL, *tables = NULL;
    enum ap_status st = AP_OK;
    size_t alloc = 0;
    int rc;

    if (!ap_db_prepare(db,
                       "SELECT import_id, imported_at, actionplan_version, profile_sha256,"
                       " replace_mode FROM import_log ORDER BY imported_at DESC, import_id DESC",
                       &head, d) ||
        !ap_db_prepare(db,
                       "SELECT file_name, size, sha256 FROM import_log_files WHERE import_id = ?"
                       " ORDER BY file_name",
                       &files, d) ||
        !ap_db_prepare(db,
                       "SELECT table_name, new_rows, changed_rows, unchanged_rows, missing_rows"
                       " FROM import_log_tables WHERE import_id = ? ORDER BY table_name",
                       &tables, d)) {
        st = AP_ERR_IO;
        goto done;
    }
    while (next_row(head, &rc)) {
        ap_grow((void **)&l->imports, sizeof *l->imports, l->nimports + 1, &alloc);
        struct ap_log_import *imp = &l->imports[l->nimports++];
        memset(imp, 0, sizeof *imp);
        imp->id = sqlite3_column_int64(head, 0);
        imp->at = col_text(l, head, 1);
        imp->version = col_text(l, head, 2);
        imp->profile_sha256 = col_text(l, head, 3);
        imp->replace = sqlite3_column_int(head, 4) != 0;

        struct ap_log_file *fv = NULL;
        size_t fa = 0;
        sqlite3_bind_int64(files, 1, imp->id);
        while (next_row(files, &rc)) {
            ap_grow((void **)&fv, sizeof *fv, imp->nfiles + 1, &fa);
            struct ap_log_file *f = &fv[imp->nfiles++];
            f->name = col_text(l, files, 0);
            f->size = sqlite3_column_int64(files, 1);
            f->sha256 = col_text(l, files, 2);
        }
        imp->files = fv ? own(l, fv) : NULL;
        if (rc != SQLITE_DONE || sqlite3_reset(files) != SQLITE_OK)
            goto fail;

        struct ap_log_table_counts *tv = NULL;
        size_t ta = 0;
        sqlite3_bind_int64(tables, 1, imp->id);
        while (next_row(tables, &rc)) {
            ap_grow((void **)&tv, sizeof *tv, imp->ntables + 1, &ta);
            struct ap_log_table_counts *t = &tv[imp->ntables++];
            t->table = col_text(l, tables, 0);
            t->new_rows = sqlite3_column_int64(tables, 1);
            t->changed_rows = sqlite3_column_int64(tables, 2);
            t->unchanged_rows = sqlite3_column_int64(tables, 3);
            t->missing_rows = sqlite3_column_int64(tables, 4);
        }
        imp->tables = tv ? own(l, tv) : NULL;
        if (rc != SQLITE_DONE || sqlite3_reset(tables) != SQLITE_OK)
            goto fail;
    }
    if (rc == SQLITE_DONE)
        goto done;
fail:
    st = ap_db_error(db, d, "cannot read the record of imports");
done:
    sqlite3_finalize(head);
    sqlite3_finalize(files);
    sqlite3_finalize(tables);
    return st;
}

static enum ap_status list_publications(sqlite3 *db, struct ap_log_list *l, struct ap_diag *d)
{
    sqlite3_stmt *head = NULL, *outs = NULL;
    enum ap_status st = AP_OK;
    size_t alloc = 0;
    int rc;

    if (!ap_db_prepare(db,
                       "SELECT publication_id, published_at, actionplan_version, template,"
                       " period_code, period_start, period_end,"
                       " (SELECT count(*) FROM published_figures f"
                       "  WHERE f.publication_id = p.publication_id)"
                       " FROM publications p ORDER BY published_at DESC, publication_id DESC",
                       &head, d) ||
        !ap_db_prepare(db,
                       "SELECT kind, file_name, size, sha256 FROM publication_outputs"
                       " WHERE publication_id = ? ORDER BY kind",
                       &outs, d)) {
        st = AP_ERR_IO;
        goto done;
    }
    while (next_row(head, &rc)) {
        ap_grow((void **)&l->publications, sizeof *l->publications, l->npublications + 1, &alloc);
        struct ap_log_publication *p = &l->publications[l->npublications++];
        memset(p, 0, sizeof *p);
        p->id = sqlite3_column_int64(head, 0);
        p->at = col_text(l, head, 1);
        p->version = col_text(l, head, 2);
        p->template_name = col_text(l, head, 3);
        p->period_code = col_text(l, head, 4);
        p->period_start = col_text(l, head, 5);
        p->period_end = col_text(l, head, 6);
        p->nfigures = (size_t)sqlite3_column_int64(head, 7);

        struct ap_log_output *ov = NULL;
        size_t oa = 0;
        sqlite3_bind_int64(outs, 1, p->id);
        while (next_row(outs, &rc)) {
            ap_grow((void **)&ov, sizeof *ov, p->noutputs + 1, &oa);
            struct ap_log_output *o = &ov[p->noutputs++];
            o->kind = col_text(l, outs, 0);
            o->file_name = col_text(l, outs, 1);
            o->size = sqlite3_column_int64(outs, 2);
            o->sha256 = col_text(l, outs, 3);
        }
        p->outputs = ov ? own(l, ov) : NULL;
        if (rc != SQLITE_DONE || sqlite3_reset(outs) != SQLITE_OK)
            goto fail;
    }
    if (rc == SQLITE_DONE)
        goto done;
fail:
    st = ap_db_error(db, d, "cannot read the record of published reports");
done:
    sqlite3_finalize(head);
    sqlite3_finalize(outs);
    return st;
}

enum ap_status ap_log_list(sqlite3 *db, struct ap_log_list *out, struct ap_diag *d)
{
    memset(out, 0, sizeof *out);
    /* A read-only connection reads in one transaction from its opening (see
     * ap_db_open), so both lists come from the same state of the file. */
    enum ap_status st = list_imports(db, out, d);
    if (st == AP_OK)
        st = list_publications(db, out, d);
    if (st != AP_OK)
        ap_log_list_free(out);
    return st;
}

void ap_log_list_free(struct ap_log_list *l)
{
    for (size_t i = 0; i < l->nowned; i++)
        free(l->owned[i]);
    free(l->owned);
    free(l->imports);
    free(l->publications);
    memset(l, 0, sizeof *l);
}
