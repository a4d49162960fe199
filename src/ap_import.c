/*
 * ap_import: CSV export -> case database, all or nothing.
 *
 * One transaction (BEGIN IMMEDIATE), with foreign-key enforcement and CHECK
 * constraints off for its length (the import proves every reference and every
 * enumerated value itself). Each file streams row by row straight into its
 * table through reused INSERTs; every rule is checked as rows arrive, in line
 * order: the fields, the rules between fields, an id seen before in the file
 * (an ap_keyset of the file's ids), a parent found neither in its file's id
 * set nor in the database. An error stops nothing: checking goes on to the
 * end so that every error is reported, and the good rows still go in, so that
 * the final-state rules see what they would after a clean import. A table
 * empty at the start (or emptied by --replace) is bulk-loaded: its secondary
 * indexes are dropped and built again after its rows are in (one sort instead
 * of a tree insert per row), 64 rows to an INSERT, while the ids arrive in
 * order; from the first id out of order on, the rest of the file goes to an
 * ap_rowsort (in memory up to a budget, then in sorted runs on disk) and in
 * after it, in key order (inserts all over a tree larger than the page cache
 * cost a page read and write each). A table with rows is upserted by id, 64
 * rows to a statement, indexes kept. The id sets stay in memory within their
 * own budget; past it, the sets of files already read (and then, if need be,
 * of the file being read) move to temporary tables on disk (ap_idset).
 * The rules that depend on the final state run last: overlapping cases (one
 * ordered pass over the cases) and rows left without a parent by --replace.
 * COMMIT only when no error was reported, else ROLLBACK, which leaves the
 * database file byte-for-byte as it was (indexes included).
 *
 * A row with an error is not written, but its id still counts for duplicate
 * and reference checks: one wrong gender must not turn into "unknown child"
 * errors on every case of that child.
 */
#include "ap_import.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ap_date.h"
#include "ap_enum.h"
#include "ap_hash.h"
#include "ap_intake.h"
#include "ap_idset.h"
#include "ap_keyset.h"
#include "ap_log.h"
#include "ap_metrics.h"
#include "ap_progress.h"
#include "ap_rowsort.h"

/* The schema's tables, by the name the rules below were written with. */
static const struct ap_tabledef *const tables = ap_schema;

/* Row rules: column `then` must not come before column `first`; with
 * needs_first, `then` may not be given without `first`. */
static const struct {
    enum ap_table_id t;
    int first, then;
    bool needs_first;
    const char *hint;
} order_rules[] = {
    {AP_T_CASES, 2, 3, false, "a case cannot close before it opens"},
    {AP_T_PERPETRATORS, 1, 2, false, "a perpetrator's case cannot conclude before it starts"},
    {AP_T_MISSING_EPISODES, 2, 3, false, "a child cannot return before going missing"},
    {AP_T_MISSING_EPISODES, 3, 4, true, "a return interview follows the return"},
    {AP_T_MISSING_EPISODES, 3, 5, true, "a return interview follows the return"},
};

/* Row rules: a date and a reason given together or not at all. */
static const struct {
    enum ap_table_id t;
    int date, reason;
} pair_rules[] = {
    {AP_T_CASES, 3, 6},
    {AP_T_PERPETRATORS, 2, 3},
};

/* One parsed field of the current row. */
struct val {
    const char *s; /* text to store (NUL-terminated), valid while the row is */
    size_t n;
    bool set;      /* not empty */
    bool ok;       /* no error */
    const char *given; /* the trimmed text as in the file, for messages */
    size_t given_n;
    int64_t secs;  /* dates and date-times: seconds since 1970 (dates at midnight) */
    bool has_time;
    char iso[20];
};

struct imp {
    sqlite3 *db;
    struct ap_diag *d;
    struct ap_intake *in;     /* where each table's rows come from */
    bool replace;
    struct ap_import_summary *sum;
    char *path[AP_T_COUNT];   /* the file given for each table, or NULL */
    bool failed[AP_T_COUNT];  /* header or structural error: its rows are incomplete */
    int fcol[AP_T_COUNT][AP_MAX_COLS]; /* header position of each column, or -1 */
    struct ap_idset *keys[AP_T_COUNT];  /* ids of each file read (value: line_val) */
    bool done[AP_T_COUNT];              /* its file is read: its ids may go to disk */
    size_t id_budget;                   /* bytes the id sets may keep in memory */
    bool bulk[AP_T_COUNT];              /* loaded into an empty table, indexes rebuilt after */
    long before[AP_T_COUNT];            /* rows the table had before */
    size_t errors0;                     /* errors reported before the import */
    enum ap_table_id fn_table;          /* the table ap_in_file() looks its keys up for */
    struct ap_progress progress;        /* on a terminal, after 2 s */
    struct ap_buf key;                  /* the current row's key bytes */
    sqlite3_stmt *lookup;               /* SELECT 1 FROM the parent table WHERE id = ? */
    struct ap_buf last_parent;          /* the last id lookup asked about, and its answer */
    bool last_found, last_ok;
    size_t sort_budget;                 /* bytes of rows a sorter may keep in memory */
    struct ap_keyset *case_children;    /* cases upserted: children of the rows written */
    struct ap_buf case_child_list;      /* the same ids, each NUL-terminated */
};

static void add_shown(struct ap_buf *b, const char *s, size_t n)
{
    ap_buf_add_shown(b, s, n);
}

/* A value for a message, valid until the next call with the same slot. */
static const char *shown(struct ap_buf *slot, const char *s, size_t n)
{
    ap_buf_reset(slot);
    add_shown(slot, s, n);
    return slot->buf;
}

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

static int64_t floor_day(int64_t secs)
{
    return secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
}

/* True if b is before a. When either lacks a time of day, only days count:
 * "2016-03-01" is not before "2016-03-01 09:00" and vice versa. */
static bool is_before(const struct val *b, const struct val *a)
{
    if (!a->has_time || !b->has_time)
        return floor_day(b->secs) < floor_day(a->secs);
    return b->secs < a->secs;
}

/* Parse and check one canonical field (see ap_intake.h). quiet: only fill v
 * (for rows already reported). */
static void check_field(struct imp *im, const char *file, const struct ap_coldef *cd,
                        const struct ap_field *f, long line, long col, struct val *v, bool quiet)
{
    struct ap_buf m1 = AP_BUF_INIT, list = AP_BUF_INIT;
    memset(v, 0, sizeof *v);
    v->ok = true;
    if (!f)
        return; /* optional column not in the file */
    if (f->bad) {
        v->ok = false; /* the intake has reported it */
        goto done;
    }
    const char *t = f->s;
    size_t tn = f->len;
    trim(&t, &tn);
    v->given = t;
    v->given_n = tn;
    if (tn == 0) {
        if (cd->required) {
            if (!quiet)
                ap_diag_input(im->d, file, line, col, "%s is empty; it is required", cd->name);
            v->ok = false;
        }
        goto done;
    }
    /* Excel's text-forcing ="..." would otherwise be stored with its wrapper,
     * so that ids no longer match: ask for the plain value instead. */
    if (tn >= 3 && t[0] == '=' && t[1] == '"' && t[tn - 1] == '"') {
        if (!quiet)
            ap_diag_input(im->d, file, line, col,
                          "%s '%s' is wrapped in Excel's =\"...\" text-forcing; export the "
                          "plain value instead",
                          cd->name, shown(&m1, t, tn));
        v->ok = false;
        goto done;
    }
    v->set = true;
    const char *why = NULL;
    switch (cd->kind) {
    case AP_K_TEXT:
        v->s = f->s; /* stored exactly as given */
        v->n = f->len;
        break;
    case AP_K_ENUM: {
        char word[64];
        int idx = -1;
        if (tn < sizeof word) {
            memcpy(word, t, tn);
            word[tn] = '\0';
            idx = ap_enum_lookup(cd->en, word);
        }
        if (idx < 0) {
            if (!quiet) {
                ap_enum_allowed(cd->en, &list);
                ap_diag_input(im->d, file, line, col, "%s '%s' is not one of %s", cd->name,
                              shown(&m1, t, tn), list.buf);
            }
            v->ok = false;
        } else {
            v->s = ap_enums[cd->en].values[idx];
            v->n = strlen(v->s);
        }
        break;
    }
    case AP_K_DATE: {
        ap_day day;
        if (!ap_date_parse(t, tn, &day, &why)) {
            v->ok = false;
        } else {
            v->secs = (int64_t)day * 86400;
            ap_day_format(day, v->iso);
        }
        break;
    }
    case AP_K_DATETIME:
        if (!ap_datetime_parse(t, tn, &v->secs, &v->has_time, &why))
            v->ok = false;
        else
            ap_datetime_format(v->secs, v->has_time, v->iso);
        break;
    }
    if (why && !v->ok && !quiet)
        ap_diag_input(im->d, file, line, col, "%s '%s': %s", cd->name, shown(&m1, t, tn), why);
    if ((cd->kind == AP_K_DATE || cd->kind == AP_K_DATETIME) && v->ok) {
        v->s = v->iso;
        v->n = strlen(v->iso);
    }
done:
    if (!v->ok)
        v->set = false;
    ap_buf_release(&m1);
    ap_buf_release(&list);
}

