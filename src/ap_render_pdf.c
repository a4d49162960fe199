/*
 * ap_render_pdf: the report model drawn as an A4 PDF with libharu.
 *
 * The renderer only lays out what the model decided: every figure, marker and
 * tone comes from struct ap_report. Layout is a single top-to-bottom flow with
 * a cursor (y) on the current page; a block that would not fit starts a new
 * page, headings are kept with what follows them, table rows never split
 * (unless one row is taller than a page), and table headers repeat after a
 * break. Headers and footers ("Page n of m", the marking) are drawn last,
 * because the page count is only known then; libharu lets us keep every
 * page's handle and draw on it later. Each section heading gets a bookmark.
 *
 * libharu errors are sticky and reported through one handler that records the
 * first; the flow checks that record after each block and stops with one clear
 * message. Text is checked as UTF-8 before anything is drawn, because libharu
 * draws invalid bytes as garbage without complaint.
 *
 * The PDF is tagged (PDF/UA-1, see ap_pdf_tag.h) as it is drawn: every block
 * makes its structure element under the current section (Sect), text goes to
 * p->cur, and rules, fills, the logo, page furniture and the repeats on a
 * continuation page (the "(continued)" caption, the header row, the label of a
 * row that goes on) are artifacts. A table split over pages stays one Table
 * element. The chart is a Div holding its Caption and a Figure whose
 * alternative text is the model's (chart_alt).
 *
 * Reproducibility: the document dates come from r->created, the fonts' subset
 * tags are assigned in load order, and libharu writes no trailer /ID unless the
 * document is encrypted, so the same model gives a byte-identical file.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hpdf.h>

#include "ap_chart.h"
#include "ap_date.h"
#include "ap_pdf_tag.h"
#include "ap_report.h"
#include "ap_util.h"

/* A4 portrait in points; 20 mm margins. */
#define PAGE_W 595.276
#define PAGE_H 841.89
#define MARGIN 56.693
#define CONTENT_W (PAGE_W - 2 * MARGIN)
#define TOP (PAGE_H - MARGIN)
#define BOTTOM MARGIN

/* Type sizes and leading. */
#define BODY_SIZE 10.0
#define BODY_LEAD 13.5
#define H1_SIZE 13.0
#define TAB_SIZE 8.5
#define TAB_LEAD 10.5
#define TAB_PAD 3.5
#define CAPTION_SIZE 10.0
#define NOTE_SIZE 9.0
#define NOTE_LEAD 11.5
#define SHORT_TABLE_ROWS 15 /* tables this short are kept on one page */

#define DEFAULT_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define DEFAULT_FONT_BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

struct rgb {
    double r, g, b;
};

static struct rgb hex(unsigned v)
{
    struct rgb c = {((v >> 16) & 0xff) / 255.0, ((v >> 8) & 0xff) / 255.0, (v & 0xff) / 255.0};
    return c;
}

/* GOV.UK design-system colours: accessible on white, and the RAG fills. */
#define C_TEXT 0x0B0C0C
#define C_GREY 0x505A5F
#define C_RULE 0xB1B4B6
#define C_SHADE 0xE8EAEB
#define C_PANEL 0xF3F2F1
#define C_GOOD 0x00703C
#define C_BAD 0xD4351C
#define C_RAG_RED 0xD4351C
#define C_RAG_AMBER 0xF47738
#define C_RAG_GREEN 0x00703C
#define C_WHITE 0xFFFFFF

enum align { AL_LEFT, AL_RIGHT, AL_CENTRE };

struct pdf {
    const struct ap_report *r;
    struct ap_diag *d;
    HPDF_Doc doc;
    HPDF_STATUS err;    /* first libharu error, 0 if none */
    HPDF_STATUS detail; /* its detail code */
    int err_errno;      /* errno when it was raised (file errors) */
    HPDF_Font font, bold;
    double ascent, descent; /* of the regular font, per point of size */
    HPDF_Page *pages;
    size_t npages, apages;
    HPDF_Page page; /* current page */
    double y;       /* top of the free space on the current page */
    struct ap_buf scratch;
    /* Tagging (ap_pdf_tag.h): text drawn now belongs to cur, unless artifact
     * is set (page furniture, repeated headers); paths and fills are
     * artifacts unless paint_tagged (a chart's lines belong to its figure). */
    struct ap_pdf_tag *tag;
    struct ap_pdf_elem *parent; /* where new blocks go: a Sect, or the Document */
    struct ap_pdf_elem *cur;
    int artifact;
    bool paint_tagged;
};

static struct ap_pdf_elem *elem(struct pdf *p, struct ap_pdf_elem *parent, const char *type)
{
    return ap_pdf_tag_elem(p->tag, parent, type);
}

/* A new block-level element under the current parent; text goes to it. */
static struct ap_pdf_elem *block(struct pdf *p, const char *type)
{
    return p->cur = elem(p, p->parent, type);
}

static void mark_text(struct pdf *p)
{
    ap_pdf_tag_mark(p->tag, p->artifact ? NULL : p->cur);
}

static void mark_paint(struct pdf *p)
{
    ap_pdf_tag_mark(p->tag, p->paint_tagged && !p->artifact ? p->cur : NULL);
}

/* Records the first libharu error; the flow checks p->err after each block. */
static void HPDF_STDCALL on_error(HPDF_STATUS code, HPDF_STATUS detail, void *data)
{
    struct pdf *p = data;
    if (!p->err) {
        p->err = code ? code : HPDF_INVALID_OPERATION;
        p->detail = detail;
        p->err_errno = errno;
    }
}

/* What a libharu error code means to the person running the command. */
static const char *hpdf_error_text(HPDF_STATUS code)
{
    switch (code) {
    case HPDF_FAILD_TO_ALLOC_MEM:
        return "out of memory";
    case HPDF_FILE_IO_ERROR:
        return "the file could not be written: check the disk is not full";
    case HPDF_FILE_OPEN_ERROR:
        return "a file could not be opened: check the folder exists and is writable";
    case HPDF_INVALID_IMAGE:
    case HPDF_INVALID_PNG_IMAGE:
    case HPDF_LIBPNG_ERROR:
        return "the logo is not a PNG image libharu can read";
    case HPDF_INVALID_JPEG_DATA:
    case HPDF_UNSUPPORTED_JPEG_FORMAT:
        return "the logo is not a JPEG image libharu can read (progressive JPEGs are not "
               "supported)";
    case HPDF_INVALID_TTC_FILE:
    case HPDF_TTF_CANNOT_EMBEDDING_FONT:
    case HPDF_TTF_INVALID_CMAP:
    case HPDF_TTF_INVALID_FOMAT:
    case HPDF_TTF_MISSING_TABLE:
    case HPDF_INVALID_FONTDEF_DATA:
    case HPDF_UNSUPPORTED_FONT_TYPE:
        return "the font is not a TrueType font that may be embedded";
    case HPDF_INVALID_DATE_TIME:
        return "the creation date is out of range";
    default:
        return "internal error in the PDF library";
    }
}

/* Report the recorded libharu error once; returns AP_ERR_IO. */
static enum ap_status hpdf_fail(struct pdf *p, const char *path, const char *doing)
{
    if ((p->err == HPDF_FILE_OPEN_ERROR || p->err == HPDF_FILE_IO_ERROR) && p->err_errno)
        ap_diag_report(p->d, AP_ERROR, AP_ERR_IO, path, 0, 0,
                       "cannot write the PDF: %s (libharu error 0x%04lX while %s); %s",
                       strerror(p->err_errno), (unsigned long)p->err, doing,
                       p->err == HPDF_FILE_OPEN_ERROR ? "check the folder exists and is writable"
                                                      : "check the disk is not full");
    else
        ap_diag_report(p->d, AP_ERROR, AP_ERR_IO, path, 0, 0,
                       "cannot write the PDF: libharu error 0x%04lX, detail %lu, while %s (%s)",
                       (unsigned long)p->err, (unsigned long)p->detail, doing,
                       hpdf_error_text(p->err));
    return AP_ERR_IO;
}

/* ---- text measuring and wrapping ---- */

static double text_w(HPDF_Font f, double size, const char *s, size_t n)
{
    if (!n)
        return 0;
    HPDF_TextWidth tw = HPDF_Font_TextWidth(f, (const HPDF_BYTE *)s, (HPDF_UINT)n);
    return tw.width * size / 1000.0;
}

static double str_w(HPDF_Font f, double size, const char *s)
{
    return s ? text_w(f, size, s, strlen(s)) : 0;
}

struct span {
    size_t off, len;
};

struct lines {
    struct span *v;
    size_t n, alloc;
};

static void lines_push(struct lines *l, size_t off, size_t len)
{
    ap_grow((void **)&l->v, sizeof *l->v, l->n + 1, &l->alloc);
    l->v[l->n].off = off;
    l->v[l->n].len = len;
    l->n++;
}

