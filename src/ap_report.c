/*
 * ap_report: builds the report model from the metrics, the action plan, the
 * data-quality findings, the config and a template. Every figure is decided
 * here once: suppressed (ap_suppress), formatted, compared with earlier periods
 * and coloured by the metric's polarity. Every word that depends on the kind
 * of period (quarter, month, year or any range) is chosen here too, so the
 * renderers never name a period themselves. Renderers only lay the model out.
 */
#include "ap_report.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ap_audit.h"
#include "ap_util.h"
#include "ap_chart.h"
#include "ap_check.h"
#include "ap_db.h"
#include "ap_enum.h"
#include "ap_metrics.h"
#include "ap_suppress.h"
#include "ap_template.h"

/* The trend covers NQ periods of the report's kind, each following the one
 * before without gap or overlap; the report's own period is the last. The same
 * period a year earlier is one of them (a quarter: four back) or, when it is
 * not (a month, a range), one more period at index NQ. */
#define NQ 8
#define NOW (NQ - 1)
#define PREV (NQ - 2)
#define NP (NQ + 1)

/* Why a figure is hidden, for the count the report gives of its hidden cells. */
enum fig_why { WHY_SHOWN, WHY_PRIMARY, WHY_SECONDARY, WHY_AUDIT };

/* A count with its identity: which metric (and breakdown category, or data
 * check) in which quarter of the trend. The identity gives the figure key. */
struct fig {
    long long v;
    enum ap_mark mark;
    enum fig_why why;
    int metric;        /* enum ap_metric_id, or -1 for a data check */
    int cat;           /* index into the breakdown's keys, or -1 */
    int q;             /* period: of the trend 0 .. NQ-1, or NQ (a year earlier) */
    const char *check; /* data check code when metric is -1 */
    bool small;        /* a count of children, cases or episodes under suppression */
};

/* One published figure, as the audit sees it. */
enum pub_kind { PUB_COUNT, PUB_PERCENT, PUB_CHANGE_PREV, PUB_CHANGE_YEAR, PUB_RATE };
struct pub {
    enum pub_kind kind;
    struct fig a, b;   /* the count; or numerator and denominator; or now and before */
    double value;      /* the value shown (percentages as a fraction) */
    bool shown;        /* a number, not a marker */
    const char *where; /* borrowed from the model: the table (or part) it is in */
};

/* A figure as the latest published report of the template showed it. */
struct prior {
    char *key;
    char *shown; /* "53", "45.5%", "[c]" */
    bool has_value;
    double value;
};

/* A published count shown again unchanged: the reader knows the figure now
 * equals the published one. */
struct same {
    char *key;
    double value;
};

struct build {
    struct ap_report *r;
    const struct ap_template *t;
    const struct ap_config *cfg;
    struct ap_diag *d;
    struct ap_period per[NP];
    struct ap_metrics m[NP];
    bool avail[NP]; /* the period ends on or after the team started */
    int nper;       /* periods computed: NQ, or NP when the year-earlier one is extra */
    int year;       /* index of the same period a year earlier */
    bool two;       /* two comparisons: the year-earlier period is not the previous one */
    struct words {
        const char *kind;  /* "quarter", "month", "year" or "range" */
        const char *noun;  /* "quarter", "month", "year", "period" */
        const char *nouns; /* "quarters", ... "periods" */
        const char *row;   /* trend column heading: "Quarter" ... "Period" */
        char prev[64];     /* "the previous quarter", "2015/16", "the 9 months before" */
        char year[64];     /* "the same quarter last year", "the same 9 months a year earlier" */
        char rows[64];     /* the trend's rows: "quarters", "periods of 9 months" */
        char length[24];   /* "3 months", "9 months", "45 days" */
    } w;
    bool on; /* suppression */
    int k;
    struct ap_plan plan;
    struct ap_findings findings;
    int table_of[AP_TBL_COUNT]; /* index into r->tables, or -1 */
    int chart;                  /* index into r->charts, or -1 */
    const char *where;          /* borrowed: the part of the model being built */
    int64_t created;            /* r->created, kept across rebuilds */
    size_t npubs, apubs;        /* every figure published by this build */
    struct pub *pubs;
    size_t nextra; /* keys of counts the audit hides as well (owned) */
    char **extra;
    struct ap_disclosure twin; /* restricted report: the public template's audit (owned line) */
    char last_import[64];      /* "5 April 2017 at 09:12 UTC", or "" (no import log) */
    struct prior *priors;      /* the latest published figure of each key, sorted by key */
    size_t npriors;
    char prior_at[32]; /* "5 April 2017": the latest publication of the template, or "" */
    size_t notes_sec;  /* the section holding the notes, and the block after them */
    size_t notes_end;
    bool notes_placed;
    size_t nsame, asame; /* counts shown as published, unchanged: known to the reader */
    struct same *same;
};

/* --- cells ------------------------------------------------------------- */

/* One decimal place, halves rounded away from zero as Excel's "0.0" does, so
 * the PDF and the workbook show the same digits. */
static char *one_decimal(double v, const char *suffix)
{
    double r = round(v * 10.0) / 10.0;
    return ap_xasprintf("%.1f%s", r == 0.0 ? 0.0 : r, suffix);
}

static struct ap_cell cell_text(const char *s)
{
    struct ap_cell c = {.kind = AP_CELL_TEXT, .text = ap_xstrdup(s ? s : "")};
    return c;
}

static struct ap_cell cell_empty(void)
{
    struct ap_cell c = {.kind = AP_CELL_EMPTY, .text = ap_xstrdup("")};
    return c;
}

static struct ap_cell cell_marker(enum ap_mark m)
{
    struct ap_cell c = {.kind = AP_CELL_MARKER, .text = ap_xstrdup(ap_mark_text(m))};
    return c;
}

static void publish(struct build *b, enum pub_kind kind, struct fig x, struct fig y, double value,
                    bool shown)
{
    if (b->npubs == b->apubs) {
        b->apubs = b->apubs ? b->apubs * 2 : 128;
        b->pubs = ap_xrealloc(b->pubs, b->apubs * sizeof *b->pubs);
    }
    b->pubs[b->npubs++] = (struct pub){kind, x, y, value, shown, b->where};
}

static const char *const pub_kind_names[] = {"count", "percent", "change_prev", "change_year",
                                             "rate"};

/* Key bytes outside [A-Za-z0-9_-] as %XX, so a key has no spaces, dots or bars. */
static void add_key_part(struct ap_buf *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '_' || *p == '-')
            ap_buf_addch(out, (char)*p);
        else
            ap_buf_addf(out, "%%%02X", *p);
    }
}

/* The figure key of f shown as kind (see ap_report.h); caller owns. */
static char *fig_key(const struct build *b, const struct fig *f, enum pub_kind kind)
{
    struct ap_buf k = AP_BUF_INIT;
    if (f->metric < 0) {
        ap_buf_adds(&k, "check.");
        add_key_part(&k, f->check);
    } else {
        ap_buf_adds(&k, ap_metric_defs[f->metric].name);
        if (f->cat >= 0) {
            ap_buf_addch(&k, '.');
            add_key_part(&k, b->m[f->q].breakdown[f->metric].keys[f->cat]);
        }
    }
    char a[11], z[11];
    ap_day_format(b->per[f->q].start, a);
    ap_day_format(b->per[f->q].end, z);
    ap_buf_addf(&k, "|%s|%s|%s", a, z, pub_kind_names[kind]);
    return ap_buf_detach(&k);
}

static bool is_extra(const struct build *b, const struct fig *f)
{
    if (!b->nextra)
        return false;
    char *key = fig_key(b, f, PUB_COUNT);
    bool hit = false;
    for (size_t i = 0; i < b->nextra && !hit; i++)
        hit = !strcmp(b->extra[i], key);
    free(key);
    return hit;
}

/* Hide f as well when the audit asked for it. */
static void apply_extra(const struct build *b, struct fig *f)
{
    if (f->mark == AP_MARK_NONE && f->small && is_extra(b, f)) {
        f->mark = AP_MARK_C;
        f->why = WHY_AUDIT;
    }
}

static struct ap_cell keyed(struct build *b, struct ap_cell c, const struct fig *f,
                            enum pub_kind kind)
{
    c.key = fig_key(b, f, kind);
    return c;
}

static struct ap_cell cell_count(struct build *b, struct fig f)
{
    publish(b, PUB_COUNT, f, f, (double)f.v, f.mark == AP_MARK_NONE);
    if (f.mark != AP_MARK_NONE)
        return keyed(b, cell_marker(f.mark), &f, PUB_COUNT);
    char buf[32];
    ap_format_count(f.v, buf);
    struct ap_cell c = {
        .kind = AP_CELL_NUMBER, .fmt = AP_NUM_COUNT, .value = (double)f.v, .text = ap_xstrdup(buf)};
    return keyed(b, c, &f, PUB_COUNT);
}

static void change_text(long long v, char out[40])
{
    char buf[32];
    ap_format_count(v < 0 ? -v : v, buf);
    snprintf(out, 40, "%s%s", v > 0 ? "+" : v < 0 ? "-" : "", buf);
}

/* The change from before to now; year says which comparison it is. */
static struct ap_cell cell_change(struct build *b, struct fig now, struct fig before, bool year)
{
    enum pub_kind kind = year ? PUB_CHANGE_YEAR : PUB_CHANGE_PREV;
    enum ap_mark m = ap_suppress_change(now.mark, before.mark);
    publish(b, kind, now, before, (double)(now.v - before.v), m == AP_MARK_NONE);
    if (m != AP_MARK_NONE)
        return keyed(b, cell_marker(m), &now, kind);
    char buf[40];
    change_text(now.v - before.v, buf);
    struct ap_cell c = {.kind = AP_CELL_NUMBER,
                        .fmt = AP_NUM_CHANGE,
                        .value = (double)(now.v - before.v),
                        .text = ap_xstrdup(buf)};
    return keyed(b, c, &now, kind);
}

static struct ap_cell cell_pct(struct build *b, struct fig num, struct fig den)
{
    enum ap_mark m = ap_suppress_ratio(num.mark, den.mark, den.v);
    double v = m == AP_MARK_NONE ? (double)num.v / (double)den.v : 0.0;
    publish(b, PUB_PERCENT, num, den, v, m == AP_MARK_NONE);
    if (m != AP_MARK_NONE)
        return keyed(b, cell_marker(m), &num, PUB_PERCENT);
    struct ap_cell c = {.kind = AP_CELL_NUMBER,
                        .fmt = AP_NUM_PERCENT,
                        .value = v,
                        .text = one_decimal(v * 100.0, "%")};
    return keyed(b, c, &num, PUB_PERCENT);
}

static struct ap_cell cell_date(ap_day day)
{
    if (day == AP_DAY_NONE)
        return cell_marker(AP_MARK_X);
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int y, m, dd;
    ap_day_to_ymd(day, &y, &m, &dd);
    struct ap_cell c = {.kind = AP_CELL_DATE,
                        .value = (double)day,
                        .text = ap_xasprintf("%d %s %d", dd, mon[m - 1], y)};
    return c;
}

static void cell_free(struct ap_cell *c)
{
    free(c->text);
    free(c->key);
    c->text = NULL;
    c->key = NULL;
}

/* A deep copy (the summary table repeats the headline cells). */
static struct ap_cell cell_copy(const struct ap_cell *c)
{
    struct ap_cell d = *c;
    d.text = ap_xstrdup(c->text);
    d.key = c->key ? ap_xstrdup(c->key) : NULL;
    return d;
}

/* --- figures ------------------------------------------------------------ */

static bool unit_suppressed(enum ap_unit u)
{
    return u == AP_UNIT_CHILDREN || u == AP_UNIT_CASES || u == AP_UNIT_EPISODES;
}

/* Figures that are parts of another published figure. Subtraction would
 * recover a small remainder (10 episodes of which 7 were offered an interview
 * leaves 3 that were not), so each part is suppressed as a two-cell breakdown
 * [part, whole - part] whose total is shown. Active cases count children with
 * an open case exactly, since one child's cases never overlap. */
static const struct {
    enum ap_metric_id whole, part;
} part_of[] = {
    {AP_M_CHILDREN_SUPPORTED, AP_M_CHILDREN_CLOSED},
    {AP_M_CHILDREN_SUPPORTED, AP_M_ACTIVE_CASES},
    {AP_M_CHILDREN_CLOSED, AP_M_CHILDREN_PROTECTED},
    {AP_M_MISSING_EPISODES, AP_M_RETURN_INTERVIEWS_OFFERED_72H},
    {AP_M_MISSING_EPISODES, AP_M_RETURN_INTERVIEWS_COMPLETED},
};

/* Metric id in quarter q of the trend, suppressed on its own and, where it
 * is part of another figure, so that the remainder cannot be worked out. */
static struct fig metric_fig(const struct build *b, int q, enum ap_metric_id id)
{
    struct fig f = {.v = b->m[q].value[id],
                    .mark = AP_MARK_NONE,
                    .metric = (int)id,
                    .cat = -1,
                    .q = q,
                    .small = b->on && unit_suppressed(ap_metric_defs[id].unit)};
    if (!b->avail[q])
        f.mark = AP_MARK_Z;
    else if (f.small)
        f.mark = ap_suppress_count(f.v, b->k, b->on);
    if (f.mark == AP_MARK_C)
        f.why = WHY_PRIMARY;
    for (size_t i = 0; i < AP_ARRAY_LEN(part_of) && f.mark == AP_MARK_NONE; i++) {
        if (part_of[i].part != id)
            continue;
        long long whole = b->m[q].value[part_of[i].whole];
        long long cells[2] = {f.v, whole - f.v};
        enum ap_mark marks[2];
        ap_suppress_breakdown(cells, 2, b->k, b->on, true, marks);
        f.mark = marks[0];
        if (f.mark == AP_MARK_C)
            f.why = WHY_SECONDARY;
    }
    apply_extra(b, &f);
    return f;
}

