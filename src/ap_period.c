/*
 * ap_period: financial quarters and years, calendar months, and inclusive date
 * ranges, with the periods of the same kind before them (see ap_period.h).
 */
#include "ap_period.h"

#include <stdio.h>
#include <string.h>

static const char *const month_names[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};

/* The first day of month m of year y, clamped to the supported years rather
 * than failing: callers only shift a few periods from a parsed one. */
static ap_day first_of(int y, int m)
{
    ap_day day;
    if (!ap_day_from_ymd(y, m, 1, &day))
        ap_day_from_ymd(y < AP_YEAR_MIN ? AP_YEAR_MIN : AP_YEAR_MAX, m, 1, &day);
    return day;
}

/* "2016/17", or "2016" when the financial year is the calendar year. */
static void fy_name(int fy, int fy_start_month, char *out, size_t n)
{
    if (fy_start_month == 1)
        snprintf(out, n, "%04d", fy % 10000);
    else
        snprintf(out, n, "%04d/%02d", fy % 10000, (fy + 1) % 100);
}

/* Quarter q (1..4) of the financial year starting in month fy_start_month of
 * calendar year fy. */
static void make_quarter(int fy, int q, int fy_start_month, struct ap_period *out)
{
    ap_day fy_start = first_of(fy, fy_start_month);
    char name[16];
    fy_name(fy, fy_start_month, name, sizeof name);
    memset(out, 0, sizeof *out);
    out->kind = AP_PERIOD_QUARTER;
    out->fy = fy;
    out->quarter = q;
    out->months = 3;
    out->start = ap_day_add_months(fy_start, 3 * (q - 1));
    out->end = ap_day_add_months(fy_start, 3 * q) - 1;
    snprintf(out->code, sizeof out->code, "%s-Q%d", name, q);
    snprintf(out->label, sizeof out->label, "%s Q%d", name, q);
    snprintf(out->short_label, sizeof out->short_label, "%s Q%d", name, q);
}

static void make_year(int fy, int fy_start_month, struct ap_period *out)
{
    ap_day fy_start = first_of(fy, fy_start_month);
    memset(out, 0, sizeof *out);
    out->kind = AP_PERIOD_YEAR;
    out->fy = fy;
    out->months = 12;
    out->start = fy_start;
    out->end = ap_day_add_months(fy_start, 12) - 1;
    fy_name(fy, fy_start_month, out->code, sizeof out->code);
    snprintf(out->label, sizeof out->label, "%s", out->code);
    snprintf(out->short_label, sizeof out->short_label, "%s", out->code);
}

/* The calendar month starting on first (a 1st). */
static void make_month(ap_day first, struct ap_period *out)
{
    int y, m, d;
    ap_day_to_ymd(first, &y, &m, &d);
    memset(out, 0, sizeof *out);
    out->kind = AP_PERIOD_MONTH;
    out->months = 1;
    out->start = first;
    out->end = ap_day_add_months(first, 1) - 1;
    snprintf(out->code, sizeof out->code, "%04d-%02d", y % 10000, m);
    snprintf(out->label, sizeof out->label, "%s %d", month_names[m - 1], y % 10000);
    snprintf(out->short_label, sizeof out->short_label, "%.3s %d", month_names[m - 1], y % 10000);
}

/* Parse exactly n digits of s; -1 if any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* "YYYY/YY" at the start of s (7 bytes or more): the first year, or -1. */
static int parse_fy(const char *s)
{
    int y = digits(s, 4);
    if (y < 0 || s[4] != '/' || digits(s + 5, 2) < 0)
        return -1;
    return y;
}

bool ap_period_parse_quarter(const char *s, int fy_start_month, struct ap_period *out,
                             const char **why)
{
    /* YYYY/YY-QN */
    *why = "not a quarter in the form YYYY/YY-QN, for example 2016/17-Q4";
    if (strlen(s) != 10 || s[7] != '-' || (s[8] != 'Q' && s[8] != 'q'))
        return false;
    int y = parse_fy(s);
    if (y < 0)
        return false;
    if (s[9] < '1' || s[9] > '4') {
        *why = "the quarter must be Q1, Q2, Q3 or Q4";
        return false;
    }
    if ((y + 1) % 100 != digits(s + 5, 2)) {
        *why = "the second year must follow the first, as in 2016/17";
        return false;
    }
    if (y < AP_YEAR_MIN || y >= AP_YEAR_MAX) {
        *why = "the year is outside 1900 to 2199";
        return false;
    }
    make_quarter(y, s[9] - '0', fy_start_month, out);
    return true;
}

bool ap_period_parse_year(const char *s, int fy_start_month, struct ap_period *out,
                          const char **why)
{
    *why = "not a financial year in the form YYYY/YY, for example 2016/17";
    if (strlen(s) != 7)
        return false;
    int y = parse_fy(s);
    if (y < 0)
        return false;
    if ((y + 1) % 100 != digits(s + 5, 2)) {
        *why = "the second year must follow the first, as in 2016/17";
        return false;
    }
    if (y < AP_YEAR_MIN || y >= AP_YEAR_MAX) {
        *why = "the year is outside 1900 to 2198";
        return false;
    }
    make_year(y, fy_start_month, out);
    return true;
}

bool ap_period_parse_month(const char *s, int fy_start_month, struct ap_period *out,
                           const char **why)
{
    (void)fy_start_month;
    *why = "not a month in the form YYYY-MM, for example 2017-01";
    if (strlen(s) != 7 || s[4] != '-')
        return false;
    int y = digits(s, 4), m = digits(s + 5, 2);
    if (y < 0 || m < 0)
        return false;
    if (m < 1 || m > 12) {
        *why = "the month must be 01 to 12";
        return false;
    }
    if (y < AP_YEAR_MIN || y > AP_YEAR_MAX) {
        *why = "the year is outside 1900 to 2199";
        return false;
    }
    make_month(first_of(y, m), out);
    return true;
}

