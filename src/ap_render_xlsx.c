/*
 * ap_render_xlsx: the report model as an XLSX workbook (libxlsxwriter), laid out
 * as the Government Analysis Function's "Releasing statistics in spreadsheets"
 * advises: a Cover sheet, a Contents sheet (linked), a Notes sheet, then one
 * sheet per model table holding exactly one Excel table (one header row, no
 * merged cells, no blank rows, numbers as numbers, markers as text). The trend
 * table gets a native line chart; RAG columns get conditional formats as well as
 * their words. Every libxlsxwriter call is checked and the first failure is
 * reported through ap_diag; nothing is computed here, only placed.
 */
#include "ap_report.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <xlsxwriter.h>

#include "ap_lxw.h"
#include "ap_util.h"

/* Rows on a table sheet: title, description, a sentence on the rows, then the
 * table's header row. */
#define ROW_TITLE 0
#define ROW_DESC 1
#define ROW_INFO 2
#define ROW_HEADER 3

#define SHEET_NAME_MAX 31
#define EXCEL_DATE_1970 25569.0 /* Excel's serial number of 1970-01-01 */
#define COL_WIDTH_MIN 8.0
#define COL_WIDTH_MAX 80.0
#define COVER_WIDTH 72.0     /* the Cover's one column: fits portrait A4 */
#define NOTES_WIDTH 70.0     /* the Notes sheet's explanation column */
#define LINE_HEIGHT 15.0     /* points per line of 11 pt text */
#define ROW_HEIGHT_MAX 409.0 /* Excel's limit */
#define CHART_ROWS 20        /* rows a chart covers, with a spare one below */

/* Cell styles: one lxw_format per (style, font tone, wrap), made on first use. */
enum style {
    ST_TEXT,
    ST_TEXT_RIGHT, /* a marker or word in a numeric column */
    ST_COUNT,
    ST_CHANGE,
    ST_PERCENT,
    ST_RATE,
    ST_DATE,
    ST_COUNT_OF_STYLES
};

enum font_tone { FT_NONE, FT_GOOD, FT_BAD, FT_NEUTRAL, FT_COUNT };

struct xlsx {
    const struct ap_report *r;
    struct ap_diag *d;
    lxw_workbook *wb;
    lxw_worksheet *cover, *contents, *notes;
    lxw_worksheet **sheets; /* one per r->tables[i] */
    lxw_row_t *free_row;    /* per table sheet: first row below everything placed so far */
    char **names;           /* sheet name per table, owned */
    lxw_format *styles[ST_COUNT_OF_STYLES][FT_COUNT][2];
    lxw_format *f_title, *f_heading, *f_para, *f_top, *f_link, *f_hdr_left, *f_hdr_right;
    lxw_format *f_rag[3]; /* conditional-format fills: red, amber, green */
    bool uses_x;          /* "[x]" written for an empty cell: the notes must say what it means */
    bool uses_z;          /* "[z]" written for a table with no rows */
};

/* Report a failed libxlsxwriter call as an I/O error; true when e is an error. */
static bool xl_failed(struct xlsx *x, lxw_error e, const char *what, const char *sheet)
{
    if (e == LXW_NO_ERROR)
        return false;
    char words[160];
    ap_lxw_words(e, words);
    ap_diag_report(x->d, AP_ERROR, AP_ERR_IO, NULL, 0, 0,
                   "cannot build the XLSX workbook: %s on sheet '%s' failed: %s", what, sheet,
                   words);
    return true;
}

/* A model bug (a contract broken by the report model) is an internal error. */
static void internal(struct xlsx *x, const char *sheet, const char *what)
{
    ap_diag_report(
        x->d, AP_ERROR, AP_ERR_IO, NULL, 0, 0,
        "cannot build the XLSX workbook: report model bug: sheet '%s' %s; please report it", sheet,
        what);
}

/* Display width in characters: code points, counting those outside the BMP
 * as two (Excel counts UTF-16 units). */
static size_t text_width(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xC0) != 0x80)
            n += (*p >= 0xF0) ? 2 : 1;
    }
    return n;
}

/* Cut s (valid UTF-8) to at most max Excel characters, at a character boundary. */
static void cut_to_width(char *s, size_t max)
{
    size_t w = 0;
    for (char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if ((ch & 0xC0) == 0x80)
            continue;
        w += (ch >= 0xF0) ? 2 : 1;
        if (w > max) {
            *p = '\0';
            return;
        }
    }
}

static bool name_taken(struct xlsx *x, size_t upto, const char *name)
{
    static const char *const reserved[] = {"Cover", "Contents", "Notes", "History"};
    for (size_t i = 0; i < AP_ARRAY_LEN(reserved); i++)
        if (ap_strcasecmp(name, reserved[i]) == 0)
            return true;
    for (size_t i = 0; i < upto; i++)
        if (ap_strcasecmp(name, x->names[i]) == 0)
            return true;
    return false;
}

/* A valid, unique sheet name for table i from its id: characters Excel forbids
 * become '_', at most 31 characters, and a clash gets a "_2", "_3" suffix. */
static char *sheet_name_for(struct xlsx *x, size_t i)
{
    const char *id = x->r->tables[i].id;
    bool usable = id && *id && ap_utf8_valid(id, strlen(id));
    char *base = usable ? ap_xstrdup(id) : ap_xasprintf("table%zu", i + 1);
    for (char *p = base; *p; p++)
        if (strchr("[]:*?/\\", *p) || (unsigned char)*p < 0x20)
            *p = '_';
    if (base[0] == '\'')
        base[0] = '_';
    cut_to_width(base, SHEET_NAME_MAX);
    size_t len = strlen(base);
    if (len > 0 && base[len - 1] == '\'')
        base[len - 1] = '_';

    char *name = ap_xstrdup(base);
    for (unsigned n = 2; name_taken(x, i, name); n++) {
        char suffix[16];
        snprintf(suffix, sizeof suffix, "_%u", n);
        free(name);
        char *stem = ap_xstrdup(base);
        cut_to_width(stem, SHEET_NAME_MAX - strlen(suffix));
        name = ap_xasprintf("%s%s", stem, suffix);
        free(stem);
    }
    free(base);
    return name;
}

/* An Excel table name: letters, digits and '_' only, never a cell reference. */
static char *table_name_for(const char *prefix, const char *id)
{
    struct ap_buf b = AP_BUF_INIT;
    ap_buf_adds(&b, prefix);
    ap_buf_addch(&b, '_');
    for (const char *p = id; p && *p && b.len < 200; p++) {
        char ch = *p;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        ap_buf_addch(&b, ok ? ch : '_');
    }
    return ap_buf_detach(&b);
}

