/*
 * ap_template: loads and checks report templates (format in ap_template.h).
 * Everything a template can say is checked here, at file:line, so that building
 * the report never meets an unknown name.
 */
#include "ap_template.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ap_ini.h"

#ifndef AP_SOURCE_TEMPLATES
#define AP_SOURCE_TEMPLATES "templates"
#endif
#ifndef AP_BUILD_BINARY
#define AP_BUILD_BINARY "" /* unknown: the source tree is never searched */
#endif
#ifndef AP_INSTALLED_TEMPLATES
#define AP_INSTALLED_TEMPLATES "/usr/local/share/actionplan/templates"
#endif

const char *const ap_table_kind_ids[AP_TBL_COUNT] = {
    [AP_TBL_SUMMARY] = "summary",
    [AP_TBL_TREND] = "trend",
    [AP_TBL_REFERRAL_SOURCES] = "referral_sources",
    [AP_TBL_RISK_LEVELS] = "risk_levels",
    [AP_TBL_CLOSURE_REASONS] = "closure_reasons",
    [AP_TBL_GENDER] = "gender",
    [AP_TBL_ETHNICITY] = "ethnicity",
    [AP_TBL_AREA] = "area",
    [AP_TBL_AGE_BANDS] = "age_bands",
    [AP_TBL_PERPETRATORS] = "perpetrators",
    [AP_TBL_PERPETRATOR_ACTIONS] = "perpetrator_actions",
    [AP_TBL_MISSING] = "missing",
    [AP_TBL_ACTION_PLAN] = "action_plan",
    [AP_TBL_DATA_QUALITY] = "data_quality",
    [AP_TBL_DATA_QUALITY_DETAIL] = "data_quality_detail",
    [AP_TBL_DEFINITIONS] = "definitions",
};

const char *const ap_template_values[] = {
    "period",       /* "2016/17 Q4 (1 January to 31 March 2017)" */
    "period_short", /* "2016/17 Q4" */
    "period_start", /* "1 January 2017" */
    "period_end",   /* "31 March 2017" */
    /* Words for the kind of period (a quarter, a month, a financial year or
     * any range), so that one template reads right for each: */
    "period_noun",         /* "quarter", "month", "year" or "period" */
    "previous_period",     /* "the previous quarter", "2015/16", "the 9 months before" */
    "year_earlier_period", /* "the same quarter last year", "the same 9 months a year earlier" */
    "changes_since",       /* "since the previous quarter and since the same quarter last
                              year"; for a year "since 2015/16" (the one comparison) */
    "trend_span",          /* "the last eight quarters", "the last eight periods of 9 months" */
    "organisation",
    "team",
    "team_start", /* "1 November 2015" */
    "data_as_at",
    "pct_offered_72h", /* return interviews offered within 72 hours, "75.0%" or a marker */
    "pct_completed",   /* return interviews completed */
    "suppress_max",    /* k */
    "public_audit",    /* what the public report hides; its audit's result */
    "title",
    "subtitle",
    "marking",
};
const size_t ap_template_nvalues = AP_ARRAY_LEN(ap_template_values);

const char *const ap_template_suffixes[] = {
    "prev",        /* the figure of the previous period */
    "year",        /* the figure of the same period a year earlier */
    "change",      /* change against the previous period: "+3" */
    "change_year", /* change against the same period a year earlier */
    "changes",     /* both, in words: "by +3 since the previous quarter and by +5 since the
                      same quarter last year" ("by +3 since 2015/16" for a year) */
    "direction",   /* "up", "down", "no change" (against the previous period) */
    "rate",        /* per 10,000 children, or [x] without a population */
};
const size_t ap_template_nsuffixes = AP_ARRAY_LEN(ap_template_suffixes);

