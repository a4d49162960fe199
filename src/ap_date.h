/*
 * ap_date: calendar dates as day numbers (days since 1970-01-01, proleptic
 * Gregorian) and date-times as seconds since 1970-01-01 00:00 (local civil time,
 * no zone). Parsing accepts exactly the forms SPEC.md allows; the database stores
 * the ISO text forms these functions write.
 */
#ifndef AP_DATE_H
#define AP_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int32_t ap_day;
#define AP_DAY_NONE INT32_MIN

/* Years accepted anywhere (guards against typos such as 0216 or 2106). */
#define AP_YEAR_MIN 1900
#define AP_YEAR_MAX 2199

bool ap_is_leap(int y);
int ap_days_in_month(int y, int m);
bool ap_day_from_ymd(int y, int m, int d, ap_day *out); /* false if not a real date */
void ap_day_to_ymd(ap_day day, int *y, int *m, int *d);

/* Parse s[0..n): "YYYY-MM-DD" or "DD/MM/YYYY". On failure returns false and sets
 * *why to a static explanation ("not a date in the form YYYY-MM-DD or DD/MM/YYYY",
 * "31 April does not exist", ...). */
bool ap_date_parse(const char *s, size_t n, ap_day *out, const char **why);

/* Parse a date or date-time: a date form as above, or "YYYY-MM-DD HH:MM[:SS]"
 * or with 'T' instead of the space (also DD/MM/YYYY HH:MM[:SS]). *has_time says
 * whether a time was given; a bare date is midnight. */
bool ap_datetime_parse(const char *s, size_t n, int64_t *secs, bool *has_time,
                       const char **why);

/* "YYYY-MM-DD"; out holds 11 bytes. */
void ap_day_format(ap_day day, char out[11]);
/* "YYYY-MM-DD HH:MM:SS", or "YYYY-MM-DD" when !has_time; out holds 20 bytes. */
void ap_datetime_format(int64_t secs, bool has_time, char out[20]);
/* "1 March 2017"; out holds 32 bytes. */
void ap_day_format_long(ap_day day, char out[32]);

/* Completed years of age on day `on`; a 29 February birthday falls on 1 March in
 * other years. -1 if on < birth. */
int ap_age_years(ap_day birth, ap_day on);

/* Whole calendar months from t to d counting both ends (Nov 2015..Mar 2017 = 17);
 * 0 if d is before t's month. */
int ap_months_inclusive(ap_day t, ap_day d);

/* day shifted by n calendar months, clamped to the month's length. */
ap_day ap_day_add_months(ap_day day, int n);

#endif
