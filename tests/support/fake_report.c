/*
 * fake_report: builds a representative, obviously synthetic report model for
 * the renderer tests (see fake_report.h). The figures are invented and only
 * need to be consistent enough to read sensibly; the renderers never compute
 * anything from them.
 */
#include "fake_report.h"

#include <stdio.h>
#include <string.h>

#include "ap_chart.h"
#include "ap_util.h"

static struct ap_cell cell_text(const char *s)
{
    struct ap_cell c = {AP_CELL_TEXT, AP_NUM_COUNT, 0, ap_xstrdup(s), AP_TONE_NONE, NULL, false};
    return c;
}

static struct ap_cell cell_empty(void)
{
    struct ap_cell c = {AP_CELL_EMPTY, AP_NUM_COUNT, 0, ap_xstrdup(""), AP_TONE_NONE, NULL, false};
    return c;
}

static struct ap_cell cell_marker(const char *m)
{
    struct ap_cell c = {AP_CELL_MARKER, AP_NUM_COUNT, 0, ap_xstrdup(m), AP_TONE_NONE, NULL, false};
    return c;
}

/* A number cell with its display text formatted the way the model would. */
static struct ap_cell cell_num(double v, enum ap_numfmt fmt)
{
    struct ap_cell c = {AP_CELL_NUMBER, fmt, v, NULL, AP_TONE_NONE, NULL, false};
    char tmp[32];
    switch (fmt) {
    case AP_NUM_COUNT:
        ap_format_count((long long)v, tmp);
        c.text = ap_xstrdup(tmp);
        break;
    case AP_NUM_CHANGE:
        c.text = v > 0 ? ap_xasprintf("+%lld", (long long)v) : ap_xasprintf("%lld", (long long)v);
        break;
    case AP_NUM_PERCENT:
        c.text = ap_xasprintf("%.1f%%", v * 100.0);
        break;
    case AP_NUM_RATE:
        c.text = ap_xasprintf("%.1f", v);
        break;
    }
    return c;
}

static struct ap_cell cell_date(int day, const char *text)
{
    struct ap_cell c = {AP_CELL_DATE,     AP_NUM_COUNT, (double)day,
                        ap_xstrdup(text), AP_TONE_NONE, NULL, false};
    return c;
}

static struct ap_cell cell_rag(int which)
{
    static const char *const words[] = {"Red", "Amber", "Green"};
    static const enum ap_tone tones[] = {AP_TONE_RED, AP_TONE_AMBER, AP_TONE_GREEN};
    struct ap_cell c = cell_text(words[which]);
    c.tone = tones[which];
    return c;
}

struct col_spec {
    const char *heading;
    bool numeric;
    double width;
};

static void table_init(struct ap_table *t, const char *id, const char *title, const char *desc,
                       const struct col_spec *cols, size_t ncols, size_t nrows)
{
    t->id = ap_xstrdup(id);
    t->title = ap_xstrdup(title);
    t->description = ap_xstrdup(desc);
    t->ncols = ncols;
    t->cols = ap_xcalloc(ncols, sizeof *t->cols);
    for (size_t i = 0; i < ncols; i++) {
        t->cols[i].heading = ap_xstrdup(cols[i].heading);
        t->cols[i].numeric = cols[i].numeric;
        t->cols[i].width = cols[i].width;
    }
    t->nrows = nrows;
    t->cells = ap_xcalloc(ncols * nrows, sizeof *t->cells);
}

static struct ap_cell *cell_at(struct ap_table *t, size_t row, size_t col)
{
    return &t->cells[row * t->ncols + col];
}

