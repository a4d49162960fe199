/*
 * ap_xlsx: the streaming workbook reader. One zip entry is open at a time; its
 * bytes go through part_read (which enforces the size limits and checks the CRC
 * at the end) into one expat parser whose handlers depend on the part being read.
 * A sheet is parsed with expat's suspend/resume: the end of a row that holds a
 * value suspends the parser, ap_xlsx_next returns the row, and the next call
 * resumes where it stopped. expat owns the input buffer (XML_GetBuffer), so a
 * suspended parse keeps its data.
 */
#include "ap_xlsx.h"

#include <errno.h>
#include <expat.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <minizip/unzip.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CHUNK 65536
#define MAX_TOKEN (16u << 20) /* bytes expat may hold without reporting an event */
#define NS_SEP ':'            /* a prefix's end in a name ("x:c", "r:id") */

enum part_kind { PART_RELS, PART_WORKBOOK, PART_SST, PART_STYLES, PART_SHEET };

struct sheet {
    char *name;   /* owned: the sheet's name as shown on its tab */
    char *rid;    /* owned: relationship id from workbook.xml */
    char *part;   /* owned: zip entry name, from the relationships (NULL if none) */
    bool is_work; /* a worksheet (not a chart sheet or macro sheet) */
};

struct rel {
    char *id, *type, *target; /* owned */
};

/* A cell of the row being built: where its text lives until the row is done. */
struct cellsrc {
    size_t off; /* offset in x->rowtext, or SIZE_MAX when cell.text is already set */
};

const struct ap_xlsx_limits ap_xlsx_default_limits = {AP_XLSX_MAX_PART,    AP_XLSX_MAX_SMALL_PART,
                                                      AP_XLSX_MAX_RATIO,   (uint64_t)1 << 20,
                                                      AP_XLSX_MAX_STRINGS, AP_XLSX_MAX_SST_BYTES};

struct ap_xlsx {
    char *path; /* owned: for messages */
    struct ap_xlsx_limits lim;
    unzFile zip;        /* minizip handle */
    uint64_t file_size; /* bytes of the .xlsx file (bounds any compressed size) */
    struct ap_diag *d;  /* borrowed during a call, for handlers to report through */

    bool date1904;
    struct sheet *sheets;
    size_t nsheets, sheets_alloc;
    struct rel *rels;
    size_t nrels, rels_alloc;

    struct ap_buf sst; /* shared strings, each NUL-terminated */
    uint32_t *sst_off; /* start of each string in sst */
    size_t nsst, sst_alloc;

    unsigned char *xf_date; /* enum ap_xlsx_datekind of each cellXfs entry */
    size_t nxf, xf_alloc;
    struct numfmt {
        unsigned id;
        unsigned char kind;
    } * fmts; /* custom formats */
    size_t nfmts, fmts_alloc;

    /* The entry being read and its parser. */
    enum part_kind kind;
    const char *part; /* name of the entry open (points into sheets or a literal) */
    bool entry_open;
    uint64_t got, csize, limit; /* uncompressed bytes so far, compressed size, limit */
    XML_Parser p;
    uint64_t fed;        /* bytes given to expat */
    uint64_t last_event; /* byte index of the last event expat reported */
    int depth;
    bool failed; /* a handler reported an error and stopped the parser */
    bool in_t;   /* collecting text: <t> of a string, <v> of a cell */
    int in_rph;  /* depth inside <rPh> (phonetic runs, not part of the text) */
    int section; /* styles: 1 in numFmts, 2 in cellXfs; workbook: unused */
    struct ap_buf text;

    /* The selected sheet. */
    long sel;        /* index into sheets, -1 before ap_xlsx_select */
    int state;       /* 0 reading, 1 at the end, -1 failed */
    bool suspended;  /* expat stopped at a row's end */
    bool input_done; /* expat has had the last chunk */
    bool in_sheetdata;
    long row; /* row being read */
    bool row_has_value;
    size_t col;     /* column of the cell being read */
    char ctype[12]; /* the cell's t attribute */
    unsigned style; /* the cell's s attribute */
    bool has_v, has_f, has_is;
    struct ap_xlsx_cell *cells;
    struct cellsrc *src;
    size_t ncells, cells_alloc, src_alloc;
    struct ap_buf rowtext;
    struct ap_buf place;
};

/* ---- messages -------------------------------------------------------------- */

char *ap_xlsx_cellref(size_t col, long row, char buf[16])
{
    char letters[8];
    size_t n = 0;
    size_t c = col + 1;
    while (c > 0 && n < sizeof letters) {
        letters[n++] = (char)('A' + (c - 1) % 26);
        c = (c - 1) / 26;
    }
    size_t k = 0;
    while (n > 0)
        buf[k++] = letters[--n];
    snprintf(buf + k, 16 - k, "%ld", row);
    return buf;
}

const char *ap_xlsx_place(struct ap_xlsx *x, size_t col, long row)
{
    ap_buf_reset(&x->place);
    ap_buf_adds(&x->place, x->path);
    if (x->sel >= 0)
        ap_buf_addf(&x->place, "[%s]", x->sheets[x->sel].name);
    if (col == (size_t)-1) {
        ap_buf_addf(&x->place, "!%ld:%ld", row, row);
    } else {
        char ref[16];
        ap_buf_addf(&x->place, "!%s", ap_xlsx_cellref(col, row, ref));
    }
    return x->place.buf;
}

/* An error at the current cell of the sheet; stops the parser. */
static void cell_error(struct ap_xlsx *x, const char *fmt, ...) AP_PRINTF(2, 3);
static void cell_error(struct ap_xlsx *x, const char *fmt, ...)
{
    if (x->failed)
        return;
    struct ap_buf msg = AP_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    ap_buf_vaddf(&msg, fmt, ap);
    va_end(ap);
    ap_diag_input(x->d, ap_xlsx_place(x, x->col, x->row), 0, 0, "%s", msg.buf);
    ap_buf_release(&msg);
    x->failed = true;
    XML_StopParser(x->p, XML_FALSE);
}

/* An error in the part being parsed, at expat's current line and column. */
static void part_error(struct ap_xlsx *x, const char *msg)
{
    if (x->failed)
        return;
    char *where = ap_xasprintf("%s:%s", x->path, x->part);
    ap_diag_input(x->d, where, (long)XML_GetCurrentLineNumber(x->p),
                  (long)XML_GetCurrentColumnNumber(x->p) + 1, "%s", msg);
    free(where);
    x->failed = true;
    XML_StopParser(x->p, XML_FALSE);
}

