/*
 * ap_rowsort: a row is kept as one record: its total size (4 bytes), the
 * length of each field (4 bytes each, -1 for NULL), then the fields' bytes.
 * Records go into one arena in the order they arrive; sorting sorts an array
 * of (prefix, offset) entries, where the prefix is 8 bytes of the first key
 * column read as a big-endian number, taken after the bytes every key of the
 * batch shares ("C000..." ids differ only in their last digits), so that
 * nearly every comparison is one of two integers. Equal prefixes compare the
 * whole key, then the offset, which keeps rows with equal keys in arrival
 * order. A run on disk is the records in sorted order; the runs are merged
 * through a binary heap of their current records (earlier run first among
 * equals).
 */
#include "ap_rowsort.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_COLS 16
#define RUN_BUFFER (256 * 1024) /* stdio buffer of each run file */
/* Records are read in sorted order, all over the arena: ask for the one this
 * many places ahead while working on this one. */
#define PREFETCH 8
#define FAN_IN 64 /* runs merged at once; more are merged into one first */
#define MIN_BUDGET (64 * 1024)

struct ent {
    uint64_t pre;
    uint32_t off;
};

struct run {
    FILE *f;
    struct ap_buf rec; /* its current record's body */
    char *iobuf;
};

struct ap_rowsort {
    size_t ncols, nkey, budget;
    struct ap_buf arena;
    struct ent *ents, *tmp; /* tmp: the radix sort's second array */
    size_t n, alloc, tmp_alloc;
    size_t lcp; /* bytes every first key column of the batch starts with */
    struct run *runs;
    size_t nruns;
    /* reading */
    bool finished;
    size_t next;  /* in memory: the next entry */
    size_t *heap; /* merging: run indices, the least record on top */
    size_t nheap;
    size_t last; /* the run whose record was handed out last, or SIZE_MAX */
};

static void close_runs(struct ap_rowsort *rs);
static enum ap_status merge_runs(struct ap_rowsort *rs, struct ap_diag *d);

struct ap_rowsort *ap_rowsort_new(size_t ncols, size_t nkey, size_t budget)
{
    struct ap_rowsort *rs = ap_xcalloc(1, sizeof *rs);
    rs->ncols = ncols < MAX_COLS ? ncols : MAX_COLS;
    rs->nkey = nkey < rs->ncols ? nkey : rs->ncols;
    rs->budget = budget > MIN_BUDGET ? budget : MIN_BUDGET;
    rs->last = SIZE_MAX;
    ap_buf_init(&rs->arena);
    /* The whole budget at once (its pages cost nothing until rows fill them):
     * growing by doubling would copy what is there each time. */
    ap_buf_grow(&rs->arena, rs->budget);
    rs->alloc = rs->budget / (sizeof(uint32_t) * (rs->ncols + 1) + 2 * sizeof *rs->ents) + 1;
    rs->ents = ap_xmalloc(rs->alloc * sizeof *rs->ents);
    return rs;
}

void ap_rowsort_free(struct ap_rowsort *rs)
{
    if (!rs)
        return;
    close_runs(rs);
    free(rs->tmp);
    free(rs->heap);
    free(rs->ents);
    ap_buf_release(&rs->arena);
    free(rs);
}

size_t ap_rowsort_runs(const struct ap_rowsort *rs)
{
    return rs->nruns;
}

/* Field k of a record body: its bytes, and its length (-1: NULL). */
static const char *field(const struct ap_rowsort *rs, const char *body, size_t k, int32_t *len)
{
    const char *p = body + rs->ncols * sizeof(int32_t);
    int32_t l;
    for (size_t c = 0; c < k; c++) {
        memcpy(&l, body + c * sizeof l, sizeof l);
        if (l > 0)
            p += l;
    }
    memcpy(len, body + k * sizeof *len, sizeof *len);
    return p;
}

/* Key order of two record bodies: column by column, bytes then length. */
static int cmp_bodies(const struct ap_rowsort *rs, const char *a, const char *b)
{
    for (size_t k = 0; k < rs->nkey; k++) {
        int32_t la, lb;
        const char *pa = field(rs, a, k, &la), *pb = field(rs, b, k, &lb);
        if (la < 0 || lb < 0) {
            if (la != lb)
                return la < lb ? -1 : 1;
            continue;
        }
        int c = memcmp(pa, pb, (size_t)(la < lb ? la : lb));
        if (c)
            return c;
        if (la != lb)
            return la < lb ? -1 : 1;
    }
    return 0;
}

static const struct ap_rowsort *sorting; /* the sorter cmp_ents reads */