/* Run a statement that returns no rows; report failures. */
static enum ap_status exec(struct imp *im, const char *sql, const char *what)
{
    if (sqlite3_exec(im->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return ap_db_error(im->db, im->d, what);
    return AP_OK;
}

/* The rules between fields of one row; returns false if one was broken. */
static bool check_row(struct imp *im, enum ap_table_id t, const char *file, long line,
                      struct val *v)
{
    bool ok = true;
    struct ap_buf m1 = AP_BUF_INIT, m2 = AP_BUF_INIT, list = AP_BUF_INIT;
    const struct ap_coldef *cols = tables[t].cols;
    for (size_t i = 0; i < AP_ARRAY_LEN(order_rules); i++) {
        if (order_rules[i].t != t)
            continue;
        const struct val *a = &v[order_rules[i].first], *b = &v[order_rules[i].then];
        const char *an = cols[order_rules[i].first].name, *bn = cols[order_rules[i].then].name;
        long col = im->fcol[t][order_rules[i].then] + 1;
        if (!b->set)
            continue;
        if (a->set && is_before(b, a)) {
            ap_diag_input(im->d, file, line, col, "%s '%s' is before %s '%s'; %s", bn,
                          shown(&m1, b->given, b->given_n), an,
                          shown(&m2, a->given, a->given_n), order_rules[i].hint);
            ok = false;
        } else if (!a->set && a->ok && order_rules[i].needs_first) {
            ap_diag_input(im->d, file, line, col, "%s is given but %s is empty; %s", bn, an,
                          order_rules[i].hint);
            ok = false;
        }
    }
    for (size_t i = 0; i < AP_ARRAY_LEN(pair_rules); i++) {
        if (pair_rules[i].t != t)
            continue;
        const struct val *dt = &v[pair_rules[i].date], *rs = &v[pair_rules[i].reason];
        const struct ap_coldef *dc = &cols[pair_rules[i].date], *rc = &cols[pair_rules[i].reason];
        if (!dt->ok || !rs->ok)
            continue;
        if (rs->set && !dt->set) {
            ap_diag_input(im->d, file, line, im->fcol[t][pair_rules[i].reason] + 1,
                          "%s '%s' is given but %s is empty; give both or neither", rc->name,
                          rs->s, dc->name);
            ok = false;
        } else if (dt->set && !rs->set) {
            ap_buf_reset(&list);
            ap_enum_allowed(rc->en, &list);
            ap_diag_input(im->d, file, line, im->fcol[t][pair_rules[i].date] + 1,
                          "%s '%s' is given but %s is empty; give one of %s", dc->name,
                          shown(&m1, dt->given, dt->given_n), rc->name, list.buf);
            ok = false;
        }
    }
    ap_buf_release(&m1);
    ap_buf_release(&m2);
    ap_buf_release(&list);
    return ok;
}

/* "case_id" or "action_ref, updated_on", each prefixed with x. */
static void key_list(struct ap_buf *b, enum ap_table_id t, const char *x)
{
    for (size_t k = 0; k < tables[t].nkey; k++)
        ap_buf_addf(b, "%s%s%s%s", k ? ", " : "", x, x[0] ? "." : "", tables[t].cols[k].name);
}

/* Describe a key: "case_id 'K12'" or "action_ref 'A1' with updated_on
 * '2016-01-31'", from the texts s[k] (lengths n[k]) of its columns. */
static void key_describe(struct ap_buf *b, enum ap_table_id t, const char *const *s,
                         const size_t *n)
{
    for (size_t k = 0; k < tables[t].nkey; k++) {
        ap_buf_addf(b, "%s%s '", k ? " with " : "", tables[t].cols[k].name);
        add_shown(b, s[k], n[k]);
        ap_buf_addch(b, '\'');
    }
}

/* The bytes a key is kept as in a key set: a one-column key as it is; a
 * composite key length-prefixed, so no byte of the data can forge a boundary. */
static void key_bytes(struct ap_buf *b, enum ap_table_id t, const char *const *s,
                      const size_t *n)
{
    ap_buf_reset(b);
    if (tables[t].nkey == 1) {
        ap_buf_add(b, s[0], n[0]);
        return;
    }
    for (size_t k = 0; k < tables[t].nkey; k++) {
        uint32_t len = (uint32_t)n[k];
        ap_buf_add(b, &len, sizeof len);
        ap_buf_add(b, s[k], n[k]);
    }
}

/* A line and whether its row went into the database, as a key set value. */
#define LINE_MAX_KEPT 0x7fffffffL
static uint32_t line_val(long line, bool written)
{
    return (uint32_t)line << 1 | (uint32_t)written;
}

/* Step a statement that returns no rows; report failures. */
static enum ap_status step_done(struct imp *im, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return ap_db_error(im->db, im->d, what);
    return AP_OK;
}

/* The single integer a query returns, in *out; reports failures. */
static enum ap_status query_long(struct imp *im, const char *sql, long *out)
{
    sqlite3_stmt *st = NULL;
    enum ap_status res = AP_OK;
    if (!ap_db_prepare(im->db, sql, &st, im->d))
        return AP_ERR_IO;
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = (long)sqlite3_column_int64(st, 0);
    else
        res = ap_db_error(im->db, im->d, "cannot count the imported rows");
    sqlite3_finalize(st);
    return res;
}

/* Is the parent id s[0..n) a row of the parent table in the database? Asked
 * once per distinct run of ids: a child's cases come together. */
static enum ap_status parent_in_db(struct imp *im, enum ap_table_id p, const char *s, size_t n,
                                   bool *found)
{
    if (im->last_ok && im->last_parent.len == n && !memcmp(im->last_parent.buf, s, n)) {
        *found = im->last_found;
        return AP_OK;
    }
    if (!im->lookup) {
        char *sql = ap_xasprintf("SELECT 1 FROM main.%s WHERE %s = ?", ap_table_names[p],
                                 tables[p].cols[0].name);
        bool ok = ap_db_prepare(im->db, sql, &im->lookup, im->d);
        free(sql);
        if (!ok)
            return AP_ERR_IO;
    }
    sqlite3_bind_text(im->lookup, 1, s, (int)n, SQLITE_STATIC);
    int rc = sqlite3_step(im->lookup);
    sqlite3_reset(im->lookup);
    sqlite3_clear_bindings(im->lookup);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ap_db_error(im->db, im->d, "cannot check the imported rows");
    *found = rc == SQLITE_ROW;
    ap_buf_reset(&im->last_parent);
    ap_buf_add(&im->last_parent, s, n);
    im->last_found = *found;
    im->last_ok = true;
    return AP_OK;
}

/* The reference rule for one row whose parent id is ref: the parent must be
 * in the parent's file or (unless --replace replaces the parent table) in the
 * database. */
static enum ap_status check_reference(struct imp *im, enum ap_table_id t, long line,
                                      const struct val *ref)
{
    const struct ap_tabledef *td = &tables[t];
    enum ap_table_id p = td->parent;
    if (im->keys[p]) {
        bool found = false;
        enum ap_status st = ap_idset_get(im->keys[p], ref->s, ref->n, &found, NULL, im->d);
        if (st != AP_OK || found)
            return st;
    }
    if (!(im->path[p] && im->replace)) {
        bool found = false;
        enum ap_status st = parent_in_db(im, p, ref->s, ref->n, &found);
        if (st != AP_OK || found)
            return st;
    }
    struct ap_buf m1 = AP_BUF_INIT, why = AP_BUF_INIT;
    if (!im->path[p])
        ap_buf_addf(&why, "is not in the database; import the %s table too, or correct the id",
                    ap_table_names[p]);
    else if (im->replace)
        ap_buf_addf(&why, "is not in '%s' (with --replace, that is the whole list of %s)",
                    im->path[p], ap_table_names[p]);
    else
        ap_buf_addf(&why, "is neither in '%s' nor in the database", im->path[p]);
    ap_diag_input(im->d, im->path[t], line, im->fcol[t][td->ref] + 1, "%s '%s' %s",
                  td->cols[td->ref].name, shown(&m1, ref->s, ref->n), why.buf);
    ap_buf_release(&m1);
    ap_buf_release(&why);
    return AP_OK;
}

/* Drop (or make again) table t's secondary indexes: a bulk load sorts once
 * per index after the rows are in instead of inserting into each per row. */
static enum ap_status table_indexes(struct imp *im, enum ap_table_id t, bool create)
{
    enum ap_status st = AP_OK;
    for (size_t i = 0; i < ap_db_nindexes && st == AP_OK; i++) {
        if (ap_db_indexes[i].table != t)
            continue;
        if (create) {
            st = exec(im, ap_db_indexes[i].sql, "cannot index the imported rows");
        } else {
            char *sql = ap_xasprintf("DROP INDEX IF EXISTS main.%s", ap_db_indexes[i].name);
            st = exec(im, sql, "cannot prepare the table for the import");
            free(sql);
        }
    }
    return st;
}

/* Get table t ready for its rows and prepare the one INSERT every row goes
 * through. Bulk mode (the table is empty, or --replace empties it): indexes
 * dropped, a plain INSERT. Otherwise an upsert by key, indexes kept. */
/* The rows waiting to go into the table. In bulk mode rows go in BATCH at a
 * time through one multi-row INSERT: a third of the cost of a statement per
 * row, and the table's cursor stays on its last page from row to row. */
#define BATCH 64
struct batch {
    sqlite3_stmt *one;   /* INSERT (or upsert) of one row */
    sqlite3_stmt *many;  /* bulk mode: INSERT of BATCH rows, else NULL */
    size_t ncols;
    struct ap_buf text;  /* values of the pending rows, each NUL-terminated */
    size_t off[BATCH][AP_MAX_COLS];
    int len[BATCH][AP_MAX_COLS]; /* -1: NULL */
    size_t n;            /* rows pending */
    /* Bulk mode: while keys arrive in increasing order rows go straight into
     * the table, appended at its end. From the first key out of order on they
     * go to a sorter and in after the file, in key order, so that SQLite never
     * inserts all over a tree larger than its cache. */
    struct ap_buf prev; /* key columns of the last row queued, each NUL-terminated */
    size_t prev_n[2];
    bool have_prev;
    struct ap_rowsort *sorter; /* from the first key out of order: the rest of the rows */
    bool bulk;    /* every row must go in; else an upsert, which may skip a row */
    long written; /* upsert: rows inserted or changed (sqlite3_changes) */
};

/* The columns of table t, comma-separated. */
static void col_list(struct ap_buf *b, enum ap_table_id t)
{
    for (size_t c = 0; c < tables[t].ncols; c++)
        ap_buf_addf(b, "%s%s", c ? ", " : "", tables[t].cols[c].name);
}

/* "INSERT INTO into (cols) VALUES (?, ...), ..." for rows rows, as an upsert
 * by key unless bulk; into is "main.<table>". */
static void insert_sql(struct ap_buf *sql, enum ap_table_id t, const char *into, size_t rows,
                       bool bulk)
{
    const struct ap_tabledef *td = &tables[t];
    ap_buf_addf(sql, "INSERT %sINTO %s (", bulk ? "OR IGNORE " : "", into);
    col_list(sql, t);
    ap_buf_adds(sql, ") VALUES ");
    for (size_t r = 0; r < rows; r++) {
        ap_buf_adds(sql, r ? ", (" : "(");
        for (size_t c = 0; c < td->ncols; c++)
            ap_buf_adds(sql, c ? ", ?" : "?");
        ap_buf_adds(sql, ")");
    }
    if (!bulk) {
        ap_buf_adds(sql, " ON CONFLICT (");
        key_list(sql, t, "");
        ap_buf_adds(sql, ") DO UPDATE SET ");
        for (size_t c = td->nkey; c < td->ncols; c++)
            ap_buf_addf(sql, "%s%s = excluded.%s", c > td->nkey ? ", " : "", td->cols[c].name,
                        td->cols[c].name);
        /* A row already there as it is is not written: a re-import of the
         * same export changes no page, and sqlite3_changes() counts only the
         * rows inserted or changed. */
        ap_buf_adds(sql, " WHERE ");
        for (size_t c = td->nkey; c < td->ncols; c++)
            ap_buf_addf(sql, "%s%s.%s IS NOT excluded.%s", c > td->nkey ? " OR " : "",
                        ap_table_names[t], td->cols[c].name, td->cols[c].name);
    }
}

/* Prepare the batch's INSERTs into table t. */
static enum ap_status prepare_inserts(struct imp *im, enum ap_table_id t, struct batch *b)
{
    struct ap_buf sql = AP_BUF_INIT;
    enum ap_status st = AP_OK;
    char *into = ap_xasprintf("main.%s", ap_table_names[t]);
    insert_sql(&sql, t, into, 1, im->bulk[t]);
    if (!ap_db_prepare(im->db, sql.buf, &b->one, im->d)) {
        st = AP_ERR_IO;
        goto done;
    }
    ap_buf_reset(&sql);
    insert_sql(&sql, t, into, BATCH, im->bulk[t]);
    if (!ap_db_prepare(im->db, sql.buf, &b->many, im->d))
        st = AP_ERR_IO;
done:
    free(into);
    ap_buf_release(&sql);
    return st;
}

static enum ap_status prepare_table(struct imp *im, enum ap_table_id t, struct batch *b)
{
    const struct ap_tabledef *td = &tables[t];
    const char *name = ap_table_names[t];
    struct ap_buf sql = AP_BUF_INIT;
    enum ap_status st = AP_OK;
    long any = 0;
    ap_buf_addf(&sql, "SELECT EXISTS (SELECT 1 FROM main.%s)", name);
    st = query_long(im, sql.buf, &any);
    if (st != AP_OK)
        goto done;
    /* --replace too upserts into a table with rows, and removes the rows the
     * file lacks after it: the change summary compares every row. */
    im->bulk[t] = !any;
    if (any) {
        ap_buf_reset(&sql);
        ap_buf_addf(&sql, "SELECT count(*) FROM main.%s", name);
        st = query_long(im, sql.buf, &im->before[t]);
    }
    if (st == AP_OK && im->bulk[t])
        st = table_indexes(im, t, false);
    if (st != AP_OK)
        goto done;
    b->ncols = td->ncols;
    b->bulk = im->bulk[t];
    st = prepare_inserts(im, t, b);
done:
    ap_buf_release(&sql);
    return st;
}

/* The key of the row in v: add it to the file's key set, or report the line
 * that had it first. Sets *dup. */
static enum ap_status add_key(struct imp *im, enum ap_table_id t, long line, const struct val *v,
                              bool written, bool *dup)
{
    const char *s[2];
    size_t n[2];
    *dup = false;
    for (size_t k = 0; k < tables[t].nkey; k++) {
        if (!v[k].set)
            return AP_OK; /* an empty or bad key is reported already */
        s[k] = v[k].s;
        n[k] = v[k].n;
    }
    key_bytes(&im->key, t, s, n);
    uint32_t first = 0;
    int r = -1;
    if (line <= LINE_MAX_KEPT) {
        enum ap_status st = ap_idset_add(im->keys[t], im->key.buf, im->key.len,
                                         line_val(line, written), &r, &first, im->d);
        if (st != AP_OK)
            return st;
    }
    if (r < 0) {
        ap_diag_input(im->d, im->path[t], line, 0,
                      "the file is too large to import in one go (more than 2,147,483,647 lines "
                      "or 4 GiB of ids); split it");
        return AP_ERR_INPUT;
    }
    if (r == 0) {
        struct ap_buf desc = AP_BUF_INIT;
        key_describe(&desc, t, s, n);
        ap_diag_input(im->d, im->path[t], line, im->fcol[t][0] + 1,
                      "%s appears again (first at line %lld)", desc.buf,
                      (long long)(first >> 1));
        ap_buf_release(&desc);
        *dup = true;
    }
    return AP_OK;
}

/* Bind pending row r at parameters from first on. */
static void bind_pending(struct batch *b, sqlite3_stmt *st, size_t r, int first)
{
    for (size_t c = 0; c < b->ncols; c++) {
        if (b->len[r][c] < 0)
            sqlite3_bind_null(st, first + (int)c);
        else
            sqlite3_bind_text(st, first + (int)c, b->text.buf + b->off[r][c], b->len[r][c],
                              SQLITE_STATIC);
    }
}

/* Run an INSERT of rows rows. Bulk mode's INSERT OR IGNORE spares SQLite a
 * statement journal per multi-row statement (the rows were checked: none can
 * conflict); that a row was nevertheless left out would be a bug, not to be
 * passed over in silence. */
static enum ap_status write_rows(struct imp *im, struct batch *b, sqlite3_stmt *st, int rows)
{
    enum ap_status res = step_done(im, st, "cannot write the imported rows");
    if (res == AP_OK && !b->bulk) {
        b->written += sqlite3_changes(im->db);
        return AP_OK;
    }
    if (res == AP_OK && sqlite3_changes(im->db) != rows) {
        ap_diag_error(im->d, AP_ERR_IO,
                      "cannot write the imported rows: %d of %d went in (internal error)",
                      sqlite3_changes(im->db), rows);
        res = AP_ERR_IO;
    }
    return res;
}

/* Write the pending rows: BATCH at once when all is true, else one by one. */
static enum ap_status flush_rows(struct imp *im, struct batch *b, bool all)
{
    enum ap_status st = AP_OK;
    if (all && b->many) {
        for (size_t r = 0; r < b->n; r++)
            bind_pending(b, b->many, r, (int)(r * b->ncols) + 1);
        st = write_rows(im, b, b->many, (int)b->n);
    } else {
        for (size_t r = 0; r < b->n && st == AP_OK; r++) {
            bind_pending(b, b->one, r, 1);
            st = write_rows(im, b, b->one, 1);
        }
    }
    b->n = 0;
    ap_buf_reset(&b->text);
    return st;
}

/* Queue a good row (its values copied), writing a full batch. */
static enum ap_status add_row(struct imp *im, struct batch *b, const struct val *v)
{
    for (size_t c = 0; c < b->ncols; c++) {
        if (!v[c].set) {
            b->len[b->n][c] = -1;
            continue;
        }
        b->off[b->n][c] = b->text.len;
        b->len[b->n][c] = (int)v[c].n;
        ap_buf_add(&b->text, v[c].s, v[c].n);
        ap_buf_addch(&b->text, '\0');
    }
    b->n++;
    if (!b->many || b->n == BATCH)
        return flush_rows(im, b, b->n == BATCH);
    return AP_OK;
}

/* Bulk mode: true if row v's key comes after the last row queued, in the
 * table's own order (column by column, bytes then length: SQLite's BINARY),
 * which it then becomes. */
static bool key_in_order(struct batch *b, enum ap_table_id t, const struct val *v)
{
    int c = 1;
    if (b->have_prev) {
        const char *p = b->prev.buf;
        c = 0;
        for (size_t k = 0; k < tables[t].nkey && c == 0; k++) {
            size_t pn = b->prev_n[k], n = v[k].n;
            c = memcmp(v[k].s, p, pn < n ? pn : n);
            if (c == 0)
                c = n < pn ? -1 : n > pn ? 1 : 0;
            p += pn + 1;
        }
    }
    if (c <= 0)
        return false;
    ap_buf_reset(&b->prev);
    for (size_t k = 0; k < tables[t].nkey; k++) {
        ap_buf_add(&b->prev, v[k].s, v[k].n);
        ap_buf_addch(&b->prev, '\0');
        b->prev_n[k] = v[k].n;
    }
    b->have_prev = true;
    return true;
}

/* The first key out of order: write the rows pending (still in order), then
 * send the rest of the file to a sorter. */
static enum ap_status start_staging(struct imp *im, enum ap_table_id t, struct batch *b)
{
    enum ap_status st = flush_rows(im, b, false);
    /* Rows that go in in key order are appended: the page cache need only hold
     * the tree's right edge, and gives the sorter its memory (as it gives the
     * index builds after: SQLite's sorter takes as much as the cache may). */
    if (st == AP_OK)
        st = exec(im, "PRAGMA main.cache_size = -32768", "cannot write the imported rows");
    if (st == AP_OK)
        b->sorter = ap_rowsort_new(tables[t].ncols, tables[t].nkey, im->sort_budget);
    return st;
}

/* A good row, into the sorter. */
static enum ap_status stage_row(struct imp *im, struct batch *b, const struct val *v)
{
    const char *s[AP_MAX_COLS];
    int len[AP_MAX_COLS];
    for (size_t c = 0; c < b->ncols; c++) {
        s[c] = v[c].s;
        len[c] = v[c].set ? (int)v[c].n : -1;
    }
    return ap_rowsort_add(b->sorter, s, len, im->d);
}

/* After the file: the sorted rows into the table, in key order, through the
 * same batched INSERT as the rows that came in order. */
static enum ap_status finish_staging(struct imp *im, struct batch *b)
{
    struct val v[AP_MAX_COLS];
    const char *s[AP_MAX_COLS];
    int len[AP_MAX_COLS], rc;
    enum ap_status st = ap_rowsort_finish(b->sorter, im->d);
    memset(v, 0, sizeof v);
    while (st == AP_OK && (rc = ap_rowsort_next(b->sorter, s, len, im->d)) == 1) {
        for (size_t c = 0; c < b->ncols; c++) {
            v[c].set = len[c] >= 0;
            v[c].s = s[c];
            v[c].n = len[c] >= 0 ? (size_t)len[c] : 0;
        }
        st = add_row(im, b, v);
    }
    if (st == AP_OK && rc < 0)
        st = AP_ERR_IO;
    if (st == AP_OK)
        st = flush_rows(im, b, false);
    ap_rowsort_free(b->sorter);
    b->sorter = NULL;
    return st;
}

/* Whether a file's id set is used after the file: by the references of a
 * child table, or (cases) by the overlapping-cases check. */
static bool ids_needed_later(enum ap_table_id t)
{
    if (t == AP_T_CASES)
        return true;
    for (int u = 0; u < AP_T_COUNT; u++)
        if (tables[u].ref >= 0 && tables[u].parent == t)
            return true;
    return false;
}

/* SQL function ap_in_file(key...): 1 if the key columns given are a key of
 * the file being read (im->fn_table's id set), else 0. */
static void in_file_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct imp *im = sqlite3_user_data(ctx);
    const char *s[2];
    size_t n[2];
    for (int k = 0; k < argc && k < 2; k++) {
        s[k] = (const char *)sqlite3_value_text(argv[k]);
        n[k] = (size_t)sqlite3_value_bytes(argv[k]);
        if (!s[k])
            s[k] = "";
    }
    key_bytes(&im->key, im->fn_table, s, n);
    bool found = false;
    if (ap_idset_get(im->keys[im->fn_table], im->key.buf, im->key.len, &found, NULL, im->d) !=
        AP_OK)
        sqlite3_result_error(ctx, "cannot read the imported ids", -1);
    else
        sqlite3_result_int(ctx, found);
}

/* The first AP_IMPORT_MAX_IDS ids of table t (in key order) that its file
 * lacks, into the summary; with --replace, then remove every such row. */
static enum ap_status missing_rows(struct imp *im, enum ap_table_id t)
{
    const struct ap_tabledef *td = &tables[t];
    struct ap_buf sql = AP_BUF_INIT, keys = AP_BUF_INIT, shownk = AP_BUF_INIT;
    sqlite3_stmt *st = NULL;
    enum ap_status res = AP_OK;
    int rc, nk = (int)td->nkey;
    im->fn_table = t;
    if (sqlite3_create_function(im->db, "ap_in_file", nk, SQLITE_UTF8, im, in_file_fn, NULL,
                                NULL) != SQLITE_OK)
        return ap_db_error(im->db, im->d, "cannot compare the imported rows");
    key_list(&keys, t, "");
    ap_buf_addf(&sql, "SELECT %s FROM main.%s WHERE NOT ap_in_file(%s) ORDER BY %s LIMIT %d",
                keys.buf, ap_table_names[t], keys.buf, keys.buf, AP_IMPORT_MAX_IDS);
    if (!ap_db_prepare(im->db, sql.buf, &st, im->d)) {
        res = AP_ERR_IO;
        goto done;
    }
    int i = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && i < AP_IMPORT_MAX_IDS) {
        ap_buf_reset(&shownk);
        for (int k = 0; k < nk; k++) {
            ap_buf_adds(&shownk, k ? " (" : "");
            add_shown(&shownk, (const char *)sqlite3_column_text(st, k),
                      (size_t)sqlite3_column_bytes(st, k));
            ap_buf_adds(&shownk, k ? ")" : "");
        }
        char *out = im->sum->missing_ids[t][i++];
        size_t len = shownk.len < AP_IMPORT_ID_SHOWN - 1 ? shownk.len : AP_IMPORT_ID_SHOWN - 1;
        memcpy(out, shownk.buf, len);
        out[len] = '\0';
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        res = ap_db_error(im->db, im->d, "cannot compare the imported rows");
        goto done;
    }
    if (im->replace) {
        ap_buf_reset(&sql);
        ap_buf_addf(&sql, "DELETE FROM main.%s WHERE NOT ap_in_file(%s)", ap_table_names[t],
                    keys.buf);
        res = exec(im, sql.buf, "cannot remove the rows the file no longer has");
        if (res == AP_OK && sqlite3_changes64(im->db) != im->sum->missing[t]) {
            ap_diag_error(im->d, AP_ERR_IO,
                          "cannot remove the rows the file no longer has: %lld of %ld "
                          "(internal error)",
                          (long long)sqlite3_changes64(im->db), im->sum->missing[t]);
            res = AP_ERR_IO;
        }
    }
done:
    sqlite3_finalize(st);
    if (sqlite3_create_function(im->db, "ap_in_file", nk, SQLITE_UTF8, NULL, NULL, NULL,
                                NULL) != SQLITE_OK &&
        res == AP_OK)
        res = ap_db_error(im->db, im->d, "cannot compare the imported rows");
    ap_buf_release(&sql);
    ap_buf_release(&keys);
    ap_buf_release(&shownk);
    return res;
}