/* Shown when a template gives no `headlines =`. */
static const enum ap_metric_id default_headlines[] = {
    AP_M_CHILDREN_SUPPORTED,  AP_M_ACTIVE_CASES,
    AP_M_CHILDREN_PROTECTED,  AP_M_CHILDREN_SUPPORTED_IN_PERIOD,
    AP_M_PERPETRATORS_ACTIVE, AP_M_PERPETRATORS_DEALT_WITH,
    AP_M_MISSING_EPISODES,    AP_M_ACTIONS_COMPLETE,
};

enum report_key {
    RK_TITLE,
    RK_SUBTITLE,
    RK_AUDIENCE,
    RK_MARKING,
    RK_SUPPRESS,
    RK_SUPPRESS_MAX,
    RK_SHOW_IDS,
    RK_HEADLINES,
    RK_SECTIONS,
    RK_COUNT
};
static const char *const report_keys[RK_COUNT] = {
    "title",        "subtitle", "audience",  "marking",  "suppress",
    "suppress_max", "show_ids", "headlines", "sections",
};

struct load {
    struct ap_template *t;
    const char *path;
    struct ap_diag *d;
    long seen[RK_COUNT]; /* line of each [report] key, 0 if absent */
    int suppress;        /* -1 not given, else 0/1 */
    char *sections;      /* owned: the raw `sections =` list */
    size_t ndefined, adefined;
    struct ap_tsection *defined; /* owned: [section NAME]s in file order */
    size_t aheadlines;
    long report_line; /* line of the [report] header, 0 if none yet */
    bool bad;         /* the current section was reported unknown: skip its keys */
    enum ap_status st;
};

static void set_str(char **field, const char *value)
{
    free(*field);
    *field = ap_xstrdup(value);
}

static bool placeholder_metric_part(const char *name, size_t len)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, name, len);
    buf[len] = '\0';
    return ap_metric_find(buf) != NULL;
}

bool ap_template_placeholder_known(const char *name)
{
    for (size_t i = 0; i < ap_template_nvalues; i++) {
        if (!strcmp(name, ap_template_values[i]))
            return true;
    }
    const char *dot = strchr(name, '.');
    if (!dot)
        return placeholder_metric_part(name, strlen(name));
    if (!placeholder_metric_part(name, (size_t)(dot - name)))
        return false;
    for (size_t i = 0; i < ap_template_nsuffixes; i++) {
        if (!strcmp(dot + 1, ap_template_suffixes[i]))
            return true;
    }
    return false;
}

enum ap_status ap_template_expand(const char *text, ap_placeholder_fill fill, void *user,
                                  struct ap_buf *out)
{
    enum ap_status rc = AP_OK;
    struct ap_buf name = AP_BUF_INIT;
    for (const char *p = text; *p;) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            ap_buf_addch(out, p[0]);
            p += 2;
        } else if (*p == '{') {
            const char *end = strchr(p + 1, '}');
            if (!end) {
                rc = AP_ERR_INPUT;
                goto done;
            }
            ap_buf_reset(&name);
            ap_buf_add(&name, p + 1, (size_t)(end - p - 1));
            if (!fill(user, name.buf, out)) {
                rc = AP_ERR_INPUT;
                goto done;
            }
            p = end + 1;
        } else if (*p == '}') {
            rc = AP_ERR_INPUT;
            goto done;
        } else {
            ap_buf_addch(out, *p++);
        }
    }
done:
    ap_buf_release(&name);
    return rc;
}