static void build_headlines(struct ap_report *r)
{
    static const struct {
        const char *metric, *label;
        int value, prev, year;
        const char *direction;
        enum ap_tone tone;
        double rate; /* < 0: none */
    } h[] = {
        {"children_supported", "Children supported since the team began", 97, 9, 41, "up",
         AP_TONE_NEUTRAL, 21.6},
        {"active_cases", "Current cases", 38, -2, 5, "down", AP_TONE_NEUTRAL, 8.5},
        {"children_protected", "Children protected or removed from abuse", 59, 11, 36, "up",
         AP_TONE_GOOD, 13.1},
        {"perpetrators_dealt_with", "Perpetrators dealt with by prosecution or disruption", 14, 3,
         9, "up", AP_TONE_GOOD, -1},
        {"missing_episodes", "Missing episodes ended in the quarter", 23, 6, 10, "up", AP_TONE_BAD,
         -1},
    };
    r->nheadlines = AP_ARRAY_LEN(h) + 1;
    r->headlines = ap_xcalloc(r->nheadlines, sizeof *r->headlines);
    for (size_t i = 0; i < AP_ARRAY_LEN(h); i++) {
        struct ap_headline *x = &r->headlines[i];
        x->metric = ap_xstrdup(h[i].metric);
        x->label = ap_xstrdup(h[i].label);
        x->value = cell_num(h[i].value, AP_NUM_COUNT);
        x->change_prev = cell_num(h[i].prev, AP_NUM_CHANGE);
        x->change_year = cell_num(h[i].year, AP_NUM_CHANGE);
        x->direction = ap_xstrdup(h[i].direction);
        x->tone = h[i].tone;
        x->verdict = ap_xstrdup(h[i].tone == AP_TONE_GOOD  ? "better"
                                : h[i].tone == AP_TONE_BAD ? "worse"
                                                           : "");
        x->rate = h[i].rate < 0 ? cell_empty() : cell_num(h[i].rate, AP_NUM_RATE);
    }
    /* The suppressed one: a small count is never shown, nor its changes. */
    struct ap_headline *x = &r->headlines[AP_ARRAY_LEN(h)];
    x->metric = ap_xstrdup("children_supported_under_12");
    x->label = ap_xstrdup("Children under 12 supported in the quarter");
    x->value = cell_marker("[c]");
    x->change_prev = cell_marker("[c]");
    x->change_year = cell_marker("[c]");
    x->direction = ap_xstrdup("");
    x->verdict = ap_xstrdup("");
    x->tone = AP_TONE_NONE;
    x->rate = cell_marker("[c]");
}

static void build_summary(struct ap_table *t)
{
    static const struct col_spec cols[] = {
        {"Measure", false, 44},
        {"This quarter", true, 12},
        {"Previous quarter", true, 12},
        {"Change", true, 10},
        {"Same quarter last year", true, 14},
    };
    static const struct {
        const char *measure;
        int now, prev, year; /* -1: [c] */
    } rows[] = {
        {"Children supported since the team began", 97, 88, 56},
        {"Current cases", 38, 40, 33},
        {"Children protected or removed from abuse", 59, 48, 23},
        {"New cases opened in the quarter", 11, 14, 9},
        {"Cases closed in the quarter", 13, 6, -1},
        {"Perpetrators currently identified", 12, 11, 8},
        {"Perpetrators dealt with (cumulative)", 14, 11, 5},
        {"Missing episodes ended in the quarter", 23, 17, 13},
    };
    size_t n = AP_ARRAY_LEN(rows);
    table_init(t, "summary", "Table 1: Summary of figures, 2016/17 Q4",
               "Counts at the end of the quarter, or during it, with the previous quarter and the "
               "same quarter a year before.",
               cols, AP_ARRAY_LEN(cols), n + 1);
    for (size_t i = 0; i < n; i++) {
        *cell_at(t, i, 0) = cell_text(rows[i].measure);
        *cell_at(t, i, 1) = cell_num(rows[i].now, AP_NUM_COUNT);
        *cell_at(t, i, 2) = cell_num(rows[i].prev, AP_NUM_COUNT);
        *cell_at(t, i, 3) = cell_num(rows[i].now - rows[i].prev, AP_NUM_CHANGE);
        *cell_at(t, i, 4) =
            rows[i].year < 0 ? cell_marker("[c]") : cell_num(rows[i].year, AP_NUM_COUNT);
    }
    *cell_at(t, n, 0) = cell_text("Return interviews offered within 72 hours");
    *cell_at(t, n, 1) = cell_num(0.455, AP_NUM_PERCENT);
    *cell_at(t, n, 2) = cell_num(0.5, AP_NUM_PERCENT);
    *cell_at(t, n, 3) = cell_marker("[z]");
    *cell_at(t, n, 4) = cell_marker("[c]");
}

static const char *const quarters[8] = {"2015/16 Q1", "2015/16 Q2", "2015/16 Q3", "2015/16 Q4",
                                        "2016/17 Q1", "2016/17 Q2", "2016/17 Q3", "2016/17 Q4"};