const char *ap_xlsx_cell_problem(const struct ap_xlsx_cell *c)
{
    switch (c->kind) {
    case AP_XLSX_ERROR:
        return "holds an error value";
    case AP_XLSX_UNCACHED:
        return "is a formula whose result was never saved (open and save the file in Excel or "
               "LibreOffice)";
    case AP_XLSX_TOOLONG:
        return "holds more than 4000 bytes of text";
    default:
        return NULL;
    }
}

/* ---- dates ----------------------------------------------------------------- */

bool ap_xlsx_serial_to_datetime(double serial, bool date1904, int64_t *secs, const char **why)
{
    /* 2958466 is 1 January 10000 in the 1900 system: well past AP_YEAR_MAX either way. */
    if (!isfinite(serial) || serial < 0 || serial >= 2958466.0) {
        *why = "is not a date (Excel dates are serial numbers from 1 up to 2958465)";
        return false;
    }
    int64_t total = (int64_t)llround(serial * 86400.0);
    int64_t days = total / 86400, rem = total % 86400;
    ap_day jan1; /* 1 January 1900 or 1904 (both within AP_YEAR_MIN) */
    ap_day_from_ymd(date1904 ? 1904 : 1900, 1, 1, &jan1);
    int64_t day;
    if (date1904) {
        day = jan1 + days;
    } else if (days == 60) {
        *why = "is 29 February 1900, a day that did not exist (Excel counts it, wrongly)";
        return false;
    } else if (days < 1) {
        *why = "is a time of day with no date";
        return false;
    } else {
        /* Serial 1 is 1 January 1900; from 61 on, the phantom day shifts the count by one. */
        day = jan1 + days - (days > 60 ? 2 : 1);
    }
    int y, m, dd;
    ap_day_to_ymd((ap_day)day, &y, &m, &dd);
    if (y < AP_YEAR_MIN || y > AP_YEAR_MAX) {
        *why = "is a date before 1900 or after 2199";
        return false;
    }
    *secs = day * 86400 + rem;
    return true;
}

bool ap_xlsx_serial_to_day(double serial, bool date1904, ap_day *out, const char **why)
{
    int64_t secs;
    if (!ap_xlsx_serial_to_datetime(serial, date1904, &secs, why))
        return false;
    *out = (ap_day)(secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400)); /* floor */
    return true;
}

/* ---- names and attributes -------------------------------------------------- */

/* The local part of a name, after any prefix ("x:c" -> "c"). The parser does
 * no namespace processing (it costs a quarter of a sheet's time), so a name is
 * matched by its local part whatever its prefix. */
static const char *local(const char *name)
{
    const char *l = name;
    for (const char *s = name; *s; s++)
        if (*s == NS_SEP)
            l = s + 1;
    return l;
}

static bool is(const char *name, const char *want)
{
    return !strcmp(local(name), want);
}

/* Attribute by local name; with_ns: only a prefixed one (r:id), else only a
 * plain one. Namespace declarations (xmlns, xmlns:r) are never one. */
static const char *attr(const char **atts, const char *want, bool with_ns)
{
    for (size_t i = 0; atts[i]; i += 2) {
        bool has_ns = strchr(atts[i], NS_SEP) != NULL;
        if (!strncmp(atts[i], "xmlns", 5) && (atts[i][5] == '\0' || atts[i][5] == NS_SEP))
            continue;
        if (has_ns == with_ns && !strcmp(local(atts[i]), want))
            return atts[i + 1];
    }
    return NULL;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    long v;
    if (!s || !ap_parse_long(s, 0, (long)max, &v))
        return false;
    *out = (unsigned long)v;
    return true;
}

/* ASCII case-insensitive comparison of the first n bytes of s with lower-case want. */
static bool starts_nocase(const char *s, const char *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!s[i] || (char)(s[i] | 0x20) != want[i])
            return false;
    return true;
}

/* ---- the zip --------------------------------------------------------------- */

static void entry_close(struct ap_xlsx *x)
{
    if (x->entry_open)
        unzCloseCurrentFile(x->zip); /* abandoned early: its CRC is not checked */
    x->entry_open = false;
}

/* Open entry name for reading with the given limit. missing_ok: return AP_OK
 * with *found false when there is no such entry. */
