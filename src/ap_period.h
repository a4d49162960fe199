/*
 * ap_period: a reporting period, either a quarter of the financial year
 * ("2016/17-Q4" with an April start = 2017-01-01..2017-03-31) or an inclusive
 * --from/--to range.
 */
#ifndef AP_PERIOD_H
#define AP_PERIOD_H

#include <stdbool.h>

#include "ap_date.h"

struct ap_period {
    ap_day start;     /* S, inclusive */
    ap_day end;       /* D, inclusive */
    int fy;           /* calendar year the financial year starts in; 0 for a range */
    int quarter;      /* 1..4; 0 for a range */
    char label[48];   /* "2016/17 Q4", or "1 January 2017 to 31 March 2017" */
    char code[16];    /* "2016/17-Q4" (quarters only; "" for a range) */
};

/* Parse "YYYY/YY-QN" (the second year must follow the first). fy_start_month is
 * 1..12 (4 = April). On failure false and *why says what is wrong. */
bool ap_period_parse_quarter(const char *s, int fy_start_month, struct ap_period *out,
                             const char **why);

/* Build an inclusive range; false if to < from. */
bool ap_period_from_range(ap_day from, ap_day to, struct ap_period *out, const char **why);

/* The financial quarter containing day. */
void ap_period_quarter_of(ap_day day, int fy_start_month, struct ap_period *out);

/* For a quarter: the quarter n quarters later (n < 0: earlier). For a range: the
 * range moved by 3*n calendar months (both ends). */
void ap_period_shift(const struct ap_period *p, int n, int fy_start_month, struct ap_period *out);

#endif
