/*
 * ap_chart: axis arithmetic shared by the chart renderers (see ap_chart.h).
 */
#include "ap_chart.h"

#include <math.h>
#include <stdio.h>

#include "ap_util.h"

bool ap_chart_present(const struct ap_series *se, size_t k)
{
    return se->values && !(se->missing && se->missing[k]) && isfinite(se->values[k]);
}

double ap_chart_step(double range)
{
    double rough = range / 5, mag = pow(10, floor(log10(rough))), f = rough / mag;
    if (f <= 1)
        return mag;
    if (f <= 2)
        return 2 * mag;
    if (f <= 2.5)
        return 2.5 * mag;
    if (f <= 5)
        return 5 * mag;
    return 10 * mag;
}

void ap_chart_tick_label(double v, double step, bool percent, char out[32])
{
    if (percent) {
        double pct = v * 100, pstep = step * 100;
        int dec = pstep >= 1 ? 0 : (int)ceil(-log10(pstep) - 1e-9);
        snprintf(out, 32, "%.*f%%", dec, pct);
    } else if (step >= 1 && fabs(v) < 1e15) {
        ap_format_count((long long)llround(v), out);
    } else {
        int dec = (int)ceil(-log10(step) - 1e-9);
        snprintf(out, 32, "%.*f", dec > 6 ? 6 : dec, v);
    }
}
