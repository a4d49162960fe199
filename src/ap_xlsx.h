/*
 * ap_xlsx: a streaming reader for .xlsx workbooks (Office Open XML), built on
 * minizip for the zip and expat for the XML. Opening reads the small parts
 * (workbook, relationships, shared strings, styles); ap_xlsx_next then streams
 * one sheet row by row, so memory grows with the shared-string table and the
 * widest row, never with the number of rows.
 *
 * Everything a hostile file could inflate is bounded (the AP_XLSX_MAX_* limits
 * below): zip entries, the uncompressed size of each part (checked while
 * inflating, against both a limit and the entry's compressed size), shared
 * strings (count and bytes), XML nesting, columns and cell text. Such files, and
 * files that are not workbooks (not a zip, a password-protected workbook, a
 * missing part, broken XML, a CRC error), are refused with one error and
 * status AP_ERR_INPUT (AP_ERR_IO when the file cannot be read).
 *
 * Places in messages read "file[Sheet]!B12" (ap_xlsx_place).
 */
#ifndef AP_XLSX_H
#define AP_XLSX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ap_date.h"
#include "ap_diag.h"

#define AP_XLSX_MAX_ENTRIES 10000                    /* files inside the zip */
#define AP_XLSX_MAX_PART ((uint64_t)4 << 30)         /* uncompressed bytes of one sheet part */
#define AP_XLSX_MAX_SMALL_PART ((uint64_t)256 << 20) /* workbook, rels, styles, shared strings */
#define AP_XLSX_MAX_RATIO 200       /* uncompressed/compressed bytes, checked past the first MiB */
#define AP_XLSX_MAX_STRINGS 8000000 /* shared strings */
#define AP_XLSX_MAX_SST_BYTES ((size_t)128 << 20) /* bytes of shared-string text in all */
#define AP_XLSX_MAX_DEPTH 64                      /* XML element nesting */
#define AP_XLSX_MAX_SHEETS 1000                   /* sheets in a workbook */
#define AP_XLSX_MAX_STYLES 65536                  /* cell formats (cellXfs) */
#define AP_XLSX_MAX_COLS 1000    /* columns holding a value (our field limit; Excel's is 16384) */
#define AP_XLSX_MAX_TEXT 4000    /* bytes of text in one cell (SPEC.md field limit) */
#define AP_XLSX_MAX_ROW 1048576  /* Excel's last row */
#define AP_XLSX_MAX_COLUMN 16384 /* Excel's last column, XFD */

struct ap_xlsx; /* opaque */

enum ap_xlsx_kind {
    AP_XLSX_EMPTY,    /* no cell, or a cell with no value */
    AP_XLSX_STRING,   /* shared string, inline string or a formula's text result */
    AP_XLSX_NUMBER,   /* number (a date when date != AP_XLSX_NOT_DATE) */
    AP_XLSX_BOOL,     /* text "TRUE" or "FALSE", num 1 or 0 */
    AP_XLSX_ERROR,    /* error value: text "#N/A", "#REF!", ... */
    AP_XLSX_UNCACHED, /* a formula whose result was never saved: text "" */
    AP_XLSX_TOOLONG   /* text over AP_XLSX_MAX_TEXT bytes: text "" */
};

enum ap_xlsx_datekind {
    AP_XLSX_NOT_DATE, /* not a number, or its format shows no date */
    AP_XLSX_DATE,     /* the format shows a date and no time */
    AP_XLSX_DATETIME  /* the format shows a time (with or without a date) */
};

struct ap_xlsx_cell {
    enum ap_xlsx_kind kind;
    enum ap_xlsx_datekind date; /* from the cell's number format; numbers only */
    const char *text;           /* UTF-8, NUL-terminated, never NULL ("" when empty); numbers as
                                   their shortest round-trip decimal ("44927", "0.1"); borrowed
                                   until the next ap_xlsx_next/ap_xlsx_select/ap_xlsx_close */
    size_t len;                 /* bytes of text */
    double num;                 /* the value of a number or boolean; 0 otherwise */
};

struct ap_xlsx_row {
    long row;                   /* 1-based sheet row number (rows may be skipped) */
    size_t n;                   /* cells[0..n): column A is 0; the last holds a value */
    struct ap_xlsx_cell *cells; /* gaps are AP_XLSX_EMPTY; borrowed like cell text */
};