static void lines_free(struct lines *l)
{
    free(l->v);
    l->v = NULL;
    l->n = l->alloc = 0;
}

static size_t utf8_next(const char *s, size_t i, size_t n)
{
    i++;
    while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
        i++;
    return i;
}

/* Spaces, and the tabs and carriage returns a CSV export may carry. */
static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* End of the word starting at i: the next space or newline, or just after a
 * hyphen inside the word ("information-|sharing"), where a line may also break. */
static size_t word_end(const char *s, size_t i, size_t n)
{
    size_t k = i;
    while (k < n && !is_blank(s[k]) && s[k] != '\n') {
        if (s[k] == '-' && k > i && k + 1 < n && !is_blank(s[k + 1]) && s[k + 1] != '\n')
            return k + 1;
        k++;
    }
    return k;
}

/* Break s into lines no wider than width, at spaces and after hyphens; a word
 * wider than the whole line is cut between characters. "\n" forces a break.
 * An empty text gives no lines. */
static void wrap(HPDF_Font f, double size, const char *s, double width, struct lines *out)
{
    size_t n = s ? strlen(s) : 0, i = 0;
    out->n = 0;
    while (i < n) {
        while (i < n && is_blank(s[i]))
            i++;
        if (i >= n)
            break;
        if (s[i] == '\n') {
            lines_push(out, i, 0);
            i++;
            continue;
        }
        size_t start = i, end = i, j = i;
        while (j < n && s[j] != '\n') {
            size_t k = word_end(s, j, n);
            if (text_w(f, size, s + start, k - start) > width)
                break;
            end = k;
            j = k;
            while (j < n && is_blank(s[j]))
                j++;
        }
        if (end == start) {
            /* The first word alone is too wide: take as many characters as fit, at least one. */
            size_t k = utf8_next(s, start, n);
            end = k;
            while (k < n && !is_blank(s[k]) && s[k] != '\n') {
                size_t next = utf8_next(s, k, n);
                if (text_w(f, size, s + start, next - start) > width)
                    break;
                end = k = next;
            }
        }
        lines_push(out, start, end - start);
        i = end;
        while (i < n && is_blank(s[i]))
            i++;
        if (i < n && s[i] == '\n')
            i++;
    }
}

/* ---- drawing primitives ---- */

static void set_fill(struct pdf *p, struct rgb c)
{
    HPDF_Page_SetRGBFill(p->page, (HPDF_REAL)c.r, (HPDF_REAL)c.g, (HPDF_REAL)c.b);
}

static void set_stroke(struct pdf *p, struct rgb c)
{
    HPDF_Page_SetRGBStroke(p->page, (HPDF_REAL)c.r, (HPDF_REAL)c.g, (HPDF_REAL)c.b);
}

/* Draw s[0..n) with its baseline at y, aligned within [x, x + w]. s is part
 * of a NUL-terminated string. A line that ends a word (at a blank or the end
 * of its string) is shown with a space after it, outside the measured width,
 * so that text extracted from the tags keeps its word breaks ("Plan: progress",
 * not "Plan:progress"); a line cut inside a word or after a hyphen is not. */
static void put_text(struct pdf *p, HPDF_Font f, double size, struct rgb c, double x, double w,
                     double y, enum align al, const char *s, size_t n)
{
    if (!n)
        return;
    double tw = text_w(f, size, s, n);
    if (al == AL_RIGHT)
        x += w - tw;
    else if (al == AL_CENTRE)
        x += (w - tw) / 2;
    ap_buf_reset(&p->scratch);
    ap_buf_add(&p->scratch, s, n);
    if (!s[n] || is_blank(s[n]) || s[n] == '\n')
        ap_buf_addch(&p->scratch, ' ');
    for (size_t i = 0; i < p->scratch.len; i++)
        if ((unsigned char)p->scratch.buf[i] < 0x20)
            p->scratch.buf[i] = ' '; /* a tab has no glyph */
    mark_text(p);
    ap_pdf_tag_used(p->tag, f, p->scratch.buf, p->scratch.len);
    set_fill(p, c);
    HPDF_Page_BeginText(p->page);
    HPDF_Page_SetFontAndSize(p->page, f, (HPDF_REAL)size);
    HPDF_Page_TextOut(p->page, (HPDF_REAL)x, (HPDF_REAL)y, p->scratch.buf);
    HPDF_Page_EndText(p->page);
}

static void put_str(struct pdf *p, HPDF_Font f, double size, struct rgb c, double x, double w,
                    double y, enum align al, const char *s)
{
    if (s)
        put_text(p, f, size, c, x, w, y, al, s, strlen(s));
}

/* Baseline of a line whose box (height lead) starts at top. */
static double baseline(const struct pdf *p, double size, double lead, double top)
{
    double box = (p->ascent - p->descent) * size;
    return top - (lead - box) / 2 - p->ascent * size;
}

static void fill_rect(struct pdf *p, struct rgb c, double x, double y, double w, double h)
{
    mark_paint(p);
    set_fill(p, c);
    HPDF_Page_Rectangle(p->page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w, (HPDF_REAL)h);
    HPDF_Page_Fill(p->page);
}

static void hline(struct pdf *p, struct rgb c, double width, double x0, double x1, double y)
{
    mark_paint(p);
    set_stroke(p, c);
    HPDF_Page_SetLineWidth(p->page, (HPDF_REAL)width);
    HPDF_Page_MoveTo(p->page, (HPDF_REAL)x0, (HPDF_REAL)y);
    HPDF_Page_LineTo(p->page, (HPDF_REAL)x1, (HPDF_REAL)y);
    HPDF_Page_Stroke(p->page);
}

/* ---- pages ---- */

static void new_page(struct pdf *p)
{
    HPDF_Page pg = HPDF_AddPage(p->doc);
    if (!pg) {
        if (!p->err)
            p->err = HPDF_INVALID_PAGE;
        return;
    }
    HPDF_Page_SetSize(pg, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    ap_grow((void **)&p->pages, sizeof *p->pages, p->npages + 1, &p->apages);
    p->pages[p->npages++] = pg;
    p->page = pg;
    p->y = TOP;
    ap_pdf_tag_page(p->tag, pg, p->npages - 1);
}

/* Start a new page unless h fits below the cursor (or we are already at the
 * top, where a new page would not help). */
static void need(struct pdf *p, double h)
{
    if (p->y - h < BOTTOM && p->y < TOP - 0.01)
        new_page(p);
}

/* Draw wrapped text flowing across pages; keeps at least two lines together
 * at a page break. */
static void flow_text(struct pdf *p, HPDF_Font f, double size, double lead, struct rgb c, double x,
                      double w, const char *s, enum align al)
{
    struct lines l = {0};
    wrap(f, size, s, w, &l);
    for (size_t i = 0; i < l.n; i++) {
        size_t keep = (i == 0 || l.n - i == 2) ? (l.n - i < 2 ? l.n - i : 2) : 1;
        need(p, keep * lead);
        put_text(p, f, size, c, x, w, baseline(p, size, lead, p->y), al, s + l.v[i].off,
                 l.v[i].len);
        p->y -= lead;
    }
    lines_free(&l);
}

static double text_height(HPDF_Font f, double size, double lead, double w, const char *s)
{
    struct lines l = {0};
    wrap(f, size, s, w, &l);
    double h = l.n * lead;
    lines_free(&l);
    return h;
}

/* ---- tables ---- */

struct tlayout {
    const struct ap_table *t;
    double *x, *w;       /* column left edges and widths */
    struct lines *head;  /* ncols */
    struct lines *cells; /* nrows * ncols */
    size_t *rowlines;    /* lines in each row */
    size_t headlines;    /* lines in the header row */
    double caption_h;    /* title and description */
    double size, lead;   /* type size and leading: smaller for very wide tables */
    /* Structure: the Table element, its TBody, and the current row's cells. */
    struct ap_pdf_elem *table, *tbody, **rowcells;
};

/* The first column names its row (TH, scope Row) when it is text and others
 * follow; every other body cell is a TD. */
static bool row_headed(const struct ap_table *t)
{
    return t->ncols > 1 && !t->cols[0].numeric;
}

static HPDF_Font cell_font(const struct pdf *p, const struct ap_cell *c)
{
    return (c->tone == AP_TONE_RED || c->tone == AP_TONE_AMBER || c->tone == AP_TONE_GREEN)
               ? p->bold
               : p->font;
}

/* Width of the widest word in s (what a column needs to avoid breaking words). */
static double widest_word(HPDF_Font f, double size, const char *s)
{
    double best = 0;
    size_t n = s ? strlen(s) : 0, i = 0;
    while (i < n) {
        while (i < n && (is_blank(s[i]) || s[i] == '\n'))
            i++;
        size_t k = word_end(s, i, n);
        double w = text_w(f, size, s + i, k - i);
        if (w > best)
            best = w;
        i = k;
    }
    return best;
}

/* Column widths: each column gets its share of the page from the width hints,
 * but never less than its widest word (so words are not broken) or its widest
 * short value (so "31 Mar 2017" stays on one line), unless those together are
 * wider than the page. Returns false in that case, with widths in proportion
 * to the minimums (words will break). */
static bool column_widths(struct pdf *p, const struct ap_table *t, double size, bool keep_short,
                          double *w)
{
    double sum = 0, minsum = 0, *minw = ap_xcalloc(t->ncols + 1, sizeof *minw);
    for (size_t c = 0; c < t->ncols; c++) {
        sum += t->cols[c].width > 0 ? t->cols[c].width : 10;
        double m = widest_word(p->bold, size, t->cols[c].heading);
        for (size_t r = 0; r < t->nrows; r++) {
            const struct ap_cell *cell = ap_table_cell(t, r, c);
            double cw = widest_word(cell_font(p, cell), size, cell->text);
            double whole = str_w(cell_font(p, cell), size, cell->text);
            if (keep_short && whole <= CONTENT_W * 0.13)
                cw = whole; /* keep short values such as dates on one line */
            if (cw > m)
                m = cw;
        }
        m += 2 * TAB_PAD + 1;
        if (m > CONTENT_W * 0.4)
            m = CONTENT_W * 0.4; /* a long URL or code may break instead */
        minw[c] = m;
        minsum += m;
    }
    bool fits = minsum <= CONTENT_W;
    if (!fits) {
        for (size_t c = 0; c < t->ncols; c++)
            w[c] = CONTENT_W * minw[c] / minsum;
        goto done;
    }
    /* Columns whose share of the hints is below their minimum are fixed at the
     * minimum; the rest share what is left in proportion to their hints. */
    bool *fixed = ap_xcalloc(t->ncols + 1, sizeof *fixed);
    double left = CONTENT_W, hints = sum;
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t c = 0; c < t->ncols; c++) {
            double hint = t->cols[c].width > 0 ? t->cols[c].width : 10;
            if (!fixed[c] && left * hint / hints < minw[c]) {
                fixed[c] = true;
                left -= minw[c];
                hints -= hint;
                changed = true;
            }
        }
        if (hints <= 0)
            break;
    }
    for (size_t c = 0; c < t->ncols; c++) {
        double hint = t->cols[c].width > 0 ? t->cols[c].width : 10;
        if (hints <= 0)
            w[c] = minw[c] + left * minw[c] / minsum; /* all fixed: spread the rest */
        else
            w[c] = fixed[c] ? minw[c] : left * hint / hints;
    }
    free(fixed);
