/*
 * ap_check: data-quality findings a performance officer needs before trusting a
 * report. Each finding has a severity (errors make `check` exit non-zero), a
 * count and up to a few ids to look at.
 */
#ifndef AP_CHECK_H
#define AP_CHECK_H

#include <sqlite3.h>
#include <stdio.h>

#include "ap_date.h"
#include "ap_diag.h"
#include "ap_scan.h"

#define AP_CHECK_MAX_IDS 10 /* ids listed per finding; the rest are counted */

struct ap_finding {
    const char *code; /* stable identifier, e.g. "case_open_over_2_years" */
    enum ap_severity severity;
    char *message; /* owned; plain English, e.g. "cases open for more than two years" */
    long long count;
    size_t nids;
    char **ids; /* owned; up to AP_CHECK_MAX_IDS */
};

struct ap_findings {
    size_t n;
    struct ap_finding *items; /* owned */
};

/* Run every check as at day `as_at` (the report's period end, or the latest date
 * in the data). out gets one finding per check, in a fixed order, those with
 * count 0 included; AP_DAY_NONE (no data) runs them with nothing to find.
 * The counts are ap_check_count's; the ids, ap_check_ids's. Release with
 * ap_findings_free (also after a failure). */
enum ap_status ap_check_run(sqlite3 *db, ap_day as_at, struct ap_findings *out, struct ap_diag *d);
/* The same findings with their counts only (nids 0): what the report shows.
 * Each big table is read once for all the checks (ap_scan), so it costs one
 * pass per table instead of one query per check. Release with
 * ap_findings_free (also after a failure). */
enum ap_status ap_check_count(sqlite3 *db, ap_day as_at, struct ap_findings *out,
                              struct ap_diag *d);
/* Add the ids to look at (up to AP_CHECK_MAX_IDS, in the check's order) to
 * each finding of f (from ap_check_count) with a count above 0 and no ids:
 * the first rows of that check's own query, which is never run for a count
 * of 0. */
enum ap_status ap_check_ids(sqlite3 *db, ap_day as_at, struct ap_findings *f, struct ap_diag *d);
/* The SQL of check i (?1 = the as-at day; one text column of the offending
 * ids, one row each, in a stable order) and its code, or NULL past the last:
 * the definition the counts must equal (the tests count its rows). The
 * caller frees it. */
char *ap_check_query(size_t i, const char **code);
/* The counts as one consumer of a shared scan (ap_scan_run), so the report
 * reads each table once for the checks and the metrics: begin fills *sink,
 * end takes the scan's status, finishes the counts into out (as
 * ap_check_count; out may be NULL after a failure) and always releases the
 * pass. On failure begin releases everything. */
struct ap_check_pass;
enum ap_status ap_check_pass_begin(sqlite3 *db, ap_day as_at, struct ap_check_pass **pass,
                                   struct ap_scan_sink *sink, struct ap_diag *d);
enum ap_status ap_check_pass_end(struct ap_check_pass *pass, enum ap_status scan_rc,
                                 struct ap_findings *out);
/* Print the findings with a count above 0 (errors with a hint how to fix them),
 * then "N errors, N warnings (N checks)." or "No problems found (N checks).". */
void ap_check_print(const struct ap_findings *f, FILE *out);
void ap_findings_free(struct ap_findings *f);
/* Number of findings with severity AP_ERROR and count > 0. */
size_t ap_findings_errors(const struct ap_findings *f);

#endif
