/*
 * xlsx_fixture: builds the fake report model (tests/support/fake_report.c),
 * optionally bends it to exercise awkward cases, and renders it with
 * ap_render_xlsx, so tests/report/xlsx_*.py can read the workbook back with
 * Python's zipfile and xml.etree (never with our own code).
 *
 *   xlsx_fixture [--created SECS] [--formula-text] [--marking TEXT] [--awkward]
 *                [--bad-utf8] [--chart-mismatch] [--tones] [--board] [--no-gap] OUT.xlsx
 *
 * --formula-text  a commentary cell becomes "=SUM(A1:A9) was not a formula" (must stay text)
 * --awkward       table ids that are not usable sheet names as they stand, plus
 *                 an empty table
 * --bad-utf8      a Latin-1 byte in a table cell (must be refused)
 * --chart-mismatch  the chart claims more series than its table has columns
 * --tones         summary changes coloured good (D5), bad (D6) and neutral (D7)
 * --board         restricted and unsuppressed, with no team, period or contact given
 * --no-gap        the trend's missing figure filled in (5), so the chart draws on the table
 * Exit status is the renderer's (0 ok, 3 I/O or internal).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ap_diag.h"
#include "ap_report.h"
#include "ap_util.h"
#include "fake_report.h"

static void set_text(char **slot, const char *s)
{
    free(*slot);
    *slot = ap_xstrdup(s);
}

static void make_awkward(struct ap_report *r)
{
    set_text(&r->tables[FAKE_TABLE_SUMMARY].id, "Notes");
    set_text(&r->tables[FAKE_TABLE_AREA].id, "area: [by/ward]*?");
    set_text(&r->tables[FAKE_TABLE_ACTIONS].id,
             "children's-actions-with-a-name-too-long-for-excel");
    set_text(&r->tables[FAKE_TABLE_TREND].id, "Key trend's");
    set_text(&r->tables[FAKE_TABLE_DEFINITIONS].id, "KEY TREND'S");

    r->tables = ap_xrealloc(r->tables, (r->ntables + 1) * sizeof *r->tables);
    struct ap_table *t = &r->tables[r->ntables++];
    memset(t, 0, sizeof *t);
    t->id = ap_xstrdup("empty");
    t->title = ap_xstrdup("Table 6: Perpetrator outcomes in the quarter");
    t->description = ap_xstrdup("None were concluded in this period.");
    t->ncols = 2;
    t->cols = ap_xcalloc(2, sizeof *t->cols);
    t->cols[0].heading = ap_xstrdup("Outcome");
    t->cols[0].width = 20;
    t->cols[1].heading = ap_xstrdup("Perpetrators");
    t->cols[1].numeric = true;
    t->cols[1].width = 12;
    t->nrows = 0;
    t->cells = NULL;
}

static int usage(void)
{
    fputs("usage: xlsx_fixture [--created SECS] [--formula-text] [--marking TEXT] [--awkward] "
          "[--bad-utf8] [--chart-mismatch] [--tones] [--board] [--no-gap] OUT.xlsx\n",
          stderr);
    return AP_ERR_USAGE;
}

int main(int argc, char **argv)
{
    struct ap_report r;
    struct ap_diag d;
    const char *out = NULL;
    int rc = AP_ERR_USAGE;

    ap_fake_report(&r);
    ap_diag_init(&d);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--created") && i + 1 < argc) {
            long v;
            if (!ap_parse_long(argv[++i], 0, 4102444800L, &v))
                goto done;
            r.created = v;
        } else if (!strcmp(argv[i], "--formula-text")) {
            struct ap_table *t = &r.tables[FAKE_TABLE_ACTIONS];
            set_text(&t->cells[0 * t->ncols + 7].text, "=SUM(A1:A9) was not a formula");
            set_text(&t->cells[1 * t->ncols + 2].text, "+44 1632 960000 is a phone number");
        } else if (!strcmp(argv[i], "--marking") && i + 1 < argc) {
            set_text(&r.marking, argv[++i]);
        } else if (!strcmp(argv[i], "--awkward")) {
            make_awkward(&r);
        } else if (!strcmp(argv[i], "--bad-utf8")) {
            struct ap_table *t = &r.tables[FAKE_TABLE_AREA];
            set_text(&t->cells[0].text, "North Ward \xa3");
        } else if (!strcmp(argv[i], "--tones")) {
            struct ap_table *t = &r.tables[FAKE_TABLE_SUMMARY];
            t->cells[0 * t->ncols + 3].tone = AP_TONE_GOOD;
            t->cells[1 * t->ncols + 3].tone = AP_TONE_BAD;
            t->cells[2 * t->ncols + 3].tone = AP_TONE_NEUTRAL;
        } else if (!strcmp(argv[i], "--board")) {
            r.suppressed = false;
            r.sample = false;
            set_text(&r.audience, "restricted");
            set_text(&r.marking, "OFFICIAL-SENSITIVE");
            set_text(&r.team, "");
            set_text(&r.organisation, "");
            set_text(&r.period_label, "");
            set_text(&r.contact, "");
        } else if (!strcmp(argv[i], "--no-gap")) {
            struct ap_table *t = &r.tables[FAKE_TABLE_TREND];
            struct ap_cell *c = &t->cells[1 * t->ncols + 3];
            c->kind = AP_CELL_NUMBER;
            c->fmt = AP_NUM_COUNT;
            c->value = 5;
            set_text(&c->text, "5");
            r.charts[0].series[2].missing[1] = false;
            r.charts[0].series[2].values[1] = 5;
        } else if (!strcmp(argv[i], "--chart-mismatch")) {
            r.charts[0].first_col = 3;
        } else if (argv[i][0] == '-' || out) {
            goto done;
        } else {
            out = argv[i];
        }
    }
    if (!out)
        goto done;
    rc = (int)ap_render_xlsx(&r, out, out, &d);
    ap_diag_finish(&d);
done:
    ap_report_free(&r);
    return rc == AP_ERR_USAGE ? usage() : rc;
}
