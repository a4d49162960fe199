/*
 * ap_template: report templates (INI, read through ap_ini_parse). A template
 * decides the title, audience, protective marking, suppression, the headline
 * figures, and the sections in order with their narrative and blocks:
 *
 *   [report]
 *   title        = Child Sexual Exploitation Action Plan: progress report
 *   subtitle     = Report to Cabinet
 *   audience     = public | restricted
 *   marking      = OFFICIAL
 *   suppress     = true | false     (default: true for public, false for restricted;
 *                                    a public template cannot turn it off)
 *   suppress_max = 5                (k: counts 1..k become [c])
 *   show_ids     = false            (true: the data_quality_detail table lists the
 *                                    case-system ids of the records to look at;
 *                                    default false, so a pack that is emailed carries
 *                                    no identifier of a child: `check` gives them)
 *   headlines    = children_supported, active_cases, ...   (catalogue metric names)
 *   sections     = purpose, summary, ...                    (order of the report)
 *
 *   [section purpose]
 *   title = Purpose of this report
 *   text  = A paragraph with {placeholders}.     (repeatable; text1, text2 ... too)
 *   show  = headlines | chart | notes | TABLE-ID  (repeatable, or a comma list)
 *
 * text and show lines become blocks in the order written. Placeholders are
 * {metric} for any catalogue metric, {metric.SUFFIX} (see ap_template_suffixes)
 * and the report values in ap_template_values; "{{" and "}}" write braces.
 * Every unknown section, key, block or placeholder is an error at file:line.
 */
#ifndef AP_TEMPLATE_H
#define AP_TEMPLATE_H

/* Sections one template may define: a report has about ten; the limit keeps a
 * hostile file from costing unbounded time and pages. */
#define AP_TEMPLATE_MAX_SECTIONS 64

#include <stdbool.h>
#include <stddef.h>

#include "ap_diag.h"
#include "ap_metrics.h"
#include "ap_util.h"

/* The tables a template can show, by stable id (also the XLSX sheet name). */
enum ap_table_kind {
    AP_TBL_SUMMARY,
    AP_TBL_TREND,
    AP_TBL_REFERRAL_SOURCES,
    AP_TBL_RISK_LEVELS,
    AP_TBL_CLOSURE_REASONS,
    AP_TBL_GENDER,
    AP_TBL_ETHNICITY,
    AP_TBL_AREA,
    AP_TBL_AGE_BANDS,
    AP_TBL_PERPETRATORS,
    AP_TBL_PERPETRATOR_ACTIONS,
    AP_TBL_MISSING,
    AP_TBL_ACTION_PLAN,
    AP_TBL_DATA_QUALITY,
    AP_TBL_DATA_QUALITY_DETAIL,
    AP_TBL_DEFINITIONS,
    AP_TBL_COUNT
};
extern const char *const ap_table_kind_ids[AP_TBL_COUNT];

enum ap_tblock_kind {
    AP_TB_TEXT,      /* a paragraph with placeholders */
    AP_TB_HEADLINES, /* the headline panel */
    AP_TB_TABLE,     /* one table */
    AP_TB_CHART,     /* the trend chart */
    AP_TB_NOTES      /* the notes ([c], [z], [x], suppression), one paragraph each */
};

struct ap_tblock {
    enum ap_tblock_kind kind;
    char *text;               /* AP_TB_TEXT: owned, placeholders unexpanded */
    enum ap_table_kind table; /* AP_TB_TABLE */
    long line;                /* where it was written */
};

struct ap_tsection {
    char *id;    /* owned: the NAME of [section NAME] */
    char *title; /* owned: "Purpose of this report" (the model numbers it) */
    long line;   /* of the section's first key */
    size_t nblocks;
    struct ap_tblock *blocks; /* owned */
};

struct ap_template {
    char *path;       /* owned: the file read */
    char *name;       /* owned: file name without folder and ".ini": "cabinet" */
    char *title;      /* owned */
    char *subtitle;   /* owned; "" if not given */
    char *marking;    /* owned: "OFFICIAL" */
    bool public_;     /* audience = public */
    bool suppress;    /* small-number suppression on */
    int suppress_max; /* k */
    bool show_ids;    /* case-system ids beside the data-quality checks (default false) */
    size_t nheadlines;
    enum ap_metric_id *headlines; /* owned: in order */
    size_t nsections;
    struct ap_tsection *sections; /* owned: in the order of `sections =` */
};

/* Report values a placeholder may name besides the metrics: {period} etc. */
extern const char *const ap_template_values[];
extern const size_t ap_template_nvalues;
/* Suffixes after a metric name: {active_cases.change} etc. */
extern const char *const ap_template_suffixes[];
extern const size_t ap_template_nsuffixes;

/* Resolve --template: a NAME is looked up as NAME.ini in $ACTIONPLAN_TEMPLATE_DIR,
 * then the source tree's templates/ (only when the program is the build's own
 * binary), then share/actionplan/templates beside the installed program and in
 * the configured prefix; an argument containing '/' or ending in ".ini" is a
 * path used as given. *path_out is owned by the caller. Not found is an input
 * error naming the places looked in. */
enum ap_status ap_template_find(const char *arg, char **path_out, struct ap_diag *d);

/* Load and check a template. On failure *t is left empty (safe to free). */
enum ap_status ap_template_load(const char *path, struct ap_template *t, struct ap_diag *d);

void ap_template_free(struct ap_template *t); /* NULL ok; leaves *t zeroed */

/* Whether a placeholder name (what is between the braces) is known. */
bool ap_template_placeholder_known(const char *name);

/* Expand text: each {name} is replaced by what fill appends to out (fill
 * returns false to report an unknown name, which then fails the expansion with
 * AP_ERR_INPUT); "{{" and "}}" give single braces. */
typedef bool (*ap_placeholder_fill)(void *user, const char *name, struct ap_buf *out);
enum ap_status ap_template_expand(const char *text, ap_placeholder_fill fill, void *user,
                                  struct ap_buf *out);

#endif