/* Check every placeholder of a text line; one message per problem. */
static bool check_text(struct load *l, const char *text, long line)
{
    bool ok = true;
    for (const char *p = text; *p;) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            p += 2;
        } else if (*p == '{') {
            const char *end = strchr(p + 1, '}');
            if (!end) {
                ap_diag_input(l->d, l->path, line, 0,
                              "placeholder '%s' has no closing '}'; write '{{' for a brace", p);
                return false;
            }
            char *name = ap_xstrndup(p + 1, (size_t)(end - p - 1));
            if (!ap_template_placeholder_known(name)) {
                ap_diag_input(l->d, l->path, line, 0,
                              "unknown placeholder '{%s}'; use a metric name (as in 'actionplan "
                              "metrics'), optionally with .prev, .year, .change, .change_year, "
                              ".changes, .direction or .rate, or one of {period}, {period_noun}, "
                              "{previous_period}, {changes_since}, {trend_span}, {organisation}, "
                              "{team}, {team_start}, {data_as_at}, {pct_offered_72h}, "
                              "{pct_completed}",
                              name);
                ok = false;
            }
            free(name);
            p = end + 1;
        } else if (*p == '}') {
            ap_diag_input(l->d, l->path, line, 0, "unmatched '}'; write '}}' for a brace");
            return false;
        } else {
            p++;
        }
    }
    return ok;
}

/* Split a comma-separated list in place into trimmed items; calls fn on each. */
static bool each_item(struct load *l, const char *list, long line,
                      bool (*fn)(struct load *, const char *, long, void *), void *arg)
{
    bool ok = true;
    const char *p = list;
    for (;;) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        char *item = ap_xstrndup(a, (size_t)(b - a));
        if (!*item) {
            ap_diag_input(l->d, l->path, line, 0, "empty item in the list '%s'", list);
            ok = false;
        } else if (!fn(l, item, line, arg)) {
            ok = false;
        }
        free(item);
        if (!comma)
            break;
        p = comma + 1;
    }
    return ok;
}

static bool add_headline(struct load *l, const char *item, long line, void *arg)
{
    (void)arg;
    const struct ap_metric_def *m = ap_metric_find(item);
    if (!m) {
        ap_diag_input(l->d, l->path, line, 0,
                      "unknown metric '%s' in headlines; see 'actionplan metrics' for the names",
                      item);
        return false;
    }
    if (m->breakdown != AP_BREAKDOWN_NONE) {
        ap_diag_input(l->d, l->path, line, 0,
                      "'%s' is a breakdown, not a single figure; show it as a table instead", item);
        return false;
    }
    struct ap_template *t = l->t;
    ap_grow((void **)&t->headlines, sizeof *t->headlines, t->nheadlines + 1, &l->aheadlines);
    t->headlines[t->nheadlines++] = (enum ap_metric_id)(m - ap_metric_defs);
    return true;
}

static void add_block(struct ap_tsection *s, enum ap_tblock_kind kind, const char *text,
                      enum ap_table_kind table, long line)
{
    s->blocks = ap_xrealloc(s->blocks, (s->nblocks + 1) * sizeof *s->blocks);
    struct ap_tblock *b = &s->blocks[s->nblocks++];
    b->kind = kind;
    b->text = ap_xstrdup(text);
    b->table = table;
    b->line = line;
}

static bool add_show(struct load *l, const char *item, long line, void *arg)
{
    struct ap_tsection *s = arg;
    if (!strcmp(item, "headlines")) {
        add_block(s, AP_TB_HEADLINES, NULL, AP_TBL_COUNT, line);
        return true;
    }
    if (!strcmp(item, "chart")) {
        add_block(s, AP_TB_CHART, NULL, AP_TBL_COUNT, line);
        return true;
    }
    if (!strcmp(item, "notes")) {
        add_block(s, AP_TB_NOTES, NULL, AP_TBL_COUNT, line);
        return true;
    }
    for (int i = 0; i < AP_TBL_COUNT; i++) {
        if (!strcmp(item, ap_table_kind_ids[i])) {
            add_block(s, AP_TB_TABLE, NULL, (enum ap_table_kind)i, line);
            return true;
        }
    }
    struct ap_buf all = AP_BUF_INIT;
    ap_buf_adds(&all, "headlines, chart, notes");
    for (int i = 0; i < AP_TBL_COUNT; i++)
        ap_buf_addf(&all, ", %s", ap_table_kind_ids[i]);
    ap_diag_input(l->d, l->path, line, 0, "unknown block '%s' in show; blocks are %s", item,
                  all.buf);
    ap_buf_release(&all);
    return false;
}

