/*
 * cmd_workbook: `actionplan workbook FILE.xlsx`, a blank input workbook for a
 * team that keeps its records in Excel. One sheet per table, named after it,
 * with our column names as headers (so a filled-in copy imports with no
 * profile), a drop-down list of the report labels on every enumerated column,
 * date validation and a date format on date columns, a frozen header row, and
 * a notes sheet explaining each column. Long label lists live on a hidden
 * "lists" sheet (Excel caps an inline list at 255 characters). The file is
 * written under a temporary name and renamed, mode 0600: filled in, it holds
 * case data.
 */
#include <assert.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <xlsxwriter.h>

/* libxlsxwriter 1.1.4 never frees its copy of a list validation's formula
 * (17 bytes, once per run): under the leak checker that one allocation is
 * left out, so that every other leak still fails the tests. */
#if defined(__SANITIZE_ADDRESS__)
#define AP_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AP_LSAN 1
#endif
#endif
#ifdef AP_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#include "ap_atomic.h"
#include "ap_cli.h"
#include "ap_db.h"
#include "ap_enum.h"
#include "ap_lxw.h"
#include "ap_schema.h"
#include "commands.h"

static const struct ap_cli_cmd workbook_cmd = {
    .name = "workbook",
    .synopsis = "[--force] FILE.xlsx",
    .description =
        "Writes a blank workbook for a team that keeps its records in Excel: one sheet per\n"
        "table with the column headers, drop-down lists of the allowed values, date checks,\n"
        "and a notes sheet explaining every column. Once filled in it imports as it is:\n"
        "  actionplan import FILE.xlsx\n"
        "The file is readable and writable only by you (mode 0600), since it will hold case\n"
        "data.\n",
    .takes_args = true,
};

static const char *const intro[] = {
    "How to use this workbook",
    "",
    "Each sheet holds one kind of record: children, their cases, missing episodes, "
    "perpetrators and the actions taken against them, and the action plan with its updates.",
    "Enter one record per row under the headings in row 1. Do not rename, move or delete "
    "the headings: actionplan finds each column by its heading.",
    "Where a column has a drop-down list, choose from it. Dates are checked as you type "
    "them; type them as you normally would, such as 05/03/2024.",
    "Columns marked Required must be filled in on every row. Leave other cells empty when "
    "you do not know.",
    "Only the columns below are read. Do not add names, addresses or notes about children: "
    "anything else in the workbook is ignored and never stored.",
    "When the workbook is ready:  actionplan import FILE.xlsx",
};

#define LAST_ROW 1048575 /* validation runs to the last row Excel has (0-based) */
#define LIST_MAX 255     /* Excel's limit on an inline list, in characters */

struct wb {
    lxw_workbook *wb;
    lxw_worksheet *lists; /* hidden sheet of long label lists, made when needed */
    lxw_col_t lists_next; /* next free column of lists */
    lxw_format *header, *date, *datetime, *text, *wrap, *bold;
    const char *path; /* for messages */
    struct ap_diag *d;
};

static bool failed(struct wb *w, lxw_error e, const char *what)
{
    if (e == LXW_NO_ERROR)
        return false;
    char words[160];
    ap_lxw_words(e, words);
    ap_diag_report(w->d, AP_ERROR, AP_ERR_IO, w->path, 0, 0, "cannot build the workbook: %s: %s",
                   what, words);
    return true;
}

/* The labels of e joined with commas, and whether they fit an inline list. */
static bool inline_list(enum ap_enum_id e)
{
    const struct ap_enum *en = &ap_enums[e];
    size_t n = 0;
    for (size_t i = 0; i < en->n; i++) {
        if (strchr(en->labels[i], ','))
            return false;
        n += strlen(en->labels[i]) + (i ? 1 : 0);
    }
    return n <= LIST_MAX;
}

