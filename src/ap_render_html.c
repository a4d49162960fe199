/*
 * ap_render_html: the report model as one self-contained HTML page, for the
 * council's website (WCAG 2.2 AA). Everything is in the one file: inline CSS,
 * the chart as inline SVG, no script and nothing fetched from the network.
 *
 * The page: the protective marking, the title block, a contents list, then the
 * template's sections in order (h2), each table under its own h3 inside the
 * table's caption, with scoped header cells, and the notes. Markers ([c], [z],
 * [x]) are explained by a key under every table that uses them, linked to the
 * note that defines them. The chart is an SVG image whose text alternative is
 * worked out from the series (which rose, which fell, where there are gaps);
 * its data table follows it. A print stylesheet lays the page out on A4 and
 * puts the marking in the margin of every printed page (@page margin boxes).
 *
 * Nothing is computed here: figures are the model's text, as in the PDF and the
 * workbook. The page is built in memory and written with checked writes.
 */
#include "ap_chart.h"
#include "ap_report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ap_util.h"

/* Chart geometry, in SVG user units (the SVG scales to the page's width). */
#define CH_FONT 14.0
#define CH_TOP 14.0
#define CH_CHAR 0.6         /* a character's width, in ems, for laying out labels */
#define SHORT_TABLE_ROWS 15 /* printed tables this short are kept on one page */

/* Two drawings of each chart: a wide one, and a narrow one for phones whose
 * category labels slant, so that its text is still legible when the drawing
 * is scaled to a small screen. CSS shows one of them (the other is hidden
 * from every reader, so assistive technology meets only one). */
struct chart_layout {
    const char *cls; /* "chart-wide" or "chart-narrow" */
    double w, h;
    double bottom; /* room under the plot for the category labels */
    bool slant;    /* category labels at 45 degrees */
};

static const struct chart_layout wide_layout = {"chart-wide", 560, 330, 46, false};
static const struct chart_layout narrow_layout = {"chart-narrow", 340, 360, 84, true};

/* Line colours (each at least 3:1 against white) and, per series, a marker
 * shape, so that colour is never the only difference between lines. */
static const char *const series_colours[] = {"#12436D", "#28A197", "#801650",
                                             "#F46A25", "#3D3D3D", "#A285D1"};

/* A marker that the page explains: a note of the model (or one this renderer
 * adds for an empty cell or an empty table), and the id of the element that
 * holds its explanation. */
struct mark {
    const char *marker; /* "[c]"; borrowed from the model or a literal */
    const char *text;   /* its explanation */
    char *id;           /* owned: element id of the explanation */
    bool added;         /* not in the model's notes: rendered after them */
};

struct html {
    const struct ap_report *r;
    struct ap_diag *d;
    struct ap_buf b; /* the page */
    struct mark *marks;
    size_t nmarks;
    /* Where the notes are: the section and paragraph holding each model note
     * when the template already placed them (-1 when rendered at the end). */
    size_t *note_sec, *note_blk;
    bool notes_in_sections;
    char *notes_href; /* owned: "#id" of the notes' section */
    bool uses_x, uses_z;
};

/* ---- escaping ---- */

/* Decode one code point of valid UTF-8 at s; sets *len. */
static unsigned long utf8_decode(const unsigned char *s, size_t *len)
{
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    if (s[0] < 0xE0) {
        *len = 2;
        return ((unsigned long)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    }
    if (s[0] < 0xF0) {
        *len = 3;
        return ((unsigned long)(s[0] & 0x0F) << 12) | ((unsigned long)(s[1] & 0x3F) << 6) |
               (s[2] & 0x3F);
    }
    *len = 4;
    return ((unsigned long)(s[0] & 0x07) << 18) | ((unsigned long)(s[1] & 0x3F) << 12) |
           ((unsigned long)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
}

/* Code points HTML forbids in a document (controls other than white space,
 * and noncharacters): written as a space. */
static bool forbidden(unsigned long cp)
{
    if (cp == '\t' || cp == '\n' || cp == '\r')
        return false;
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0xFDD0 && cp <= 0xFDEF) ||
           (cp & 0xFFFE) == 0xFFFE;
}

/* Append s[0..n) as HTML text or attribute value (valid UTF-8, checked before). */
static void esc_n(struct ap_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        size_t len;
        unsigned long cp = utf8_decode(p, &len);
        switch (cp) {
        case '&':
            ap_buf_adds(b, "&amp;");
            break;
        case '<':
            ap_buf_adds(b, "&lt;");
            break;
        case '>':
            ap_buf_adds(b, "&gt;");
            break;
        case '"':
            ap_buf_adds(b, "&quot;");
            break;
        case '\'':
            ap_buf_adds(b, "&#39;");
            break;
        default:
            if (forbidden(cp))
                ap_buf_addch(b, ' ');
            else
                ap_buf_add(b, p, len);
        }
        p += len;
    }
}

static void esc(struct ap_buf *b, const char *s)
{
    if (s)
        esc_n(b, s, strlen(s));
}

/* Append s as a quoted CSS string: ASCII other than letters, digits and
 * spaces as hexadecimal escapes (so neither a quote nor "</style>" can end it),
 * other characters as they are. */
static void css_string(struct ap_buf *b, const char *s)
{
    ap_buf_addch(b, '"');
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        size_t len;
        unsigned long cp = utf8_decode(p, &len);
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
            cp == ' ')
            ap_buf_addch(b, (char)cp);
        else if (forbidden(cp) || cp == '\t' || cp == '\n' || cp == '\r')
            ap_buf_addch(b, ' ');
        else if (cp < 0x80)
            ap_buf_addf(b, "\\%lX ", cp);
        else
            ap_buf_add(b, p, len);
        p += len;
    }
    ap_buf_addch(b, '"');
}

/* An id fragment from s: ASCII letters, digits, '-' and '_'; others '-'. */
static void add_id_part(struct ap_buf *b, const char *s)
{
    for (; s && *s; s++) {
        char c = *s;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
        ap_buf_addch(b, ok ? c : '-');
    }
}

static char *section_id(size_t i, const struct ap_section *s)
{
    struct ap_buf b = AP_BUF_INIT;
    ap_buf_addf(&b, "s%zu-", i + 1);
    add_id_part(&b, s->id);
    return ap_buf_detach(&b);
}

static char *table_id(size_t i, const struct ap_table *t)
{
    struct ap_buf b = AP_BUF_INIT;
    ap_buf_addf(&b, "t%zu-", i + 1);
    add_id_part(&b, t->id);
    return ap_buf_detach(&b);
}

/* ---- checks ---- */

/* Invalid UTF-8 cannot be written into a valid page: refuse it, as the PDF does
 * (ap_report_check_text finds it and names the place). */
