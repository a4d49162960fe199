/*
 * ap_suppress: small-number suppression for public reports, as the Department
 * for Education publishes children's statistics. Pure decisions over counts, so
 * the rules can be tested table by table; the report model turns the marks into
 * cells ("[c]") and never shows a number as a placeholder.
 *
 * Rules (SPEC.md "Reports"):
 *  - a count of children, cases or episodes from 1 to k is [c] (primary);
 *  - in a breakdown whose total is published, a single [c] cell could be
 *    recovered as total minus the rest, so the next smallest non-zero cell is
 *    suppressed too (secondary); with a suppressed total every non-zero cell is
 *    at most k and so already suppressed;
 *  - a percentage or rate whose numerator or denominator is [c] is [c]; one
 *    over a zero denominator is [z];
 *  - a change against a suppressed figure is [c] (it would give the figure back);
 *  - a true zero is 0.
 */
#ifndef AP_SUPPRESS_H
#define AP_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>

/* What a figure shows instead of its number, if anything. */
enum ap_mark {
    AP_MARK_NONE, /* show the number */
    AP_MARK_C,    /* [c] confidential: suppressed */
    AP_MARK_Z,    /* [z] not applicable (e.g. a percentage of nothing) */
    AP_MARK_X     /* [x] not available */
};

#define AP_SUPPRESS_MAX_DEFAULT 5

/* The marker text for m ("[c]", "[z]", "[x]"), or "" for AP_MARK_NONE. */
const char *ap_mark_text(enum ap_mark m);

/* Primary suppression of one count: [c] when on and 1 <= v <= k. */
enum ap_mark ap_suppress_count(long long v, int k, bool on);

/* Mark the cells of a breakdown counts[0..n) into marks[0..n). total_shown
 * says whether the breakdown's total is published (as a total row, or as a
 * headline elsewhere). Applies primary, then secondary suppression: while
 * exactly one cell is [c] and the total is shown and not itself suppressed, the
 * smallest non-zero shown cell (the first such in order on a tie) becomes [c].
 * Returns the number of [c] cells. */
size_t ap_suppress_breakdown(const long long *counts, size_t n, int k, bool on, bool total_shown,
                             enum ap_mark *marks);

/* A ratio (percentage or rate) of num over den: [x] if either is not
 * available, [c] if either is suppressed, [z] if the denominator is zero. */
enum ap_mark ap_suppress_ratio(enum ap_mark num, enum ap_mark den, long long den_value);

/* A change between two figures: [x] if either is not available or not
 * applicable, [c] if either is suppressed. */
enum ap_mark ap_suppress_change(enum ap_mark now, enum ap_mark before);

#endif