static enum font_tone font_tone(enum ap_tone t)
{
    switch (t) {
    case AP_TONE_GOOD:
        return FT_GOOD;
    case AP_TONE_BAD:
        return FT_BAD;
    case AP_TONE_NEUTRAL:
        return FT_NEUTRAL;
    default:
        return FT_NONE; /* RAG colours come from the conditional formats */
    }
}

/* A new format; libxlsxwriter returns NULL only when out of memory. */
static lxw_format *new_format(struct xlsx *x)
{
    lxw_format *f = workbook_add_format(x->wb);
    if (!f)
        ap_die_oom();
    return f;
}

static lxw_format *style(struct xlsx *x, enum style st, enum font_tone ft, bool wrap)
{
    static const char *const numfmt[ST_COUNT_OF_STYLES] = {
        [ST_COUNT] = "#,##0", [ST_CHANGE] = "+#,##0;-#,##0;0", [ST_PERCENT] = "0.0%",
        [ST_RATE] = "0.0",    [ST_DATE] = "d mmm yyyy",
    };
    /* Dark shades that keep enough contrast on white; the words carry the meaning. */
    static const lxw_color_t colour[FT_COUNT] = {0, 0x006100, 0x9C0006, 0x595959};
    lxw_format **slot = &x->styles[st][ft][wrap ? 1 : 0];
    if (*slot)
        return *slot;
    lxw_format *f = new_format(x);
    if (numfmt[st])
        format_set_num_format(f, numfmt[st]);
    format_set_align(f, st == ST_TEXT ? LXW_ALIGN_LEFT : LXW_ALIGN_RIGHT);
    format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    if (wrap)
        format_set_text_wrap(f);
    if (ft != FT_NONE)
        format_set_font_color(f, colour[ft]);
    *slot = f;
    return f;
}

static void make_formats(struct xlsx *x)
{
    x->f_title = new_format(x);
    format_set_bold(x->f_title);
    format_set_font_size(x->f_title, 15);
    x->f_heading = new_format(x);
    format_set_bold(x->f_heading);
    format_set_font_size(x->f_heading, 12);
    x->f_para = new_format(x);
    format_set_text_wrap(x->f_para);
    format_set_align(x->f_para, LXW_ALIGN_VERTICAL_TOP);
    x->f_top = new_format(x);
    format_set_align(x->f_top, LXW_ALIGN_VERTICAL_TOP);
    x->f_link = new_format(x);
    format_set_hyperlink(x->f_link);
    format_set_underline(x->f_link, LXW_UNDERLINE_SINGLE);
    format_set_font_color(x->f_link, LXW_COLOR_BLUE);
    format_set_align(x->f_link, LXW_ALIGN_VERTICAL_TOP);
    x->f_hdr_left = new_format(x);
    format_set_bold(x->f_hdr_left);
    format_set_text_wrap(x->f_hdr_left);
    format_set_align(x->f_hdr_left, LXW_ALIGN_VERTICAL_TOP);
    x->f_hdr_right = new_format(x);
    format_set_bold(x->f_hdr_right);
    format_set_text_wrap(x->f_hdr_right);
    format_set_align(x->f_hdr_right, LXW_ALIGN_RIGHT);
    format_set_align(x->f_hdr_right, LXW_ALIGN_VERTICAL_TOP);
    /* Excel's own "light fill with dark text" pairs, readable when printed in grey. */
    static const lxw_color_t fill[3] = {0xFFC7CE, 0xFFEB9C, 0xC6EFCE};
    static const lxw_color_t ink[3] = {0x9C0006, 0x9C5700, 0x006100};
    for (int i = 0; i < 3; i++) {
        x->f_rag[i] = new_format(x);
        format_set_bg_color(x->f_rag[i], fill[i]);
        format_set_font_color(x->f_rag[i], ink[i]);
    }
}

/* Write a string, never a formula, after checking it is valid UTF-8 (invalid
 * bytes would make a workbook Excel refuses to open). */
static bool put_str(struct xlsx *x, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                    lxw_col_t col, const char *s, lxw_format *f)
{
    char ref[16];
    lxw_rowcol_to_cell(ref, row, col);
    if (!ap_utf8_valid(s, strlen(s))) {
        ap_diag_report(
            x->d, AP_ERROR, AP_ERR_IO, NULL, 0, 0,
            "cannot build the XLSX workbook: text for cell %s on sheet '%s' is not valid "
            "UTF-8; save the CSV, config and template files as UTF-8 and run again",
            ref, sheet);
        return false;
    }
    char what[48];
    snprintf(what, sizeof what, "writing cell %s", ref);
    return !xl_failed(x, worksheet_write_string(ws, row, col, s, f), what, sheet);
}

static bool put_num(struct xlsx *x, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                    lxw_col_t col, double v, lxw_format *f)
{
    char ref[16], what[48];
    lxw_rowcol_to_cell(ref, row, col);
    if (!isfinite(v)) {
        ap_diag_report(x->d, AP_ERROR, AP_ERR_IO, NULL, 0, 0,
                       "cannot build the XLSX workbook: report model bug: the number for cell %s "
                       "on sheet '%s' is not finite; please report it",
                       ref, sheet);
        return false;
    }
    snprintf(what, sizeof what, "writing cell %s", ref);
    return !xl_failed(x, worksheet_write_number(ws, row, col, v, f), what, sheet);
}

/* Text shown for a cell that holds no figure: its own text, else "[x]" (not
 * available), because a published table should have no blank cells. */
static const char *cell_words(struct xlsx *x, const struct ap_cell *c)
{
    if (c->text && *c->text)
        return c->text;
    x->uses_x = true;
    return "[x]";
}