/* The change summary of table t once its file is in: new, changed and
 * unchanged rows, and the ids the table has that the file lacks (the file is
 * the table in full). A bulk load's rows are all new. An upsert's changes
 * (sqlite3_changes) are its new and changed rows; the new ones are what the
 * table grew by; whatever else the table holds, the file no longer has. */
static enum ap_status count_changes(struct imp *im, enum ap_table_id t, const struct batch *b)
{
    struct ap_import_summary *sum = im->sum;
    if (im->bulk[t]) {
        sum->added[t] = sum->rows[t];
        return AP_OK;
    }
    char *sql = ap_xasprintf("SELECT count(*) FROM main.%s", ap_table_names[t]);
    long after = 0;
    enum ap_status st = query_long(im, sql, &after);
    free(sql);
    if (st != AP_OK)
        return st;
    sum->added[t] = after - im->before[t];
    sum->changed[t] = b->written - sum->added[t];
    sum->unchanged[t] = sum->rows[t] - b->written;
    sum->missing[t] = after - sum->rows[t];
    if (sum->missing[t] > 0)
        st = missing_rows(im, t);
    return st;
}

/* Keep the id sets within their memory budget: while they hold more, move the
 * largest set of a file already read to disk, or when there is none, the set
 * of the file being read (every row of the file adds to it: the slowest). */
