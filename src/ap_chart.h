/*
 * ap_chart: what every chart renderer shares (the PDF's and the HTML's trend
 * charts): the axis arithmetic, so both draw the same scale with the same
 * labels, and the words of the text alternative, which the model holds so
 * that both say the same. Figures come from the model; nothing here decides one.
 */
#ifndef AP_CHART_H
#define AP_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "ap_report.h"

/* A value is drawn unless the model marks it missing (a gap in the line). */
bool ap_chart_present(const struct ap_series *se, size_t k);

/* A round step (1, 2, 2.5 or 5 times a power of ten) giving about five
 * intervals over range (range > 0). */
double ap_chart_step(double range);

/* The axis label of v on a scale of step: "1,200", "2.5", or "45%" when the
 * series are fractions shown as percentages. */
void ap_chart_tick_label(double v, double step, bool percent, char out[32]);

/* Fill c->alt_intro and c->alt_series from c and t, the table that holds the
 * same figures (c->first_col onwards, one row per category; NULL or another
 * shape: the values as plain numbers). Figures read as t shows them ("45%"),
 * and a period with no figure names its marker ("[c]"). The model calls it
 * once its figures are final (again after a change: the old text is freed);
 * released with the chart. */
void ap_chart_describe(struct ap_chart *c, const struct ap_table *t);

#endif