static int report_key(struct load *l, const char *name, const char *value, long line)
{
    struct ap_template *t = l->t;
    int k = 0;
    while (k < RK_COUNT && strcmp(name, report_keys[k]))
        k++;
    if (k == RK_COUNT) {
        ap_diag_input(l->d, l->path, line, 0,
                      "unknown key '%s' in [report]; keys are title, subtitle, audience, marking, "
                      "suppress, suppress_max, show_ids, headlines, sections",
                      name);
        return 0;
    }
    if (l->seen[k]) {
        ap_diag_input(l->d, l->path, line, 0, "'%s' is given twice in [report] (first at line %ld)",
                      name, l->seen[k]);
        return 0;
    }
    l->seen[k] = line;
    switch ((enum report_key)k) {
    case RK_TITLE:
        set_str(&t->title, value);
        break;
    case RK_SUBTITLE:
        set_str(&t->subtitle, value);
        break;
    case RK_MARKING:
        set_str(&t->marking, value);
        break;
    case RK_AUDIENCE:
        if (!strcmp(value, "public")) {
            t->public_ = true;
        } else if (!strcmp(value, "restricted")) {
            t->public_ = false;
        } else {
            ap_diag_input(l->d, l->path, line, 0, "audience '%s' is not one of public, restricted",
                          value);
            return 0;
        }
        break;
    case RK_SUPPRESS: {
        bool b;
        if (!ap_parse_bool(value, &b)) {
            ap_diag_input(l->d, l->path, line, 0, "suppress '%s' is not true or false", value);
            return 0;
        }
        l->suppress = b;
        break;
    }
    case RK_SUPPRESS_MAX: {
        long v;
        if (!ap_parse_long(value, 1, 99, &v)) {
            ap_diag_input(l->d, l->path, line, 0,
                          "suppress_max '%s' is not a whole number from 1 to 99", value);
            return 0;
        }
        t->suppress_max = (int)v;
        break;
    }
    case RK_SHOW_IDS:
        if (!ap_parse_bool(value, &t->show_ids)) {
            ap_diag_input(l->d, l->path, line, 0, "show_ids '%s' is not true or false", value);
            return 0;
        }
        break;
    case RK_HEADLINES:
        return each_item(l, value, line, add_headline, NULL);
    case RK_SECTIONS:
        set_str(&l->sections, value);
        break;
    case RK_COUNT:
        break;
    }
    return 1;
}

/* text, text1, text2 ... all mean a paragraph. */
static bool is_text_key(const char *name)
{
    if (strncmp(name, "text", 4))
        return false;
    for (const char *p = name + 4; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
    }
    return true;
}

static bool valid_id(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    }
    return true;
}

static struct ap_tsection *find_defined(struct load *l, const char *id)
{
    for (size_t i = 0; i < l->ndefined; i++) {
        if (l->defined[i].id && !strcmp(l->defined[i].id, id))
            return &l->defined[i];
    }
    return NULL;
}

static struct ap_tsection *define(struct load *l, const char *id, long line)
{
    ap_grow((void **)&l->defined, sizeof *l->defined, l->ndefined + 1, &l->adefined);
    struct ap_tsection *s = &l->defined[l->ndefined++];
    memset(s, 0, sizeof *s);
    s->id = ap_xstrdup(id);
    s->line = line;
    return s;
}

/* At each [header]: unknown or repeated sections are reported at their own
 * line, even when they hold no keys. */