static enum ap_status ids_in_budget(struct imp *im)
{
    for (;;) {
        size_t total = 0, most = 0;
        int pick = -1, current = -1;
        for (int u = 0; u < AP_T_COUNT; u++) {
            if (!im->keys[u])
                continue;
            size_t bytes = ap_idset_bytes(im->keys[u]);
            total += bytes;
            if (!im->done[u] && bytes > 0)
                current = u;
            else if (im->done[u] && bytes > most) {
                most = bytes;
                pick = u;
            }
        }
        if (pick < 0)
            pick = current;
        if (total <= im->id_budget || pick < 0)
            return AP_OK;
        enum ap_status st = ap_idset_to_disk(im->keys[pick], im->db, im->sort_budget / 2, im->d);
        if (st != AP_OK)
            return st;
    }
}

/* Stream one file into its table, checking each row as it arrives: fields,
 * the rules between fields, a key already seen in the file, a parent that is
 * nowhere. Rows without an error go in; the import is rolled back if any
 * error was reported, so a row with one only has to be kept out. */
static enum ap_status load_file(struct imp *im, enum ap_table_id t)
{
    const struct ap_tabledef *td = &tables[t];
    const char *file = im->path[t];
    struct ap_source *src = NULL;
    struct batch *b = ap_xcalloc(1, sizeof *b);
    struct ap_row row;
    struct val v[AP_MAX_COLS];
    bool check_refs = td->ref >= 0 && !im->failed[td->parent];
    int rc;
    enum ap_status st = ap_source_open(im->in, t, &src, im->d);
    if (st != AP_OK)
        goto fail;
    memcpy(im->fcol[t], ap_source_columns(src), sizeof im->fcol[t]);
    ap_buf_init(&b->text);
    ap_buf_init(&b->prev);
    st = prepare_table(im, t, b);
    if (st != AP_OK)
        goto fail;
    im->keys[t] = ap_idset_new();
    im->last_ok = false;
    if (t == AP_T_CASES && !im->bulk[t])
        im->case_children = ap_keyset_new();

