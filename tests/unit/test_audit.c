/*
 * test_audit: the disclosure audit on small problems worked out by hand:
 * a pinned cell found and the cheapest linked cell chosen to protect it,
 * intervals that are not pinned, a value pinned only by whole numbers,
 * determinism, and the error paths (relations our figures break, relations
 * that contradict each other).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "ap_audit.h"
#include "ap_test.h"

static size_t shown(struct ap_audit *a, const char *key, double v)
{
    return ap_audit_var(a, key, v, AP_AV_SHOWN, HUGE_VAL, true, "Table 1: test");
}

static size_t hidden(struct ap_audit *a, const char *key, double v, double hi)
{
    return ap_audit_var(a, key, v, AP_AV_HIDDEN, hi, false, "Table 1: test");
}

/* Hide a shown figure as the report does on the next round (to protect). */
static void hide(struct ap_audit *a, size_t v)
{
    a->vars[v].state = AP_AV_HIDDEN;
    a->vars[v].hi = HUGE_VAL;
}

/* The sample report's closure reasons before the audit: 11 and 14 of 28
 * shown, three [c] (each 1 in truth, at most 5): 3 over three cells that are
 * each at least 1, so each is exactly 1. The cheapest linked cell is 11. */
static void closure_reasons(void)
{
    struct ap_audit a;
    struct ap_diag d;
    ap_diag_init(&d);
    ap_audit_init(&a);
    size_t tot = shown(&a, "closed", 28);
    size_t c[5] = {shown(&a, "r.risk_reduced", 11), shown(&a, "r.removed", 14),
                   hidden(&a, "r.moved_away", 1, 5), hidden(&a, "r.transferred", 1, 5),
                   hidden(&a, "r.turned_18", 1, 5)};
    ap_audit_rel(&a, 0, 0, "reasons add up");
    ap_audit_term(&a, tot, -1);
    for (int i = 0; i < 5; i++)
        ap_audit_term(&a, c[i], 1);
    CHECK_INT(ap_audit_check_truth(&a, 1e-6, &d), AP_OK);
    struct ap_audit_pin pin;
    CHECK_INT(ap_audit_find_pinned(&a, &pin, &d), AP_OK);
    CHECK(pin.found && !pin.is_obj && pin.index == c[2]);
    CHECK(fabs(pin.lo - 1) < 1e-9 && fabs(pin.hi - 1) < 1e-9);
    size_t v;
    CHECK_INT(ap_audit_choose(&a, &pin, &v, &d), AP_OK);
    CHECK_INT(v, c[0]); /* 11: the smallest shown figure linked to it */
    /* Hidden to protect (no upper bound): 14 over four cells, none pinned. */
    hide(&a, c[0]);
    CHECK_INT(ap_audit_find_pinned(&a, &pin, &d), AP_OK);
    CHECK(!pin.found);
    ap_audit_free(&a);
}

/* The flow of cases: active at the end = active before + new - closed.
 * 18 + 24 - 9 = 33 pins the hidden 33; so does 45 - 30 + 18 from the next
 * quarter. No single cell frees it, so the cheapest (9) is taken; then one
 * cell at a time is hidden until nothing is pinned (the choice is greedy:
 * three cells where two would do). */