static void bad_utf8(void *ctx, const char *s, const char *where)
{
    struct html *h = ctx;
    size_t ok = ap_utf8_valid_prefix(s, strlen(s));
    size_t from = ok > 40 ? ok - 40 : 0;
    ap_diag_error(h->d, AP_ERR_INPUT,
                  "cannot write the HTML report: %s is not valid UTF-8 (byte 0x%02X at offset "
                  "%zu, after '%.*s'); save the template and the CSV files as UTF-8",
                  where, (unsigned)(unsigned char)s[ok], ok, (int)(ok - from), s + from);
}

/* ---- markers and notes ---- */

/* Text shown for a cell: its own, else "[x]" (not available), as the workbook
 * shows it: a published table has no blank cells. */
static const char *cell_text(const struct ap_cell *c)
{
    return c->text && *c->text ? c->text : "[x]";
}

static bool has_note(const struct ap_report *r, const char *marker)
{
    for (size_t i = 0; i < r->nnotes; i++)
        if (r->notes[i].marker && strcmp(r->notes[i].marker, marker) == 0)
            return true;
    return false;
}

/* Where the template put each note: the first paragraph that holds its text.
 * All found: the page shows them there; otherwise a notes section at the end. */
static void place_notes(struct html *h)
{
    const struct ap_report *r = h->r;
    h->note_sec = ap_xcalloc(r->nnotes + 1, sizeof *h->note_sec);
    h->note_blk = ap_xcalloc(r->nnotes + 1, sizeof *h->note_blk);
    h->notes_in_sections = r->nnotes > 0;
    for (size_t n = 0; n < r->nnotes; n++) {
        bool found = false;
        const char *text = r->notes[n].text ? r->notes[n].text : "";
        for (size_t i = 0; i < r->nsections && !found && *text; i++)
            for (size_t b = 0; b < r->sections[i].nblocks && !found; b++) {
                const struct ap_block *blk = &r->sections[i].blocks[b];
                if (blk->kind == AP_BLOCK_PARAGRAPH && blk->text && strstr(blk->text, text)) {
                    h->note_sec[n] = i;
                    h->note_blk[n] = b;
                    found = true;
                }
            }
        if (!found)
            h->notes_in_sections = false;
    }
}

