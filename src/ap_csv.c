/*
 * ap_csv: the streaming RFC 4180 reader. Input arrives in 64 KiB blocks; the
 * current record is built in one buffer (fields NUL-terminated one after the
 * other), so memory is bounded by the longest record, never by the file.
 * Physical lines are counted as bytes go by (LF, CRLF or a lone CR each end one
 * line, also inside quoted fields) so every field knows the line it starts on.
 */
#include "ap_csv.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK (64 * 1024)
#define END (-1) /* end of input, from peek/next */

struct ap_csv {
    FILE *f;
    bool own;           /* opened by ap_csv_open, so closed by ap_csv_close */
    char *name;         /* for messages */
    unsigned char *in;  /* input block */
    size_t ipos, ilen;  /* unread bytes are in[ipos..ilen) */
    bool eof;           /* fread has reported end of file or an error */
    bool started;       /* the byte-order mark has been looked for */
    bool failed;        /* a structural error ended the file */
    bool bom;           /* the file began with a UTF-8 byte-order mark */
    long line;          /* physical line of the next unread byte */
    long blanks;        /* blank lines read ahead and not yet returned */
    long blank_line;    /* line of the next of those */
    char *rec;          /* the current record's bytes, fields NUL-terminated */
    size_t rlen, ralloc;
    size_t *starts;     /* offset of each field in rec */
    struct ap_csv_field *fields;
    size_t nfields, falloc;
};

/* Refill the block keeping unread bytes; false on a read error (reported). */
static bool refill(struct ap_csv *c, struct ap_diag *d)
{
    if (c->eof)
        return true;
    size_t keep = c->ilen - c->ipos;
    memmove(c->in, c->in + c->ipos, keep);
    c->ipos = 0;
    c->ilen = keep;
    size_t got = fread(c->in + keep, 1, BLOCK - keep, c->f);
    c->ilen += got;
    if (got < BLOCK - keep) {
        c->eof = true;
        if (ferror(c->f)) {
            ap_diag_report(d, AP_ERROR, AP_ERR_IO, c->name, c->line, 0, "cannot read the file: %s",
                           strerror(errno));
            return false;
        }
    }
    return true;
}

/* The next byte without consuming it, END at end of input, or -2 on a read error. */
static inline int peek(struct ap_csv *c, struct ap_diag *d)
{
    if (c->ipos == c->ilen) {
        if (c->eof)
            return END;
        if (!refill(c, d))
            return -2;
        if (c->ipos == c->ilen)
            return END;
    }
    return c->in[c->ipos];
}

/* After peek gave -2: the read error is already reported. */
static int read_failed(struct ap_csv *c)
{
    c->failed = true;
    return -1;
}

static inline void skip(struct ap_csv *c)
{
    c->ipos++;
}

static struct ap_csv *csv_new(FILE *f, const char *name, bool own)
{
    struct ap_csv *c = ap_xcalloc(1, sizeof *c);
    c->f = f;
    c->own = own;
    c->name = ap_xstrdup(name ? name : "(input)");
    c->in = ap_xmalloc(BLOCK);
    c->line = 1;
    return c;
}

enum ap_status ap_csv_open(const char *path, struct ap_csv **out, struct ap_diag *d)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, path, 0, 0, "cannot open the file: %s",
                       strerror(errno));
        return AP_ERR_IO;
    }
    *out = csv_new(f, path, true);
    return AP_OK;
}

struct ap_csv *ap_csv_from_stream(FILE *f, const char *name)
{
    return csv_new(f, name, false);
}

const char *ap_csv_name(const struct ap_csv *c)
{
    return c->name;
}

bool ap_csv_bom(const struct ap_csv *c)
{
    return c->bom;
}

void ap_csv_close(struct ap_csv *c)
{
    if (!c)
        return;
    if (c->own && c->f)
        fclose(c->f);
    free(c->name);
    free(c->in);
    free(c->rec);
    free(c->starts);
    free(c->fields);
    free(c);
}

/* A structural error: report it and make the reader return -1 from now on. */
static int fail(struct ap_csv *c, struct ap_diag *d, long line, long col, const char *msg)
{
    ap_diag_input(d, c->name, line, col, "%s", msg);
    c->failed = true;
    return -1;
}

