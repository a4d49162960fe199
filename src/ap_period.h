/*
 * ap_period: a reporting period and its kind. A period is a quarter of the
 * financial year ("2016/17 Q4" with an April start = 2017-01-01..2017-03-31),
 * a calendar month ("January 2017"), a financial year ("2016/17" = April 2016
 * to March 2017) or any other inclusive --from/--to range. A range that is
 * exactly one of the first three is that kind, so it is worded and compared as
 * one.
 *
 * Periods "of the same kind" follow each other without gap or overlap
 * (ap_period_shift): quarters, months and years as the calendar has them; a
 * range of whole calendar months (it starts on a 1st and ends on a month's last
 * day) by the same number of months; any other range by the same number of
 * days. The same period a year earlier (ap_period_year_before) is the quarter,
 * month or year before for a year, and for a range its two ends moved back 12
 * calendar months (29 February becomes 28 February, so a range of days that
 * crosses the end of February may be one day shorter or longer a year earlier).
 */
#ifndef AP_PERIOD_H
#define AP_PERIOD_H

#include <stdbool.h>

#include "ap_date.h"

enum ap_period_kind {
    AP_PERIOD_QUARTER, /* a quarter of the financial year */
    AP_PERIOD_MONTH,   /* a calendar month */
    AP_PERIOD_YEAR,    /* a financial year */
    AP_PERIOD_RANGE    /* any other range of days */
};

struct ap_period {
    ap_day start; /* S, inclusive */
    ap_day end;   /* D, inclusive */
    enum ap_period_kind kind;
    int fy;         /* calendar year the financial year starts in (quarter, year); else 0 */
    int quarter;    /* 1..4 for a quarter; else 0 */
    int months;     /* whole calendar months it covers (1 a month, 3 a quarter, 12 a year,
                       N a range of whole months); 0 for a range of days */
    char label[48]; /* "2016/17 Q4", "January 2017", "2016/17", or
                       "1 January 2017 to 15 March 2017" */
    char short_label[32]; /* for a chart's axis: "2016/17 Q4", "Jan 2017", "2016/17",
                             "Jul 2016 to Mar 2017", "14 Feb 2017 to 31 Mar 2017" */
    char code[24];  /* "2016/17-Q4", "2017-01", "2016/17"; "" for a range */
};

/* Parse "YYYY/YY-QN" (the second year must follow the first). fy_start_month is
 * 1..12 (4 = April). On failure false and *why says what is wrong. */
bool ap_period_parse_quarter(const char *s, int fy_start_month, struct ap_period *out,
                             const char **why);

/* Parse "YYYY/YY", the financial year that starts in YYYY. */
bool ap_period_parse_year(const char *s, int fy_start_month, struct ap_period *out,
                          const char **why);

/* Parse "YYYY-MM", a calendar month. */
bool ap_period_parse_month(const char *s, int fy_start_month, struct ap_period *out,
                           const char **why);

/* Build an inclusive range; false if to < from. A range that is exactly a
 * financial quarter, a calendar month or a financial year is made that kind. */
bool ap_period_from_range(ap_day from, ap_day to, int fy_start_month, struct ap_period *out,
                          const char **why);

/* The financial quarter containing day. */
void ap_period_quarter_of(ap_day day, int fy_start_month, struct ap_period *out);

/* The period of the same kind and length n periods later (n < 0: earlier);
 * shifts by -1 .. -n tile the time before p without gap or overlap. */
void ap_period_shift(const struct ap_period *p, int n, int fy_start_month, struct ap_period *out);

/* The same period a year earlier (see the top of this file). */
void ap_period_year_before(const struct ap_period *p, int fy_start_month, struct ap_period *out);

/* Whether a and b are the same days. */
bool ap_period_same_days(const struct ap_period *a, const struct ap_period *b);

/* How long a range is, in words: "9 months" or "45 days" (1 day, 1 month);
 * out holds 24 bytes. For a quarter, month or year: "3 months", "1 month",
 * "12 months". */
void ap_period_length_words(const struct ap_period *p, char out[24]);

#endif
