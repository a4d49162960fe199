/*
 * ap_metrics: the metrics engine. Every figure of SPEC.md "Metric definitions"
 * is computed here, on a read-only connection; nothing else in the program
 * counts anything. The big tables are read by the shared one-pass reader
 * (ap_scan) and counted here in C for every period at once, so the report's
 * 8-quarter trend reads each table once, not 8 times, and reads it together
 * with the data-quality checks (ap_metrics_pass_begin/_end); grouping or
 * sorting a million children in SQL per period was most of a report. The
 * action plan (tens of rows) is SQL, one query per period.
 *
 * Dates are ISO text in the database, and SPEC.md's definitions compare them
 * as text; C does the same, placing each stored date among the periods' bounds
 * once (date_pos). A value SQLite would treat specially (a date-time that is
 * not plain, for the 72-hour rule) is put to SQLite with the rule's own SQL.
 * ap_metrics_compute() is simply the n = 1 case of ap_metrics_compute_many().
 */
#include "ap_metrics.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ap_db.h"
#include "ap_scan.h"
#include "ap_util.h"

/* ---- The catalogue ---------------------------------------------------- */

#define M(name_, label_, def_, pol_, unit_, bd_, cum_, rate_)                                      \
    {                                                                                              \
        name_, label_, def_, AP_POL_##pol_, AP_UNIT_##unit_, bd_, cum_, rate_                      \
    }
#define NONE AP_BREAKDOWN_NONE

/* Definitions are written for a councillor reading the report's definitions
 * page; "the period" runs from its first to its last day, both included. */
const struct ap_metric_def ap_metric_defs[AP_M_COUNT] = {
    [AP_M_CHILDREN_SUPPORTED] =
        M("children_supported", "Children supported since the team started",
          "Every child the team has supported since it started: each child with a case opened on "
          "or before the last day of the period, counted once however many cases they have had.",
          NEUTRAL, CHILDREN, NONE, true, true),
    [AP_M_ACTIVE_CASES] =
        M("active_cases", "Active cases",
          "Cases open on the last day of the period: opened on or before that day and not closed "
          "by then. A case closed on the last day is no longer active.",
          NEUTRAL, CASES, NONE, false, false),
    [AP_M_CHILDREN_CLOSED] =
        M("children_closed", "Children whose support has ended",
          "Of the children supported since the team started, those with no case open on the last "
          "day of the period.",
          NEUTRAL, CHILDREN, NONE, true, true),
    [AP_M_CHILDREN_PROTECTED] =
        M("children_protected", "Children protected or removed from abuse",
          "Of the children whose support has ended, those whose most recent case was closed "
          "because the risk had been reduced or the child had been removed from abuse.",
          UP_GOOD, CHILDREN, NONE, true, true),
    [AP_M_CHILDREN_SUPPORTED_IN_PERIOD] =
        M("children_supported_in_period", "Children supported in the period",
          "Children with a case open at any time during the period: opened on or before its last "
          "day and not closed before its first day. Each child is counted once.",
          NEUTRAL, CHILDREN, NONE, false, true),
    [AP_M_NEW_CASES] = M("new_cases", "New cases",
                         "Cases opened during the period, including on its first and last days.",
                         NEUTRAL, CASES, NONE, false, false),
    [AP_M_CLOSED_CASES] = M("closed_cases", "Cases closed",
                            "Cases closed during the period, including on its first and last days.",
                            NEUTRAL, CASES, NONE, false, false),
    [AP_M_CLOSURE_REASONS] =
        M("closure_reasons", "Cases closed, by reason",
          "The cases closed during the period, by the reason recorded when each was closed.",
          NEUTRAL, CASES, AP_ENUM_CLOSURE_REASON, false, false),
    [AP_M_REFERRAL_SOURCES] =
        M("referral_sources", "New cases, by who referred the child",
          "The cases opened during the period, by the agency or person who made the referral.",
          NEUTRAL, CASES, AP_ENUM_REFERRAL_SOURCE, false, false),
    [AP_M_RISK_LEVELS] =
        M("risk_levels", "Active cases, by risk level",
          "The cases active on the last day of the period, by the level of risk recorded for "
          "each.",
          NEUTRAL, CASES, AP_ENUM_RISK_LEVEL, false, false),
    [AP_M_GENDER] = M("gender", "Children supported in the period, by gender",
                      "The children supported during the period, by the gender recorded for each.",
                      NEUTRAL, CHILDREN, AP_ENUM_GENDER, false, false),
    [AP_M_ETHNICITY] =
        M("ethnicity", "Children supported in the period, by ethnicity",
          "The children supported during the period, by the ethnic group recorded for each.",
          NEUTRAL, CHILDREN, AP_ENUM_ETHNICITY, false, false),
    [AP_M_AREA] = M("area", "Children supported in the period, by area",
                    "The children supported during the period, by the area they live in.", NEUTRAL,
                    CHILDREN, AP_BREAKDOWN_AREA, false, false),
    [AP_M_AGE_BANDS] =
        M("age_bands", "Children supported in the period, by age",
          "The children supported during the period, by their age in completed years on the day "
          "their most recent case opened (a child born on 29 February has birthdays on 1 March "
          "in other years).",
          NEUTRAL, CHILDREN, AP_ENUM_AGE_BAND, false, false),
    [AP_M_PERPETRATORS_ACTIVE] =
        M("perpetrators_active", "Perpetrators currently identified",
          "Perpetrators identified on or before the last day of the period whose case had not "
          "been concluded by then: those under disruption, police investigation or monitoring.",
          NEUTRAL, PERPETRATORS, NONE, false, false),
    [AP_M_PERPETRATORS_DEALT_WITH] =
        M("perpetrators_dealt_with", "Perpetrators dealt with by prosecution or disruption",
          "Perpetrators whose case was concluded on or before the last day of the period by a "
          "prosecution or by disruption, counted since the team started.",
          UP_GOOD, PERPETRATORS, NONE, true, false),
    [AP_M_PERPETRATORS_IDENTIFIED_IN_PERIOD] =
        M("perpetrators_identified_in_period", "Perpetrators identified in the period",
          "Perpetrators first identified during the period.", NEUTRAL, PERPETRATORS, NONE, false,
          false),
    [AP_M_PERPETRATOR_ACTIONS] =
        M("perpetrator_actions", "Actions taken against perpetrators, by type",
          "Enforcement and disruption actions taken against perpetrators during the period (for "
          "example warning notices, injunctions, arrests), by type of action.",
          UP_GOOD, ACTIONS, AP_ENUM_PERP_ACTION, false, false),
    [AP_M_MISSING_EPISODES] =
        M("missing_episodes", "Missing episodes ended in the period",
          "Times a child supported by the team went missing and came back, counted when the "
          "child returned during the period.",
          DOWN_GOOD, EPISODES, NONE, false, false),
    [AP_M_RETURN_INTERVIEWS_OFFERED_72H] =
        M("return_interviews_offered_72h", "Return interviews offered within 72 hours",
          "Of those missing episodes, the ones where the child was offered a return interview "
          "within 72 hours of coming back (within 3 days when only dates were recorded).",
          UP_GOOD, EPISODES, NONE, false, false),
    [AP_M_RETURN_INTERVIEWS_COMPLETED] =
        M("return_interviews_completed", "Return interviews completed",
          "Of those missing episodes, the ones where a return interview has been held.", UP_GOOD,
          EPISODES, NONE, false, false),
    [AP_M_ACTIONS_TOTAL] =
        M("actions_total", "Action plan items", "All the items in the council's CSE action plan.",
          NEUTRAL, ACTIONS, NONE, false, false),
    [AP_M_ACTIONS_COMPLETE] =
        M("actions_complete", "Action plan items complete",
          "Items whose most recent progress update, on or before the last day of the period, "
          "marks them complete.",
          UP_GOOD, ACTIONS, NONE, false, false),
    [AP_M_ACTIONS_IN_PROGRESS] =
        M("actions_in_progress", "Action plan items in progress",
          "Items whose most recent progress update, on or before the last day of the period, "
          "marks them in progress.",
          NEUTRAL, ACTIONS, NONE, false, false),
    [AP_M_ACTIONS_NOT_STARTED] =
        M("actions_not_started", "Action plan items not started",
          "Items not yet started on the last day of the period, including items with no progress "
          "update by then.",
          DOWN_GOOD, ACTIONS, NONE, false, false),
    [AP_M_ACTIONS_RED] = M("actions_red", "Action plan items rated red",
                           "Items whose most recent progress update, on or before the last day "
                           "of the period, rates them red (off track).",
                           DOWN_GOOD, ACTIONS, NONE, false, false),
    [AP_M_ACTIONS_AMBER] = M("actions_amber", "Action plan items rated amber",
                             "Items whose most recent progress update, on or before the last day "
                             "of the period, rates them amber (at risk).",
                             NEUTRAL, ACTIONS, NONE, false, false),
    [AP_M_ACTIONS_GREEN] = M("actions_green", "Action plan items rated green",
                             "Items whose most recent progress update, on or before the last day "
                             "of the period, rates them green (on track).",
                             UP_GOOD, ACTIONS, NONE, false, false),
    [AP_M_ACTIONS_OVERDUE] =
        M("actions_overdue", "Action plan items overdue",
          "Items not complete on the last day of the period whose due date was before that day. "
          "An item due on the last day is not yet overdue.",
          DOWN_GOOD, ACTIONS, NONE, false, false),
    [AP_M_MONTHS_SINCE_START] =
        M("months_since_start", "Months since the team started",
          "Calendar months from the month the team started to the month the period ends, "
          "counting both (November 2015 to March 2017 is 17 months).",
          NEUTRAL, MONTHS, NONE, true, false),
};

