/*
 * ap_report: the report model. Plain data built once from the metrics and a
 * template, already suppressed and formatted where formatting is a decision (a
 * "[c]" is decided here, once). Renderers take `const struct ap_report *` and
 * never compute a figure. The model owns all its strings; ap_report_free()
 * releases everything.
 */
#ifndef AP_REPORT_H
#define AP_REPORT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ap_config.h"
#include "ap_diag.h"
#include "ap_period.h"

enum ap_cell_kind {
    AP_CELL_EMPTY,  /* nothing (e.g. no rate because no population was given) */
    AP_CELL_TEXT,   /* text; in XLSX always a string, never a formula */
    AP_CELL_NUMBER, /* value is the number; text its display form ("1,234", "45.5%") */
    AP_CELL_MARKER, /* "[c]", "[z]" or "[x]": text only, explained in the notes */
    AP_CELL_DATE    /* value is an ap_day; text "31 Mar 2017" */
};

enum ap_numfmt {
    AP_NUM_COUNT,   /* whole number, thousands separators */
    AP_NUM_CHANGE,  /* signed whole number: "+3", "-2", "0" */
    AP_NUM_PERCENT, /* value is a fraction 0..1; shown with one decimal: "45.5%" */
    AP_NUM_RATE     /* per 10,000; one decimal */
};

/* Colour decisions, made in the model; renderers map them to colours and must
 * also show the meaning in words (text carries the word). */
enum ap_tone {
    AP_TONE_NONE,
    AP_TONE_GOOD,    /* direction of travel that is good news */
    AP_TONE_BAD,     /* direction of travel that is bad news */
    AP_TONE_NEUTRAL, /* a change that is neither */
    AP_TONE_RED,     /* RAG */
    AP_TONE_AMBER,
    AP_TONE_GREEN
};

/*
 * Figure keys. Every cell that publishes a figure (a count, a percentage, a
 * change or a rate, shown as a number or as a marker) carries a key that says
 * which figure it is, the same wherever the figure appears (the headline,
 * the summary table, the trend, a breakdown's total, the narrative):
 *
 *     METRIC[.CATEGORY]|START|END|KIND
 *
 *   METRIC    the catalogue name (ap_metric_defs): "active_cases"; a
 *             breakdown's total is the metric it divides up ("closed_cases"
 *             for closure reasons; "perpetrator_actions" has none of its own);
 *             a data-quality count is "check.CODE" ("check.bad_date")
 *   CATEGORY  a breakdown's stored value ("risk_reduced", an area's name)
 *   START/END the period's first and last day, YYYY-MM-DD
 *   KIND      count; percent (of the breakdown's total, or for return
 *             interviews of the missing episodes); change_prev (since the
 *             previous period); change_year (since the same period a year
 *             before); rate (per 10,000 children)
 *
 * Bytes of METRIC and CATEGORY outside [A-Za-z0-9_-] are written %XX
 * (upper-case hex), so a key holds no space, '.' or '|' of its own:
 * "area.North%20Shire|2017-01-01|2017-03-31|count". Keys are stable: a later
 * report names the same figure of the same period with the same key.
 */
struct ap_cell {
    enum ap_cell_kind kind;
    enum ap_numfmt fmt; /* for AP_CELL_NUMBER */
    double value;       /* for AP_CELL_NUMBER and AP_CELL_DATE */
    char *text;         /* display text; never NULL ("" for empty) */
    enum ap_tone tone;
    char *key;    /* figure key (above), or NULL for a cell that is not a figure */
    bool revised; /* differs from the latest published report: text ends AP_REVISED_SUFFIX */
};

/* The mark after a revised figure's text: "53 [r]". */
#define AP_REVISED_SUFFIX " [r]"

struct ap_column {
    char *heading; /* one header row: "Quarter", "Children supported" */
    bool numeric;  /* right-aligned; the column holds numbers or markers */
    double width;  /* relative width hint in characters (XLSX column width, PDF share) */
};

/* One table: one XLSX sheet, one PDF table. No merged cells, no blank rows. */
struct ap_table {
    char *id;          /* stable short id, a valid sheet name: "summary", "trend", "area" */
    char *title;       /* "Table 2: Children supported in the quarter, by age" */
    char *description; /* one sentence said above the table */
    size_t ncols;
    struct ap_column *cols;
    size_t nrows;
    struct ap_cell *cells; /* row-major: cells[row * ncols + col] */
};

static inline const struct ap_cell *ap_table_cell(const struct ap_table *t, size_t row, size_t col)
{
    return &t->cells[row * t->ncols + col];
}

/* A line chart over categories (quarters). Its data is also a table. */
struct ap_series {
    char *name;
    double *values; /* ncats values */
    bool *missing;  /* ncats flags: suppressed or not available, drawn as a gap */
};

struct ap_chart {
    char *title;
    char *y_title;
    size_t table;     /* index into report tables holding the same data */
    size_t first_col; /* the table's column of the first series; columns follow in order */
    size_t ncats;
    char **categories; /* "2016/17 Q4": the trend's periods */
    size_t nseries;
    struct ap_series *series;
    /* The text alternative, one for every renderer (ap_chart_describe): what
     * the chart is, then one sentence per series (where it began and ended,
     * its highest and lowest points between, the periods with no figure). */
    char *alt_intro;   /* "A line chart with two lines, from 2015/16 Q1 to 2016/17 Q4." */
    char **alt_series; /* nseries sentences: "New cases: rose from 9 in ... to 12 in ...." */
};