/* Skip a UTF-8 byte-order mark; refuse UTF-16, which would otherwise show up
 * as NUL bytes with a less helpful message. */
static int start(struct ap_csv *c, struct ap_diag *d)
{
    c->started = true;
    while (!c->eof && c->ilen - c->ipos < 3)
        if (!refill(c, d))
            return -1;
    const unsigned char *p = c->in + c->ipos;
    size_t n = c->ilen - c->ipos;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        c->ipos += 3;
        c->bom = true;
    } else if (n >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF))) {
        return fail(c, d, 1, 0,
                    "the file is UTF-16, not UTF-8; save it as 'CSV UTF-8 (comma delimited)'");
    }
    return 0;
}

/* Make room for n more bytes and a NUL; false when the record would grow too long. */
static bool reserve(struct ap_csv *c, size_t n)
{
    while (c->rlen + n >= c->ralloc) {
        if (c->ralloc >= AP_CSV_MAX_RECORD + 2)
            return false;
        size_t a = c->ralloc ? c->ralloc * 2 : 4096;
        if (a > AP_CSV_MAX_RECORD + 2)
            a = AP_CSV_MAX_RECORD + 2;
        c->rec = ap_xrealloc(c->rec, a);
        c->ralloc = a;
    }
    return true;
}

/* Append one byte to the record; false when the record has grown too long. */
static inline bool put(struct ap_csv *c, char ch)
{
    if (c->rlen + 1 >= c->ralloc && !reserve(c, 1))
        return false;
    c->rec[c->rlen++] = ch;
    return true;
}

/* Append n bytes to the record: the same as n calls of put. */
static bool put_run(struct ap_csv *c, const unsigned char *p, size_t n)
{
    if (!reserve(c, n))
        return false;
    memcpy(c->rec + c->rlen, p, n);
    c->rlen += n;
    return true;
}

/* How many bytes from the read position on, within the block, are plain field
 * text (not , CR LF " or NUL). */
static size_t plain_run(const struct ap_csv *c)
{
    const unsigned char *p = c->in + c->ipos, *end = c->in + c->ilen, *q = p;
    while (q < end && *q != ',' && *q != '\n' && *q != '\r' && *q != '"' && *q != '\0')
        q++;
    return (size_t)(q - p);
}

/* Begin field number c->nfields + 1 on the current line. */
static bool begin_field(struct ap_csv *c)
{
    if (c->nfields == AP_CSV_MAX_FIELDS)
        return false;
    if (c->nfields == c->falloc) {
        c->falloc = c->falloc ? c->falloc * 2 : 32;
        c->starts = ap_xrealloc(c->starts, c->falloc * sizeof *c->starts);
        c->fields = ap_xrealloc(c->fields, c->falloc * sizeof *c->fields);
    }
    c->starts[c->nfields] = c->rlen;
    c->fields[c->nfields].line = c->line;
    c->nfields++;
    return true;
}

/* Consume one line end (LF, CRLF or CR) whose first byte ch is next. */
static void eat_line_end(struct ap_csv *c, struct ap_diag *d, int ch)
{
    skip(c);
    if (ch == '\r' && peek(c, d) == '\n')
        skip(c);
    c->line++;
}

static void blank_record(struct ap_csv *c, struct ap_csv_record *rec, long line)
{
    c->rlen = 0;
    c->nfields = 0;
    begin_field(c);
    c->fields[0].line = line;
    put(c, '\0');
    c->fields[0].s = c->rec;
    c->fields[0].len = 0;
    rec->n = 1;
    rec->fields = c->fields;
    rec->line = line;
    rec->bad = false;
}