static void flow(void)
{
    struct ap_audit a;
    struct ap_diag d;
    ap_diag_init(&d);
    ap_audit_init(&a);
    size_t ac0 = shown(&a, "active|q0", 18), nc1 = shown(&a, "new|q1", 24),
           xc1 = shown(&a, "closed|q1", 9), ac1 = hidden(&a, "active|q1", 33, HUGE_VAL),
           nc2 = shown(&a, "new|q2", 30), xc2 = shown(&a, "closed|q2", 18),
           ac2 = shown(&a, "active|q2", 45);
    ap_audit_rel(&a, 0, 0, "flow q1");
    ap_audit_term(&a, ac1, 1);
    ap_audit_term(&a, ac0, -1);
    ap_audit_term(&a, nc1, -1);
    ap_audit_term(&a, xc1, 1);
    ap_audit_rel(&a, 0, 0, "flow q2");
    ap_audit_term(&a, ac2, 1);
    ap_audit_term(&a, ac1, -1);
    ap_audit_term(&a, nc2, -1);
    ap_audit_term(&a, xc2, 1);
    CHECK_INT(ap_audit_check_truth(&a, 1e-6, &d), AP_OK);
    struct ap_audit_pin pin;
    CHECK_INT(ap_audit_find_pinned(&a, &pin, &d), AP_OK);
    CHECK(pin.found && pin.index == ac1 && fabs(pin.lo - 33) < 1e-9);
    size_t v, again;
    CHECK_INT(ap_audit_choose(&a, &pin, &v, &d), AP_OK);
    CHECK_INT(v, xc1);
    CHECK_INT(ap_audit_choose(&a, &pin, &again, &d), AP_OK); /* deterministic */
    CHECK_INT(again, v);
    hide(&a, xc1);
    /* now 9 itself is pinned (18 + 24 - 33, with 33 pinned by 45 - 30 + 18):
     * the cheapest figure whose hiding frees it is 18 (active|q0) */
    CHECK_INT(ap_audit_find_pinned(&a, &pin, &d), AP_OK);
    CHECK(pin.found && pin.index == xc1 && fabs(pin.lo - 9) < 1e-9);
    CHECK_INT(ap_audit_choose(&a, &pin, &v, &d), AP_OK);
    CHECK_INT(v, ac0);
    hide(&a, ac0);
    /* 33 is still pinned by the next quarter; closed|q2 (18) frees it */
    CHECK_INT(ap_audit_find_pinned(&a, &pin, &d), AP_OK);
    CHECK(pin.found && pin.index == ac1);
    CHECK_INT(ap_audit_choose(&a, &pin, &v, &d), AP_OK);
    CHECK_INT(v, xc2);
    hide(&a, xc2);
    CHECK_INT(ap_audit_find_pinned(&a, &pin, &d), AP_OK);
    CHECK(!pin.found);
    ap_audit_free(&a);
}

/* Two hidden cells of a shown total of 6, each 1 to 5: each lies in 1..5. A
 * hidden difference of two hidden figures is audited as well. */
static void not_pinned(void)
{
    struct ap_audit a;
    struct ap_diag d;
    ap_diag_init(&d);
    ap_audit_init(&a);
    size_t t = shown(&a, "total", 6), x = hidden(&a, "x", 2, 5), y = hidden(&a, "y", 4, 5);
    ap_audit_rel(&a, 0, 0, "sum");
    ap_audit_term(&a, x, 1);
    ap_audit_term(&a, y, 1);
    ap_audit_term(&a, t, -1);
    struct ap_audit_pin pin;
    CHECK_INT(ap_audit_find_pinned(&a, &pin, &d), AP_OK);
    CHECK(!pin.found);
    /* x - y = 2x - 6 takes several values: not pinned either */
    ap_audit_obj(&a, "x-y", "Table 1: test");
    ap_audit_obj_term(&a, x, 1);
    ap_audit_obj_term(&a, y, -1);
    CHECK_INT(ap_audit_find_pinned(&a, &pin, &d), AP_OK);
    CHECK(!pin.found);
    /* but x + y is the total: an objective x + y is pinned at 6 */
    ap_audit_obj(&a, "x+y", "Table 1: test");
    ap_audit_obj_term(&a, x, 1);
    ap_audit_obj_term(&a, y, 1);
    CHECK_INT(ap_audit_find_pinned(&a, &pin, &d), AP_OK);
    CHECK(pin.found && pin.is_obj && pin.index == 1 && fabs(pin.hi - 6) < 1e-9);
    ap_audit_free(&a);
}

/* 3x = 2y with y at most 4: as real numbers x lies in 1..8/3, which holds
 * the whole numbers 1 and 2, but only x = 2, y = 3 are whole: pinned. */
static void whole_numbers(void)
{
    struct ap_audit a;
    struct ap_diag d;
    ap_diag_init(&d);
    ap_audit_init(&a);
    size_t x = hidden(&a, "x", 2, HUGE_VAL), y = hidden(&a, "y", 3, 4);
    ap_audit_rel(&a, 0, 0, "3x = 2y");
    ap_audit_term(&a, x, 3);
    ap_audit_term(&a, y, -2);
    CHECK_INT(ap_audit_check_truth(&a, 1e-6, &d), AP_OK);
    struct ap_audit_pin pin;
    CHECK_INT(ap_audit_find_pinned(&a, &pin, &d), AP_OK);
    CHECK(pin.found && pin.index == x && fabs(pin.lo - 2) < 1e-9 && fabs(pin.hi - 2) < 1e-9);
    ap_audit_free(&a);
}

