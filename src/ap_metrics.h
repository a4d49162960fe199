/*
 * ap_metrics: the aggregation engine. Knows SQL and SPEC.md's definitions,
 * nothing about pages or cells. One catalogue (ap_metric_defs) names every
 * metric with its definition text, polarity and what it counts; the JSON keys,
 * the text and CSV output and the report's definitions page all read it.
 *
 * Figures are raw (unsuppressed). Suppression is the report model's decision.
 */
#ifndef AP_METRICS_H
#define AP_METRICS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ap_date.h"
#include "ap_diag.h"
#include "ap_enum.h"
#include "ap_period.h"
#include "ap_scan.h"

/* In SPEC.md's order; ap_metric_defs[] is indexed by these. */
enum ap_metric_id {
    AP_M_CHILDREN_SUPPORTED,
    AP_M_ACTIVE_CASES,
    AP_M_CHILDREN_CLOSED,
    AP_M_CHILDREN_PROTECTED,
    AP_M_CHILDREN_SUPPORTED_IN_PERIOD,
    AP_M_NEW_CASES,
    AP_M_CLOSED_CASES,
    AP_M_CLOSURE_REASONS,
    AP_M_REFERRAL_SOURCES,
    AP_M_RISK_LEVELS,
    AP_M_GENDER,
    AP_M_ETHNICITY,
    AP_M_AREA,
    AP_M_AGE_BANDS,
    AP_M_PERPETRATORS_ACTIVE,
    AP_M_PERPETRATORS_DEALT_WITH,
    AP_M_PERPETRATORS_IDENTIFIED_IN_PERIOD,
    AP_M_PERPETRATOR_ACTIONS,
    AP_M_MISSING_EPISODES,
    AP_M_RETURN_INTERVIEWS_OFFERED_72H,
    AP_M_RETURN_INTERVIEWS_COMPLETED,
    AP_M_ACTIONS_TOTAL,
    AP_M_ACTIONS_COMPLETE,
    AP_M_ACTIONS_IN_PROGRESS,
    AP_M_ACTIONS_NOT_STARTED,
    AP_M_ACTIONS_RED,
    AP_M_ACTIONS_AMBER,
    AP_M_ACTIONS_GREEN,
    AP_M_ACTIONS_OVERDUE,
    AP_M_MONTHS_SINCE_START,
    AP_M_COUNT
};

/* Which way is good news (colours the direction of travel). */
enum ap_polarity {
    AP_POL_NEUTRAL, /* more is neither good nor bad (e.g. active cases) */
    AP_POL_UP_GOOD, /* more is good (e.g. perpetrators dealt with) */
    AP_POL_DOWN_GOOD /* fewer is good (e.g. overdue actions) */
};

/* What a figure counts; decides whether small-number suppression applies. */
enum ap_unit {
    AP_UNIT_CHILDREN,     /* suppressed in public reports */
    AP_UNIT_CASES,        /* suppressed */
    AP_UNIT_EPISODES,     /* suppressed */
    AP_UNIT_PERPETRATORS, /* not suppressed */
    AP_UNIT_ACTIONS,      /* perpetrator actions or plan items: not suppressed */
    AP_UNIT_MONTHS        /* not a count: never suppressed */
};

#define AP_BREAKDOWN_NONE (-1)
#define AP_BREAKDOWN_AREA (-2) /* free-text area: keys from the data */

struct ap_metric_def {
    const char *name;       /* JSON key, e.g. "children_supported" */
    const char *label;      /* short plain-English label for tables */
    const char *definition; /* one or two plain-English sentences for the definitions page */
    enum ap_polarity polarity;
    enum ap_unit unit;
    int breakdown;          /* AP_BREAKDOWN_NONE, AP_BREAKDOWN_AREA, or an enum ap_enum_id */
    bool cumulative;        /* counts since the team started, not just in the period */
    bool per_10k;           /* a children figure that gets a rate per 10,000 children */
};

extern const struct ap_metric_def ap_metric_defs[AP_M_COUNT];

/* The catalogue entry for name, or NULL. */
const struct ap_metric_def *ap_metric_find(const char *name);

/* A breakdown: the enumeration's values in table order (plus "unknown" where the
 * column may be empty), or for area the areas in alphabetical order then "unknown". */
struct ap_breakdown {
    size_t n;
    char **keys;         /* owned; stored values such as "social_care" */
    long long *counts;   /* owned; n entries */
};