#undef M
#undef NONE

const struct ap_metric_def *ap_metric_find(const char *name)
{
    for (size_t i = 0; name && i < AP_M_COUNT; i++) {
        if (!strcmp(ap_metric_defs[i].name, name))
            return &ap_metric_defs[i];
    }
    return NULL;
}

/* ---- Breakdowns ------------------------------------------------------- */

static void bd_add_key(struct ap_breakdown *b, const char *key)
{
    b->keys = ap_xrealloc(b->keys, (b->n + 1) * sizeof *b->keys);
    b->counts = ap_xrealloc(b->counts, (b->n + 1) * sizeof *b->counts);
    b->keys[b->n] = ap_xstrdup(key);
    b->counts[b->n] = 0;
    b->n++;
}

static void bd_free(struct ap_breakdown *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->keys[i]);
    free(b->keys);
    free(b->counts);
    memset(b, 0, sizeof *b);
}

/* Keys of an enumerated breakdown: the values in table order, then "unknown"
 * when the column may be empty and "unknown" is not already a value. */
static void bd_init_enum(struct ap_breakdown *b, enum ap_enum_id e)
{
    const struct ap_enum *en = &ap_enums[e];
    bool has = false;
    for (size_t i = 0; i < en->n; i++) {
        bd_add_key(b, en->values[i]);
        has = has || !strcmp(en->values[i], "unknown");
    }
    if (en->has_unknown && !has)
        bd_add_key(b, "unknown");
}

/* Add n to the count of value v (NULL or "" means unknown). A value the
 * breakdown lacks (an empty closure_reason, which import forbids) gets a row of
 * its own rather than vanishing, so a breakdown always sums to its total. */
static void bd_count(struct ap_breakdown *b, const char *v, long long n)
{
    if (!v || !*v)
        v = "unknown";
    for (size_t i = 0; i < b->n; i++) {
        if (!strcmp(b->keys[i], v)) {
            b->counts[i] += n;
            return;
        }
    }
    bd_add_key(b, v);
    b->counts[b->n - 1] += n;
}

/* ---- Statement helpers ------------------------------------------------ */

/* Each period's dates as ISO text, compared with the stored text: S, D and the
 * day after D (for date-times: returned_at < D+1 means "on or before D"). */
struct dates {
    size_t n;
    char (*s)[11], (*e)[11], (*next)[11];
    /* All those dates sorted, without repeats: a stored value's place among
     * them (date_pos) is found once per value, then each period's test is an
     * integer comparison with ps/pe/pn, the places of S, D and D+1. */
    const char **b;
    long *bk; /* b as iso_key()s */
    size_t nb;
    int *ps, *pe, *pn;
};

static bool is_digit(char c)
{
    return (unsigned char)(c - '0') < 10;
}

static long num2(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* Text beginning 'YYYY-MM-DD' as the number YYYYMMDD, or -1 for any other
 * text; *longer says more follows. Values of that form compare as text as
 * their numbers compare, and one with more after the same date is greater.
 * Each test stops at the NUL of a shorter text. */
static long iso_key(const char *s, bool *longer)
{
    if (!is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2]) || !is_digit(s[3]) ||
        s[4] != '-' || !is_digit(s[5]) || !is_digit(s[6]) || s[7] != '-' || !is_digit(s[8]) ||
        !is_digit(s[9]))
        return -1;
    *longer = s[10] != '\0';
    return ((num2(s) * 100 + num2(s + 2)) * 100 + num2(s + 5)) * 100 + num2(s + 8);
}

static int str_ptr_cmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The place of text v among the bounds: 2j+1 if it equals b[j], else 2j where
 * j bounds are less than v. So v < b[j], v <= b[j] are place < 2j+1, place
 * <= 2j+1, exactly as the text comparisons of the SQL, whatever v holds. */
static int date_pos(const struct dates *dt, const char *v)
{
    size_t lo = 0, hi = dt->nb;
    bool longer;
    long k = iso_key(v, &longer);
    if (k >= 0) {
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (dt->bk[mid] == k) /* equal, or just after it (a time that day) */
                return (int)(2 * mid + 1 + longer);
            if (dt->bk[mid] < k)
                lo = mid + 1;
            else
                hi = mid;
        }
        return (int)(2 * lo);
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(dt->b[mid], v);
        if (c == 0)
            return (int)(2 * mid + 1);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (int)(2 * lo);
}

static void dates_init(struct dates *dt, const struct ap_period *p, size_t n)
{
    dt->n = n;
    dt->s = ap_xcalloc(n, sizeof *dt->s);
    dt->e = ap_xcalloc(n, sizeof *dt->e);
    dt->next = ap_xcalloc(n, sizeof *dt->next);
    for (size_t i = 0; i < n; i++) {
        ap_day_format(p[i].start, dt->s[i]);
        ap_day_format(p[i].end, dt->e[i]);
        ap_day_format(p[i].end + 1, dt->next[i]);
    }
    dt->b = ap_xcalloc(3 * n, sizeof *dt->b);
    for (size_t i = 0; i < n; i++) {
        dt->b[3 * i] = dt->s[i];
        dt->b[3 * i + 1] = dt->e[i];
        dt->b[3 * i + 2] = dt->next[i];
    }
    qsort(dt->b, 3 * n, sizeof *dt->b, str_ptr_cmp);
    dt->nb = 0;
    for (size_t i = 0; i < 3 * n; i++)
        if (dt->nb == 0 || strcmp(dt->b[dt->nb - 1], dt->b[i]) != 0)
            dt->b[dt->nb++] = dt->b[i];
    bool longer;
    dt->bk = ap_xcalloc(dt->nb, sizeof *dt->bk);
    for (size_t j = 0; j < dt->nb; j++)
        dt->bk[j] = iso_key(dt->b[j], &longer);
    dt->ps = ap_xcalloc(n, sizeof *dt->ps);
    dt->pe = ap_xcalloc(n, sizeof *dt->pe);
    dt->pn = ap_xcalloc(n, sizeof *dt->pn);
    for (size_t i = 0; i < n; i++) {
        dt->ps[i] = date_pos(dt, dt->s[i]);
        dt->pe[i] = date_pos(dt, dt->e[i]);
        dt->pn[i] = date_pos(dt, dt->next[i]);
    }
}