    ap_progress_file(&im->progress);
    while ((rc = ap_source_next(src, &row, im->d)) == 1) {
        im->sum->rows[t]++;
        ap_progress_rows(&im->progress, file, im->sum->rows[t]);
        if ((st = ids_in_budget(im)) != AP_OK)
            goto fail;
        bool bad = row.bad, quiet = row.bad, dup = false;
        /* The id sets are probed at random when ids come in no order: start
         * the memory fetches now, while the fields are checked. */
        if (td->nkey == 1 && row.f[0].s)
            ap_keyset_prefetch(ap_idset_mem(im->keys[t]), row.f[0].s, row.f[0].len);
        if (check_refs && im->keys[td->parent] && row.f[td->ref].s)
            ap_keyset_prefetch(ap_idset_mem(im->keys[td->parent]), row.f[td->ref].s,
                               row.f[td->ref].len);
        for (size_t c = 0; c < td->ncols; c++) {
            /* In a row already reported, keep only ids, for the cross-row checks. */
            bool keep = !quiet || c < td->nkey || (int)c == td->ref;
            const struct ap_field *f = row.f[c].s && keep ? &row.f[c] : NULL;
            check_field(im, file, &td->cols[c], f, row.line, im->fcol[t][c] + 1, &v[c], quiet);
            if (!v[c].ok)
                bad = true;
        }
        if (!quiet && !check_row(im, t, file, row.line, v))
            bad = true;
        st = add_key(im, t, row.line, v, !bad, &dup);
        if (st == AP_OK && check_refs && v[td->ref].set)
            st = check_reference(im, t, row.line, &v[td->ref]);
        if (st != AP_OK)
            goto fail;
        if (bad || dup)
            continue;
        if (im->case_children) {
            if (ap_keyset_add(im->case_children, v[1].s, v[1].n, 0, NULL) == 1)
                ap_buf_add(&im->case_child_list, v[1].s, v[1].n + 1);
            /* So many children that the check goes over every case anyway. */
            if (ap_keyset_count(im->case_children) * 16 >= (size_t)im->before[AP_T_CASES]) {
                ap_keyset_free(im->case_children);
                im->case_children = NULL;
                ap_buf_release(&im->case_child_list);
            }
        }
        if (im->bulk[t] && !b->sorter && !key_in_order(b, t, v) &&
            (st = start_staging(im, t, b)) != AP_OK)
            goto fail;
        st = b->sorter ? stage_row(im, b, v) : add_row(im, b, v);
        if (st != AP_OK)
            goto fail;
    }
    if (rc < 0)
        goto fail;
    st = flush_rows(im, b, false);
    if (st == AP_OK && b->sorter)
        st = finish_staging(im, b);
    if (st != AP_OK)
        goto fail;
    /* The change summary, and --replace's removals, before the file's id
     * set goes; only after a clean file (an import with errors writes
     * nothing, and shows no counts). */
    if (im->d->errors == im->errors0 && (st = count_changes(im, t, b)) != AP_OK)
        goto fail;
    /* Ids of rows nothing refers to are not needed once the file is read:
     * free them before the index sort takes its memory. */
    if (!ids_needed_later(t)) {
        ap_idset_free(im->keys[t]);
        im->keys[t] = NULL;
    }
    im->done[t] = true;
    if ((st = ids_in_budget(im)) != AP_OK)
        goto fail;
    if (im->bulk[t])
        st = table_indexes(im, t, true);
    if (st != AP_OK)
        goto fail;
    st = AP_OK;
    goto done;
fail:
    im->failed[t] = true;
done:
    sqlite3_finalize(b->one);
    sqlite3_finalize(b->many);
    ap_rowsort_free(b->sorter);
    ap_buf_release(&b->text);
    ap_buf_release(&b->prev);
    free(b);
    sqlite3_finalize(im->lookup);
    im->lookup = NULL;
    ap_source_free(src);
    return st;
}

