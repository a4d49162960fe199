/*
 * render_fixture: builds the fake report model (tests/support/fake_report.c)
 * and renders it, so the report tests can read the output back with
 * independent tools (pdftotext, pdffonts, pdfinfo).
 *
 *   render_fixture [--logo FILE] [--font FILE] [--created SECS] [--bad-utf8]
 *                  [--no-sample] [--long-cell] [--percent-chart] [--empty]
 *                  [--long-words] [--notes-section] OUT.pdf
 *
 * --bad-utf8 puts a Latin-1 byte in a paragraph; --long-cell makes one action's
 * commentary longer than a page (60 numbered sentences, about 3,500 bytes);
 * --percent-chart turns the trend into fractions shown as percentages;
 * --empty keeps only the title block (no sections, headlines or notes);
 * --long-words fills the action plan's text columns with 14-letter words, too
 * wide together for the page at the normal table type size; --notes-section
 * adds a last section holding the notes as paragraphs, as templates may.
 *
 * Exit status is the renderer's (0 ok, 2 bad input, 3 I/O); 1 for a bad
 * command line. The model is released with ap_report_free(), so a sanitizer
 * build also checks the renderer for leaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ap_chart.h"
#include "ap_diag.h"
#include "ap_report.h"
#include "ap_util.h"
#include "fake_report.h"

/* Put v in *slot, releasing what was there. */
static void replace(char **slot, char *v)
{
    free(*slot);
    *slot = v;
}

static int usage(void)
{
    fputs("usage: render_fixture [--logo FILE] [--font FILE] [--created SECS] [--bad-utf8] "
          "[--no-sample] [--long-cell] [--percent-chart] [--empty] [--long-words] "
          "[--notes-section] OUT.pdf\n",
          stderr);
    return AP_ERR_USAGE;
}

int main(int argc, char **argv)
{
    struct ap_report r;
    struct ap_diag d;
    const char *out = NULL;
    bool empty = false;

    ap_fake_report(&r);
    ap_diag_init(&d);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--logo") && i + 1 < argc) {
            replace(&r.logo, ap_xstrdup(argv[++i]));
        } else if (!strcmp(argv[i], "--font") && i + 1 < argc) {
            replace(&r.font, ap_xstrdup(argv[++i]));
        } else if (!strcmp(argv[i], "--created") && i + 1 < argc) {
            long v;
            if (!ap_parse_long(argv[++i], 0, 4102444800L, &v)) {
                ap_report_free(&r);
                return usage();
            }
            r.created = v;
        } else if (!strcmp(argv[i], "--bad-utf8")) {
            /* A Latin-1 pound sign inside a paragraph: must be refused, not drawn. */
            replace(&r.sections[0].blocks[0].text, ap_xstrdup("Budget \xa3"
                                                              "12,500 for the year."));
        } else if (!strcmp(argv[i], "--long-cell")) {
            struct ap_buf b = AP_BUF_INIT;
            for (int k = 1; k <= 60; k++)
                ap_buf_addf(&b, "Update %d: the provider reported progress to the board. ", k);
            struct ap_table *t = &r.tables[FAKE_TABLE_ACTIONS];
            replace(&t->cells[29 * t->ncols + 7].text, ap_buf_detach(&b));
        } else if (!strcmp(argv[i], "--percent-chart")) {
            /* Every trend value v becomes the fraction v / 100, shown as "v.0%". */
            struct ap_table *t = &r.tables[FAKE_TABLE_TREND];
            struct ap_chart *c = &r.charts[0];
            for (size_t s = 0; s < c->nseries; s++)
                for (size_t k = 0; k < c->ncats; k++)
                    c->series[s].values[k] /= 100;
            for (size_t row = 0; row < t->nrows; row++)
                for (size_t col = 1; col < t->ncols; col++) {
                    struct ap_cell *cell = &t->cells[row * t->ncols + col];
                    if (cell->kind != AP_CELL_NUMBER)
                        continue;
                    cell->fmt = AP_NUM_PERCENT;
                    cell->value /= 100;
                    replace(&cell->text, ap_xasprintf("%.1f%%", cell->value * 100));
                }
            ap_chart_describe(c, t);
        } else if (!strcmp(argv[i], "--long-words")) {
            static const char *const words[] = {
                "Accountability", "Responsibility", "Administration", "Implementation",
                "Transformation", "Communications", "Infrastructure"};
            struct ap_table *t = &r.tables[FAKE_TABLE_ACTIONS];
            for (size_t row = 0; row < t->nrows; row++)
                for (size_t col = 1; col < t->ncols && col <= AP_ARRAY_LEN(words); col++)
                    replace(&t->cells[row * t->ncols + col].text, ap_xstrdup(words[col - 1]));
        } else if (!strcmp(argv[i], "--notes-section")) {
            r.sections = ap_xrealloc(r.sections, (r.nsections + 1) * sizeof *r.sections);
            struct ap_section *sec = &r.sections[r.nsections++];
            sec->id = ap_xstrdup("notes");
            sec->title = ap_xstrdup("8. Notes");
            sec->nblocks = r.nnotes;
            sec->blocks = ap_xcalloc(r.nnotes, sizeof *sec->blocks);
            for (size_t n = 0; n < r.nnotes; n++) {
                sec->blocks[n].kind = AP_BLOCK_PARAGRAPH;
                sec->blocks[n].text =
                    *r.notes[n].marker ? ap_xasprintf("%s %s", r.notes[n].marker, r.notes[n].text)
                                       : ap_xstrdup(r.notes[n].text);
            }
        } else if (!strcmp(argv[i], "--empty")) {
            empty = true;
        } else if (!strcmp(argv[i], "--no-sample")) {
            r.sample = false;
            replace(&r.marking, ap_xstrdup("OFFICIAL"));
        } else if (argv[i][0] == '-' || out) {
            ap_report_free(&r);
            return usage();
        } else {
            out = argv[i];
        }
    }
    if (!out) {
        ap_report_free(&r);
        return usage();
    }
    /* --empty hides the parts from the renderer, then restores them to be freed. */
    size_t nsections = r.nsections, nheadlines = r.nheadlines, nnotes = r.nnotes;
    if (empty)
        r.nsections = r.nheadlines = r.nnotes = 0;
    enum ap_status st = ap_render_pdf(&r, out, NULL, &d);
    r.nsections = nsections;
    r.nheadlines = nheadlines;
    r.nnotes = nnotes;
    ap_diag_finish(&d);
    ap_report_free(&r);
    return (int)st;
}
