/*
 * render_fixture: builds the fake report model (tests/support/fake_report.c)
 * and renders it, so the report tests can read the output back with
 * independent tools (pdftotext, pdffonts, pdfinfo).
 *
 *   render_fixture [--logo FILE] [--font FILE] [--created SECS] [--bad-utf8]
 *                  [--no-sample] [--long-cell] OUT.pdf
 *
 * --bad-utf8 puts a Latin-1 byte in a paragraph; --long-cell makes one action's
 * commentary longer than a page (60 numbered sentences, about 3,500 bytes).
 *
 * Exit status is the renderer's (0 ok, 3 I/O). The model is not freed:
 * ap_report_free() lands with ap_report.c on another branch (run this under
 * ASAN_OPTIONS=detect_leaks=0 until then).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ap_diag.h"
#include "ap_report.h"
#include "ap_util.h"
#include "fake_report.h"

static int usage(void)
{
    fputs("usage: render_fixture [--logo FILE] [--font FILE] [--created SECS] [--bad-utf8] "
          "[--no-sample] [--long-cell] OUT.pdf\n",
          stderr);
    return AP_ERR_USAGE;
}

int main(int argc, char **argv)
{
    struct ap_report r;
    struct ap_diag d;
    const char *out = NULL;

    ap_fake_report(&r);
    ap_diag_init(&d);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--logo") && i + 1 < argc) {
            r.logo = ap_xstrdup(argv[++i]);
        } else if (!strcmp(argv[i], "--font") && i + 1 < argc) {
            r.font = ap_xstrdup(argv[++i]);
        } else if (!strcmp(argv[i], "--created") && i + 1 < argc) {
            long v;
            if (!ap_parse_long(argv[++i], 0, 4102444800L, &v))
                return usage();
            r.created = v;
        } else if (!strcmp(argv[i], "--bad-utf8")) {
            /* A Latin-1 pound sign inside a paragraph: must be refused, not drawn. */
            r.sections[0].blocks[0].text = ap_xstrdup("Budget \xa3"
                                                      "12,500 for the year.");
        } else if (!strcmp(argv[i], "--long-cell")) {
            struct ap_buf b = AP_BUF_INIT;
            for (int k = 1; k <= 60; k++)
                ap_buf_addf(&b, "Update %d: the provider reported progress to the board. ", k);
            struct ap_table *t = &r.tables[FAKE_TABLE_ACTIONS];
            t->cells[29 * t->ncols + 7].text = ap_buf_detach(&b);
        } else if (!strcmp(argv[i], "--no-sample")) {
            r.sample = false;
            r.marking = ap_xstrdup("OFFICIAL");
        } else if (argv[i][0] == '-' || out) {
            return usage();
        } else {
            out = argv[i];
        }
    }
    if (!out)
        return usage();
    enum ap_status st = ap_render_pdf(&r, out, &d);
    ap_diag_finish(&d);
    return (int)st;
}
