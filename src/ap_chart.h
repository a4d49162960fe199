/*
 * ap_chart: the axis arithmetic every chart renderer shares (the PDF's and the
 * HTML's trend charts), so both draw the same scale with the same labels.
 * Figures come from the model; nothing here decides one.
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

#endif
