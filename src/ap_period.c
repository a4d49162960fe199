/*
 * ap_period: financial quarters and inclusive date ranges.
 */
#include "ap_period.h"

#include <stdio.h>
#include <string.h>

/* Fill start/end/labels for quarter q (1..4) of the financial year starting in
 * month fy_start_month of calendar year fy. */
static void make_quarter(int fy, int q, int fy_start_month, struct ap_period *out)
{
    ap_day fy_start;
    int y = fy, m = fy_start_month;
    if (!ap_day_from_ymd(y, m, 1, &fy_start)) {
        /* Out-of-range year: clamp to the supported range rather than fail;
         * callers only shift a few quarters from a parsed period. */
        ap_day_from_ymd(y < AP_YEAR_MIN ? AP_YEAR_MIN : AP_YEAR_MAX, m, 1, &fy_start);
    }
    memset(out, 0, sizeof *out);
    out->fy = fy;
    out->quarter = q;
    out->start = ap_day_add_months(fy_start, 3 * (q - 1));
    out->end = ap_day_add_months(fy_start, 3 * q) - 1;
    if (fy_start_month == 1) {
        snprintf(out->code, sizeof out->code, "%04d-Q%d", fy % 10000, q);
        snprintf(out->label, sizeof out->label, "%04d Q%d", fy % 10000, q);
    } else {
        snprintf(out->code, sizeof out->code, "%04d/%02d-Q%d", fy % 10000, (fy + 1) % 100, q);
        snprintf(out->label, sizeof out->label, "%04d/%02d Q%d", fy % 10000, (fy + 1) % 100, q);
    }
}

bool ap_period_parse_quarter(const char *s, int fy_start_month, struct ap_period *out,
                             const char **why)
{
    /* YYYY/YY-QN */
    *why = "not a quarter in the form YYYY/YY-QN, for example 2016/17-Q4";
    if (strlen(s) != 10 || s[4] != '/' || s[7] != '-' || (s[8] != 'Q' && s[8] != 'q'))
        return false;
    int y = 0, yy = 0;
    for (int i = 0; i < 4; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        y = y * 10 + (s[i] - '0');
    }
    for (int i = 5; i < 7; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        yy = yy * 10 + (s[i] - '0');
    }
    if (s[9] < '1' || s[9] > '4') {
        *why = "the quarter must be Q1, Q2, Q3 or Q4";
        return false;
    }
    if ((y + 1) % 100 != yy) {
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

bool ap_period_from_range(ap_day from, ap_day to, struct ap_period *out, const char **why)
{
    if (to < from) {
        *why = "the end date is before the start date";
        return false;
    }
    memset(out, 0, sizeof *out);
    out->start = from;
    out->end = to;
    char s[32], e[32], tmp[80];
    ap_day_format_long(from, s);
    ap_day_format_long(to, e);
    snprintf(tmp, sizeof tmp, "%s to %s", s, e);
    snprintf(out->label, sizeof out->label, "%.*s", (int)sizeof out->label - 1, tmp);
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
    if (p->quarter) {
        int idx = p->fy * 4 + (p->quarter - 1) + n;
        make_quarter(idx / 4, idx % 4 + 1, fy_start_month, out);
        return;
    }
    const char *why;
    ap_period_from_range(ap_day_add_months(p->start, 3 * n),
                         ap_day_add_months(p->end + 1, 3 * n) - 1, out, &why);
}
