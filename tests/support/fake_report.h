/*
 * fake_report: a representative report model built without a database, for the
 * renderer tests (PDF and XLSX). Synthetic figures only. It exercises what a
 * renderer must cope with: the OFFICIAL-SENSITIVE marking and sample notice,
 * six headlines (good, bad and neutral tones, a suppressed figure, rates),
 * narrative with curly quotes, pound and em dash signs and Welsh letters, a
 * trend table with a chart over it and one missing value, a breakdown with
 * [c] markers and zeros, a 60-row action plan with RAG tones and long
 * commentary, definitions and notes.
 */
#ifndef FAKE_REPORT_H
#define FAKE_REPORT_H

#include "ap_report.h"

/* Table indexes in the fake model, so tests can find them. */
enum {
    FAKE_TABLE_SUMMARY,
    FAKE_TABLE_TREND,
    FAKE_TABLE_AREA,
    FAKE_TABLE_ACTIONS,
    FAKE_TABLE_DEFINITIONS,
    FAKE_NTABLES
};

#define FAKE_ACTION_ROWS 60
#define FAKE_CREATED 1491814800 /* 2017-04-10 09:00:00 UTC */

/* Fill *r (overwritten, not freed first) with the fake model. Every string is
 * allocated with ap_xstrdup and friends; release with ap_report_free(). Fonts
 * are the DejaVu Sans paths of Debian's fonts-dejavu-core. */
void ap_fake_report(struct ap_report *r);

#endif