static bool put_cell(struct xlsx *x, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                     lxw_col_t col, const struct ap_column *colp, const struct ap_cell *c,
                     bool wrap)
{
    enum font_tone ft = font_tone(c->tone);
    switch (c->kind) {
    case AP_CELL_NUMBER: {
        static const enum style by_fmt[] = {
            [AP_NUM_COUNT] = ST_COUNT,
            [AP_NUM_CHANGE] = ST_CHANGE,
            [AP_NUM_PERCENT] = ST_PERCENT,
            [AP_NUM_RATE] = ST_RATE,
        };
        enum style st = ((unsigned)c->fmt < AP_ARRAY_LEN(by_fmt)) ? by_fmt[c->fmt] : ST_COUNT;
        return put_num(x, ws, sheet, row, col, c->value, style(x, st, ft, false));
    }
    case AP_CELL_DATE:
        /* Serials before 1 March 1900 meet Excel's false 29 February 1900:
         * such a date can only be a model slip, so show its words instead. */
        if (!(c->value + EXCEL_DATE_1970 >= 61.0))
            return put_str(x, ws, sheet, row, col, cell_words(x, c),
                           style(x, colp->numeric ? ST_TEXT_RIGHT : ST_TEXT, ft, wrap));
        return put_num(x, ws, sheet, row, col, c->value + EXCEL_DATE_1970,
                       style(x, ST_DATE, ft, false));
    case AP_CELL_TEXT:
    case AP_CELL_MARKER:
    case AP_CELL_EMPTY:
    default:
        return put_str(x, ws, sheet, row, col, cell_words(x, c),
                       style(x, colp->numeric ? ST_TEXT_RIGHT : ST_TEXT, ft, wrap));
    }
}

/* Lines that text takes when wrapped at width characters, breaking at spaces
 * as a spreadsheet does. Readers such as LibreOffice keep the stored row
 * height instead of fitting wrapped text, so the rows are sized here; counting
 * every character as one digit's width errs towards a little spare room. */
static size_t text_lines(const char *s, double width)
{
    size_t per = width > 1 ? (size_t)width : 1;
    size_t lines = 1, used = 0;
    const char *p = s;
    while (*p) {
        if (*p == '\n') {
            lines++;
            used = 0;
            p++;
            continue;
        }
        size_t word = 0, bytes = 0;
        while (p[bytes] && p[bytes] != ' ' && p[bytes] != '\n') {
            if (((unsigned char)p[bytes] & 0xC0) != 0x80)
                word++;
            bytes++;
        }
        if (used > 0 && used + 1 + word > per) {
            lines++;
            used = 0;
        }
        used += (used > 0 ? 1 : 0) + word;
        while (used > per) { /* a word longer than the line breaks anywhere */
            lines++;
            used -= per;
        }
        p += bytes;
        while (*p == ' ')
            p++;
    }
    return lines;
}

/* Give a row the height of `lines` lines when that is more than one. */
static bool fit_row(struct xlsx *x, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                    size_t lines)
{
    if (lines <= 1)
        return true;
    double h = LINE_HEIGHT * (double)lines;
    return !xl_failed(x, worksheet_set_row(ws, row, h > ROW_HEIGHT_MAX ? ROW_HEIGHT_MAX : h, NULL),
                      "setting a row height", sheet);
}

/* Marking in the header, marking, sheet name and page in the footer. '&' is
 * the code character of Excel headers, so a literal one is doubled. */
static bool set_header_footer(struct xlsx *x, lxw_worksheet *ws, const char *sheet)
{
    struct ap_buf mark = AP_BUF_INIT, h = AP_BUF_INIT, f = AP_BUF_INIT;
    bool ok = false;
    for (const char *p = x->r->marking ? x->r->marking : ""; *p; p++) {
        if (*p == '&')
            ap_buf_addch(&mark, '&');
        ap_buf_addch(&mark, *p);
    }
    ap_buf_addf(&h, "&C&\"-,Bold\"%s", mark.buf);
    ap_buf_addf(&f, "&L%s&C&A&RPage &P of &N", mark.buf);
    if (xl_failed(x, worksheet_set_header(ws, h.buf), "setting the page header (marking)", sheet))
        goto done;
    if (xl_failed(x, worksheet_set_footer(ws, f.buf), "setting the page footer (marking)", sheet))
        goto done;
    ok = true;
done:
    ap_buf_release(&mark);
    ap_buf_release(&h);
    ap_buf_release(&f);
    return ok;
}

/* Page setup shared by every sheet: A4, marking top and bottom. */
static bool setup_sheet(struct xlsx *x, lxw_worksheet *ws, const char *sheet, bool landscape)
{
    worksheet_set_paper(ws, 9); /* A4 */
    if (landscape)
        worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    return set_header_footer(x, ws, sheet);
}

/* Title, description and a sentence on the size: rows 1-3 of a table sheet. */
static bool put_preamble(struct xlsx *x, lxw_worksheet *ws, const char *sheet, const char *title,
                         const char *desc, const char *info)
{
    return put_str(x, ws, sheet, ROW_TITLE, 0, title, x->f_title) &&
           put_str(x, ws, sheet, ROW_DESC, 0, desc, NULL) &&
           put_str(x, ws, sheet, ROW_INFO, 0, info, NULL);
}

/* Make the n headings in h (owned) unique and non-empty, in place: Excel
 * repairs a table whose column names repeat. */
static void unique_headings(char **h, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        char *base = h[c] && *h[c] ? h[c] : ap_xasprintf("Column %zu", c + 1);
        if (base != h[c])
            free(h[c]);
        char *name = ap_xstrdup(base);
        for (unsigned k = 2;; k++) {
            bool clash = false;
            for (size_t j = 0; j < c && !clash; j++)
                clash = ap_strcasecmp(h[j], name) == 0;
            if (!clash)
                break;
            free(name);
            name = ap_xasprintf("%s (%u)", base, k);
        }
        free(base);
        h[c] = name;
    }
}

static char **table_headings(const struct ap_table *t)
{
    char **h = ap_xcalloc(t->ncols, sizeof *h);
    for (size_t c = 0; c < t->ncols; c++)
        h[c] = ap_xstrdup(t->cols[c].heading);
    unique_headings(h, t->ncols);
    return h;
}