/* The id of note n's explanation: "note-c" for "[c]", "note-3" for the third. */
static char *note_id(const struct ap_note *note, size_t n)
{
    struct ap_buf b = AP_BUF_INIT;
    ap_buf_adds(&b, "note-");
    size_t start = b.len;
    for (const char *p = note->marker; p && *p; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
            ap_buf_addch(&b, *p);
    if (b.len == start || b.len - start > 8)
        ap_buf_addf(&b, "%s%zu", b.len == start ? "" : "-", n + 1);
    return ap_buf_detach(&b);
}

/* Does any table cell shown read s? Empty cells show "[x]". */
static void scan_empty(struct html *h)
{
    const struct ap_report *r = h->r;
    for (size_t i = 0; i < r->ntables; i++) {
        const struct ap_table *t = &r->tables[i];
        if (t->nrows == 0 && t->ncols > 1)
            h->uses_z = true;
        for (size_t k = 0; k < t->nrows * t->ncols; k++)
            if (!t->cells[k].text || !*t->cells[k].text)
                h->uses_x = true;
    }
}

/* The markers the page explains: the model's notes that carry one, then "[x]"
 * and "[z]" when this page shows them and the model does not explain them. */
static void collect_marks(struct html *h)
{
    const struct ap_report *r = h->r;
    h->marks = ap_xcalloc(r->nnotes + 2, sizeof *h->marks);
    for (size_t n = 0; n < r->nnotes; n++) {
        const struct ap_note *note = &r->notes[n];
        if (!note->marker || !*note->marker)
            continue;
        struct mark *m = &h->marks[h->nmarks++];
        m->marker = note->marker;
        m->text = note->text ? note->text : "";
        if (h->notes_in_sections) {
            /* The first note placed in a paragraph names it; others share it. */
            size_t first = n;
            for (size_t k = 0; k < n; k++)
                if (h->note_sec[k] == h->note_sec[n] && h->note_blk[k] == h->note_blk[n]) {
                    first = k;
                    break;
                }
            m->id = note_id(&r->notes[first], first);
        } else {
            m->id = note_id(note, n);
        }
    }
    static const struct {
        const char *marker, *text, *id;
    } extra[] = {
        {"[x]", "Not available.", "note-x"},
        {"[z]", "Not applicable: there is nothing to count in this period.", "note-z"},
    };
    for (size_t i = 0; i < AP_ARRAY_LEN(extra); i++) {
        bool used = i == 0 ? h->uses_x : h->uses_z;
        if (!used || has_note(r, extra[i].marker))
            continue;
        struct mark *m = &h->marks[h->nmarks++];
        m->marker = extra[i].marker;
        m->text = extra[i].text;
        m->id = ap_xstrdup(extra[i].id);
        m->added = true;
    }
}

/* The mark whose marker starts s, if any. */
static const struct mark *mark_at(const struct html *h, const char *s)
{
    if (*s != '[')
        return NULL;
    for (size_t i = 0; i < h->nmarks; i++)
        if (strncmp(s, h->marks[i].marker, strlen(h->marks[i].marker)) == 0)
            return &h->marks[i];
    return NULL;
}

/* Text with each marker linked to its explanation (not inside the notes). */
static void put_linked(struct html *h, const char *s, bool link)
{
    const char *run = s;
    for (const char *p = s; s && *p;) {
        const struct mark *m = link ? mark_at(h, p) : NULL;
        if (!m) {
            p++;
            continue;
        }
        esc_n(&h->b, run, (size_t)(p - run));
        ap_buf_addf(&h->b, "<a class=\"marker\" href=\"#%s\">", m->id);
        esc(&h->b, m->marker);
        ap_buf_adds(&h->b, "</a>");
        p += strlen(m->marker);
        run = p;
    }
    if (s)
        esc(&h->b, run);
}

/* A short name for a marker: its explanation up to the first colon or full
 * stop, with a capital first letter lowered ("Confidential: ..." gives
 * "confidential"). */
static void put_mark_name(struct html *h, const struct mark *m)
{
    size_t n = strcspn(m->text, ":.;");
    if (n > 60)
        n = 60;
    char first = m->text[0];
    if (n > 1 && first >= 'A' && first <= 'Z' && m->text[1] >= 'a' && m->text[1] <= 'z') {
        ap_buf_addch(&h->b, (char)(first - 'A' + 'a'));
        esc_n(&h->b, m->text + 1, n - 1);
    } else {
        esc_n(&h->b, m->text, n);
    }
}

/* "Markers: [c] confidential, [z] not applicable (see the notes)." for the
 * markers that used[] flags; nothing when none is used. */
static void put_key(struct html *h, const bool *used)
{
    size_t n = 0, k = 0;
    for (size_t i = 0; i < h->nmarks; i++)
        n += used[i];
    if (!n)
        return;
    ap_buf_adds(&h->b, "<p class=\"key\">Markers used: ");
    for (size_t i = 0; i < h->nmarks; i++) {
        if (!used[i])
            continue;
        if (k++)
            ap_buf_adds(&h->b, k == n ? " and " : ", ");
        ap_buf_addf(&h->b, "<a class=\"marker\" href=\"#%s\">", h->marks[i].id);
        esc(&h->b, h->marks[i].marker);
        ap_buf_adds(&h->b, "</a> ");
        put_mark_name(h, &h->marks[i]);
    }
    ap_buf_adds(&h->b, " (the notes explain each).</p>\n");
}

static void flag_marks(const struct html *h, const char *s, bool *used)
{
    for (size_t i = 0; i < h->nmarks && s; i++)
        if (strstr(s, h->marks[i].marker))
            used[i] = true;
}

/* ---- page parts ---- */

static const char *tone_class(enum ap_tone t)
{
    static const char *const names[] = {
        [AP_TONE_NONE] = NULL,         [AP_TONE_GOOD] = "good",   [AP_TONE_BAD] = "bad",
        [AP_TONE_NEUTRAL] = "neutral", [AP_TONE_RED] = "rag-red", [AP_TONE_AMBER] = "rag-amber",
        [AP_TONE_GREEN] = "rag-green",
    };
    return (unsigned)t < AP_ARRAY_LEN(names) ? names[t] : NULL;
}

static const char page_css[] =
    ":root{color-scheme:light}\n"
    "*,*::before,*::after{box-sizing:border-box}\n"
    "html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\n"
    "body{margin:0;font-family:Arial,\"Helvetica Neue\",\"Liberation Sans\",\"DejaVu Sans\","
    "sans-serif;font-size:1.0625rem;line-height:1.5;color:#0b0c0c;background:#fff;"
    "overflow-wrap:break-word}\n"
    ".page{max-width:60rem;margin:0 auto;padding:0 1rem}\n"
    "a{color:#1d70b8}a:visited{color:#4c2c92}a:hover{color:#003078}\n"
    "a:focus,.table-box:focus,.chart-box:focus{outline:3px solid #fd0;outline-offset:0;"
    "box-shadow:0 0 0 6px #0b0c0c}\n"
    "a:focus{background:#fd0;color:#0b0c0c;text-decoration:none}\n"
    ".skip{position:absolute;left:-9999px;top:0;padding:.5rem 1rem}\n"
    ".skip:focus{left:0;z-index:2}\n"
    ".marking{margin:0;max-width:none;padding:.35rem 1rem;background:#0b0c0c;color:#fff;"
    "text-align:center;font-weight:700;letter-spacing:.05em}\n"
    ".marking .sample{display:block;font-weight:400;letter-spacing:0;font-size:.9375rem}\n"
    "header.masthead{padding:1.5rem 0 1rem;border-bottom:.25rem solid #0b0c0c;"
    "margin-bottom:1.5rem}\n"
    ".org{margin:0 0 .5rem;color:#505a5f;font-weight:700}\n"
    "h1{font-size:2rem;line-height:1.2;margin:0 0 .5rem}\n"
    ".subtitle{font-size:1.25rem;color:#505a5f;margin:0 0 1rem}\n"
    "dl.facts{margin:0 0 1rem}\n"
    "dl.facts div{display:flex;flex-wrap:wrap;column-gap:.5rem}\n"
    "dl.facts dt{font-weight:700}dl.facts dt::after{content:\":\"}dl.facts dd{margin:0}\n"
    ".notice{border-left:.35rem solid #b10e1e;padding:.5rem 1rem;margin:1rem 0;"
    "font-weight:700;background:#f3f2f1}\n"
    "nav.contents{margin:0 0 2rem}\n"
    "nav.contents h2{font-size:1.25rem;margin:0 0 .5rem}\n"
    "nav.contents ol{margin:0;padding-left:0;list-style:none}\n"
    "nav.contents li{margin:.25rem 0}\n"
    "h2{font-size:1.5rem;line-height:1.25;margin:2.5rem 0 1rem}\n"
    "h3{font-size:1.1875rem;line-height:1.3;margin:0 0 .35rem}\n"
    "p{margin:0 0 1rem;max-width:44em}\n"
    ".marker{white-space:nowrap}\n"
    "ul.headlines{list-style:none;margin:0 0 1rem;padding:0;display:grid;"
    "grid-template-columns:repeat(auto-fill,minmax(min(100%,16rem),1fr));gap:1rem}\n"
    ".hl{background:#f3f2f1;border-top:.3rem solid #b1b4b6;padding:.75rem 1rem}\n"
    ".hl-good{border-top-color:#00703c}.hl-bad{border-top-color:#b10e1e}"
    ".hl-neutral{border-top-color:#505a5f}\n"
    ".hl-value{font-size:2.25rem;font-weight:700;line-height:1.1;margin:0}\n"
    ".hl-label{margin:.25rem 0 .5rem;font-weight:700}\n"
    ".hl dl{margin:0;font-size:.9375rem}.hl dl div{display:flex;gap:.5rem;"
    "justify-content:space-between;border-top:1px solid #b1b4b6;padding:.2rem 0}\n"
    ".hl dt{color:#383f43}.hl dd{margin:0;font-weight:700;white-space:nowrap}\n"
    ".hl-direction{margin:.4rem 0 0;font-weight:700}\n"
    ".good{color:#00703c}.bad{color:#b10e1e}.neutral{color:#383f43}\n"
    ".table-box{overflow-x:auto;margin:0 0 2rem;max-width:100%}\n"
    "table{border-collapse:collapse;width:100%;font-size:.9375rem;line-height:1.35}\n"
    "caption{text-align:left;padding:0 0 .5rem}\n"
    "caption>*{max-width:min(44em,calc(100vw - 2.5rem))}\n"
    "caption p{margin:0 0 .35rem;font-weight:400}\n"
    "th,td{padding:.45rem .75rem .45rem 0;border-bottom:1px solid #b1b4b6;text-align:left;"
    "vertical-align:top}\n"
    "th:last-child,td:last-child{padding-right:0}\n"
    "thead th{border-bottom:2px solid #0b0c0c;vertical-align:bottom}\n"
    /* Narrow screens: a row heading or a text cell wrapped into a column of
     * single words reads badly. 12em keeps two or three words a line, and a
     * table wider than the screen scrolls in its box (a labelled region a
     * keyboard can reach); the figures' headings wrap above 5em columns.
     * On paper the page's width decides (the print rules below). */
    "tbody th{font-weight:700}\n"
    "@media screen{tbody th,td:not(.num){min-width:12em}thead th.num{min-width:5em}}\n"
    ".num{text-align:right;white-space:nowrap}\n"
    "thead th.num{white-space:normal}\n"
    ".rag{display:inline-block;padding:0 .4rem;font-weight:700;border-radius:2px}\n"
    ".rag-red{background:#b10e1e;color:#fff}.rag-amber{background:#f47738;color:#0b0c0c}"
    ".rag-green{background:#00703c;color:#fff}\n"
    "td.good,td.bad{font-weight:700}\n"
    "td.good,td.bad,td.neutral{white-space:nowrap}\n"
    "figure.chart{margin:0 0 1.5rem}\n"
    "figure.chart figcaption{font-weight:700;font-size:1.1875rem;margin:0 0 .5rem}\n"
    ".chart-box svg{display:block;width:100%;max-width:42rem;height:auto}\n"
    ".chart-box svg.chart-narrow{display:none;max-width:26rem}\n"
    "@media (max-width:30rem){.chart-box svg.chart-wide{display:none}"
    ".chart-box svg.chart-narrow{display:block}}\n"
    "ul.legend{list-style:none;padding:0;margin:.5rem 0;display:flex;flex-wrap:wrap;"
    "gap:.25rem 1.5rem}\n"
    "ul.legend svg{vertical-align:middle;margin-right:.4rem}\n"
    ".chart-text{max-width:44em}.chart-text ul{margin:0 0 1rem;padding-left:1.25rem}\n"
    "footer.foot{border-top:.25rem solid #0b0c0c;margin-top:3rem;padding:1rem 0 0}\n"
    "footer.foot p{margin:0 0 .75rem}\n"
    "@media (max-width:40rem){body{font-size:1rem}h1{font-size:1.625rem}"
    "h2{font-size:1.3125rem}.hl-value{font-size:1.875rem}}\n"
    "@media print{\n"
    "html,body{font-size:10pt}\n"
    "body{print-color-adjust:exact;-webkit-print-color-adjust:exact}\n"
    ".page{max-width:none;padding:0}\n"
    ".skip,nav.contents{display:none}\n"
    ".marking{background:none;color:#0b0c0c;border:1px solid #0b0c0c}\n"
    "a{color:#0b0c0c}\n"
    "h2{margin-top:1.5rem;break-after:avoid}\n"
    "h2,h3,figcaption,caption{break-after:avoid}\n"
    ".hl,tr,figure.chart,.table-box.short{break-inside:avoid}\n"
    /* Cards in rows of three that may break between rows (a grid moves whole). */
    "ul.headlines{display:block;font-size:0}\n"
    ".hl{display:inline-block;vertical-align:top;width:32%;margin:0 2% .5rem 0;"
    "font-size:10pt}\n"
    ".hl:nth-child(3n){margin-right:0}\n"
    ".table-box{overflow:visible}\n"
    "caption>*{max-width:none}\n"
    "table{font-size:8.5pt}\n"
    "thead{display:table-header-group}\n"
    ".chart-box svg.chart-wide{display:block;max-width:16cm}\n"
    ".chart-box svg.chart-narrow{display:none}\n"
    "}\n";

/* The stylesheet, then the print layout with the marking in every page's
 * margin (the marking is text from the template, so it is quoted for CSS). */
static void put_style(struct html *h)
{
    const struct ap_report *r = h->r;
    ap_buf_adds(&h->b, "<style>\n");
    ap_buf_adds(&h->b, page_css);
    ap_buf_adds(&h->b, "@page{size:A4;margin:20mm 18mm 22mm}\n");
    if (r->marking && *r->marking) {
        ap_buf_adds(&h->b, "@page{@top-center{content:");
        css_string(&h->b, r->marking);
        ap_buf_adds(&h->b, ";font:700 9pt Arial,\"Liberation Sans\",\"DejaVu Sans\",sans-serif;"
                           "color:#0b0c0c}@bottom-center{content:");
        css_string(&h->b, r->marking);
        ap_buf_adds(&h->b, ";font:700 9pt Arial,\"Liberation Sans\",\"DejaVu Sans\",sans-serif;"
                           "color:#0b0c0c}}\n");
    }
    ap_buf_adds(&h->b, "@page{@bottom-right{content:\"Page \" counter(page) \" of \" "
                       "counter(pages);font:8pt Arial,\"Liberation Sans\",\"DejaVu Sans\","
                       "sans-serif;color:#383f43}");
    if (r->period_code && *r->period_code) {
        ap_buf_adds(&h->b, "@bottom-left{content:");
        css_string(&h->b, r->period_code);
        ap_buf_adds(&h->b, ";font:8pt Arial,\"Liberation Sans\",\"DejaVu Sans\",sans-serif;"
                           "color:#383f43}");
    }
    ap_buf_adds(&h->b, "}\n</style>\n");
}

static void put_head(struct html *h)
{
    const struct ap_report *r = h->r;
    ap_buf_adds(&h->b, "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                       "<title>");
    esc(&h->b, r->title);
    if (r->period_label && *r->period_label) {
        ap_buf_adds(&h->b, ", ");
        esc(&h->b, r->period_label);
    }
    if (r->organisation && *r->organisation) {
        ap_buf_adds(&h->b, " \xE2\x80\x94 ");
        esc(&h->b, r->organisation);
    }
    ap_buf_adds(&h->b, "</title>\n");
    const struct {
        const char *name, *value;
    } meta[] = {
        {"author", r->author},
        {"description", r->subject},
        {"keywords", r->keywords},
    };
    for (size_t i = 0; i < AP_ARRAY_LEN(meta); i++) {
        if (!meta[i].value || !*meta[i].value)
            continue;
        ap_buf_addf(&h->b, "<meta name=\"%s\" content=\"", meta[i].name);
        esc(&h->b, meta[i].value);
        ap_buf_adds(&h->b, "\">\n");
    }
    put_style(h);
    ap_buf_adds(&h->b, "</head>\n");
}

/* The marking strip at the top and the bottom of the page. */
static void put_marking(struct html *h)
{
    const struct ap_report *r = h->r;
    if ((!r->marking || !*r->marking) && !r->sample)
        return;
    ap_buf_adds(&h->b, "<p class=\"marking\">");
    esc(&h->b, r->marking);
    if (r->sample)
        ap_buf_adds(&h->b, "<span class=\"sample\">Sample report: synthetic data, not real "
                           "people</span>");
    ap_buf_adds(&h->b, "</p>\n");
}

static void put_fact(struct html *h, const char *term, const char *value)
{
    if (!value || !*value)
        return;
    ap_buf_addf(&h->b, "<div><dt>%s</dt><dd>", term);
    esc(&h->b, value);
    ap_buf_adds(&h->b, "</dd></div>\n");
}

static void put_masthead(struct html *h)
{
    const struct ap_report *r = h->r;
    ap_buf_adds(&h->b, "<header class=\"masthead\">\n");
    if ((r->organisation && *r->organisation) || (r->team && *r->team)) {
        ap_buf_adds(&h->b, "<p class=\"org\">");
        esc(&h->b, r->organisation);
        if (r->organisation && *r->organisation && r->team && *r->team)
            ap_buf_adds(&h->b, " \xE2\x80\x94 ");
        esc(&h->b, r->team);
        ap_buf_adds(&h->b, "</p>\n");
    }
    ap_buf_adds(&h->b, "<h1>");
    esc(&h->b, r->title && *r->title ? r->title : "Progress report");
    ap_buf_adds(&h->b, "</h1>\n");
    if (r->subtitle && *r->subtitle) {
        ap_buf_adds(&h->b, "<p class=\"subtitle\">");
        esc(&h->b, r->subtitle);
        ap_buf_adds(&h->b, "</p>\n");
    }
    ap_buf_adds(&h->b, "<dl class=\"facts\">\n");
    put_fact(h, "Period", r->period_label);
    put_fact(h, "Data as at", r->data_as_at);
    put_fact(h, "Protective marking", r->marking);
    ap_buf_adds(&h->b, "</dl>\n");
    if (r->suppressed) {
        ap_buf_addf(&h->b,
                    "<p>Small numbers: a count from 1 to %d is shown as [c], so that no child can "
                    "be identified",
                    r->suppress_max);
        if (h->notes_href)
            ap_buf_addf(&h->b, " (<a href=\"%s\">see the notes</a>)", h->notes_href);
        ap_buf_adds(&h->b, ".</p>\n");
    }
    if (r->contact && *r->contact) {
        ap_buf_adds(&h->b, "<p>");
        esc(&h->b, r->contact);
        ap_buf_adds(&h->b, "</p>\n");
    }
    if (r->sample)
        ap_buf_adds(&h->b, "<p class=\"notice\">Sample data: every figure in this report is "
                           "synthetic and describes no real child, case or person.</p>\n");
    ap_buf_adds(&h->b, "</header>\n");
}

static void put_contents(struct html *h)
{
    const struct ap_report *r = h->r;
    size_t n = 0;
    for (size_t i = 0; i < r->nsections; i++)
        n += r->sections[i].title && *r->sections[i].title;
    if (n < 2)
        return;
    ap_buf_adds(&h->b, "<nav class=\"contents\" aria-labelledby=\"contents-title\">\n"
                       "<h2 id=\"contents-title\">Contents</h2>\n<ol>\n");
    for (size_t i = 0; i < r->nsections; i++) {
        const struct ap_section *s = &r->sections[i];
        if (!s->title || !*s->title)
            continue;
        char *id = section_id(i, s);
        ap_buf_addf(&h->b, "<li><a href=\"#%s\">", id);
        esc(&h->b, s->title);
        ap_buf_adds(&h->b, "</a></li>\n");
        free(id);
    }
    if (!h->notes_in_sections && h->nmarks + r->nnotes > 0)
        ap_buf_adds(&h->b, "<li><a href=\"#notes\">Notes</a></li>\n");
    ap_buf_adds(&h->b, "</ol>\n</nav>\n");
}

/* One row of a headline card's figures; nothing for an empty cell. */
static void put_hl_row(struct html *h, const char *term, const struct ap_cell *c)
{
    if (c->kind == AP_CELL_EMPTY || !term || !*term)
        return;
    ap_buf_adds(&h->b, "<div><dt>");
    esc(&h->b, term);
    ap_buf_adds(&h->b, "</dt><dd>");
    esc(&h->b, c->text);
    ap_buf_adds(&h->b, "</dd></div>\n");
}

static void put_headlines(struct html *h)
{
    const struct ap_report *r = h->r;
    if (!r->nheadlines)
        return;
    bool *used = ap_xcalloc(h->nmarks + 1, sizeof *used);
    ap_buf_adds(&h->b, "<ul class=\"headlines\">\n");
    for (size_t i = 0; i < r->nheadlines; i++) {
        const struct ap_headline *hl = &r->headlines[i];
        bool dir = hl->direction && *hl->direction;
        const char *tone = dir ? tone_class(hl->tone) : NULL;
        if (tone && strncmp(tone, "rag-", 4) == 0)
            tone = NULL;
        ap_buf_addf(&h->b, "<li class=\"hl%s%s\">\n<p class=\"hl-value\">", tone ? " hl-" : "",
                    tone ? tone : "");
        esc(&h->b, hl->value.text);
        ap_buf_adds(&h->b, "</p>\n<p class=\"hl-label\">");
        esc(&h->b, hl->label);
        ap_buf_adds(&h->b, "</p>\n<dl>\n");
        put_hl_row(h, r->change_prev_label, &hl->change_prev);
        put_hl_row(h, r->change_year_label, &hl->change_year);
        put_hl_row(h, "Per 10,000 children", &hl->rate);
        ap_buf_adds(&h->b, "</dl>\n");
        if (dir) {
            ap_buf_addf(&h->b, "<p class=\"hl-direction%s%s\">Direction: ", tone ? " " : "",
                        tone ? tone : "");
            esc(&h->b, hl->direction);
            if (hl->verdict && *hl->verdict) {
                ap_buf_adds(&h->b, " (");
                esc(&h->b, hl->verdict); /* the word; the colour repeats it */
                ap_buf_addch(&h->b, ')');
            }
            ap_buf_adds(&h->b, "</p>\n");
        }
        ap_buf_adds(&h->b, "</li>\n");
        const struct ap_cell *cells[] = {&hl->value, &hl->change_prev, &hl->change_year, &hl->rate};
        for (size_t k = 0; k < AP_ARRAY_LEN(cells); k++)
            flag_marks(h, cells[k]->text, used);
    }
    ap_buf_adds(&h->b, "</ul>\n");
    put_key(h, used);
    free(used);
}

static void put_cell(struct html *h, const struct ap_table *t, size_t row, size_t col)
{
    const struct ap_cell *c = ap_table_cell(t, row, col);
    const char *text = cell_text(c);
    const char *tone = tone_class(c->tone);
    bool rag = tone && strncmp(tone, "rag-", 4) == 0;
    bool num = t->cols[col].numeric;
    if (col == 0)
        ap_buf_adds(&h->b, "<th scope=\"row\"");
    else
        ap_buf_adds(&h->b, "<td");
    if (num || (tone && !rag))
        ap_buf_addf(&h->b, " class=\"%s%s%s\"", num ? "num" : "", num && tone && !rag ? " " : "",
                    tone && !rag ? tone : "");
    ap_buf_addch(&h->b, '>');
    if (rag) {
        ap_buf_addf(&h->b, "<span class=\"rag %s\">", tone);
        esc(&h->b, text);
        ap_buf_adds(&h->b, "</span>");
    } else {
        esc(&h->b, text);
    }
    ap_buf_adds(&h->b, col == 0 ? "</th>" : "</td>");
}

static void put_table(struct html *h, size_t index)
{
    const struct ap_table *t = &h->r->tables[index];
    char *id = table_id(index, t);
    bool *used = ap_xcalloc(h->nmarks + 1, sizeof *used);
    for (size_t k = 0; k < t->nrows * t->ncols; k++)
        flag_marks(h, cell_text(&t->cells[k]), used);
    if (t->nrows == 0 && t->ncols > 1)
        flag_marks(h, "[z]", used);

    /* The box scrolls sideways when the table is wider than the screen; it
     * takes the keyboard focus so that it can be scrolled without a mouse. */
    ap_buf_addf(&h->b,
                "<div class=\"table-box%s\" role=\"region\" aria-labelledby=\"%s\" "
                "tabindex=\"0\">\n<table>\n<caption><h3 id=\"%s\">",
                t->nrows <= SHORT_TABLE_ROWS ? " short" : "", id, id);
    esc(&h->b, t->title && *t->title ? t->title : t->id);
    ap_buf_adds(&h->b, "</h3>\n");
    if (t->description && *t->description) {
        ap_buf_adds(&h->b, "<p>");
        put_linked(h, t->description, true);
        ap_buf_adds(&h->b, "</p>\n");
    }
    put_key(h, used);
    ap_buf_adds(&h->b, "</caption>\n<thead><tr>");
    for (size_t c = 0; c < t->ncols; c++) {
        ap_buf_addf(&h->b, "<th scope=\"col\"%s>", t->cols[c].numeric ? " class=\"num\"" : "");
        esc(&h->b, t->cols[c].heading);
        ap_buf_adds(&h->b, "</th>");
    }
    ap_buf_adds(&h->b, "</tr></thead>\n<tbody>\n");
    for (size_t row = 0; row < t->nrows; row++) {
        ap_buf_adds(&h->b, "<tr>");
        for (size_t c = 0; c < t->ncols; c++)
            put_cell(h, t, row, c);
        ap_buf_adds(&h->b, "</tr>\n");
    }
    if (t->nrows == 0 && t->ncols > 0) {
        /* As in the workbook: a row that says so, [z] in the other columns. */
        ap_buf_adds(&h->b, "<tr><th scope=\"row\">None in this period</th>");
        for (size_t c = 1; c < t->ncols; c++)
            ap_buf_addf(&h->b, "<td%s>[z]</td>", t->cols[c].numeric ? " class=\"num\"" : "");
        ap_buf_adds(&h->b, "</tr>\n");
    }
    ap_buf_adds(&h->b, "</tbody>\n</table>\n</div>\n");
    free(used);
    free(id);
}

/* ---- the chart ---- */

/* The chart's table cell for category k of series s, when the model gives one. */
static const struct ap_cell *chart_cell(const struct html *h, const struct ap_chart *c, size_t s,
                                        size_t k)
{
    if (c->table >= h->r->ntables)
        return NULL;
    const struct ap_table *t = &h->r->tables[c->table];
    size_t col = c->first_col + s;
    if (t->nrows != c->ncats || col >= t->ncols)
        return NULL;
    return ap_table_cell(t, k, col);
}

/* The text alternative, the model's (ap_chart_describe): what kind of chart,
 * then each series; and where every figure is. */
static void put_chart_text(struct html *h, const struct ap_chart *c, const char *id,
                           const char *table_ref)
{
    ap_buf_addf(&h->b, "<div class=\"chart-text\" id=\"%s-text\">\n<p>", id);
    esc(&h->b, c->alt_intro);
    ap_buf_adds(&h->b, "</p>\n");
    if (c->nseries) {
        ap_buf_adds(&h->b, "<ul>\n");
        for (size_t s = 0; s < c->nseries; s++) {
            ap_buf_adds(&h->b, "<li>");
            esc(&h->b, c->alt_series[s]);
            ap_buf_adds(&h->b, "</li>\n");
        }
        ap_buf_adds(&h->b, "</ul>\n");
    }
    if (table_ref)
        ap_buf_addf(&h->b, "<p>Every figure is in %s, which follows.</p>\n", table_ref);
    ap_buf_adds(&h->b, "</div>\n");
}

/* A marker shape centred on (x, y), in the series' colour. */
static void put_shape(struct html *h, size_t s, double x, double y, const char *colour)
{
    const double r = 4.5;
    switch (s % 4) {
    case 0:
        ap_buf_addf(&h->b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>", x, y, r,
                    colour);
        break;
    case 1:
        ap_buf_addf(&h->b,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
                    x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8, colour);
        break;
    case 2:
        ap_buf_addf(&h->b, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" fill=\"%s\"/>", x,
                    y - r * 1.2, x + r * 1.1, y + r * 0.9, x - r * 1.1, y + r * 0.9, colour);
        break;
    default:
        ap_buf_addf(&h->b, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" fill=\"%s\"/>", x,
                    y - r * 1.3, x + r * 1.3, y, x, y + r * 1.3, x - r * 1.3, y, colour);
        break;
    }
}

/* Category label: one line, or two split at the last space when too wide;
 * slanted, one line ending under its tick. */
static void put_category(struct html *h, const char *label, double x, double y, double band,
                         bool slant)
{
    size_t n = strlen(label);
    const char *sp = strrchr(label, ' ');
    if (slant) {
        ap_buf_addf(&h->b,
                    "<text transform=\"translate(%.1f %.1f) rotate(-45)\" text-anchor=\"end\">",
                    x + CH_FONT * 0.35, y - CH_FONT * 0.4);
        esc(&h->b, label);
        ap_buf_adds(&h->b, "</text>");
        return;
    }
    ap_buf_addf(&h->b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x, y);
    if ((double)n * CH_FONT * CH_CHAR > band - 4 && sp) {
        ap_buf_addf(&h->b, "<tspan x=\"%.1f\">", x);
        esc_n(&h->b, label, (size_t)(sp - label));
        ap_buf_addf(&h->b, "</tspan><tspan x=\"%.1f\" dy=\"%.1f\">", x, CH_FONT * 1.15);
        esc(&h->b, sp + 1);
        ap_buf_adds(&h->b, "</tspan>");
    } else {
        esc(&h->b, label);
    }
    ap_buf_adds(&h->b, "</text>");
}

static void put_svg(struct html *h, const struct ap_chart *c, const char *id, bool percent,
                    const struct chart_layout *L)
{
    double lo = 0, hi = 0;
    bool any = false;
    char lab[32];
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

    size_t label_chars = 1;
    for (double v = ymin; v <= ymax + step / 2; v += step) {
        ap_chart_tick_label(v, step, percent, lab);
        if (strlen(lab) > label_chars)
            label_chars = strlen(lab);
    }
    double px = 22 + (double)label_chars * CH_FONT * CH_CHAR + 8, pr = L->w - 8;
    double pw = pr - px, ptop = CH_TOP, pbot = L->h - L->bottom, ph = pbot - ptop;
#define YPOS(v) (pbot - ((v)-ymin) / (ymax - ymin) * ph)

    ap_buf_addf(&h->b,
                "<svg class=\"%s\" role=\"img\" aria-labelledby=\"%s-title\" "
                "aria-describedby=\"%s-text\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
                "height=\"%.0f\" font-family=\"Arial, 'Liberation Sans', 'DejaVu Sans', "
                "sans-serif\" font-size=\"%.0f\" fill=\"#0b0c0c\">\n",
                L->cls, id, id, L->w, L->h, L->w, L->h, CH_FONT);
    /* Gridlines, tick labels and the axes. */
    for (double v = ymin; v <= ymax + step / 2; v += step) {
        double y = YPOS(v);
        ap_buf_addf(&h->b,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    "stroke-width=\"1\"/>",
                    px, y, pr, y, fabs(v) < step / 1e6 ? "#505a5f" : "#d8d8d8");
        ap_chart_tick_label(v, step, percent, lab);
        ap_buf_addf(&h->b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", px - 6,
                    y + CH_FONT * 0.35, lab);
    }
    ap_buf_addf(&h->b,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#505a5f\" "
                "stroke-width=\"1\"/>\n",
                px, ptop, px, pbot);
    if (c->y_title && *c->y_title) {
        ap_buf_addf(&h->b,
                    "<text transform=\"translate(%.1f %.1f) rotate(-90)\" "
                    "text-anchor=\"middle\">",
                    CH_FONT, (ptop + pbot) / 2);
        esc(&h->b, c->y_title);
        ap_buf_adds(&h->b, "</text>\n");
    }
    double band = c->ncats ? pw / (double)c->ncats : pw;
    for (size_t k = 0; k < c->ncats; k++) {
        double cx = px + band * ((double)k + 0.5);
        ap_buf_addf(&h->b,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#505a5f\" "
                    "stroke-width=\"1\"/>",
                    cx, pbot, cx, pbot + 4);
        put_category(h, c->categories[k], cx, pbot + 6 + CH_FONT, band, L->slant);
        ap_buf_addch(&h->b, '\n');
    }
    /* Each series: a line between neighbouring figures, a marker on each. */
    for (size_t s = 0; s < c->nseries; s++) {
        const struct ap_series *se = &c->series[s];
        const char *col = series_colours[s % AP_ARRAY_LEN(series_colours)];
        struct ap_buf d = AP_BUF_INIT;
        for (size_t k = 0; k + 1 < c->ncats; k++) {
            if (!ap_chart_present(se, k) || !ap_chart_present(se, k + 1))
                continue;
            ap_buf_addf(&d, "M%.1f %.1fL%.1f %.1f", px + band * ((double)k + 0.5),
                        YPOS(se->values[k]), px + band * ((double)k + 1.5),
                        YPOS(se->values[k + 1]));
        }
        if (d.len)
            ap_buf_addf(&h->b,
                        "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" "
                        "stroke-linejoin=\"round\"/>\n",
                        d.buf, col);
        ap_buf_release(&d);
        for (size_t k = 0; k < c->ncats; k++)
            if (ap_chart_present(se, k))
                put_shape(h, s, px + band * ((double)k + 0.5), YPOS(se->values[k]), col);
        ap_buf_addch(&h->b, '\n');
    }
#undef YPOS
    ap_buf_adds(&h->b, "</svg>\n");
}

static void put_chart(struct html *h, size_t index)
{
    const struct ap_report *r = h->r;
    const struct ap_chart *c = &r->charts[index];
    bool percent = false;
    char id[32];
    snprintf(id, sizeof id, "chart%zu", index + 1);
    /* The chart's table says how its numbers are formatted. */
    for (size_t k = 0; k < c->ncats && c->nseries; k++) {
        const struct ap_cell *cell = chart_cell(h, c, 0, k);
        if (cell && cell->kind == AP_CELL_NUMBER) {
            percent = cell->fmt == AP_NUM_PERCENT;
            break;
        }
    }
    /* A link to the data table, by its title. */
    struct ap_buf ref = AP_BUF_INIT;
    if (c->table < r->ntables) {
        const struct ap_table *t = &r->tables[c->table];
        char *tid = table_id(c->table, t);
        ap_buf_addf(&ref, "<a href=\"#%s\">", tid);
        esc(&ref, t->title && *t->title ? t->title : t->id);
        ap_buf_adds(&ref, "</a>");
        free(tid);
    }

    ap_buf_addf(&h->b, "<figure class=\"chart\">\n<figcaption id=\"%s-title\">", id);
    esc(&h->b, c->title);
    ap_buf_adds(&h->b, "</figcaption>\n<div class=\"chart-box\">\n");
    put_svg(h, c, id, percent, &wide_layout);
    put_svg(h, c, id, percent, &narrow_layout);
    ap_buf_adds(&h->b, "</div>\n<ul class=\"legend\" aria-hidden=\"true\">\n");
    for (size_t s = 0; s < c->nseries; s++) {
        const char *col = series_colours[s % AP_ARRAY_LEN(series_colours)];
        ap_buf_addf(&h->b,
                    "<li><svg width=\"34\" height=\"14\" viewBox=\"0 0 34 14\"><line x1=\"1\" "
                    "y1=\"7\" x2=\"33\" y2=\"7\" stroke=\"%s\" stroke-width=\"2.5\"/>",
                    col);
        put_shape(h, s, 17, 7, col);
        ap_buf_adds(&h->b, "</svg>");
        esc(&h->b, c->series[s].name);
        ap_buf_adds(&h->b, "</li>\n");
    }
    ap_buf_adds(&h->b, "</ul>\n");
    put_chart_text(h, c, id, ref.len ? ref.buf : NULL);
    ap_buf_adds(&h->b, "</figure>\n");
    ap_buf_release(&ref);
}

/* ---- sections and notes ---- */

/* The id a paragraph carries when it holds a note's explanation. */
static const char *paragraph_id(const struct html *h, size_t sec, size_t blk)
{
    if (!h->notes_in_sections)
        return NULL;
    for (size_t n = 0; n < h->r->nnotes; n++) {
        if (h->note_sec[n] != sec || h->note_blk[n] != blk)
            continue;
        for (size_t i = 0; i < h->nmarks; i++)
            if (!h->marks[i].added && h->marks[i].marker == h->r->notes[n].marker)
                return h->marks[i].id;
        return NULL; /* a general note: no marker points at it */
    }
    return NULL;
}

/* The notes this renderer adds ("[x]" for an empty cell, say). */
static void put_added_notes(struct html *h)
{
    for (size_t i = 0; i < h->nmarks; i++) {
        if (!h->marks[i].added)
            continue;
        ap_buf_addf(&h->b, "<p id=\"%s\">", h->marks[i].id);
        esc(&h->b, h->marks[i].marker);
        ap_buf_addch(&h->b, ' ');
        esc(&h->b, h->marks[i].text);
        ap_buf_adds(&h->b, "</p>\n");
    }
}

static void put_sections(struct html *h)
{
    const struct ap_report *r = h->r;
    size_t notes_sec = h->notes_in_sections && r->nnotes ? h->note_sec[0] : r->nsections;
    for (size_t i = 0; i < r->nsections; i++) {
        const struct ap_section *s = &r->sections[i];
        char *id = section_id(i, s);
        bool titled = s->title && *s->title;
        if (titled) {
            ap_buf_addf(&h->b, "<section aria-labelledby=\"%s\">\n<h2 id=\"%s\">", id, id);
            esc(&h->b, s->title);
            ap_buf_adds(&h->b, "</h2>\n");
        } else {
            ap_buf_addf(&h->b, "<section id=\"%s\">\n", id);
        }
        for (size_t b = 0; b < s->nblocks; b++) {
            const struct ap_block *blk = &s->blocks[b];
            switch (blk->kind) {
            case AP_BLOCK_PARAGRAPH: {
                const char *pid = paragraph_id(h, i, b);
                bool note = false;
                for (size_t n = 0; n < r->nnotes && h->notes_in_sections; n++)
                    note |= h->note_sec[n] == i && h->note_blk[n] == b;
                if (pid)
                    ap_buf_addf(&h->b, "<p id=\"%s\">", pid);
                else
                    ap_buf_adds(&h->b, "<p>");
                put_linked(h, blk->text, !note);
                ap_buf_adds(&h->b, "</p>\n");
                break;
            }
            case AP_BLOCK_HEADLINES:
                put_headlines(h);
                break;
            case AP_BLOCK_TABLE:
                put_table(h, blk->index);
                break;
            case AP_BLOCK_CHART:
                put_chart(h, blk->index);
                break;
            }
        }
        if (i == notes_sec)
            put_added_notes(h);
        ap_buf_adds(&h->b, "</section>\n");
        free(id);
    }
}

/* The notes, when no section of the template holds them. */
static void put_notes(struct html *h)
{
    const struct ap_report *r = h->r;
    if (h->notes_in_sections || (r->nnotes == 0 && h->nmarks == 0))
        return;
    ap_buf_adds(&h->b, "<section aria-labelledby=\"notes\">\n<h2 id=\"notes\">Notes</h2>\n");
    for (size_t n = 0; n < r->nnotes; n++) {
        const struct ap_note *note = &r->notes[n];
        bool marked = note->marker && *note->marker;
        if (marked) {
            char *nid = note_id(note, n);
            ap_buf_addf(&h->b, "<p id=\"%s\"><strong>", nid);
            esc(&h->b, note->marker);
            ap_buf_adds(&h->b, "</strong> ");
            free(nid);
        } else {
            ap_buf_adds(&h->b, "<p>");
        }
        esc(&h->b, note->text);
        ap_buf_adds(&h->b, "</p>\n");
    }
    put_added_notes(h);
    ap_buf_adds(&h->b, "</section>\n");
}

static void put_footer(struct html *h)
{
    const struct ap_report *r = h->r;
    ap_buf_adds(&h->b, "<footer class=\"foot\">\n");
    if (r->contact && *r->contact) {
        ap_buf_adds(&h->b, "<p>");
        esc(&h->b, r->contact);
        ap_buf_adds(&h->b, "</p>\n");
    }
    ap_buf_adds(&h->b, "<p>");
    esc(&h->b, r->organisation);
    if (r->organisation && *r->organisation)
        ap_buf_adds(&h->b, ". ");
    esc(&h->b, r->subtitle);
    if (r->subtitle && *r->subtitle)
        ap_buf_adds(&h->b, ", ");
    esc(&h->b, r->period_label);
    ap_buf_adds(&h->b, ". Figures as recorded on ");
    esc(&h->b, r->data_as_at);
    ap_buf_adds(&h->b, ".</p>\n</footer>\n");
}

/* Where "see the notes" points: the section holding the notes, or the
 * notes section at the end. */
static void find_notes_href(struct html *h)
{
    const struct ap_report *r = h->r;
    if (h->notes_in_sections && r->nnotes) {
        size_t i = h->note_sec[0];
        char *id = section_id(i, &r->sections[i]);
        h->notes_href = ap_xasprintf("#%s", id);
        free(id);
    } else if (r->nnotes || h->nmarks) {
        h->notes_href = ap_xstrdup("#notes");
    }
}

static void build(struct html *h)
{
    place_notes(h);
    scan_empty(h);
    collect_marks(h);
    find_notes_href(h);

    put_head(h);
    ap_buf_adds(&h->b, "<body>\n");
    put_marking(h);
    ap_buf_adds(&h->b, "<a class=\"skip\" href=\"#main\">Skip to the report</a>\n");
    ap_buf_adds(&h->b, "<div class=\"page\">\n");
    put_masthead(h);
    put_contents(h);
    ap_buf_adds(&h->b, "<main id=\"main\">\n");
    put_sections(h);
    put_notes(h);
    ap_buf_adds(&h->b, "</main>\n");
    put_footer(h);
    ap_buf_adds(&h->b, "</div>\n");
    put_marking(h);
    ap_buf_adds(&h->b, "</body>\n</html>\n");
}

/* ---- writing ---- */

static enum ap_status write_file(struct html *h, const char *path, const char *shown)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        ap_diag_report(h->d, AP_ERROR, AP_ERR_IO, shown, 0, 0, "cannot write the HTML report: %s",
                       strerror(errno));
        return AP_ERR_IO;
    }
    errno = 0;
    bool ok = fwrite(h->b.buf, 1, h->b.len, f) == h->b.len && fflush(f) == 0;
    int err = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        ap_diag_report(h->d, AP_ERROR, AP_ERR_IO, shown, 0, 0, "cannot write the HTML report: %s",
                       err ? strerror(err) : "the write failed");
        return AP_ERR_IO;
    }
    return AP_OK;
}

enum ap_status ap_render_html(const struct ap_report *r, const char *path, const char *shown,
                              struct ap_diag *d)
{
    struct html h = {.r = r, .d = d};
    enum ap_status rc = AP_OK;
    ap_buf_init(&h.b);
    if (!ap_report_check_text(h.r, bad_utf8, &h, h.d)) {
        rc = d->status != AP_OK ? d->status : AP_ERR_INPUT;
        goto done;
    }
    build(&h);
    rc = write_file(&h, path, shown ? shown : path);
done:
    for (size_t i = 0; i < h.nmarks; i++)
        free(h.marks[i].id);
    free(h.marks);
    free(h.note_sec);
    free(h.note_blk);
    free(h.notes_href);
    ap_buf_release(&h.b);
    return rc;
}