int ap_csv_next(struct ap_csv *c, struct ap_csv_record *rec, struct ap_diag *d)
{
    memset(rec, 0, sizeof *rec);
    if (c->failed)
        return -1;
    if (!c->started && start(c, d) < 0)
        return -1;
    if (c->blanks > 0) {
        c->blanks--;
        blank_record(c, rec, c->blank_line++);
        return 1;
    }

    int ch = peek(c, d);
    if (ch == -2)
        return read_failed(c);
    if (ch == END)
        return 0;
    if (ch == '\n' || ch == '\r') {
        /* Blank lines: ignored if nothing but line ends follows, else records. */
        long first = c->line, n = 0;
        while (ch == '\n' || ch == '\r') {
            eat_line_end(c, d, ch);
            n++;
            ch = peek(c, d);
        }
        if (ch == -2)
            return read_failed(c);
        if (ch == END)
            return 0;
        c->blanks = n - 1;
        c->blank_line = first + 1;
        blank_record(c, rec, first);
        return 1;
    }

    rec->line = c->line;
    c->rlen = 0;
    c->nfields = 0;
    bool more = true;
    while (more) {
        if (!begin_field(c))
            return fail(c, d, c->line, (long)c->nfields + 1,
                        "the row has more than 1000 fields; is this the right file?");
        long col = (long)c->nfields;
        size_t flen = 0; /* bytes in the field, also those dropped past the limit */
        bool quoted = false, after_quote = false, stray = false;
        ch = peek(c, d);
        if (ch == '"') {
            quoted = true;
            long qline = c->line;
            skip(c);
            for (;;) {
                ch = peek(c, d);
                if (ch == -2)
                    return read_failed(c);
                if (ch == END)
                    return fail(c, d, qline, col,
                                "a quoted field starts here but its closing quote is missing "
                                "(the file ends inside it)");
                skip(c);
                if (ch == '"') {
                    if (peek(c, d) != '"')
                        break;
                    skip(c);
                } else if (ch == '\0') {
                    return fail(c, d, c->line, col,
                                "the file holds a NUL byte; it is not a text CSV file");
                } else if (ch == '\n') {
                    c->line++;
                } else if (ch == '\r' && peek(c, d) != '\n') {
                    c->line++;
                }
                if (++flen <= AP_CSV_MAX_FIELD && !put(c, (char)ch))
                    goto too_long;
            }
            ch = peek(c, d);
            if (ch != ',' && ch != '\n' && ch != '\r' && ch != END && ch != -2) {
                ap_diag_input(d, c->name, c->line, col,
                              "text follows the closing quote of a quoted field; put the whole "
                              "field in quotes and double any quote inside it (\"\")");
                rec->bad = true;
                after_quote = true;
            }
        }
        if (!quoted || after_quote) {
            for (;;) {
                /* Most bytes are none of , CR LF " NUL: take the run of them
                 * in the block at once. */
                size_t run = plain_run(c);
                if (run) {
                    size_t keep = flen >= AP_CSV_MAX_FIELD ? 0
                                  : run < AP_CSV_MAX_FIELD - flen ? run
                                                                  : AP_CSV_MAX_FIELD - flen;
                    if (keep && !put_run(c, c->in + c->ipos, keep))
                        goto too_long;
                    flen += run;
                    c->ipos += run;
                }
                ch = peek(c, d);
                if (ch == ',' || ch == '\n' || ch == '\r' || ch == END || ch == -2)
                    break;
                if (ch == '\0')
                    return fail(c, d, c->line, col,
                                "the file holds a NUL byte; it is not a text CSV file");
                if (ch == '"' && !stray && !after_quote) {
                    ap_diag_input(d, c->name, c->line, col,
                                  "a double quote appears inside a field that does not start "
                                  "with one; quote the whole field and double the quote (\"\")");
                    rec->bad = true;
                    stray = true;
                }
                skip(c);
                if (++flen <= AP_CSV_MAX_FIELD && !put(c, (char)ch))
                    goto too_long;
            }
        }
        if (ch == -2)
            return read_failed(c);
        if (flen > AP_CSV_MAX_FIELD) {
            ap_diag_input(d, c->name, c->fields[col - 1].line, col,
                          "the field is %zu bytes long; at most %d are allowed", flen,
                          AP_CSV_MAX_FIELD);
            rec->bad = true;
        }
        if (!put(c, '\0'))
            goto too_long;
        if (ch == ',')
            skip(c);
        else {
            if (ch == '\n' || ch == '\r')
                eat_line_end(c, d, ch);
            more = false;
        }
    }

    for (size_t i = 0; i < c->nfields; i++) {
        c->fields[i].s = c->rec + c->starts[i];
        size_t end = i + 1 < c->nfields ? c->starts[i + 1] : c->rlen;
        c->fields[i].len = end - c->starts[i] - 1;
    }
    rec->n = c->nfields;
    rec->fields = c->fields;
    return 1;

too_long:
    return fail(c, d, rec->line, (long)c->nfields, "the row is longer than 1 MiB; is this the right file?");
}
