/*
 * fuzz_date: the date, date-time and period parsers. Whatever they accept must
 * survive a round trip through the writer (what the database stores is what a
 * later read gives back), stay within the supported years, and give periods
 * whose start is not after their end.
 */
#include <stdint.h>
#include <string.h>

#include "ap_date.h"
#include "ap_period.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_day(ap_day day)
{
    int y, m, dd;
    ap_day_to_ymd(day, &y, &m, &dd);
    FUZZ_ASSERT(y >= AP_YEAR_MIN && y <= AP_YEAR_MAX);
    FUZZ_ASSERT(m >= 1 && m <= 12 && dd >= 1 && dd <= ap_days_in_month(y, m));
    char iso[11], again_iso[11], longform[32];
    ap_day_format(day, iso);
    ap_day again;
    const char *why = NULL;
    FUZZ_ASSERT(ap_date_parse(iso, strlen(iso), &again, &why));
    FUZZ_ASSERT(again == day);
    ap_day_format(again, again_iso);
    FUZZ_ASSERT(!strcmp(iso, again_iso));
    ap_day_format_long(day, longform);
    FUZZ_ASSERT(strlen(longform) > 0);
}

static void check_period(const struct ap_period *p, int fy_start_month)
{
    FUZZ_ASSERT(p->start <= p->end);
    FUZZ_ASSERT(memchr(p->label, '\0', sizeof p->label) != NULL);
    FUZZ_ASSERT(memchr(p->code, '\0', sizeof p->code) != NULL);
    if (p->quarter) {
        /* A quarter's code parses back to the same quarter. */
        struct ap_period again;
        const char *why = NULL;
        if (fy_start_month != 1 && p->fy < AP_YEAR_MAX) { /* a range can be a 2199 quarter */
            FUZZ_ASSERT(ap_period_parse_quarter(p->code, fy_start_month, &again, &why));
            FUZZ_ASSERT(again.start == p->start && again.end == p->end);
        }
        struct ap_period q;
        ap_period_quarter_of(p->start, fy_start_month, &q);
        FUZZ_ASSERT(q.start == p->start && q.end == p->end);
        ap_period_quarter_of(p->end, fy_start_month, &q);
        FUZZ_ASSERT(q.start == p->start && q.end == p->end);
        /* The report's trend walks 8 quarters back, and comparisons a year back. */
        for (int n = -8; n <= 4; n++) {
            ap_period_shift(p, n, fy_start_month, &q);
            FUZZ_ASSERT(q.start <= q.end);
        }
    }
    /* The trend's periods follow each other with no gap and no overlap, and
     * the same period a year earlier is a period. */
    struct ap_period a, b;
    ap_day clamp_free; /* quarters and years before 1900 are clamped to it */
    FUZZ_ASSERT(ap_day_from_ymd(1910, 1, 1, &clamp_free));
    bool unclamped =
        p->start >= clamp_free || p->kind == AP_PERIOD_RANGE || p->kind == AP_PERIOD_MONTH;
    for (int n = -8; n < 0 && unclamped; n++) {
        ap_period_shift(p, n, fy_start_month, &a);
        ap_period_shift(p, n + 1, fy_start_month, &b);
        FUZZ_ASSERT(a.start <= a.end && a.end + 1 == b.start);
        FUZZ_ASSERT(a.kind == p->kind);
    }
    ap_period_year_before(p, fy_start_month, &a);
    FUZZ_ASSERT(a.start <= a.end && (a.end < p->end || !unclamped));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 256)
        return 0;
    /* First byte: which parser and the financial-year start month. */
    int mode = data[0] % 4, fy_start_month = 1 + (data[0] / 4) % 12;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    const char *why = NULL;
    ap_day day;
    int64_t secs;
    bool has_time = false;

    switch (mode) {
    case 0:
        if (ap_date_parse(s, n, &day, &why))
            check_day(day);
        else
            FUZZ_ASSERT(why && *why);
        break;
    case 1:
        if (ap_datetime_parse(s, n, &secs, &has_time, &why)) {
            char out[20];
            ap_datetime_format(secs, has_time, out);
            FUZZ_ASSERT(strlen(out) == (has_time ? 19u : 10u));
            int64_t again;
            bool again_time;
            FUZZ_ASSERT(ap_datetime_parse(out, strlen(out), &again, &again_time, &why));
            FUZZ_ASSERT(again == secs && again_time == has_time);
        } else {
            FUZZ_ASSERT(why && *why);
        }
        break;
    case 2: {
        /* The period parsers take a NUL-terminated string (from argv). */
        bool (*const parse[])(const char *, int, struct ap_period *, const char **) = {
            ap_period_parse_quarter, ap_period_parse_year, ap_period_parse_month};
        char *q = ap_xstrndup(s, n);
        for (size_t i = 0; i < sizeof parse / sizeof parse[0]; i++) {
            struct ap_period p;
            why = NULL;
            if (parse[i](q, fy_start_month, &p, &why))
                check_period(&p, fy_start_month);
            else
                FUZZ_ASSERT(why && *why);
        }
        free(q);
        break;
    }
    default: {
        /* Two dates separated by a space: --from and --to, then age and months. */
        const char *sp = memchr(s, ' ', n);
        if (!sp)
            break;
        ap_day from, to;
        if (!ap_date_parse(s, (size_t)(sp - s), &from, &why) ||
            !ap_date_parse(sp + 1, n - (size_t)(sp - s) - 1, &to, &why))
            break;
        struct ap_period p;
        if (ap_period_from_range(from, to, fy_start_month, &p, &why))
            check_period(&p, fy_start_month);
        else
            FUZZ_ASSERT(to < from);
        int age = ap_age_years(from, to);
        FUZZ_ASSERT(to < from ? age == -1 : (age >= 0 && age <= AP_YEAR_MAX - AP_YEAR_MIN));
        int months = ap_months_inclusive(from, to);
        FUZZ_ASSERT(months >= 0 && months <= 12 * (AP_YEAR_MAX - AP_YEAR_MIN + 1));
        check_day(ap_day_add_months(from, 0));
        break;
    }
    }
    return 0;
}