static void header(void *user, const char *section, long line)
{
    struct load *l = user;
    l->bad = false;
    if (!strcmp(section, "report")) {
        if (l->report_line) {
            ap_diag_input(l->d, l->path, line, 0, "[report] appears twice (first at line %ld)",
                          l->report_line);
            l->st = AP_ERR_INPUT;
        }
        l->report_line = line;
    } else if (!strncmp(section, "section ", 8) && valid_id(section + 8) &&
               l->ndefined >= AP_TEMPLATE_MAX_SECTIONS) {
        ap_diag_input(l->d, l->path, line, 0,
                      "too many sections: a template may have at most %d [section NAME]s",
                      AP_TEMPLATE_MAX_SECTIONS);
        l->st = AP_ERR_INPUT;
        l->bad = true;
    } else if (!strncmp(section, "section ", 8) && valid_id(section + 8)) {
        const struct ap_tsection *s = find_defined(l, section + 8);
        if (s) {
            ap_diag_input(l->d, l->path, line, 0, "[%s] appears twice (first at line %ld)", section,
                          s->line);
            l->st = AP_ERR_INPUT;
        } else {
            define(l, section + 8, line);
        }
    } else {
        ap_diag_input(l->d, l->path, line, 0,
                      "unknown section '[%s]'; sections are [report] and [section NAME] (NAME in "
                      "lower case letters, digits and '_')",
                      section);
        l->st = AP_ERR_INPUT;
        l->bad = true;
    }
}

static int section_key(struct load *l, const char *id, const char *name, const char *value,
                       long line)
{
    struct ap_tsection *s = find_defined(l, id);
    if (!s)
        s = define(l, id, line);
    if (!strcmp(name, "title")) {
        if (s->title) {
            ap_diag_input(l->d, l->path, line, 0, "title is given twice in [section %s]", id);
            return 0;
        }
        s->title = ap_xstrdup(value);
        return 1;
    }
    if (is_text_key(name)) {
        if (!*value) {
            ap_diag_input(l->d, l->path, line, 0, "%s is empty; write the paragraph after '='",
                          name);
            return 0;
        }
        if (!check_text(l, value, line))
            return 0;
        add_block(s, AP_TB_TEXT, value, AP_TBL_COUNT, line);
        return 1;
    }
    if (!strcmp(name, "show"))
        return each_item(l, value, line, add_show, s);
    ap_diag_input(l->d, l->path, line, 0,
                  "unknown key '%s' in [section %s]; keys are title, text (or text1, text2 ...), "
                  "show",
                  name, id);
    return 0;
}

static int handler(void *user, const char *section, const char *name, const char *value, long line)
{
    struct load *l = user;
    int ok;
    if (l->bad)
        return 1; /* already reported at its header */
    if (!*section) {
        ap_diag_input(l->d, l->path, line, 0,
                      "'%s' is outside any section; put it under [report] or [section NAME]", name);
        ok = 0;
    } else if (!strcmp(section, "report")) {
        ok = report_key(l, name, value, line);
    } else if (!strncmp(section, "section ", 8) && valid_id(section + 8)) {
        ok = section_key(l, section + 8, name, value, line);
    } else {
        ap_diag_input(l->d, l->path, line, 0,
                      "unknown section '[%s]'; sections are [report] and [section NAME] (NAME in "
                      "lower case letters, digits and '_')",
                      section);
        ok = 0;
    }
    if (!ok)
        l->st = AP_ERR_INPUT;
    return ok;
}

static bool order_section(struct load *l, const char *item, long line, void *arg)
{
    (void)arg;
    struct ap_template *t = l->t;
    for (size_t i = 0; i < t->nsections; i++) {
        if (!strcmp(t->sections[i].id, item)) {
            ap_diag_input(l->d, l->path, line, 0, "section '%s' is listed twice in sections", item);
            return false;
        }
    }
    for (size_t i = 0; i < l->ndefined; i++) {
        if (l->defined[i].id && !strcmp(l->defined[i].id, item)) {
            t->sections = ap_xrealloc(t->sections, (t->nsections + 1) * sizeof *t->sections);
            t->sections[t->nsections++] = l->defined[i];
            memset(&l->defined[i], 0, sizeof l->defined[i]); /* moved */
            return true;
        }
    }
    ap_diag_input(l->d, l->path, line, 0,
                  "section '%s' is listed in sections but there is no [section %s]", item, item);
    return false;
}