static enum ap_status entry_open(struct ap_xlsx *x, const char *name, uint64_t limit,
                                 bool missing_ok, bool *found)
{
    entry_close(x);
    x->part = name;
    if (found)
        *found = false;
    if (unzLocateFile(x->zip, name, 2) != UNZ_OK) {
        if (missing_ok)
            return AP_OK;
        ap_diag_input(x->d, x->path, 0, 0,
                      "the workbook has no part %s: the file is damaged or "
                      "not an .xlsx workbook",
                      name);
        return AP_ERR_INPUT;
    }
    unz_file_info64 info;
    if (unzGetCurrentFileInfo64(x->zip, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK) {
        ap_diag_input(x->d, x->path, 0, 0, "cannot read the zip entry %s: the file is damaged",
                      name);
        return AP_ERR_INPUT;
    }
    if (info.flag & 1) {
        ap_diag_input(x->d, x->path, 0, 0,
                      "the part %s is encrypted: save the workbook without "
                      "a password",
                      name);
        return AP_ERR_INPUT;
    }
    if (info.compression_method != 0 && info.compression_method != Z_DEFLATED) {
        ap_diag_input(x->d, x->path, 0, 0,
                      "the part %s is compressed with method %lu, which "
                      "workbooks do not use",
                      name, (unsigned long)info.compression_method);
        return AP_ERR_INPUT;
    }
    x->csize = info.compressed_size < x->file_size ? info.compressed_size : x->file_size;
    if (x->csize == 0)
        x->csize = 1;
    x->limit = limit;
    x->got = 0;
    if (info.uncompressed_size > limit || (info.uncompressed_size > x->lim.ratio_from &&
                                           info.uncompressed_size / x->csize > x->lim.ratio)) {
        ap_diag_input(x->d, x->path, 0, 0,
                      "the part %s would inflate to %llu bytes from %llu: "
                      "refusing it (a zip bomb?)",
                      name, (unsigned long long)info.uncompressed_size,
                      (unsigned long long)info.compressed_size);
        return AP_ERR_INPUT;
    }
    if (unzOpenCurrentFile(x->zip) != UNZ_OK) {
        ap_diag_input(x->d, x->path, 0, 0, "cannot open the zip entry %s: the file is damaged",
                      name);
        return AP_ERR_INPUT;
    }
    x->entry_open = true;
    if (found)
        *found = true;
    return AP_OK;
}

/* Read up to len bytes of the open entry; 0 at its end (after the CRC check),
 * -1 on an error (reported). */
static int entry_read(struct ap_xlsx *x, void *buf, int len)
{
    int n = unzReadCurrentFile(x->zip, buf, (unsigned)len);
    if (n < 0) {
        ap_diag_input(x->d, x->path, 0, 0, "cannot inflate the part %s: the file is damaged",
                      x->part);
        return -1;
    }
    x->got += (uint64_t)n;
    if (x->got > x->limit || (x->got > x->lim.ratio_from && x->got / x->csize > x->lim.ratio)) {
        ap_diag_input(x->d, x->path, 0, 0,
                      "the part %s inflates past %llu bytes from %llu: "
                      "refusing it (a zip bomb?)",
                      x->part, (unsigned long long)x->got, (unsigned long long)x->csize);
        return -1;
    }
    if (n == 0) {
        x->entry_open = false;
        int rc = unzCloseCurrentFile(x->zip);
        if (rc == UNZ_CRCERROR) {
            ap_diag_input(x->d, x->path, 0, 0,
                          "the part %s fails its CRC check: the file is "
                          "damaged",
                          x->part);
            return -1;
        }
        if (rc != UNZ_OK) {
            ap_diag_input(x->d, x->path, 0, 0,
                          "cannot read the part %s to its end: the file is "
                          "damaged",
                          x->part);
            return -1;
        }
    }
    return n;
}

/* ---- expat ----------------------------------------------------------------- */

static void on_start(void *ud, const char *name, const char **atts);
static void on_end(void *ud, const char *name);
static void on_text(void *ud, const char *s, int len);

static void on_default(void *ud, const char *s, int len)
{
    (void)s;
    (void)len;
    struct ap_xlsx *x = ud;
    x->last_event = (uint64_t)XML_GetCurrentByteIndex(x->p);
}

static void on_doctype(void *ud, const char *name, const char *sysid, const char *pubid,
                       int has_internal)
{
    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal;
    part_error(ud, "the part has a document type declaration, which workbooks never have");
}

static void parser_free(struct ap_xlsx *x)
{
    if (x->p)
        XML_ParserFree(x->p);
    x->p = NULL;
}

static void parser_new(struct ap_xlsx *x, enum part_kind kind)
{
    parser_free(x);
    x->p = XML_ParserCreate(NULL);
    if (!x->p)
        ap_die_oom();
    XML_SetUserData(x->p, x);
    XML_SetElementHandler(x->p, on_start, on_end);
    XML_SetCharacterDataHandler(x->p, on_text);
    XML_SetDefaultHandler(x->p, on_default);
    XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
    XML_SetParamEntityParsing(x->p, XML_PARAM_ENTITY_PARSING_NEVER);
    x->kind = kind;
    x->fed = x->last_event = 0;
    x->depth = 0;
    x->failed = false;
    x->in_t = false;
    x->in_rph = 0;
    x->section = 0;
    x->suspended = false;
    x->input_done = false;
    ap_buf_reset(&x->text);
}

/* Report expat's error unless a handler already did. */
static void parse_failed(struct ap_xlsx *x)
{
    if (x->failed)
        return;
    char *msg = ap_xasprintf("the XML is broken: %s", XML_ErrorString(XML_GetErrorCode(x->p)));
    part_error(x, msg);
    free(msg);
}

/* Feed expat until it suspends (1), reaches the end of the entry (0) or fails (-1). */
static int pump(struct ap_xlsx *x)
{
    for (;;) {
        enum XML_Status st;
        if (x->suspended) {
            x->suspended = false;
            st = XML_ResumeParser(x->p);
        } else if (x->input_done) {
            return 0;
        } else {
            void *buf = XML_GetBuffer(x->p, CHUNK);
            if (!buf)
                ap_die_oom();
            int n = entry_read(x, buf, CHUNK);
            if (n < 0)
                return -1;
            x->fed += (uint64_t)n;
            x->input_done = n == 0;
            st = XML_ParseBuffer(x->p, n, n == 0);
        }
        if (st == XML_STATUS_ERROR) {
            parse_failed(x);
            return -1;
        }
        if (st == XML_STATUS_SUSPENDED) {
            x->suspended = true;
            return 1;
        }
        if (x->fed - x->last_event > MAX_TOKEN) {
            part_error(x, "an XML element or comment is longer than 16 MiB: refusing it");
            return -1;
        }
    }
}

/* Parse a whole small part with the handlers of kind. */
static enum ap_status parse_part(struct ap_xlsx *x, const char *name, enum part_kind kind,
                                 bool missing_ok)
{
    bool found;
    enum ap_status rc = entry_open(x, name, x->lim.small_part, missing_ok, &found);
    if (rc != AP_OK || !found)
        return rc;
    parser_new(x, kind);
    int r = pump(x);
    if (r == 1) /* only sheets suspend */
        r = -1;
    entry_close(x);
    parser_free(x);
    return r == 0 ? AP_OK : AP_ERR_INPUT;
}

/* ---- part handlers ---------------------------------------------------------- */

/* Decode the _xHHHH_ escapes OOXML uses for control characters, in place. */
static void unescape_x(struct ap_buf *b, size_t from)
{
    char *s = b->buf + from, *w = s;
    const char *r = s, *end = b->buf + b->len;
    while (r < end) {
        unsigned long v;
        char hex[5];
        if (end - r >= 7 && r[0] == '_' && r[1] == 'x' && r[6] == '_') {
            memcpy(hex, r + 2, 4);
            hex[4] = '\0';
            char *stop;
            v = strtoul(hex, &stop, 16);
            if (stop == hex + 4 && strspn(hex, "0123456789abcdefABCDEF") == 4 && v > 0 &&
                (v < 0xD800 || v > 0xDFFF)) {
                if (v < 0x80) {
                    *w++ = (char)v;
                } else if (v < 0x800) {
                    *w++ = (char)(0xC0 | (v >> 6));
                    *w++ = (char)(0x80 | (v & 0x3F));
                } else {
                    *w++ = (char)(0xE0 | (v >> 12));
                    *w++ = (char)(0x80 | ((v >> 6) & 0x3F));
                    *w++ = (char)(0x80 | (v & 0x3F));
                }
                r += 7;
                continue;
            }
        }
        *w++ = *r++;
    }
    b->len = (size_t)(w - b->buf);
    b->buf[b->len] = '\0';
}

static void rels_start(struct ap_xlsx *x, const char *name, const char **atts)
{
    if (!is(name, "Relationship"))
        return;
    const char *id = attr(atts, "Id", false), *type = attr(atts, "Type", false),
               *target = attr(atts, "Target", false);
    if (!id || !type || !target)
        return;
    if (x->nrels >= AP_XLSX_MAX_ENTRIES) {
        part_error(x, "too many relationships");
        return;
    }
    ap_grow((void **)&x->rels, sizeof *x->rels, x->nrels + 1, &x->rels_alloc);
    x->rels[x->nrels].id = ap_xstrdup(id);
    x->rels[x->nrels].type = ap_xstrdup(type);
    x->rels[x->nrels].target = ap_xstrdup(target);
    x->nrels++;
}

static void workbook_start(struct ap_xlsx *x, const char *name, const char **atts)
{
    if (is(name, "workbookPr")) {
        const char *v = attr(atts, "date1904", false);
        x->date1904 = v && (!strcmp(v, "1") || !strcmp(v, "true"));
    } else if (is(name, "sheet")) {
        const char *sname = attr(atts, "name", false), *rid = attr(atts, "id", true);
        if (!sname || !rid) {
            part_error(x, "a sheet has no name or no relationship id");
            return;
        }
        if (x->nsheets >= AP_XLSX_MAX_SHEETS) {
            part_error(x, "the workbook has more than 1000 sheets");
            return;
        }
        ap_grow((void **)&x->sheets, sizeof *x->sheets, x->nsheets + 1, &x->sheets_alloc);
        struct sheet *s = &x->sheets[x->nsheets++];
        s->name = ap_xstrdup(sname);
        s->rid = ap_xstrdup(rid);
        s->part = NULL;
        s->is_work = false;
    }
}

static void sst_end_string(struct ap_xlsx *x)
{
    if (x->nsst >= x->lim.strings) {
        char *msg = ap_xasprintf("the workbook has more than %zu shared strings: refusing it",
                                 x->lim.strings);
        part_error(x, msg);
        free(msg);
        return;
    }
    ap_grow((void **)&x->sst_off, sizeof *x->sst_off, x->nsst + 1, &x->sst_alloc);
    x->sst_off[x->nsst++] = (uint32_t)x->sst.len;
    unescape_x(&x->text, 0);
    ap_buf_add(&x->sst, x->text.buf, x->text.len + 1); /* with its NUL */
    ap_buf_reset(&x->text);
}

/* Whether a custom number format shows a date or a time: the letters d, m, y,
 * h, s and AM/PM outside quotes, brackets and escapes. An m is minutes after an
 * h or before an s ("h:mm", "mm:ss"), else months. */
static unsigned char format_kind(const char *code)
{
    bool date = false, time = false;
    char last = 0; /* the last date or time letter seen */
    for (const char *s = code; *s; s++) {
        char c = (char)(*s | 0x20);
        if (*s == '"' || *s == '[') {
            const char *q = strchr(s + 1, *s == '"' ? '"' : ']');
            if (!q)
                break;
            s = q;
        } else if (*s == '\\' || *s == '_' || *s == '*') {
            if (!s[1])
                break;
            s++;
        } else if (starts_nocase(s, "am/pm", 5) || starts_nocase(s, "a/p", 3)) {
            time = true;
            s += s[1] == '/' ? 2 : 4;
        } else if (c == 'h' || c == 's') {
            time = true;
            last = c;
        } else if (c == 'd' || c == 'y') {
            date = true;
            last = c;
        } else if (c == 'm') {
            const char *n = s;
            while ((*n | 0x20) == 'm')
                n++;
            while (*n && !((*n | 0x20) >= 'a' && (*n | 0x20) <= 'z'))
                n++;
            if (last == 'h' || (*n | 0x20) == 's')
                time = true;
            else
                date = true;
            last = 'm';
            s = n - 1;
        }
    }
    return time ? AP_XLSX_DATETIME : date ? AP_XLSX_DATE : AP_XLSX_NOT_DATE;
}

/* Built-in formats (ECMA-376 18.8.30): 14-17 dates, 18-22 and 45-47 times. */
static unsigned char builtin_kind(unsigned long id)
{
    if (id >= 14 && id <= 17)
        return AP_XLSX_DATE;
    if ((id >= 18 && id <= 22) || (id >= 45 && id <= 47))
        return AP_XLSX_DATETIME;
    return AP_XLSX_NOT_DATE;
}

static void styles_start(struct ap_xlsx *x, const char *name, const char **atts)
{
    if (is(name, "numFmts")) {
        x->section = 1;
    } else if (is(name, "cellXfs")) {
        x->section = 2;
    } else if (x->section == 1 && is(name, "numFmt")) {
        unsigned long id;
        const char *code = attr(atts, "formatCode", false);
        if (!parse_uint(attr(atts, "numFmtId", false), 1000000, &id) || !code)
            return;
        if (x->nfmts >= AP_XLSX_MAX_STYLES) {
            part_error(x, "the workbook has more than 65536 number formats");
            return;
        }
        ap_grow((void **)&x->fmts, sizeof *x->fmts, x->nfmts + 1, &x->fmts_alloc);
        x->fmts[x->nfmts].id = (unsigned)id;
        x->fmts[x->nfmts].kind = format_kind(code);
        x->nfmts++;
    } else if (x->section == 2 && is(name, "xf")) {
        unsigned long id = 0;
        if (!parse_uint(attr(atts, "numFmtId", false), 1000000, &id))
            id = 0;
        unsigned char kind = builtin_kind(id);
        for (size_t i = 0; i < x->nfmts; i++)
            if (x->fmts[i].id == id)
                kind = x->fmts[i].kind;
        if (x->nxf >= AP_XLSX_MAX_STYLES) {
            part_error(x, "the workbook has more than 65536 cell formats");
            return;
        }
        ap_grow((void **)&x->xf_date, 1, x->nxf + 1, &x->xf_alloc);
        x->xf_date[x->nxf++] = kind;
    }
}

/* ---- the sheet ---------------------------------------------------------------- */

/* Column of a reference such as "B12" (0-based); false if it is not one. */
static bool parse_ref(const char *r, size_t *col)
{
    size_t c = 0, letters = 0;
    for (; (*r >= 'A' && *r <= 'Z') || (*r >= 'a' && *r <= 'z'); r++) {
        if (++letters > 3)
            return false;
        c = c * 26 + (size_t)((*r | 0x20) - 'a' + 1);
    }
    if (letters == 0 || c > AP_XLSX_MAX_COLUMN)
        return false;
    if (*r && strspn(r, "0123456789") != strlen(r))
        return false;
    *col = c - 1;
    return true;
}

static void row_start(struct ap_xlsx *x, const char **atts)
{
    const char *r = attr(atts, "r", false);
    unsigned long n;
    if (r) {
        if (!parse_uint(r, AP_XLSX_MAX_ROW, &n) || n == 0) {
            x->col = (size_t)-1;
            cell_error(x, "the row number '%s' is not one from 1 to 1048576", r);
            return;
        }
        x->row = (long)n;
    } else if (x->row >= AP_XLSX_MAX_ROW) {
        cell_error(x, "%s", "the sheet has rows past row 1048576");
        return;
    } else {
        x->row++;
    }
    x->ncells = 0;
    x->row_has_value = false;
    ap_buf_reset(&x->rowtext);
    x->col = (size_t)-1;
}

static void cell_start(struct ap_xlsx *x, const char **atts)
{
    /* One pass for the plain attributes r, t and s (as attr() would find them). */
    const char *r = NULL, *t = NULL, *s = NULL;
    for (size_t i = 0; atts[i]; i += 2) {
        const char *a = atts[i];
        if (a[0] && !a[1]) {
            if (a[0] == 'r' && !r)
                r = atts[i + 1];
            else if (a[0] == 't' && !t)
                t = atts[i + 1];
            else if (a[0] == 's' && !s)
                s = atts[i + 1];
        }
    }
    if (r) {
        if (!parse_ref(r, &x->col)) {
            cell_error(x, "'%s' is not a cell reference (A1 to XFD1048576)", r);
            return;
        }
    } else {
        x->col = x->col == (size_t)-1 ? 0 : x->col + 1;
        if (x->col >= AP_XLSX_MAX_COLUMN) {
            cell_error(x, "%s", "the row has cells past column XFD");
            return;
        }
    }
    if (!t)
        t = "n";
    if (strlen(t) >= sizeof x->ctype) {
        cell_error(x, "the cell type '%s' is not one workbooks use", t);
        return;
    }
    memcpy(x->ctype, t, strlen(t) + 1);
    unsigned long st = 0;
    x->style = parse_uint(s, AP_XLSX_MAX_STYLES, &st) ? (unsigned)st : 0;
    x->has_v = x->has_f = x->has_is = false;
    ap_buf_reset(&x->text);
}

/* Put the finished cell into the row. text is NULL when it lives in x->text. */
static void cell_store(struct ap_xlsx *x, enum ap_xlsx_kind kind, const char *text, double num)
{
    if (x->col >= AP_XLSX_MAX_COLS) {
        char ref[16];
        ap_xlsx_cellref(AP_XLSX_MAX_COLS - 1, 1, ref);
        ref[strcspn(ref, "0123456789")] = '\0'; /* the column's letters alone: "ALL" */
        cell_error(x,
                   "the cell holds a value past column %s: actionplan reads at most 1000 "
                   "columns",
                   ref);
        return;
    }
    if (x->col + 1 > x->ncells) {
        ap_grow((void **)&x->cells, sizeof *x->cells, x->col + 1, &x->cells_alloc);
        ap_grow((void **)&x->src, sizeof *x->src, x->col + 1, &x->src_alloc);
        for (size_t i = x->ncells; i < x->col; i++) {
            x->cells[i] = (struct ap_xlsx_cell){AP_XLSX_EMPTY, AP_XLSX_NOT_DATE, "", 0, 0};
            x->src[i].off = SIZE_MAX;
        }
        x->ncells = x->col + 1;
    }
    struct ap_xlsx_cell *c = &x->cells[x->col];
    c->kind = kind;
    c->num = num;
    c->date = AP_XLSX_NOT_DATE;
    if (kind == AP_XLSX_NUMBER && x->style < x->nxf)
        c->date = (enum ap_xlsx_datekind)x->xf_date[x->style];
    if (kind == AP_XLSX_TOOLONG || kind == AP_XLSX_UNCACHED) {
        text = "";
    }
    if (text) {
        c->text = text;
        c->len = strlen(text);
        x->src[x->col].off = SIZE_MAX;
    } else {
        c->text = NULL;
        c->len = x->text.len;
        x->src[x->col].off = x->rowtext.len;
        ap_buf_add(&x->rowtext, x->text.buf, x->text.len + 1);
    }
    x->row_has_value = true;
}

/* Format v as the shortest decimal that reads back as v; from: the first
 * precision to try (16 when 15 is known to fail). */
static void shortest_from(double v, int from, char out[32])
{
    for (int prec = from; prec <= 17; prec++) {
        snprintf(out, 32, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            return;
    }
}

static void shortest(double v, char out[32])
{
    shortest_from(v, 15, out);
}

/* Whether no decimal of 15 significant digits reads back as v, decided on the
 * text v was read from (a plain decimal, as is_shortest() takes, of 16 or 17
 * digits) without printing v: the text rounded to 15 digits reads back as v
 * exactly when "%.15g" of v does. (15-digit decimals are at least 4.5 units in
 * the last place of a double apart, and v and its text are within half a unit
 * of each other, so a 15-digit decimal that reads back as v is the nearest one
 * to both.) */
static bool fifteen_fails(const char *text, double v)
{
    size_t len = strlen(text);
    if (len > 40 || strspn(text, "-0123456789.") != len)
        return false;
    char d[48];
    size_t n = 0, sig = 0;
    const char *p = text;
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9' && (sig || *p != '0') && ++sig > 15)
            break;
        d[n++] = *p;
    }
    if (!*p)
        return false;    /* 15 digits or fewer: not this case */
    size_t last = n;     /* d[0..last) holds the 15 digits */
    bool up = *p >= '5'; /* a tie reads back neither way (see above) */
    for (; *p >= '0' && *p <= '9'; p++)
        d[n++] = '0'; /* cut digits before any point stand as zeros */
    d[n] = '\0';
    for (size_t i = last; up && i-- > 0;) {
        if (d[i] == '.')
            continue;
        if (d[i] == '-')
            break;
        if (d[i] == '9') {
            d[i] = '0';
        } else {
            d[i]++;
            up = false;
        }
    }
    if (up)
        return false; /* carried past the first digit (999...): leave it to shortest() */
    return strtod(d, NULL) != v;
}

/* Whether v, read from text, is already what shortest() would print: a plain
 * decimal ("-12", "0.25", "45123.5416666667") with no exponent, no leading or
 * trailing zeros, at most 15 significant digits (so "%.15g" gives its digits
 * back: DBL_DIG) and, below 1, at most three zeros after the point ("%g" would
 * write 1e-05). Most number cells (ids, counts, dates, times) are such. */
static bool is_shortest(const char *text, double v)
{
    const char *p = text;
    if (*p == '-') {
        if (v == 0)
            return false; /* -0 prints as "-0" */
        p++;
    }
    size_t sig = 0, lead = 0;
    bool below1 = p[0] == '0';
    if (below1) {
        p++;
    } else {
        for (; *p >= '0' && *p <= '9'; p++)
            sig++;
        if (sig == 0)
            return false;
    }
    if (*p == '.') {
        p++;
        const char *frac = p;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (below1 && sig == 0 && *p == '0')
                lead++;
            else
                sig++;
        }
        if (p == frac || p[-1] == '0' || (below1 && (sig == 0 || lead > 3)))
            return false;
    }
    return *p == '\0' && sig <= 15;
}