static void dates_free(struct dates *dt)
{
    free(dt->s);
    free(dt->e);
    free(dt->next);
    free(dt->b);
    free(dt->bk);
    free(dt->ps);
    free(dt->pe);
    free(dt->pn);
}

static bool bind_text(sqlite3_stmt *st, int i, const char *s)
{
    return sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) == SQLITE_OK;
}

static const char *col_text(sqlite3_stmt *st, int c)
{
    return (const char *)sqlite3_column_text(st, c);
}

/* ---- Children and cases: one ordered pass ------------------------------ */

/* Age in completed years by comparing 'MM-DD' text: a 29 February birthday is
 * not reached on 28 February and is reached on 1 March, which is SPEC.md's rule
 * in leap and other years alike. Only the first 10 characters of `on` are read,
 * so it may be a case key (below). The C pass computes the same (age_at). */
char *ap_metrics_age_sql(const char *birth, const char *on)
{
    return ap_xasprintf("(CAST(substr(%s, 1, 4) AS INTEGER) - CAST(substr(%s, 1, 4) AS INTEGER)"
                        " - (substr(%s, 6, 5) < substr(%s, 6, 5)))",
                        on, birth, on, birth);
}

/* SQLite's CAST(substr(s, 1, 4) AS INTEGER): the leading integer, else 0. */
static long year_of(const char *s)
{
    size_t i = 0, n = strnlen(s, 4);
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    bool neg = i < n && s[i] == '-';
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    long v = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        v = v * 10 + (s[i] - '0');
    return neg ? -v : v;
}

/* SQLite's substr(a, 6, 5) < substr(b, 6, 5) under BINARY collation. */
static bool mmdd_less(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    const char *pa = la > 5 ? a + 5 : "", *pb = lb > 5 ? b + 5 : "";
    la = strnlen(pa, 5);
    lb = strnlen(pb, 5);
    int c = memcmp(pa, pb, la < lb ? la : lb);
    return c < 0 || (c == 0 && la < lb);
}

/* Characters in UTF-8 text, as SQLite's length(). */
static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Index of key v (NULL or "" is "unknown") in b, or -1. */
static int bd_find(const struct ap_breakdown *b, const char *v)
{
    if (!v || !*v)
        v = "unknown";
    for (size_t i = 0; i < b->n; i++)
        if (!strcmp(b->keys[i], v))
            return (int)i;
    return -1;
}

/* bd_count with the key's index in the first period's breakdown as a hint:
 * every period starts with the same `base` keys at the same places, so a hint
 * below base is right in every period; a value no breakdown lists (which the
 * schema forbids) is found by name. */
static void bd_count_at(struct ap_breakdown *b, int hint, size_t base, const char *v, long long n)
{
    if (hint >= 0 && (size_t)hint < base)
        b->counts[hint] += n;
    else
        bd_count(b, v, n);
}

/* What one child's cases say for one period (the CTE of SPEC.md's child figures). */
struct child_fact {
    long best;         /* the latest case opened by D, as the offset of its key
                        * in the child's keys (-1 if none by D). The key is
                        * opened_on || closed_on (or 9999-12-31 while open) ||
                        * closure_reason, so the greatest key is the latest case
                        * and a tie goes to the later closure */
    bool open;         /* some case open at D */
    bool in_period;    /* some case open at any time in S..D */
};

/* The current child's attributes, borrowed from the children cursor's row
 * (NULL when the case names a child not in the table). */
struct child_attr {
    const char *birth, *gender, *ethnicity, *area;
};

/* The areas of all the children, gathered as the children go by: an id for
 * each distinct area (NULL, '' and 'unknown' are the unknown row), found by
 * hashing, and per period a count by id. At the end they become the area
 * breakdown, alphabetically (case-insensitive, then exact) then unknown, so
 * every period of a trend lists the same areas. */
struct areas {
    char **names;     /* by id; owned */
    size_t n, alloc;
    size_t *slot;     /* open addressing: id + 1, or 0 when empty */
    size_t nslot;     /* a power of two, at least twice n */
    long long **count; /* per period, by id + 1 (0: unknown); cap entries each */
    size_t nper, cap;
};

static size_t hash_text(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static void areas_rehash(struct areas *t, size_t nslot)
{
    free(t->slot);
    t->nslot = nslot;
    t->slot = ap_xcalloc(nslot, sizeof *t->slot);
    for (size_t id = 0; id < t->n; id++) {
        size_t h = hash_text(t->names[id]) & (nslot - 1);
        while (t->slot[h])
            h = (h + 1) & (nslot - 1);
        t->slot[h] = id + 1;
    }
}

/* The id of area a, added if new; -1 for the unknown row. */
static long area_id(struct areas *t, const char *a)
{
    if (!a || !*a || !strcmp(a, "unknown"))
        return -1;
    if (2 * (t->n + 1) > t->nslot)
        areas_rehash(t, t->nslot ? 2 * t->nslot : 64);
    size_t h = hash_text(a) & (t->nslot - 1);
    while (t->slot[h]) {
        if (!strcmp(t->names[t->slot[h] - 1], a))
            return (long)(t->slot[h] - 1);
        h = (h + 1) & (t->nslot - 1);
    }
    ap_grow((void **)&t->names, sizeof *t->names, t->n + 1, &t->alloc);
    t->names[t->n] = ap_xstrdup(a);
    t->slot[h] = ++t->n;
    if (t->n + 1 > t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        for (size_t i = 0; i < t->nper; i++) {
            t->count[i] = ap_xrealloc(t->count[i], cap * sizeof **t->count);
            memset(t->count[i] + t->cap, 0, (cap - t->cap) * sizeof **t->count);
        }
        t->cap = cap;
    }
    return (long)t->n - 1;
}

static void areas_init(struct areas *t, size_t nper)
{
    memset(t, 0, sizeof *t);
    t->nper = nper;
    t->cap = 64;
    t->count = ap_xcalloc(nper, sizeof *t->count);
    for (size_t i = 0; i < nper; i++)
        t->count[i] = ap_xcalloc(t->cap, sizeof **t->count);
}

static void areas_free(struct areas *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->names[i]);
    free(t->names);
    free(t->slot);
    for (size_t i = 0; i < t->nper; i++)
        free(t->count[i]);
    free(t->count);
    memset(t, 0, sizeof *t);
}

/* ORDER BY area COLLATE NOCASE, area: SQLite's NOCASE folds ASCII letters
 * only, and a prefix sorts first; ties are broken by the bytes. */
static int area_cmp(const void *x, const void *y)
{
    const unsigned char *a = *(const unsigned char *const *)x;
    const unsigned char *b = *(const unsigned char *const *)y;
    size_t la = strlen((const char *)a), lb = strlen((const char *)b);
    for (size_t i = 0; i < la && i < lb; i++) {
        int ca = a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i];
        int cb = b[i] >= 'A' && b[i] <= 'Z' ? b[i] + 32 : b[i];
        if (ca != cb)
            return ca - cb;
    }
    if (la != lb)
        return la < lb ? -1 : 1;
    return strcmp((const char *)a, (const char *)b);
}