static struct ap_cell cell_rate(struct build *b, enum ap_metric_id id)
{
    if (b->cfg->child_population <= 0)
        return cell_empty();
    if (!ap_metric_defs[id].per_10k)
        return cell_empty(); /* not a count of children: no rate to show */
    struct fig f = metric_fig(b, NOW, id);
    double v = (double)f.v * 10000.0 / (double)b->cfg->child_population;
    publish(b, PUB_RATE, f, f, v, f.mark == AP_MARK_NONE);
    if (f.mark != AP_MARK_NONE)
        return keyed(b, cell_marker(f.mark), &f, PUB_RATE);
    struct ap_cell c = {
        .kind = AP_CELL_NUMBER, .fmt = AP_NUM_RATE, .value = v, .text = one_decimal(v, "")};
    return keyed(b, c, &f, PUB_RATE);
}

/* Direction of travel against the previous quarter and its colour. */
static const char *direction(const struct build *b, enum ap_metric_id id, enum ap_tone *tone)
{
    struct fig now = metric_fig(b, NOW, id), prev = metric_fig(b, PREV, id);
    *tone = AP_TONE_NONE;
    if (ap_suppress_change(now.mark, prev.mark) != AP_MARK_NONE)
        return "";
    long long delta = now.v - prev.v;
    enum ap_polarity pol = ap_metric_defs[id].polarity;
    if (delta == 0 || pol == AP_POL_NEUTRAL)
        *tone = AP_TONE_NEUTRAL;
    else if ((delta > 0) == (pol == AP_POL_UP_GOOD))
        *tone = AP_TONE_GOOD;
    else
        *tone = AP_TONE_BAD;
    return delta > 0 ? "up" : delta < 0 ? "down" : "no change";
}

static const char *tone_word(enum ap_tone t)
{
    switch (t) {
    case AP_TONE_GOOD:
        return "better";
    case AP_TONE_BAD:
        return "worse";
    default:
        return "";
    }
}

/* --- tables ------------------------------------------------------------- */

static struct ap_table *new_table(struct build *b, enum ap_table_kind kind, const char *title,
                                  const char *description, size_t ncols)
{
    struct ap_report *r = b->r;
    r->tables = ap_xrealloc(r->tables, (r->ntables + 1) * sizeof *r->tables);
    b->table_of[kind] = (int)r->ntables;
    struct ap_table *t = &r->tables[r->ntables++];
    memset(t, 0, sizeof *t);
    t->id = ap_xstrdup(ap_table_kind_ids[kind]);
    t->title = ap_xasprintf("Table %zu: %s", r->ntables, title);
    b->where = t->title;
    t->description = ap_xstrdup(description);
    t->ncols = ncols;
    t->cols = ap_xcalloc(ncols, sizeof *t->cols);
    return t;
}

static void set_col(struct ap_table *t, size_t i, const char *heading, bool numeric, double width)
{
    t->cols[i].heading = ap_xstrdup(heading);
    t->cols[i].numeric = numeric;
    t->cols[i].width = width;
}

/* Append a row of ncols cells taken from cells[] (ownership moves). */
static void add_row(struct ap_table *t, const struct ap_cell *cells)
{
    t->cells = ap_xrealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof *t->cells);
    memcpy(&t->cells[t->nrows * t->ncols], cells, t->ncols * sizeof *cells);
    t->nrows++;
}

static const char *period_word(const struct build *b)
{
    return b->w.noun;
}

/* The words of the report's kind of period (see struct words). */
static void choose_words(struct build *b)
{
    struct words *w = &b->w;
    const struct ap_period *p = &b->per[NOW];
    char len[24];
    ap_period_length_words(p, len);
    switch (p->kind) {
    case AP_PERIOD_QUARTER:
        *w = (struct words){"quarter",
                            "quarter",
                            "quarters",
                            "Quarter",
                            "the previous quarter",
                            "the same quarter last year",
                            "quarters",
                            ""};
        break;
    case AP_PERIOD_MONTH:
        *w = (struct words){
            "month",  "month", "months", "Month", "the previous month", "the same month last year",
            "months", ""};
        break;
    case AP_PERIOD_YEAR:
        *w = (struct words){"year", "year", "years", "Year", "", "", "", ""};
        snprintf(w->prev, sizeof w->prev, "%s", b->per[PREV].label);
        snprintf(w->year, sizeof w->year, "%s", b->per[b->year].label);
        snprintf(w->rows, sizeof w->rows, "years");
        break;
    case AP_PERIOD_RANGE:
        *w = (struct words){"range", "period", "periods", "Period", "", "", "", ""};
        snprintf(w->prev, sizeof w->prev, "the %s before", len);
        if (p->start == p->end) {
            *w = (struct words){
                "range", "day", "days", "Day", "the day before", "the same day a year earlier",
                "days",  ""};
            break;
        }
        if (p->months > 0)
            snprintf(w->year, sizeof w->year, "the same %s a year earlier", len);
        else
            snprintf(w->year, sizeof w->year, "the same dates a year earlier");
        snprintf(w->rows, sizeof w->rows, "periods of %s", len);
        break;
    }
    snprintf(w->length, sizeof w->length, "%s", len);
}

/* "since the previous quarter and since the same quarter last year", or
 * "since 2015/16" when there is one comparison; caller owns. */
static char *since_words(const struct build *b)
{
    if (!b->two)
        return ap_xasprintf("since %s", b->w.prev);
    return ap_xasprintf("since %s and since %s", b->w.prev, b->w.year);
}

static void build_summary(struct build *b)
{
    bool rates = b->cfg->child_population > 0;
    char *since = since_words(b);
    char *desc =
        ap_xasprintf("The headline figures for %s, with the change %s.", b->r->period_label, since);
    free(since);
    size_t c = 0, ncols = 4 + (b->two ? 1 : 0) + (rates ? 1 : 0);
    struct ap_table *t = new_table(b, AP_TBL_SUMMARY, "Headline figures", desc, ncols);
    free(desc);
    set_col(t, c++, "Measure", false, 44);
    set_col(t, c++, "Figure", true, 10);
    char *heading = ap_xasprintf("Change since %s", b->w.prev);
    set_col(t, c++, heading, true, 14);
    free(heading);
    if (b->two) {
        heading = ap_xasprintf("Change since %s", b->w.year);
        set_col(t, c++, heading, true, 14);
        free(heading);
    }
    set_col(t, c++, "Direction of travel", false, 14);
    if (rates)
        set_col(t, c++, "Rate per 10,000 children", true, 12);
    const struct ap_report *r = b->r;
    for (size_t i = 0; i < r->nheadlines; i++) {
        const struct ap_headline *h = &r->headlines[i];
        struct ap_cell row[6];
        c = 0;
        row[c++] = cell_text(h->label);
        row[c++] = cell_copy(&h->value);
        row[c++] = cell_copy(&h->change_prev);
        if (b->two)
            row[c++] = cell_copy(&h->change_year);
        if (*h->direction) {
            row[c] = cell_text(NULL);
            free(row[c].text);
            row[c].text = *h->verdict ? ap_xasprintf("%s (%s)", h->direction, h->verdict)
                                      : ap_xstrdup(h->direction);
            row[c].tone = h->tone;
        } else {
            row[c] = cell_marker(h->change_prev.kind == AP_CELL_MARKER
                                     ? (!strcmp(h->change_prev.text, "[c]") ? AP_MARK_C : AP_MARK_X)
                                     : AP_MARK_X);
        }
        c++;
        if (rates) {
            row[c] = cell_copy(&h->rate);
            if (h->rate.kind == AP_CELL_EMPTY) { /* a table has no blank cells */
                cell_free(&row[c]);
                row[c] = cell_marker(AP_MARK_Z);
            }
        }
        add_row(t, row);
    }
}

/* Trend columns: the first three are the chart's series. */
static const enum ap_metric_id trend_metrics[] = {
    AP_M_ACTIVE_CASES,
    AP_M_NEW_CASES,
    AP_M_CLOSED_CASES,
    AP_M_CHILDREN_SUPPORTED_IN_PERIOD,
    AP_M_CHILDREN_SUPPORTED,
    AP_M_PERPETRATORS_ACTIVE,
    AP_M_PERPETRATORS_DEALT_WITH,
    AP_M_MISSING_EPISODES,
};
#define TREND_SERIES 3

static void build_trend(struct build *b)
{
    size_t nm = AP_ARRAY_LEN(trend_metrics);
    char *title = ap_xasprintf("Key figures for the last eight %s", b->w.rows);
    char *desc;
    if (b->per[NOW].kind == AP_PERIOD_RANGE && b->per[NOW].start != b->per[NOW].end)
        desc = ap_xasprintf(
            "Each row is one period of %s, the last being the period of this report; the periods "
            "follow one another, so no day is in two rows. Small figures are hidden as the notes "
            "explain, and [z] marks a period that ended before the team was set up.",
            b->w.length);
    else
        desc = ap_xasprintf("Each row is one %s; small figures are hidden as the notes explain, "
                            "and [z] marks a %s that ended before the team was set up.",
                            b->w.noun, b->w.noun);
    struct ap_table *t = new_table(b, AP_TBL_TREND, title, desc, 1 + nm);
    free(title);
    free(desc);
    set_col(t, 0, b->w.row, false, 14);
    for (size_t j = 0; j < nm; j++)
        set_col(t, 1 + j, ap_metric_defs[trend_metrics[j]].label, true, 14);
    for (int q = 0; q < NQ; q++) {
        struct ap_cell row[1 + AP_ARRAY_LEN(trend_metrics)];
        row[0] = cell_text(b->per[q].label);
        for (size_t j = 0; j < nm; j++)
            row[1 + j] = cell_count(b, metric_fig(b, q, trend_metrics[j]));
        add_row(t, row);
    }
}

static void build_chart(struct build *b)
{
    struct ap_report *r = b->r;
    const struct ap_table *t = &r->tables[b->table_of[AP_TBL_TREND]];
    r->charts = ap_xcalloc(1, sizeof *r->charts);
    r->ncharts = 1;
    b->chart = 0;
    struct ap_chart *c = &r->charts[0];
    c->title = ap_xasprintf("Cases in each of the last eight %s", b->w.rows);
    c->y_title = ap_xstrdup("Cases");
    c->table = (size_t)b->table_of[AP_TBL_TREND];
    c->first_col = 1;
    c->ncats = NQ;
    c->categories = ap_xcalloc(NQ, sizeof *c->categories);
    for (int q = 0; q < NQ; q++)
        c->categories[q] = ap_xstrdup(b->per[q].short_label); /* the table has the full one */
    c->nseries = TREND_SERIES;
    c->series = ap_xcalloc(TREND_SERIES, sizeof *c->series);
    for (size_t s = 0; s < TREND_SERIES; s++) {
        c->series[s].name = ap_xstrdup(t->cols[1 + s].heading);
        c->series[s].values = ap_xcalloc(NQ, sizeof(double));
        c->series[s].missing = ap_xcalloc(NQ, sizeof(bool));
        for (int q = 0; q < NQ; q++) {
            const struct ap_cell *cell = ap_table_cell(t, (size_t)q, 1 + s);
            c->series[s].missing[q] = cell->kind != AP_CELL_NUMBER;
            c->series[s].values[q] = cell->kind == AP_CELL_NUMBER ? cell->value : 0.0;
        }
    }
    ap_chart_describe(c, t);
}

/* The metric a breakdown divides up, or -1 if it has none of its own. */
static int breakdown_whole(enum ap_metric_id id)
{
    static const struct {
        enum ap_metric_id part, whole;
    } wholes[] = {
        {AP_M_CLOSURE_REASONS, AP_M_CLOSED_CASES},
        {AP_M_REFERRAL_SOURCES, AP_M_NEW_CASES},
        {AP_M_RISK_LEVELS, AP_M_ACTIVE_CASES},
        {AP_M_GENDER, AP_M_CHILDREN_SUPPORTED_IN_PERIOD},
        {AP_M_ETHNICITY, AP_M_CHILDREN_SUPPORTED_IN_PERIOD},
        {AP_M_AREA, AP_M_CHILDREN_SUPPORTED_IN_PERIOD},
        {AP_M_AGE_BANDS, AP_M_CHILDREN_SUPPORTED_IN_PERIOD},
    };
    for (size_t i = 0; i < AP_ARRAY_LEN(wholes); i++)
        if (wholes[i].part == id)
            return (int)wholes[i].whole;
    return -1;
}

struct breakdown_spec {
    enum ap_table_kind kind;
    enum ap_metric_id metric;
    int en; /* enum ap_enum_id for labels, or -1 (area: the data's names) */
    const char *title;
    const char *category;
    const char *unit; /* count column heading */
    const char *what; /* description */
};