/* The limits a workbook may not pass (the AP_XLSX_MAX_* values by default).
 * Tests and the fuzz target pass smaller ones to ap_xlsx_open_limits. */
struct ap_xlsx_limits {
    uint64_t part;       /* uncompressed bytes of a sheet part */
    uint64_t small_part; /* uncompressed bytes of any other part */
    uint64_t ratio;      /* uncompressed/compressed bytes of a part ... */
    uint64_t ratio_from; /* ... checked once this many bytes are out (1 MiB) */
    size_t strings;      /* shared strings */
    size_t sst_bytes;    /* bytes of shared-string text */
};
extern const struct ap_xlsx_limits ap_xlsx_default_limits;

/* Open a workbook and read its workbook, relationship, shared-string and style
 * parts. path is copied. On failure *out is NULL and the error is reported. */
enum ap_status ap_xlsx_open(const char *path, struct ap_xlsx **out, struct ap_diag *d);
/* The same with other limits (lim is copied). */
enum ap_status ap_xlsx_open_limits(const char *path, const struct ap_xlsx_limits *lim,
                                   struct ap_xlsx **out, struct ap_diag *d);
void ap_xlsx_close(struct ap_xlsx *x); /* NULL ok */

size_t ap_xlsx_nsheets(const struct ap_xlsx *x);
/* Name of sheet i (workbook order); borrowed until close. */
const char *ap_xlsx_sheet_name(const struct ap_xlsx *x, size_t i);
bool ap_xlsx_date1904(const struct ap_xlsx *x); /* the workbook uses the 1904 date system */
/* Index of the sheet named name (matched case-insensitively, ASCII), or -1. */
long ap_xlsx_sheet_find(const struct ap_xlsx *x, const char *name);

/* Start streaming the sheet named name (NULL: the first sheet of cells). A name that is
 * not a sheet is an error listing the sheets. May be called again to read another
 * sheet (or the same one again from the top). */
enum ap_status ap_xlsx_select(struct ap_xlsx *x, const char *name, struct ap_diag *d);

/* Next row of the selected sheet holding at least one cell with a value. Returns
 * 1 with *row filled, 0 at the end of the sheet, -1 on an error that ends the
 * sheet (broken XML, a limit passed, a CRC error, a bad cell), reported at its
 * place. After 0 or -1 every call returns the same without a new message.
 * The zip's CRC can only be checked at the end of the part, so a damaged sheet
 * may give rows before its -1: a caller must not keep anything from a sheet
 * that ends in -1 (the import is all or nothing). */
int ap_xlsx_next(struct ap_xlsx *x, struct ap_xlsx_row *row, struct ap_diag *d);

/* "B12" for col 1 (0-based), row 12; buf holds 16 bytes. Returns buf. */
char *ap_xlsx_cellref(size_t col, long row, char buf[16]);
/* "file[Sheet]!B12" for the selected sheet (col (size_t)-1: "file[Sheet]!12:12",
 * Excel's name for the whole row); borrowed until the next call of ap_xlsx_place. */
const char *ap_xlsx_place(struct ap_xlsx *x, size_t col, long row);

/* Why a kept cell cannot be used, or NULL if it can: for AP_XLSX_ERROR "holds
 * an error value" (the value is the cell's text), for AP_XLSX_UNCACHED "is a
 * formula whose result was never saved (...)", for AP_XLSX_TOOLONG "holds more
 * than 4000 bytes of text". Static text, to follow the cell's place. Cells of
 * these kinds in columns nobody reads are harmless, so the reader does not
 * report them itself. */
const char *ap_xlsx_cell_problem(const struct ap_xlsx_cell *c);

/* Excel serial number to a calendar date / date-time (seconds since 1970, as
 * ap_date), rounded to the second. 1900 system: serial 1 is 1 January 1900, 60
 * is Excel's phantom 29 February 1900 (refused), 61 is 1 March 1900; 1904
 * system: serial 0 is 1 January 1904. False with *why set (static text) for the
 * phantom day, negative or non-finite serials, and dates outside AP_YEAR_MIN ..
 * AP_YEAR_MAX. */
bool ap_xlsx_serial_to_datetime(double serial, bool date1904, int64_t *secs, const char **why);
bool ap_xlsx_serial_to_day(double serial, bool date1904, ap_day *out, const char **why);

#endif