/* A figure shown anywhere is shown; keys are one variable. Ties in cost go
 * to the first key in byte order. */
static void keys_and_ties(void)
{
    struct ap_audit a;
    struct ap_diag d;
    ap_diag_init(&d);
    ap_audit_init(&a);
    size_t h = hidden(&a, "h", 1, 5);
    size_t b = shown(&a, "b", 7), c = shown(&a, "a", 7);
    CHECK_INT(shown(&a, "h", 1), h);
    CHECK_INT(a.vars[h].state, AP_AV_SHOWN);
    CHECK_INT(ap_audit_find(&a, "a"), c);
    CHECK_INT(ap_audit_find(&a, "zz"), SIZE_MAX);
    a.vars[h].state = AP_AV_HIDDEN;
    a.vars[h].hi = 5;
    ap_audit_rel(&a, 1, 1, "h = b - a + 1");
    ap_audit_term(&a, h, 1);
    ap_audit_term(&a, b, -1);
    ap_audit_term(&a, c, 1);
    ap_audit_rel(&a, 1, 1, "h = 1");
    ap_audit_term(&a, h, 1);
    struct ap_audit_pin pin;
    CHECK_INT(ap_audit_find_pinned(&a, &pin, &d), AP_OK);
    CHECK(pin.found);
    size_t v;
    CHECK_INT(ap_audit_choose(&a, &pin, &v, &d), AP_OK);
    CHECK_INT(v, c); /* "a" before "b"; neither frees h (h = 1 holds alone) */
    ap_audit_free(&a);
}

/* Our own figures breaking a relation, and relations with no solution, are
 * errors that stop the report (AP_ERR_IO) with a message naming the table. */
static void errors(void)
{
    struct ap_audit a;
    struct ap_diag d;
    ap_diag_init(&d);
    d.out = tmpfile();
    CHECK(d.out != NULL);
    if (!d.out)
        return;
    ap_audit_init(&a);
    size_t t = shown(&a, "total", 10), x = shown(&a, "x", 3),
           y = ap_audit_var(&a, "y", 4, AP_AV_HIDDEN, HUGE_VAL, false, "Table 7: broken");
    ap_audit_rel(&a, 0, 0, "x + y = total");
    ap_audit_term(&a, x, 1);
    ap_audit_term(&a, y, 1);
    ap_audit_term(&a, t, -1);
    CHECK_INT(ap_audit_check_truth(&a, 1e-6, &d), AP_ERR_IO);
    /* y must be 7 by the sum; a second relation says y <= 5: infeasible */
    ap_audit_rel(&a, -HUGE_VAL, 5, "y at most 5");
    ap_audit_term(&a, y, 1);
    struct ap_audit_pin pin;
    CHECK_INT(ap_audit_find_pinned(&a, &pin, &d), AP_ERR_IO);
    CHECK(!pin.found);
    char buf[2048] = "";
    rewind(d.out);
    size_t n = fread(buf, 1, sizeof buf - 1, d.out);
    buf[n] = '\0';
    CHECK(strstr(buf, "x + y = total") != NULL);
    CHECK(strstr(buf, "cannot protect the table 'Table 7: broken'") != NULL);
    CHECK(strstr(buf, "contradict") != NULL);
    fclose(d.out);
    ap_audit_free(&a);
    /* and after GLPK's failure path, the next audit still works */
    ap_diag_init(&d);
    ap_audit_init(&a);
    hidden(&a, "alone", 3, 5);
    CHECK_INT(ap_audit_find_pinned(&a, &pin, &d), AP_OK);
    CHECK(!pin.found);
    ap_audit_free(&a);
    ap_audit_free(NULL);
}

int main(void)
{
    closure_reasons();
    flow();
    not_pinned();
    whole_numbers();
    keys_and_ties();
    errors();
    return ap_test_done();
}
