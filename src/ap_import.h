/*
 * ap_import: loads the CSV export into the case database, all or nothing.
 * Each file is streamed row by row straight into its table in one
 * transaction; every rule (per field, per row, and across rows: duplicate ids,
 * references to parents) is checked as rows arrive, in line order; the rules
 * on the final state (overlapping cases, rows --replace would orphan) run
 * last. On any error the transaction is rolled back and the database is
 * byte-for-byte unchanged.
 */
#ifndef AP_IMPORT_H
#define AP_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ap_check.h"
#include "ap_date.h"
#include "ap_db.h"
#include "ap_diag.h"
#include "ap_profile.h"

struct ap_import_opts {
    bool replace; /* replace the named tables' contents instead of upserting */
    bool dry_run; /* do everything but write: roll back, after the checks' findings */
    const char *profile; /* the mapping profile's path, or NULL (recorded by its SHA-256) */
    const struct ap_profile *mapping; /* that profile, read: how the export maps onto our
                                         tables (ap_intake), or NULL */
    FILE *progress; /* a terminal to show progress on after about 2 s, or NULL */
};

#define AP_IMPORT_MAX_IDS 10 /* ids listed per table that the export no longer has */
#define AP_IMPORT_ID_SHOWN 256 /* bytes kept of each (as shown in a message) */

/* The change summary: per table, what the import did (or, in a dry run, would
 * do) to the database's rows. rows = added + changed + unchanged after a clean
 * import. */
struct ap_import_summary {
    long rows[AP_T_COUNT];      /* rows read per table */
    long added[AP_T_COUNT];     /* ids new to the database */
    long changed[AP_T_COUNT];   /* ids already there with a stored value that differs */
    long unchanged[AP_T_COUNT]; /* ids already there with every value the same: not written */
    long missing[AP_T_COUNT];   /* ids in the database that the file no longer has: kept, or
                                   removed with --replace */
    /* The first of those ids (in key order), as shown in a message. */
    char missing_ids[AP_T_COUNT][AP_IMPORT_MAX_IDS][AP_IMPORT_ID_SHOWN];
    bool present[AP_T_COUNT]; /* a file for this table was given (the table in full) */
    size_t nfiles;            /* distinct files read (a workbook of several tables is one) */
    bool replace, dry_run;
    bool written; /* the database was changed (never in a dry run, nor when every row
                     was already there as it is) */
    /* Dry run only: the data-quality findings the import would leave, as at
     * the latest date in the data; release with ap_findings_free. */
    struct ap_findings findings;
    bool have_findings;
    ap_day as_at;
};

/* Import paths (CSV files, or folders whose *.csv files named after the tables
 * are taken; with o->profile, the files its globs name), read through
 * ap_intake. Unknown file names are errors. Returns AP_OK or the worst status;
 * on anything but AP_OK nothing was written. Runs in one transaction of its own
 * (BEGIN IMMEDIATE), so db must not be inside one. Sets temp_store=FILE and
 * cache_size (64 MiB) on db; turns foreign-key enforcement and CHECK
 * constraints off for the transaction (the import checks both itself) and
 * restores them. Errors go to d, capped by d->max_errors. */
enum ap_status ap_import_run(sqlite3 *db, const char *const *paths, size_t npaths,
                             const struct ap_import_opts *o, struct ap_import_summary *sum,
                             struct ap_diag *d);

/* Print the change summary: a first line ("imported 7 tables from 5 files:", or what a dry
 * run would have done), then a line per table: "  cases: 120 rows: 100 new,
 * 20 changed, 0 unchanged", with the ids the database has that the file no
 * longer has (up to AP_IMPORT_MAX_IDS, then a count). */
void ap_import_print_summary(const struct ap_import_summary *sum, FILE *out);

#endif
