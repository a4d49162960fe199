/* Unit tests for ap_suppress: primary and secondary suppression of breakdowns,
 * ratios and changes, each case worked out by hand (k = 5 unless stated). */
#include "ap_test.h"

#include "ap_suppress.h"

#define MAXN 8

/* marks as a string, one letter a cell: '.' shown, 'c' suppressed. */
static const struct {
    const char *what;
    int k;
    bool on;
    bool total_shown;
    size_t n;
    long long counts[MAXN];
    const char *want;
} breakdown_cases[] = {
    {"nothing small", 5, true, true, 3, {10, 20, 30}, "..."},
    /* 3 alone would be 63 - 10 - 50: the next smallest non-zero (10) goes too */
    {"single small cell, total shown", 5, true, true, 3, {3, 10, 50}, "cc."},
    {"single small cell, no total", 5, true, false, 3, {3, 10, 50}, "c.."},
    {"two small cells", 5, true, true, 4, {2, 4, 10, 50}, "cc.."},
    {"three small cells", 5, true, true, 4, {1, 1, 1, 50}, "ccc."},
    /* the zero is a true zero and is not chosen as the second cell */
    {"small cell next to zero", 5, true, true, 4, {0, 4, 0, 9}, ".c.c"},
    {"secondary takes the smallest", 5, true, true, 4, {30, 4, 7, 6}, ".c.c"},
    {"tie: first in order", 5, true, true, 4, {8, 4, 8, 20}, "cc.."},
    {"zeros", 5, true, true, 3, {0, 0, 12}, "..."},
    {"all zero", 5, true, true, 4, {0, 0, 0, 0}, "...."},
    /* total 3 is itself [c]: nothing to subtract from */
    {"suppressed total", 5, true, true, 3, {0, 3, 0}, ".c."},
    {"total within k", 5, true, true, 3, {2, 0, 3}, "c.c"},
    {"k boundary: k suppressed", 5, true, true, 3, {5, 6, 40}, "cc."},
    {"k boundary: k+1 shown", 5, true, true, 3, {6, 6, 40}, "..."},
    {"k = 3: 4 shown", 3, true, true, 3, {4, 3, 40}, "cc."},
    {"k = 3: 3 suppressed", 3, true, true, 2, {3, 40}, "cc"},
    {"suppression off", 5, false, true, 3, {1, 2, 50}, "..."},
    {"one cell only, small", 5, true, true, 1, {4}, "c"},
    {"one cell only, large", 5, true, true, 1, {40}, "."},
};

static void test_breakdowns(void)
{
    for (size_t i = 0; i < sizeof breakdown_cases / sizeof breakdown_cases[0]; i++) {
        enum ap_mark marks[MAXN];
        size_t n = breakdown_cases[i].n;
        size_t nc =
            ap_suppress_breakdown(breakdown_cases[i].counts, n, breakdown_cases[i].k,
                                  breakdown_cases[i].on, breakdown_cases[i].total_shown, marks);
        char got[MAXN + 1];
        size_t want_c = 0;
        for (size_t j = 0; j < n; j++) {
            got[j] = marks[j] == AP_MARK_C ? 'c' : marks[j] == AP_MARK_NONE ? '.' : '?';
            want_c += breakdown_cases[i].want[j] == 'c';
        }
        got[n] = '\0';
        if (strcmp(got, breakdown_cases[i].want))
            fprintf(stderr, "case '%s':\n", breakdown_cases[i].what);
        CHECK_STR(got, breakdown_cases[i].want);
        CHECK_INT(nc, want_c);
    }
}

static void test_counts(void)
{
    CHECK_INT(ap_suppress_count(0, 5, true), AP_MARK_NONE); /* a true zero is 0 */
    CHECK_INT(ap_suppress_count(1, 5, true), AP_MARK_C);
    CHECK_INT(ap_suppress_count(5, 5, true), AP_MARK_C);
    CHECK_INT(ap_suppress_count(6, 5, true), AP_MARK_NONE);
    CHECK_INT(ap_suppress_count(3, 5, false), AP_MARK_NONE);
    CHECK_INT(ap_suppress_count(10, 10, true), AP_MARK_C);
    CHECK_INT(ap_suppress_count(11, 10, true), AP_MARK_NONE);
    CHECK_STR(ap_mark_text(AP_MARK_C), "[c]");
    CHECK_STR(ap_mark_text(AP_MARK_Z), "[z]");
    CHECK_STR(ap_mark_text(AP_MARK_X), "[x]");
    CHECK_STR(ap_mark_text(AP_MARK_NONE), "");
}

static const struct {
    enum ap_mark num, den;
    long long den_value;
    enum ap_mark want;
} ratio_cases[] = {
    {AP_MARK_NONE, AP_MARK_NONE, 20, AP_MARK_NONE}, /* 15 of 20: 75.0% */
    {AP_MARK_C, AP_MARK_NONE, 20, AP_MARK_C},       /* 3 of 20 would give 3 back */
    {AP_MARK_NONE, AP_MARK_C, 4, AP_MARK_C},        /* 0 of 4: the 4 is [c] */
    {AP_MARK_C, AP_MARK_C, 4, AP_MARK_C},           /* 2 of 4 */
    {AP_MARK_NONE, AP_MARK_NONE, 0, AP_MARK_Z},     /* 0 of 0: not applicable */
    {AP_MARK_X, AP_MARK_NONE, 20, AP_MARK_X},       {AP_MARK_NONE, AP_MARK_X, 20, AP_MARK_X},
};

static const struct {
    enum ap_mark now, before, want;
} change_cases[] = {
    {AP_MARK_NONE, AP_MARK_NONE, AP_MARK_NONE},
    {AP_MARK_C, AP_MARK_NONE, AP_MARK_C}, /* 12 now, [c] before: +8 would reveal 4 */
    {AP_MARK_NONE, AP_MARK_C, AP_MARK_C},
    {AP_MARK_C, AP_MARK_C, AP_MARK_C},
    {AP_MARK_NONE, AP_MARK_Z, AP_MARK_X}, /* the team did not exist a year before */
    {AP_MARK_NONE, AP_MARK_X, AP_MARK_X},
    {AP_MARK_C, AP_MARK_X, AP_MARK_C},
};

static void test_ratios_and_changes(void)
{
    for (size_t i = 0; i < sizeof ratio_cases / sizeof ratio_cases[0]; i++)
        CHECK_INT(
            ap_suppress_ratio(ratio_cases[i].num, ratio_cases[i].den, ratio_cases[i].den_value),
            ratio_cases[i].want);
    for (size_t i = 0; i < sizeof change_cases / sizeof change_cases[0]; i++)
        CHECK_INT(ap_suppress_change(change_cases[i].now, change_cases[i].before),
                  change_cases[i].want);
}

int main(void)
{
    test_counts();
    test_breakdowns();
    test_ratios_and_changes();
    return ap_test_done();
}
