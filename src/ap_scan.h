/*
 * ap_scan: the shared one-pass reader of the big tables. The report needs the
 * metrics of eight quarters, the data-quality counts and the data-as-at date,
 * all from the same rows; each consumer is a sink of callbacks, and
 * ap_scan_run reads each table once for all the sinks given:
 *
 *   children merged with their cases (children in child_id order, cases in
 *     (child_id, opened_on) order through the covering cases_child index) and
 *     with the episodes' child ids (episodes_child), so a child's group is
 *     child, its cases, end; an episode whose child is not in the table is
 *     counted by the merge, never looked up;
 *   missing episodes, in primary-key order (a full scan);
 *   perpetrators merged with their actions (perpetrator_actions_perp, which
 *     covers the columns read), as perpetrator, its actions, end.
 *
 * ap_scan knows the tables, nothing about what is counted: the definitions
 * stay in ap_metrics and ap_check. Nothing is sorted and nothing is looked up
 * per row. Rows are borrowed: every pointer is valid only during the call.
 */
#ifndef AP_SCAN_H
#define AP_SCAN_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "ap_date.h"
#include "ap_diag.h"

/* A child's group begins. known is false for a child_id that only cases use
 * (then every other field is NULL). */
struct ap_scan_child {
    const char *child_id;
    bool known;                                         /* the child is in the children table */
    const char *birth_date, *gender, *ethnicity, *area; /* NULL if empty */
};

struct ap_scan_case {
    const char *opened_on;                                                 /* never NULL */
    const char *closed_on, *closure_reason, *risk_level, *referral_source; /* NULL if empty */
};

struct ap_scan_episode {
    const char *missing_from, *returned_at, *interview_offered_at,
        *interview_completed_at; /* NULL if empty (missing_from never) */
};

/* A perpetrator's group begins; known as for a child. */
struct ap_scan_perpetrator {
    const char *perpetrator_id;
    bool known;
    const char *identified_on, *concluded_on, *outcome; /* NULL if unknown or empty */
};

struct ap_scan_action {
    const char *action_on, *action; /* never NULL */
};

/* A consumer. A NULL callback means "not wanted"; a table no sink wants is
 * not read (with child_case alone, the cases are read without the children:
 * every group is then unknown). A callback returning other than AP_OK stops the scan with that
 * status (it has reported the problem in the diag it holds). */
struct ap_scan_sink {
    void *ctx;
    enum ap_status (*child)(void *ctx, const struct ap_scan_child *c);
    enum ap_status (*child_case)(void *ctx, const struct ap_scan_case *k);
    enum ap_status (*child_end)(void *ctx);
    /* Episodes whose child is not in the children table, n at a time. */
    enum ap_status (*orphan_episodes)(void *ctx, long long n);
    enum ap_status (*episode)(void *ctx, const struct ap_scan_episode *e);
    enum ap_status (*perpetrator)(void *ctx, const struct ap_scan_perpetrator *p);
    enum ap_status (*action)(void *ctx, const struct ap_scan_action *a);
    enum ap_status (*perpetrator_end)(void *ctx);
};

/* Read the tables once for all n sinks, calling each sink's callbacks in the
 * order described above. */
enum ap_status ap_scan_run(sqlite3 *db, const struct ap_scan_sink *const *sinks, size_t n,
                           struct ap_diag *d);

/*
 * "Plain" stored dates. The import writes only real dates, so nearly every
 * stored value is canonical: 'YYYY-MM-DD' (a real day of a year the parser
 * accepts) or 'YYYY-MM-DD HH:MM:SS' (hour before 24). SQLite's date() and
 * datetime() give those back unchanged, and their text order is their time
 * order, so the consumers decide plain values in C and put anything else to
 * SQLite with their SQL definition, which keeps every count exactly the SQL's.
 */
bool ap_scan_plain_day(const char *s, ap_day *day);
bool ap_scan_plain_date(const char *s); /* the same test, without the day number */
/* A plain date (*secs 0) or date-time (*secs since midnight). */
bool ap_scan_plain_value(const char *s, ap_day *day, long long *secs);

#endif