static const struct breakdown_spec breakdowns[] = {
    {AP_TBL_REFERRAL_SOURCES, AP_M_REFERRAL_SOURCES, AP_ENUM_REFERRAL_SOURCE,
     "New cases in the {p}, by who referred the child", "Referred by", "New cases",
     "Cases opened in the {p}, by the agency or person that made the referral."},
    {AP_TBL_RISK_LEVELS, AP_M_RISK_LEVELS, AP_ENUM_RISK_LEVEL,
     "Active cases at the end of the {p}, by level of risk", "Risk level", "Active cases",
     "Cases open on the last day of the {p}, by the risk level recorded."},
    {AP_TBL_CLOSURE_REASONS, AP_M_CLOSURE_REASONS, AP_ENUM_CLOSURE_REASON,
     "Cases closed in the {p}, by reason", "Reason for closure", "Closed cases",
     "Cases closed in the {p}, by the reason recorded at closure."},
    {AP_TBL_GENDER, AP_M_GENDER, AP_ENUM_GENDER, "Children supported in the {p}, by gender",
     "Gender", "Children", "Children with a case open at some time in the {p}, by gender."},
    {AP_TBL_ETHNICITY, AP_M_ETHNICITY, AP_ENUM_ETHNICITY,
     "Children supported in the {p}, by ethnicity", "Ethnic group", "Children",
     "Children with a case open at some time in the {p}, by ethnic group."},
    {AP_TBL_AREA, AP_M_AREA, -1, "Children supported in the {p}, by area", "Area", "Children",
     "Children with a case open at some time in the {p}, by the area they live in."},
    {AP_TBL_AGE_BANDS, AP_M_AGE_BANDS, AP_ENUM_AGE_BAND, "Children supported in the {p}, by age",
     "Age when the case opened", "Children",
     "Children with a case open at some time in the {p}, by age in completed years when their "
     "latest case opened."},
    {AP_TBL_PERPETRATOR_ACTIONS, AP_M_PERPETRATOR_ACTIONS, AP_ENUM_PERP_ACTION,
     "Action taken against perpetrators in the {p}", "Action", "Actions",
     "Police and council actions recorded against perpetrators in the {p}, by kind of action."},
};

/* s with its "{p}" replaced by the period word ("quarter"); caller owns. */
static char *with_period_word(const char *s, const char *word)
{
    struct ap_buf out = AP_BUF_INIT;
    const char *at;
    while ((at = strstr(s, "{p}")) != NULL) {
        ap_buf_add(&out, s, (size_t)(at - s));
        ap_buf_adds(&out, word);
        s = at + 3;
    }
    ap_buf_adds(&out, s);
    return ap_buf_detach(&out);
}

static const char *key_label(int en, const char *key)
{
    if (en >= 0)
        return ap_enum_label((enum ap_enum_id)en, key);
    return !strcmp(key, "unknown") ? "Not known" : key;
}

static void build_breakdown(struct build *b, const struct breakdown_spec *s)
{
    const char *pw = period_word(b);
    char *title = with_period_word(s->title, pw);
    char *desc = with_period_word(s->what, pw);
    struct ap_table *t = new_table(b, s->kind, title, desc, 3);
    free(title);
    free(desc);
    set_col(t, 0, s->category, false, 36);
    set_col(t, 1, s->unit, true, 12);
    set_col(t, 2, "Percentage", true, 12);
    const struct ap_breakdown *bd = &b->m[NOW].breakdown[s->metric];
    bool on = b->on && unit_suppressed(ap_metric_defs[s->metric].unit);
    long long total = 0;
    for (size_t i = 0; i < bd->n; i++)
        total += bd->counts[i];
    /* The total is the whole metric (closure reasons add up to the cases
     * closed): the same figure as in the trend and the headlines. */
    int whole = breakdown_whole(s->metric);
    struct fig tot = {.v = total,
                      .mark = ap_suppress_count(total, b->k, on),
                      .metric = (int)s->metric,
                      .cat = -1,
                      .q = NOW,
                      .small = on};
    tot.why = tot.mark == AP_MARK_C ? WHY_PRIMARY : WHY_SHOWN;
    if (whole >= 0)
        tot = metric_fig(b, NOW, (enum ap_metric_id)whole);
    enum ap_mark *marks = ap_xcalloc(bd->n ? bd->n : 1, sizeof *marks);
    ap_suppress_breakdown(bd->counts, bd->n, b->k, on, tot.mark == AP_MARK_NONE, marks);
    for (size_t i = 0; i < bd->n; i++) {
        struct fig f = {.v = bd->counts[i],
                        .mark = marks[i],
                        .metric = (int)s->metric,
                        .cat = (int)i,
                        .q = NOW,
                        .small = on};
        f.why = f.mark != AP_MARK_C                             ? WHY_SHOWN
                : ap_suppress_count(f.v, b->k, on) == AP_MARK_C ? WHY_PRIMARY
                                                                : WHY_SECONDARY;
        apply_extra(b, &f);
        struct ap_cell row[3] = {cell_text(key_label(s->en, bd->keys[i])), cell_count(b, f),
                                 cell_pct(b, f, tot)};
        add_row(t, row);
    }
    struct ap_cell row[3] = {cell_text("Total"), cell_count(b, tot), cell_pct(b, tot, tot)};
    add_row(t, row);
    free(marks);
}

/* Rows of measures with this, the previous and the year-before period. */
static void measure_columns(struct build *b, struct ap_table *t)
{
    set_col(t, 0, "Measure", false, 44);
    set_col(t, 1, b->per[NOW].label, true, 14);
    set_col(t, 2, b->per[PREV].label, true, 14);
    if (b->two)
        set_col(t, 3, b->per[b->year].label, true, 14);
}

/* Columns of measure tables: this period, the previous one, and (when it is
 * another) the same period a year earlier. */
static size_t measure_ncols(const struct build *b)
{
    return b->two ? 4 : 3;
}

static void measure_row(struct build *b, struct ap_table *t, enum ap_metric_id id)
{
    const int qs[] = {NOW, PREV, b->year};
    struct ap_cell row[4] = {cell_text(ap_metric_defs[id].label)};
    for (size_t i = 0; i + 1 < t->ncols; i++)
        row[1 + i] = cell_count(b, metric_fig(b, qs[i], id));
    add_row(t, row);
}

static void pct_row(struct build *b, struct ap_table *t, const char *label, enum ap_metric_id num,
                    enum ap_metric_id den)
{
    const int qs[] = {NOW, PREV, b->year};
    struct ap_cell row[4] = {cell_text(label)};
    for (size_t i = 0; i + 1 < t->ncols; i++)
        row[1 + i] = cell_pct(b, metric_fig(b, qs[i], num), metric_fig(b, qs[i], den));
    add_row(t, row);
}

static void build_perpetrators(struct build *b)
{
    struct ap_table *t = new_table(
        b, AP_TBL_PERPETRATORS, "Perpetrators identified, disrupted and prosecuted",
        "People identified as posing a risk of sexual exploitation to children, in this and "
        "earlier periods; those dealt with are counted since the team was set up.",
        measure_ncols(b));
    measure_columns(b, t);
    measure_row(b, t, AP_M_PERPETRATORS_IDENTIFIED_IN_PERIOD);
    measure_row(b, t, AP_M_PERPETRATORS_ACTIVE);
    measure_row(b, t, AP_M_PERPETRATORS_DEALT_WITH);
}

static void build_missing(struct build *b)
{
    struct ap_table *t =
        new_table(b, AP_TBL_MISSING, "Children missing from home or care, and return interviews",
                  "Missing episodes that ended in the period, and whether the child was offered an "
                  "independent return interview within 72 hours of coming back.",
                  measure_ncols(b));
    measure_columns(b, t);
    measure_row(b, t, AP_M_MISSING_EPISODES);
    measure_row(b, t, AP_M_RETURN_INTERVIEWS_OFFERED_72H);
    pct_row(b, t, "Percentage offered a return interview within 72 hours",
            AP_M_RETURN_INTERVIEWS_OFFERED_72H, AP_M_MISSING_EPISODES);
    measure_row(b, t, AP_M_RETURN_INTERVIEWS_COMPLETED);
    pct_row(b, t, "Percentage with a completed return interview", AP_M_RETURN_INTERVIEWS_COMPLETED,
            AP_M_MISSING_EPISODES);
}

static void build_action_plan(struct build *b)
{
    char end[32];
    ap_day_format_long(b->per[NOW].end, end);
    char *desc =
        ap_xasprintf("Each action in the CSE Action Plan as it stood on %s, with its "
                     "latest update; RAG is the lead officer's red, amber or green rating.",
                     end);
    struct ap_table *t =
        new_table(b, AP_TBL_ACTION_PLAN, "Progress on the CSE Action Plan", desc, 9);
    free(desc);
    set_col(t, 0, "Ref", false, 8);
    set_col(t, 1, "Theme", false, 18);
    set_col(t, 2, "Action", false, 40);
    set_col(t, 3, "Lead", false, 16);
    set_col(t, 4, "Due", false, 12);
    set_col(t, 5, "Status", false, 12);
    set_col(t, 6, "RAG", false, 8);
    set_col(t, 7, "Latest update", false, 40);
    set_col(t, 8, "Overdue", false, 9);
    static const enum ap_tone rag_tone[] = {AP_TONE_RED, AP_TONE_AMBER, AP_TONE_GREEN};
    for (size_t i = 0; i < b->plan.n; i++) {
        const struct ap_plan_item *it = &b->plan.items[i];
        struct ap_cell row[9];
        row[0] = cell_text(it->action_ref);
        row[1] = cell_text(it->theme);
        row[2] = cell_text(it->action);
        row[3] = *it->lead ? cell_text(it->lead) : cell_marker(AP_MARK_X);
        row[4] = cell_date(it->due_on);
        row[5] = cell_text(ap_enums[AP_ENUM_STATUS].labels[it->status]);
        if (it->rag >= 0 && it->rag < 3) {
            row[6] = cell_text(ap_enums[AP_ENUM_RAG].labels[it->rag]);
            row[6].tone = rag_tone[it->rag];
        } else {
            row[6] = cell_marker(AP_MARK_X);
        }
        row[7] = cell_text(*it->commentary ? it->commentary : "No update yet");
        row[8] = cell_text(it->overdue ? "Overdue" : "No");
        if (it->overdue)
            row[8].tone = AP_TONE_BAD;
        add_row(t, row);
    }
    if (b->plan.n == 0) {
        struct ap_cell row[9] = {cell_marker(AP_MARK_Z),
                                 cell_marker(AP_MARK_Z),
                                 cell_text("No action plan items have been recorded"),
                                 cell_marker(AP_MARK_Z),
                                 cell_marker(AP_MARK_Z),
                                 cell_marker(AP_MARK_Z),
                                 cell_marker(AP_MARK_Z),
                                 cell_marker(AP_MARK_Z),
                                 cell_marker(AP_MARK_Z)};
        add_row(t, row);
    }
}

/* Row headings for the data-quality table, by check code. ap_check's own
 * message is singular for a count of 1, which would give a suppressed count
 * away, so the table uses these plural headings; counts of records about
 * perpetrators or the plan are not counts of children and are not suppressed. */
static const struct {
    const char *code;
    const char *heading;
    bool children; /* counts records about children, cases or episodes */
} check_rows[] = {
    {"missing_reference", "Rows referring to a child, perpetrator or plan item not in the database",
     true},
    {"bad_date", "Rows with a date that is not a real date", true},
    {"overlapping_cases", "Pairs of overlapping cases of one child", true},
    {"closed_before_opened", "Cases closed before they opened", true},
    {"closure_reason_without_date", "Cases with a closure reason but no closure date", true},
    {"closed_without_reason", "Closed cases with no closure reason", true},
    {"outcome_without_conclusion", "Perpetrators with an outcome but no date concluded", false},
    {"concluded_without_outcome", "Concluded perpetrators with no outcome", false},
    {"concluded_before_identified", "Perpetrators concluded before being identified", false},
    {"episode_dates_out_of_order", "Missing episodes with dates out of order", true},
    {"case_open_over_2_years", "Cases open for more than two years", true},
    {"open_case_aged_18", "Children aged 18 or over with an open case", true},
    {"return_no_interview_offered", "Missing episodes with no return interview offered", true},
    {"interview_offered_late", "Return interviews offered more than 72 hours after the return",
     true},
    {"plan_overdue_no_recent_update", "Overdue action plan items with no update in three months",
     false},
    {"plan_never_updated", "Action plan items never updated", false},
    {"child_no_birth_date_or_area", "Children with no birth date or no area", true},
    {"case_no_risk_or_source", "Cases with no risk level or no referral source", true},
    {"perpetrator_no_recent_action", "Perpetrators active for over two years with no recent action",
     false},
};

/* Heading and suppression for a finding; unknown codes fall back to the
 * message, or to the code when a singular message could reveal a count of 1. */
static char *check_heading(const struct ap_finding *f, bool on, bool *children)
{
    for (size_t i = 0; i < AP_ARRAY_LEN(check_rows); i++) {
        if (!strcmp(check_rows[i].code, f->code)) {
            *children = check_rows[i].children;
            return ap_xstrdup(check_rows[i].heading);
        }
    }
    *children = true;
    if (on && f->count == 1)
        return ap_xasprintf("Check '%s'", f->code);
    char *s = ap_xstrdup(f->message);
    if (s[0] >= 'a' && s[0] <= 'z')
        s[0] = (char)(s[0] - 'a' + 'A');
    return s;
}

static const char *severity_word(enum ap_severity s)
{
    return s == AP_ERROR ? "Error" : s == AP_WARNING ? "Warning" : "Note";
}

/* Whether template t shows table k anywhere. */
static bool shows_table(const struct ap_template *t, enum ap_table_kind k)
{
    for (size_t i = 0; i < t->nsections; i++)
        for (size_t j = 0; j < t->sections[i].nblocks; j++)
            if (t->sections[i].blocks[j].kind == AP_TB_TABLE && t->sections[i].blocks[j].table == k)
                return true;
    return false;
}

/* detail: the data_quality_detail table, which lists the ids of the records to
 * look at only when the template says show_ids (else it is the plain table). */