/* The area breakdown of each period, from the counts by id. */
static void areas_finish(struct areas *t, struct ap_metrics *out, size_t n)
{
    char **sorted = ap_xcalloc(t->n + 1, sizeof *sorted);
    for (size_t k = 0; k < t->n; k++)
        sorted[k] = t->names[k];
    if (t->n > 1)
        qsort(sorted, t->n, sizeof *sorted, area_cmp);
    for (size_t i = 0; i < n; i++) {
        struct ap_breakdown *b = &out[i].breakdown[AP_M_AREA];
        for (size_t k = 0; k < t->n; k++) {
            bd_add_key(b, sorted[k]);
            b->counts[b->n - 1] = t->count[i][area_id(t, sorted[k]) + 1];
        }
        bd_add_key(b, "unknown");
        b->counts[b->n - 1] = t->count[i][0];
    }
    free(sorted);
}


/*
 * The metrics as a consumer of the shared scan (ap_scan): each table is read
 * once for every period, the rows counted here in C. What one child's cases
 * say for each period is kept while the child's group goes by and counted
 * when it ends; the latest dates anywhere (data as at) and the earliest
 * opened_on (the team start when the config gives none) come from the same
 * rows.
 */
/* The dated columns whose latest value gives the data-as-at date. */
enum {
    AS_AT_OPENED, AS_AT_CLOSED, AS_AT_MISSING, AS_AT_RETURNED, AS_AT_OFFERED, AS_AT_COMPLETED,
    AS_AT_IDENTIFIED, AS_AT_CONCLUDED, AS_AT_ACTION, AS_AT_COUNT
};

struct ap_metrics_pass {
    sqlite3 *db;
    struct ap_diag *d;
    struct dates dt;
    struct ap_metrics *out;
    ap_day team_start;          /* as given; AP_DAY_NONE: the earliest opened_on */
    struct child_fact *f;       /* dt.n entries */
    struct ap_buf keys;         /* the current child's case keys, NUL-separated */
    struct child_attr attr;     /* the current child's, borrowed during its group */
    struct areas areas;         /* every child's area */
    long area;                  /* the current child's area id */
    bool cases;                 /* the current child has a case */
    sqlite3_stmt *offered;      /* the 72-hour rule in SQL, for values that are not plain */
    struct ap_buf first_opened; /* min(opened_on); have_first says it was seen */
    bool have_first;
    struct ap_buf latest[AS_AT_COUNT]; /* max() of each dated column; len 0: none yet */
    bool have_latest[AS_AT_COUNT];
    size_t base[AP_M_COUNT]; /* keys every period's breakdown starts with (bd_count_at) */
    int age_unknown;         /* the index of the unknown age band */
};

/* Keep the greater (text order) of *m and s in m. */
static void keep_max(struct ap_buf *m, bool *have, const char *s)
{
    if (!s || (*have && strcmp(s, m->buf) <= 0))
        return;
    ap_buf_reset(m);
    ap_buf_adds(m, s);
    *have = true;
}

/* Count the current child (its facts are in mp->f) into every period. */
static void child_flush(struct ap_metrics_pass *mp)
{
    const struct dates *dt = &mp->dt;
    const struct child_attr *a = &mp->attr;
    const struct ap_breakdown *b0 = mp->out[0].breakdown;
    const size_t *base = mp->base;
    int hg = -2, he = -2; /* looked up on first use */
    long rbest = -1;      /* the key whose reason was last looked at, and its answer */
    bool protected_ = false;
    bool dated = a->birth && utf8_len(a->birth) == 10;
    for (size_t i = 0; i < dt->n; i++) {
        struct child_fact *x = &mp->f[i];
        struct ap_metrics *m = &mp->out[i];
        if (x->best < 0)
            continue;
        const char *key = mp->keys.buf + x->best;
        m->value[AP_M_CHILDREN_SUPPORTED]++;
        if (!x->open) {
            m->value[AP_M_CHILDREN_CLOSED]++;
            if (x->best != rbest) {
                const char *reason = strnlen(key, 21) > 20 ? key + 20 : "";
                rbest = x->best;
                protected_ =
                    !strcmp(reason, "risk_reduced") || !strcmp(reason, "removed_from_abuse");
            }
            m->value[AP_M_CHILDREN_PROTECTED] += protected_;
        }
        if (!x->in_period)
            continue;
        m->value[AP_M_CHILDREN_SUPPORTED_IN_PERIOD]++;
        if (hg == -2) {
            hg = bd_find(&b0[AP_M_GENDER], a->gender);
            he = bd_find(&b0[AP_M_ETHNICITY], a->ethnicity);
        }
        bd_count_at(&m->breakdown[AP_M_GENDER], hg, base[AP_M_GENDER], a->gender, 1);
        bd_count_at(&m->breakdown[AP_M_ETHNICITY], he, base[AP_M_ETHNICITY], a->ethnicity, 1);
        mp->areas.count[i][mp->area + 1]++;
        int k = -1;
        if (dated) {
            long age = year_of(key) - year_of(a->birth) - mmdd_less(key, a->birth);
            k = age < INT_MIN || age > INT_MAX ? -1 : ap_age_band((int)age);
        }
        /* The enumeration's values come first, in its order. */
        bd_count_at(&m->breakdown[AP_M_AGE_BANDS], k >= 0 ? k : mp->age_unknown,
                    base[AP_M_AGE_BANDS], k >= 0 ? ap_enums[AP_ENUM_AGE_BAND].values[k] : NULL,
                    1);
    }
}

/* One case: the case figures of every period, and the child's facts. Dates
 * are placed among the periods' bounds once (date_pos), which is the text
 * comparison of the SQL of SPEC.md. */
static void case_add(struct ap_metrics_pass *mp, const struct ap_scan_case *k)
{
    const struct dates *dt = &mp->dt;
    struct ap_metrics *out = mp->out;
    const char *opened = k->opened_on, *closed = k->closed_on, *reason = k->closure_reason;
    const char *risk = k->risk_level, *source = k->referral_source;
    const struct ap_breakdown *b0 = dt->n ? out[0].breakdown : NULL;
    struct ap_buf *keys = &mp->keys;
    int hr = -2, hs = -2, hc = -2;

    if (!mp->have_first || strcmp(opened, mp->first_opened.buf) < 0) {
        ap_buf_reset(&mp->first_opened);
        ap_buf_adds(&mp->first_opened, opened);
        mp->have_first = true;
    }
    keep_max(&mp->latest[AS_AT_OPENED], &mp->have_latest[AS_AT_OPENED], opened);
    keep_max(&mp->latest[AS_AT_CLOSED], &mp->have_latest[AS_AT_CLOSED], closed);
    if (dt->n == 0)
        return;
    long cur = (long)keys->len;
    ap_buf_adds(keys, opened);
    ap_buf_adds(keys, closed ? closed : "9999-12-31");
    ap_buf_adds(keys, reason ? reason : "");
    ap_buf_addch(keys, '\0');
    int po = date_pos(dt, opened), pc = closed ? date_pos(dt, closed) : INT_MAX;
    long cmp_best = -1; /* the last key compared with, and whether this case's was greater */
    bool cmp_gt = false;
    for (size_t i = 0; i < dt->n; i++) {
        struct ap_metrics *m = &out[i];
        int ps = dt->ps[i], pe = dt->pe[i];
        if (po <= pe) {
            struct child_fact *x = &mp->f[i];
            if (x->best < 0) {
                x->best = cur;
            } else {
                if (x->best != cmp_best) {
                    cmp_best = x->best;
                    cmp_gt = strcmp(keys->buf + cur, keys->buf + x->best) > 0;
                }
                if (cmp_gt)
                    x->best = cur;
            }
            if (pc > pe) { /* open at D (never closed counts as after every D) */
                x->open = true;
                m->value[AP_M_ACTIVE_CASES]++;
                if (hr == -2)
                    hr = bd_find(&b0[AP_M_RISK_LEVELS], risk);
                bd_count_at(&m->breakdown[AP_M_RISK_LEVELS], hr, mp->base[AP_M_RISK_LEVELS], risk, 1);
            }
            if (pc >= ps)
                x->in_period = true;
            if (po >= ps) {
                m->value[AP_M_NEW_CASES]++;
                if (hs == -2)
                    hs = bd_find(&b0[AP_M_REFERRAL_SOURCES], source);
                bd_count_at(&m->breakdown[AP_M_REFERRAL_SOURCES], hs, mp->base[AP_M_REFERRAL_SOURCES],
                            source, 1);
            }
        }
        if (closed && pc >= ps && pc <= pe) {
            m->value[AP_M_CLOSED_CASES]++;
            if (hc == -2)
                hc = bd_find(&b0[AP_M_CLOSURE_REASONS], reason);
            bd_count_at(&m->breakdown[AP_M_CLOSURE_REASONS], hc, mp->base[AP_M_CLOSURE_REASONS], reason,
                        1);
        }
    }
}