/* A plain range of days: its label, and its length in whole months if it
 * starts on a 1st and ends on a month's last day. */
static void make_range(ap_day from, ap_day to, struct ap_period *out)
{
    memset(out, 0, sizeof *out);
    out->kind = AP_PERIOD_RANGE;
    out->start = from;
    out->end = to;
    int y1, m1, d1, y2, m2, d2;
    ap_day_to_ymd(from, &y1, &m1, &d1);
    ap_day_to_ymd(to + 1, &y2, &m2, &d2);
    if (d1 == 1 && d2 == 1)
        out->months = (y2 * 12 + m2) - (y1 * 12 + m1);
    char s[32], e[32], tmp[80];
    ap_day_format_long(from, s);
    ap_day_format_long(to, e);
    snprintf(tmp, sizeof tmp, "%s to %s", s, e);
    snprintf(out->label, sizeof out->label, "%.*s", (int)sizeof out->label - 1, tmp);
    /* "Jul 2016 to Mar 2017" for whole months, else "14 Feb 2017 to 31 Mar 2017" */
    int ye, me, de;
    ap_day_to_ymd(to, &ye, &me, &de);
    if (from == to) { /* one day: "14 February 2017" */
        snprintf(out->label, sizeof out->label, "%s", s);
        snprintf(out->short_label, sizeof out->short_label, "%d %.3s %d", d1, month_names[m1 - 1],
                 y1 % 10000);
        return;
    }
    if (out->months > 0)
        snprintf(tmp, sizeof tmp, "%.3s %d to %.3s %d", month_names[m1 - 1], y1 % 10000,
                 month_names[me - 1], ye % 10000);
    else
        snprintf(tmp, sizeof tmp, "%d %.3s %d to %d %.3s %d", d1, month_names[m1 - 1], y1 % 10000,
                 de, month_names[me - 1], ye % 10000);
    snprintf(out->short_label, sizeof out->short_label, "%.*s", (int)sizeof out->short_label - 1,
             tmp);
}

bool ap_period_from_range(ap_day from, ap_day to, int fy_start_month, struct ap_period *out,
                          const char **why)
{
    if (to < from) {
        *why = "the end date is before the start date";
        return false;
    }
    make_range(from, to, out);
    struct ap_period q;
    if (out->months == 1) {
        make_month(from, out);
    } else if (out->months == 3) {
        ap_period_quarter_of(from, fy_start_month, &q);
        if (ap_period_same_days(&q, out))
            *out = q;
    } else if (out->months == 12) {
        ap_period_quarter_of(from, fy_start_month, &q);
        if (q.start == from && q.quarter == 1)
            make_year(q.fy, fy_start_month, out);
    }
    return true;
}

void ap_period_quarter_of(ap_day day, int fy_start_month, struct ap_period *out)
{
    int y, m, d;
    ap_day_to_ymd(day, &y, &m, &d);
    int fy = m >= fy_start_month ? y : y - 1;
    int months_in = (m - fy_start_month + 12) % 12;
    make_quarter(fy, months_in / 3 + 1, fy_start_month, out);
}

void ap_period_shift(const struct ap_period *p, int n, int fy_start_month, struct ap_period *out)
{
    switch (p->kind) {
    case AP_PERIOD_QUARTER: {
        int idx = p->fy * 4 + (p->quarter - 1) + n;
        make_quarter(idx / 4, idx % 4 + 1, fy_start_month, out);
        return;
    }
    case AP_PERIOD_YEAR:
        make_year(p->fy + n, fy_start_month, out);
        return;
    case AP_PERIOD_MONTH:
        make_month(ap_day_add_months(p->start, n), out);
        return;
    case AP_PERIOD_RANGE:
        break;
    }
    if (p->months > 0) {
        make_range(ap_day_add_months(p->start, p->months * n),
                   ap_day_add_months(p->start, p->months * (n + 1)) - 1, out);
    } else {
        ap_day len = p->end - p->start + 1;
        make_range(p->start + len * n, p->end + len * n, out);
    }
}

void ap_period_year_before(const struct ap_period *p, int fy_start_month, struct ap_period *out)
{
    switch (p->kind) {
    case AP_PERIOD_QUARTER:
        ap_period_shift(p, -4, fy_start_month, out);
        return;
    case AP_PERIOD_YEAR:
        ap_period_shift(p, -1, fy_start_month, out);
        return;
    case AP_PERIOD_MONTH:
        ap_period_shift(p, -12, fy_start_month, out);
        return;
    case AP_PERIOD_RANGE:
        break;
    }
    if (p->months > 0)
        make_range(ap_day_add_months(p->start, -12), ap_day_add_months(p->end + 1, -12) - 1, out);
    else
        make_range(ap_day_add_months(p->start, -12), ap_day_add_months(p->end, -12), out);
}

bool ap_period_same_days(const struct ap_period *a, const struct ap_period *b)
{
    return a->start == b->start && a->end == b->end;
}

void ap_period_length_words(const struct ap_period *p, char out[24])
{
    if (p->months > 0)
        snprintf(out, 24, "%d month%s", p->months, p->months == 1 ? "" : "s");
    else
        snprintf(out, 24, "%ld day%s", (long)(p->end - p->start + 1),
                 p->end == p->start ? "" : "s");
}
