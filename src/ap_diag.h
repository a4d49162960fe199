/*
 * ap_diag: the one place messages reach the user. A message has a location
 * (file, line, column; any may be absent), a severity and a text, and prints as
 *   actionplan: cases.csv:14:3: error: risk_level 'severe' is not one of low, medium, high
 * Errors are counted; after max_errors are shown the rest are only counted and
 * ap_diag_finish() prints "and N more errors".
 */
#ifndef AP_DIAG_H
#define AP_DIAG_H

#include <stdio.h>

#include "ap_util.h"

enum ap_severity { AP_NOTE, AP_WARNING, AP_ERROR };

struct ap_diag {
    FILE *out;          /* where messages go; stderr by default */
    size_t max_errors;  /* errors shown before the rest are only counted (50) */
    size_t errors;      /* errors reported so far (shown or not) */
    size_t warnings;    /* warnings reported so far */
    enum ap_status status; /* worst status attached to a reported error */
};

void ap_diag_init(struct ap_diag *d);

/* Report a message. file may be NULL; line/col <= 0 are omitted. A file named
 * like "book.xlsx[Sheet]" (a workbook sheet: Excel forbids ']' in sheet names)
 * prints its place as Excel names it: line 12, column 2 as book.xlsx[Sheet]!B12,
 * a whole row as book.xlsx[Sheet]!12:12. For errors,
 * st is the exit status the error implies (AP_ERR_INPUT for bad data). */
void ap_diag_report(struct ap_diag *d, enum ap_severity sev, enum ap_status st, const char *file,
                    long line, long col, const char *fmt, ...) AP_PRINTF(7, 8);

/* Shorthands: an input error at a location, a plain error, a note. */
#define ap_diag_input(d, file, line, col, ...)                                                  \
    ap_diag_report((d), AP_ERROR, AP_ERR_INPUT, (file), (line), (col), __VA_ARGS__)
#define ap_diag_error(d, st, ...) ap_diag_report((d), AP_ERROR, (st), NULL, 0, 0, __VA_ARGS__)
#define ap_diag_note(d, ...) ap_diag_report((d), AP_NOTE, AP_OK, NULL, 0, 0, __VA_ARGS__)
#define ap_diag_warn(d, ...) ap_diag_report((d), AP_WARNING, AP_OK, NULL, 0, 0, __VA_ARGS__)

/* Print "actionplan: and N more errors" if some were not shown. */
void ap_diag_finish(struct ap_diag *d);

#endif