/* A drop-down of e's labels on column c of ws: inline, or a range of the lists sheet. */
static bool put_list(struct wb *w, lxw_worksheet *ws, lxw_col_t c, enum ap_enum_id e)
{
    const struct ap_enum *en = &ap_enums[e];
    lxw_data_validation dv = {0};
    char *formula = NULL;
    const char **labels = ap_xcalloc(en->n + 1, sizeof *labels);
    for (size_t i = 0; i < en->n; i++)
        labels[i] = en->labels[i];
    if (inline_list(e)) {
        dv.validate = LXW_VALIDATION_TYPE_LIST;
        dv.value_list = (char **)labels;
    } else {
        assert(w->lists); /* made in build() when some list is long */
        lxw_col_t lc = w->lists_next++;
        bool ok = !failed(w, worksheet_write_string(w->lists, 0, lc, en->column, w->bold),
                          "writing the lists sheet");
        for (size_t i = 0; ok && i < en->n; i++)
            ok = !failed(
                w, worksheet_write_string(w->lists, (lxw_row_t)(i + 1), lc, en->labels[i], NULL),
                "writing the lists sheet");
        if (!ok) {
            free(labels);
            return false;
        }
        char col[8];
        lxw_col_to_name(col, lc, LXW_FALSE);
        formula = ap_xasprintf("=lists!$%s$2:$%s$%zu", col, col, en->n + 1);
        dv.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
        dv.value_formula = formula;
    }
    dv.ignore_blank = LXW_VALIDATION_ON;
    dv.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
    dv.error_title = "Not one of the listed values";
    dv.error_message = "Choose a value from the drop-down list. The notes sheet lists them.";
#ifdef AP_LSAN
    if (formula)
        __lsan_disable();
#endif
    lxw_error e2 = worksheet_data_validation_range(ws, 1, c, LAST_ROW, c, &dv);
#ifdef AP_LSAN
    if (formula)
        __lsan_enable();
#endif
    free(formula);
    free(labels);
    return !failed(w, e2, "adding a drop-down list");
}

static bool put_date_check(struct wb *w, lxw_worksheet *ws, lxw_col_t c, bool with_time)
{
    lxw_data_validation dv = {0};
    dv.validate = LXW_VALIDATION_TYPE_DATE;
    dv.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
    dv.minimum_datetime = (lxw_datetime){1900, 1, 1, 0, 0, 0};
    dv.maximum_datetime = (lxw_datetime){2199, 12, 31, 23, 59, 59};
    dv.ignore_blank = LXW_VALIDATION_ON;
    dv.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
    dv.error_title = with_time ? "Not a date and time" : "Not a date";
    dv.error_message = with_time ? "Type a date and time, such as 05/03/2024 22:15."
                                 : "Type a date, such as 05/03/2024.";
    return !failed(w, worksheet_data_validation_range(ws, 1, c, LAST_ROW, c, &dv),
                   "adding a date check");
}

/* Width of a column in characters: its heading or its longest label, within reason. */
static double width_of(enum ap_table_id t, const struct ap_coldef *col)
{
    size_t n = strlen(col->name) + 3;
    if (col->kind == AP_K_ENUM)
        for (size_t i = 0; i < ap_enums[col->en].n; i++)
            if (strlen(ap_enums[col->en].labels[i]) + 4 > n)
                n = strlen(ap_enums[col->en].labels[i]) + 4;
    if (col->kind == AP_K_DATE && n < 12)
        n = 12;
    if (col->kind == AP_K_DATETIME && n < 18)
        n = 18;
    if (col->kind == AP_K_TEXT && n < 14)
        n = 14;
    if (!strcmp(col->name, "commentary") || (t == AP_T_ACTION_PLAN && !strcmp(col->name, "action")))
        n = 60;
    return n > 60 ? 60 : (double)n;
}

static bool put_table(struct wb *w, lxw_worksheet *ws, enum ap_table_id t)
{
    for (size_t i = 0; i < ap_schema[t].ncols; i++) {
        const struct ap_coldef *col = &ap_schema[t].cols[i];
        lxw_col_t c = (lxw_col_t)i;
        lxw_format *f = col->kind == AP_K_DATE       ? w->date
                        : col->kind == AP_K_DATETIME ? w->datetime
                        : col->kind == AP_K_TEXT     ? w->text
                                                     : NULL;
        if (failed(w, worksheet_write_string(ws, 0, c, col->name, w->header),
                   "writing a heading") ||
            failed(w, worksheet_set_column(ws, c, c, width_of(t, col), f), "setting a column"))
            return false;
        bool ok = true;
        if (col->kind == AP_K_ENUM)
            ok = put_list(w, ws, c, col->en);
        else if (col->kind == AP_K_DATE || col->kind == AP_K_DATETIME)
            ok = put_date_check(w, ws, c, col->kind == AP_K_DATETIME);
        if (!ok)
            return false;
    }
    worksheet_freeze_panes(ws, 1, 0);
    return true;
}