static void tsection_free(struct ap_tsection *s)
{
    free(s->id);
    free(s->title);
    for (size_t i = 0; i < s->nblocks; i++)
        free(s->blocks[i].text);
    free(s->blocks);
    memset(s, 0, sizeof *s);
}

/* After the file is read: required keys, section order, defaults. */
static void finish(struct load *l)
{
    struct ap_template *t = l->t;
    if (!l->seen[RK_TITLE]) {
        ap_diag_input(l->d, l->path, 0, 0, "template has no title; add 'title = ...' to [report]");
        l->st = AP_ERR_INPUT;
    }
    if (!l->seen[RK_AUDIENCE]) {
        ap_diag_input(l->d, l->path, 0, 0,
                      "template has no audience; add 'audience = public' or 'audience = "
                      "restricted' to [report]");
        l->st = AP_ERR_INPUT;
    }
    if (l->suppress == 0 && t->public_) {
        ap_diag_input(l->d, l->path, l->seen[RK_SUPPRESS], 0,
                      "a public template must suppress small numbers; remove 'suppress = false' "
                      "or make the audience restricted");
        l->st = AP_ERR_INPUT;
    }
    t->suppress = l->suppress < 0 ? t->public_ : l->suppress == 1;
    if (!l->sections) {
        ap_diag_input(l->d, l->path, 0, 0,
                      "template has no sections; add 'sections = NAME, ...' to [report]");
        l->st = AP_ERR_INPUT;
    } else if (!each_item(l, l->sections, l->seen[RK_SECTIONS], order_section, NULL)) {
        l->st = AP_ERR_INPUT;
    }
    for (size_t i = 0; i < l->ndefined; i++) {
        if (l->defined[i].id) {
            ap_diag_input(l->d, l->path, l->defined[i].line, 0,
                          "[section %s] is not listed in sections; add it to 'sections =' in "
                          "[report] or remove it",
                          l->defined[i].id);
            l->st = AP_ERR_INPUT;
        }
    }
    for (size_t i = 0; i < t->nsections; i++) {
        if (!t->sections[i].title)
            t->sections[i].title = ap_xstrdup(t->sections[i].id);
    }
    if (!l->seen[RK_HEADLINES]) {
        t->nheadlines = AP_ARRAY_LEN(default_headlines);
        t->headlines = ap_xmalloc(sizeof default_headlines);
        memcpy(t->headlines, default_headlines, sizeof default_headlines);
    }
}

static char *template_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 4 && !strcmp(base + n - 4, ".ini"))
        n -= 4;
    return ap_xstrndup(base, n);
}

enum ap_status ap_template_load(const char *path, struct ap_template *t, struct ap_diag *d)
{
    memset(t, 0, sizeof *t);
    t->path = ap_xstrdup(path);
    t->name = template_name(path);
    t->subtitle = ap_xstrdup("");
    t->marking = ap_xstrdup("OFFICIAL");
    t->public_ = true;
    t->suppress_max = 5;
    t->show_ids = false; /* a pack that is emailed carries no identifier of a child */
    struct load l = {.t = t, .path = path, .d = d, .suppress = -1, .st = AP_OK};
    enum ap_status rc = ap_ini_parse_ex(path, handler, header, &l, d);
    if (rc == AP_OK && l.st == AP_OK)
        finish(&l);
    rc = ap_status_worst(rc, l.st);
    for (size_t i = 0; i < l.ndefined; i++)
        tsection_free(&l.defined[i]);
    free(l.defined);
    free(l.sections);
    if (rc != AP_OK)
        ap_template_free(t);
    return rc;
}