struct ap_metrics {
    struct ap_period period;
    ap_day team_start;                   /* T actually used */
    long long value[AP_M_COUNT];         /* scalars; for a breakdown, the sum of its counts */
    struct ap_breakdown breakdown[AP_M_COUNT]; /* n == 0 for scalars */
};

/* Compute every metric for period p. team_start may be AP_DAY_NONE (then the
 * earliest opened_on). db should be read-only. out is owned by the caller and
 * released with ap_metrics_free. */
enum ap_status ap_metrics_compute(sqlite3 *db, const struct ap_period *p, ap_day team_start,
                                  struct ap_metrics *out, struct ap_diag *d);

/* Compute the metrics for n periods at once (the report's 8-quarter trend): each
 * table is read once for all n periods, and the results equal n calls of
 * ap_metrics_compute. out has n entries, each released with ap_metrics_free;
 * on failure all are released. n == 0 does nothing. */
enum ap_status ap_metrics_compute_many(sqlite3 *db, const struct ap_period *p, size_t n,
                                       ap_day team_start, struct ap_metrics *out,
                                       struct ap_diag *d);

void ap_metrics_free(struct ap_metrics *m); /* NULL ok; leaves *m zeroed */

/* The metrics as one consumer of a shared scan (ap_scan_run), so the report
 * reads each table once for the metrics and its other figures: begin fills
 * *sink (give it to ap_scan_run with the others), end finishes out (n entries,
 * as ap_metrics_compute_many) and, if as_at is not NULL, the data-as-at date
 * (as ap_metrics_data_as_at). end takes the scan's status (nothing is
 * computed unless AP_OK), always releases the pass, and on failure releases
 * out. n may be 0 (p and out unused). begin cannot fail (it only allocates). */
struct ap_metrics_pass;
void ap_metrics_pass_begin(sqlite3 *db, const struct ap_period *p, size_t n, ap_day team_start,
                           struct ap_metrics *out, struct ap_metrics_pass **pass,
                           struct ap_scan_sink *sink, struct ap_diag *d);
enum ap_status ap_metrics_pass_end(struct ap_metrics_pass *pass, enum ap_status scan_rc,
                                   ap_day *as_at);

/* The latest date anywhere in the data ("data as at"), or AP_DAY_NONE if empty. */
enum ap_status ap_metrics_data_as_at(sqlite3 *db, ap_day *out, struct ap_diag *d);

/* One action-plan item as it stood at day D (its latest update on or before D). */
struct ap_plan_item {
    char *action_ref, *theme, *action, *lead; /* owned; lead may be "" */
    ap_day due_on;          /* AP_DAY_NONE if no due date */
    int status;             /* index into AP_ENUM_STATUS (not_started if no update yet) */
    int rag;                /* index into AP_ENUM_RAG, or -1 if none */
    ap_day updated_on;      /* AP_DAY_NONE if no update yet */
    char *commentary;       /* owned; "" if none */
    bool overdue;           /* due_on < D and status not complete */
};

struct ap_plan {
    size_t n;
    struct ap_plan_item *items; /* ordered by action_ref ("1.2" before "1.10") */
};

enum ap_status ap_plan_load(sqlite3 *db, ap_day d_end, struct ap_plan *out, struct ap_diag *diag);
void ap_plan_free(struct ap_plan *p);

/* The SQL expression the engine uses for age in completed years on date `on` of
 * someone born on `birth`; both arguments are SQL expressions giving ISO text
 * (only the date part is read). It equals ap_age_years(), 29 February included
 * (the unit tests check that). Caller owns the result. */
char *ap_metrics_age_sql(const char *birth, const char *on);

/* Output for `actionplan metrics`: text (an aligned table of labels, breakdowns
 * indented), json (one object: period_start, period_end, then every metric by
 * name, breakdowns as nested objects) or csv (metric,category,value; RFC 4180
 * quoting; a category beginning with = + - @ is written as '... so a spreadsheet
 * shows it instead of running it). A write error is AP_ERR_IO. */
enum ap_metrics_format { AP_FMT_TEXT, AP_FMT_JSON, AP_FMT_CSV };
enum ap_status ap_metrics_write(const struct ap_metrics *m, enum ap_metrics_format f, FILE *out,
                                struct ap_diag *d);

#endif