/* One pair of overlapping cases, to be reported at the later imported line;
 * the texts are offsets into the overlap arena. */
struct overlap {
    long line, other_line; /* other_line 0: the other case is only in the database */
    size_t a, child, a_open, a_close, b, b_open, b_close; /* a_close/b_close 0: still open */
};

struct overlaps {
    struct ap_buf text; /* starts with one NUL, so offset 0 means none */
    struct overlap *v;
    size_t n, alloc;
    enum ap_status st; /* a case's line could not be looked up */
};

/* A case of the child being scanned: offsets into the group arena. */
struct gcase {
    size_t id, open, close; /* close: "9999-12-31" for a case still open */
    bool open_ended;
};

static size_t keep_text(struct ap_buf *b, const char *s)
{
    size_t at = b->len;
    ap_buf_add(b, s, strlen(s) + 1);
    return at;
}

/* The line a case's imported row had (0 if the case is not from the file or its
 * row did not go in). */
static long case_line(struct imp *im, const char *id, enum ap_status *st)
{
    uint32_t val = 0;
    bool found = false;
    enum ap_status s = ap_idset_get(im->keys[AP_T_CASES], id, strlen(id), &found, &val, im->d);
    if (s != AP_OK) {
        *st = s;
        return 0;
    }
    if (!found || !(val & 1))
        return 0;
    return (long)(val >> 1);
}

/* Pairs of one child's cases (in opening order) that overlap and involve an
 * imported row; the scan stops at the first case that opens after case i
 * closes (as overlap_pairs in ap_check.c). */
static void child_overlaps(struct imp *im, const struct ap_buf *g, const struct gcase *c,
                           size_t n, const char *child, struct overlaps *out)
{
    for (size_t i = 0; i < n; i++) {
        const char *oi = g->buf + c[i].open, *ci = g->buf + c[i].close;
        for (size_t j = i + 1; j < n; j++) {
            const char *oj = g->buf + c[j].open, *cj = g->buf + c[j].close;
            if (strcmp(oj, ci) >= 0)
                break;
            if (strcmp(oi, cj) >= 0)
                continue;
            long li = case_line(im, g->buf + c[i].id, &out->st);
            long lj = case_line(im, g->buf + c[j].id, &out->st);
            if (!li && !lj)
                continue; /* both already in the database: not this import's doing */
            const struct gcase *a = &c[i], *b = &c[j];
            long la = li, lb = lj;
            if (lj > li) {
                a = &c[j], b = &c[i];
                la = lj, lb = li;
            }
            ap_grow((void **)&out->v, sizeof *out->v, out->n + 1, &out->alloc);
            struct overlap *o = &out->v[out->n++];
            o->line = la;
            o->other_line = lb;
            o->a = keep_text(&out->text, g->buf + a->id);
            o->child = keep_text(&out->text, child);
            o->a_open = keep_text(&out->text, g->buf + a->open);
            o->a_close = a->open_ended ? 0 : keep_text(&out->text, g->buf + a->close);
            o->b = keep_text(&out->text, g->buf + b->id);
            o->b_open = keep_text(&out->text, g->buf + b->open);
            o->b_close = b->open_ended ? 0 : keep_text(&out->text, g->buf + b->close);
        }
    }
}

static const char *overlap_text; /* the arena cmp_overlap reads */

/* Later line first decides, then the other case's opening, then its id. */
static int cmp_overlap(const void *x, const void *y)
{
    const struct overlap *a = x, *b = y;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    int c = strcmp(overlap_text + a->b_open, overlap_text + b->b_open);
    return c ? c : strcmp(overlap_text + a->b, overlap_text + b->b);
}

/* The cases of the child being gathered, in opening order. */
struct group {
    struct ap_buf child, text; /* the child's id; the cases' texts */
    struct gcase *c;
    size_t n, alloc;
    bool have;
};

/* Feed the (case_id, child_id, opened_on, closed_on) rows of st, in child and
 * opening order, into per-child groups; each finished group's pairs go to out. */
static enum ap_status scan_cases(struct imp *im, sqlite3_stmt *st, struct group *gr,
                                 struct overlaps *out)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        const char *child = (const char *)sqlite3_column_text(st, 1);
        const char *opened = (const char *)sqlite3_column_text(st, 2);
        const char *closed = (const char *)sqlite3_column_text(st, 3);
        if (!gr->have || strcmp(child, gr->child.buf) != 0) {
            if (gr->have)
                child_overlaps(im, &gr->text, gr->c, gr->n, gr->child.buf, out);
            gr->have = true;
            ap_buf_reset(&gr->child);
            ap_buf_adds(&gr->child, child);
            ap_buf_reset(&gr->text);
            gr->n = 0;
        }
        ap_grow((void **)&gr->c, sizeof *gr->c, gr->n + 1, &gr->alloc);
        struct gcase *k = &gr->c[gr->n++];
        k->id = keep_text(&gr->text, id);
        k->open = keep_text(&gr->text, opened);
        k->close = keep_text(&gr->text, closed ? closed : "9999-12-31");
        k->open_ended = !closed;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return ap_db_error(im->db, im->d, "cannot check the imported rows");
    return AP_OK;
}

/* Overlapping cases of one child in the final state, each pair that involves
 * an imported row reported once, at the later line. The cases come in (child,
 * opening) order from the covering cases_child index: one pass over them all
 * after a large load, or only the children of the imported rows when a few
 * rows were added to a large table. */
static enum ap_status check_overlaps(struct imp *im)
{
    static const char all_sql[] = "SELECT case_id, child_id, opened_on, closed_on "
                                  "FROM main.cases ORDER BY child_id, opened_on";
    static const char one_sql[] = "SELECT case_id, child_id, opened_on, closed_on "
                                  "FROM main.cases WHERE child_id = ? ORDER BY opened_on";
    bool each_child = im->case_children &&
                      ap_keyset_count(im->case_children) * 16 < (size_t)im->before[AP_T_CASES];
    sqlite3_stmt *st = NULL;
    struct group gr = {AP_BUF_INIT, AP_BUF_INIT, NULL, 0, 0, false};
    struct ap_buf m1 = AP_BUF_INIT, m2 = AP_BUF_INIT, m3 = AP_BUF_INIT, where = AP_BUF_INIT;
    struct overlaps out = {AP_BUF_INIT, NULL, 0, 0, AP_OK};
    enum ap_status res = AP_OK;
    ap_buf_addch(&out.text, '\0');
    if (!ap_db_prepare(im->db, each_child ? one_sql : all_sql, &st, im->d)) {
        res = AP_ERR_IO;
        goto done;
    }
    if (!each_child) {
        res = scan_cases(im, st, &gr, &out);
    } else {
        const struct ap_buf *list = &im->case_child_list;
        for (size_t at = 0; at < list->len && res == AP_OK;) {
            size_t len = strlen(list->buf + at);
            sqlite3_bind_text(st, 1, list->buf + at, (int)len, SQLITE_STATIC);
            res = scan_cases(im, st, &gr, &out);
            at += len + 1;
        }
    }
    if (res != AP_OK)
        goto done;
    if (gr.have)
        child_overlaps(im, &gr.text, gr.c, gr.n, gr.child.buf, &out);
    if ((res = out.st) != AP_OK)
        goto done;
    overlap_text = out.text.buf;
    if (out.n)
        qsort(out.v, out.n, sizeof *out.v, cmp_overlap);
    for (size_t i = 0; i < out.n; i++) {
        const struct overlap *o = &out.v[i];
        const char *t = out.text.buf;
        ap_buf_reset(&where);
        if (o->other_line)
            ap_buf_addf(&where, "line %ld", o->other_line);
        else
            ap_buf_adds(&where, "in the database");
        ap_diag_input(im->d, im->path[AP_T_CASES], o->line, im->fcol[AP_T_CASES][2] + 1,
                      "case '%s' (opened %s, %s%s) overlaps case '%s' (opened %s, %s%s; %s) of "
                      "the same child '%s'; a child has one case at a time (a case may open on "
                      "the day the previous one closed)",
                      shown(&m1, t + o->a, strlen(t + o->a)), t + o->a_open,
                      o->a_close ? "closed " : "still open", o->a_close ? t + o->a_close : "",
                      shown(&m2, t + o->b, strlen(t + o->b)), t + o->b_open,
                      o->b_close ? "closed " : "still open", o->b_close ? t + o->b_close : "",
                      where.buf, shown(&m3, t + o->child, strlen(t + o->child)));
    }
done:
    sqlite3_finalize(st);
    free(gr.c);
    free(out.v);
    ap_buf_release(&out.text);
    ap_buf_release(&gr.child);
    ap_buf_release(&gr.text);
    ap_buf_release(&m1);
    ap_buf_release(&m2);
    ap_buf_release(&m3);
    ap_buf_release(&where);
    return res;
}