static enum ap_status mp_child(void *ctx, const struct ap_scan_child *c)
{
    struct ap_metrics_pass *mp = ctx;
    for (size_t i = 0; i < mp->dt.n; i++) {
        mp->f[i].best = -1;
        mp->f[i].open = mp->f[i].in_period = false;
    }
    ap_buf_reset(&mp->keys);
    mp->cases = false;
    /* A case whose child is not in the table counts with unknown attributes. */
    mp->attr = (struct child_attr){c->birth_date, c->gender, c->ethnicity, c->area};
    if (mp->dt.n > 0)
        mp->area = area_id(&mp->areas, c->area);
    return AP_OK;
}

static enum ap_status mp_case(void *ctx, const struct ap_scan_case *k)
{
    struct ap_metrics_pass *mp = ctx;
    mp->cases = true;
    case_add(mp, k);
    return AP_OK;
}

static enum ap_status mp_child_end(void *ctx)
{
    struct ap_metrics_pass *mp = ctx;
    if (mp->cases)
        child_flush(mp);
    return AP_OK;
}

/* ---- Perpetrators ------------------------------------------------------ */

static enum ap_status mp_perpetrator(void *ctx, const struct ap_scan_perpetrator *p)
{
    struct ap_metrics_pass *mp = ctx;
    const char *ident = p->identified_on, *concl = p->concluded_on;
    if (!p->known)
        return AP_OK; /* actions of a perpetrator not in the table still count */
    bool dealt = p->outcome && (!strcmp(p->outcome, "prosecuted") || !strcmp(p->outcome, "disrupted"));
    keep_max(&mp->latest[AS_AT_IDENTIFIED], &mp->have_latest[AS_AT_IDENTIFIED], ident);
    keep_max(&mp->latest[AS_AT_CONCLUDED], &mp->have_latest[AS_AT_CONCLUDED], concl);
    if (mp->dt.n == 0)
        return AP_OK;
    int pi = date_pos(&mp->dt, ident), pc = concl ? date_pos(&mp->dt, concl) : INT_MAX;
    for (size_t i = 0; i < mp->dt.n; i++) {
        int ps = mp->dt.ps[i], pe = mp->dt.pe[i];
        struct ap_metrics *m = &mp->out[i];
        if (pi <= pe && pc > pe)
            m->value[AP_M_PERPETRATORS_ACTIVE]++;
        if (dealt && pc <= pe)
            m->value[AP_M_PERPETRATORS_DEALT_WITH]++;
        if (pi >= ps && pi <= pe)
            m->value[AP_M_PERPETRATORS_IDENTIFIED_IN_PERIOD]++;
    }
    return AP_OK;
}

/* Actions with S <= action_on <= D, by type. */
static enum ap_status mp_action(void *ctx, const struct ap_scan_action *a)
{
    struct ap_metrics_pass *mp = ctx;
    int h = -2;
    keep_max(&mp->latest[AS_AT_ACTION], &mp->have_latest[AS_AT_ACTION], a->action_on);
    if (mp->dt.n == 0)
        return AP_OK;
    int pa = date_pos(&mp->dt, a->action_on);
    for (size_t i = 0; i < mp->dt.n; i++) {
        if (pa < mp->dt.ps[i] || pa > mp->dt.pe[i])
            continue;
        if (h == -2)
            h = bd_find(&mp->out[0].breakdown[AP_M_PERPETRATOR_ACTIONS], a->action);
        bd_count_at(&mp->out[i].breakdown[AP_M_PERPETRATOR_ACTIONS], h,
                    mp->base[AP_M_PERPETRATOR_ACTIONS], a->action, 1);
    }
    return AP_OK;
}

/* ---- Missing episodes -------------------------------------------------- */

/*
 * An episode is in period i when S_i <= date(returned_at) <= D_i, that is
 * returned_at >= S_i and returned_at < D_i + 1 day as text. "Offered within 72
 * hours": between the return and 72 hours later inclusive, in seconds; when
 * either value is a bare date the time is unknown, so the rule is by date: on
 * the day of return up to 3 days after. Plain values are decided in C;
 * anything else by this SQL, the rule's definition.
 */
static const char offered_sql[] =
    "SELECT (?2 IS NOT NULL AND CASE"
    " WHEN length(?1) = 10 OR length(?2) = 10 THEN"
    " substr(?2, 1, 10) >= substr(?1, 1, 10) AND"
    " substr(?2, 1, 10) <= date(substr(?1, 1, 10), '+3 days')"
    " ELSE unixepoch(?2) - unixepoch(?1) BETWEEN 0 AND 259200"
    " END)";

/* The 72-hour rule for an episode returned at ret (not NULL); *out 1 or 0. */
static enum ap_status offered_72h(struct ap_metrics_pass *mp, const char *ret, const char *off,
                                  int *out)
{
    ap_day rd, od;
    long long rs, os;
    if (!off) {
        *out = 0;
        return AP_OK;
    }
    if (ap_scan_plain_value(ret, &rd, &rs) && ap_scan_plain_value(off, &od, &os)) {
        if (strlen(ret) == 10 || strlen(off) == 10) {
            *out = od >= rd && od <= rd + 3;
        } else {
            long long g = (od - rd) * 86400LL + os - rs;
            *out = g >= 0 && g <= 259200;
        }
        return AP_OK;
    }
    if (!mp->offered && !ap_db_prepare(mp->db, offered_sql, &mp->offered, mp->d))
        return AP_ERR_IO;
    sqlite3_reset(mp->offered);
    if (!bind_text(mp->offered, 1, ret) || !bind_text(mp->offered, 2, off) ||
        sqlite3_step(mp->offered) != SQLITE_ROW)
        return ap_db_error(mp->db, mp->d, "cannot count the missing episodes");
    *out = sqlite3_column_int(mp->offered, 0);
    return AP_OK;
}

