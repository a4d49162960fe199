/*
 * Unit tests for ap_date and ap_period: table-driven, with the calendar edge
 * cases the figures depend on (leap years, 29 February birthdays, month ends,
 * financial quarters and their boundaries).
 */
#include <string.h>

#include "ap_date.h"
#include "ap_period.h"
#include "ap_test.h"
#include "ap_util.h"

static const struct {
    const char *in;
    const char *iso; /* NULL: must be rejected */
} date_cases[] = {
    {"2017-03-31", "2017-03-31"},
    {"31/03/2017", "2017-03-31"},
    {"2016-02-29", "2016-02-29"},
    {"29/02/2016", "2016-02-29"},
    {"2000-02-29", "2000-02-29"}, /* divisible by 400: leap */
    {"1900-02-29", NULL},         /* divisible by 100: not leap */
    {"2017-02-29", NULL},
    {"2017-04-31", NULL},
    {"2017-13-01", NULL},
    {"2017-00-10", NULL},
    {"2017-01-00", NULL},
    {"0216-01-01", NULL}, /* a typo, outside 1900..2199 */
    {"2017-3-31", NULL},
    {"2017/03/31", NULL},
    {"03/31/2017", NULL}, /* US order: month 31 */
    {"2017-03-31 ", NULL},
    {"", NULL},
    {"31-03-2017", NULL},
};

static void test_date_parse(void)
{
    for (size_t i = 0; i < AP_ARRAY_LEN(date_cases); i++) {
        ap_day day = 0;
        const char *why = NULL;
        bool ok = ap_date_parse(date_cases[i].in, strlen(date_cases[i].in), &day, &why);
        if (date_cases[i].iso) {
            char out[11];
            CHECK(ok);
            ap_day_format(day, out);
            CHECK_STR(out, date_cases[i].iso);
        } else {
            CHECK(!ok);
            CHECK(why != NULL && *why);
        }
    }
    ap_day day;
    CHECK(ap_day_from_ymd(1970, 1, 1, &day) && day == 0);
    CHECK(ap_day_from_ymd(2017, 3, 31, &day) && day == 17256);
}

static const struct {
    const char *in;
    const char *out; /* NULL: rejected */
    bool has_time;
} datetime_cases[] = {
    {"2017-03-31 23:59", "2017-03-31 23:59:00", true},
    {"2017-03-31T23:59:30", "2017-03-31 23:59:30", true},
    {"31/03/2017 08:05", "2017-03-31 08:05:00", true},
    {"2017-03-31", "2017-03-31", false},
    {"2017-03-31 24:00", NULL, false},
    {"2017-03-31 12:60", NULL, false},
    {"2017-03-31 12", NULL, false},
    {"2017-03-31 12:00:00Z", NULL, false},
    {"2017-03-31X12:00", NULL, false},
};

static void test_datetime_parse(void)
{
    for (size_t i = 0; i < AP_ARRAY_LEN(datetime_cases); i++) {
        int64_t secs = 0;
        bool has_time = false;
        const char *why = NULL;
        const char *in = datetime_cases[i].in;
        bool ok = ap_datetime_parse(in, strlen(in), &secs, &has_time, &why);
        if (datetime_cases[i].out) {
            char out[20];
            CHECK(ok);
            CHECK(has_time == datetime_cases[i].has_time);
            ap_datetime_format(secs, has_time, out);
            CHECK_STR(out, datetime_cases[i].out);
        } else {
            CHECK(!ok);
        }
    }
}

static const struct {
    const char *birth, *on;
    int age;
} age_cases[] = {
    {"2004-02-29", "2016-02-28", 11},
    {"2004-02-29", "2016-02-29", 12}, /* leap year: the birthday itself */
    {"2004-02-29", "2015-02-28", 10}, /* common year: not until 1 March */
    {"2004-02-29", "2015-03-01", 11},
    {"2004-02-29", "2017-03-01", 13},
    {"2005-06-15", "2017-06-14", 11},
    {"2005-06-15", "2017-06-15", 12},
    {"2005-06-15", "2005-06-15", 0},
    {"2005-06-15", "2005-06-14", -1},
    {"1999-12-31", "2017-12-31", 18},
};

