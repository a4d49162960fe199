/*
 * ap_profile: the mapping profile (import --profile FILE, or [import] profile
 * in the config): how an export's files, sheets, header rows, columns and
 * labels become our tables (SPEC.md, "Intake"). An INI file:
 *
 *   [source]            dates = DMY | MDY; encoding = utf-8 | windows-1252
 *   [TABLE]             file = GLOB, sheet = NAME, header_row = N, OURCOL = THEIR HEADER
 *   [TABLE.COLUMN]      CODE = THEIR LABEL (a code may have several labels)
 *
 * Every error is reported at profile:line with the allowed values. A profile
 * still holding the `?` that `map` writes for a label it could not guess is
 * refused at that line.
 */
#ifndef AP_PROFILE_H
#define AP_PROFILE_H

#include <stdbool.h>
#include <stdio.h>

#include "ap_diag.h"
#include "ap_schema.h"

enum ap_date_order { AP_DATES_DMY, AP_DATES_MDY };
enum ap_encoding { AP_ENC_UTF8, AP_ENC_CP1252 };

struct ap_profile_label {
    int code;    /* index into the column's enumeration */
    char *label; /* their label, as written in the profile */
    long line;   /* where the profile gives it */
};

struct ap_profile_table {
    long line;  /* of the [TABLE] header; 0 if the section is absent */
    char *file; /* glob relative to the export folder, or NULL */
    long file_line;
    char *sheet; /* workbook sheet, or NULL for the first */
    long sheet_line;
    long header_row; /* 1-based row of the header (default 1) */
    long header_row_line;
    char *col[AP_MAX_COLS]; /* their header for each of our columns, or NULL */
    long col_line[AP_MAX_COLS];
    struct ap_profile_label *labels[AP_MAX_COLS]; /* [TABLE.COLUMN] pairs, in file order */
    size_t nlabels[AP_MAX_COLS];
    size_t alloc[AP_MAX_COLS];
};

struct ap_profile {
    char *path;               /* as given, for messages */
    enum ap_date_order dates; /* default DMY */
    long dates_line;
    enum ap_encoding encoding; /* default UTF-8 */
    long encoding_line;
    struct ap_profile_table t[AP_T_COUNT];
};

/* Read the profile at path into a new *out (caller frees with ap_profile_free).
 * Returns AP_ERR_IO if it cannot be read, AP_ERR_INPUT for bad content (every
 * error reported, *out NULL). */
enum ap_status ap_profile_load(const char *path, struct ap_profile **out, struct ap_diag *d);

void ap_profile_free(struct ap_profile *p); /* NULL ok */

/* The code index that the profile maps label s[0..n) to in column c of table
 * t (matched case-insensitively, surrounding spaces ignored), or -1. */
int ap_profile_label(const struct ap_profile *p, enum ap_table_id t, size_t c, const char *s,
                     size_t n);

#endif
