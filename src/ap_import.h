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

#include "ap_db.h"
#include "ap_diag.h"
#include "ap_profile.h"

struct ap_import_opts {
    bool replace; /* replace the named tables' contents instead of upserting */
    const struct ap_profile *profile; /* how the export maps onto our tables, or NULL */
};

struct ap_import_summary {
    long rows[AP_T_COUNT];     /* rows read per table */
    long inserted[AP_T_COUNT]; /* new ids */
    long updated[AP_T_COUNT];  /* ids that already existed */
    long removed[AP_T_COUNT];  /* --replace: rows dropped because the file lacks their id */
    bool present[AP_T_COUNT];  /* a file for this table was given */
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

/* Print the summary on one line: "imported 2 files: children 97 rows (97 new),
 * cases 120 rows (100 new, 20 updated)". */
void ap_import_print_summary(const struct ap_import_summary *sum, FILE *out);

#endif