static int cmp_ents(const void *x, const void *y)
{
    const struct ent *a = x, *b = y;
    if (a->pre != b->pre)
        return a->pre < b->pre ? -1 : 1;
    const char *arena = sorting->arena.buf;
    int c =
        cmp_bodies(sorting, arena + a->off + sizeof(uint32_t), arena + b->off + sizeof(uint32_t));
    if (c)
        return c;
    return a->off < b->off ? -1 : a->off > b->off;
}

/* Sort the entries by prefix, a byte at a time from the last (each pass
 * stable, so equal prefixes stay in arrival order; a byte all entries share
 * is skipped); then each run of equal prefixes by the whole key. */
static void radix_sort(struct ap_rowsort *rs)
{
    size_t n = rs->n;
    if (n < 2)
        return;
    if (rs->tmp_alloc < n) {
        free(rs->tmp);
        rs->tmp = ap_xmalloc(rs->alloc * sizeof *rs->tmp);
        rs->tmp_alloc = rs->alloc;
    }
    struct ent *a = rs->ents, *b = rs->tmp;
    for (int shift = 0; shift < 64; shift += 8) {
        size_t count[256] = {0};
        for (size_t i = 0; i < n; i++)
            count[(a[i].pre >> shift) & 0xff]++;
        if (count[(a[0].pre >> shift) & 0xff] == n)
            continue;
        size_t at = 0;
        for (int k = 0; k < 256; k++) {
            size_t c = count[k];
            count[k] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++)
            b[count[(a[i].pre >> shift) & 0xff]++] = a[i];
        struct ent *t = a;
        a = b;
        b = t;
    }
    if (a != rs->ents)
        memcpy(rs->ents, a, n * sizeof *a);
    sorting = rs;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && rs->ents[j].pre == rs->ents[i].pre)
            j++;
        if (j - i > 1)
            qsort(rs->ents + i, j - i, sizeof *rs->ents, cmp_ents);
        i = j;
    }
}

static void sort_batch(struct ap_rowsort *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        int32_t len;
        const char *k = field(rs, rs->arena.buf + rs->ents[i].off + sizeof(uint32_t), 0, &len);
        uint64_t pre = 0;
        for (size_t j = 0; j < 8; j++) {
            size_t at = rs->lcp + j;
            pre = pre << 8 | (len > 0 && at < (size_t)len ? (unsigned char)k[at] : 0u);
        }
        rs->ents[i].pre = pre;
    }
    radix_sort(rs);
}