static void free_strings(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Add one Excel table over rows first..last (header at first) with the given
 * headings; right-aligned headings for numeric columns. */
static bool add_table(struct xlsx *x, lxw_worksheet *ws, const char *sheet, lxw_row_t first,
                      lxw_row_t last, size_t ncols, char **headings, const bool *numeric,
                      const char *name)
{
    lxw_table_column *cols = ap_xcalloc(ncols, sizeof *cols);
    lxw_table_column **ptrs = ap_xcalloc(ncols + 1, sizeof *ptrs);
    for (size_t c = 0; c < ncols; c++) {
        cols[c].header = headings[c];
        cols[c].header_format = (numeric && numeric[c]) ? x->f_hdr_right : x->f_hdr_left;
        ptrs[c] = &cols[c];
    }
    lxw_table_options opt = {0};
    opt.name = (char *)name;
    opt.style_type = LXW_TABLE_STYLE_TYPE_LIGHT;
    opt.style_type_number = 9;
    opt.columns = ptrs;
    lxw_error e = worksheet_add_table(ws, first, 0, last, (lxw_col_t)(ncols - 1), &opt);
    free(ptrs);
    free(cols);
    if (xl_failed(x, e, "adding the Excel table", sheet))
        return false;
    /* The header stays on screen and on every printed page. */
    worksheet_freeze_panes(ws, first + 1, 0);
    return !xl_failed(x, worksheet_repeat_rows(ws, first, first), "repeating the header row",
                      sheet);
}

/* Column widths carry no format: libxlsxwriter would give a column's format to
 * every cell written there without one, wrapping the sheet's title lines too. */
static bool set_width(struct xlsx *x, lxw_worksheet *ws, const char *sheet, lxw_col_t col,
                      double width)
{
    return !xl_failed(x, worksheet_set_column(ws, col, col, width, NULL), "setting a column width",
                      sheet);
}

/* Width from the model's hint, at least wide enough for a short heading and its
 * filter button, and never so wide that a page holds one column. */
static double column_width(const struct ap_column *c)
{
    double w = c->width > 0 ? c->width : COL_WIDTH_MIN;
    double need = (double)text_width(c->heading ? c->heading : "") + 4.0;
    if (need > 30.0)
        need = 30.0;
    if (w < need)
        w = need;
    if (w < COL_WIDTH_MIN)
        w = COL_WIDTH_MIN;
    if (w > COL_WIDTH_MAX)
        w = COL_WIDTH_MAX;
    return w;
}

static bool is_rag(enum ap_tone t)
{
    return t == AP_TONE_RED || t == AP_TONE_AMBER || t == AP_TONE_GREEN;
}

/* Colour RAG words by conditional format: one "text contains" rule per word the
 * model used for red, amber or green in this column, and Excel's usual word for
 * a rating no row has yet (so a later edit is coloured too). */
static bool rag_formats(struct xlsx *x, lxw_worksheet *ws, const char *sheet,
                        const struct ap_table *t, size_t col)
{
    static const char *const words[3] = {"Red", "Amber", "Green"};
    lxw_row_t r0 = ROW_HEADER + 1, r1 = (lxw_row_t)(ROW_HEADER + t->nrows);
    for (int k = 0; k < 3; k++) {
        enum ap_tone tone = (enum ap_tone)(AP_TONE_RED + k);
        bool used = false;
        for (size_t row = 0; row <= t->nrows; row++) {
            const char *word;
            if (row < t->nrows) {
                const struct ap_cell *c = ap_table_cell(t, row, col);
                if (c->tone != tone || !c->text || !*c->text)
                    continue;
                bool seen = false;
                for (size_t j = 0; j < row && !seen; j++) {
                    const struct ap_cell *p = ap_table_cell(t, j, col);
                    seen = p->tone == tone && p->text && strcmp(p->text, c->text) == 0;
                }
                if (seen)
                    continue;
                word = c->text;
                used = true;
            } else if (!used) {
                word = words[k];
            } else {
                break;
            }
            lxw_conditional_format cf = {0};
            cf.type = LXW_CONDITIONAL_TYPE_TEXT;
            cf.criteria = LXW_CONDITIONAL_CRITERIA_TEXT_CONTAINING;
            cf.value_string = (char *)word;
            cf.format = x->f_rag[k];
            cf.stop_if_true = LXW_TRUE;
            if (xl_failed(x,
                          worksheet_conditional_format_range(ws, r0, (lxw_col_t)col, r1,
                                                             (lxw_col_t)col, &cf),
                          "adding the RAG conditional format", sheet))
                return false;
        }
    }
    return true;
}

/* Does chart k draw a value the table does not hold as a number? Then the chart
 * needs its own data with blanks, because Excel draws text such as "[c]" as 0. */
static bool chart_has_gaps(const struct ap_chart *ch, const struct ap_table *t)
{
    for (size_t s = 0; s < ch->nseries; s++)
        for (size_t k = 0; k < ch->ncats; k++) {
            if (ch->series[s].missing && ch->series[s].missing[k])
                return true;
            if (ap_table_cell(t, k, ch->first_col + s)->kind != AP_CELL_NUMBER)
                return true;
        }
    return false;
}

static bool chart_fits_table(struct xlsx *x, const struct ap_chart *ch, const char *sheet,
                             const struct ap_table *t)
{
    if (ch->ncats != t->nrows || ch->ncats == 0 || ch->first_col == 0 ||
        ch->first_col + ch->nseries > t->ncols || ch->nseries == 0) {
        internal(x, sheet, "has a chart whose categories or series do not match its table");
        return false;
    }
    return true;
}

/* Write the chart's own data (series values, gaps left blank) as a second small
 * table at row `at`; returns the row after it through *next. */
static bool put_chart_data(struct xlsx *x, lxw_worksheet *ws, const char *sheet,
                           const struct ap_chart *ch, const struct ap_table *t, size_t k,
                           lxw_row_t at, lxw_row_t *next)
{
    bool ok = false;
    char **heads = ap_xcalloc(ch->nseries + 1, sizeof *heads);
    bool *numeric = ap_xcalloc(ch->nseries + 1, sizeof *numeric);
    char *tname = NULL;
    heads[0] =
        ap_xstrdup(t->cols[0].heading && *t->cols[0].heading ? t->cols[0].heading : "Category");
    for (size_t s = 0; s < ch->nseries; s++) {
        const char *n = ch->series[s].name && *ch->series[s].name ? ch->series[s].name : "Series";
        heads[s + 1] = ap_xasprintf("%s (chart)", n);
        numeric[s + 1] = true;
    }
    unique_headings(heads, ch->nseries + 1);
    if (!put_str(x, ws, sheet, at, 0,
                 "Chart data: as the table above, with unavailable figures left blank so that "
                 "the chart shows gaps.",
                 NULL))
        goto done;
    lxw_row_t hdr = at + 1;
    for (size_t c = 0; c < ch->ncats; c++) {
        lxw_row_t row = (lxw_row_t)(hdr + 1 + c);
        const char *cat = ch->categories && ch->categories[c] ? ch->categories[c] : "";
        if (!put_str(x, ws, sheet, row, 0, cat, style(x, ST_TEXT, FT_NONE, false)))
            goto done;
        for (size_t s = 0; s < ch->nseries; s++) {
            const struct ap_series *se = &ch->series[s];
            if (se->missing && se->missing[c])
                continue; /* a blank, which the chart draws as a gap */
            const struct ap_cell *tc = ap_table_cell(t, c, ch->first_col + s);
            enum style st = tc->kind == AP_CELL_NUMBER && tc->fmt == AP_NUM_PERCENT ? ST_PERCENT
                            : tc->kind == AP_CELL_NUMBER && tc->fmt == AP_NUM_RATE  ? ST_RATE
                                                                                    : ST_COUNT;
            if (!put_num(x, ws, sheet, row, (lxw_col_t)(s + 1), se->values[c],
                         style(x, st, FT_NONE, false)))
                goto done;
        }
    }
    char prefix[32];
    snprintf(prefix, sizeof prefix, "Chart%zu", k + 1);
    tname = table_name_for(prefix, "data");
    lxw_table_column *cols = ap_xcalloc(ch->nseries + 1, sizeof *cols);
    lxw_table_column **ptrs = ap_xcalloc(ch->nseries + 2, sizeof *ptrs);
    for (size_t c = 0; c <= ch->nseries; c++) {
        cols[c].header = heads[c];
        cols[c].header_format = numeric[c] ? x->f_hdr_right : x->f_hdr_left;
        ptrs[c] = &cols[c];
    }
    lxw_table_options opt = {0};
    opt.name = tname;
    opt.style_type = LXW_TABLE_STYLE_TYPE_LIGHT;
    opt.style_type_number = 1;
    opt.columns = ptrs;
    lxw_error e =
        worksheet_add_table(ws, hdr, 0, (lxw_row_t)(hdr + ch->ncats), (lxw_col_t)ch->nseries, &opt);
    free(ptrs);
    free(cols);
    if (xl_failed(x, e, "adding the chart data table", sheet))
        goto done;
    *next = (lxw_row_t)(hdr + ch->ncats + 2);
    ok = true;
done:
    free(tname);
    free(numeric);
    free_strings(heads, ch->nseries + 1);
    return ok;
}

/* A native line chart below the table (and below its own data, when it needs
 * some), one series per model series, categories from the table's first column. */
static bool put_chart(struct xlsx *x, size_t k)
{
    const struct ap_chart *ch = &x->r->charts[k];
    if (ch->table >= x->r->ntables) {
        ap_diag_report(x->d, AP_ERROR, AP_ERR_IO, NULL, 0, 0,
                       "cannot build the XLSX workbook: report model bug: chart %zu points at "
                       "table %zu of %zu; please report it",
                       k + 1, ch->table + 1, x->r->ntables);
        return false;
    }
    const struct ap_table *t = &x->r->tables[ch->table];
    lxw_worksheet *ws = x->sheets[ch->table];
    const char *sheet = x->names[ch->table];
    if (!chart_fits_table(x, ch, sheet, t))
        return false;

    lxw_row_t below = (lxw_row_t)(ROW_HEADER + 1 + t->nrows + 1);
    if (below < x->free_row[ch->table])
        below = x->free_row[ch->table]; /* a second chart on the same sheet */
    lxw_row_t data_hdr = 0;
    bool gaps = chart_has_gaps(ch, t);
    if (gaps) {
        data_hdr = below + 1;
        if (!put_chart_data(x, ws, sheet, ch, t, k, below, &below))
            return false;
    }

    lxw_chart *chart = workbook_add_chart(x->wb, LXW_CHART_LINE);
    if (!chart) {
        ap_diag_report(x->d, AP_ERROR, AP_ERR_IO, NULL, 0, 0,
                       "cannot build the XLSX workbook: adding the chart on sheet '%s' failed",
                       sheet);
        return false;
    }
    lxw_row_t cat_first = gaps ? data_hdr + 1 : ROW_HEADER + 1;
    lxw_row_t cat_last = (lxw_row_t)(cat_first + ch->ncats - 1);
    for (size_t s = 0; s < ch->nseries; s++) {
        lxw_chart_series *se = chart_add_series(chart, NULL, NULL);
        if (!se) {
            ap_diag_report(
                x->d, AP_ERROR, AP_ERR_IO, NULL, 0, 0,
                "cannot build the XLSX workbook: adding a chart series on sheet '%s' failed",
                sheet);
            return false;
        }
        lxw_col_t vcol = (lxw_col_t)(gaps ? s + 1 : ch->first_col + s);
        chart_series_set_categories(se, sheet, cat_first, 0, cat_last, 0);
        chart_series_set_values(se, sheet, cat_first, vcol, cat_last, vcol);
        if (ch->series[s].name && *ch->series[s].name)
            chart_series_set_name(se, ch->series[s].name);
        chart_series_set_marker_type(se, LXW_CHART_MARKER_CIRCLE);
    }
    if (ch->title && *ch->title)
        chart_title_set_name(chart, ch->title);
    if (t->cols[0].heading && *t->cols[0].heading)
        chart_axis_set_name(chart->x_axis, t->cols[0].heading); /* "Quarter", "Month"... */
    if (ch->y_title && *ch->y_title)
        chart_axis_set_name(chart->y_axis, ch->y_title);
    chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
    chart_show_blanks_as(chart, LXW_CHART_BLANKS_AS_GAP);

    char *alt = ap_xasprintf("Line chart: %s. The figures are in the table on this sheet.",
                             ch->title && *ch->title ? ch->title
                             : t->title              ? t->title
                                                     : sheet);
    lxw_chart_options opt = {0};
    opt.x_scale = 1.5;
    opt.y_scale = 1.25;
    opt.description = alt;
    lxw_error e = worksheet_insert_chart_opt(ws, below, 0, chart, &opt);
    free(alt);
    /* 288 px high scaled by 1.25 is 18 rows of 20 px; leave one spare. */
    x->free_row[ch->table] = below + CHART_ROWS;
    return !xl_failed(x, e, "inserting the chart", sheet);
}

static bool table_has_markers(const struct ap_table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        if (t->cells[i].kind != AP_CELL_NUMBER && t->cells[i].kind != AP_CELL_DATE &&
            t->cells[i].text && t->cells[i].text[0] == '[')
            return true;
    return false;
}

/* A table with a revised figure gets a last column "Notes" that marks the
 * row, since its cells stay numbers (the model decided which are revised). */
static bool table_has_revised(const struct ap_table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        if (t->cells[i].revised)
            return true;
    return false;
}

#define REVISED_NOTE "[r] revised since the last published report"

static bool put_table_sheet(struct xlsx *x, size_t i)
{
    const struct ap_table *t = &x->r->tables[i];
    lxw_worksheet *ws = x->sheets[i];
    const char *sheet = x->names[i];
    bool ok = false;
    char **heads = NULL;
    bool *numeric = NULL, *wrap = NULL;
    double *widths = NULL;
    char *tname = NULL, *info = NULL;

    if (t->ncols == 0 || !t->cols || (t->nrows > 0 && !t->cells)) {
        internal(x, sheet, "has a table with no columns");
        return false;
    }
    const char *chart_note = "";
    for (size_t k = 0; k < x->r->ncharts; k++) {
        const struct ap_chart *ch = &x->r->charts[k];
        if (ch->table != i || ch->ncats != t->nrows || ch->first_col == 0 ||
            ch->first_col + ch->nseries > t->ncols)
            continue; /* put_chart reports the mismatch */
        chart_note = chart_has_gaps(ch, t) ? " Below it: the chart's data, then the chart."
                                           : " Below it: a line chart of these figures.";
    }
    if (t->nrows == 0)
        info = ap_xstrdup("This table has no rows for this period; its one row says so.");
    else
        info = ap_xasprintf(
            "This table contains %zu row%s and %zu column%s.%s%s", t->nrows,
            t->nrows == 1 ? "" : "s", t->ncols + (table_has_revised(t) ? 1 : 0),
            t->ncols + table_has_revised(t) == 1 ? "" : "s",
            table_has_markers(t) ? " Markers such as [c] are explained in Notes." : "", chart_note);
    if (!setup_sheet(x, ws, sheet, t->ncols > 4) ||
        !put_preamble(x, ws, sheet, t->title ? t->title : sheet,
                      t->description ? t->description : "", info))
        goto done;

    bool notes = table_has_revised(t);
    size_t ncols = t->ncols + (notes ? 1 : 0);
    numeric = ap_xcalloc(ncols, sizeof *numeric);
    widths = ap_xcalloc(ncols, sizeof *widths);
    wrap = ap_xcalloc(ncols, sizeof *wrap);
    size_t head_lines = 1;
    for (size_t c = 0; c < t->ncols; c++) {
        const struct ap_column *col = &t->cols[c];
        numeric[c] = col->numeric;
        widths[c] = column_width(col);
        /* Text that would not fit its column wraps rather than being cut off. */
        for (size_t row = 0; row < t->nrows && !col->numeric && !wrap[c]; row++) {
            const struct ap_cell *cell = ap_table_cell(t, row, c);
            wrap[c] = cell->kind != AP_CELL_NUMBER && cell->kind != AP_CELL_DATE && cell->text &&
                      (double)text_width(cell->text) > widths[c];
        }
        size_t n = text_lines(col->heading ? col->heading : "", widths[c]);
        head_lines = n > head_lines ? n : head_lines;
        if (!set_width(x, ws, sheet, (lxw_col_t)c, widths[c]))
            goto done;
    }
    if (notes) {
        widths[t->ncols] = (double)strlen(REVISED_NOTE) + 2;
        if (!set_width(x, ws, sheet, (lxw_col_t)t->ncols, widths[t->ncols]))
            goto done;
    }
    if (!fit_row(x, ws, sheet, ROW_HEADER, head_lines))
        goto done;
    for (size_t row = 0; row < t->nrows; row++) {
        size_t lines = 1;
        for (size_t c = 0; c < t->ncols; c++) {
            const struct ap_cell *cell = ap_table_cell(t, row, c);
            if (!put_cell(x, ws, sheet, (lxw_row_t)(ROW_HEADER + 1 + row), (lxw_col_t)c,
                          &t->cols[c], cell, wrap[c]))
                goto done;
            if (wrap[c] && cell->text) {
                size_t n = text_lines(cell->text, widths[c]);
                lines = n > lines ? n : lines;
            }
        }
        if (notes) {
            bool revised = false;
            for (size_t c = 0; c < t->ncols && !revised; c++)
                revised = ap_table_cell(t, row, c)->revised;
            if (!put_str(x, ws, sheet, (lxw_row_t)(ROW_HEADER + 1 + row), (lxw_col_t)t->ncols,
                         revised ? REVISED_NOTE : "", style(x, ST_TEXT, FT_NONE, false)))
                goto done;
        }
        if (!fit_row(x, ws, sheet, (lxw_row_t)(ROW_HEADER + 1 + row), lines))
            goto done;
    }
    if (t->nrows == 0) {
        /* An Excel table needs a data row; say plainly there is nothing. */
        if (!put_str(x, ws, sheet, ROW_HEADER + 1, 0, "None in this period",
                     style(x, ST_TEXT, FT_NONE, false)))
            goto done;
        for (size_t c = 1; c < t->ncols; c++)
            if (!put_str(x, ws, sheet, ROW_HEADER + 1, (lxw_col_t)c, "[z]",
                         style(x, t->cols[c].numeric ? ST_TEXT_RIGHT : ST_TEXT, FT_NONE, false)))
                goto done;
        if (t->ncols > 1)
            x->uses_z = true;
    }

    heads = table_headings(t);
    if (notes) {
        heads = ap_xrealloc(heads, ncols * sizeof *heads);
        heads[t->ncols] = ap_xstrdup("Notes");
    }
    char prefix[32];
    snprintf(prefix, sizeof prefix, "Table%zu", i + 1);
    tname = table_name_for(prefix, t->id);
    size_t rows = t->nrows ? t->nrows : 1;
    if (!add_table(x, ws, sheet, ROW_HEADER, (lxw_row_t)(ROW_HEADER + rows), ncols, heads, numeric,
                   tname))
        goto done;
    for (size_t c = 0; c < t->ncols; c++) {
        bool any = false;
        for (size_t row = 0; row < t->nrows && !any; row++)
            any = is_rag(ap_table_cell(t, row, c)->tone);
        if (any && !rag_formats(x, ws, sheet, t, c))
            goto done;
    }
    ok = true;
done:
    free(info);
    free(tname);
    free(numeric);
    free(wrap);
    free(widths);
    free_strings(heads, t->ncols + (table_has_revised(t) ? 1 : 0));
    return ok;
}

/* A cover entry never shows a blank under its heading. */
static const char *given(const char *s)
{
    return s && *s ? s : "Not given";
}

/* The Cover: what this is, whose, when, how protected, how to read it. Headings
 * in bold and text below, one column, no blank rows. */
static bool put_cover(struct xlsx *x)
{
    const struct ap_report *r = x->r;
    lxw_worksheet *ws = x->cover;
    const char *sheet = "Cover";
    lxw_row_t row = 0;
    bool ok = false;
    struct ap_buf b = AP_BUF_INIT;

    if (!setup_sheet(x, ws, sheet, false) || !set_width(x, ws, sheet, 0, COVER_WIDTH))
        goto done;
#define LINE(text, fmt)                                                                            \
    do {                                                                                           \
        if (!put_str(x, ws, sheet, row++, 0, (text), (fmt)))                                       \
            goto done;                                                                             \
    } while (0)
#define SECTION(head, text)                                                                        \
    do {                                                                                           \
        LINE((head), x->f_heading);                                                                \
        if (!fit_row(x, ws, sheet, row, text_lines((text), COVER_WIDTH)))                          \
            goto done;                                                                             \
        LINE((text), x->f_para);                                                                   \
    } while (0)

    LINE(r->title ? r->title : "Report", x->f_title);
    if (r->subtitle && *r->subtitle)
        LINE(r->subtitle, x->f_heading);
    SECTION("Protective marking", given(r->marking));
    if (r->sample)
        SECTION("Sample data",
                "This workbook is made from synthetic sample data. It describes no real child, "
                "case or person and must not be used as evidence of anything.");
    ap_buf_adds(&b, r->organisation ? r->organisation : "");
    if (r->team && *r->team)
        ap_buf_addf(&b, "%s%s", b.len ? ", " : "", r->team);
    SECTION("Produced by", given(b.buf));
    SECTION("Period covered", given(r->period_label));
    SECTION("Data as at", given(r->data_as_at));
    ap_buf_reset(&b);
    if (r->suppressed)
        ap_buf_addf(&b,
                    "To protect children's privacy, counts from 1 to %d are shown as [c]; where a "
                    "hidden figure could be worked out from a total or from other cells, the next "
                    "smallest figure is hidden too, and a percentage or rate built on a hidden "
                    "figure is hidden. A true zero is shown as 0.",
                    r->suppress_max);
    else
        ap_buf_adds(&b, "Small numbers are not suppressed in this workbook: it is for a restricted "
                        "audience and must not be published or shared beyond it.");
    SECTION("Small numbers", b.buf);
    ap_buf_reset(&b);
    ap_buf_addf(&b,
                "This workbook contains %zu table%s, one on each sheet after Notes. The Contents "
                "sheet links to each; the Notes sheet explains the markers [c], [x] and [z].",
                r->ntables, r->ntables == 1 ? "" : "s");
    SECTION("Contents", b.buf);
    if (r->contact && *r->contact)
        SECTION("Contact", r->contact);
#undef SECTION
#undef LINE
    ok = true;
done:
    ap_buf_release(&b);
    return ok;
}

/* Contents: one linked row per sheet after this one. */
static bool put_contents(struct xlsx *x)
{
    const struct ap_report *r = x->r;
    lxw_worksheet *ws = x->contents;
    const char *sheet = "Contents";
    bool ok = false;
    char *heads[] = {"Sheet name", "Table title", "Description"};
    char *info = ap_xasprintf("This table contains %zu rows: the Notes sheet and the %zu table "
                              "sheet%s. Select a sheet name to go to it.",
                              r->ntables + 1, r->ntables, r->ntables == 1 ? "" : "s");
    if (!setup_sheet(x, ws, sheet, true) ||
        !put_preamble(x, ws, sheet, "Contents", "The sheets in this workbook after the Cover.",
                      info) ||
        !set_width(x, ws, sheet, 0, 16) || !set_width(x, ws, sheet, 1, 60) ||
        !set_width(x, ws, sheet, 2, 80))
        goto done;
    for (size_t i = 0; i <= r->ntables; i++) {
        lxw_row_t row = (lxw_row_t)(ROW_HEADER + 1 + i);
        const char *name = i == 0 ? "Notes" : x->names[i - 1];
        const struct ap_table *t = i == 0 ? NULL : &r->tables[i - 1];
        const char *title = t ? (t->title ? t->title : name) : "Notes";
        const char *desc = t ? (t->description ? t->description : "")
                             : "What the markers in square brackets and the notes mean.";
        struct ap_buf url = AP_BUF_INIT;
        ap_buf_adds(&url, "internal:'");
        for (const char *p = name; *p; p++) {
            if (*p == '\'')
                ap_buf_addch(&url, '\'');
            ap_buf_addch(&url, *p);
        }
        ap_buf_adds(&url, "'!A1");
        char what[64];
        snprintf(what, sizeof what, "writing the link in cell A%u", (unsigned)row + 1);
        lxw_error e = worksheet_write_url_opt(ws, row, 0, url.buf, x->f_link, name, NULL);
        ap_buf_release(&url);
        size_t lt = text_lines(title, 60), ld = text_lines(desc, 80);
        if (xl_failed(x, e, what, sheet) || !put_str(x, ws, sheet, row, 1, title, x->f_para) ||
            !put_str(x, ws, sheet, row, 2, *desc ? desc : "[x]", x->f_para) ||
            !fit_row(x, ws, sheet, row, lt > ld ? lt : ld))
            goto done;
        if (!*desc)
            x->uses_x = true;
    }
    ok = add_table(x, ws, sheet, ROW_HEADER, (lxw_row_t)(ROW_HEADER + 1 + r->ntables), 3, heads,
                   NULL, "Contents_table");
done:
    free(info);
    return ok;
}

static bool has_note(const struct ap_report *r, const char *marker)
{
    for (size_t i = 0; i < r->nnotes; i++)
        if (r->notes[i].marker && strcmp(r->notes[i].marker, marker) == 0)
            return true;
    return false;
}

/* Notes: the model's notes, plus the meaning of "[x]"/"[z]" when this renderer
 * wrote one for an empty cell or table and the model did not explain it. */
static bool put_notes(struct xlsx *x)
{
    const struct ap_report *r = x->r;
    lxw_worksheet *ws = x->notes;
    const char *sheet = "Notes";
    bool ok = false;
    char *heads[] = {"Marker or note", "Explanation"};
    bool add_x = x->uses_x && !has_note(r, "[x]");
    bool add_z = x->uses_z && !has_note(r, "[z]");
    size_t n = r->nnotes + add_x + add_z;
    char *info = NULL;
    lxw_row_t row = ROW_HEADER + 1;
    size_t general = 0;

    if (n == 0) {
        add_x = true; /* an Excel table needs a row; [x] is the one marker always possible */
        n = 1;
    }
    info = ap_xasprintf("This table contains %zu row%s.", n, n == 1 ? "" : "s");
    if (!setup_sheet(x, ws, sheet, false) ||
        !put_preamble(x, ws, sheet, "Notes",
                      "What the markers in square brackets in the tables mean, and other notes.",
                      info) ||
        !set_width(x, ws, sheet, 0, 18) || !set_width(x, ws, sheet, 1, NOTES_WIDTH))
        goto done;
    for (size_t i = 0; i < r->nnotes; i++, row++) {
        const struct ap_note *note = &r->notes[i];
        char label[32];
        const char *m = note->marker && *note->marker ? note->marker : NULL;
        if (!m) {
            snprintf(label, sizeof label, "Note %zu", ++general);
            m = label;
        }
        const char *text = note->text ? note->text : "";
        if (!put_str(x, ws, sheet, row, 0, m, x->f_top) ||
            !put_str(x, ws, sheet, row, 1, text, x->f_para) ||
            !fit_row(x, ws, sheet, row, text_lines(text, NOTES_WIDTH)))
            goto done;
    }
    if (add_x && (!put_str(x, ws, sheet, row, 0, "[x]", x->f_top) ||
                  !put_str(x, ws, sheet, row++, 1, "Not available.", x->f_para)))
        goto done;
    if (add_z && (!put_str(x, ws, sheet, row, 0, "[z]", x->f_top) ||
                  !put_str(x, ws, sheet, row++, 1, "Not applicable.", x->f_para)))
        goto done;
    ok = add_table(x, ws, sheet, ROW_HEADER, (lxw_row_t)(ROW_HEADER + n), 2, heads, NULL,
                   "Notes_table");
done:
    free(info);
    return ok;
}

static bool set_properties(struct xlsx *x)
{
    const struct ap_report *r = x->r;
    char *comments = ap_xasprintf(
        "%s%s%s. Marking: %s.%s", r->subtitle ? r->subtitle : "",
        r->subtitle && *r->subtitle ? ", " : "", r->period_label ? r->period_label : "",
        r->marking ? r->marking : "", r->sample ? " Synthetic sample data." : "");
    lxw_doc_properties p = {0};
    p.title = r->title;
    p.subject = r->subject;
    p.author = r->author;
    p.company = r->organisation;
    p.keywords = r->keywords;
    p.category = r->marking;
    p.comments = comments;
    /* A fixed creation time (SOURCE_DATE_EPOCH) makes reruns byte-identical. */
    p.created = (time_t)r->created;
    lxw_error e = workbook_set_properties(x->wb, &p);
    free(comments);
    return !xl_failed(x, e, "setting the document properties", "Cover");
}

static lxw_worksheet *add_sheet(struct xlsx *x, const char *name)
{
    lxw_error e = workbook_validate_sheet_name(x->wb, name);
    if (xl_failed(x, e, "naming the sheet", name))
        return NULL;
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);
    if (!ws)
        ap_diag_report(x->d, AP_ERROR, AP_ERR_IO, NULL, 0, 0,
                       "cannot build the XLSX workbook: adding the sheet '%s' failed", name);
    return ws;
}