static ap_day day_of(const char *s)
{
    ap_day d = 0;
    const char *why;
    ap_date_parse(s, strlen(s), &d, &why);
    return d;
}

static void test_age(void)
{
    for (size_t i = 0; i < AP_ARRAY_LEN(age_cases); i++)
        CHECK_INT(ap_age_years(day_of(age_cases[i].birth), day_of(age_cases[i].on)),
                  age_cases[i].age);
}

static void test_months(void)
{
    CHECK_INT(ap_months_inclusive(day_of("2015-11-01"), day_of("2017-03-31")), 17);
    CHECK_INT(ap_months_inclusive(day_of("2015-11-30"), day_of("2017-03-01")), 17);
    CHECK_INT(ap_months_inclusive(day_of("2017-03-01"), day_of("2017-03-31")), 1);
    CHECK_INT(ap_months_inclusive(day_of("2017-04-01"), day_of("2017-03-31")), 0);
    char out[11];
    ap_day_format(ap_day_add_months(day_of("2016-01-31"), 1), out);
    CHECK_STR(out, "2016-02-29");
    ap_day_format(ap_day_add_months(day_of("2017-03-31"), -13), out);
    CHECK_STR(out, "2016-02-29");
    ap_day_format(ap_day_add_months(day_of("2016-12-15"), 1), out);
    CHECK_STR(out, "2017-01-15");
}

static const struct {
    const char *code;
    int fy_start;
    const char *start, *end, *label; /* start NULL: rejected */
} quarter_cases[] = {
    {"2016/17-Q4", 4, "2017-01-01", "2017-03-31", "2016/17 Q4"},
    {"2016/17-Q1", 4, "2016-04-01", "2016-06-30", "2016/17 Q1"},
    {"2016/17-Q3", 4, "2016-10-01", "2016-12-31", "2016/17 Q3"},
    {"2015/16-Q4", 4, "2016-01-01", "2016-03-31", "2015/16 Q4"},
    {"2016/17-Q4", 1, "2016-10-01", "2016-12-31", "2016 Q4"},
    {"2016/17-Q1", 9, "2016-09-01", "2016-11-30", "2016/17 Q1"},
    {"2099/00-Q2", 4, "2099-07-01", "2099-09-30", "2099/00 Q2"},
    {"2016/17-Q5", 4, NULL, NULL, NULL},
    {"2016/18-Q1", 4, NULL, NULL, NULL},
    {"2016-17-Q1", 4, NULL, NULL, NULL},
    {"2016/17-Q0", 4, NULL, NULL, NULL},
    {"16/17-Q1", 4, NULL, NULL, NULL},
};

static void test_quarters(void)
{
    for (size_t i = 0; i < AP_ARRAY_LEN(quarter_cases); i++) {
        struct ap_period p;
        const char *why = NULL;
        bool ok = ap_period_parse_quarter(quarter_cases[i].code, quarter_cases[i].fy_start, &p,
                                          &why);
        if (!quarter_cases[i].start) {
            CHECK(!ok);
            continue;
        }
        CHECK(ok);
        CHECK_INT(p.start, day_of(quarter_cases[i].start));
        CHECK_INT(p.end, day_of(quarter_cases[i].end));
        CHECK_STR(p.label, quarter_cases[i].label);
    }

    struct ap_period q, prev, year_ago, back;
    const char *why;
    CHECK(ap_period_parse_quarter("2016/17-Q1", 4, &q, &why));
    ap_period_shift(&q, -1, 4, &prev);
    CHECK_STR(prev.code, "2015/16-Q4");
    CHECK_INT(prev.start, day_of("2016-01-01"));
    ap_period_shift(&q, -4, 4, &year_ago);
    CHECK_STR(year_ago.code, "2015/16-Q1");
    ap_period_shift(&prev, 1, 4, &back);
    CHECK_STR(back.code, "2016/17-Q1");

    /* The quarter containing a day, at both edges. */
    ap_period_quarter_of(day_of("2017-03-31"), 4, &q);
    CHECK_STR(q.code, "2016/17-Q4");
    ap_period_quarter_of(day_of("2017-04-01"), 4, &q);
    CHECK_STR(q.code, "2017/18-Q1");
    ap_period_quarter_of(day_of("2017-01-01"), 4, &q);
    CHECK_STR(q.code, "2016/17-Q4");

    /* A range that is exactly a quarter is that quarter. */
    struct ap_period r, r2;
    CHECK(ap_period_from_range(day_of("2017-01-01"), day_of("2017-03-31"), 4, &r, &why));
    CHECK_INT(r.kind, AP_PERIOD_QUARTER);
    CHECK_STR(r.code, "2016/17-Q4");
    CHECK(!ap_period_from_range(day_of("2017-03-31"), day_of("2017-01-01"), 4, &r, &why));
    (void)r2;
}

