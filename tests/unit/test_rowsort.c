/*
 * Unit tests for ap_rowsort and ap_idset: rows come out in key order (column
 * by column, bytes then length), every field intact (NULL, empty, NUL bytes),
 * equal keys in arrival order; in memory, from several runs on disk, and from
 * more runs than are merged at once. The order is checked against a plain
 * sort of the same rows written here, not through the sorter. An id set moved
 * to disk answers as it did in memory, and adds and finds duplicates there.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ap_diag.h"
#include "ap_idset.h"
#include "ap_rowsort.h"
#include "ap_test.h"

/* A test row: key columns k1 (and k2), a payload, the arrival number. */
struct row {
    char k1[16], k2[16], pay[40];
    int l1, l2, lp; /* lp -1: NULL */
    unsigned seq;
};

static int cmp_field(const char *a, int la, const char *b, int lb)
{
    int c = memcmp(a, b, (size_t)(la < lb ? la : lb));
    return c ? c : (la > lb) - (la < lb);
}

static size_t nkey_g;

static int cmp_rows(const void *x, const void *y)
{
    const struct row *a = x, *b = y;
    int c = cmp_field(a->k1, a->l1, b->k1, b->l1);
    if (!c && nkey_g == 2)
        c = cmp_field(a->k2, a->l2, b->k2, b->l2);
    return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

/* n rows with keys in no order: ids like "C000123" of varying lengths (some
 * prefixes of others), about one in eight repeated, NUL bytes in a few
 * payloads, some NULL and some empty. */
static struct row *make_rows(size_t n, size_t nkey)
{
    struct row *r = calloc(n, sizeof *r);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        unsigned id = (x >> 8) % (unsigned)(n - n / 8 + 1);
        r[i].l1 = snprintf(r[i].k1, sizeof r[i].k1, (x & 0x10000) ? "C%06u" : "C%u", id);
        r[i].l2 = nkey == 2 ? snprintf(r[i].k2, sizeof r[i].k2, "%u", (x >> 4) % 3) : 0;
        if (i % 11 == 0) {
            r[i].lp = -1;
        } else if (i % 13 == 0) {
            r[i].lp = 0;
        } else {
            r[i].lp = snprintf(r[i].pay, sizeof r[i].pay, "payload %zu with some text", i);
            if (i % 7 == 0)
                r[i].pay[3] = '\0';
        }
        r[i].seq = (unsigned)i;
    }
    return r;
}

/* Sort n rows through a sorter of the given budget; compare with qsort. */
static void run_case(size_t n, size_t nkey, size_t budget, size_t min_runs)
{
    struct ap_diag d;
    ap_diag_init(&d);
    struct row *r = make_rows(n, nkey);
    struct ap_rowsort *rs = ap_rowsort_new(4, nkey, budget);
    int ok = 1;
    for (size_t i = 0; i < n && ok; i++) {
        char seq[16];
        int ls = snprintf(seq, sizeof seq, "%u", r[i].seq);
        const char *s[4] = {r[i].k1, nkey == 2 ? r[i].k2 : "-", r[i].lp < 0 ? NULL : r[i].pay, seq};
        int len[4] = {r[i].l1, nkey == 2 ? r[i].l2 : 1, r[i].lp, ls};
        ok = ap_rowsort_add(rs, s, len, &d) == AP_OK;
    }
    CHECK(ok);
    CHECK(ap_rowsort_runs(rs) >= min_runs);
    CHECK_INT(ap_rowsort_finish(rs, &d), AP_OK);
    nkey_g = nkey;
    qsort(r, n, sizeof *r, cmp_rows);
    const char *s[4];
    int len[4], rc;
    size_t got = 0, right = 0;
    while ((rc = ap_rowsort_next(rs, s, len, &d)) == 1) {
        if (got < n) {
            const struct row *w = &r[got];
            char seq[16];
            int ls = snprintf(seq, sizeof seq, "%u", w->seq);
            bool same = len[0] == w->l1 && !memcmp(s[0], w->k1, (size_t)w->l1) && len[2] == w->lp &&
                        (w->lp < 0 ? !s[2] : !memcmp(s[2], w->pay, (size_t)w->lp)) &&
                        len[3] == ls && !memcmp(s[3], seq, (size_t)ls);
            if (nkey == 2)
                same = same && len[1] == w->l2 && !memcmp(s[1], w->k2, (size_t)w->l2);
            right += same;
        }
        got++;
    }
    CHECK_INT(rc, 0);
    CHECK_INT(got, n);
    CHECK_INT(right, n);
    CHECK_INT(ap_rowsort_next(rs, s, len, &d), 0); /* and stays at the end */
    CHECK_INT(d.errors, 0);
    ap_rowsort_free(rs);
    free(r);
}

/* Keys that share long prefixes or differ only in length, one column; and
 * the composite order: ("a", "z") before ("ab", "a"). */