static void cell_end(struct ap_xlsx *x)
{
    const char *t = x->ctype;
    if (x->has_f && !x->has_v) {
        cell_store(x, AP_XLSX_UNCACHED, "", 0);
        return;
    }
    if (!strcmp(t, "s")) {
        if (!x->has_v)
            return;
        unsigned long i;
        if (!parse_uint(x->text.buf, LONG_MAX, &i) || i >= x->nsst) {
            cell_error(x, "the cell refers to shared string '%s', which the workbook does not have",
                       x->text.buf);
            return;
        }
        const char *s = x->sst.buf + x->sst_off[i];
        size_t len = strlen(s);
        if (len > AP_XLSX_MAX_TEXT)
            cell_store(x, AP_XLSX_TOOLONG, "", 0);
        else if (len > 0)
            cell_store(x, AP_XLSX_STRING, s, 0);
        return;
    }
    if (!x->has_v && !x->has_is)
        return;
    if (!strcmp(t, "inlineStr") || !strcmp(t, "str") || !strcmp(t, "d")) {
        unescape_x(&x->text, 0);
        if (x->text.len > AP_XLSX_MAX_TEXT)
            cell_store(x, AP_XLSX_TOOLONG, "", 0);
        else if (x->text.len > 0)
            cell_store(x, AP_XLSX_STRING, NULL, 0);
    } else if (!strcmp(t, "b")) {
        if (strcmp(x->text.buf, "0") && strcmp(x->text.buf, "1")) {
            cell_error(x, "the boolean cell holds '%s', not 0 or 1", x->text.buf);
            return;
        }
        bool v = x->text.buf[0] == '1';
        cell_store(x, AP_XLSX_BOOL, v ? "TRUE" : "FALSE", v);
    } else if (!strcmp(t, "e")) {
        if (x->text.len > 32) {
            cell_error(x, "%s", "the cell holds an error value that is not one Excel has");
            return;
        }
        cell_store(x, AP_XLSX_ERROR, NULL, 0);
    } else if (!strcmp(t, "n")) {
        char *end;
        const char *v = x->text.buf;
        v += strspn(v, " \t\r\n");
        if (!*v)
            return;
        errno = 0;
        double num = strtod(v, &end);
        end += strspn(end, " \t\r\n");
        if (*end || !isfinite(num) || errno == ERANGE) {
            cell_error(x, "the number cell holds '%s', which is not a number", x->text.buf);
            return;
        }
        /* A cell already in its shortest form keeps its text; any other is
         * printed again. */
        if (v != x->text.buf || !is_shortest(v, num)) {
            char buf[32];
            if (v == x->text.buf && fifteen_fails(v, num))
                shortest_from(num, 16, buf);
            else
                shortest(num, buf);
            ap_buf_reset(&x->text);
            ap_buf_adds(&x->text, buf);
        }
        cell_store(x, AP_XLSX_NUMBER, NULL, num);
    } else {
        cell_error(x, "the cell type '%s' is not one workbooks use", t);
    }
}