struct ap_headline {
    char *metric;               /* catalogue name */
    char *label;                /* "Children supported since the team began" */
    struct ap_cell value;       /* the figure (or a marker) */
    struct ap_cell change_prev; /* against the previous period (AP_NUM_CHANGE or a marker) */
    struct ap_cell change_year; /* against the same period a year earlier; AP_CELL_EMPTY
                                   when that is the previous period (see change_year_label) */
    char *direction;            /* "up", "down", "no change" or "" when not comparable */
    char *verdict;              /* "better", "worse" (from the tone) or "" */
    enum ap_tone tone;          /* colour of the direction, from the metric's polarity */
    struct ap_cell rate;        /* per 10,000 children, or AP_CELL_EMPTY */
};

enum ap_block_kind {
    AP_BLOCK_PARAGRAPH, /* text: narrative, placeholders already filled */
    AP_BLOCK_HEADLINES, /* the headline panel */
    AP_BLOCK_TABLE,     /* index: into tables */
    AP_BLOCK_CHART      /* index: into charts */
};

struct ap_block {
    enum ap_block_kind kind;
    char *text;   /* AP_BLOCK_PARAGRAPH */
    size_t index; /* AP_BLOCK_TABLE / AP_BLOCK_CHART */
};

struct ap_section {
    char *id;    /* template section name: "purpose" */
    char *title; /* "1. Purpose of this report" */
    size_t nblocks;
    struct ap_block *blocks;
};

/* What suppression hid in a public report, counted in distinct counts (a
 * count shown in three tables is one), and what its audit found. */
struct ap_disclosure {
    bool audited;         /* the disclosure audit ran and cleared the report */
    size_t primary;       /* counts hidden because they are from 1 to k */
    size_t secondary;     /* counts hidden so that a small one cannot be worked out */
    size_t audit;         /* of those, the ones the audit added */
    size_t cells;         /* cells shown as [c], counted where they appear */
    size_t rounds;        /* audit rounds (each hid one more count) */
    unsigned long solves; /* linear programs solved */
    char *line; /* "cabinet: 23 counts hidden (...); none can be worked out..."; or NULL */
};

struct ap_note {
    char *marker; /* "[c]", "[z]", "[x]", or "" for a general note */
    char *text;
};

struct ap_report {
    char *title;    /* "Child Sexual Exploitation Action Plan: progress report" */
    char *subtitle; /* "Report to Cabinet" */
    char *organisation;
    char *team;
    char *period_label; /* "2016/17 Q4 (1 January 2017 to 31 March 2017)" */
    char *period_code;  /* "2016/17-Q4", "2016/17", "2017-01" or "2017-01-01_2017-03-31" */
    char *period_kind;  /* "quarter", "month", "year" or "range" */
    /* The headline comparisons, as their labels read: "Since the previous
     * quarter", "Since 2015/16", "Since the 9 months before"; and "Since the
     * same quarter last year", or "" when the previous period is the one a
     * year earlier (a year's report), whose change_year cells are then empty. */
    char *change_prev_label;
    char *change_year_label;
    char *data_as_at;    /* "31 March 2017" */
    char *marking;       /* "OFFICIAL", "OFFICIAL-SENSITIVE", or a SAMPLE marking */
    char *audience;      /* "public" or "restricted" */
    char *template_name; /* "cabinet" */
    char *author;        /* document metadata */
    char *subject;
    char *keywords;
    char *contact; /* contact line, may be "" */
    char *logo;    /* image path or NULL */
    char *font;    /* TrueType paths for the PDF */
    char *font_bold;
    bool sample;                     /* synthetic data: say so */
    bool suppressed;                 /* small-number suppression applied */
    int suppress_max;                /* k */
    int64_t created;                 /* seconds since the epoch (SOURCE_DATE_EPOCH when set) */
    struct ap_disclosure disclosure; /* public report: what its audit hid; else the twin's */

    size_t nheadlines;
    struct ap_headline *headlines;
    size_t ntables;
    struct ap_table *tables;
    size_t ncharts;
    struct ap_chart *charts;
    size_t nsections;
    struct ap_section *sections;
    size_t nnotes;
    struct ap_note *notes;
};

struct ap_template; /* ap_template.h */

/* Build the model for period p from the database (read-only), the config and a
 * loaded template. *out is owned by the caller; release with ap_report_free. */
enum ap_status ap_report_build(sqlite3 *db, const struct ap_period *p, const struct ap_config *cfg,
                               const struct ap_template *t, struct ap_report *out,
                               struct ap_diag *d);

void ap_report_free(struct ap_report *r); /* NULL ok */

/* Renderers (ap_render_*.c). The PDF, XLSX and HTML ones write to path as given
 * (the caller supplies a temporary name and renames; see ap_atomic.h). Their
 * messages name shown (the file the user asked for), or path when it is NULL. */
enum ap_status ap_render_text(const struct ap_report *r, FILE *out);
enum ap_status ap_render_pdf(const struct ap_report *r, const char *path, const char *shown,
                             struct ap_diag *d);
enum ap_status ap_render_xlsx(const struct ap_report *r, const char *path, const char *shown,
                              struct ap_diag *d);
/* One self-contained, accessible HTML page (no script, no network). */
enum ap_status ap_render_html(const struct ap_report *r, const char *path, const char *shown,
                              struct ap_diag *d);

/* Every text of the model (title, headlines, tables, charts, sections, notes) must
 * be valid UTF-8 before a renderer draws it: calls bad(ctx, text, where) for each
 * one that is not, with where naming it ("table 'summary' row 2 column 3"), and
 * reports through d a section that names a table or chart the model lacks.
 * True when all is well. The renderers word the message for their output. */
bool ap_report_check_text(const struct ap_report *r,
                          void (*bad)(void *ctx, const char *s, const char *where), void *ctx,
                          struct ap_diag *d);

#endif