done:
    free(minw);
    return fits;
}

static void tlayout_init(struct pdf *p, const struct ap_table *t, struct tlayout *L)
{
    memset(L, 0, sizeof *L);
    L->t = t;
    L->x = ap_xcalloc(t->ncols + 1, sizeof *L->x);
    L->w = ap_xcalloc(t->ncols + 1, sizeof *L->w);
    /* Words should not break: let short values wrap, then try smaller type. */
    static const double sizes[] = {TAB_SIZE, 7.5, 6.5};
    bool fits = false;
    for (size_t i = 0; i < AP_ARRAY_LEN(sizes) && !fits; i++)
        for (int keep = 1; keep >= 0 && !fits; keep--) {
            L->size = sizes[i];
            fits = column_widths(p, t, L->size, keep, L->w);
        }
    L->lead = L->size * TAB_LEAD / TAB_SIZE;
    double x = MARGIN;
    for (size_t c = 0; c < t->ncols; c++) {
        L->x[c] = x;
        x += L->w[c];
    }
    L->head = ap_xcalloc(t->ncols + 1, sizeof *L->head);
    L->headlines = 1;
    for (size_t c = 0; c < t->ncols; c++) {
        wrap(p->bold, L->size, t->cols[c].heading, L->w[c] - 2 * TAB_PAD, &L->head[c]);
        if (L->head[c].n > L->headlines)
            L->headlines = L->head[c].n;
    }
    L->cells = ap_xcalloc(t->nrows * t->ncols + 1, sizeof *L->cells);
    L->rowlines = ap_xcalloc(t->nrows + 1, sizeof *L->rowlines);
    L->rowcells = ap_xcalloc(t->ncols + 1, sizeof *L->rowcells);
    for (size_t r = 0; r < t->nrows; r++) {
        L->rowlines[r] = 1;
        for (size_t c = 0; c < t->ncols; c++) {
            const struct ap_cell *cell = ap_table_cell(t, r, c);
            struct lines *l = &L->cells[r * t->ncols + c];
            wrap(cell_font(p, cell), L->size, cell->text, L->w[c] - 2 * TAB_PAD, l);
            if (l->n > L->rowlines[r])
                L->rowlines[r] = l->n;
        }
    }
    L->caption_h = 0;
    if (t->title && *t->title)
        L->caption_h += text_height(p->bold, CAPTION_SIZE, 13, CONTENT_W, t->title) + 2;
    if (t->description && *t->description)
        L->caption_h += text_height(p->font, NOTE_SIZE, NOTE_LEAD, CONTENT_W, t->description);
    L->caption_h += 4;
}

static void tlayout_free(struct tlayout *L)
{
    if (!L->t)
        return;
    for (size_t c = 0; c < L->t->ncols; c++)
        lines_free(&L->head[c]);
    for (size_t i = 0; i < L->t->nrows * L->t->ncols; i++)
        lines_free(&L->cells[i]);
    free(L->head);
    free(L->rowcells);
    free(L->cells);
    free(L->rowlines);
    free(L->x);
    free(L->w);
    memset(L, 0, sizeof *L);
}

static double row_h(const struct tlayout *L, size_t nlines)
{
    return nlines * L->lead + 2 * TAB_PAD;
}

/* Height that must stay together at the start of a table (and with a heading
 * above it): a short table whole, if it fits on a page with room for a heading;
 * otherwise its caption, header row and first two rows. */
static double table_keep_h(const struct tlayout *L)
{
    double whole = L->caption_h + row_h(L, L->headlines), start = whole;
    for (size_t r = 0; r < L->t->nrows; r++) {
        whole += row_h(L, L->rowlines[r]);
        if (r < 2)
            start += row_h(L, L->rowlines[r]);
    }
    if (L->t->nrows <= SHORT_TABLE_ROWS && whole + 40 <= TOP - BOTTOM)
        return whole;
    return start;
}

/* The header row: tagged THead/TR/TH the first time, an artifact when it is
 * repeated on a continuation page (the table element goes on across pages). */
static void draw_table_header(struct pdf *p, const struct tlayout *L, bool repeat)
{
    const struct ap_table *t = L->t;
    double h = row_h(L, L->headlines);
    struct ap_pdf_elem *tr = repeat ? NULL : elem(p, elem(p, L->table, "THead"), "TR");
    fill_rect(p, hex(C_SHADE), MARGIN, p->y - h, CONTENT_W, h);
    for (size_t c = 0; c < t->ncols; c++) {
        const char *s = t->cols[c].heading;
        if (tr) {
            p->cur = elem(p, tr, "TH");
            ap_pdf_tag_scope(p->tag, p->cur, "Column");
        }
        for (size_t i = 0; i < L->head[c].n; i++)
            put_text(p, p->bold, L->size, hex(C_TEXT), L->x[c] + TAB_PAD, L->w[c] - 2 * TAB_PAD,
                     baseline(p, L->size, L->lead, p->y - TAB_PAD - i * L->lead),
                     t->cols[c].numeric ? AL_RIGHT : AL_LEFT, s + L->head[c].v[i].off,
                     L->head[c].v[i].len);
    }
    p->y -= h;
    hline(p, hex(C_TEXT), 0.8, MARGIN, MARGIN + CONTENT_W, p->y);
}

/* Lines [from, from + n) of row r, with the cell fills behind them. The row's
 * TR and cells are made when its first lines are drawn; later lines (on the
 * next page) go to the same cells. */