static void build_data_quality(struct build *b, bool detail)
{
    bool ids_shown = detail && b->t->show_ids;
    struct ap_table *t = new_table(
        b, detail ? AP_TBL_DATA_QUALITY_DETAIL : AP_TBL_DATA_QUALITY,
        ids_shown ? "Data-quality checks, with records to look at" : "Data-quality checks",
        detail && !ids_shown
            ? "Checks run on the case records at the end of the period; a count of 0 means the "
              "check found nothing. The records to look at are listed for the officers who "
              "correct them, not in this report."
            : "Checks run on the case records at the end of the period; a count of 0 means the "
              "check found nothing.",
        ids_shown ? 4 : 3);
    set_col(t, 0, "Check", false, 50);
    set_col(t, 1, "Severity", false, 10);
    set_col(t, 2, "Records", true, 10);
    if (ids_shown)
        set_col(t, 3, "Records to look at", false, 40);
    for (size_t i = 0; i < b->findings.n; i++) {
        const struct ap_finding *f = &b->findings.items[i];
        bool children;
        char *heading = check_heading(f, b->on, &children);
        struct fig n = {.v = f->count,
                        .mark = ap_suppress_count(f->count, b->k, b->on && children),
                        .metric = -1,
                        .cat = -1,
                        .q = NOW,
                        .check = f->code,
                        .small = b->on && children};
        n.why = n.mark == AP_MARK_C ? WHY_PRIMARY : WHY_SHOWN;
        struct ap_cell row[4] = {cell_text(heading), cell_text(severity_word(f->severity)),
                                 cell_count(b, n)};
        free(heading);
        if (ids_shown) {
            struct ap_buf ids = AP_BUF_INIT;
            for (size_t j = 0; j < f->nids; j++)
                ap_buf_addf(&ids, "%s%s", j ? ", " : "", f->ids[j]);
            if (f->count > (long long)f->nids && f->nids)
                ap_buf_addf(&ids, " and %lld more", f->count - (long long)f->nids);
            row[3] = f->nids ? cell_text(ids.buf) : cell_marker(AP_MARK_Z);
            ap_buf_release(&ids);
        }
        add_row(t, row);
    }
    if (b->findings.n == 0) {
        struct ap_cell row[4] = {cell_text("No checks were run"), cell_marker(AP_MARK_Z),
                                 cell_marker(AP_MARK_Z), cell_marker(AP_MARK_Z)};
        if (!ids_shown)
            cell_free(&row[3]);
        add_row(t, row);
    }
}

static void build_definitions(struct build *b)
{
    struct ap_table *t = new_table(b, AP_TBL_DEFINITIONS, "Definitions",
                                   "What each figure in this report counts.", 3);
    set_col(t, 0, "Measure", false, 36);
    set_col(t, 1, "Name in the data", false, 30);
    set_col(t, 2, "Definition", false, 70);
    for (int i = 0; i < AP_M_COUNT; i++) {
        struct ap_cell row[3] = {cell_text(ap_metric_defs[i].label),
                                 cell_text(ap_metric_defs[i].name),
                                 cell_text(ap_metric_defs[i].definition)};
        add_row(t, row);
    }
}

static void build_table(struct build *b, enum ap_table_kind kind)
{
    if (b->table_of[kind] >= 0)
        return;
    for (size_t i = 0; i < AP_ARRAY_LEN(breakdowns); i++) {
        if (breakdowns[i].kind == kind) {
            build_breakdown(b, &breakdowns[i]);
            return;
        }
    }
    switch (kind) {
    case AP_TBL_SUMMARY:
        build_summary(b);
        break;
    case AP_TBL_TREND:
        build_trend(b);
        break;
    case AP_TBL_PERPETRATORS:
        build_perpetrators(b);
        break;
    case AP_TBL_MISSING:
        build_missing(b);
        break;
    case AP_TBL_ACTION_PLAN:
        build_action_plan(b);
        break;
    case AP_TBL_DATA_QUALITY:
        build_data_quality(b, false);
        break;
    case AP_TBL_DATA_QUALITY_DETAIL:
        build_data_quality(b, true);
        break;
    case AP_TBL_DEFINITIONS:
        build_definitions(b);
        break;
    default:
        break;
    }
}

/* --- headlines and notes ------------------------------------------------ */

static void build_headlines(struct build *b)
{
    struct ap_report *r = b->r;
    r->nheadlines = b->t->nheadlines;
    r->headlines = ap_xcalloc(r->nheadlines ? r->nheadlines : 1, sizeof *r->headlines);
    b->where = "Headline figures";
    for (size_t i = 0; i < r->nheadlines; i++) {
        enum ap_metric_id id = b->t->headlines[i];
        struct ap_headline *h = &r->headlines[i];
        struct fig now = metric_fig(b, NOW, id);
        h->metric = ap_xstrdup(ap_metric_defs[id].name);
        h->label = ap_xstrdup(ap_metric_defs[id].label);
        h->value = cell_count(b, now);
        h->change_prev = cell_change(b, now, metric_fig(b, PREV, id), false);
        h->change_year = b->two ? cell_change(b, now, metric_fig(b, b->year, id), true)
                                : cell_empty(); /* the previous period is a year earlier */
        h->direction = ap_xstrdup(direction(b, id, &h->tone));
        h->verdict = ap_xstrdup(tone_word(h->tone));
        h->rate = cell_rate(b, id);
    }
}

static void add_note(struct ap_report *r, const char *marker, const char *text)
{
    r->notes = ap_xrealloc(r->notes, (r->nnotes + 1) * sizeof *r->notes);
    r->notes[r->nnotes].marker = ap_xstrdup(marker);
    r->notes[r->nnotes].text = ap_xstrdup(text);
    r->nnotes++;
}

/* When the data was last imported, from the import log of a database at
 * schema version 2 ("5 April 2017 at 09:12 UTC"); "" when there is none (a
 * version-1 database, or no import recorded yet). */
static enum ap_status last_import(sqlite3 *db, char out[64], struct ap_diag *d)
{
    static const char has_sql[] =
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'import_log'";
    sqlite3_stmt *st = NULL;
    enum ap_status rc = AP_OK;
    out[0] = '\0';
    if (!ap_db_prepare(db, has_sql, &st, d))
        return AP_ERR_IO;
    int step = sqlite3_step(st);
    bool has = step == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    st = NULL;
    if (step != SQLITE_ROW)
        return ap_db_error(db, d, "cannot read the import log");
    if (!has)
        return AP_OK;
    if (!ap_db_prepare(db, "SELECT max(imported_at) FROM import_log", &st, d))
        return AP_ERR_IO;
    step = sqlite3_step(st);
    const char *at = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    ap_day day;
    const char *why = NULL;
    /* "2017-04-05T09:12:00Z" */
    if (step != SQLITE_ROW) {
        rc = ap_db_error(db, d, "cannot read the import log");
    } else if (at && strlen(at) >= 16 && at[10] == 'T' && ap_date_parse(at, 10, &day, &why)) {
        char long_day[32];
        ap_day_format_long(day, long_day);
        snprintf(out, 64, "%s at %.5s UTC", long_day, at + 11);
    }
    sqlite3_finalize(st);
    return rc;
}

static void build_notes(struct build *b)
{
    struct ap_report *r = b->r;
    char *s;
    if (b->on) {
        s = ap_xasprintf(
            "Confidential: a count of 1 to %d children, cases or missing episodes is not shown, so "
            "that no child can be identified. Other figures are hidden too where a reader could "
            "otherwise work a hidden count out from the rest of the report: from a total and the "
            "other rows, from the %s before and after it, or from another table. A "
            "percentage, rate or change worked out from a hidden figure is hidden as well.",
            b->k, b->w.nouns);
        add_note(r, "[c]", s);
        free(s);
    }
    s = ap_xasprintf("Not applicable: for example a percentage of no missing episodes, or a %s "
                     "that ended before the team was set up.",
                     b->w.noun);
    add_note(r, "[z]", s);
    free(s);
    add_note(r, "[x]",
             "Not available: the information was not recorded (for example an action with no due "
             "date, lead or RAG rating).");
    if (b->on) {
        s = ap_xasprintf(
            "Before this report was published it was checked as a whole: every hidden figure "
            "was tested against everything the report shows (totals, percentages, changes, the "
            "figures of every %s and how they follow from each other), and more figures were "
            "hidden until none of the hidden ones could be worked out. A true zero is shown as "
            "0, so every [c] stands for at least 1.",
            b->w.noun);
        add_note(r, "", s);
        free(s);
        add_note(r, "",
                 "Counts of perpetrators, of actions taken against them and of action plan items "
                 "are not suppressed: they are not counts of children.");
    } else {
        add_note(r, "",
                 "This report is restricted: small numbers are shown in full and it must not be "
                 "published or shared beyond its intended readers.");
    }
    char as_at[32];
    ap_day_format_long(
        b->m[NOW].team_start == AP_DAY_NONE ? b->per[NOW].start : b->m[NOW].team_start, as_at);
    s = ap_xasprintf("Source: the team's case records, as recorded on %s. The team's figures are "
                     "counted from %s; 'since the team began' means since then.%s%s%s",
                     r->data_as_at, as_at,
                     b->last_import[0] ? " The data was last imported on " : "", b->last_import,
                     b->last_import[0] ? "." : "");
    add_note(r, "", s);
    free(s);
    if (r->sample)
        add_note(r, "",
                 "SAMPLE: this report is made from synthetic sample data. No figure in it "
                 "describes a real child, case or person.");
}

/* --- narrative ---------------------------------------------------------- */

/* Look up the metric of "name" or "name.suffix"; *suffix is "" when none. */
static const struct ap_metric_def *split_placeholder(const char *name, const char **suffix)
{
    char buf[64];
    const char *dot = strchr(name, '.');
    size_t n = dot ? (size_t)(dot - name) : strlen(name);
    *suffix = dot ? dot + 1 : "";
    if (n >= sizeof buf)
        return NULL;
    memcpy(buf, name, n);
    buf[n] = '\0';
    return ap_metric_find(buf);
}

static bool is_revised(const struct build *b, const struct ap_cell *c);

/* A figure in the narrative, marked [r] by the rule of the tables. */
static void add_cell_text(const struct build *b, struct ap_buf *out, struct ap_cell c)
{
    ap_buf_adds(out, c.text);
    if (is_revised(b, &c))
        ap_buf_adds(out, AP_REVISED_SUFFIX);
    cell_free(&c);
}

static bool fill(void *user, const char *name, struct ap_buf *out)
{
    struct build *b = user;
    const struct ap_report *r = b->r;
    char day[32];
    if (!strcmp(name, "period")) {
        ap_buf_adds(out, r->period_label);
    } else if (!strcmp(name, "period_short")) {
        ap_buf_adds(out, b->per[NOW].label);
    } else if (!strcmp(name, "period_noun")) {
        ap_buf_adds(out, b->w.noun);
    } else if (!strcmp(name, "previous_period")) {
        ap_buf_adds(out, b->w.prev);
    } else if (!strcmp(name, "year_earlier_period")) {
        ap_buf_adds(out, b->w.year);
    } else if (!strcmp(name, "changes_since")) {
        char *since = since_words(b);
        ap_buf_adds(out, since);
        free(since);
    } else if (!strcmp(name, "trend_span")) {
        ap_buf_addf(out, "the last eight %s", b->w.rows);
    } else if (!strcmp(name, "period_start")) {
        ap_day_format_long(b->per[NOW].start, day);
        ap_buf_adds(out, day);
    } else if (!strcmp(name, "period_end")) {
        ap_day_format_long(b->per[NOW].end, day);
        ap_buf_adds(out, day);
    } else if (!strcmp(name, "organisation")) {
        /* narrative must still read when the config names no one */
        ap_buf_adds(out, *r->organisation ? r->organisation : "the council");
    } else if (!strcmp(name, "team")) {
        ap_buf_adds(out, *r->team ? r->team : "CSE team");
    } else if (!strcmp(name, "team_start")) {
        if (b->m[NOW].team_start == AP_DAY_NONE) {
            ap_buf_adds(out, "[x]");
        } else {
            ap_day_format_long(b->m[NOW].team_start, day);
            ap_buf_adds(out, day);
        }
    } else if (!strcmp(name, "data_as_at")) {
        ap_buf_adds(out, r->data_as_at);
    } else if (!strcmp(name, "pct_offered_72h")) {
        add_cell_text(b, out,
                      cell_pct(b, metric_fig(b, NOW, AP_M_RETURN_INTERVIEWS_OFFERED_72H),
                               metric_fig(b, NOW, AP_M_MISSING_EPISODES)));
    } else if (!strcmp(name, "pct_completed")) {
        add_cell_text(b, out,
                      cell_pct(b, metric_fig(b, NOW, AP_M_RETURN_INTERVIEWS_COMPLETED),
                               metric_fig(b, NOW, AP_M_MISSING_EPISODES)));
    } else if (!strcmp(name, "public_audit")) {
        /* A restricted report carries the audit of the public one for the
         * same period; a public report is written only once its own audit
         * has cleared it. */
        ap_buf_adds(out, b->twin.line ? b->twin.line
                                      : "None of the hidden figures can be worked out from the "
                                        "rest of the report.");
    } else if (!strcmp(name, "suppress_max")) {
        ap_buf_addf(out, "%d", b->k);
    } else if (!strcmp(name, "title")) {
        ap_buf_adds(out, r->title);
    } else if (!strcmp(name, "subtitle")) {
        ap_buf_adds(out, r->subtitle);
    } else if (!strcmp(name, "marking")) {
        ap_buf_adds(out, r->marking);
    } else {
        const char *suffix;
        const struct ap_metric_def *m = split_placeholder(name, &suffix);
        if (!m)
            return false;
        enum ap_metric_id id = (enum ap_metric_id)(m - ap_metric_defs);
        struct fig now = metric_fig(b, NOW, id);
        if (!*suffix) {
            add_cell_text(b, out, cell_count(b, now));
        } else if (!strcmp(suffix, "prev")) {
            add_cell_text(b, out, cell_count(b, metric_fig(b, PREV, id)));
        } else if (!strcmp(suffix, "year")) {
            add_cell_text(b, out, cell_count(b, metric_fig(b, b->year, id)));
        } else if (!strcmp(suffix, "change")) {
            add_cell_text(b, out, cell_change(b, now, metric_fig(b, PREV, id), false));
        } else if (!strcmp(suffix, "change_year")) {
            add_cell_text(b, out, cell_change(b, now, metric_fig(b, b->year, id), true));
        } else if (!strcmp(suffix, "changes")) {
            ap_buf_adds(out, "by ");
            add_cell_text(b, out, cell_change(b, now, metric_fig(b, PREV, id), false));
            ap_buf_addf(out, " since %s", b->w.prev);
            if (b->two) {
                ap_buf_adds(out, " and by ");
                add_cell_text(b, out, cell_change(b, now, metric_fig(b, b->year, id), true));
                ap_buf_addf(out, " since %s", b->w.year);
            }
        } else if (!strcmp(suffix, "direction")) {
            enum ap_tone tone;
            const char *w = direction(b, id, &tone);
            ap_buf_adds(
                out,
                *w ? w : ap_mark_text(ap_suppress_change(now.mark, metric_fig(b, PREV, id).mark)));
        } else if (!strcmp(suffix, "rate")) {
            struct ap_cell c = cell_rate(b, id);
            if (c.kind == AP_CELL_EMPTY) {
                cell_free(&c);
                c = cell_marker(b->cfg->child_population > 0 ? AP_MARK_Z : AP_MARK_X);
            }
            add_cell_text(b, out, c);
        } else {
            return false;
        }
    }
    return true;
}