static enum ap_status mp_episode(void *ctx, const struct ap_scan_episode *e)
{
    struct ap_metrics_pass *mp = ctx;
    const char *ret = e->returned_at;
    int offered = -1;
    keep_max(&mp->latest[AS_AT_MISSING], &mp->have_latest[AS_AT_MISSING], e->missing_from);
    keep_max(&mp->latest[AS_AT_RETURNED], &mp->have_latest[AS_AT_RETURNED], ret);
    keep_max(&mp->latest[AS_AT_OFFERED], &mp->have_latest[AS_AT_OFFERED], e->interview_offered_at);
    keep_max(&mp->latest[AS_AT_COMPLETED], &mp->have_latest[AS_AT_COMPLETED],
             e->interview_completed_at);
    if (!ret || mp->dt.n == 0)
        return AP_OK;
    bool completed = e->interview_completed_at && *e->interview_completed_at;
    int pr = date_pos(&mp->dt, ret);
    for (size_t i = 0; i < mp->dt.n; i++) {
        if (pr < mp->dt.ps[i] || pr >= mp->dt.pn[i])
            continue;
        if (offered < 0) {
            enum ap_status rc = offered_72h(mp, ret, e->interview_offered_at, &offered);
            if (rc != AP_OK)
                return rc;
        }
        mp->out[i].value[AP_M_MISSING_EPISODES]++;
        mp->out[i].value[AP_M_RETURN_INTERVIEWS_OFFERED_72H] += offered;
        mp->out[i].value[AP_M_RETURN_INTERVIEWS_COMPLETED] += completed;
    }
    return AP_OK;
}
/* ---- Action plan ------------------------------------------------------- */

/* Each item joined to its latest update on or before ?1 (found through the
 * (action_ref, updated_on) primary key); no update: status not_started. */
#define PLAN_LATEST                                                                                \
    " FROM action_plan AS p LEFT JOIN action_updates AS u ON u.action_ref = p.action_ref"          \
    " AND u.updated_on = (SELECT max(x.updated_on) FROM action_updates AS x"                       \
    " WHERE x.action_ref = p.action_ref AND x.updated_on <= ?1)"

static const char plan_counts_sql[] =
    "SELECT coalesce(u.status, 'not_started'), u.rag,"
    " p.due_on IS NOT NULL AND p.due_on < ?1 AND coalesce(u.status, '') <> 'complete', "
    "count(*)" PLAN_LATEST " GROUP BY 1, 2, 3";

static enum ap_status compute_plan(sqlite3 *db, const struct dates *dt, struct ap_metrics *out,
                                   struct ap_diag *d)
{
    enum ap_status rc = AP_OK;
    sqlite3_stmt *st = NULL;
    if (!ap_db_prepare(db, plan_counts_sql, &st, d)) {
        rc = AP_ERR_IO;
        goto done;
    }
    /* The plan has tens of items: one indexed query per period is cheap. */
    for (size_t i = 0; i < dt->n; i++) {
        struct ap_metrics *m = &out[i];
        sqlite3_reset(st);
        if (!bind_text(st, 1, dt->e[i])) {
            rc = ap_db_error(db, d, "cannot set up a metrics query");
            goto done;
        }
        int r;
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
            const char *status = col_text(st, 0), *rag = col_text(st, 1);
            long long c = sqlite3_column_int64(st, 3);
            m->value[AP_M_ACTIONS_TOTAL] += c;
            if (!strcmp(status, "complete"))
                m->value[AP_M_ACTIONS_COMPLETE] += c;
            else if (!strcmp(status, "in_progress"))
                m->value[AP_M_ACTIONS_IN_PROGRESS] += c;
            else
                m->value[AP_M_ACTIONS_NOT_STARTED] += c;
            if (rag && !strcmp(rag, "red"))
                m->value[AP_M_ACTIONS_RED] += c;
            else if (rag && !strcmp(rag, "amber"))
                m->value[AP_M_ACTIONS_AMBER] += c;
            else if (rag && !strcmp(rag, "green"))
                m->value[AP_M_ACTIONS_GREEN] += c;
            if (sqlite3_column_int(st, 2))
                m->value[AP_M_ACTIONS_OVERDUE] += c;
        }
        if (r != SQLITE_DONE) {
            rc = ap_db_error(db, d, "cannot read the action plan");
            goto done;
        }
    }
done:
    sqlite3_finalize(st);
    return rc;
}

/* ---- Shared lookups ---------------------------------------------------- */

/* One text value (or NULL) from a one-row query. */
static enum ap_status query_text(sqlite3 *db, const char *sql, char **out, struct ap_diag *d,
                                 const char *what)
{
    enum ap_status rc = AP_OK;
    sqlite3_stmt *st = NULL;
    *out = NULL;
    if (!ap_db_prepare(db, sql, &st, d)) {
        rc = AP_ERR_IO;
        goto done;
    }
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *out = ap_xstrdup(col_text(st, 0));
        r = sqlite3_step(st);
    }
    if (r != SQLITE_DONE)
        rc = ap_db_error(db, d, what);
done:
    sqlite3_finalize(st);
    return rc;
}

/* Parse a stored ISO date; a malformed one means the file was edited by hand. */
static enum ap_status stored_day(const char *s, const char *what, ap_day *out, struct ap_diag *d)
{
    const char *why;
    if (!s) {
        *out = AP_DAY_NONE;
        return AP_OK;
    }
    if (strlen(s) < 10 || !ap_date_parse(s, 10, out, &why)) {
        ap_diag_error(d, AP_ERR_INPUT,
                      "the database holds %s '%s', which is not a date; re-import the data", what,
                      s);
        return AP_ERR_INPUT;
    }
    return AP_OK;
}

/* ---- Public entry points ----------------------------------------------- */

/* The first n characters of UTF-8 text, as SQLite's substr(s, 1, n). */
static void first_chars(const char *s, size_t n, struct ap_buf *out)
{
    size_t i = 0, chars = 0;
    while (s[i] && !(chars == n && ((unsigned char)s[i] & 0xC0) != 0x80)) {
        chars += ((unsigned char)s[i] & 0xC0) != 0x80;
        i++;
    }
    ap_buf_reset(out);
    ap_buf_add(out, s, i);
}

void ap_metrics_pass_begin(sqlite3 *db, const struct ap_period *p, size_t n, ap_day team_start,
                           struct ap_metrics *out, struct ap_metrics_pass **pass,
                           struct ap_scan_sink *sink, struct ap_diag *d)
{
    struct ap_metrics_pass *mp = ap_xcalloc(1, sizeof *mp);

    mp->db = db;
    mp->d = d;
    mp->out = out;
    mp->team_start = team_start;
    ap_buf_init(&mp->keys);
    ap_buf_init(&mp->first_opened);
    for (int i = 0; i < AS_AT_COUNT; i++)
        ap_buf_init(&mp->latest[i]);
    for (size_t i = 0; i < n; i++)
        memset(&out[i], 0, sizeof out[i]);
    if (n > 0) {
        dates_init(&mp->dt, p, n);
        mp->f = ap_xcalloc(n, sizeof *mp->f);
        areas_init(&mp->areas, n);
    }
    for (size_t i = 0; i < n; i++) {
        struct ap_metrics *m = &out[i];
        m->period = p[i];
        for (int id = 0; id < AP_M_COUNT; id++) {
            int bd = ap_metric_defs[id].breakdown;
            if (bd >= 0)
                bd_init_enum(&m->breakdown[id], (enum ap_enum_id)bd);
            mp->base[id] = m->breakdown[id].n;
        }
    }
    /* With no period, only the dates are wanted: the cases without their children. */
    *sink = (struct ap_scan_sink){.ctx = mp,
                                  .child = n ? mp_child : NULL,
                                  .child_case = mp_case,
                                  .child_end = n ? mp_child_end : NULL,
                                  .episode = mp_episode,
                                  .perpetrator = mp_perpetrator,
                                  .action = mp_action};
    if (n > 0)
        mp->age_unknown = bd_find(&out[0].breakdown[AP_M_AGE_BANDS], NULL);
    *pass = mp;
}