static void draw_row_part(struct pdf *p, struct tlayout *L, size_t r, size_t from, size_t n)
{
    const struct ap_table *t = L->t;
    double h = row_h(L, n);
    if (from == 0) {
        if (!L->tbody)
            L->tbody = elem(p, L->table, "TBody");
        struct ap_pdf_elem *tr = elem(p, L->tbody, "TR");
        for (size_t c = 0; c < t->ncols; c++) {
            bool th = c == 0 && row_headed(t);
            L->rowcells[c] = elem(p, tr, th ? "TH" : "TD");
            if (th)
                ap_pdf_tag_scope(p->tag, L->rowcells[c], "Row");
        }
    }
    for (size_t c = 0; c < t->ncols; c++) {
        const struct ap_cell *cell = ap_table_cell(t, r, c);
        p->cur = L->rowcells[c];
        const struct lines *l = &L->cells[r * t->ncols + c];
        struct rgb fg = hex(C_TEXT);
        switch (cell->tone) {
        case AP_TONE_RED:
            fill_rect(p, hex(C_RAG_RED), L->x[c] + 0.5, p->y - h + 0.5, L->w[c] - 1, h - 1);
            fg = hex(C_WHITE);
            break;
        case AP_TONE_AMBER:
            fill_rect(p, hex(C_RAG_AMBER), L->x[c] + 0.5, p->y - h + 0.5, L->w[c] - 1, h - 1);
            break; /* black on amber: white would be too faint */
        case AP_TONE_GREEN:
            fill_rect(p, hex(C_RAG_GREEN), L->x[c] + 0.5, p->y - h + 0.5, L->w[c] - 1, h - 1);
            fg = hex(C_WHITE);
            break;
        case AP_TONE_GOOD:
            fg = hex(C_GOOD);
            break;
        case AP_TONE_BAD:
            fg = hex(C_BAD);
            break;
        case AP_TONE_NEUTRAL:
            fg = hex(C_GREY);
            break;
        case AP_TONE_NONE:
            break;
        }
        if (c == 0 && from > 0 && l->n > 0 && l->n <= from) {
            p->artifact++; /* a repeat, to say which row continues */
            put_text(p, cell_font(p, cell), L->size, hex(C_GREY), L->x[c] + TAB_PAD,
                     L->w[c] - 2 * TAB_PAD, baseline(p, L->size, L->lead, p->y - TAB_PAD),
                     t->cols[c].numeric ? AL_RIGHT : AL_LEFT, cell->text + l->v[0].off,
                     l->v[0].len);
            p->artifact--;
        }
        for (size_t i = from; i < l->n && i < from + n; i++)
            put_text(p, cell_font(p, cell), L->size, fg, L->x[c] + TAB_PAD, L->w[c] - 2 * TAB_PAD,
                     baseline(p, L->size, L->lead, p->y - TAB_PAD - (i - from) * L->lead),
                     t->cols[c].numeric ? AL_RIGHT : AL_LEFT, cell->text + l->v[i].off,
                     l->v[i].len);
    }
    p->y -= h;
    hline(p, hex(C_RULE), 0.5, MARGIN, MARGIN + CONTENT_W, p->y);
}

/* A new page for a table that continues: a "(continued)" caption and the
 * header row again. */
static void table_continue(struct pdf *p, const struct tlayout *L)
{
    new_page(p);
    p->artifact++; /* the caption and header again: a repeat, not new content */
    if (L->t->title && *L->t->title) {
        struct ap_buf b = AP_BUF_INIT;
        ap_buf_addf(&b, "%s (continued)", L->t->title);
        flow_text(p, p->bold, NOTE_SIZE, NOTE_LEAD, hex(C_GREY), MARGIN, CONTENT_W, b.buf, AL_LEFT);
        ap_buf_release(&b);
        p->y -= 3;
    }
    draw_table_header(p, L, true);
    p->artifact--;
}

static void draw_table(struct pdf *p, const struct ap_table *t)
{
    struct tlayout L;
    tlayout_init(p, t, &L);
    need(p, table_keep_h(&L));
    L.table = block(p, "Table");
    if ((t->title && *t->title) || (t->description && *t->description))
        p->cur = elem(p, L.table, "Caption");
    if (t->title && *t->title) {
        flow_text(p, p->bold, CAPTION_SIZE, 13, hex(C_TEXT), MARGIN, CONTENT_W, t->title, AL_LEFT);
        p->y -= 2;
    }
    if (t->description && *t->description)
        flow_text(p, p->font, NOTE_SIZE, NOTE_LEAD, hex(C_GREY), MARGIN, CONTENT_W, t->description,
                  AL_LEFT);
    p->y -= 4;
    draw_table_header(p, &L, false);
    /* Room for rows on a continuation page: below the caption and header. */
    double page_room = (TOP - BOTTOM) - NOTE_LEAD * 2 - 3 - row_h(&L, L.headlines);
    for (size_t r = 0; r < t->nrows && !p->err; r++) {
        size_t total = L.rowlines[r], done = 0;
        bool fresh = false; /* just continued: drawing now is the only way forward */
        while (done < total && !p->err) {
            size_t left = total - done;
            double avail = p->y - BOTTOM - 2 * TAB_PAD;
            size_t fit = avail > 0 ? (size_t)((avail + 0.01) / L.lead) : 0;
            if (fresh && fit < 2)
                fit = 2; /* an absurdly long caption or header: overflow rather than loop */
            if (fit >= left) {
                draw_row_part(p, &L, r, done, left);
                done = total;
            } else if (done == 0 && !fresh && row_h(&L, left) <= page_room) {
                table_continue(p, &L); /* the whole row fits on the next page */
                fresh = true;
            } else if (fit >= 2) {
                draw_row_part(p, &L, r, done, fit); /* a row taller than a page */
                done += fit;
                table_continue(p, &L);
                fresh = true;
            } else {
                table_continue(p, &L);
                fresh = true;
            }
        }
    }
    p->y -= 10;
    tlayout_free(&L);
}

/* ---- headline panel ---- */

#define HL_COLS 3
#define HL_GAP 8.0
#define HL_PAD 7.0
#define HL_VALUE 20.0

static struct rgb tone_colour(enum ap_tone t)
{
    switch (t) {
    case AP_TONE_GOOD:
        return hex(C_GOOD);
    case AP_TONE_BAD:
        return hex(C_BAD);
    default:
        return hex(C_GREY);
    }
}

/* Lay out one headline box at (x, top) of width w; draws only when draw is
 * set. Returns the height used. */
static double headline_box(struct pdf *p, const struct ap_report *r, const struct ap_headline *h,
                           double x, double top, double w, bool draw)
{
    double iw = w - 2 * HL_PAD, y = top - HL_PAD - 4; /* 4: the tone bar */
    struct lines l = {0};
    struct ap_buf b = AP_BUF_INIT;

    if (draw)
        put_str(p, p->bold, HL_VALUE, hex(C_TEXT), x + HL_PAD, iw,
                baseline(p, HL_VALUE, HL_VALUE * 1.15, y), AL_LEFT, h->value.text);
    y -= HL_VALUE * 1.15;

    wrap(p->font, NOTE_SIZE, h->label, iw, &l);
    for (size_t i = 0; i < l.n; i++) {
        if (draw)
            put_text(p, p->font, NOTE_SIZE, hex(C_TEXT), x + HL_PAD, iw,
                     baseline(p, NOTE_SIZE, NOTE_LEAD, y), AL_LEFT, h->label + l.v[i].off,
                     l.v[i].len);
        y -= NOTE_LEAD;
    }
    y -= 3;

    const struct {
        const char *label;
        const struct ap_cell *cell;
    } rows[] = {
        {r->change_prev_label, &h->change_prev},
        {r->change_year_label, &h->change_year},
        {"Per 10,000 children", &h->rate},
    };
    for (size_t i = 0; i < AP_ARRAY_LEN(rows); i++) {
        if (rows[i].cell->kind == AP_CELL_EMPTY || !rows[i].label || !*rows[i].label)
            continue;
        ap_buf_reset(&b);
        ap_buf_addf(&b, "%s: %s", rows[i].label, rows[i].cell->text);
        wrap(p->font, TAB_SIZE, b.buf, iw, &l);
        for (size_t j = 0; j < l.n; j++) {
            if (draw)
                put_text(p, p->font, TAB_SIZE, hex(C_GREY), x + HL_PAD, iw,
                         baseline(p, TAB_SIZE, TAB_LEAD, y), AL_LEFT, b.buf + l.v[j].off,
                         l.v[j].len);
            y -= TAB_LEAD;
        }
    }
    if (h->direction && *h->direction) {
        /* The word carries the meaning; the colour repeats it. */
        ap_buf_reset(&b);
        ap_buf_addf(&b, "Direction: %s", h->direction);
        if (*h->verdict)
            ap_buf_addf(&b, " (%s)", h->verdict);
        wrap(p->bold, TAB_SIZE, b.buf, iw, &l);
        for (size_t j = 0; j < l.n; j++) {
            if (draw)
                put_text(p, p->bold, TAB_SIZE, tone_colour(h->tone), x + HL_PAD, iw,
                         baseline(p, TAB_SIZE, TAB_LEAD, y), AL_LEFT, b.buf + l.v[j].off,
                         l.v[j].len);
            y -= TAB_LEAD;
        }
    }
    lines_free(&l);
    ap_buf_release(&b);
    return top - y + HL_PAD;
}