/* The row is complete: point the cells at their text and suspend the parse. */
static void row_end(struct ap_xlsx *x)
{
    if (!x->row_has_value)
        return;
    for (size_t i = 0; i < x->ncells; i++)
        if (x->src[i].off != SIZE_MAX)
            x->cells[i].text = x->rowtext.buf + x->src[i].off;
    XML_StopParser(x->p, XML_TRUE);
}

/* The sheet's elements, told apart by length and letters rather than a chain
 * of strcmp: this runs for every element of every row. */
enum sheet_elem { SE_OTHER, SE_ROW, SE_C, SE_V, SE_F, SE_IS, SE_T, SE_RPH, SE_SHEETDATA };

static enum sheet_elem sheet_elem(const char *name)
{
    const char *n = local(name);
    switch (n[0]) {
    case 'c':
        return n[1] ? SE_OTHER : SE_C;
    case 'v':
        return n[1] ? SE_OTHER : SE_V;
    case 'f':
        return n[1] ? SE_OTHER : SE_F;
    case 't':
        return n[1] ? SE_OTHER : SE_T;
    case 'i':
        return n[1] == 's' && !n[2] ? SE_IS : SE_OTHER;
    case 'r':
        if (n[1] == 'o' && n[2] == 'w' && !n[3])
            return SE_ROW;
        return n[1] == 'P' && n[2] == 'h' && !n[3] ? SE_RPH : SE_OTHER;
    case 's':
        return !strcmp(n, "sheetData") ? SE_SHEETDATA : SE_OTHER;
    default:
        return SE_OTHER;
    }
}