static void add_block(struct ap_section *s, enum ap_block_kind kind, char *text, size_t index)
{
    s->blocks = ap_xrealloc(s->blocks, (s->nblocks + 1) * sizeof *s->blocks);
    s->blocks[s->nblocks].kind = kind;
    s->blocks[s->nblocks].text = text;
    s->blocks[s->nblocks].index = index;
    s->nblocks++;
}

static enum ap_status build_sections(struct build *b)
{
    struct ap_report *r = b->r;
    const struct ap_template *t = b->t;
    r->nsections = t->nsections;
    r->sections = ap_xcalloc(t->nsections ? t->nsections : 1, sizeof *r->sections);
    for (size_t i = 0; i < t->nsections; i++) {
        const struct ap_tsection *ts = &t->sections[i];
        struct ap_section *s = &r->sections[i];
        s->id = ap_xstrdup(ts->id);
        s->title = ap_xasprintf("%zu. %s", i + 1, ts->title);
        b->where = s->title;
        for (size_t j = 0; j < ts->nblocks; j++) {
            const struct ap_tblock *tb = &ts->blocks[j];
            switch (tb->kind) {
            case AP_TB_TEXT: {
                struct ap_buf text = AP_BUF_INIT;
                if (ap_template_expand(tb->text, fill, b, &text) != AP_OK) {
                    ap_buf_release(&text);
                    ap_diag_input(b->d, t->path, tb->line, 0,
                                  "cannot fill the placeholders of this text");
                    return AP_ERR_INPUT;
                }
                add_block(s, AP_BLOCK_PARAGRAPH, ap_buf_detach(&text), 0);
                break;
            }
            case AP_TB_HEADLINES:
                add_block(s, AP_BLOCK_HEADLINES, NULL, 0);
                break;
            case AP_TB_TABLE:
                build_table(b, tb->table);
                b->where = s->title;
                add_block(s, AP_BLOCK_TABLE, NULL, (size_t)b->table_of[tb->table]);
                break;
            case AP_TB_CHART:
                build_table(b, AP_TBL_TREND);
                b->where = s->title;
                if (b->chart < 0)
                    build_chart(b);
                add_block(s, AP_BLOCK_CHART, NULL, (size_t)b->chart);
                break;
            case AP_TB_NOTES:
                for (size_t n = 0; n < r->nnotes; n++) {
                    const struct ap_note *note = &r->notes[n];
                    add_block(s, AP_BLOCK_PARAGRAPH,
                              *note->marker ? ap_xasprintf("%s %s", note->marker, note->text)
                                            : ap_xstrdup(note->text),
                              0);
                }
                b->notes_sec = i;
                b->notes_end = s->nblocks;
                b->notes_placed = true;
                break;
            }
        }
    }
    return AP_OK;
}

/* --- title block -------------------------------------------------------- */

static char *period_label(const struct ap_period *p)
{
    char a[32], z[32];
    ap_day_format_long(p->start, a);
    ap_day_format_long(p->end, z);
    if (p->kind == AP_PERIOD_MONTH || p->start == p->end)
        return ap_xstrdup(p->label);
    if (p->kind == AP_PERIOD_RANGE)
        return ap_xasprintf("%s to %s", a, z);
    int y1, m1, d1, y2, m2, d2;
    ap_day_to_ymd(p->start, &y1, &m1, &d1);
    ap_day_to_ymd(p->end, &y2, &m2, &d2);
    if (y1 == y2) {
        char *sp = strrchr(a, ' ');
        if (sp)
            *sp = '\0';
    }
    return ap_xasprintf("%s (%s to %s)", p->label, a, z);
}

static enum ap_status created_time(int64_t *out, struct ap_diag *d)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (!s || !*s) {
        *out = (int64_t)time(NULL);
        return AP_OK;
    }
    long v;
    if (!ap_parse_long(s, 0, 253402300799L, &v)) {
        ap_diag_input(d, NULL, 0, 0,
                      "SOURCE_DATE_EPOCH '%s' is not a whole number of seconds since 1970", s);
        return AP_ERR_INPUT;
    }
    *out = v;
    return AP_OK;
}

static void build_title(struct build *b, const struct ap_period *p, ap_day as_at)
{
    struct ap_report *r = b->r;
    const struct ap_template *t = b->t;
    const struct ap_config *cfg = b->cfg;
    r->title = ap_xstrdup(t->title);
    r->sample = cfg->sample;
    if (cfg->sample) {
        r->subtitle = *t->subtitle
                          ? ap_xasprintf("%s (sample report made from synthetic data)", t->subtitle)
                          : ap_xstrdup("Sample report made from synthetic data");
        r->marking = ap_xasprintf("SAMPLE DATA - %s", t->marking);
    } else {
        r->subtitle = ap_xstrdup(t->subtitle);
        r->marking = ap_xstrdup(t->marking);
    }
    r->organisation = ap_xstrdup(cfg->organisation ? cfg->organisation : "");
    r->team = ap_xstrdup(cfg->team ? cfg->team : "");
    r->period_label = period_label(p);
    if (p->code[0]) {
        r->period_code = ap_xstrdup(p->code);
    } else {
        char a[11], z[11];
        ap_day_format(p->start, a);
        ap_day_format(p->end, z);
        r->period_code = ap_xasprintf("%s_%s", a, z);
    }
    if (as_at == AP_DAY_NONE) {
        r->data_as_at = ap_xstrdup("[x]");
    } else {
        char buf[32];
        ap_day_format_long(as_at, buf);
        r->data_as_at = ap_xstrdup(buf);
    }
    r->period_kind = ap_xstrdup(b->w.kind);
    /* Short labels for the headline cards; a range says which window. */
    switch (p->kind) {
    case AP_PERIOD_QUARTER:
    case AP_PERIOD_MONTH:
        r->change_prev_label = ap_xasprintf("Since last %s", b->w.noun);
        r->change_year_label = ap_xstrdup("Since a year ago");
        break;
    case AP_PERIOD_YEAR:
    case AP_PERIOD_RANGE:
        r->change_prev_label = ap_xasprintf("Since %s", b->w.prev);
        r->change_year_label = ap_xasprintf("Since %s", b->w.year);
        break;
    }
    if (!b->two) {
        free(r->change_year_label);
        r->change_year_label = ap_xstrdup("");
    }
    r->audience = ap_xstrdup(t->public_ ? "public" : "restricted");
    r->template_name = ap_xstrdup(t->name);
    r->author = ap_xstrdup(*r->organisation ? r->organisation : "actionplan");
    r->subject = *r->subtitle ? ap_xasprintf("%s: %s", r->subtitle, r->period_label)
                              : ap_xstrdup(r->period_label);
    r->keywords =
        ap_xasprintf("child sexual exploitation, CSE action plan, progress report, %s", p->label);
    r->contact = ap_xstrdup(cfg->contact ? cfg->contact : "");
    r->logo = ap_xstrdup(cfg->logo);
    r->font = ap_xstrdup(cfg->font);
    r->font_bold = ap_xstrdup(cfg->font_bold);
    r->suppressed = b->on;
    r->suppress_max = b->k;
}

/* --- revisions ----------------------------------------------------------- */

static int prior_cmp(const void *x, const void *y)
{
    return strcmp(((const struct prior *)x)->key, ((const struct prior *)y)->key);
}

static void priors_free(struct build *b)
{
    for (size_t i = 0; i < b->npriors; i++) {
        free(b->priors[i].key);
        free(b->priors[i].shown);
    }
    free(b->priors);
    b->priors = NULL;
    b->npriors = 0;
}

/* The figures of the latest published report of this template that showed
 * each key (schema version 2's published_figures); none on an older
 * database or before the first publication. */
static enum ap_status load_priors(struct build *b, sqlite3 *db)
{
    static const char has_sql[] =
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'published_figures'";
    static const char sql[] =
        "SELECT f.figure_key, f.shown, f.value, p.published_at"
        " FROM published_figures f JOIN publications p ON p.publication_id = f.publication_id"
        " WHERE p.template = ?1 AND f.figure_key IS NOT NULL"
        " ORDER BY f.figure_key, p.published_at, p.publication_id";
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    char latest[32] = "";
    if (!ap_db_prepare(db, has_sql, &st, b->d))
        return AP_ERR_IO;
    int step = sqlite3_step(st);
    bool has = step == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    if (step != SQLITE_ROW)
        return ap_db_error(db, b->d, "cannot read the record of published reports");
    if (!has)
        return AP_OK;
    if (!ap_db_prepare(db, sql, &st, b->d))
        return AP_ERR_IO;
    if (sqlite3_bind_text(st, 1, b->t->name, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
        sqlite3_finalize(st);
        return ap_db_error(db, b->d, "cannot read the record of published reports");
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        const char *shown = (const char *)sqlite3_column_text(st, 1);
        const char *at = (const char *)sqlite3_column_text(st, 3);
        if (!key || !shown)
            continue;
        if (at && strcmp(at, latest) > 0)
            snprintf(latest, sizeof latest, "%s", at);
        struct prior *p;
        if (b->npriors > 0 && !strcmp(b->priors[b->npriors - 1].key, key)) {
            p = &b->priors[b->npriors - 1]; /* a later publication: it wins */
            free(p->shown);
        } else {
            if (b->npriors == cap) {
                cap = cap ? cap * 2 : 256;
                b->priors = ap_xrealloc(b->priors, cap * sizeof *b->priors);
            }
            p = &b->priors[b->npriors++];
            p->key = ap_xstrdup(key);
        }
        p->shown = ap_xstrdup(shown);
        p->has_value = sqlite3_column_type(st, 2) != SQLITE_NULL;
        p->value = p->has_value ? sqlite3_column_double(st, 2) : 0.0;
    }
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return ap_db_error(db, b->d, "cannot read the record of published reports");
    /* ORDER BY sorts by SQLite's collation (memcmp), which is strcmp's order */
    ap_day day;
    const char *why = NULL;
    if (strlen(latest) >= 10 && ap_date_parse(latest, 10, &day, &why))
        ap_day_format_long(day, b->prior_at);
    return AP_OK;
}

static const struct prior *find_prior(const struct build *b, const char *key)
{
    struct prior probe = {.key = (char *)(uintptr_t)key};
    return b->npriors ? bsearch(&probe, b->priors, b->npriors, sizeof *b->priors, prior_cmp) : NULL;
}

/* A %XX-escaped key part back to its bytes; caller owns. */
static char *key_unescape(const char *s, size_t n)
{
    struct ap_buf out = AP_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        unsigned hi, lo;
        if (s[i] == '%' && i + 2 < n && sscanf(s + i + 1, "%1x%1x", &hi, &lo) == 2) {
            ap_buf_addch(&out, (char)(hi * 16 + lo));
            i += 2;
        } else {
            ap_buf_addch(&out, s[i]);
        }
    }
    return ap_buf_detach(&out);
}

/* The period and the measure a figure key names, in words, for the table of
 * revisions: "2016/17 Q3" and "Active cases at the end of the period". */
