/*
 * ap_date: civil-calendar arithmetic (Howard Hinnant's days_from_civil) and the
 * strict parsers for the date forms SPEC.md accepts.
 */
#include "ap_date.h"

#include <stdio.h>
#include <string.h>

bool ap_is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int ap_days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && ap_is_leap(y) ? 29 : days[m - 1];
}

static ap_day days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (ap_day)(era * 146097 + doe - 719468);
}

bool ap_day_from_ymd(int y, int m, int d, ap_day *out)
{
    if (y < AP_YEAR_MIN || y > AP_YEAR_MAX || m < 1 || m > 12 || d < 1 ||
        d > ap_days_in_month(y, m))
        return false;
    *out = days_from_civil(y, m, d);
    return true;
}

void ap_day_to_ymd(ap_day day, int *y, int *m, int *d)
{
    int z = day + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp + (mp < 10 ? 3 : -9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Read exactly n digits at s into *v. */
static bool digits(const char *s, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return true;
}

static const char *const bad_form = "not a date in the form YYYY-MM-DD or DD/MM/YYYY";

/* Parse the date part at the start of s (10 characters). */
static bool parse_ymd(const char *s, size_t n, int *y, int *m, int *d, const char **why)
{
    *why = bad_form;
    if (n < 10)
        return false;
    if (s[4] == '-' && s[7] == '-') {
        if (!digits(s, 4, y) || !digits(s + 5, 2, m) || !digits(s + 8, 2, d))
            return false;
    } else if (s[2] == '/' && s[5] == '/') {
        if (!digits(s, 2, d) || !digits(s + 3, 2, m) || !digits(s + 6, 4, y))
            return false;
    } else {
        return false;
    }
    if (*m < 1 || *m > 12) {
        *why = "the month is not between 01 and 12";
        return false;
    }
    if (*y < AP_YEAR_MIN || *y > AP_YEAR_MAX) {
        *why = "the year is outside 1900 to 2199";
        return false;
    }
    if (*d < 1 || *d > ap_days_in_month(*y, *m)) {
        *why = *m == 2 && *d == 29 ? "29 February does not exist in that year"
                                   : "that day does not exist in that month";
        return false;
    }
    return true;
}

bool ap_date_parse(const char *s, size_t n, ap_day *out, const char **why)
{
    int y, m, d;
    if (!parse_ymd(s, n, &y, &m, &d, why))
        return false;
    if (n != 10) {
        *why = bad_form;
        return false;
    }
    *out = days_from_civil(y, m, d);
    return true;
}

bool ap_datetime_parse(const char *s, size_t n, int64_t *secs, bool *has_time, const char **why)
{
    int y, m, d, hh = 0, mm = 0, ss = 0;
    if (!parse_ymd(s, n, &y, &m, &d, why)) {
        if (*why == bad_form)
            *why = "not a date-time in the form YYYY-MM-DD HH:MM[:SS] (or DD/MM/YYYY HH:MM)";
        return false;
    }
    *has_time = false;
    if (n > 10) {
        const char *t = s + 11;
        size_t tn = n - 11;
        *why = "not a date-time in the form YYYY-MM-DD HH:MM[:SS] (or DD/MM/YYYY HH:MM)";
        if ((s[10] != ' ' && s[10] != 'T') || (tn != 5 && tn != 8))
            return false;
        if (!digits(t, 2, &hh) || t[2] != ':' || !digits(t + 3, 2, &mm))
            return false;
        if (tn == 8 && (t[5] != ':' || !digits(t + 6, 2, &ss)))
            return false;
        if (hh > 23 || mm > 59 || ss > 59) {
            *why = "the time is not a real time of day (00:00 to 23:59:59)";
            return false;
        }
        *has_time = true;
    }
    *secs = (int64_t)days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
    return true;
}

/* Write v as exactly n decimal digits (v >= 0; the years are 1900..2199 or
 * whatever the day numbers give, so four digits as %04d would, for n = 4). */
static void put_digits(char *out, int v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* The import formats a date per field of a million rows: digits written
 * directly, not through snprintf. */
void ap_day_format(ap_day day, char out[11])
{
    int y, m, d;
    ap_day_to_ymd(day, &y, &m, &d);
    if (y < 0 || y > 9999) {
        char tmp[40];
        snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
        memcpy(out, tmp, 10);
        out[10] = '\0';
        return;
    }
    put_digits(out, y, 4);
    out[4] = '-';
    put_digits(out + 5, m, 2);
    out[7] = '-';
    put_digits(out + 8, d, 2);
    out[10] = '\0';
}

void ap_datetime_format(int64_t secs, bool has_time, char out[20])
{
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int rem = (int)(secs - days * 86400);
    ap_day_format((ap_day)days, out);
    if (!has_time)
        return;
    out[10] = ' ';
    put_digits(out + 11, rem / 3600, 2);
    out[13] = ':';
    put_digits(out + 14, rem / 60 % 60, 2);
    out[16] = ':';
    put_digits(out + 17, rem % 60, 2);
    out[19] = '\0';
}

void ap_day_format_long(ap_day day, char out[32])
{
    static const char *const months[] = {"January", "February", "March",     "April",
                                         "May",     "June",     "July",      "August",
                                         "September", "October", "November", "December"};
    int y, m, d;
    ap_day_to_ymd(day, &y, &m, &d);
    snprintf(out, 32, "%d %s %d", d, months[m - 1], y % 10000);
}

int ap_age_years(ap_day birth, ap_day on)
{
    if (on < birth)
        return -1;
    int by, bm, bd, y, m, d;
    ap_day_to_ymd(birth, &by, &bm, &bd);
    ap_day_to_ymd(on, &y, &m, &d);
    int age = y - by;
    /* The birthday in year y; 29 February becomes 1 March in a common year. */
    int cm = bm, cd = bd;
    if (bm == 2 && bd == 29 && !ap_is_leap(y))
        cm = 3, cd = 1;
    if (m < cm || (m == cm && d < cd))
        age--;
    return age;
}

int ap_months_inclusive(ap_day t, ap_day d)
{
    int ty, tm, td, y, m, dd;
    ap_day_to_ymd(t, &ty, &tm, &td);
    ap_day_to_ymd(d, &y, &m, &dd);
    int n = (y - ty) * 12 + (m - tm) + 1;
    return n > 0 ? n : 0;
}

ap_day ap_day_add_months(ap_day day, int n)
{
    int y, m, d;
    ap_day_to_ymd(day, &y, &m, &d);
    int idx = y * 12 + (m - 1) + n;
    int ny = idx / 12, nm = idx % 12 + 1;
    if (idx < 0) {
        ny = (idx - 11) / 12;
        nm = idx - ny * 12 + 1;
    }
    int dim = ap_days_in_month(ny, nm);
    return days_from_civil(ny, nm, d > dim ? dim : d);
}