enum ap_status ap_render_xlsx(const struct ap_report *r, const char *path, const char *shown,
                              struct ap_diag *d)
{
    const char *name = shown ? shown : path;
    enum ap_status rc = AP_ERR_IO;
    struct xlsx x = {0};
    char *saved_locale = NULL;
    bool remove_on_failure = false;
    x.r = r;
    x.d = d;

    /* libxlsxwriter opens the output only at workbook_close; find an unusable
     * path now, with our own message, before any work. */
    FILE *probe = fopen(path, "wb");
    if (!probe) {
        if (errno == EISDIR)
            ap_diag_report(d, AP_ERROR, AP_ERR_IO, name, 0, 0,
                           "cannot create the workbook: this is a folder; give a file name "
                           "such as report.xlsx");
        else
            ap_diag_report(d, AP_ERROR, AP_ERR_IO, name, 0, 0,
                           "cannot create the workbook: %s; check that the folder exists and is "
                           "writable",
                           strerror(errno));
        goto done;
    }
    fclose(probe);
    /* Only a regular file of ours is removed on failure, never a device. */
    struct stat sb;
    remove_on_failure = stat(path, &sb) == 0 && S_ISREG(sb.st_mode);

    /* libxlsxwriter prints numbers with the C library, so a decimal comma
     * would corrupt every figure: hold LC_NUMERIC at "C" while it runs (main
     * sets it already; this keeps the renderer safe for any caller). */
    const char *cur = setlocale(LC_NUMERIC, NULL);
    saved_locale = ap_xstrdup(cur ? cur : "C");
    setlocale(LC_NUMERIC, "C");