void ap_template_free(struct ap_template *t)
{
    if (!t)
        return;
    free(t->path);
    free(t->name);
    free(t->title);
    free(t->subtitle);
    free(t->marking);
    free(t->headlines);
    for (size_t i = 0; i < t->nsections; i++)
        tsection_free(&t->sections[i]);
    free(t->sections);
    memset(t, 0, sizeof *t);
}

/* The running program's path (Linux), or NULL; caller owns. */
static char *self_path(void)
{
    size_t n = 256;
    for (;;) {
        char *buf = ap_xmalloc(n);
        ssize_t got = readlink("/proc/self/exe", buf, n);
        if (got < 0) {
            free(buf);
            return NULL;
        }
        if ((size_t)got < n) {
            buf[got] = '\0';
            return buf;
        }
        free(buf);
        n *= 2;
    }
}

/* The folders searched for a template NAME, in order (caller frees each):
 *   $ACTIONPLAN_TEMPLATE_DIR, if set;
 *   the source tree's templates/, only when this program is the build's own
 *   binary (an uninstalled build: the tests, a developer; the unit tests set
 *   ACTIONPLAN_TEMPLATE_DIR instead);
 *   ../share/actionplan/templates beside the program (an install under any
 *   --prefix), and the configured install folder. */
static size_t template_dirs(char *dirs[4])
{
    size_t n = 0;
    const char *env = getenv("ACTIONPLAN_TEMPLATE_DIR");
    if (env && *env)
        dirs[n++] = ap_xstrdup(env);
    char *self = self_path();
    if (self && *AP_BUILD_BINARY && !strcmp(self, AP_BUILD_BINARY))
        dirs[n++] = ap_xstrdup(AP_SOURCE_TEMPLATES);
    char *slash = self ? strrchr(self, '/') : NULL;
    if (slash) {
        *slash = '\0';
        dirs[n++] = ap_xasprintf("%s/../share/actionplan/templates", self);
    }
    free(self);
    dirs[n++] = ap_xstrdup(AP_INSTALLED_TEMPLATES);
    return n;
}

enum ap_status ap_template_find(const char *arg, char **path_out, struct ap_diag *d)
{
    *path_out = NULL;
    size_t n = strlen(arg);
    if (strchr(arg, '/') || (n >= 4 && !strcmp(arg + n - 4, ".ini"))) {
        if (access(arg, R_OK) != 0) {
            ap_diag_input(d, NULL, 0, 0, "cannot read template '%s': %s", arg, strerror(errno));
            return AP_ERR_INPUT;
        }
        *path_out = ap_xstrdup(arg);
        return AP_OK;
    }
    if (!valid_id(arg)) {
        ap_diag_input(d, NULL, 0, 0,
                      "template name '%s' is not valid; give a name such as 'cabinet' or a path "
                      "to an .ini file",
                      arg);
        return AP_ERR_INPUT;
    }
    char *dirs[4];
    size_t ndirs = template_dirs(dirs);
    for (size_t i = 0; i < ndirs && !*path_out; i++) {
        char *p = ap_xasprintf("%s/%s.ini", dirs[i], arg);
        if (access(p, R_OK) == 0)
            *path_out = p;
        else
            free(p);
    }
    if (!*path_out) {
        struct ap_buf where = AP_BUF_INIT;
        for (size_t i = 0; i < ndirs; i++)
            ap_buf_addf(&where, "%s%s", i == 0 ? "" : i + 1 == ndirs ? " and " : ", ", dirs[i]);
        ap_diag_input(d, NULL, 0, 0,
                      "no template called '%s' (looked in %s); the shipped templates are "
                      "'cabinet' and 'board', or give a path to an .ini file",
                      arg, where.buf);
        ap_buf_release(&where);
    }
    for (size_t i = 0; i < ndirs; i++)
        free(dirs[i]);
    return *path_out ? AP_OK : AP_ERR_INPUT;
}