/* Periods of every kind: how each is parsed or recognised, its label, the
 * period before it (the trend's rows follow each other without gap or overlap)
 * and the same period a year earlier, worked out from the calendar by hand. */
static const struct {
    const char *how;  /* "q" quarter, "y" year, "m" month, "r" range FROM/TO */
    const char *arg;  /* the option's value, or "FROM TO" */
    int fy_start;
    int kind;
    const char *label, *prev_start, *prev_end, *year_start, *year_end;
} kind_cases[] = {
    {"q", "2016/17-Q4", 4, AP_PERIOD_QUARTER, "2016/17 Q4", "2016-10-01", "2016-12-31",
     "2016-01-01", "2016-03-31"},
    {"y", "2016/17", 4, AP_PERIOD_YEAR, "2016/17", "2015-04-01", "2016-03-31", "2015-04-01",
     "2016-03-31"},
    {"y", "2016/17", 1, AP_PERIOD_YEAR, "2016", "2015-01-01", "2015-12-31", "2015-01-01",
     "2015-12-31"},
    {"m", "2017-01", 4, AP_PERIOD_MONTH, "January 2017", "2016-12-01", "2016-12-31", "2016-01-01",
     "2016-01-31"},
    {"m", "2016-03", 4, AP_PERIOD_MONTH, "March 2016", "2016-02-01", "2016-02-29", "2015-03-01",
     "2015-03-31"},
    /* whole-month ranges, recognised as a month and as a year */
    {"r", "2017-02-01 2017-02-28", 4, AP_PERIOD_MONTH, "February 2017", "2017-01-01",
     "2017-01-31", "2016-02-01", "2016-02-29"},
    {"r", "2016-04-01 2017-03-31", 4, AP_PERIOD_YEAR, "2016/17", "2015-04-01", "2016-03-31",
     "2015-04-01", "2016-03-31"},
    /* 9 whole months: the 9 months before, and the same 9 months a year earlier */
    {"r", "2016-07-01 2017-03-31", 4, AP_PERIOD_RANGE, "1 July 2016 to 31 March 2017",
     "2015-10-01", "2016-06-30", "2015-07-01", "2016-03-31"},
    /* 12 months that are not a financial year: a range, with one comparison */
    {"r", "2016-01-01 2016-12-31", 4, AP_PERIOD_RANGE, "1 January 2016 to 31 December 2016",
     "2015-01-01", "2015-12-31", "2015-01-01", "2015-12-31"},
    /* 46 days: the 46 days before, and each end moved back a year */
    {"r", "2017-02-14 2017-03-31", 4, AP_PERIOD_RANGE, "14 February 2017 to 31 March 2017",
     "2016-12-30", "2017-02-13", "2016-02-14", "2016-03-31"},
    /* a leap day at the end moves to 28 February */
    {"r", "2016-02-10 2016-02-29", 4, AP_PERIOD_RANGE, "10 February 2016 to 29 February 2016",
     "2016-01-21", "2016-02-09", "2015-02-10", "2015-02-28"},
    {"r", "2016-06-30 2016-06-30", 4, AP_PERIOD_RANGE, "30 June 2016",
     "2016-06-29", "2016-06-29", "2015-06-30", "2015-06-30"},
    /* a quarter in a year that starts in January */
    {"r", "2016-01-01 2016-03-31", 1, AP_PERIOD_QUARTER, "2016 Q1", "2015-10-01", "2015-12-31",
     "2015-01-01", "2015-03-31"},
};