    lxw_workbook_options wopt = {0};
    wopt.constant_memory = LXW_FALSE; /* tables are not allowed in constant-memory mode */
    x.wb = workbook_new_opt(path, &wopt);
    if (!x.wb) {
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, name, 0, 0, "cannot start the workbook");
        goto done;
    }
    make_formats(&x);
    x.sheets = ap_xcalloc(r->ntables ? r->ntables : 1, sizeof *x.sheets);
    x.free_row = ap_xcalloc(r->ntables ? r->ntables : 1, sizeof *x.free_row);
    x.names = ap_xcalloc(r->ntables ? r->ntables : 1, sizeof *x.names);
    for (size_t i = 0; i < r->ntables; i++)
        x.names[i] = sheet_name_for(&x, i);

    if (!(x.cover = add_sheet(&x, "Cover")) || !(x.contents = add_sheet(&x, "Contents")) ||
        !(x.notes = add_sheet(&x, "Notes")))
        goto done;
    for (size_t i = 0; i < r->ntables; i++)
        if (!(x.sheets[i] = add_sheet(&x, x.names[i])))
            goto done;

    /* Tables first: they decide whether the notes must explain [x] or [z]. */
    for (size_t i = 0; i < r->ntables; i++)
        if (!put_table_sheet(&x, i))
            goto done;
    for (size_t k = 0; k < r->ncharts; k++)
        if (!put_chart(&x, k))
            goto done;
    if (!put_notes(&x) || !put_contents(&x) || !put_cover(&x) || !set_properties(&x))
        goto done;

    lxw_workbook *wb = x.wb;
    x.wb = NULL; /* workbook_close frees it whatever happens */
    if (ap_lxw_close(wb, name, d) != AP_OK)
        goto done;
    rc = AP_OK;
done:
    if (x.wb)
        lxw_workbook_free(x.wb); /* discarded unwritten */
    if (rc != AP_OK && remove_on_failure)
        remove(path); /* never leave a half-written or empty workbook */
    free_strings(x.names, r->ntables);
    free(x.sheets);
    free(x.free_row);
    if (saved_locale)
        setlocale(LC_NUMERIC, saved_locale);
    free(saved_locale);
    return rc;
}
