/*
 * ap_chart: axis arithmetic and text alternatives shared by the chart
 * renderers (see ap_chart.h).
 */
#include "ap_chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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

/* The cell of table t showing series s at category k, or NULL. */
static const struct ap_cell *cell_of(const struct ap_chart *c, const struct ap_table *t, size_t s,
                                     size_t k)
{
    size_t col = c->first_col + s;
    if (!t || t->nrows != c->ncats || col >= t->ncols)
        return NULL;
    return ap_table_cell(t, k, col);
}

/* "12 in 2016/17 Q4": the value as the table shows it, else as a number. */
static void value_at(struct ap_buf *b, const struct ap_chart *c, const struct ap_table *t, size_t s,
                     size_t k)
{
    const struct ap_cell *cell = cell_of(c, t, s, k);
    double v = c->series[s].values[k];
    char buf[32];
    if (cell && cell->kind == AP_CELL_NUMBER && cell->text && *cell->text)
        ap_buf_adds(b, cell->text);
    else if (v == floor(v) && fabs(v) < 1e15) {
        ap_format_count((long long)v, buf);
        ap_buf_adds(b, buf);
    } else {
        snprintf(buf, sizeof buf, "%.3g", v);
        ap_buf_adds(b, buf);
    }
    ap_buf_addf(b, " in %s", c->categories[k]);
}

/* One sentence on series s. */
static char *series_text(const struct ap_chart *c, const struct ap_table *t, size_t s)
{
    const struct ap_series *se = &c->series[s];
    struct ap_buf b = AP_BUF_INIT;
    size_t first = c->ncats, last = 0, hi = 0, lo = 0, ngaps = 0;
    for (size_t k = 0; k < c->ncats; k++) {
        if (!ap_chart_present(se, k)) {
            ngaps++;
            continue;
        }
        if (first == c->ncats)
            first = hi = lo = k;
        last = k;
        if (se->values[k] > se->values[hi])
            hi = k;
        if (se->values[k] < se->values[lo])
            lo = k;
    }
    ap_buf_addf(&b, "%s: ", se->name);
    if (first == c->ncats) {
        ap_buf_adds(&b, "no figure can be shown.");
        return ap_buf_detach(&b);
    }
    if (first == last) {
        value_at(&b, c, t, s, first);
        ap_buf_adds(&b, " only");
    } else {
        double a = se->values[first], z = se->values[last];
        ap_buf_adds(&b, z > a ? "rose from " : z < a ? "fell from " : "the same, ");
        value_at(&b, c, t, s, first);
        ap_buf_adds(&b, z == a ? " and " : " to ");
        value_at(&b, c, t, s, last);
        if (se->values[hi] > (a > z ? a : z)) {
            ap_buf_adds(&b, ", highest ");
            value_at(&b, c, t, s, hi);
        }
        if (se->values[lo] < (a < z ? a : z)) {
            ap_buf_adds(&b, ", lowest ");
            value_at(&b, c, t, s, lo);
        }
    }
    if (ngaps) {
        ap_buf_adds(&b, "; no figure is shown for ");
        size_t n = 0;
        for (size_t k = 0; k < c->ncats; k++) {
            if (ap_chart_present(se, k))
                continue;
            if (n++)
                ap_buf_adds(&b, n == ngaps ? " and " : ", ");
            ap_buf_adds(&b, c->categories[k]);
            const struct ap_cell *cell = cell_of(c, t, s, k);
            if (cell && cell->kind == AP_CELL_MARKER && cell->text && *cell->text)
                ap_buf_addf(&b, " %s", cell->text);
        }
    }
    ap_buf_addch(&b, '.');
    return ap_buf_detach(&b);
}

void ap_chart_describe(struct ap_chart *c, const struct ap_table *t)
{
    static const char *const words[] = {"no",   "one", "two",   "three", "four",
                                        "five", "six", "seven", "eight", "nine"};
    struct ap_buf b = AP_BUF_INIT;
    free(c->alt_intro); /* described again after a change */
    for (size_t s = 0; c->alt_series && s < c->nseries; s++)
        free(c->alt_series[s]);
    free(c->alt_series);
    ap_buf_adds(&b, "A line chart with ");
    if (c->nseries < AP_ARRAY_LEN(words))
        ap_buf_addf(&b, "%s line%s", words[c->nseries], c->nseries == 1 ? "" : "s");
    else
        ap_buf_addf(&b, "%zu lines", c->nseries);
    if (c->ncats > 0)
        ap_buf_addf(&b, ", from %s to %s", c->categories[0], c->categories[c->ncats - 1]);
    ap_buf_addch(&b, '.');
    c->alt_intro = ap_buf_detach(&b);
    c->alt_series = ap_xcalloc(c->nseries ? c->nseries : 1, sizeof *c->alt_series);
    for (size_t s = 0; s < c->nseries; s++)
        c->alt_series[s] = series_text(c, t, s);
}