static void draw_headlines(struct pdf *p, bool measure_only, double *first_row_h)
{
    const struct ap_report *r = p->r;
    double w = (CONTENT_W - (HL_COLS - 1) * HL_GAP) / HL_COLS;
    /* A list, one item per figure, read box by box. */
    struct ap_pdf_elem *list = measure_only || !r->nheadlines ? NULL : block(p, "L");
    for (size_t i = 0; i < r->nheadlines && !p->err; i += HL_COLS) {
        double h = 0;
        for (size_t j = i; j < i + HL_COLS && j < r->nheadlines; j++) {
            double bh = headline_box(p, r, &r->headlines[j], 0, 0, w, false);
            if (bh > h)
                h = bh;
        }
        if (measure_only) {
            *first_row_h = h + HL_GAP;
            return;
        }
        need(p, h + HL_GAP);
        for (size_t j = i; j < i + HL_COLS && j < r->nheadlines; j++) {
            double x = MARGIN + (double)(j - i) * (w + HL_GAP);
            fill_rect(p, hex(C_PANEL), x, p->y - h, w, h);
            fill_rect(p,
                      r->headlines[j].direction && *r->headlines[j].direction
                          ? tone_colour(r->headlines[j].tone)
                          : hex(C_RULE),
                      x, p->y - 4, w, 4);
            p->cur = elem(p, elem(p, list, "LI"), "LBody");
            headline_box(p, r, &r->headlines[j], x, p->y, w, true);
        }
        p->y -= h + HL_GAP;
    }
    p->y -= 4;
}

/* ---- trend chart ---- */

#define CH_PLOT_H 170.0
#define CH_LABEL 7.5

static const unsigned series_colours[] = {0x12436D, 0x28A197, 0x801650,
                                          0xF46A25, 0x3D3D3D, 0xA285D1};

static void marker(struct pdf *p, size_t shape, double x, double y)
{
    const double s = 2.8;
    mark_paint(p);
    switch (shape % 4) {
    case 0:
        HPDF_Page_Circle(p->page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)s);
        break;
    case 1:
        HPDF_Page_Rectangle(p->page, (HPDF_REAL)(x - s), (HPDF_REAL)(y - s), (HPDF_REAL)(2 * s),
                            (HPDF_REAL)(2 * s));
        break;
    case 2:
        HPDF_Page_MoveTo(p->page, (HPDF_REAL)x, (HPDF_REAL)(y + s * 1.2));
        HPDF_Page_LineTo(p->page, (HPDF_REAL)(x + s * 1.1), (HPDF_REAL)(y - s * 0.9));
        HPDF_Page_LineTo(p->page, (HPDF_REAL)(x - s * 1.1), (HPDF_REAL)(y - s * 0.9));
        HPDF_Page_ClosePath(p->page);
        break;
    default:
        HPDF_Page_MoveTo(p->page, (HPDF_REAL)x, (HPDF_REAL)(y + s * 1.3));
        HPDF_Page_LineTo(p->page, (HPDF_REAL)(x + s * 1.3), (HPDF_REAL)y);
        HPDF_Page_LineTo(p->page, (HPDF_REAL)x, (HPDF_REAL)(y - s * 1.3));
        HPDF_Page_LineTo(p->page, (HPDF_REAL)(x - s * 1.3), (HPDF_REAL)y);
        HPDF_Page_ClosePath(p->page);
        break;
    }
    HPDF_Page_Fill(p->page);
}

struct legend_item {
    double x, y; /* offsets from the legend's top left */
};

/* Place legend entries in rows across width w; returns the legend height. */
static double legend_layout(struct pdf *p, const struct ap_chart *c, double w,
                            struct legend_item *pos)
{
    double x = 0, y = 0;
    for (size_t s = 0; s < c->nseries; s++) {
        double ew = 26 + str_w(p->font, CH_LABEL + 0.5, c->series[s].name) + 14;
        if (x > 0 && x + ew > w) {
            x = 0;
            y += 12;
        }
        pos[s].x = x;
        pos[s].y = y;
        x += ew;
    }
    return c->nseries ? y + 12 : 0;
}

static double chart_height(struct pdf *p, const struct ap_chart *c)
{
    struct legend_item *pos = ap_xcalloc(c->nseries + 1, sizeof *pos);
    double h = text_height(p->bold, CAPTION_SIZE, 13, CONTENT_W, c->title) + 8 + CH_PLOT_H + 6 +
               2 * (CH_LABEL + 2) + 8 + legend_layout(p, c, CONTENT_W - 20, pos) + 12;
    free(pos);
    return h;
}

/* The chart's alternative text: the model's (ap_chart_describe), what it
 * shows series by series, and where the same figures are set out. */
static void chart_alt(const struct pdf *p, const struct ap_chart *c, struct ap_buf *b)
{
    ap_buf_adds(b, c->alt_intro);
    for (size_t s = 0; s < c->nseries; s++)
        ap_buf_addf(b, " %s", c->alt_series[s]);
    if (c->table < p->r->ntables && p->r->tables[c->table].title && *p->r->tables[c->table].title)
        ap_buf_addf(b, " Every figure is in %s.", p->r->tables[c->table].title);
}

