/*
 * ap_rowsort: rows of text fields put in key order with bounded memory, for an
 * import whose ids come in no order. Rows are kept in memory up to a budget;
 * past it each full batch is sorted and written to its own temporary file (a
 * run; unlinked at once, mode 0600, in TMPDIR or /tmp), and the runs are merged
 * as the rows are read back. Keys compare column by column, bytes then length
 * (SQLite's BINARY collation), so the rows come out in the order of the
 * table's primary key; rows with equal keys come out in the order they went in.
 */
#ifndef AP_ROWSORT_H
#define AP_ROWSORT_H

#include <stddef.h>

#include "ap_diag.h"
#include "ap_util.h"

struct ap_rowsort; /* opaque */

/* A sorter of rows of ncols fields whose first nkey fields are the key
 * (1 <= nkey <= ncols <= 16), holding at most about budget bytes (at least
 * 64 KiB) in memory. */
struct ap_rowsort *ap_rowsort_new(size_t ncols, size_t nkey, size_t budget);
void ap_rowsort_free(struct ap_rowsort *rs); /* NULL ok; removes the runs */

/* Add a row: field c is s[c][0..len[c]), or NULL when len[c] < 0. The bytes
 * are copied. Fails (AP_ERR_IO, reported) only when a run cannot be written. */
enum ap_status ap_rowsort_add(struct ap_rowsort *rs, const char *const *s, const int *len,
                              struct ap_diag *d);

/* No more rows: sort what is in memory and get ready to read in key order. */
enum ap_status ap_rowsort_finish(struct ap_rowsort *rs, struct ap_diag *d);

/* The next row in key order, its fields as for ap_rowsort_add, valid until the
 * next call. 1: a row; 0: no more; -1: a run could not be read (reported). */
int ap_rowsort_next(struct ap_rowsort *rs, const char **s, int *len, struct ap_diag *d);

/* Runs written to temporary files so far (0 while everything fits). */
size_t ap_rowsort_runs(const struct ap_rowsort *rs);

#endif