/* The latest date anywhere in the data from the pass's maxima and the action
 * updates (a few rows). Due dates of the action plan are targets, not events,
 * so they are left out; the first 10 characters of a date-time are its date. */
static enum ap_status data_as_at(struct ap_metrics_pass *mp, ap_day *out)
{
    enum ap_status rc;
    char *updated = NULL;
    struct ap_buf best = AP_BUF_INIT, part = AP_BUF_INIT;
    bool have = false;
    *out = AP_DAY_NONE;
    rc = query_text(mp->db, "SELECT max(updated_on) FROM action_updates", &updated, mp->d,
                    "cannot find the latest date in the data");
    if (rc != AP_OK)
        goto done;
    keep_max(&best, &have, updated);
    for (int i = 0; i < AS_AT_COUNT; i++) {
        if (!mp->have_latest[i])
            continue;
        bool datetime = i == AS_AT_MISSING || i == AS_AT_RETURNED || i == AS_AT_OFFERED ||
                        i == AS_AT_COMPLETED;
        if (datetime) {
            first_chars(mp->latest[i].buf, 10, &part);
            keep_max(&best, &have, part.buf);
        } else {
            keep_max(&best, &have, mp->latest[i].buf);
        }
    }
    rc = stored_day(have ? best.buf : NULL, "a date", out, mp->d);
done:
    free(updated);
    ap_buf_release(&best);
    ap_buf_release(&part);
    return rc;
}

enum ap_status ap_metrics_pass_end(struct ap_metrics_pass *mp, enum ap_status rc, ap_day *as_at)
{
    struct dates *dt = &mp->dt;
    struct ap_metrics *out = mp->out;
    ap_day team_start = mp->team_start;

    if (rc == AP_OK && team_start == AP_DAY_NONE && dt->n > 0)
        rc = stored_day(mp->have_first ? mp->first_opened.buf : NULL, "an opened_on date",
                        &team_start, mp->d);
    if (rc == AP_OK)
        rc = compute_plan(mp->db, dt, out, mp->d);
    if (rc == AP_OK)
        areas_finish(&mp->areas, out, dt->n);
    if (rc == AP_OK && as_at)
        rc = data_as_at(mp, as_at);
    for (size_t i = 0; rc == AP_OK && i < dt->n; i++) {
        out[i].team_start = team_start;
        out[i].value[AP_M_MONTHS_SINCE_START] =
            team_start == AP_DAY_NONE ? 0 : ap_months_inclusive(team_start, out[i].period.end);
        /* A breakdown's value is the sum of its counts. */
        for (int id = 0; id < AP_M_COUNT; id++) {
            const struct ap_breakdown *b = &out[i].breakdown[id];
            if (ap_metric_defs[id].breakdown == AP_BREAKDOWN_NONE)
                continue;
            long long sum = 0;
            for (size_t k = 0; k < b->n; k++)
                sum += b->counts[k];
            out[i].value[id] = sum;
        }
    }
    if (rc != AP_OK) {
        for (size_t i = 0; i < dt->n; i++)
            ap_metrics_free(&out[i]);
    }
    free(mp->f);
    areas_free(&mp->areas);
    dates_free(dt);
    ap_buf_release(&mp->keys);
    ap_buf_release(&mp->first_opened);
    for (int i = 0; i < AS_AT_COUNT; i++)
        ap_buf_release(&mp->latest[i]);
    sqlite3_finalize(mp->offered);
    free(mp);
    return rc;
}

/* The metrics alone: their pass over the tables. */
static enum ap_status compute(sqlite3 *db, const struct ap_period *p, size_t n, ap_day team_start,
                              struct ap_metrics *out, ap_day *as_at, struct ap_diag *d)
{
    struct ap_metrics_pass *mp = NULL;
    struct ap_scan_sink sink;
    ap_metrics_pass_begin(db, p, n, team_start, out, &mp, &sink, d);
    const struct ap_scan_sink *sinks[] = {&sink};
    enum ap_status rc = ap_scan_run(db, sinks, 1, d);
    return ap_metrics_pass_end(mp, rc, as_at);
}

enum ap_status ap_metrics_compute_many(sqlite3 *db, const struct ap_period *p, size_t n,
                                       ap_day team_start, struct ap_metrics *out, struct ap_diag *d)
{
    if (n == 0)
        return AP_OK;
    return compute(db, p, n, team_start, out, NULL, d);
}

enum ap_status ap_metrics_compute(sqlite3 *db, const struct ap_period *p, ap_day team_start,
                                  struct ap_metrics *out, struct ap_diag *d)
{
    return ap_metrics_compute_many(db, p, 1, team_start, out, d);
}

void ap_metrics_free(struct ap_metrics *m)
{
    if (!m)
        return;
    for (int id = 0; id < AP_M_COUNT; id++)
        bd_free(&m->breakdown[id]);
    memset(m, 0, sizeof *m);
}

enum ap_status ap_metrics_data_as_at(sqlite3 *db, ap_day *out, struct ap_diag *d)
{
    *out = AP_DAY_NONE;
    return compute(db, NULL, 0, AP_DAY_NONE, NULL, out, d);
}

/* ---- The action plan as at D -------------------------------------------- */

static const char plan_items_sql[] =
    "SELECT p.action_ref, p.theme, p.action, coalesce(p.lead, ''), p.due_on,"
    " coalesce(u.status, 'not_started'), u.rag, u.updated_on, coalesce(u.commentary, "
    "'')" PLAN_LATEST " ORDER BY p.action_ref";

/* Natural order of references, so "1.2" comes before "1.10": runs of digits
 * compare as numbers, everything else byte by byte. */
static int natural_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            while (*a == '0')
                a++;
            while (*b == '0')
                b++;
            size_t na = 0, nb = 0;
            while (a[na] >= '0' && a[na] <= '9')
                na++;
            while (b[nb] >= '0' && b[nb] <= '9')
                nb++;
            if (na != nb)
                return na < nb ? -1 : 1;
            int c = memcmp(a, b, na);
            if (c)
                return c;
            a += na;
            b += nb;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return *a ? 1 : *b ? -1 : 0;
}

static int plan_item_cmp(const void *x, const void *y)
{
    /* The plan's own numbering (1.2 before 1.10) is the order its readers
     * know; plans number actions within themes, so themes stay together. */
    const struct ap_plan_item *a = x, *b = y;
    int c = natural_cmp(a->action_ref, b->action_ref);
    return c ? c : strcmp(a->action_ref, b->action_ref);
}

enum ap_status ap_plan_load(sqlite3 *db, ap_day d_end, struct ap_plan *out, struct ap_diag *diag)
{
    enum ap_status rc = AP_OK;
    sqlite3_stmt *st = NULL;
    size_t alloc = 0;
    char end[11];