static void sheet_start(struct ap_xlsx *x, const char *name, const char **atts)
{
    enum sheet_elem e = sheet_elem(name);
    if (!x->in_sheetdata) {
        x->in_sheetdata = e == SE_SHEETDATA;
        return;
    }
    switch (e) {
    case SE_ROW:
        row_start(x, atts);
        break;
    case SE_C:
        cell_start(x, atts);
        break;
    case SE_V:
        x->has_v = true;
        x->in_t = true;
        ap_buf_reset(&x->text);
        break;
    case SE_F:
        x->has_f = true;
        break;
    case SE_IS:
        x->has_is = true;
        break;
    case SE_T:
        if (x->has_is)
            x->in_t = true;
        break;
    case SE_RPH:
        x->in_rph++;
        break;
    default:
        break;
    }
}

static void sheet_end(struct ap_xlsx *x, const char *name)
{
    if (!x->in_sheetdata)
        return; /* elements before and after the cells: nothing to undo */
    switch (sheet_elem(name)) {
    case SE_V:
    case SE_T:
        x->in_t = false;
        break;
    case SE_RPH:
        x->in_rph--;
        break;
    case SE_C:
        cell_end(x);
        break;
    case SE_ROW:
        row_end(x);
        break;
    case SE_SHEETDATA:
        x->in_sheetdata = false;
        break;
    default:
        break;
    }
}

/* ---- dispatch ------------------------------------------------------------------ */