static void draw_chart(struct pdf *p, const struct ap_chart *c)
{
    const struct ap_report *r = p->r;
    bool percent = false, any = false;
    double lo = 0, hi = 0;
    struct legend_item *pos = ap_xcalloc(c->nseries + 1, sizeof *pos);
    struct lines l = {0};
    char lab[32];

    /* The chart's table says how its numbers are formatted. */
    if (c->table < r->ntables && c->first_col < r->tables[c->table].ncols) {
        const struct ap_table *t = &r->tables[c->table];
        for (size_t row = 0; row < t->nrows; row++) {
            const struct ap_cell *cell = ap_table_cell(t, row, c->first_col);
            if (cell->kind == AP_CELL_NUMBER) {
                percent = cell->fmt == AP_NUM_PERCENT;
                break;
            }
        }
    }
    for (size_t s = 0; s < c->nseries; s++)
        for (size_t k = 0; k < c->ncats; k++)
            if (ap_chart_present(&c->series[s], k)) {
                double v = c->series[s].values[k];
                if (!any || v > hi)
                    hi = v;
                if (!any || v < lo)
                    lo = v;
                any = true;
            }
    if (lo > 0)
        lo = 0;
    if (hi <= lo)
        hi = lo + (percent ? 0.1 : 5);
    double step = ap_chart_step(hi - lo);
    if (!percent && step < 1)
        step = 1;
    double ymin = floor(lo / step + 1e-9) * step, ymax = ceil(hi / step - 1e-9) * step;
    if (ymax <= ymin)
        ymax = ymin + step;

    double total_h = chart_height(p, c);
    need(p, total_h);
    /* A Div holding the caption and the figure; the figure's lines, marks and
     * labels are all its content, and its alternative text says what it shows. */
    struct ap_pdf_elem *div = block(p, "Div");
    p->cur = elem(p, div, "Caption");
    flow_text(p, p->bold, CAPTION_SIZE, 13, hex(C_TEXT), MARGIN, CONTENT_W, c->title, AL_LEFT);
    p->y -= 8;
    p->cur = elem(p, div, "Figure");
    struct ap_buf alt = AP_BUF_INIT;
    chart_alt(p, c, &alt);
    ap_pdf_tag_alt(p->tag, p->cur, alt.buf);
    ap_buf_release(&alt);
    p->paint_tagged = true;

    /* Plot area: room on the left for the y title and the widest tick label. */
    double label_w = 0;
    for (double v = ymin; v <= ymax + step / 2; v += step) {
        ap_chart_tick_label(v, step, percent, lab);
        double tw = str_w(p->font, CH_LABEL, lab);
        if (tw > label_w)
            label_w = tw;
    }
    double px = MARGIN + 16 + label_w + 6, pw = MARGIN + CONTENT_W - 8 - px;
    double ptop = p->y, pbot = p->y - CH_PLOT_H;
#define YPOS(v) (pbot + ((v)-ymin) / (ymax - ymin) * CH_PLOT_H)

    /* Gridlines and y ticks. */
    for (double v = ymin; v <= ymax + step / 2; v += step) {
        double y = YPOS(v);
        hline(p, hex(v == 0 ? C_GREY : 0xDDDDDD), v == 0 ? 0.8 : 0.5, px, px + pw, y);
        ap_chart_tick_label(v, step, percent, lab);
        put_str(p, p->font, CH_LABEL, hex(C_TEXT), px - 6 - label_w, label_w, y - CH_LABEL * 0.35,
                AL_RIGHT, lab);
    }
    /* The y axis, and its title read from the bottom up. */
    mark_paint(p);
    set_stroke(p, hex(C_GREY));
    HPDF_Page_SetLineWidth(p->page, 0.8f);
    HPDF_Page_MoveTo(p->page, (HPDF_REAL)px, (HPDF_REAL)pbot);
    HPDF_Page_LineTo(p->page, (HPDF_REAL)px, (HPDF_REAL)ptop);
    HPDF_Page_Stroke(p->page);
    if (c->y_title && *c->y_title) {
        double tw = str_w(p->font, CH_LABEL + 0.5, c->y_title);
        ap_buf_reset(&p->scratch);
        ap_buf_addf(&p->scratch, "%s ", c->y_title); /* the space ends the word for a reader */
        mark_text(p);
        ap_pdf_tag_used(p->tag, p->font, p->scratch.buf, p->scratch.len);
        set_fill(p, hex(C_TEXT));
        HPDF_Page_BeginText(p->page);
        HPDF_Page_SetFontAndSize(p->page, p->font, (HPDF_REAL)(CH_LABEL + 0.5));
        HPDF_Page_SetTextMatrix(p->page, 0, 1, -1, 0, (HPDF_REAL)(MARGIN + 9),
                                (HPDF_REAL)((ptop + pbot) / 2 - tw / 2));
        HPDF_Page_ShowText(p->page, p->scratch.buf);
        HPDF_Page_EndText(p->page);
    }

    /* Categories: one band each, the point at its centre, the label below. */
    double band = c->ncats ? pw / (double)c->ncats : pw;
    for (size_t k = 0; k < c->ncats; k++) {
        double cx = px + band * ((double)k + 0.5);
        mark_paint(p);
        set_stroke(p, hex(C_GREY));
        HPDF_Page_SetLineWidth(p->page, 0.5f);
        HPDF_Page_MoveTo(p->page, (HPDF_REAL)cx, (HPDF_REAL)pbot);
        HPDF_Page_LineTo(p->page, (HPDF_REAL)cx, (HPDF_REAL)(pbot - 3));
        HPDF_Page_Stroke(p->page);
        wrap(p->font, CH_LABEL, c->categories[k], band - 2, &l);
        for (size_t i = 0; i < l.n && i < 2; i++)
            put_text(p, p->font, CH_LABEL, hex(C_TEXT), cx - band / 2, band,
                     pbot - 6 - CH_LABEL - (double)i * (CH_LABEL + 2), AL_CENTRE,
                     c->categories[k] + l.v[i].off, l.v[i].len);
    }

    /* Series: a line between neighbouring present values, a marker on each. */
    for (size_t s = 0; s < c->nseries; s++) {
        const struct ap_series *se = &c->series[s];
        struct rgb col = hex(series_colours[s % AP_ARRAY_LEN(series_colours)]);
        mark_paint(p);
        set_stroke(p, col);
        HPDF_Page_SetLineWidth(p->page, 1.6f);
        for (size_t k = 0; k + 1 < c->ncats; k++) {
            if (!ap_chart_present(se, k) || !ap_chart_present(se, k + 1))
                continue;
            HPDF_Page_MoveTo(p->page, (HPDF_REAL)(px + band * ((double)k + 0.5)),
                             (HPDF_REAL)YPOS(se->values[k]));
            HPDF_Page_LineTo(p->page, (HPDF_REAL)(px + band * ((double)k + 1.5)),
                             (HPDF_REAL)YPOS(se->values[k + 1]));
            HPDF_Page_Stroke(p->page);
        }
        set_fill(p, col);
        for (size_t k = 0; k < c->ncats; k++)
            if (ap_chart_present(se, k))
                marker(p, s, px + band * ((double)k + 0.5), YPOS(se->values[k]));
    }
#undef YPOS

    /* Legend under the category labels. */
    double ly = pbot - 6 - 2 * (CH_LABEL + 2) - 8, lx = px;
    legend_layout(p, c, MARGIN + CONTENT_W - lx, pos);
    for (size_t s = 0; s < c->nseries; s++) {
        struct rgb col = hex(series_colours[s % AP_ARRAY_LEN(series_colours)]);
        double x = lx + pos[s].x, y = ly - pos[s].y - 6;
        mark_paint(p);
        set_stroke(p, col);
        HPDF_Page_SetLineWidth(p->page, 1.6f);
        HPDF_Page_MoveTo(p->page, (HPDF_REAL)x, (HPDF_REAL)y);
        HPDF_Page_LineTo(p->page, (HPDF_REAL)(x + 20), (HPDF_REAL)y);
        HPDF_Page_Stroke(p->page);
        set_fill(p, col);
        marker(p, s, x + 10, y);
        put_str(p, p->font, CH_LABEL + 0.5, hex(C_TEXT), x + 26, 0, y - CH_LABEL * 0.35, AL_LEFT,
                c->series[s].name);
    }
    p->y -= total_h - (text_height(p->bold, CAPTION_SIZE, 13, CONTENT_W, c->title) + 8);
    p->paint_tagged = false;
    lines_free(&l);
    free(pos);
}

/* ---- title block, sections, notes ---- */

static enum ap_status draw_logo(struct pdf *p, const char *path, double *used_w)
{
    unsigned char magic[4] = {0};
    HPDF_Image img = NULL;
    FILE *f = fopen(path, "rb");
    *used_w = 0;
    if (!f) {
        ap_diag_error(p->d, AP_ERR_INPUT,
                      "cannot read the logo '%s': %s; set logo in the [report] section of the "
                      "config to a PNG or JPEG file",
                      path, strerror(errno));
        return AP_ERR_INPUT;
    }
    size_t got = fread(magic, 1, sizeof magic, f);
    fclose(f);
    if (got >= 4 && magic[0] == 0x89 && magic[1] == 'P' && magic[2] == 'N' && magic[3] == 'G') {
        img = HPDF_LoadPngImageFromFile(p->doc, path);
    } else if (got >= 3 && magic[0] == 0xFF && magic[1] == 0xD8 && magic[2] == 0xFF) {
        img = HPDF_LoadJpegImageFromFile(p->doc, path);
    } else {
        ap_diag_error(p->d, AP_ERR_INPUT, "the logo '%s' is neither a PNG nor a JPEG image", path);
        return AP_ERR_INPUT;
    }
    if (!img || p->err) {
        ap_diag_error(p->d, AP_ERR_INPUT, "cannot use the logo '%s': libharu error 0x%04lX (%s)",
                      path, (unsigned long)p->err, hpdf_error_text(p->err));
        return AP_ERR_INPUT;
    }
    double iw = HPDF_Image_GetWidth(img), ih = HPDF_Image_GetHeight(img);
    const double box_w = 140, box_h = 60;
    if (iw <= 0 || ih <= 0)
        return AP_OK;
    double scale = fmin(box_w / iw, box_h / ih);
    double w = iw * scale, h = ih * scale;
    mark_paint(p); /* the logo is decoration: an artifact */
    HPDF_Page_DrawImage(p->page, img, (HPDF_REAL)(MARGIN + CONTENT_W - w), (HPDF_REAL)(TOP - h),
                        (HPDF_REAL)w, (HPDF_REAL)h);
    *used_w = box_w + 12;
    return AP_OK;
}

static void kv_line(struct pdf *p, double w, const char *key, const char *value)
{
    struct ap_buf b = AP_BUF_INIT;
    if (!value || !*value)
        return;
    ap_buf_addf(&b, "%s%s", key, value);
    block(p, "P");
    flow_text(p, p->font, BODY_SIZE, BODY_LEAD, hex(C_TEXT), MARGIN, w, b.buf, AL_LEFT);
    ap_buf_release(&b);
}