/* After --replace emptied parent table p: rows of table t (not in this
 * import) left pointing at a parent that is gone. A parent whose id is in the
 * parent's file (even on a row with an error) is not gone. */
static enum ap_status check_dangling(struct imp *im, enum ap_table_id t)
{
    const struct ap_tabledef *td = &tables[t];
    enum ap_table_id p = td->parent;
    const char *pk = tables[p].cols[0].name, *ref = td->cols[td->ref].name;
    struct ap_buf sql = AP_BUF_INIT, key = AP_BUF_INIT, m1 = AP_BUF_INIT;
    sqlite3_stmt *st = NULL;
    enum ap_status res = AP_OK;
    const char *s[2];
    size_t n[2];
    int rc;
    ap_buf_adds(&sql, "SELECT ");
    key_list(&sql, t, "m");
    ap_buf_addf(&sql,
                ", m.%s FROM main.%s m WHERE NOT EXISTS (SELECT 1 FROM main.%s x WHERE x.%s = "
                "m.%s) ORDER BY 1, 2",
                ref, ap_table_names[t], ap_table_names[p], pk, ref);
    if (!ap_db_prepare(im->db, sql.buf, &st, im->d)) {
        res = AP_ERR_IO;
        goto done;
    }
    int nk = (int)td->nkey;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(st, nk);
        size_t rn = (size_t)sqlite3_column_bytes(st, nk);
        bool found = false;
        if (im->keys[p] && (res = ap_idset_get(im->keys[p], r, rn, &found, NULL, im->d)) != AP_OK)
            break;
        if (found)
            continue;
        for (int k = 0; k < nk; k++) {
            s[k] = (const char *)sqlite3_column_text(st, k);
            n[k] = (size_t)sqlite3_column_bytes(st, k);
        }
        ap_buf_reset(&key);
        key_describe(&key, t, s, n);
        ap_diag_input(im->d, im->path[p], 0, 0,
                      "the %s with %s, already in the database, refers to %s '%s', which is "
                      "not in this import: --replace would leave it without its %s; add the %s, "
                      "or import the %s table too",
                      td->noun, key.buf, ref, shown(&m1, r, rn), tables[p].noun, tables[p].noun,
                      ap_table_names[t]);
    }
    if (res == AP_OK && rc != SQLITE_DONE)
        res = ap_db_error(im->db, im->d, "cannot check the imported rows");
done:
    sqlite3_finalize(st);
    ap_buf_release(&sql);
    ap_buf_release(&key);
    ap_buf_release(&m1);
    return res;
}

/* Dry run: the data-quality findings of the database as the import would
 * leave it (inside the import's transaction, before the rollback), as at the
 * latest date in the data. */
static enum ap_status dry_run_findings(struct imp *im)
{
    struct ap_import_summary *sum = im->sum;
    enum ap_status st = ap_metrics_data_as_at(im->db, &sum->as_at, im->d);
    if (st != AP_OK || sum->as_at == AP_DAY_NONE)
        return st;
    st = ap_check_run(im->db, sum->as_at, &sum->findings, im->d);
    sum->have_findings = st == AP_OK;
    if (st != AP_OK)
        ap_findings_free(&sum->findings);
    return st;
}

/* Did the import change anything? Rows kept although the file lacks them
 * change nothing; removed by --replace they do. */
static bool import_writes(const struct imp *im)
{
    const struct ap_import_summary *sum = im->sum;
    for (int t = 0; t < AP_T_COUNT; t++)
        if (sum->added[t] || sum->changed[t] || (im->replace && sum->missing[t]))
            return true;
    return false;
}

/* Record the import in the database's import log (schema version 2), in the
 * import's own transaction, so the log and the rows go in together or not at
 * all: each file's name, size and SHA-256 (a file read for several tables is
 * listed once), the profile's SHA-256, and the change summary per table. */
static enum ap_status record_import(struct imp *im, const struct ap_import_opts *o)
{
    size_t nfiles = ap_intake_nfiles(im->in);
    struct ap_log_file *files = ap_xcalloc(nfiles ? nfiles : 1, sizeof *files);
    char(*sha)[AP_SHA256_HEX] = ap_xcalloc(nfiles ? nfiles : 1, sizeof *sha);
    struct ap_log_table_counts counts[AP_T_COUNT];
    char profile_sha[AP_SHA256_HEX];
    size_t ntables = 0;
    enum ap_status st = AP_OK;
    for (int t = 0; t < AP_T_COUNT; t++) {
        if (!im->path[t])
            continue;
        const struct ap_import_summary *sum = im->sum;
        counts[ntables++] = (struct ap_log_table_counts){
            ap_table_names[t], sum->added[t], sum->changed[t], sum->unchanged[t],
            sum->missing[t]};
    }
    /* The files themselves (a workbook read for several tables is one file),
     * not the names messages use ("book.xlsx[Sheet]"). */
    for (size_t i = 0; i < nfiles && st == AP_OK; i++) {
        files[i].name = ap_intake_file(im->in, i);
        files[i].sha256 = sha[i];
        st = ap_sha256_file(files[i].name, sha[i], &files[i].size, im->d);
    }
    struct ap_log_import rec = {.replace = im->replace,
                                .files = files,
                                .nfiles = nfiles,
                                .tables = counts,
                                .ntables = ntables};
    if (st == AP_OK && o && o->profile) {
        st = ap_sha256_file(o->profile, profile_sha, NULL, im->d);
        rec.profile_sha256 = profile_sha;
    }
    if (st == AP_OK)
        st = ap_log_add_import(im->db, &rec, im->d);
    free(files);
    free(sha);
    return st;
}

/* Memory the import allows itself beyond SQLite's page cache (64 MiB): the
 * rows being sorted (a file whose ids are in no order), and the id sets of the
 * files read (about 30 bytes an id in memory; past the budget the sets of
 * files already read move to disk). With both full, the peak at any size stays
 * under 256 MiB. */
#define SORT_BUDGET ((size_t)24 << 20)
#define ID_BUDGET ((size_t)120 << 20)

/* A budget, or for tests the number of bytes in the environment variable
 * name (to reach the paths large exports take on a small fixture). */
static size_t budget(const char *name, size_t dflt)
{
    const char *v = getenv(name);
    char *end;
    if (!v || !*v)
        return dflt;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    return errno || *end ? dflt : (size_t)n;
}

