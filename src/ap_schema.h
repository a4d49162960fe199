/*
 * ap_schema: the columns of SPEC.md's seven tables, as one table: name, kind
 * (text, enumerated, date, date-time), required, vocabulary, and a note on what
 * to enter; each table's key columns and the column naming its parent. The
 * import checks rows against it, the intake maps an export's headers and labels
 * onto it, `map` guesses from it, and `workbook` writes its sheets from it.
 */
#ifndef AP_SCHEMA_H
#define AP_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "ap_db.h"
#include "ap_enum.h"

enum ap_kind { AP_K_TEXT, AP_K_ENUM, AP_K_DATE, AP_K_DATETIME };

struct ap_coldef {
    const char *name; /* column name, e.g. "opened_on" */
    enum ap_kind kind;
    bool required;
    enum ap_enum_id en; /* AP_K_ENUM only */
    const char *note;   /* what to enter, in plain English (the input workbook's notes) */
};

#define AP_MAX_COLS 7 /* columns of the widest table */

struct ap_tabledef {
    const struct ap_coldef *cols; /* key columns first */
    size_t ncols;
    size_t nkey;             /* number of primary-key columns */
    int ref;                 /* column naming a parent row, or -1 */
    enum ap_table_id parent; /* the table that column refers to */
    const char *noun;        /* "case", for messages about a row */
};

extern const struct ap_tabledef ap_schema[AP_T_COUNT];

/* The file a table is read from without a profile: "cases.csv". */
extern const char *const ap_table_files[AP_T_COUNT];

/* Index of column name (ASCII case-insensitive) in table t, or -1. */
int ap_schema_column(enum ap_table_id t, const char *name);

/* Table named name (case-insensitive), or -1. */
int ap_schema_table(const char *name);

#endif
