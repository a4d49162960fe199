/*
 * ap_suppress: small-number suppression decisions (see ap_suppress.h for the
 * rules and why each exists).
 */
#include "ap_suppress.h"

const char *ap_mark_text(enum ap_mark m)
{
    switch (m) {
    case AP_MARK_C:
        return "[c]";
    case AP_MARK_Z:
        return "[z]";
    case AP_MARK_X:
        return "[x]";
    case AP_MARK_NONE:
        break;
    }
    return "";
}

enum ap_mark ap_suppress_count(long long v, int k, bool on)
{
    return on && v >= 1 && v <= k ? AP_MARK_C : AP_MARK_NONE;
}

size_t ap_suppress_breakdown(const long long *counts, size_t n, int k, bool on, bool total_shown,
                             enum ap_mark *marks)
{
    size_t nc = 0;
    long long total = 0;
    for (size_t i = 0; i < n; i++) {
        marks[i] = ap_suppress_count(counts[i], k, on);
        if (marks[i] == AP_MARK_C)
            nc++;
        total += counts[i];
    }
    /* A suppressed total hides the difference, and then every non-zero cell is
     * at most k anyway; a total that is not published cannot be subtracted. */
    if (!on || !total_shown || nc != 1 || ap_suppress_count(total, k, on) == AP_MARK_C)
        return nc;
    size_t best = n;
    for (size_t i = 0; i < n; i++) {
        if (marks[i] == AP_MARK_NONE && counts[i] > 0 && (best == n || counts[i] < counts[best]))
            best = i;
    }
    if (best < n) {
        marks[best] = AP_MARK_C;
        nc++;
    }
    return nc;
}

enum ap_mark ap_suppress_ratio(enum ap_mark num, enum ap_mark den, long long den_value)
{
    if (num == AP_MARK_X || den == AP_MARK_X)
        return AP_MARK_X;
    if (num == AP_MARK_C || den == AP_MARK_C)
        return AP_MARK_C;
    if (num == AP_MARK_Z || den == AP_MARK_Z || den_value == 0)
        return AP_MARK_Z;
    return AP_MARK_NONE;
}

enum ap_mark ap_suppress_change(enum ap_mark now, enum ap_mark before)
{
    if (now == AP_MARK_C || before == AP_MARK_C)
        return AP_MARK_C;
    if (now == AP_MARK_X || before == AP_MARK_X || now == AP_MARK_Z || before == AP_MARK_Z)
        return AP_MARK_X;
    return AP_MARK_NONE;
}