enum ap_status ap_import_run(sqlite3 *db, const char *const *paths, size_t npaths,
                             const struct ap_import_opts *o, struct ap_import_summary *sum,
                             struct ap_diag *d)
{
    struct imp im = {.db = db,
                     .d = d,
                     .replace = o && o->replace,
                     .sum = sum,
                     .sort_budget = budget("AP_TEST_SORT_BUDGET", SORT_BUDGET),
                     .id_budget = budget("AP_TEST_ID_BUDGET", ID_BUDGET)};
    enum ap_status st = AP_OK;
    bool in_tx = false, any_failed = false, fk_off = false, checks_off = false;
    int fk = 0;
    long checks_ignored = 0;
    memset(sum, 0, sizeof *sum);
    sum->replace = im.replace;
    sum->dry_run = o && o->dry_run;
    im.errors0 = d->errors;
    ap_progress_start(&im.progress, o ? o->progress : NULL);
    ap_buf_init(&im.key);
    ap_buf_init(&im.last_parent);
    ap_buf_init(&im.case_child_list);

    st = ap_intake_plan(paths, npaths, o ? o->mapping : NULL, &im.in, d);
    if (st != AP_OK)
        goto done;
    for (int t = 0; t < AP_T_COUNT; t++) {
        const char *name = ap_intake_name(im.in, (enum ap_table_id)t);
        im.path[t] = ap_xstrdup(name);
        sum->present[t] = name != NULL;
    }
    sum->nfiles = ap_intake_nfiles(im.in);
    {
        int ntables = 0;
        for (int t = 0; t < AP_T_COUNT; t++)
            ntables += sum->present[t];
        ap_progress_tables(&im.progress, ntables);
    }

    /* Index builds spill to a temporary file past the cache, so memory stays
     * bounded however large the files are. */
    st = exec(&im, "PRAGMA temp_store = FILE; PRAGMA cache_size = -65536",
              "cannot set up the import");
    if (st != AP_OK)
        goto done;
    /* The import proves every reference itself (and --replace's dangling rows),
     * so SQLite's lookup per row is redundant. The setting cannot change inside
     * a transaction: off before BEGIN, back after COMMIT or ROLLBACK. */
    if (sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &fk) != SQLITE_OK ||
        sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, 0, (int *)0) != SQLITE_OK) {
        st = ap_db_error(db, d, "cannot set up the import");
        goto done;
    }
    fk_off = true;
    /* Likewise the CHECK constraints: every enumerated value was just looked
     * up in the same ap_enums tables the constraints are built from, and
     * SQLite evaluating them again was a tenth of the time of a row. */
    st = query_long(&im, "PRAGMA ignore_check_constraints", &checks_ignored);
    if (st == AP_OK)
        st = exec(&im, "PRAGMA ignore_check_constraints = ON", "cannot set up the import");
    if (st != AP_OK)
        goto done;
    checks_off = true;
    st = exec(&im, "BEGIN IMMEDIATE", "cannot start the import");
    if (st != AP_OK)
        goto done;
    in_tx = true;

    for (int t = 0; t < AP_T_COUNT; t++) {
        if (!im.path[t])
            continue;
        st = load_file(&im, t);
        if (st == AP_ERR_IO)
            goto done;
        any_failed = any_failed || im.failed[t];
    }
    /* Without all of every file read, the final state would be a guess. */
    if (any_failed)
        goto done;
    if (im.path[AP_T_CASES] && (st = check_overlaps(&im)) != AP_OK)
        goto done;
    ap_idset_free(im.keys[AP_T_CASES]);
    im.keys[AP_T_CASES] = NULL;
    if (im.replace) {
        for (int t = 0; t < AP_T_COUNT; t++) {
            if (tables[t].ref >= 0 && !im.path[t] && im.path[tables[t].parent] &&
                (st = check_dangling(&im, t)) != AP_OK)
                goto done;
        }
    }
    if (d->errors == im.errors0 && sum->dry_run && (st = dry_run_findings(&im)) != AP_OK)
        goto done;
    /* A dry run, or an import that changes nothing, ends in a ROLLBACK: the
     * database file is left byte for byte as it was. */
    if (d->errors == im.errors0 && !sum->dry_run && import_writes(&im)) {
        if ((st = record_import(&im, o)) != AP_OK)
            goto done;
#ifndef NDEBUG
        /* A debug build proves, before each commit, that the import kept every
         * rule the schema would have enforced (foreign keys and CHECKs are off
         * for speed while it loads). */
        if ((st = ap_db_check_guards(db, d)) != AP_OK)
            goto done;
#endif
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            st = ap_db_error(db, d, "cannot save the import");
            goto done;
        }
        in_tx = false;
        sum->written = true;
        /* A database in WAL mode cannot be read from a folder the reader cannot
         * write; leave it in the plain rollback-journal mode. */
        sqlite3_exec(db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
    }

done:
    ap_progress_end(&im.progress);
    if (in_tx)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    if (fk_off)
        sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, fk, (int *)0);
    if (checks_off && !checks_ignored)
        sqlite3_exec(db, "PRAGMA ignore_check_constraints = OFF", NULL, NULL, NULL);
    if (d->errors > im.errors0)
        st = ap_status_worst(st, d->status == AP_OK ? AP_ERR_INPUT : d->status);
    if (st != AP_OK) {
        memset(sum->added, 0, sizeof sum->added);
        memset(sum->changed, 0, sizeof sum->changed);
        memset(sum->unchanged, 0, sizeof sum->unchanged);
        memset(sum->missing, 0, sizeof sum->missing);
        memset(sum->missing_ids, 0, sizeof sum->missing_ids);
        sum->written = false;
        if (sum->have_findings)
            ap_findings_free(&sum->findings);
        sum->have_findings = false;
    }
    for (int t = 0; t < AP_T_COUNT; t++) {
        free(im.path[t]);
        ap_idset_free(im.keys[t]);
    }
    sqlite3_finalize(im.lookup);
    ap_buf_release(&im.key);
    ap_buf_release(&im.last_parent);
    ap_buf_release(&im.case_child_list);
    ap_keyset_free(im.case_children);
    ap_intake_free(im.in);
    return st;
}

void ap_import_print_summary(const struct ap_import_summary *sum, FILE *out)
{
    int ntables = 0;
    long total = 0;
    char n[32], m[32], k[32];
    for (int t = 0; t < AP_T_COUNT; t++) {
        ntables += sum->present[t];
        total += sum->rows[t];
    }
    /* "7 tables from 5 files": a workbook is one file of several tables. */
    char what[96];
    snprintf(what, sizeof what, "%d table%s from %zu file%s", ntables, ntables == 1 ? "" : "s",
             sum->nfiles, sum->nfiles == 1 ? "" : "s");
    if (sum->dry_run)
        fprintf(out, "dry run of %s: nothing was written; the import would make these changes:\n",
                what);
    else if (!sum->written && total > 0)
        fprintf(out, "nothing to import: the database already holds every row of this export "
                     "as it is (%s); nothing was written\n",
                what);
    else
        fprintf(out, "imported %s:\n", what);
    for (int t = 0; t < AP_T_COUNT; t++) {
        if (!sum->present[t])
            continue;
        ap_format_count(sum->rows[t], n);
        fprintf(out, "  %s: %s row%s: ", ap_table_names[t], n, sum->rows[t] == 1 ? "" : "s");
        ap_format_count(sum->added[t], n);
        ap_format_count(sum->changed[t], m);
        ap_format_count(sum->unchanged[t], k);
        fprintf(out, "%s new, %s changed, %s unchanged", n, m, k);
        if (sum->missing[t] > 0) {
            const char *noun = tables[t].noun;
            bool child = !strcmp(noun, "child");
            ap_format_count(sum->missing[t], n);
            bool one = sum->missing[t] == 1;
            fprintf(out, "; %s %s%s in the database %s not in the export (%s%s): ", n,
                    one ? noun : child ? "children" : noun, one || child ? "" : "s",
                    one ? "is" : "are",
                    !sum->replace ? "kept; --replace would remove "
                    : sum->dry_run ? "--replace would remove "
                                   : "removed, as --replace asks",
                    sum->replace && !sum->dry_run ? "" : one ? "it" : "them");
            long shown_ids = 0;
            for (int i = 0; i < AP_IMPORT_MAX_IDS && sum->missing_ids[t][i][0]; i++, shown_ids++)
                fprintf(out, "%s%s", i ? ", " : "", sum->missing_ids[t][i]);
            if (sum->missing[t] > shown_ids) {
                ap_format_count(sum->missing[t] - shown_ids, n);
                fprintf(out, " and %s more", n);
            }
        }
        fputc('\n', out);
    }
}