    memset(out, 0, sizeof *out);
    ap_day_format(d_end, end);
    if (!ap_db_prepare(db, plan_items_sql, &st, diag)) {
        rc = AP_ERR_IO;
        goto done;
    }
    if (!bind_text(st, 1, end)) {
        rc = ap_db_error(db, diag, "cannot set up the action plan query");
        goto done;
    }
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        ap_grow((void **)&out->items, sizeof *out->items, out->n + 1, &alloc);
        struct ap_plan_item *it = &out->items[out->n++];
        memset(it, 0, sizeof *it);
        it->action_ref = ap_xstrdup(col_text(st, 0));
        it->theme = ap_xstrdup(col_text(st, 1));
        it->action = ap_xstrdup(col_text(st, 2));
        it->lead = ap_xstrdup(col_text(st, 3));
        it->commentary = ap_xstrdup(col_text(st, 8));
        it->status = ap_enum_lookup(AP_ENUM_STATUS, col_text(st, 5));
        it->rag = col_text(st, 6) ? ap_enum_lookup(AP_ENUM_RAG, col_text(st, 6)) : -1;
        rc = stored_day(col_text(st, 4), "a due_on date", &it->due_on, diag);
        if (rc == AP_OK)
            rc = stored_day(col_text(st, 7), "an updated_on date", &it->updated_on, diag);
        if (rc != AP_OK)
            goto done;
        if (it->status < 0) {
            ap_diag_error(diag, AP_ERR_INPUT,
                          "the database holds action status '%s', which is not known",
                          col_text(st, 5));
            rc = AP_ERR_INPUT;
            goto done;
        }
        it->overdue = it->due_on != AP_DAY_NONE && it->due_on < d_end &&
                      strcmp(ap_enums[AP_ENUM_STATUS].values[it->status], "complete") != 0;
    }
    if (r != SQLITE_DONE)
        rc = ap_db_error(db, diag, "cannot read the action plan");
    else if (out->n > 1)
        qsort(out->items, out->n, sizeof *out->items, plan_item_cmp);
done:
    sqlite3_finalize(st);
    if (rc != AP_OK)
        ap_plan_free(out);
    return rc;
}

void ap_plan_free(struct ap_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        struct ap_plan_item *it = &p->items[i];
        free(it->action_ref);
        free(it->theme);
        free(it->action);
        free(it->lead);
        free(it->commentary);
    }
    free(p->items);
    memset(p, 0, sizeof *p);
}

/* ---- Output for `actionplan metrics` ------------------------------------ */

/* Label for a breakdown key: the enumeration's label, or the area itself. */
static const char *key_label(int breakdown, const char *key)
{
    if (breakdown >= 0)
        return ap_enum_label((enum ap_enum_id)breakdown, key);
    return !strcmp(key, "unknown") ? "Not known" : key;
}

/* Display width of UTF-8 text: one column per code point is right for the
 * labels and area names we print. */
static size_t text_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static void pad(FILE *out, size_t n)
{
    while (n-- > 0)
        fputc(' ', out);
}

static void write_text(const struct ap_metrics *m, FILE *out)
{
    char s[11], e[11], t[11], num[32];
    ap_day_format(m->period.start, s);
    ap_day_format(m->period.end, e);
    size_t width = 0;
    int numw = 1;
    for (int id = 0; id < AP_M_COUNT; id++) {
        const struct ap_metric_def *def = &ap_metric_defs[id];
        size_t w = text_width(def->label);
        if (w > width)
            width = w;
        ap_format_count(m->value[id], num);
        if ((int)strlen(num) > numw)
            numw = (int)strlen(num);
        for (size_t k = 0; k < m->breakdown[id].n; k++) {
            w = 4 + text_width(key_label(def->breakdown, m->breakdown[id].keys[k]));
            if (w > width)
                width = w;
        }
    }
    fprintf(out, "Period: %s to %s", s, e);
    if (m->period.code[0])
        fprintf(out, " (%s)", m->period.code);
    fputc('\n', out);
    if (m->team_start != AP_DAY_NONE) {
        ap_day_format(m->team_start, t);
        fprintf(out, "Team start: %s\n", t);
    }
    fputs("Figures are unsuppressed: not for publication.\n\n", out);
    for (int id = 0; id < AP_M_COUNT; id++) {
        const struct ap_metric_def *def = &ap_metric_defs[id];
        ap_format_count(m->value[id], num);
        fputs(def->label, out);
        pad(out, width - text_width(def->label) + 2);
        fprintf(out, "%*s\n", numw, num);
        for (size_t k = 0; k < m->breakdown[id].n; k++) {
            const char *lab = key_label(def->breakdown, m->breakdown[id].keys[k]);
            ap_format_count(m->breakdown[id].counts[k], num);
            fprintf(out, "    %s", lab);
            pad(out, width - 4 - text_width(lab) + 2);
            fprintf(out, "%*s\n", numw, num);
        }
    }
}

static void json_check(const void *p)
{
    if (!p)
        ap_die_oom(); /* cJSON fails only when it cannot allocate */
}

static void write_json(const struct ap_metrics *m, FILE *out)
{
    char s[11], e[11];
    ap_day_format(m->period.start, s);
    ap_day_format(m->period.end, e);
    cJSON *root = cJSON_CreateObject();
    json_check(root);
    json_check(cJSON_AddStringToObject(root, "period_start", s));
    json_check(cJSON_AddStringToObject(root, "period_end", e));
    for (int id = 0; id < AP_M_COUNT; id++) {
        const struct ap_metric_def *def = &ap_metric_defs[id];
        if (def->breakdown == AP_BREAKDOWN_NONE) {
            json_check(cJSON_AddNumberToObject(root, def->name, (double)m->value[id]));
            continue;
        }
        cJSON *obj = cJSON_AddObjectToObject(root, def->name);
        json_check(obj);
        for (size_t k = 0; k < m->breakdown[id].n; k++)
            json_check(cJSON_AddNumberToObject(obj, m->breakdown[id].keys[k],
                                               (double)m->breakdown[id].counts[k]));
    }
    char *text = cJSON_Print(root);
    json_check(text);
    fputs(text, out);
    fputc('\n', out);
    cJSON_free(text);
    cJSON_Delete(root);
}

/* One CSV field, RFC 4180 quoted when needed. Text that a spreadsheet would
 * take as a formula (= + - @, or a leading tab or carriage return) is prefixed
 * with ' and quoted so it is shown, never run. */
static void csv_field(FILE *out, const char *s)
{
    bool formula = s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (!quote) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    if (formula)
        fputc('\'', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void write_csv(const struct ap_metrics *m, FILE *out)
{
    char s[11], e[11];
    ap_day_format(m->period.start, s);
    ap_day_format(m->period.end, e);
    fputs("metric,category,value\n", out);
    fprintf(out, "period_start,,%s\nperiod_end,,%s\n", s, e);
    for (int id = 0; id < AP_M_COUNT; id++) {
        const struct ap_metric_def *def = &ap_metric_defs[id];
        if (def->breakdown == AP_BREAKDOWN_NONE) {
            fprintf(out, "%s,,%lld\n", def->name, m->value[id]);
            continue;
        }
        /* Only the category rows: a total row would be counted twice by
         * anyone summing the column. */
        for (size_t k = 0; k < m->breakdown[id].n; k++) {
            fprintf(out, "%s,", def->name);
            csv_field(out, m->breakdown[id].keys[k]);
            fprintf(out, ",%lld\n", m->breakdown[id].counts[k]);
        }
    }
}

enum ap_status ap_metrics_write(const struct ap_metrics *m, enum ap_metrics_format f, FILE *out,
                                struct ap_diag *d)
{
    switch (f) {
    case AP_FMT_JSON:
        write_json(m, out);
        break;
    case AP_FMT_CSV:
        write_csv(m, out);
        break;
    case AP_FMT_TEXT:
    default:
        write_text(m, out);
        break;
    }
    if (fflush(out) != 0 || ferror(out)) {
        ap_diag_error(d, AP_ERR_IO, "cannot write the figures: %s", strerror(errno));
        return AP_ERR_IO;
    }
    return AP_OK;
}