static const int trend[3][8] = {
    {12, 25, 38, 51, 63, 74, 88, 97},
    {12, 20, 26, 31, 33, 36, 40, 38},
    {3, -1, 6, 8, 9, 11, 11, 12}, /* -1: not available, drawn as a gap */
};
static const char *const trend_names[3] = {"Children supported (cumulative)", "Current cases",
                                           "Perpetrators currently identified"};

static void build_trend(struct ap_report *r, struct ap_table *t)
{
    static const struct col_spec cols[] = {
        {"Quarter", false, 14},
        {"Children supported (cumulative)", true, 16},
        {"Current cases", true, 12},
        {"Perpetrators currently identified", true, 16},
    };
    table_init(t, "trend", "Table 2: Key figures for the last 8 quarters",
               "Each figure as at the end of its quarter; the chart above shows the same data.",
               cols, AP_ARRAY_LEN(cols), 8);
    for (size_t q = 0; q < 8; q++) {
        *cell_at(t, q, 0) = cell_text(quarters[q]);
        for (size_t s = 0; s < 3; s++)
            *cell_at(t, q, s + 1) =
                trend[s][q] < 0 ? cell_marker("[x]") : cell_num(trend[s][q], AP_NUM_COUNT);
    }

    r->ncharts = 1;
    r->charts = ap_xcalloc(1, sizeof *r->charts);
    struct ap_chart *c = &r->charts[0];
    c->title = ap_xstrdup("Chart 1: Children supported, current cases and perpetrators identified");
    c->y_title = ap_xstrdup("Number");
    c->table = FAKE_TABLE_TREND;
    c->first_col = 1;
    c->ncats = 8;
    c->categories = ap_xcalloc(8, sizeof *c->categories);
    for (size_t q = 0; q < 8; q++)
        c->categories[q] = ap_xstrdup(quarters[q]);
    c->nseries = 3;
    c->series = ap_xcalloc(3, sizeof *c->series);
    for (size_t s = 0; s < 3; s++) {
        c->series[s].name = ap_xstrdup(trend_names[s]);
        c->series[s].values = ap_xcalloc(8, sizeof(double));
        c->series[s].missing = ap_xcalloc(8, sizeof(bool));
        for (size_t q = 0; q < 8; q++) {
            c->series[s].missing[q] = trend[s][q] < 0;
            c->series[s].values[q] = trend[s][q] < 0 ? 0 : trend[s][q];
        }
    }
    ap_chart_describe(c, t);
}

static void build_area(struct ap_table *t)
{
    static const struct col_spec cols[] = {
        {"Area", false, 20}, {"Female", true, 10},
        {"Male", true, 10},  {"Other or unknown", true, 12},
        {"Total", true, 10},
    };
    /* -1 is [c]: small counts, and the next smallest where a total would reveal one. */
    static const struct {
        const char *area;
        int f, m, o, total;
    } rows[] = {
        {"North Ward", 14, 6, 0, 20}, {"South Ward", 11, -1, 0, 13},  {"East Ward", 9, -1, -1, 12},
        {"West Ward", -1, 0, 0, -1},  {"Central Ward", 8, 6, -1, 15}, {"Unknown", 0, 0, 0, 0},
        {"Total", 47, 17, -1, 67},
    };
    table_init(t, "area", "Table 3: Children supported in the quarter, by area and gender",
               "Counts from 1 to 5 are shown as [c], with a further cell where a total would "
               "reveal them.",
               cols, AP_ARRAY_LEN(cols), AP_ARRAY_LEN(rows));
    for (size_t i = 0; i < AP_ARRAY_LEN(rows); i++) {
        const int v[4] = {rows[i].f, rows[i].m, rows[i].o, rows[i].total};
        *cell_at(t, i, 0) = cell_text(rows[i].area);
        for (size_t c = 0; c < 4; c++)
            *cell_at(t, i, c + 1) = v[c] < 0 ? cell_marker("[c]") : cell_num(v[c], AP_NUM_COUNT);
    }
}