static void on_start(void *ud, const char *name, const char **atts)
{
    struct ap_xlsx *x = ud;
    if (x->failed)
        return;
    x->last_event = (uint64_t)XML_GetCurrentByteIndex(x->p);
    if (++x->depth > AP_XLSX_MAX_DEPTH) {
        part_error(x, "the XML is nested more than 64 elements deep: refusing it");
        return;
    }
    switch (x->kind) {
    case PART_RELS:
        rels_start(x, name, atts);
        break;
    case PART_WORKBOOK:
        workbook_start(x, name, atts);
        break;
    case PART_SST:
        if (is(name, "si"))
            ap_buf_reset(&x->text);
        else if (is(name, "t"))
            x->in_t = true;
        else if (is(name, "rPh"))
            x->in_rph++;
        break;
    case PART_STYLES:
        styles_start(x, name, atts);
        break;
    case PART_SHEET:
        sheet_start(x, name, atts);
        break;
    }
}

static void on_end(void *ud, const char *name)
{
    struct ap_xlsx *x = ud;
    if (x->failed)
        return;
    x->last_event = (uint64_t)XML_GetCurrentByteIndex(x->p);
    x->depth--;
    switch (x->kind) {
    case PART_SST:
        if (is(name, "si"))
            sst_end_string(x);
        else if (is(name, "t"))
            x->in_t = false;
        else if (is(name, "rPh"))
            x->in_rph--;
        break;
    case PART_STYLES:
        if (is(name, "numFmts") || is(name, "cellXfs"))
            x->section = 0;
        break;
    case PART_SHEET:
        sheet_end(x, name);
        break;
    default:
        break;
    }
}

static void on_text(void *ud, const char *s, int len)
{
    struct ap_xlsx *x = ud;
    if (x->failed)
        return;
    x->last_event = (uint64_t)XML_GetCurrentByteIndex(x->p);
    if (!x->in_t || x->in_rph > 0)
        return;
    if (x->kind == PART_SST) {
        if (x->sst.len + x->text.len + (size_t)len > x->lim.sst_bytes) {
            char *msg = ap_xasprintf("the shared strings hold more than %zu bytes of text: "
                                     "refusing them",
                                     x->lim.sst_bytes);
            part_error(x, msg);
            free(msg);
            return;
        }
    } else if (x->text.len + (size_t)len > 7 * AP_XLSX_MAX_TEXT + 7) {
        /* Past any cell actionplan accepts, even with _xHHHH_ escapes: keep a marker. */
        if (x->text.len <= AP_XLSX_MAX_TEXT)
            ap_buf_add(&x->text, s, (size_t)len);
        return;
    }
    ap_buf_add(&x->text, s, (size_t)len);
}

/* ---- opening ---------------------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* The zip entry a relationship target names, relative to dir ("xl/"). Caller owns. */
static char *resolve(const char *dir, const char *target)
{
    struct ap_buf b = AP_BUF_INIT;
    if (target[0] == '/')
        target++;
    else
        ap_buf_adds(&b, dir);
    ap_buf_adds(&b, target);
    /* Drop "./" and fold "seg/../". */
    struct ap_buf out = AP_BUF_INIT;
    const char *s = b.buf;
    while (*s) {
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 2 && !strncmp(s, "..", 2)) {
            size_t k = out.len > 0 ? out.len - 1 : 0; /* out ends with '/' */
            while (k > 0 && out.buf[k - 1] != '/')
                k--;
            out.len = k;
            out.buf[out.len] = '\0';
        } else if (!(n == 1 && s[0] == '.') && n > 0) {
            ap_buf_add(&out, s, n);
            if (e)
                ap_buf_addch(&out, '/');
        }
        s += n + (e ? 1 : 0);
    }
    ap_buf_release(&b);
    return ap_buf_detach(&out);
}

static const struct rel *rel_find(const struct ap_xlsx *x, const char *id, const char *type)
{
    for (size_t i = 0; i < x->nrels; i++)
        if ((!id || !strcmp(x->rels[i].id, id)) && (!type || ends_with(x->rels[i].type, type)))
            return &x->rels[i];
    return NULL;
}

static void rels_free(struct ap_xlsx *x)
{
    for (size_t i = 0; i < x->nrels; i++) {
        free(x->rels[i].id);
        free(x->rels[i].type);
        free(x->rels[i].target);
    }
    x->nrels = 0;
}