static enum ap_status draw_title_block(struct pdf *p)
{
    const struct ap_report *r = p->r;
    double logo_w = 0;
    if (r->logo && *r->logo) {
        enum ap_status st = draw_logo(p, r->logo, &logo_w);
        if (st != AP_OK)
            return st;
    }
    double w = CONTENT_W - logo_w;
    struct ap_buf b = AP_BUF_INIT;
    ap_buf_adds(&b, r->organisation ? r->organisation : "");
    if (r->team && *r->team)
        ap_buf_addf(&b, "%s%s", b.len ? " \xE2\x80\x94 " : "", r->team);
    if (b.len)
        block(p, "P");
    flow_text(p, p->bold, BODY_SIZE, BODY_LEAD, hex(C_GREY), MARGIN, w, b.buf, AL_LEFT);
    ap_buf_release(&b);
    p->y -= 6;
    block(p, "H1");
    flow_text(p, p->bold, 20, 24, hex(C_TEXT), MARGIN, w, r->title, AL_LEFT);
    if (r->subtitle && *r->subtitle) {
        p->y -= 2;
        block(p, "P");
        flow_text(p, p->font, 14, 18, hex(C_GREY), MARGIN, w, r->subtitle, AL_LEFT);
    }
    p->y -= 10;
    kv_line(p, CONTENT_W, "Period: ", r->period_label);
    kv_line(p, CONTENT_W, "Data as at: ", r->data_as_at);
    kv_line(p, CONTENT_W, "Protective marking: ", r->marking);
    if (r->suppressed) {
        char k[32];
        snprintf(k, sizeof k, "%d", r->suppress_max);
        struct ap_buf s = AP_BUF_INIT;
        ap_buf_addf(&s,
                    "Small numbers: counts from 1 to %s are shown as [c] so that no child can be "
                    "identified (see the notes at the end).",
                    k);
        block(p, "P");
        flow_text(p, p->font, BODY_SIZE, BODY_LEAD, hex(C_TEXT), MARGIN, CONTENT_W, s.buf, AL_LEFT);
        ap_buf_release(&s);
    }
    if (r->contact && *r->contact && block(p, "P"))
        flow_text(p, p->font, BODY_SIZE, BODY_LEAD, hex(C_TEXT), MARGIN, CONTENT_W, r->contact,
                  AL_LEFT);
    if (r->sample) {
        p->y -= 6;
        const char *s = "Sample data: every figure in this report is synthetic and describes no "
                        "real child, case or person.";
        double h = text_height(p->bold, BODY_SIZE, BODY_LEAD, CONTENT_W - 16, s) + 10;
        fill_rect(p, hex(C_BAD), MARGIN, p->y - h, 4, h);
        p->y -= 5;
        block(p, "P");
        flow_text(p, p->bold, BODY_SIZE, BODY_LEAD, hex(C_TEXT), MARGIN + 12, CONTENT_W - 16, s,
                  AL_LEFT);
        p->y -= 5;
    }
    p->y -= 8;
    hline(p, hex(C_TEXT), 1.2, MARGIN, MARGIN + CONTENT_W, p->y);
    p->y -= 10;
    return AP_OK;
}

/* Height the first block of a section needs to sit with the heading. */
static double block_keep_h(struct pdf *p, const struct ap_block *b)
{
    const struct ap_report *r = p->r;
    double h = 0;
    switch (b->kind) {
    case AP_BLOCK_PARAGRAPH: {
        double full = text_height(p->font, BODY_SIZE, BODY_LEAD, CONTENT_W, b->text);
        return full < 3 * BODY_LEAD ? full : 3 * BODY_LEAD;
    }
    case AP_BLOCK_HEADLINES:
        draw_headlines(p, true, &h);
        return h;
    case AP_BLOCK_TABLE:
        if (b->index < r->ntables) {
            struct tlayout L;
            tlayout_init(p, &r->tables[b->index], &L);
            h = table_keep_h(&L);
            tlayout_free(&L);
        }
        return h;
    case AP_BLOCK_CHART:
        return b->index < r->ncharts ? chart_height(p, &r->charts[b->index]) : 0;
    }
    return 0;
}

static void draw_heading(struct pdf *p, const char *title, double keep)
{
    double h = text_height(p->bold, H1_SIZE, 17, CONTENT_W, title);
    if (keep > TOP - BOTTOM - h - 14)
        keep = TOP - BOTTOM - h - 14; /* never ask for more than a page */
    if (p->y < TOP - 0.01)
        p->y -= 8;
    need(p, h + 6 + keep);
    /* A bookmark for each heading, so readers can jump between sections. */
    HPDF_Outline o = HPDF_CreateOutline(p->doc, NULL, title, HPDF_GetEncoder(p->doc, "UTF-8"));
    HPDF_Destination dst = HPDF_Page_CreateDestination(p->page);
    if (o && dst) {
        HPDF_Destination_SetXYZ(dst, 0, (HPDF_REAL)p->y, 1); /* zoom 0 is refused */
        HPDF_Outline_SetDestination(o, dst);
    }
    block(p, "H2");
    flow_text(p, p->bold, H1_SIZE, 17, hex(C_TEXT), MARGIN, CONTENT_W, title, AL_LEFT);
    p->y -= 6;
}

/* True when the template already placed every note in a section's text (the
 * model then renders them as paragraphs, and a second copy would repeat them). */
static bool notes_in_sections(const struct ap_report *r)
{
    for (size_t n = 0; n < r->nnotes; n++) {
        bool found = !r->notes[n].text || !*r->notes[n].text;
        for (size_t i = 0; i < r->nsections && !found; i++)
            for (size_t b = 0; b < r->sections[i].nblocks && !found; b++) {
                const struct ap_block *blk = &r->sections[i].blocks[b];
                found = blk->kind == AP_BLOCK_PARAGRAPH && blk->text &&
                        strstr(blk->text, r->notes[n].text);
            }
        if (!found)
            return false;
    }
    return true;
}

/* The notes as a table at the end, unless a section already holds them. */
static void draw_notes(struct pdf *p)
{
    const struct ap_report *r = p->r;
    if (!r->nnotes || notes_in_sections(r))
        return;
    static char h_marker[] = "Marker", h_meaning[] = "Meaning";
    struct ap_column cols[2] = {{h_marker, false, 10}, {h_meaning, false, 80}};
    struct ap_table t = {0};
    static char empty[] = "";
    p->parent = elem(p, NULL, "Sect");
    t.cols = cols;
    t.ncols = 2;
    t.nrows = r->nnotes;
    t.title = empty;
    t.description = empty;
    t.cells = ap_xcalloc(2 * r->nnotes, sizeof *t.cells);
    for (size_t i = 0; i < r->nnotes; i++) {
        t.cells[2 * i].kind = AP_CELL_TEXT;
        t.cells[2 * i].text = r->notes[i].marker ? r->notes[i].marker : empty;
        t.cells[2 * i + 1].kind = AP_CELL_TEXT;
        t.cells[2 * i + 1].text = r->notes[i].text ? r->notes[i].text : empty;
    }
    struct tlayout L;
    tlayout_init(p, &t, &L);
    draw_heading(p, "Notes", table_keep_h(&L));
    tlayout_free(&L);
    draw_table(p, &t);
    p->parent = NULL;
    free(t.cells);
}

/* Marking (and the sample notice) centred in the header and footer, and
 * "Page n of m", on every page. */
static void draw_page_furniture(struct pdf *p)
{
    const struct ap_report *r = p->r;
    const char *sample = "SAMPLE REPORT \xE2\x80\x94 synthetic data, not real people";
    char pg[64];
    ap_pdf_tag_end(p->tag); /* the flow's last sequence */
    p->artifact++;
    for (size_t i = 0; i < p->npages && !p->err; i++) {
        p->page = p->pages[i];
        ap_pdf_tag_page(p->tag, p->page, i);
        if (r->marking && *r->marking) {
            put_str(p, p->bold, 9, hex(C_TEXT), MARGIN, CONTENT_W, PAGE_H - 30, AL_CENTRE,
                    r->marking);
            put_str(p, p->bold, 9, hex(C_TEXT), MARGIN, CONTENT_W, 24, AL_CENTRE, r->marking);
        }
        if (r->sample) {
            put_str(p, p->bold, 7.5, hex(C_BAD), MARGIN, CONTENT_W, PAGE_H - 41, AL_CENTRE, sample);
            put_str(p, p->bold, 7.5, hex(C_BAD), MARGIN, CONTENT_W, 35, AL_CENTRE, sample);
        }
        snprintf(pg, sizeof pg, "Page %zu of %zu", i + 1, p->npages);
        put_str(p, p->font, 8.5, hex(C_GREY), MARGIN, CONTENT_W, 24, AL_RIGHT, pg);
        if (r->period_code && *r->period_code)
            put_str(p, p->font, 8.5, hex(C_GREY), MARGIN, CONTENT_W, 24, AL_LEFT, r->period_code);
        ap_pdf_tag_end(p->tag);
    }
    p->artifact--;
}

/* ---- checks before drawing ---- */

/* Invalid UTF-8 would be drawn as garbage without an error, so refuse it. */
static void bad_utf8(struct pdf *p, const char *s, const char *where)
{
    size_t ok = ap_utf8_valid_prefix(s, strlen(s));
    size_t from = ok > 40 ? ok - 40 : 0;
    ap_diag_error(p->d, AP_ERR_INPUT,
                  "cannot draw the PDF: %s is not valid UTF-8 (byte 0x%02X at offset %zu, after "
                  "'%.*s'); save the template and the CSV files as UTF-8",
                  where, (unsigned)(unsigned char)s[ok], ok, (int)(ok - from), s + from);
}

static void bad_utf8_cb(void *ctx, const char *s, const char *where)
{
    bad_utf8(ctx, s, where);
}