static const char *kind_words(const struct ap_coldef *col)
{
    static const char *const words[] = {
        [AP_K_TEXT] = "Text",
        [AP_K_ENUM] = "Choose from the list",
        [AP_K_DATE] = "Date",
        [AP_K_DATETIME] = "Date and time",
    };
    return words[col->kind];
}

static bool put_notes(struct wb *w, lxw_worksheet *ws)
{
    lxw_row_t r = 0;
    for (size_t i = 0; i < AP_ARRAY_LEN(intro); i++, r++)
        if (failed(w, worksheet_write_string(ws, r, 0, intro[i], i == 0 ? w->bold : NULL),
                   "writing the notes"))
            return false;
    r++;
    static const char *const heads[] = {"Sheet",         "Column",        "Required",
                                        "What to enter", "Kind of value", "Allowed values"};
    lxw_row_t head_row = r;
    for (lxw_col_t c = 0; c < AP_ARRAY_LEN(heads); c++)
        if (failed(w, worksheet_write_string(ws, r, c, heads[c], w->header), "writing the notes"))
            return false;
    r++;
    for (int t = 0; t < AP_T_COUNT; t++) {
        for (size_t i = 0; i < ap_schema[t].ncols; i++, r++) {
            const struct ap_coldef *col = &ap_schema[t].cols[i];
            struct ap_buf allowed = AP_BUF_INIT;
            if (col->kind == AP_K_ENUM) {
                const struct ap_enum *en = &ap_enums[col->en];
                for (size_t k = 0; k < en->n; k++)
                    ap_buf_addf(&allowed, "%s%s", k ? "; " : "", en->labels[k]);
            }
            bool ok =
                !failed(w, worksheet_write_string(ws, r, 0, ap_table_names[t], NULL),
                        "writing the notes") &&
                !failed(w, worksheet_write_string(ws, r, 1, col->name, NULL),
                        "writing the notes") &&
                !failed(w, worksheet_write_string(ws, r, 2, col->required ? "Required" : "", NULL),
                        "writing the notes") &&
                !failed(w, worksheet_write_string(ws, r, 3, col->note, w->wrap),
                        "writing the notes") &&
                !failed(w, worksheet_write_string(ws, r, 4, kind_words(col), NULL),
                        "writing the notes") &&
                (!allowed.len || !failed(w, worksheet_write_string(ws, r, 5, allowed.buf, w->wrap),
                                         "writing the notes"));
            ap_buf_release(&allowed);
            if (!ok)
                return false;
        }
    }
    static const double widths[] = {20, 24, 10, 60, 20, 60};
    for (lxw_col_t c = 0; c < AP_ARRAY_LEN(widths); c++)
        if (failed(w, worksheet_set_column(ws, c, c, widths[c], NULL), "setting a column"))
            return false;
    worksheet_freeze_panes(ws, head_row + 1, 0);
    return true;
}

static void make_formats(struct wb *w)
{
    w->header = workbook_add_format(w->wb);
    format_set_bold(w->header);
    format_set_bg_color(w->header, 0xD9E1F2);
    format_set_bottom(w->header, LXW_BORDER_THIN);
    w->bold = workbook_add_format(w->wb);
    format_set_bold(w->bold);
    w->date = workbook_add_format(w->wb);
    format_set_num_format(w->date, "dd/mm/yyyy");
    w->datetime = workbook_add_format(w->wb);
    format_set_num_format(w->datetime, "dd/mm/yyyy hh:mm");
    w->text = workbook_add_format(w->wb); /* ids such as 00123 keep their zeros */
    format_set_num_format(w->text, "@");
    w->wrap = workbook_add_format(w->wb);
    format_set_text_wrap(w->wrap);
    format_set_align(w->wrap, LXW_ALIGN_VERTICAL_TOP);
}

