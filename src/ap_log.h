/*
 * ap_log: the database's record of what was done to it (schema version 2):
 * each import (its files with size and SHA-256, and row counts per table) and
 * each published report (its outputs and every figure as shown). Inserts run
 * inside a SAVEPOINT, so they join the caller's transaction when there is one
 * (an import records itself in the transaction that loads the rows: both or
 * neither) and are all-or-nothing on their own otherwise.
 *
 * The same structs carry a record in (ap_log_add_*) and out (ap_log_list).
 * Times are UTC text "YYYY-MM-DDTHH:MM:SSZ"; SHA-256 is lower-case hex.
 */
#ifndef AP_LOG_H
#define AP_LOG_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "ap_diag.h"

#define AP_LOG_TIME_LEN 21 /* "2017-04-05T09:30:00Z" and a NUL */

/* The time now, or SOURCE_DATE_EPOCH when it is set (reproducible runs). */
enum ap_status ap_log_now(char out[AP_LOG_TIME_LEN], struct ap_diag *d);

struct ap_log_file {
    const char *name; /* the path as given on the command line, expanded */
    long long size;
    const char *sha256;
};

struct ap_log_table_counts {
    const char *table;
    long long new_rows, changed_rows, unchanged_rows, missing_rows;
};

struct ap_log_import {
    long long id;               /* set by ap_log_add_import, and by ap_log_list */
    const char *at;             /* on insert, NULL: ap_log_now() */
    const char *version;        /* on insert, NULL: this actionplan's version */
    const char *profile_sha256; /* NULL: no profile */
    bool replace;               /* --replace */
    const struct ap_log_file *files;
    size_t nfiles;
    const struct ap_log_table_counts *tables;
    size_t ntables;
};

struct ap_log_output {
    const char *kind; /* pdf, xlsx, html, text */
    const char *file_name;
    long long size;
    const char *sha256;
};

struct ap_log_figure {
    const char *table_id;
    long row_no, col_no;
    const char *figure_key; /* NULL for a cell that is not a figure */
    const char *shown;      /* as shown: "53", "45.5%", "[c]" */
    bool has_value;         /* false when shown is a marker */
    double value;
};

struct ap_log_publication {
    long long id;        /* set by ap_log_add_publication, and by ap_log_list */
    const char *at;      /* on insert, NULL: ap_log_now() */
    const char *version; /* on insert, NULL: this actionplan's version */
    const char *template_name;
    const char *period_code; /* "2016/17-Q4" or "2017-01-01_2017-03-31" */
    const char *period_start, *period_end;
    const struct ap_log_output *outputs;
    size_t noutputs;
    const struct ap_log_figure *figures; /* ap_log_list: NULL (nfigures is the count) */
    size_t nfigures;
};

/* Record an import / a publication; sets ->id. The database must be at
 * schema version 2 or later (opened for writing, which upgrades it). */
enum ap_status ap_log_add_import(sqlite3 *db, struct ap_log_import *imp, struct ap_diag *d);
enum ap_status ap_log_add_publication(sqlite3 *db, struct ap_log_publication *pub,
                                      struct ap_diag *d);

/* Every import and publication, newest first (by time, then by id). */
struct ap_log_list {
    struct ap_log_import *imports;
    size_t nimports;
    struct ap_log_publication *publications;
    size_t npublications;
    void **owned; /* private: everything the records point to */
    size_t nowned, aowned;
};
enum ap_status ap_log_list(sqlite3 *db, struct ap_log_list *out, struct ap_diag *d);
void ap_log_list_free(struct ap_log_list *l);

#endif