/* Fonts must be readable TrueType files; say which and how to fix it. */
static enum ap_status load_font(struct pdf *p, const char *path, const char *key, HPDF_Font *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        ap_diag_error(p->d, AP_ERR_INPUT,
                      "cannot read the font '%s': %s; set %s in the [report] section of the config "
                      "to a TrueType (.ttf) file, such as " DEFAULT_FONT,
                      path, strerror(errno), key);
        return AP_ERR_INPUT;
    }
    fclose(f);
    const char *name = HPDF_LoadTTFontFromFile(p->doc, path, HPDF_TRUE);
    if (name)
        *out = HPDF_GetFont(p->doc, name, "UTF-8");
    if (!name || !*out || p->err) {
        ap_diag_error(
            p->d, AP_ERR_INPUT,
            "cannot use the font '%s': libharu error 0x%04lX (%s); set %s in the [report] "
            "section of the config to a TrueType (.ttf) file",
            path, (unsigned long)p->err, hpdf_error_text(p->err), key);
        return AP_ERR_INPUT;
    }
    return AP_OK;
}

/* The finished document, from libharu's memory stream to path through writes we
 * check ourselves (libharu's own file writer ignores a failing fclose, so a
 * full disk at the last write went unnoticed). Messages name shown. */
static enum ap_status write_out(struct pdf *p, const char *path, const char *shown)
{
    HPDF_UINT32 size = HPDF_GetStreamSize(p->doc), got = size;
    HPDF_BYTE *buf = ap_xmalloc(size ? size : 1);
    FILE *f = NULL;
    const char *step = "opening";
    if (HPDF_ResetStream(p->doc) != HPDF_OK || size == 0 ||
        HPDF_ReadFromStream(p->doc, buf, &got) != HPDF_OK || got != size || p->err) {
        if (!p->err)
            p->err = HPDF_INVALID_OPERATION;
        free(buf);
        return hpdf_fail(p, shown, "copying the finished document");
    }
    if (!(f = fopen(path, "wb")))
        goto fail;
    step = "writing";
    if (fwrite(buf, 1, size, f) != size)
        goto fail;
    step = "flushing";
    if (fflush(f) != 0)
        goto fail;
    step = "syncing";
    if (fsync(fileno(f)) != 0)
        goto fail;
    step = "closing";
    FILE *closing = f;
    f = NULL; /* closed whatever fclose returns */
    if (fclose(closing) != 0)
        goto fail;
    free(buf);
    return AP_OK;
fail:;
    int err = errno;
    const char *advice = "";
    if (err == ENOSPC || err == EFBIG || err == EDQUOT)
        advice = "; check the disk is not full";
    else if (!strcmp(step, "opening"))
        advice = "; check the folder exists and is writable";
    ap_diag_report(p->d, AP_ERROR, AP_ERR_IO, shown, 0, 0, "cannot write the PDF: %s (while %s)%s",
                   strerror(err), step, advice);
    if (f)
        fclose(f); /* already failing: the first error is the one reported */
    free(buf);
    return AP_ERR_IO;
}

/* The document properties, and the same in the XMP metadata (date as
 * 2017-03-31T09:00:00Z in xmp, 32 bytes). */
static void set_info(struct pdf *p, char xmp_date[32])
{
    const struct ap_report *r = p->r;
    const struct {
        HPDF_InfoType type;
        const char *value;
    } info[] = {
        {HPDF_INFO_TITLE, r->title},       {HPDF_INFO_AUTHOR, r->author},
        {HPDF_INFO_SUBJECT, r->subject},   {HPDF_INFO_KEYWORDS, r->keywords},
        {HPDF_INFO_CREATOR, "actionplan"},
    };
    for (size_t i = 0; i < AP_ARRAY_LEN(info); i++)
        if (info[i].value && *info[i].value)
            HPDF_SetInfoAttr(p->doc, info[i].type, info[i].value);

    /* Both dates from the model (SOURCE_DATE_EPOCH when set): reruns match. */
    int64_t secs = r->created >= 0 ? r->created : 0;
    int y, m, d;
    ap_day_to_ymd((ap_day)(secs / 86400), &y, &m, &d);
    int64_t rem = secs % 86400;
    HPDF_Date date = {
        y,   m, d, (HPDF_INT)(rem / 3600), (HPDF_INT)(rem / 60 % 60), (HPDF_INT)(rem % 60),
        'Z', 0, 0};
    HPDF_SetInfoDateAttr(p->doc, HPDF_INFO_CREATION_DATE, date);
    HPDF_SetInfoDateAttr(p->doc, HPDF_INFO_MOD_DATE, date);
    snprintf(xmp_date, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(rem / 3600),
             (int)(rem / 60 % 60), (int)(rem % 60));
}

static void draw_sections(struct pdf *p)
{
    const struct ap_report *r = p->r;
    for (size_t i = 0; i < r->nsections && !p->err; i++) {
        const struct ap_section *s = &r->sections[i];
        p->parent = elem(p, NULL, "Sect");
        if (s->title && *s->title)
            draw_heading(p, s->title, s->nblocks ? block_keep_h(p, &s->blocks[0]) : 0);
        for (size_t b = 0; b < s->nblocks && !p->err; b++) {
            const struct ap_block *blk = &s->blocks[b];
            switch (blk->kind) {
            case AP_BLOCK_PARAGRAPH:
                if (blk->text && *blk->text)
                    block(p, "P");
                flow_text(p, p->font, BODY_SIZE, BODY_LEAD, hex(C_TEXT), MARGIN, CONTENT_W,
                          blk->text, AL_LEFT);
                p->y -= 7;
                break;
            case AP_BLOCK_HEADLINES:
                draw_headlines(p, false, NULL);
                break;
            case AP_BLOCK_TABLE:
                draw_table(p, &r->tables[blk->index]);
                break;
            case AP_BLOCK_CHART:
                draw_chart(p, &r->charts[blk->index]);
                break;
            }
        }
        p->parent = NULL;
    }
}

enum ap_status ap_render_pdf(const struct ap_report *r, const char *path, const char *shown,
                             struct ap_diag *d)
{
    struct pdf p = {0};
    enum ap_status rc = AP_OK;
    const char *doing = "setting up the document";
    char xmp_date[32] = "";

    if (!shown)
        shown = path;

    p.r = r;
    p.d = d;
    ap_buf_init(&p.scratch);
    if (!ap_report_check_text(p.r, bad_utf8_cb, &p, p.d)) {
        rc = d->status != AP_OK ? d->status : AP_ERR_INPUT;
        goto done;
    }
    p.doc = HPDF_New(on_error, &p);
    if (!p.doc) {
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, shown, 0, 0,
                       "cannot write the PDF: libharu could not start");
        rc = AP_ERR_IO;
        goto done;
    }
    HPDF_SetCompressionMode(p.doc, HPDF_COMP_ALL);
    p.tag = ap_pdf_tag_new(p.doc);
    HPDF_UseUTFEncodings(p.doc);
    HPDF_SetCurrentEncoder(p.doc, "UTF-8");
    if (p.err) {
        rc = hpdf_fail(&p, shown, doing);
        goto done;
    }
    rc = load_font(&p, r->font ? r->font : DEFAULT_FONT, "font", &p.font);
    if (rc == AP_OK)
        rc = load_font(&p, r->font_bold ? r->font_bold : DEFAULT_FONT_BOLD, "font_bold", &p.bold);
    if (rc != AP_OK)
        goto done;
    p.ascent = HPDF_Font_GetAscent(p.font) / 1000.0;
    p.descent = HPDF_Font_GetDescent(p.font) / 1000.0;
    if (p.ascent <= 0)
        p.ascent = 0.9, p.descent = -0.25;

    doing = "setting the document properties";
    set_info(&p, xmp_date);
    HPDF_SetPageMode(p.doc, HPDF_PAGE_MODE_USE_OUTLINE); /* open with the bookmarks shown */
    if (p.err) {
        rc = hpdf_fail(&p, shown, doing);
        goto done;
    }

    doing = "drawing the pages";
    new_page(&p);
    rc = draw_title_block(&p);
    if (rc != AP_OK)
        goto done;
    draw_sections(&p);
    if (!p.err)
        draw_notes(&p);
    if (!p.err)
        draw_page_furniture(&p);
    if (!p.err) {
        doing = "tagging the document";
        const struct ap_pdf_meta meta = {r->title,     r->author, r->subject, r->keywords,
                                         "actionplan", xmp_date,  "en-GB"};
        HPDF_STATUS st = ap_pdf_tag_finish(p.tag, &meta); /* also any earlier tagging error */
        if (st != HPDF_OK)
            p.err = st;
    }
    if (p.err) {
        rc = hpdf_fail(&p, shown, doing);
        goto done;
    }

    doing = "saving";
    if (HPDF_SaveToStream(p.doc) != HPDF_OK || p.err) {
        if (!p.err)
            p.err = HPDF_INVALID_OPERATION;
        rc = hpdf_fail(&p, shown, doing);
        goto done;
    }
    rc = write_out(&p, path, shown);

done:
    ap_pdf_tag_free(p.tag);
    if (p.doc)
        HPDF_Free(p.doc);
    free(p.pages);
    ap_buf_release(&p.scratch);
    return rc;
}