/* Build the workbook into tmp (libxlsxwriter writes it at close). */
static enum ap_status build(const char *tmp, const char *path, struct ap_diag *d)
{
    struct wb w = {0};
    w.path = path;
    w.d = d;
    lxw_workbook_options opt = {0};
    w.wb = workbook_new_opt(tmp, &opt);
    if (!w.wb) {
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, path, 0, 0, "cannot start the workbook");
        return AP_ERR_IO;
    }
    make_formats(&w);
    /* The sheets in the order the team sees them: the tables, the notes, then
     * the hidden lists (only when some list is too long to write inline). */
    lxw_worksheet *sheets[AP_T_COUNT], *notes;
    bool ok = true, need_lists = false;
    for (int t = 0; ok && t < AP_T_COUNT; t++)
        ok = (sheets[t] = workbook_add_worksheet(w.wb, ap_table_names[t])) != NULL;
    ok = ok && (notes = workbook_add_worksheet(w.wb, "notes")) != NULL;
    for (int t = 0; t < AP_T_COUNT; t++)
        for (size_t i = 0; i < ap_schema[t].ncols; i++)
            need_lists = need_lists || (ap_schema[t].cols[i].kind == AP_K_ENUM &&
                                        !inline_list(ap_schema[t].cols[i].en));
    if (ok && need_lists) {
        ok = (w.lists = workbook_add_worksheet(w.wb, "lists")) != NULL;
        if (ok)
            worksheet_hide(w.lists);
    }
    if (!ok)
        failed(&w, LXW_ERROR_MEMORY_MALLOC_FAILED, "adding the sheets");
    for (int t = 0; ok && t < AP_T_COUNT; t++)
        ok = put_table(&w, sheets[t], (enum ap_table_id)t);
    ok = ok && put_notes(&w, notes);
    lxw_doc_properties p = {0};
    p.title = "Input workbook for actionplan";
    p.comments = "One sheet per table; see the notes sheet. Holds case data once filled in.";
    /* A fixed creation time (SOURCE_DATE_EPOCH) makes reruns byte-identical. */
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    long epoch;
    p.created = sde && ap_parse_long(sde, 0, 253402300799L, &epoch) ? (time_t)epoch : time(NULL);
    ok = ok && !failed(&w, workbook_set_properties(w.wb, &p), "setting the properties");
    if (!ok) {
        lxw_workbook_free(w.wb);
        return AP_ERR_IO;
    }
    return ap_lxw_close(w.wb, path, d); /* frees it whatever happens */
}

int cmd_workbook(int argc, char **argv)
{
    bool force = false;
    const struct ap_option options[] = {
        AP_OPT_BOOL("force", 0, &force, "replace FILE if it exists"),
        AP_OPT_END,
    };
    int nargs, rc;
    if (!ap_cli_parse(&workbook_cmd, options, argc, argv, &nargs, &rc))
        return rc;
    if (nargs == 0)
        return ap_cli_usage_error("workbook", "give the workbook to write, such as cases.xlsx");
    if (nargs > 1)
        return ap_cli_usage_error("workbook", "unexpected argument '%s'", argv[2]);
    const char *path = argv[1];
    size_t n = strlen(path);
    if (n < 5 || ap_strcasecmp(path + n - 5, ".xlsx"))
        return ap_cli_usage_error("workbook",
                                  "the name '%s' does not end in .xlsx, which Excel "
                                  "needs to open it",
                                  path);

    struct ap_diag d;
    ap_diag_init(&d);
    struct stat sb;
    if (stat(path, &sb) == 0) {
        if (!S_ISREG(sb.st_mode)) {
            ap_diag_report(&d, AP_ERROR, AP_ERR_USAGE, path, 0, 0,
                           "is not a regular file; give the name of a new workbook");
            return AP_ERR_USAGE;
        }
        if (!force) {
            ap_diag_report(&d, AP_ERROR, AP_ERR_USAGE, path, 0, 0,
                           "already exists and may hold records; give --force to replace it "
                           "with a blank workbook");
            return AP_ERR_USAGE;
        }
    }
    /* libxlsxwriter prints numbers through the C library: keep '.' as the point. */
    setlocale(LC_NUMERIC, "C");
    struct ap_atomic at = {0};
    enum ap_status st = ap_atomic_begin(&at, path, &d);
    if (st == AP_OK)
        st = build(at.tmp, path, &d);
    if (st == AP_OK)
        st = ap_atomic_commit(&at, 0600, &d);
    ap_atomic_abort(&at);
    if (st == AP_OK)
        printf("wrote a blank input workbook to %s: one sheet per table, and notes on every "
               "column\n",
               path);
    return st;
}
