/*
 * fuzz_csv: the streaming CSV reader on arbitrary bytes. Besides the
 * sanitizers, checks the reader's promises: fields are NUL-terminated at their
 * length, a record never exceeds the documented limits, and line numbers only
 * go forward.
 */
#include <stdint.h>
#include <stdio.h>

#include "ap_csv.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ap_diag d;
    fuzz_diag(&d);
    /* fmemopen of size 0 is refused by some C libraries; an empty file is a tmpfile. */
    FILE *f = size ? fmemopen((void *)data, size, "rb") : tmpfile();
    if (!f)
        return 0;
    struct ap_csv *c = ap_csv_from_stream(f, "fuzz.csv");
    struct ap_csv_record rec;
    long last_line = 0;
    size_t records = 0;
    int rc;
    while ((rc = ap_csv_next(c, &rec, &d)) == 1) {
        FUZZ_ASSERT(rec.line > last_line);
        FUZZ_ASSERT(rec.n <= AP_CSV_MAX_FIELDS);
        size_t total = 0;
        long prev = rec.line;
        for (size_t i = 0; i < rec.n; i++) {
            const struct ap_csv_field *fl = &rec.fields[i];
            FUZZ_ASSERT(fl->s != NULL);
            FUZZ_ASSERT(fl->s[fl->len] == '\0');
            FUZZ_ASSERT(fl->line >= prev);
            prev = fl->line;
            total += fl->len;
        }
        FUZZ_ASSERT(total <= AP_CSV_MAX_RECORD);
        /* Each record takes at least one byte of input (its newline or its text). */
        FUZZ_ASSERT(++records <= size);
        last_line = prev;
    }
    FUZZ_ASSERT(rc == 0 || rc == -1);
    if (rc == -1)
        FUZZ_ASSERT(d.errors > 0);
    FUZZ_ASSERT(!strcmp(ap_csv_name(c), "fuzz.csv"));
    ap_csv_close(c);
    fclose(f);
    return 0;
}