static void build_actions(struct ap_table *t)
{
    static const struct col_spec cols[] = {
        {"Ref", false, 6},  {"Theme", false, 10},  {"Action", false, 30}, {"Lead", false, 14},
        {"Due", false, 10}, {"Status", false, 10}, {"RAG", false, 7},     {"Commentary", false, 50},
    };
    static const char *const themes[] = {"Prevent", "Protect", "Pursue", "Support", "Governance"};
    static const char *const actions[] = {
        "Deliver awareness training to taxi and private hire drivers",
        "Review the multi-agency screening of referrals",
        "Extend return interviews to children placed by other councils",
        "Publish the disruption toolkit for housing officers",
        "Commission specialist therapeutic support",
        "Audit case files against the practice standards",
        "Map hotspots with the police analyst every quarter",
        "Run the schools’ healthy relationships programme",
        "Agree an information-sharing protocol with licensing",
        "Report performance to the Safeguarding Children Board",
        "Recruit and train independent return interviewers",
        "Hold a “Say Something” campaign week",
    };
    static const char *const leads[] = {"Head of Safeguarding", "Detective Inspector",
                                        "Licensing Manager", "Service Manager, MASH",
                                        "Designated Nurse"};
    static const struct {
        int day;
        const char *text;
    } due[] = {{17256, "31 Mar 2017"},
               {17347, "30 Jun 2017"},
               {17074, "30 Sep 2016"},
               {17439, "30 Sep 2017"},
               {16891, "31 Mar 2016"}};
    static const char *const status[] = {"Complete", "In progress", "Not started"};
    static const char *const comments[] = {
        "On track.",
        "Sessions held with 212 drivers; the licensing committee has agreed to make the training a "
        "condition of renewal from April.",
        "Delayed: the provider withdrew in January and a new one is being sought. A revised date "
        "will be agreed at the next board; interim cover is provided by the MASH team, and the "
        "budget of £12,500 is held in reserve until the contract is let.",
        "Complete — the toolkit was published in February and has been used in three cases.",
        "Awaiting the police analyst’s report, expected in May.",
        "Pilot in Ysgol Gymraeg Bro Dŵr went well; roll-out to all secondary schools agreed.",
    };
    table_init(t, "actions", "Table 4: Progress against the CSE action plan",
               "Each action’s latest update on or before 31 March 2017, with its RAG rating.", cols,
               AP_ARRAY_LEN(cols), FAKE_ACTION_ROWS);
    for (size_t i = 0; i < FAKE_ACTION_ROWS; i++) {
        char ref[16];
        snprintf(ref, sizeof ref, "A%02zu", i + 1);
        size_t st = (i * 7 + 1) % 3;
        *cell_at(t, i, 0) = cell_text(ref);
        *cell_at(t, i, 1) = cell_text(themes[i % AP_ARRAY_LEN(themes)]);
        *cell_at(t, i, 2) = cell_text(actions[i % AP_ARRAY_LEN(actions)]);
        *cell_at(t, i, 3) = cell_text(leads[(i / 2) % AP_ARRAY_LEN(leads)]);
        *cell_at(t, i, 4) =
            cell_date(due[i % AP_ARRAY_LEN(due)].day, due[i % AP_ARRAY_LEN(due)].text);
        *cell_at(t, i, 5) = cell_text(status[st]);
        if (i % 11 == 10) {
            *cell_at(t, i, 6) = cell_empty(); /* no rating given yet */
            *cell_at(t, i, 7) = cell_empty();
        } else {
            *cell_at(t, i, 6) = cell_rag(st == 0 ? 2 : (int)((i / 2) % 3));
            *cell_at(t, i, 7) = cell_text(comments[(i * 5) % AP_ARRAY_LEN(comments)]);
        }
    }
}

