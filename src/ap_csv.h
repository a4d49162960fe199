/*
 * ap_csv: a streaming RFC 4180 reader. Accepts a UTF-8 BOM, LF or CRLF, quoted
 * fields holding commas, doubled quotes and newlines. Memory is bounded by the
 * longest record, never the file. Tracks the physical line each record and each
 * field starts on.
 */
#ifndef AP_CSV_H
#define AP_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ap_diag.h"

#define AP_CSV_MAX_FIELD 4000      /* bytes in one field (SPEC.md) */
#define AP_CSV_MAX_FIELDS 1000     /* fields in one record */
#define AP_CSV_MAX_RECORD (1 << 20) /* bytes in one record, quoted newlines included */

struct ap_csv; /* opaque */

struct ap_csv_field {
    const char *s; /* NUL-terminated, borrowed until the next ap_csv_next */
    size_t len;
    long line;     /* physical line the field starts on */
};

struct ap_csv_record {
    size_t n;                    /* number of fields */
    struct ap_csv_field *fields; /* borrowed until the next ap_csv_next */
    long line;                   /* physical line the record starts on (1-based) */
    bool bad;                    /* a defect in this record (stray quote, text after a
                                    closing quote, over-long field) was reported: the
                                    fields may be incomplete, so skip the record */
};

/* Open path for reading (path is borrowed for messages until close). */
enum ap_status ap_csv_open(const char *path, struct ap_csv **out, struct ap_diag *d);
/* Read from an open stream (not closed by ap_csv_close); name is used in messages. */
struct ap_csv *ap_csv_from_stream(FILE *f, const char *name);

/* Next record. Returns 1 with *rec filled, 0 at end of file, -1 on a structural
 * error that ends the file (unterminated quote, NUL byte, UTF-16 file, over-long
 * record, too many fields, read failure) which it has reported at file:line:col.
 * Defects confined to one record are reported and flagged with rec->bad, and
 * reading goes on. Columns in messages are 1-based field numbers. Blank lines at
 * the very end are not records; a blank line elsewhere is a record of one empty
 * field. After -1 every call returns -1 without a new message. */
int ap_csv_next(struct ap_csv *c, struct ap_csv_record *rec, struct ap_diag *d);

const char *ap_csv_name(const struct ap_csv *c);
/* True once the first record is read if the file began with a UTF-8 byte-order
 * mark (which the reader skips). */
bool ap_csv_bom(const struct ap_csv *c);
void ap_csv_close(struct ap_csv *c); /* NULL ok */

#endif