/* Refuse what is plainly not a zip, naming what it is instead. */
static enum ap_status check_magic(struct ap_xlsx *x)
{
    static const unsigned char cfb[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
    struct stat st;
    FILE *f = fopen(x->path, "rb");
    if (!f || fstat(fileno(f), &st) != 0) {
        ap_diag_report(x->d, AP_ERROR, AP_ERR_IO, x->path, 0, 0, "cannot open: %s",
                       strerror(errno));
        if (f)
            fclose(f);
        return AP_ERR_IO;
    }
    if (!S_ISREG(st.st_mode)) {
        fclose(f);
        ap_diag_input(x->d, x->path, 0, 0, "is not a file");
        return AP_ERR_INPUT;
    }
    x->file_size = (uint64_t)st.st_size;
    unsigned char head[8] = {0};
    size_t n = fread(head, 1, sizeof head, f);
    bool rerr = ferror(f);
    if (fclose(f) != 0 || rerr) {
        ap_diag_report(x->d, AP_ERROR, AP_ERR_IO, x->path, 0, 0, "cannot read: %s",
                       strerror(errno));
        return AP_ERR_IO;
    }
    if (n == sizeof cfb && !memcmp(head, cfb, sizeof cfb)) {
        ap_diag_input(x->d, x->path, 0, 0,
                      "is a password-protected workbook or an Excel 97-2003 "
                      "(.xls) file: save it from Excel as an .xlsx workbook without a password");
        return AP_ERR_INPUT;
    }
    if (n < 4 || head[0] != 'P' || head[1] != 'K') {
        ap_diag_input(x->d, x->path, 0, 0, "is not an .xlsx workbook (it is not a zip file)");
        return AP_ERR_INPUT;
    }
    return AP_OK;
}

/* Read the package's parts: workbook, its relationships, shared strings, styles. */
static enum ap_status read_package(struct ap_xlsx *x)
{
    enum ap_status rc;
    char *wb = NULL, *dir = NULL, *wbrels = NULL;
    if ((rc = parse_part(x, "_rels/.rels", PART_RELS, true)) != AP_OK)
        goto done;
    const struct rel *r = rel_find(x, NULL, "/officeDocument");
    wb = r ? resolve("", r->target) : ap_xstrdup("xl/workbook.xml");
    rels_free(x);
    if ((rc = parse_part(x, wb, PART_WORKBOOK, false)) != AP_OK)
        goto done;
    const char *slash = strrchr(wb, '/');
    dir = ap_xstrndup(wb, slash ? (size_t)(slash - wb) + 1 : 0);
    wbrels = ap_xasprintf("%s_rels/%s.rels", dir, slash ? slash + 1 : wb);
    if ((rc = parse_part(x, wbrels, PART_RELS, false)) != AP_OK)
        goto done;
    if (x->nsheets == 0) {
        ap_diag_input(x->d, x->path, 0, 0, "the workbook has no sheets");
        rc = AP_ERR_INPUT;
        goto done;
    }
    for (size_t i = 0; i < x->nsheets; i++) {
        struct sheet *s = &x->sheets[i];
        r = rel_find(x, s->rid, NULL);
        if (r) {
            s->part = resolve(dir, r->target);
            s->is_work = ends_with(r->type, "/worksheet");
        }
    }
    char *sst = NULL, *styles = NULL;
    if ((r = rel_find(x, NULL, "/sharedStrings")))
        sst = resolve(dir, r->target);
    if ((r = rel_find(x, NULL, "/styles")))
        styles = resolve(dir, r->target);
    rc = sst ? parse_part(x, sst, PART_SST, false) : AP_OK;
    if (rc == AP_OK && styles)
        rc = parse_part(x, styles, PART_STYLES, false);
    free(sst);
    free(styles);
done:
    rels_free(x);
    free(wb);
    free(dir);
    free(wbrels);
    return rc;
}

enum ap_status ap_xlsx_open(const char *path, struct ap_xlsx **out, struct ap_diag *d)
{
    return ap_xlsx_open_limits(path, &ap_xlsx_default_limits, out, d);
}

enum ap_status ap_xlsx_open_limits(const char *path, const struct ap_xlsx_limits *lim,
                                   struct ap_xlsx **out, struct ap_diag *d)
{
    struct ap_xlsx *x = ap_xcalloc(1, sizeof *x);
    x->lim = *lim;
    enum ap_status rc;
    *out = NULL;
    x->path = ap_xstrdup(path);
    x->d = d;
    x->sel = -1;
    ap_buf_init(&x->sst);
    ap_buf_init(&x->text);
    ap_buf_init(&x->rowtext);
    ap_buf_init(&x->place);
    if ((rc = check_magic(x)) != AP_OK)
        goto done;
    x->zip = unzOpen64(path);
    if (!x->zip) {
        ap_diag_input(d, path, 0, 0, "is not an .xlsx workbook (not a readable zip file)");
        rc = AP_ERR_INPUT;
        goto done;
    }
    unz_global_info64 gi;
    if (unzGetGlobalInfo64(x->zip, &gi) != UNZ_OK) {
        ap_diag_input(d, path, 0, 0, "is not an .xlsx workbook (not a readable zip file)");
        rc = AP_ERR_INPUT;
        goto done;
    }
    if (gi.number_entry > AP_XLSX_MAX_ENTRIES) {
        ap_diag_input(d, path, 0, 0,
                      "the zip holds %llu files, more than a workbook's %d: "
                      "refusing it",
                      (unsigned long long)gi.number_entry, AP_XLSX_MAX_ENTRIES);
        rc = AP_ERR_INPUT;
        goto done;
    }
    rc = read_package(x);
done:
    if (rc != AP_OK) {
        ap_xlsx_close(x);
        return rc;
    }
    *out = x;
    return AP_OK;
}

void ap_xlsx_close(struct ap_xlsx *x)
{
    if (!x)
        return;
    entry_close(x);
    parser_free(x);
    if (x->zip)
        unzClose(x->zip);
    for (size_t i = 0; i < x->nsheets; i++) {
        free(x->sheets[i].name);
        free(x->sheets[i].rid);
        free(x->sheets[i].part);
    }
    free(x->sheets);
    rels_free(x);
    free(x->rels);
    ap_buf_release(&x->sst);
    free(x->sst_off);
    free(x->xf_date);
    free(x->fmts);
    free(x->cells);
    free(x->src);
    ap_buf_release(&x->text);
    ap_buf_release(&x->rowtext);
    ap_buf_release(&x->place);
    free(x->path);
    free(x);
}

size_t ap_xlsx_nsheets(const struct ap_xlsx *x)
{
    return x->nsheets;
}

const char *ap_xlsx_sheet_name(const struct ap_xlsx *x, size_t i)
{
    return i < x->nsheets ? x->sheets[i].name : NULL;
}

bool ap_xlsx_date1904(const struct ap_xlsx *x)
{
    return x->date1904;
}

long ap_xlsx_sheet_find(const struct ap_xlsx *x, const char *name)
{
    for (size_t i = 0; i < x->nsheets; i++)
        if (!ap_strcasecmp(x->sheets[i].name, name))
            return (long)i;
    return -1;
}

enum ap_status ap_xlsx_select(struct ap_xlsx *x, const char *name, struct ap_diag *d)
{
    x->d = d;
    entry_close(x);
    parser_free(x);
    x->sel = -1;
    x->state = -1;
    long i = name ? ap_xlsx_sheet_find(x, name) : 0;
    while (!name && (size_t)i + 1 < x->nsheets && !x->sheets[i].is_work)
        i++; /* the first sheet of cells, past chart sheets */
    if (i < 0) {
        struct ap_buf names = AP_BUF_INIT;
        for (size_t k = 0; k < x->nsheets; k++)
            ap_buf_addf(&names, "%s'%s'", k ? ", " : "", x->sheets[k].name);
        ap_diag_input(d, x->path, 0, 0, "the workbook has no sheet named '%s'; its sheets are %s",
                      name, names.buf);
        ap_buf_release(&names);
        return AP_ERR_INPUT;
    }
    struct sheet *s = &x->sheets[i];
    if (!s->part || !s->is_work) {
        ap_diag_input(d, x->path, 0, 0, "the sheet '%s' is %s, not a sheet of cells", s->name,
                      s->part ? "a chart or macro sheet" : "missing from the workbook's parts");
        return AP_ERR_INPUT;
    }
    enum ap_status rc = entry_open(x, s->part, x->lim.part, false, NULL);
    if (rc != AP_OK)
        return rc;
    parser_new(x, PART_SHEET);
    x->sel = i;
    x->state = 0;
    x->in_sheetdata = false;
    x->row = 0;
    x->ncells = 0;
    return AP_OK;
}

int ap_xlsx_next(struct ap_xlsx *x, struct ap_xlsx_row *row, struct ap_diag *d)
{
    if (x->state != 0)
        return x->state;
    x->d = d;
    int r = pump(x);
    if (r == 1) {
        row->row = x->row;
        row->n = x->ncells;
        row->cells = x->cells;
        return 1;
    }
    x->state = r;
    entry_close(x);
    parser_free(x);
    return r;
}