static enum ap_status io_error(struct ap_diag *d, const char *what)
{
    ap_diag_error(d, AP_ERR_IO, "cannot sort the imported rows: %s a temporary file in %s: %s",
                  what, getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", strerror(errno));
    return AP_ERR_IO;
}

/* A new empty temporary file, already unlinked. */
static FILE *temp_file(struct ap_diag *d)
{
    const char *dir = getenv("TMPDIR");
    char *path = ap_xasprintf("%s/actionplan-sort.XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    FILE *f = NULL;
    if (fd < 0) {
        io_error(d, "cannot make");
    } else {
        if (unlink(path) != 0 || !(f = fdopen(fd, "w+b"))) {
            io_error(d, "cannot make");
            close(fd);
        }
    }
    free(path);
    return f;
}

/* Sort the batch in memory and write it out as a run. */
static enum ap_status spill(struct ap_rowsort *rs, struct ap_diag *d)
{
    sort_batch(rs);
    FILE *f = temp_file(d);
    if (!f)
        return AP_ERR_IO;
    rs->runs = ap_xrealloc(rs->runs, (rs->nruns + 1) * sizeof *rs->runs);
    struct run *r = &rs->runs[rs->nruns++];
    memset(r, 0, sizeof *r);
    r->f = f;
    ap_buf_init(&r->rec);
    r->iobuf = ap_xmalloc(RUN_BUFFER);
    if (setvbuf(f, r->iobuf, _IOFBF, RUN_BUFFER) != 0)
        return io_error(d, "cannot write");
    for (size_t i = 0; i < rs->n; i++) {
        const char *rec = rs->arena.buf + rs->ents[i].off;
        if (i + PREFETCH < rs->n)
            __builtin_prefetch(rs->arena.buf + rs->ents[i + PREFETCH].off);
        uint32_t size;
        memcpy(&size, rec, sizeof size);
        if (fwrite(rec, 1, sizeof size + size, f) != sizeof size + size)
            return io_error(d, "cannot write");
    }
    if (fflush(f) != 0)
        return io_error(d, "cannot write");
    if (rs->nruns == FAN_IN) {
        enum ap_status st = merge_runs(rs, d);
        if (st != AP_OK)
            return st;
    }
    rs->n = 0;
    rs->lcp = 0;
    ap_buf_reset(&rs->arena);
    return AP_OK;
}

enum ap_status ap_rowsort_add(struct ap_rowsort *rs, const char *const *s, const int *len,
                              struct ap_diag *d)
{
    uint32_t size = (uint32_t)(rs->ncols * sizeof(int32_t));
    for (size_t c = 0; c < rs->ncols; c++)
        size += len[c] > 0 ? (uint32_t)len[c] : 0;
    size_t need = sizeof size + size;
    if (rs->n && rs->arena.len + need + 2 * (rs->n + 1) * sizeof *rs->ents > rs->budget) {
        enum ap_status st = spill(rs, d);
        if (st != AP_OK)
            return st;
    }
    if (rs->arena.len + need > UINT32_MAX)
        return io_error(d, "cannot write"); /* a budget of 4 GiB or more; not used */
    /* The bytes the first key columns of the batch all start with. */
    if (rs->n) {
        int32_t l0;
        const char *k0 = field(rs, rs->arena.buf + sizeof size, 0, &l0);
        size_t m = len[0] > 0 ? (size_t)len[0] : 0, i = 0;
        if ((size_t)(l0 > 0 ? l0 : 0) < m)
            m = (size_t)(l0 > 0 ? l0 : 0);
        if (rs->lcp < m)
            m = rs->lcp;
        while (i < m && k0[i] == s[0][i])
            i++;
        rs->lcp = i;
    } else {
        rs->lcp = len[0] > 0 ? (size_t)len[0] : 0;
    }
    ap_grow((void **)&rs->ents, sizeof *rs->ents, rs->n + 1, &rs->alloc);
    rs->ents[rs->n].off = (uint32_t)rs->arena.len;
    rs->ents[rs->n].pre = 0;
    rs->n++;
    ap_buf_grow(&rs->arena, need);
    char *p = rs->arena.buf + rs->arena.len;
    memcpy(p, &size, sizeof size);
    p += sizeof size;
    for (size_t c = 0; c < rs->ncols; c++, p += sizeof(int32_t)) {
        int32_t l = len[c] < 0 ? -1 : len[c];
        memcpy(p, &l, sizeof l);
    }
    for (size_t c = 0; c < rs->ncols; c++) {
        if (len[c] > 0) {
            memcpy(p, s[c], (size_t)len[c]);
            p += len[c];
        }
    }
    rs->arena.len += need;
    rs->arena.buf[rs->arena.len] = '\0';
    return AP_OK;
}

/* Read run i's next record; false at its end (or on an error, then *st). */
static bool read_record(struct ap_rowsort *rs, size_t i, enum ap_status *st, struct ap_diag *d)
{
    struct run *r = &rs->runs[i];
    uint32_t size;
    size_t got = fread(&size, 1, sizeof size, r->f);
    if (got == 0 && feof(r->f))
        return false;
    ap_buf_reset(&r->rec);
    if (got == sizeof size) {
        ap_buf_grow(&r->rec, size);
        got = fread(r->rec.buf, 1, size, r->f);
        r->rec.len = got;
        r->rec.buf[got] = '\0';
        if (got == size)
            return true;
    }
    errno = ferror(r->f) ? errno : EIO;
    *st = io_error(d, "cannot read");
    return false;
}

/* Heap order: the lesser record, or the earlier run among equals. */
static bool heap_less(const struct ap_rowsort *rs, size_t a, size_t b)
{
    int c = cmp_bodies(rs, rs->runs[a].rec.buf, rs->runs[b].rec.buf);
    return c < 0 || (c == 0 && a < b);
}

static void sift_down(struct ap_rowsort *rs, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < rs->nheap && heap_less(rs, rs->heap[l], rs->heap[m]))
            m = l;
        if (l + 1 < rs->nheap && heap_less(rs, rs->heap[l + 1], rs->heap[m]))
            m = l + 1;
        if (m == i)
            return;
        size_t t = rs->heap[i];
        rs->heap[i] = rs->heap[m];
        rs->heap[m] = t;
        i = m;
    }
}

/* Read every run from its start, its first record on the heap. */
static enum ap_status merge_start(struct ap_rowsort *rs, struct ap_diag *d)
{
    enum ap_status st = AP_OK;
    free(rs->heap);
    rs->heap = ap_xcalloc(rs->nruns, sizeof *rs->heap);
    rs->nheap = 0;
    rs->last = SIZE_MAX;
    for (size_t i = 0; i < rs->nruns; i++) {
        if (fseek(rs->runs[i].f, 0, SEEK_SET) != 0)
            return io_error(d, "cannot read");
        if (read_record(rs, i, &st, d))
            rs->heap[rs->nheap++] = i;
        else if (st != AP_OK)
            return st;
    }
    for (size_t i = rs->nheap / 2; i-- > 0;)
        sift_down(rs, i);
    return AP_OK;
}