static void test_edges(void)
{
    struct ap_diag d;
    ap_diag_init(&d);
    static const char *const keys[] = {"CHILD-000010", "CHILD-00001",     "CHILD-000011",
                                       "CHILD-0000",   "CHILD-00001\x01", "CHILD-00002"};
    static const char *const want[] = {"CHILD-0000",   "CHILD-00001",  "CHILD-00001\x01",
                                       "CHILD-000010", "CHILD-000011", "CHILD-00002"};
    struct ap_rowsort *rs = ap_rowsort_new(1, 1, 0);
    for (size_t i = 0; i < 6; i++) {
        const char *s[1] = {keys[i]};
        int len[1] = {(int)strlen(keys[i])};
        CHECK_INT(ap_rowsort_add(rs, s, len, &d), AP_OK);
    }
    CHECK_INT(ap_rowsort_finish(rs, &d), AP_OK);
    for (size_t i = 0; i < 6; i++) {
        const char *s[1];
        int len[1];
        CHECK_INT(ap_rowsort_next(rs, s, len, &d), 1);
        CHECK(len[0] == (int)strlen(want[i]) && !memcmp(s[0], want[i], (size_t)len[0]));
    }
    ap_rowsort_free(rs);

    rs = ap_rowsort_new(2, 2, 0);
    const char *a[2] = {"ab", "a"}, *b[2] = {"a", "z"};
    int la[2] = {2, 1}, lb[2] = {1, 1};
    CHECK_INT(ap_rowsort_add(rs, a, la, &d), AP_OK);
    CHECK_INT(ap_rowsort_add(rs, b, lb, &d), AP_OK);
    CHECK_INT(ap_rowsort_finish(rs, &d), AP_OK);
    const char *s[2];
    int len[2];
    CHECK(ap_rowsort_next(rs, s, len, &d) == 1 && len[0] == 1 && s[1][0] == 'z');
    CHECK(ap_rowsort_next(rs, s, len, &d) == 1 && len[0] == 2 && s[1][0] == 'a');
    CHECK_INT(ap_rowsort_next(rs, s, len, &d), 0);
    ap_rowsort_free(rs);
    /* An empty sorter. */
    rs = ap_rowsort_new(2, 1, 0);
    CHECK_INT(ap_rowsort_finish(rs, &d), AP_OK);
    CHECK_INT(ap_rowsort_next(rs, s, len, &d), 0);
    ap_rowsort_free(rs);
}

static size_t id_of(char *buf, size_t size, unsigned i)
{
    return (size_t)snprintf(buf, size, "P%07u", i);
}

/* An id set of 5000 ids (in no order), moved to a temporary table: every
 * value as before, absent ids absent, duplicates found with the first value,
 * new ids added on disk. */
static void test_idset(void)
{
    struct ap_diag d;
    ap_diag_init(&d);
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
    struct ap_idset *s = ap_idset_new();
    char k[32];
    uint32_t v = 0;
    int added = 0, n_added = 0;
    bool found = false;
    const unsigned n = 5003; /* prime: i * 7 % n visits every number once */
    for (unsigned i = 0; i < n; i++) {
        unsigned j = i * 7u % n;
        CHECK_INT(ap_idset_add(s, k, id_of(k, sizeof k, j), j + 1, &added, NULL, &d), AP_OK);
        n_added += added;
    }
    CHECK_INT(n_added, n);
    CHECK(ap_idset_bytes(s) > 0);
    CHECK(!ap_idset_on_disk(s));
    CHECK_INT(ap_idset_to_disk(s, db, 0, &d), AP_OK);
    CHECK(ap_idset_on_disk(s));
    CHECK_INT(ap_idset_bytes(s), 0);
    CHECK_INT(ap_idset_count(s), n);
    size_t right = 0;
    for (unsigned j = 0; j < n; j++) {
        v = 0;
        CHECK_INT(ap_idset_get(s, k, id_of(k, sizeof k, j), &found, &v, &d), AP_OK);
        right += found && v == j + 1;
    }
    CHECK_INT(right, n);
    CHECK_INT(ap_idset_get(s, k, id_of(k, sizeof k, n), &found, &v, &d), AP_OK);
    CHECK(!found);
    CHECK_INT(ap_idset_get(s, "P000000", 7, &found, &v, &d), AP_OK); /* a prefix of P0000000 */
    CHECK(!found);
    /* On disk: a duplicate keeps its first value; a new id goes in. */
    CHECK_INT(ap_idset_add(s, "P0000042", 8, 999, &added, &v, &d), AP_OK);
    CHECK_INT(added, 0);
    CHECK_INT(v, 43);
    CHECK_INT(ap_idset_add(s, "Q\0", 2, 77, &added, &v, &d), AP_OK);
    CHECK_INT(added, 1);
    CHECK_INT(ap_idset_get(s, "Q\0", 2, &found, &v, &d), AP_OK);
    CHECK(found && v == 77);
    CHECK_INT(ap_idset_get(s, "Q", 1, &found, &v, &d), AP_OK);
    CHECK(!found);
    CHECK_INT(ap_idset_count(s), n + 1);
    CHECK_INT(d.errors, 0);
    ap_idset_free(s);
    /* Its table is gone with it. */
    sqlite3_stmt *st = NULL;
    CHECK_INT(sqlite3_prepare_v2(db, "SELECT count(*) FROM temp.sqlite_schema", -1, &st, NULL),
              SQLITE_OK);
    CHECK(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0);
    sqlite3_finalize(st);
    CHECK_INT(sqlite3_close(db), SQLITE_OK);
}

int main(void)
{
    run_case(3000, 1, 32 << 20, 0);   /* in memory */
    run_case(20000, 1, 128 << 10, 2); /* several runs */
    run_case(20000, 2, 128 << 10, 2); /* a composite key */
    run_case(150000, 1, 64 << 10, 2); /* more than 64 runs: merged in two steps */
    test_edges();
    test_idset();
    return ap_test_done();
}