static void build_definitions(struct ap_table *t)
{
    static const struct col_spec cols[] = {{"Term", false, 24}, {"Definition", false, 70}};
    static const char *const defs[][2] = {
        {"Children supported", "Distinct children with a case opened on or before the end of the "
                               "period; the database holds the team’s own cases only."},
        {"Current cases", "Cases open at the end of the period: opened on or before that day and "
                          "not closed, or closed after it."},
        {"Children protected or removed from abuse",
         "Of the children whose cases have all closed, those whose latest case closed because the "
         "risk was reduced or the child was removed from abuse."},
        {"Perpetrators currently identified",
         "Identified on or before the end of the period and not yet concluded: subject to "
         "disruption, police investigation or monitoring."},
        {"Perpetrators dealt with", "Concluded on or before the end of the period with an outcome "
                                    "of prosecution or disruption (cumulative)."},
        {"Missing episodes", "Episodes in which the child returned during the period."},
        {"Return interview offered within 72 hours",
         "Of those episodes, the interview was offered at most 72 hours after the return (three "
         "days when either time is a bare date)."},
        {"Rate per 10,000", "The count divided by the area’s child population aged 0–17 (ONS "
                            "mid-year estimate), times 10,000."},
        {"RAG", "Red: off track and needs intervention; Amber: at risk; Green: on track or "
                "complete."},
    };
    table_init(t, "definitions", "Table 5: Definitions",
               "How each figure in this report is counted.", cols, AP_ARRAY_LEN(cols),
               AP_ARRAY_LEN(defs));
    for (size_t i = 0; i < AP_ARRAY_LEN(defs); i++) {
        *cell_at(t, i, 0) = cell_text(defs[i][0]);
        *cell_at(t, i, 1) = cell_text(defs[i][1]);
    }
}

struct block_spec {
    enum ap_block_kind kind;
    const char *text;
    size_t index;
};

static void section_init(struct ap_section *s, const char *id, const char *title,
                         const struct block_spec *b, size_t n)
{
    s->id = ap_xstrdup(id);
    s->title = ap_xstrdup(title);
    s->nblocks = n;
    s->blocks = ap_xcalloc(n, sizeof *s->blocks);
    for (size_t i = 0; i < n; i++) {
        s->blocks[i].kind = b[i].kind;
        s->blocks[i].text = ap_xstrdup(b[i].text);
        s->blocks[i].index = b[i].index;
    }
}

static void build_sections(struct ap_report *r)
{
    static const struct block_spec purpose[] = {
        {AP_BLOCK_PARAGRAPH,
         "This report updates Cabinet on the council’s Child Sexual Exploitation (CSE) Action "
         "Plan for the quarter 1 January 2017 to 31 March 2017. It sets out what the multi-agency "
         "CSE team has done since it began in November 2015 — 17 months — and the figures that "
         "show whether children are safer. The data are synthetic: this is a “sample” report and "
         "no figure describes a real child.",
         0},
        {AP_BLOCK_PARAGRAPH,
         "The team is funded jointly by the council and the police (£412,000 in 2016/17) and works "
         "from the Multi Agency Safeguarding Hub. Partners in Gŵyr, Dŵr Cymru and the “Safer "
         "Streets” programme contributed to the quarter’s work. Further information, including "
         "the full action plan, is at https://www.example.gov.uk/children-and-families/"
         "child-sexual-exploitation/action-plan-progress-2016-17-quarter-4-sample-report.",
         0},
    };
    static const struct block_spec headlines[] = {
        {AP_BLOCK_HEADLINES, NULL, 0},
        {AP_BLOCK_PARAGRAPH,
         "Since the team was created 97 children have been supported; 38 cases are current, so 59 "
         "children have been protected or removed from abuse. 12 perpetrators are currently "
         "identified and subject to disruption, police investigation or monitoring, and 14 more "
         "have been dealt with by prosecution or disruption.",
         0},
    };
    static const struct block_spec summary[] = {{AP_BLOCK_TABLE, NULL, FAKE_TABLE_SUMMARY}};
    static const struct block_spec trends[] = {
        {AP_BLOCK_PARAGRAPH,
         "The number of children supported has grown steadily; current cases have levelled off at "
         "around 40. The perpetrator figure for 2015/16 Q2 is not available [x] because the "
         "police system was being replaced.",
         0},
        {AP_BLOCK_CHART, NULL, 0},
        {AP_BLOCK_TABLE, NULL, FAKE_TABLE_TREND},
    };
    static const struct block_spec area[] = {
        {AP_BLOCK_PARAGRAPH,
         "Most children supported live in the North and South wards. Small numbers are suppressed "
         "so that no child can be identified.",
         0},
        {AP_BLOCK_TABLE, NULL, FAKE_TABLE_AREA},
    };
    static const struct block_spec actions[] = {
        {AP_BLOCK_PARAGRAPH,
         "Of the 60 actions in the plan, most are complete or on track. Actions rated red are "
         "explained in the commentary and will be reported to the Safeguarding Children Board.",
         0},
        {AP_BLOCK_TABLE, NULL, FAKE_TABLE_ACTIONS},
    };
    static const struct block_spec defs[] = {{AP_BLOCK_TABLE, NULL, FAKE_TABLE_DEFINITIONS}};
    r->nsections = 7;
    r->sections = ap_xcalloc(r->nsections, sizeof *r->sections);
    section_init(&r->sections[0], "purpose", "1. Purpose of this report", purpose,
                 AP_ARRAY_LEN(purpose));
    section_init(&r->sections[1], "headlines", "2. Headline figures", headlines,
                 AP_ARRAY_LEN(headlines));
    section_init(&r->sections[2], "summary", "3. Summary of figures", summary,
                 AP_ARRAY_LEN(summary));
    section_init(&r->sections[3], "trend", "4. Trends over the last two years — quarter by quarter",
                 trends, AP_ARRAY_LEN(trends));
    section_init(&r->sections[4], "area", "5. Children supported, by area", area,
                 AP_ARRAY_LEN(area));
    section_init(&r->sections[5], "actions", "6. Progress against the action plan", actions,
                 AP_ARRAY_LEN(actions));
    section_init(&r->sections[6], "definitions", "7. Definitions", defs, AP_ARRAY_LEN(defs));
}