/* The least record of the runs (its body in *body, valid until the next
 * call): 1, or 0 when they are all read, or -1 on an error (reported). */
static int merge_next(struct ap_rowsort *rs, const char **body, struct ap_diag *d)
{
    /* Replace the record handed out last by its run's next one. */
    if (rs->last != SIZE_MAX) {
        enum ap_status st = AP_OK;
        if (!read_record(rs, rs->last, &st, d)) {
            if (st != AP_OK)
                return -1;
            rs->heap[0] = rs->heap[--rs->nheap];
        }
        rs->last = SIZE_MAX;
        if (rs->nheap)
            sift_down(rs, 0);
    }
    if (!rs->nheap)
        return 0;
    rs->last = rs->heap[0];
    *body = rs->runs[rs->last].rec.buf;
    return 1;
}

static void close_runs(struct ap_rowsort *rs)
{
    for (size_t i = 0; i < rs->nruns; i++) {
        if (rs->runs[i].f)
            fclose(rs->runs[i].f); /* an unlinked temporary file: nothing to lose */
        ap_buf_release(&rs->runs[i].rec);
        free(rs->runs[i].iobuf);
    }
    free(rs->runs);
    rs->runs = NULL;
    rs->nruns = 0;
}

/* Merge every run into one, so that no more than FAN_IN files are ever open. */
static enum ap_status merge_runs(struct ap_rowsort *rs, struct ap_diag *d)
{
    struct run out = {NULL, AP_BUF_INIT, NULL};
    const char *body;
    int rc = 0;
    enum ap_status st = merge_start(rs, d);
    if (st == AP_OK && !(out.f = temp_file(d)))
        st = AP_ERR_IO;
    if (st == AP_OK) {
        out.iobuf = ap_xmalloc(RUN_BUFFER);
        if (setvbuf(out.f, out.iobuf, _IOFBF, RUN_BUFFER) != 0)
            st = io_error(d, "cannot write");
    }
    while (st == AP_OK && (rc = merge_next(rs, &body, d)) == 1) {
        uint32_t size = (uint32_t)rs->runs[rs->last].rec.len;
        if (fwrite(&size, 1, sizeof size, out.f) != sizeof size ||
            fwrite(body, 1, size, out.f) != size)
            st = io_error(d, "cannot write");
    }
    if (st == AP_OK && rc < 0)
        st = AP_ERR_IO;
    if (st == AP_OK && fflush(out.f) != 0)
        st = io_error(d, "cannot write");
    close_runs(rs);
    rs->runs = ap_xcalloc(1, sizeof *rs->runs);
    rs->runs[0] = out;
    rs->nruns = 1;
    return st;
}

enum ap_status ap_rowsort_finish(struct ap_rowsort *rs, struct ap_diag *d)
{
    enum ap_status st = AP_OK;
    rs->finished = true;
    if (rs->nruns == 0) {
        sort_batch(rs);
        return AP_OK;
    }
    if (rs->n && (st = spill(rs, d)) != AP_OK)
        return st;
    ap_buf_release(&rs->arena);
    free(rs->ents);
    free(rs->tmp);
    rs->ents = rs->tmp = NULL;
    rs->alloc = rs->tmp_alloc = 0;
    return merge_start(rs, d);
}

static void unpack(const struct ap_rowsort *rs, const char *body, const char **s, int *len)
{
    const char *p = body + rs->ncols * sizeof(int32_t);
    for (size_t c = 0; c < rs->ncols; c++) {
        int32_t l;
        memcpy(&l, body + c * sizeof l, sizeof l);
        len[c] = l;
        s[c] = l >= 0 ? p : NULL;
        if (l > 0)
            p += l;
    }
}

int ap_rowsort_next(struct ap_rowsort *rs, const char **s, int *len, struct ap_diag *d)
{
    if (!rs->finished)
        return 0;
    if (rs->nruns == 0) {
        if (rs->next >= rs->n)
            return 0;
        if (rs->next + PREFETCH < rs->n)
            __builtin_prefetch(rs->arena.buf + rs->ents[rs->next + PREFETCH].off);
        unpack(rs, rs->arena.buf + rs->ents[rs->next++].off + sizeof(uint32_t), s, len);
        return 1;
    }
    const char *body;
    int rc = merge_next(rs, &body, d);
    if (rc == 1)
        unpack(rs, body, s, len);
    return rc;
}