static void test_period_kinds(void)
{
    for (size_t i = 0; i < AP_ARRAY_LEN(kind_cases); i++) {
        struct ap_period p, prev, year, a, b;
        const char *why = NULL, *arg = kind_cases[i].arg;
        int fy = kind_cases[i].fy_start;
        bool ok = false;
        switch (kind_cases[i].how[0]) {
        case 'q':
            ok = ap_period_parse_quarter(arg, fy, &p, &why);
            break;
        case 'y':
            ok = ap_period_parse_year(arg, fy, &p, &why);
            break;
        case 'm':
            ok = ap_period_parse_month(arg, fy, &p, &why);
            break;
        default:
            {
            char from[11];
            snprintf(from, sizeof from, "%.10s", arg);
            ok = ap_period_from_range(day_of(from), day_of(arg + 11), fy, &p, &why);
        }
            break;
        }
        CHECK(ok);
        if (!ok)
            continue;
        CHECK_INT(p.kind, kind_cases[i].kind);
        CHECK_STR(p.label, kind_cases[i].label);
        ap_period_shift(&p, -1, fy, &prev);
        CHECK_INT(prev.start, day_of(kind_cases[i].prev_start));
        CHECK_INT(prev.end, day_of(kind_cases[i].prev_end));
        CHECK_INT(prev.kind, p.kind);
        ap_period_year_before(&p, fy, &year);
        CHECK_INT(year.start, day_of(kind_cases[i].year_start));
        CHECK_INT(year.end, day_of(kind_cases[i].year_end));
        /* eight periods back, each ending the day before the next starts */
        for (int n = -7; n < 0; n++) {
            ap_period_shift(&p, n, fy, &a);
            ap_period_shift(&p, n + 1, fy, &b);
            CHECK_INT(a.end + 1, b.start);
        }
    }

    /* Bad values name the form that is wanted. */
    static const struct {
        char how;
        const char *arg, *why;
    } bad[] = {
        {'y', "2016/18", "the second year must follow the first, as in 2016/17"},
        {'y', "2016", "not a financial year in the form YYYY/YY, for example 2016/17"},
        {'y', "16/17", "not a financial year in the form YYYY/YY, for example 2016/17"},
        {'y', "2016/17-Q1", "not a financial year in the form YYYY/YY, for example 2016/17"},
        {'m', "2017-13", "the month must be 01 to 12"},
        {'m', "2017-1", "not a month in the form YYYY-MM, for example 2017-01"},
        {'m', "January", "not a month in the form YYYY-MM, for example 2017-01"},
    };
    for (size_t i = 0; i < AP_ARRAY_LEN(bad); i++) {
        struct ap_period p;
        const char *why = NULL;
        bool ok = bad[i].how == 'y' ? ap_period_parse_year(bad[i].arg, 4, &p, &why)
                                    : ap_period_parse_month(bad[i].arg, 4, &p, &why);
        CHECK(!ok);
        CHECK_STR(why ? why : "", bad[i].why);
    }

    char len[24];
    struct ap_period p;
    const char *why;
    CHECK(ap_period_from_range(day_of("2017-02-14"), day_of("2017-03-31"), 4, &p, &why));
    ap_period_length_words(&p, len);
    CHECK_STR(len, "46 days");
    CHECK(ap_period_from_range(day_of("2016-07-01"), day_of("2017-03-31"), 4, &p, &why));
    ap_period_length_words(&p, len);
    CHECK_STR(len, "9 months");
    CHECK_INT(p.months, 9);
    /* the chart's axis labels */
    CHECK_STR(p.short_label, "Jul 2016 to Mar 2017");
    CHECK(ap_period_from_range(day_of("2017-02-14"), day_of("2017-03-31"), 4, &p, &why));
    CHECK_STR(p.short_label, "14 Feb 2017 to 31 Mar 2017");
    CHECK(ap_period_parse_month("2017-01", 4, &p, &why));
    CHECK_STR(p.short_label, "Jan 2017");
    CHECK_STR(p.code, "2017-01");
    CHECK(ap_period_parse_year("2016/17", 4, &p, &why));
    CHECK_STR(p.short_label, "2016/17");
    CHECK_STR(p.code, "2016/17");
}

int main(void)
{
    test_date_parse();
    test_datetime_parse();
    test_age();
    test_months();
    test_period_kinds();
    test_quarters();
    return ap_test_done();
}