static void describe_key(const struct build *b, const char *key, char **period, char **measure)
{
    const char *bar1 = strchr(key, '|');
    const char *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
    const char *bar3 = bar2 ? strchr(bar2 + 1, '|') : NULL;
    if (!bar3) {
        *period = ap_xstrdup("");
        *measure = ap_xstrdup(key);
        return;
    }
    /* the period: one of the trend's, else its dates */
    ap_day start = AP_DAY_NONE, end = AP_DAY_NONE;
    const char *why = NULL;
    *period = NULL;
    if (ap_date_parse(bar1 + 1, (size_t)(bar2 - bar1 - 1), &start, &why) &&
        ap_date_parse(bar2 + 1, (size_t)(bar3 - bar2 - 1), &end, &why)) {
        for (int q = 0; q < b->nper && !*period; q++)
            if (b->per[q].start == start && b->per[q].end == end)
                *period = ap_xstrdup(b->per[q].label);
        if (!*period) {
            char a[32], z[32];
            ap_day_format_long(start, a);
            ap_day_format_long(end, z);
            *period = ap_xasprintf("%s to %s", a, z);
        }
    } else {
        *period = ap_xstrndup(bar1 + 1, (size_t)(bar3 - bar1 - 1));
    }
    /* the measure: the metric's label, its category, and the kind of figure */
    struct ap_buf m = AP_BUF_INIT;
    const char *dot = memchr(key, '.', (size_t)(bar1 - key));
    char *metric = ap_xstrndup(key, (size_t)((dot ? dot : bar1) - key));
    char *cat = dot ? key_unescape(dot + 1, (size_t)(bar1 - dot - 1)) : NULL;
    const struct ap_metric_def *def = ap_metric_find(metric);
    if (!strcmp(metric, "check") && cat)
        ap_buf_addf(&m, "Data check: %s", cat);
    else if (def && cat)
        ap_buf_addf(&m, "%s: %s", def->label,
                    key_label(def->breakdown >= 0 ? def->breakdown : -1, cat));
    else
        ap_buf_adds(&m, def ? def->label : metric);
    const char *kind = bar3 + 1;
    if (!strcmp(kind, "percent"))
        ap_buf_adds(&m, " (percentage)");
    else if (!strcmp(kind, "change_prev"))
        ap_buf_addf(&m, " (change since %s)", b->w.prev); /* a change the report shows: its own */
    else if (!strcmp(kind, "change_year"))
        ap_buf_addf(&m, " (change since %s)", b->w.year);
    else if (!strcmp(kind, "rate"))
        ap_buf_adds(&m, " (per 10,000 children)");
    *measure = ap_buf_detach(&m);
    free(metric);
    free(cat);
}

/* One row of the table of revisions, before it is laid out. */
struct revision {
    const char *key;   /* borrowed from the cell */
    const char *start; /* borrowed: the key's first day, to sort by */
    char *label;       /* a data check's row heading (owned), or NULL */
    size_t order;
    struct ap_cell published, now;
};

static int revision_cmp(const void *x, const void *y)
{
    const struct revision *a = x, *b = y;
    int c = strcmp(a->start, b->start);
    return c ? c : (a->order > b->order) - (a->order < b->order);
}

struct revisions {
    struct revision *v;
    size_t n, cap;
};

static bool is_c(const char *text)
{
    return !strcmp(text, "[c]");
}

/* Compare one keyed cell with the latest published figure of its key.
 * Suppression first: a figure hidden in either report is listed with both
 * sides as [c] whether or not it changed, and is never marked [r], so that
 * neither its listing nor its mark tells the reader anything about it. A
 * figure shown in both is revised when the text shown differs. */
static void compare_cell(struct build *b, struct ap_cell *c, const char *label,
                         struct revisions *rv)
{
    if (!c->key || c->revised)
        return;
    const struct prior *p = find_prior(b, c->key);
    if (!p)
        return;
    for (size_t i = 0; i < rv->n; i++)
        if (!strcmp(rv->v[i].key, c->key)) {
            if (rv->v[i].now.kind == AP_CELL_NUMBER && rv->v[i].published.kind == AP_CELL_NUMBER)
                goto mark; /* listed already: mark this place as well */
            return;
        }
    bool now_c = c->kind == AP_CELL_MARKER && is_c(c->text), was_c = is_c(p->shown);
    if (now_c && was_c)
        return; /* nothing is said about a figure hidden in both */
    if (!now_c && !was_c && !strcmp(c->text, p->shown)) {
        if (c->kind == AP_CELL_NUMBER && strstr(c->key, "|count") && p->has_value) {
            if (b->nsame == b->asame) {
                b->asame = b->asame ? b->asame * 2 : 128;
                b->same = ap_xrealloc(b->same, b->asame * sizeof *b->same);
            }
            b->same[b->nsame++] = (struct same){ap_xstrdup(c->key), p->value};
        }
        return; /* unchanged */
    }
    if (rv->n == rv->cap) {
        rv->cap = rv->cap ? rv->cap * 2 : 16;
        rv->v = ap_xrealloc(rv->v, rv->cap * sizeof *rv->v);
    }
    struct revision *r = &rv->v[rv->n];
    r->key = c->key;
    r->start = strchr(c->key, '|') + 1;
    r->order = rv->n++;
    r->label = label && !strncmp(c->key, "check.", 6) ? ap_xstrdup(label) : NULL;
    if (now_c || was_c) {
        r->published = cell_marker(AP_MARK_C);
        r->now = cell_marker(AP_MARK_C);
        return;
    }
    r->now = cell_copy(c);
    free(r->now.key);
    r->now.key = NULL;
    r->now.tone = AP_TONE_NONE;
    if (p->has_value && c->kind == AP_CELL_NUMBER) {
        r->published = (struct ap_cell){
            .kind = AP_CELL_NUMBER, .fmt = c->fmt, .value = p->value, .text = ap_xstrdup(p->shown)};
    } else {
        r->published = cell_text(p->shown);
        r->published.kind = p->shown[0] == '[' ? AP_CELL_MARKER : AP_CELL_TEXT;
    }
mark:
    if (c->kind == AP_CELL_MARKER && !strcmp(c->text, "[c]"))
        return;
    char *t = ap_xasprintf("%s%s", c->text, AP_REVISED_SUFFIX);
    free(c->text);
    c->text = t;
    c->revised = true;
}

/* Shown in both reports, and shown differently (see compare_cell). */
static bool is_revised(const struct build *b, const struct ap_cell *c)
{
    const struct prior *p = c->key ? find_prior(b, c->key) : NULL;
    return p && !is_c(c->text) && !is_c(p->shown) && strcmp(c->text, p->shown) != 0;
}

static void add_block_at(struct ap_section *s, size_t at, char *text)
{
    s->blocks = ap_xrealloc(s->blocks, (s->nblocks + 1) * sizeof *s->blocks);
    memmove(&s->blocks[at + 1], &s->blocks[at], (s->nblocks - at) * sizeof *s->blocks);
    s->blocks[at] = (struct ap_block){.kind = AP_BLOCK_PARAGRAPH, .text = text};
    s->nblocks++;
}

/* Compare every figure of the model just built with the published ones; mark
 * the revised ones, and add the table of revisions (its own last section) and
 * the note that explains [r]. */
static void build_revisions(struct build *b)
{
    struct ap_report *r = b->r;
    struct revisions rv = {0};
    for (size_t i = 0; i < b->nsame; i++)
        free(b->same[i].key);
    b->nsame = 0;
    if (!b->npriors)
        return;
    for (size_t h = 0; h < r->nheadlines; h++) {
        compare_cell(b, &r->headlines[h].value, NULL, &rv);
        compare_cell(b, &r->headlines[h].change_prev, NULL, &rv);
        compare_cell(b, &r->headlines[h].change_year, NULL, &rv);
        compare_cell(b, &r->headlines[h].rate, NULL, &rv);
    }
    for (size_t t = 0; t < r->ntables; t++)
        for (size_t i = 0; i < r->tables[t].nrows * r->tables[t].ncols; i++)
            compare_cell(b, &r->tables[t].cells[i],
                         r->tables[t].cells[i - i % r->tables[t].ncols].text, &rv);
    if (!rv.n)
        return;
    qsort(rv.v, rv.n, sizeof *rv.v, revision_cmp);

    char *note = ap_xasprintf(
        "Revised: the figure is not the one in the latest published report that showed it%s%s%s. "
        "Figures for past %ss change when records are corrected or entered late. The table "
        "'Revisions since the last published report' lists each one, with the figure published "
        "and the figure now.%s",
        b->prior_at[0] ? " (the latest report was published on " : "", b->prior_at,
        b->prior_at[0] ? ")" : "", period_word(b),
        b->on ? " Where a figure is hidden ([c]) in either report, it is listed with both figures "
                "as [c] whether or not it changed, and not marked [r], so that no hidden figure "
                "can be worked out from the revisions."
              : "");
    add_note(r, "[r]", note);
    if (b->notes_placed)
        add_block_at(&r->sections[b->notes_sec], b->notes_end, ap_xasprintf("[r] %s", note));
    free(note);

    /* The table, in a section of its own at the end. */
    r->tables = ap_xrealloc(r->tables, (r->ntables + 1) * sizeof *r->tables);
    struct ap_table *t = &r->tables[r->ntables++];
    memset(t, 0, sizeof *t);
    t->id = ap_xstrdup("revisions");
    t->title = ap_xasprintf("Table %zu: Revisions since the last published report", r->ntables);
    t->description = ap_xasprintf(
        "Figures that differ from the latest published report that showed them, by %s: the "
        "figure published then and the figure now.",
        period_word(b));
    t->ncols = 4;
    t->cols = ap_xcalloc(4, sizeof *t->cols);
    set_col(t, 0, b->per[NOW].quarter ? "Quarter" : "Period", false, 22);
    set_col(t, 1, "Measure", false, 44);
    set_col(t, 2, "Published", true, 12);
    set_col(t, 3, "Now", true, 12);
    for (size_t i = 0; i < rv.n; i++) {
        char *period, *measure;
        describe_key(b, rv.v[i].key, &period, &measure);
        if (rv.v[i].label) {
            free(measure); /* a data check is named by its row */
            measure = ap_xasprintf("Data check: %s", rv.v[i].label);
            free(rv.v[i].label);
        }
        struct ap_cell row[4] = {cell_text(period), cell_text(measure), rv.v[i].published,
                                 rv.v[i].now};
        free(period);
        free(measure);
        add_row(t, row);
    }
    free(rv.v);
    r->sections = ap_xrealloc(r->sections, (r->nsections + 1) * sizeof *r->sections);
    struct ap_section *s = &r->sections[r->nsections++];
    memset(s, 0, sizeof *s);
    s->id = ap_xstrdup("revisions");
    s->title = ap_xasprintf("%zu. Revisions since the last published report", r->nsections);
    char *intro = ap_xasprintf(
        "Some figures for earlier %ss are not the ones published before: records were corrected "
        "or entered late. They are marked [r] where they appear in this report.",
        period_word(b));
    add_block(s, AP_BLOCK_PARAGRAPH, intro, 0);
    add_block(s, AP_BLOCK_TABLE, NULL, r->ntables - 1);
}

/* --- the disclosure audit ------------------------------------------------ */

/* The audit's variable for count f: the published one, or else one the
 * reader does not see (at least 0). */
static size_t fig_var(const struct build *b, struct ap_audit *a, const struct fig *f)
{
    char *key = fig_key(b, f, PUB_COUNT);
    size_t v = ap_audit_var(a, key, (double)f->v, AP_AV_UNSEEN, HUGE_VAL, false, NULL);
    free(key);
    return v;
}

static size_t mvar(const struct build *b, struct ap_audit *a, int q, enum ap_metric_id id)
{
    struct fig f = {.v = b->m[q].value[id], .metric = (int)id, .cat = -1, .q = q};
    return fig_var(b, a, &f);
}

/* lo <= c1*v1 + c2*v2 + c3*v3 + c4*v4 <= hi; a zero coefficient is no term. */
static void rel4(struct ap_audit *a, double lo, double hi, const char *what, size_t v1, double c1,
                 size_t v2, double c2, size_t v3, double c3, size_t v4, double c4)
{
    ap_audit_rel(a, lo, hi, what);
    const size_t v[4] = {v1, v2, v3, v4};
    const double c[4] = {c1, c2, c3, c4};
    for (int i = 0; i < 4; i++)
        if (c[i] != 0)
            ap_audit_term(a, v[i], c[i]);
}

/* The relations that hold between the metrics by their definitions (SPEC.md
 * "Metric definitions"), for every quarter of the trend. Each is exact for
 * any database the import accepts (a child's cases never overlap, no case
 * closes before it opens); ap_audit_check_truth proves it on the figures. */