static void build_notes(struct ap_report *r)
{
    static const char *const notes[][2] = {
        {"[c]", "Confidential: a count from 1 to 5, or a figure from which one could be worked "
                "out, is not shown so that no child can be identified."},
        {"[z]", "Not applicable: for example, a change between two percentages."},
        {"[x]", "Not available: the data were not recorded for that period."},
        {"", "All figures are synthetic sample data produced for testing; they describe no real "
             "person."},
    };
    r->nnotes = AP_ARRAY_LEN(notes);
    r->notes = ap_xcalloc(r->nnotes, sizeof *r->notes);
    for (size_t i = 0; i < r->nnotes; i++) {
        r->notes[i].marker = ap_xstrdup(notes[i][0]);
        r->notes[i].text = ap_xstrdup(notes[i][1]);
    }
}

void ap_fake_report(struct ap_report *r)
{
    memset(r, 0, sizeof *r);
    r->title = ap_xstrdup("Child Sexual Exploitation Action Plan: progress report");
    r->subtitle = ap_xstrdup("Report to Cabinet");
    r->organisation = ap_xstrdup("Sample Borough Council");
    r->team = ap_xstrdup("Multi-agency CSE Team");
    r->period_label = ap_xstrdup("2016/17 Q4 (1 January 2017 to 31 March 2017)");
    r->period_code = ap_xstrdup("2016/17-Q4");
    r->period_kind = ap_xstrdup("quarter");
    r->change_prev_label = ap_xstrdup("Since last quarter");
    r->change_year_label = ap_xstrdup("Since a year ago");
    r->data_as_at = ap_xstrdup("31 March 2017");
    r->marking = ap_xstrdup("OFFICIAL-SENSITIVE");
    r->audience = ap_xstrdup("public");
    r->template_name = ap_xstrdup("cabinet");
    r->author = ap_xstrdup("Sample Borough Council, Children’s Services");
    r->subject = ap_xstrdup("CSE action plan progress, 2016/17 Q4");
    r->keywords = ap_xstrdup("child sexual exploitation, action plan, Cabinet, 2016/17 Q4");
    r->contact = ap_xstrdup("Contact: performance@example.gov.uk, 01632 960000");
    r->logo = NULL;
    r->font = ap_xstrdup("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    r->font_bold = ap_xstrdup("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf");
    r->sample = true;
    r->suppressed = true;
    r->suppress_max = 5;
    r->created = FAKE_CREATED;

    build_headlines(r);
    r->ntables = FAKE_NTABLES;
    r->tables = ap_xcalloc(r->ntables, sizeof *r->tables);
    build_summary(&r->tables[FAKE_TABLE_SUMMARY]);
    build_trend(r, &r->tables[FAKE_TABLE_TREND]);
    build_area(&r->tables[FAKE_TABLE_AREA]);
    build_actions(&r->tables[FAKE_TABLE_ACTIONS]);
    build_definitions(&r->tables[FAKE_TABLE_DEFINITIONS]);
    build_sections(r);
    build_notes(r);
}
