/*
 * ap_intake: the export as the case system wrote it -> canonical rows.
 *
 * The plan (ap_intake_plan) decides which file (and sheet) each table is read
 * from: by file name without a profile, by the profile's globs with one. A
 * source (ap_source_open) reads one table's rows: it skips to the header row,
 * maps the header onto our columns (the profile's names first, then our own
 * names), and yields each row as canonical fields: UTF-8 (Windows-1252
 * converted), enumerated values as their codes (from a code, a report label or
 * a profile label), DD/MM/YYYY (or MM/DD/YYYY) dates as YYYY-MM-DD. Whatever it
 * cannot make canonical it either reports (a label nobody mapped, a byte that
 * is no character) or passes on as given for the import's own checks (a date
 * that is no date), so the import never knows where a value came from.
 *
 * Messages name file:line:column for CSV (line = the record's first physical
 * line, column = the field's number).
 */
#ifndef AP_INTAKE_H
#define AP_INTAKE_H

#include <stdbool.h>
#include <stddef.h>

#include "ap_diag.h"
#include "ap_profile.h"
#include "ap_schema.h"

struct ap_intake; /* opaque: the plan */
struct ap_source; /* opaque: one table's rows */

/* One canonical field. */
struct ap_field {
    const char *s; /* NUL-terminated, borrowed until the next ap_source_next; NULL when
                      the column is not in the export */
    size_t len;
    bool bad; /* an error about this field was reported: treat it as invalid */
};

struct ap_row {
    long line;                      /* where the row starts (its number in the sheet) */
    bool bad;                       /* a defect of the whole row was reported (fields
                                       may be incomplete: use only the ids) */
    struct ap_field f[AP_MAX_COLS]; /* by our column index */
};

/* Sort the command line's paths (files, or folders of them) into one source
 * per table, through profile p (may be NULL; borrowed until ap_intake_free).
 * Reports every problem (unknown file names, a second file for a table, a
 * glob matching nothing or several files) and returns the worst status; on
 * anything but AP_OK *out is NULL. */
enum ap_status ap_intake_plan(const char *const *paths, size_t npaths, const struct ap_profile *p,
                              struct ap_intake **out, struct ap_diag *d);

void ap_intake_free(struct ap_intake *in); /* NULL ok */

/* The name table t is read from in messages ("cases.csv"), or NULL if the
 * export does not give the table. Borrowed until ap_intake_free. */
const char *ap_intake_name(const struct ap_intake *in, enum ap_table_id t);

/* The distinct files the plan reads, in table order (for the import log). */
size_t ap_intake_nfiles(const struct ap_intake *in);
const char *ap_intake_file(const struct ap_intake *in, size_t i);

/* Open table t's source and read up to its header. Reports and returns
 * AP_ERR_INPUT for an empty file, a missing header row, a required column the
 * header lacks, a profile's header that is not there, a duplicated name;
 * AP_ERR_IO if the file cannot be read. Notes the columns it ignores. */
enum ap_status ap_source_open(struct ap_intake *in, enum ap_table_id t, struct ap_source **out,
                              struct ap_diag *d);

/* Where each of our columns is in the export (0-based), or -1; for messages. */
const int *ap_source_columns(const struct ap_source *s);

/* The next row: 1 with *row filled, 0 at the end, -1 after a structural error
 * that ends the file (reported). Rows that repeat an earlier row of a table
 * read from a shared file or sheet (same id, same values) are skipped; the
 * same id with other values is reported naming both lines. */
int ap_source_next(struct ap_source *s, struct ap_row *row, struct ap_diag *d);

void ap_source_free(struct ap_source *s); /* NULL ok */

/* Windows-1252 -> UTF-8: append s[0..n) converted to out. Returns the index of
 * the first byte that is not a Windows-1252 character (0x81, 0x8D, 0x8F, 0x90,
 * 0x9D), or n if all converted. */
size_t ap_cp1252_to_utf8(const char *s, size_t n, struct ap_buf *out);

/* True if s[0..n) has no byte that Windows-1252 leaves undefined. */
bool ap_cp1252_valid(const char *s, size_t n);

/* A DD/MM/YYYY or MM/DD/YYYY date (day and month of one or two digits),
 * optionally followed by " H:MM" or " H:MM:SS", rewritten as "YYYY-MM-DD" or
 * "YYYY-MM-DD HH:MM[:SS]" into out (which holds 20 bytes). Returns 1 if
 * rewritten, 0 if s is not in that form (left to the date parser), -1 if it
 * is in that form but no real date under the order (month 13), with *why. */
int ap_slash_date(const char *s, size_t n, enum ap_date_order order, char out[20],
                  const char **why);

#endif