static void metric_relations(const struct build *b, struct ap_audit *a)
{
    char what[200];
    const double inf = HUGE_VAL;
    for (int q = 0; q < b->nper; q++) {
        const char *ql = b->per[q].label;
        size_t cs = mvar(b, a, q, AP_M_CHILDREN_SUPPORTED);
        size_t ac = mvar(b, a, q, AP_M_ACTIVE_CASES);
        size_t cc = mvar(b, a, q, AP_M_CHILDREN_CLOSED);
        size_t cp = mvar(b, a, q, AP_M_CHILDREN_PROTECTED);
        size_t csp = mvar(b, a, q, AP_M_CHILDREN_SUPPORTED_IN_PERIOD);
        size_t nc = mvar(b, a, q, AP_M_NEW_CASES);
        size_t xc = mvar(b, a, q, AP_M_CLOSED_CASES);
        size_t ep = mvar(b, a, q, AP_M_MISSING_EPISODES);
        size_t of = mvar(b, a, q, AP_M_RETURN_INTERVIEWS_OFFERED_72H);
        size_t co = mvar(b, a, q, AP_M_RETURN_INTERVIEWS_COMPLETED);
        /* a child has at most one open case, so children with an open case
         * are the active cases */
        snprintf(what, sizeof what, "children whose support ended = supported - active cases, %s",
                 ql);
        rel4(a, 0, 0, what, cc, 1, cs, -1, ac, 1, 0, 0);
        snprintf(what, sizeof what, "children protected <= children whose support ended, %s", ql);
        rel4(a, 0, inf, what, cc, 1, cp, -1, 0, 0, 0, 0);
        snprintf(what, sizeof what, "active cases <= children supported in the period, %s", ql);
        rel4(a, 0, inf, what, csp, 1, ac, -1, 0, 0, 0, 0);
        snprintf(what, sizeof what, "children supported in the period <= since the start, %s", ql);
        rel4(a, 0, inf, what, cs, 1, csp, -1, 0, 0, 0, 0);
        snprintf(what, sizeof what, "return interviews offered <= missing episodes, %s", ql);
        rel4(a, 0, inf, what, ep, 1, of, -1, 0, 0, 0, 0);
        snprintf(what, sizeof what, "return interviews completed <= missing episodes, %s", ql);
        rel4(a, 0, inf, what, ep, 1, co, -1, 0, 0, 0, 0);
        if (q == 0 || b->per[q].start != b->per[q - 1].end + 1)
            continue; /* the rest link a period to the one just before it */
        const char *pl = b->per[q - 1].label;
        size_t ac0 = mvar(b, a, q - 1, AP_M_ACTIVE_CASES);
        size_t cs0 = mvar(b, a, q - 1, AP_M_CHILDREN_SUPPORTED);
        size_t pd = mvar(b, a, q, AP_M_PERPETRATORS_DEALT_WITH);
        size_t pd0 = mvar(b, a, q - 1, AP_M_PERPETRATORS_DEALT_WITH);
        snprintf(what, sizeof what,
                 "active cases at the end of %s = at the end of %s + new cases - closed cases", ql,
                 pl);
        rel4(a, 0, 0, what, ac, 1, ac0, -1, nc, -1, xc, 1);
        snprintf(what, sizeof what,
                 "children supported since the start never fall, and grow by at most the new "
                 "cases, %s",
                 ql);
        rel4(a, 0, inf, what, nc, 1, cs, -1, cs0, 1, 0, 0);
        rel4(a, 0, inf, what, cs, 1, cs0, -1, 0, 0, 0, 0);
        snprintf(what, sizeof what,
                 "children supported in %s include every case open at the end of %s and every "
                 "child new in it, and no one else",
                 ql, pl);
        rel4(a, 0, inf, what, csp, 1, ac0, -1, 0, 0, 0, 0);
        rel4(a, 0, inf, what, ac0, 1, nc, 1, csp, -1, 0, 0);
        rel4(a, 0, inf, what, csp, 1, cs, -1, cs0, 1, 0, 0);
        snprintf(what, sizeof what, "perpetrators dealt with never fall, %s", ql);
        rel4(a, 0, inf, what, pd, 1, pd0, -1, 0, 0, 0, 0);
    }
    /* Breakdowns shown for the report's period add up to their total. */
    for (size_t i = 0; i < AP_ARRAY_LEN(breakdowns); i++) {
        if (b->table_of[breakdowns[i].kind] < 0)
            continue;
        enum ap_metric_id id = breakdowns[i].metric;
        const struct ap_breakdown *bd = &b->m[NOW].breakdown[id];
        int whole = breakdown_whole(id);
        struct fig tot = {.v = b->m[NOW].value[whole >= 0 ? whole : (int)id],
                          .metric = whole >= 0 ? whole : (int)id,
                          .cat = -1,
                          .q = NOW};
        size_t tv = fig_var(b, a, &tot);
        snprintf(what, sizeof what, "%s add up to their total, %s", ap_metric_defs[id].label,
                 b->per[NOW].label);
        ap_audit_rel(a, 0, 0, what);
        ap_audit_term(a, tv, -1);
        for (size_t c = 0; c < bd->n; c++) {
            struct fig f = {.v = bd->counts[c], .metric = (int)id, .cat = (int)c, .q = NOW};
            ap_audit_term(a, fig_var(b, a, &f), 1);
        }
    }
}

/* The published figures as the reader sees them, then every relation among
 * them: the metric definitions, and each shown percentage, change and rate. */
static void audit_problem(const struct build *b, struct ap_audit *a)
{
    for (size_t i = 0; i < b->npubs; i++) {
        const struct pub *p = &b->pubs[i];
        if (p->kind != PUB_COUNT)
            continue;
        char *key = fig_key(b, &p->a, PUB_COUNT);
        bool hidden = p->a.mark == AP_MARK_C;
        ap_audit_var(a, key, (double)p->a.v, hidden ? AP_AV_HIDDEN : AP_AV_SHOWN,
                     hidden && p->a.why == WHY_PRIMARY ? (double)b->k : HUGE_VAL,
                     p->a.small && p->a.mark == AP_MARK_NONE, p->where);
        free(key);
    }
    metric_relations(b, a);
    char what[200];
    for (size_t i = 0; i < b->npubs; i++) {
        const struct pub *p = &b->pubs[i];
        char *key = fig_key(b, &p->a, p->kind);
        snprintf(what, sizeof what, "%s (%s)", key, p->where);
        switch (p->kind) {
        case PUB_COUNT:
            break;
        case PUB_PERCENT:
            /* the workbook stores the fraction in full: num = p * den */
            if (p->shown)
                rel4(a, -1e-7, 1e-7, what, fig_var(b, a, &p->a), 1, fig_var(b, a, &p->b), -p->value,
                     0, 0, 0, 0);
            break;
        case PUB_CHANGE_PREV:
        case PUB_CHANGE_YEAR:
            if (p->a.mark == AP_MARK_Z || p->b.mark == AP_MARK_Z || p->a.mark == AP_MARK_X ||
                p->b.mark == AP_MARK_X)
                break;
            if (p->shown) {
                rel4(a, p->value, p->value, what, fig_var(b, a, &p->a), 1, fig_var(b, a, &p->b), -1,
                     0, 0, 0, 0);
            }
            /* A change between two hidden counts is hidden too, but it is not
             * itself protected: knowing that two hidden counts are equal (no
             * new cases, so no more children) gives neither of them away. */
            break;
        case PUB_RATE:
            if (p->shown) {
                double per = 10000.0 / (double)b->cfg->child_population;
                rel4(a, p->value - 1e-7, p->value + 1e-7, what, fig_var(b, a, &p->a), per, 0, 0, 0,
                     0, 0, 0);
            }
            break;
        }
        free(key);
    }
    /* Revisions: a count shown again without [r] is known to equal the
     * figure published before, a value of the earlier data. Hidden figures
     * are never said to be unchanged (build_revisions), so this relation only
     * ever fixes a shown count; it is here so that a rule that said more would
     * be caught by the audit. */
    for (size_t i = 0; i < b->nsame; i++) {
        size_t v = ap_audit_find(a, b->same[i].key);
        if (v == SIZE_MAX)
            continue;
        snprintf(what, sizeof what, "%s: as published before", b->same[i].key);
        rel4(a, b->same[i].value, b->same[i].value, what, v, 1, 0, 0, 0, 0, 0, 0);
    }
}

/* Count what is hidden in the model just built (distinct counts by reason). */
static void count_hidden(const struct build *b, const struct ap_audit *a, struct ap_disclosure *ds)
{
    enum fig_why *why = ap_xcalloc(a->nvars ? a->nvars : 1, sizeof *why);
    for (size_t i = 0; i < b->npubs; i++) {
        const struct pub *p = &b->pubs[i];
        if (p->kind != PUB_COUNT || p->a.mark != AP_MARK_C)
            continue;
        char *key = fig_key(b, &p->a, PUB_COUNT);
        size_t v = ap_audit_find(a, key);
        free(key);
        if (v != SIZE_MAX && (why[v] == WHY_SHOWN || p->a.why < why[v]))
            why[v] = p->a.why;
    }
    ds->primary = ds->secondary = ds->audit = 0;
    for (size_t v = 0; v < a->nvars; v++) {
        ds->primary += why[v] == WHY_PRIMARY;
        ds->secondary += why[v] == WHY_SECONDARY || why[v] == WHY_AUDIT;
        ds->audit += why[v] == WHY_AUDIT;
    }
    free(why);
    ds->cells = 0;
    const struct ap_report *r = b->r;
    for (size_t t = 0; t < r->ntables; t++)
        for (size_t c = 0; c < r->tables[t].nrows * r->tables[t].ncols; c++)
            ds->cells += r->tables[t].cells[c].kind == AP_CELL_MARKER &&
                         !strcmp(r->tables[t].cells[c].text, "[c]");
}

/* One round: audit the model just built. *done when nothing is pinned;
 * otherwise one more count is added to b->extra. */
static enum ap_status audit_round(struct build *b, bool *done, struct ap_disclosure *ds)
{
    struct ap_audit a;
    struct ap_audit_pin pin;
    ap_audit_init(&a);
    audit_problem(b, &a);
    enum ap_status rc = ap_audit_check_truth(&a, 1e-6, b->d);
    if (rc == AP_OK)
        rc = ap_audit_find_pinned(&a, &pin, b->d);
    ds->solves += a.nsolves;
    if (rc != AP_OK)
        goto done;
    *done = !pin.found;
    if (*done) {
        count_hidden(b, &a, ds);
        goto done;
    }
    size_t v;
    if ((rc = ap_audit_choose(&a, &pin, &v, b->d)) != AP_OK)
        goto done;
    const char *key = pin.is_obj ? a.objs[pin.index].key : a.vars[pin.index].key;
    const char *where = pin.is_obj ? a.objs[pin.index].where : a.vars[pin.index].where;
    if (v == SIZE_MAX) {
        ap_diag_error(b->d, AP_ERR_INPUT,
                      "cannot protect the table '%s': its hidden figure %s could be worked out "
                      "from the rest of the report (it is %g), and no figure linked to it can be "
                      "hidden; the figures for this period are too few to publish, so the report "
                      "is not written",
                      where, key, pin.lo);
        rc = AP_ERR_INPUT;
        goto done;
    }
    if (getenv("AP_AUDIT_DEBUG"))
        fprintf(stderr, "audit: %s in [%g, %g] -> hide %s\n", key, pin.lo, pin.hi, a.vars[v].key);
    b->extra = ap_xrealloc(b->extra, (b->nextra + 1) * sizeof *b->extra);
    b->extra[b->nextra++] = ap_xstrdup(a.vars[v].key);
done:
    ap_audit_free(&a);
    return rc;
}

/* Build the model from the figures (b->m, plan, findings) into b->r. */
static enum ap_status build_model(struct build *b, const struct ap_period *p, ap_day as_at)
{
    memset(b->r, 0, sizeof *b->r);
    b->r->created = b->created;
    for (int i = 0; i < AP_TBL_COUNT; i++)
        b->table_of[i] = -1;
    b->chart = -1;
    b->npubs = 0;
    b->where = "";
    b->notes_placed = false;
    build_title(b, p, as_at);
    build_headlines(b);
    build_notes(b);
    enum ap_status rc = build_sections(b);
    if (rc == AP_OK)
        build_revisions(b);
    return rc;
}

#define AUDIT_MAX_ROUNDS 500

/* Build the model and, for a public template, audit it and hide more until
 * no hidden figure can be worked out. On success r->disclosure says what. */
static enum ap_status build_audited(struct build *b, const struct ap_period *p, ap_day as_at)
{
    struct ap_disclosure ds = {0};
    clock_t t0 = clock();
    enum ap_status rc = build_model(b, p, as_at);
    while (rc == AP_OK && b->on) {
        bool done = false;
        if ((rc = audit_round(b, &done, &ds)) != AP_OK || done)
            break;
        if (++ds.rounds > AUDIT_MAX_ROUNDS) {
            ap_diag_error(b->d, AP_ERR_IO,
                          "internal error: the disclosure audit did not settle after %d rounds; "
                          "the report is not written",
                          AUDIT_MAX_ROUNDS);
            rc = AP_ERR_IO;
            break;
        }
        ap_report_free(b->r);
        rc = build_model(b, p, as_at);
    }
    if (rc != AP_OK)
        return rc;
    if (getenv("AP_AUDIT_DEBUG"))
        fprintf(stderr, "audit: %s: %zu rounds, %lu linear programs, %.3f s of CPU\n", b->t->name,
                ds.rounds, ds.solves, (double)(clock() - t0) / CLOCKS_PER_SEC);
    if (b->on) {
        ds.audited = true;
        ds.line = ap_xasprintf(
            "%s: %zu figure%s hidden (%zu small count%s, %zu to protect them), shown as [c] in "
            "%zu place%s; none can be worked out from the rest of the report",
            b->t->name, ds.primary + ds.secondary, ds.primary + ds.secondary == 1 ? "" : "s",
            ds.primary, ds.primary == 1 ? "" : "s", ds.secondary, ds.cells,
            ds.cells == 1 ? "" : "s");
    } else {
        ds = b->twin;
        ds.line = b->twin.line ? ap_xstrdup(b->twin.line) : NULL;
    }
    b->r->disclosure = ds;
    return AP_OK;
}

static void build_release(struct build *b)
{
    free(b->pubs);
    b->pubs = NULL;
    b->npubs = b->apubs = 0;
    for (size_t i = 0; i < b->nextra; i++)
        free(b->extra[i]);
    free(b->extra);
    b->extra = NULL;
    b->nextra = 0;
    for (size_t i = 0; i < b->nsame; i++)
        free(b->same[i].key);
    free(b->same);
    b->same = NULL;
    b->nsame = b->asame = 0;
}

/* A restricted report says what the public template (cabinet) hides for
 * the same period: build that model too, from the same figures, and keep its
 * audit's line. */
static void public_twin(struct build *b, const struct ap_period *p, ap_day as_at)
{
    char *path = NULL;
    struct ap_template tt;
    struct ap_diag td;
    ap_diag_init(&td);
    if (ap_template_find("cabinet", &path, &td) != AP_OK ||
        ap_template_load(path, &tt, &td) != AP_OK) {
        free(path);
        b->twin.line = ap_xstrdup("The public (cabinet) template could not be read, so what it "
                                  "would hide was not checked.");
        return;
    }
    struct ap_report tmp;
    memset(&tmp, 0, sizeof tmp);
    struct build b2 = *b;
    b2.r = &tmp;
    b2.t = &tt;
    b2.d = &td;
    b2.on = tt.suppress;
    b2.k = tt.suppress_max;
    b2.pubs = NULL;
    b2.npubs = b2.apubs = 0;
    b2.extra = NULL;
    b2.nextra = 0;
    b2.same = NULL;
    b2.nsame = b2.asame = 0;
    b2.priors = NULL; /* the twin is only counted: no revisions */
    b2.npriors = 0;
    memset(&b2.twin, 0, sizeof b2.twin);
    if (build_audited(&b2, p, as_at) == AP_OK) {
        b->twin = tmp.disclosure;
        const struct ap_disclosure *t = &tmp.disclosure;
        size_t n = t->primary + t->secondary;
        b->twin.line = ap_xasprintf(
            "The public report (%s) for the same period hides %zu figure%s (%zu small count%s, %zu "
            "to protect them), shown as [c] in %zu place%s; it was checked as a whole, and none of "
            "its hidden figures can be worked out from the rest of it.",
            tt.name, n, n == 1 ? "" : "s", t->primary, t->primary == 1 ? "" : "s", t->secondary,
            t->cells, t->cells == 1 ? "" : "s");
    } else {
        b->twin.line = ap_xasprintf("The public report (%s) for the same period cannot be "
                                    "protected against a reader who works out hidden figures; "
                                    "it is not written until that is fixed.",
                                    tt.name);
    }
    ap_report_free(&tmp);
    build_release(&b2);
    ap_template_free(&tt);
    free(path);
}

enum ap_status ap_report_build(sqlite3 *db, const struct ap_period *p, const struct ap_config *cfg,
                               const struct ap_template *t, struct ap_report *out,
                               struct ap_diag *d)
{
    enum ap_status rc;
    struct build b = {
        .r = out, .t = t, .cfg = cfg, .d = d, .on = t->suppress, .k = t->suppress_max, .chart = -1};
    memset(out, 0, sizeof *out);
    for (int i = 0; i < AP_TBL_COUNT; i++)
        b.table_of[i] = -1;
    for (int q = 0; q < NQ; q++)
        ap_period_shift(p, q - NOW, cfg->fy_start_month, &b.per[q]);
    b.per[NOW] = *p;
    /* The same period a year earlier: a row of the trend, or one more. */
    ap_period_year_before(p, cfg->fy_start_month, &b.per[NQ]);
    b.nper = NP;
    b.year = NQ;
    for (int q = 0; q < NQ; q++) {
        if (ap_period_same_days(&b.per[q], &b.per[NQ])) {
            b.year = q;
            b.nper = NQ;
        }
    }
    b.two = b.year != PREV;
    choose_words(&b);
    if ((rc = created_time(&b.created, d)) != AP_OK)
        goto done;
    /* One pass over each big table for the trend's metrics, the data-as-at
     * date and the data-quality counts together. */
    ap_day as_at = AP_DAY_NONE;
    struct ap_metrics_pass *mp = NULL;
    struct ap_check_pass *cp = NULL;
    struct ap_scan_sink sinks[2];
    const struct ap_scan_sink *scan[2] = {&sinks[0], &sinks[1]};
    ap_metrics_pass_begin(db, b.per, (size_t)b.nper, cfg->team_start, b.m, &mp, &sinks[0], d);
    if ((rc = ap_check_pass_begin(db, p->end, &cp, &sinks[1], d)) != AP_OK) {
        ap_metrics_pass_end(mp, rc, NULL);
        goto done;
    }
    rc = ap_scan_run(db, scan, 2, d);
    rc = ap_metrics_pass_end(mp, rc, &as_at);
    rc = ap_check_pass_end(cp, rc, &b.findings);
    if (rc != AP_OK)
        goto done;
    for (int q = 0; q < b.nper; q++)
        b.avail[q] = b.m[q].team_start == AP_DAY_NONE || b.per[q].end >= b.m[q].team_start;
    if (!b.avail[NOW]) {
        char ts[32];
        ap_day_format_long(b.m[NOW].team_start, ts);
        ap_diag_warn(d,
                     "the period ends before the team started on %s, so its figures are "
                     "shown as [z] (not applicable)",
                     ts);
    }
    if (as_at == AP_DAY_NONE)
        ap_diag_warn(d, "the database holds no records, so every figure in the report is 0; "
                        "import the case system's export first ('actionplan import')");
    if ((rc = ap_plan_load(db, p->end, &b.plan, d)) != AP_OK)
        goto done;
    /* Ids of records to look at are shown only by a template with the
     * detailed data-quality table and show_ids = true. */
    if (t->show_ids && shows_table(t, AP_TBL_DATA_QUALITY_DETAIL) &&
        (rc = ap_check_ids(db, p->end, &b.findings, d)) != AP_OK)
        goto done;
    if ((rc = last_import(db, b.last_import, d)) != AP_OK)
        goto done;
    if ((rc = load_priors(&b, db)) != AP_OK)
        goto done;
    if (!t->public_ && !t->suppress)
        public_twin(&b, p, as_at);
    rc = build_audited(&b, p, as_at);
done:
    build_release(&b);
    priors_free(&b);
    free(b.twin.line);
    for (int q = 0; q < NP; q++)
        ap_metrics_free(&b.m[q]);
    ap_plan_free(&b.plan);
    ap_findings_free(&b.findings);
    if (rc != AP_OK)
        ap_report_free(out);
    return rc;
}

static void table_free(struct ap_table *t)
{
    free(t->id);
    free(t->title);
    free(t->description);
    for (size_t i = 0; i < t->ncols; i++)
        free(t->cols[i].heading);
    free(t->cols);
    for (size_t i = 0; i < t->nrows * t->ncols; i++) {
        free(t->cells[i].text);
        free(t->cells[i].key);
    }
    free(t->cells);
}

void ap_report_free(struct ap_report *r)
{
    if (!r)
        return;
    char **strs[] = {&r->title,
                     &r->subtitle,
                     &r->organisation,
                     &r->team,
                     &r->period_label,
                     &r->period_code,
                     &r->period_kind,
                     &r->change_prev_label,
                     &r->change_year_label,
                     &r->data_as_at,
                     &r->marking,
                     &r->audience,
                     &r->template_name,
                     &r->author,
                     &r->subject,
                     &r->keywords,
                     &r->contact,
                     &r->logo,
                     &r->font,
                     &r->font_bold};
    for (size_t i = 0; i < AP_ARRAY_LEN(strs); i++)
        free(*strs[i]);
    for (size_t i = 0; i < r->nheadlines; i++) {
        struct ap_headline *h = &r->headlines[i];
        free(h->metric);
        free(h->label);
        free(h->value.text);
        free(h->value.key);
        free(h->change_prev.text);
        free(h->change_prev.key);
        free(h->change_year.text);
        free(h->change_year.key);
        free(h->direction);
        free(h->verdict);
        free(h->rate.text);
        free(h->rate.key);
    }
    free(r->headlines);
    for (size_t i = 0; i < r->ntables; i++)
        table_free(&r->tables[i]);
    free(r->tables);
    for (size_t i = 0; i < r->ncharts; i++) {
        struct ap_chart *c = &r->charts[i];
        free(c->title);
        free(c->y_title);
        for (size_t j = 0; j < c->ncats; j++)
            free(c->categories[j]);
        free(c->categories);
        free(c->alt_intro);
        for (size_t j = 0; c->alt_series && j < c->nseries; j++)
            free(c->alt_series[j]);
        free(c->alt_series);
        for (size_t j = 0; j < c->nseries; j++) {
            free(c->series[j].name);
            free(c->series[j].values);
            free(c->series[j].missing);
        }
        free(c->series);
    }
    free(r->charts);
    for (size_t i = 0; i < r->nsections; i++) {
        struct ap_section *s = &r->sections[i];
        free(s->id);
        free(s->title);
        for (size_t j = 0; j < s->nblocks; j++)
            free(s->blocks[j].text);
        free(s->blocks);
    }
    free(r->sections);
    for (size_t i = 0; i < r->nnotes; i++) {
        free(r->notes[i].marker);
        free(r->notes[i].text);
    }
    free(r->notes);
    free(r->disclosure.line);
    memset(r, 0, sizeof *r);
}

/* ---- the model's texts ---- */

/* Check text s; where (a printf format and its arguments) is formatted only on failure. */
#define CHECK_TEXT(s, ...)                                                                         \
    do {                                                                                           \
        const char *s_ = (s);                                                                      \
        if (s_ && !ap_utf8_valid(s_, strlen(s_))) {                                                \
            char w_[160];                                                                          \
            snprintf(w_, sizeof w_, __VA_ARGS__);                                                  \
            bad(ctx, s_, w_);                                                                      \
            ok = false;                                                                            \
        }                                                                                          \
    } while (0)

bool ap_report_check_text(const struct ap_report *r,
                          void (*bad)(void *ctx, const char *s, const char *where), void *ctx,
                          struct ap_diag *d)
{
    bool ok = true;
    const struct {
        const char *s, *what;
    } top[] = {
        {r->title, "the title"},
        {r->subtitle, "the subtitle"},
        {r->organisation, "the organisation"},
        {r->team, "the team name"},
        {r->period_label, "the period"},
        {r->period_code, "the period code"},
        {r->change_prev_label, "the label of the change on the previous period"},
        {r->change_year_label, "the label of the change on a year earlier"},
        {r->data_as_at, "the data date"},
        {r->marking, "the marking"},
        {r->author, "the author"},
        {r->subject, "the subject"},
        {r->keywords, "the keywords"},
        {r->contact, "the contact line"},
    };
    for (size_t i = 0; i < AP_ARRAY_LEN(top); i++)
        CHECK_TEXT(top[i].s, "%s", top[i].what);
    for (size_t i = 0; i < r->nheadlines; i++) {
        const struct ap_headline *h = &r->headlines[i];
        CHECK_TEXT(h->label, "headline %zu's label", i + 1);
        CHECK_TEXT(h->direction, "headline %zu's direction", i + 1);
        CHECK_TEXT(h->verdict, "headline %zu's verdict", i + 1);
        CHECK_TEXT(h->value.text, "headline %zu's figure", i + 1);
        CHECK_TEXT(h->change_prev.text, "headline %zu's change on the previous period", i + 1);
        CHECK_TEXT(h->change_year.text, "headline %zu's change on a year earlier", i + 1);
        CHECK_TEXT(h->rate.text, "headline %zu's rate", i + 1);
    }
    for (size_t i = 0; i < r->ntables; i++) {
        const struct ap_table *t = &r->tables[i];
        CHECK_TEXT(t->title, "table '%s' title", t->id ? t->id : "");
        CHECK_TEXT(t->description, "table '%s' description", t->id ? t->id : "");
        for (size_t c = 0; c < t->ncols; c++)
            CHECK_TEXT(t->cols[c].heading, "table '%s' column %zu heading", t->id ? t->id : "",
                       c + 1);
        for (size_t row = 0; row < t->nrows; row++)
            for (size_t c = 0; c < t->ncols; c++)
                CHECK_TEXT(ap_table_cell(t, row, c)->text, "table '%s' row %zu column %zu",
                           t->id ? t->id : "", row + 1, c + 1);
    }
    for (size_t i = 0; i < r->ncharts; i++) {
        const struct ap_chart *c = &r->charts[i];
        CHECK_TEXT(c->title, "chart %zu's title", i + 1);
        CHECK_TEXT(c->y_title, "chart %zu's axis title", i + 1);
        for (size_t k = 0; k < c->ncats; k++)
            CHECK_TEXT(c->categories[k], "chart %zu's category %zu", i + 1, k + 1);
        for (size_t s = 0; s < c->nseries; s++)
            CHECK_TEXT(c->series[s].name, "chart %zu's series %zu", i + 1, s + 1);
    }
    for (size_t i = 0; i < r->nsections; i++) {
        const struct ap_section *s = &r->sections[i];
        CHECK_TEXT(s->title, "section '%s' title", s->id ? s->id : "");
        for (size_t b = 0; b < s->nblocks; b++) {
            const struct ap_block *blk = &s->blocks[b];
            if (blk->kind == AP_BLOCK_PARAGRAPH)
                CHECK_TEXT(blk->text, "section '%s' paragraph %zu", s->id ? s->id : "", b + 1);
            if ((blk->kind == AP_BLOCK_TABLE && blk->index >= r->ntables) ||
                (blk->kind == AP_BLOCK_CHART && blk->index >= r->ncharts)) {
                ap_diag_error(d, AP_ERR_IO,
                              "internal error: section '%s' refers to a %s that does not exist "
                              "(number %zu)",
                              s->id ? s->id : "", blk->kind == AP_BLOCK_TABLE ? "table" : "chart",
                              blk->index + 1);
                ok = false;
            }
        }
    }
    for (size_t i = 0; i < r->nnotes; i++) {
        CHECK_TEXT(r->notes[i].marker, "note %zu's marker", i + 1);
        CHECK_TEXT(r->notes[i].text, "note %zu", i + 1);
    }
    return ok;
}
