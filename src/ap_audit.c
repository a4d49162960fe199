/*
 * ap_audit: the interval audit of published figures by linear programming
 * (see ap_audit.h for the model). GLPK does the solving: the simplex with
 * presolve for each bound, and its branch and bound only where the bounds of
 * the continuous problem leave two or three whole numbers, to see whether
 * the relations allow only one of them.
 */
#include "ap_audit.h"

#include <assert.h>
#include <glpk.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ap_util.h"

#define EPS 1e-6 /* slack for the rounding of percentages and rates */

void ap_audit_init(struct ap_audit *a)
{
    memset(a, 0, sizeof *a);
}

void ap_audit_free(struct ap_audit *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->nvars; i++) {
        free(a->vars[i].key);
        free(a->vars[i].where);
    }
    for (size_t i = 0; i < a->nrels; i++)
        free(a->rels[i].what);
    for (size_t i = 0; i < a->nobjs; i++) {
        free(a->objs[i].key);
        free(a->objs[i].where);
    }
    free(a->vars);
    free(a->terms);
    free(a->rels);
    free(a->objs);
    free(a->buckets);
    memset(a, 0, sizeof *a);
}

/* FNV-1a: keys are short ASCII strings. */
static size_t key_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

static void rehash(struct ap_audit *a)
{
    free(a->buckets);
    a->nbuckets = a->nbuckets ? a->nbuckets * 2 : 256;
    a->buckets = ap_xcalloc(a->nbuckets, sizeof *a->buckets);
    for (size_t i = 0; i < a->nvars; i++) {
        size_t h = key_hash(a->vars[i].key) & (a->nbuckets - 1);
        while (a->buckets[h])
            h = (h + 1) & (a->nbuckets - 1);
        a->buckets[h] = i + 1;
    }
}

size_t ap_audit_find(const struct ap_audit *a, const char *key)
{
    if (!a->nbuckets)
        return SIZE_MAX;
    size_t h = key_hash(key) & (a->nbuckets - 1);
    while (a->buckets[h]) {
        if (!strcmp(a->vars[a->buckets[h] - 1].key, key))
            return a->buckets[h] - 1;
        h = (h + 1) & (a->nbuckets - 1);
    }
    return SIZE_MAX;
}

size_t ap_audit_var(struct ap_audit *a, const char *key, double value, enum ap_audit_state st,
                    double hi, bool hideable, const char *where)
{
    size_t i = ap_audit_find(a, key);
    if (i != SIZE_MAX) {
        struct ap_audit_var *v = &a->vars[i];
        if (st > v->state) {
            v->state = st;
            v->hideable = hideable;
        }
        if (st == AP_AV_HIDDEN && hi < v->hi)
            v->hi = hi;
        if (st != AP_AV_UNSEEN && !*v->where) {
            free(v->where);
            v->where = ap_xstrdup(where ? where : "");
        }
        return i;
    }
    if (a->nvars == a->avars) {
        a->avars = a->avars ? a->avars * 2 : 64;
        a->vars = ap_xrealloc(a->vars, a->avars * sizeof *a->vars);
    }
    struct ap_audit_var *v = &a->vars[a->nvars++];
    v->key = ap_xstrdup(key);
    v->value = value;
    v->state = st;
    v->hi = st == AP_AV_HIDDEN ? hi : HUGE_VAL;
    v->hideable = hideable;
    v->where = ap_xstrdup(st != AP_AV_UNSEEN && where ? where : "");
    if (a->nvars * 2 > a->nbuckets)
        rehash(a);
    else {
        size_t h = key_hash(key) & (a->nbuckets - 1);
        while (a->buckets[h])
            h = (h + 1) & (a->nbuckets - 1);
        a->buckets[h] = a->nvars;
    }
    return a->nvars - 1;
}

static void add_term(struct ap_audit *a, size_t var, double coef)
{
    if (a->nterms == a->aterms) {
        a->aterms = a->aterms ? a->aterms * 2 : 256;
        a->terms = ap_xrealloc(a->terms, a->aterms * sizeof *a->terms);
    }
    a->terms[a->nterms].var = var;
    a->terms[a->nterms].coef = coef;
    a->nterms++;
}

void ap_audit_rel(struct ap_audit *a, double lo, double hi, const char *what)
{
    if (a->nrels == a->arels) {
        a->arels = a->arels ? a->arels * 2 : 64;
        a->rels = ap_xrealloc(a->rels, a->arels * sizeof *a->rels);
    }
    struct ap_audit_rel *r = &a->rels[a->nrels++];
    r->first = a->nterms;
    r->n = 0;
    r->lo = lo;
    r->hi = hi;
    r->what = ap_xstrdup(what);
}

void ap_audit_term(struct ap_audit *a, size_t var, double coef)
{
    assert(a->nrels > 0 && var < a->nvars);
    add_term(a, var, coef);
    a->rels[a->nrels - 1].n++;
}

void ap_audit_obj(struct ap_audit *a, const char *key, const char *where)
{
    if (a->nobjs == a->aobjs) {
        a->aobjs = a->aobjs ? a->aobjs * 2 : 16;
        a->objs = ap_xrealloc(a->objs, a->aobjs * sizeof *a->objs);
    }
    struct ap_audit_obj *o = &a->objs[a->nobjs++];
    o->first = a->nterms;
    o->n = 0;
    o->key = ap_xstrdup(key);
    o->where = ap_xstrdup(where ? where : "");
}

void ap_audit_obj_term(struct ap_audit *a, size_t var, double coef)
{
    assert(a->nobjs > 0 && var < a->nvars);
    add_term(a, var, coef);
    a->objs[a->nobjs - 1].n++;
}

static double eval(const struct ap_audit *a, size_t first, size_t n)
{
    double s = 0;
    for (size_t i = first; i < first + n; i++)
        s += a->terms[i].coef * a->vars[a->terms[i].var].value;
    return s;
}

enum ap_status ap_audit_check_truth(const struct ap_audit *a, double tol, struct ap_diag *d)
{
    for (size_t i = 0; i < a->nvars; i++) {
        const struct ap_audit_var *v = &a->vars[i];
        if (v->value < 0 || (v->state == AP_AV_HIDDEN && (v->value < 1 || v->value > v->hi))) {
            ap_diag_error(d, AP_ERR_IO,
                          "internal error: the figure '%s' (%s) is hidden but its value %.0f is "
                          "outside what the notes tell the reader",
                          v->key, v->where, v->value);
            return AP_ERR_IO;
        }
    }
    for (size_t i = 0; i < a->nrels; i++) {
        const struct ap_audit_rel *r = &a->rels[i];
        double s = eval(a, r->first, r->n);
        if (s < r->lo - tol || s > r->hi + tol) {
            ap_diag_error(d, AP_ERR_IO,
                          "internal error: the figures do not satisfy the relation '%s' that the "
                          "disclosure audit relies on (%g, not between %g and %g); the report is "
                          "not written",
                          r->what, s, r->lo, r->hi);
            return AP_ERR_IO;
        }
    }
    return AP_OK;
}

/* --- solving ------------------------------------------------------------ */

struct solver {
    glp_prob *lp;
    int *ia, *ja; /* 1-based, as GLPK wants */
    double *ar;
    double *obj;            /* current objective coefficient of each column (0-based) */
    const char *why, *what; /* failure and the table it concerns */
    jmp_buf jump;
};

static void on_glpk_error(void *info)
{
    struct solver *s = info;
    longjmp(s->jump, 1);
}

static bool finite_or_inf(double x)
{
    return !isnan(x);
}

/* Check the problem before GLPK sees it: GLPK aborts on what it rejects. */
static enum ap_status validate(const struct ap_audit *a, struct ap_diag *d)
{
    if (a->nvars > (size_t)INT_MAX / 2 || a->nterms > (size_t)INT_MAX / 2 ||
        a->nrels > (size_t)INT_MAX / 2) {
        ap_diag_error(d, AP_ERR_IO, "internal error: the disclosure audit is too large to solve");
        return AP_ERR_IO;
    }
    for (size_t i = 0; i < a->nvars; i++) {
        const struct ap_audit_var *v = &a->vars[i];
        if (!isfinite(v->value) || isnan(v->hi) || (v->state == AP_AV_HIDDEN && v->hi < 1)) {
            ap_diag_error(d, AP_ERR_IO, "internal error: figure '%s' has no valid bounds", v->key);
            return AP_ERR_IO;
        }
    }
    for (size_t i = 0; i < a->nterms; i++) {
        if (a->terms[i].var >= a->nvars || !isfinite(a->terms[i].coef)) {
            ap_diag_error(d, AP_ERR_IO,
                          "internal error: a relation of the disclosure audit has "
                          "an invalid term");
            return AP_ERR_IO;
        }
    }
    for (size_t i = 0; i < a->nrels; i++) {
        const struct ap_audit_rel *r = &a->rels[i];
        if (!finite_or_inf(r->lo) || !finite_or_inf(r->hi) || r->lo > r->hi || r->lo == HUGE_VAL ||
            r->hi == -HUGE_VAL) {
            ap_diag_error(d, AP_ERR_IO, "internal error: relation '%s' has invalid bounds",
                          r->what);
            return AP_ERR_IO;
        }
    }
    return AP_OK;
}

static void set_row_bounds(glp_prob *lp, int row, double lo, double hi)
{
    if (lo == -HUGE_VAL && hi == HUGE_VAL)
        glp_set_row_bnds(lp, row, GLP_FR, 0, 0);
    else if (lo == -HUGE_VAL)
        glp_set_row_bnds(lp, row, GLP_UP, 0, hi);
    else if (hi == HUGE_VAL)
        glp_set_row_bnds(lp, row, GLP_LO, lo, 0);
    else if (lo == hi)
        glp_set_row_bnds(lp, row, GLP_FX, lo, lo);
    else
        glp_set_row_bnds(lp, row, GLP_DB, lo, hi);
}

/* Build the problem; columns are the variables, rows the relations. Terms of
 * one relation that name the same variable are merged (GLPK refuses
 * duplicates). Must run under the error hook. */
static void build(struct solver *s, const struct ap_audit *a)
{
    glp_prob *lp = s->lp;
    glp_set_obj_dir(lp, GLP_MIN);
    glp_add_cols(lp, (int)a->nvars);
    for (size_t i = 0; i < a->nvars; i++) {
        const struct ap_audit_var *v = &a->vars[i];
        int col = (int)i + 1;
        glp_set_col_kind(lp, col, GLP_IV);
        if (v->state == AP_AV_SHOWN)
            glp_set_col_bnds(lp, col, GLP_FX, v->value, v->value);
        else if (v->state == AP_AV_HIDDEN && v->hi < HUGE_VAL)
            glp_set_col_bnds(lp, col, v->hi > 1 ? GLP_DB : GLP_FX, 1, v->hi);
        else
            glp_set_col_bnds(lp, col, GLP_LO, v->state == AP_AV_HIDDEN ? 1 : 0, 0);
    }
    int ne = 0;
    if (a->nrels)
        glp_add_rows(lp, (int)a->nrels);
    for (size_t i = 0; i < a->nrels; i++) {
        const struct ap_audit_rel *r = &a->rels[i];
        set_row_bounds(lp, (int)i + 1, r->lo, r->hi);
        int row_start = ne;
        for (size_t t = r->first; t < r->first + r->n; t++) {
            int col = (int)a->terms[t].var + 1;
            int k;
            for (k = row_start; k < ne && s->ja[k + 1] != col; k++)
                ;
            if (k < ne) {
                s->ar[k + 1] += a->terms[t].coef;
            } else {
                ne++;
                s->ia[ne] = (int)i + 1;
                s->ja[ne] = col;
                s->ar[ne] = a->terms[t].coef;
            }
        }
    }
    glp_load_matrix(lp, ne, s->ia, s->ja, s->ar);
}

enum solve_result { SOLVED, UNBOUNDED, INFEASIBLE, FAILED };

/* Optimise the current objective in direction dir, as a continuous program
 * or (mip) over whole numbers. */
static enum solve_result solve(struct solver *s, int dir, bool mip, double *val)
{
    glp_set_obj_dir(s->lp, dir);
    int ret, status;
    if (!mip) {
        glp_smcp parm;
        glp_init_smcp(&parm);
        parm.msg_lev = GLP_MSG_OFF;
        parm.presolve = GLP_ON;
        ret = glp_simplex(s->lp, &parm);
        status = ret == 0 ? glp_get_status(s->lp) : 0;
        if (status == GLP_OPT)
            *val = glp_get_obj_val(s->lp);
    } else {
        glp_iocp parm;
        glp_init_iocp(&parm);
        parm.msg_lev = GLP_MSG_OFF;
        parm.presolve = GLP_ON;
        ret = glp_intopt(s->lp, &parm);
        status = ret == 0 ? glp_mip_status(s->lp) : 0;
        if (status == GLP_OPT)
            *val = glp_mip_obj_val(s->lp);
    }
    if (ret == GLP_ENOPFS || status == GLP_NOFEAS)
        return INFEASIBLE;
    if (ret == GLP_ENODFS || status == GLP_UNBND)
        return UNBOUNDED;
    if (ret != 0 || status != GLP_OPT)
        return FAILED;
    return SOLVED;
}

static void set_objective(struct solver *s, const struct ap_audit *a, size_t first, size_t n)
{
    for (size_t i = 0; i < a->nvars; i++) {
        if (s->obj[i] != 0) {
            glp_set_obj_coef(s->lp, (int)i + 1, 0);
            s->obj[i] = 0;
        }
    }
    for (size_t t = first; t < first + n; t++) {
        size_t v = a->terms[t].var;
        s->obj[v] += a->terms[t].coef;
        glp_set_obj_coef(s->lp, (int)v + 1, s->obj[v]);
    }
}

/* The reader's interval of the current objective; false on failure (*why). */
static bool interval(struct solver *s, struct ap_audit *a, double *lo, double *hi, const char **why)
{
    enum solve_result r1 = solve(s, GLP_MIN, false, lo);
    enum solve_result r2 = r1 == SOLVED || r1 == UNBOUNDED ? solve(s, GLP_MAX, false, hi) : r1;
    a->nsolves += 2;
    if (r1 == INFEASIBLE || r2 == INFEASIBLE) {
        *why = "the relations between the figures contradict each other";
        return false;
    }
    if (r1 == FAILED || r2 == FAILED) {
        *why = "the linear program could not be solved";
        return false;
    }
    if (r1 == UNBOUNDED)
        *lo = -HUGE_VAL;
    if (r2 == UNBOUNDED)
        *hi = HUGE_VAL;
    /* Two or three whole numbers left: the whole-number program may allow
     * only one of them. */
    double ilo = ceil(*lo - EPS), ihi = floor(*hi + EPS);
    if (ihi > ilo && ihi - ilo <= 2) {
        double mlo, mhi;
        enum solve_result m1 = solve(s, GLP_MIN, true, &mlo);
        enum solve_result m2 = m1 == SOLVED ? solve(s, GLP_MAX, true, &mhi) : m1;
        a->nsolves += 2;
        if (m1 == SOLVED && m2 == SOLVED) {
            *lo = mlo;
            *hi = mhi;
        } else if (m1 == INFEASIBLE || m2 == INFEASIBLE) {
            *why = "the relations between the figures have no solution in whole numbers";
            return false;
        }
    }
    return true;
}

static bool pinned(double lo, double hi)
{
    if (lo == -HUGE_VAL || hi == HUGE_VAL)
        return false;
    return ceil(lo - EPS) >= floor(hi + EPS);
}

/* Objective: the single variable j. */
static void set_single(struct solver *s, const struct ap_audit *a, size_t j)
{
    for (size_t v = 0; v < a->nvars; v++) {
        if (s->obj[v] != 0) {
            glp_set_obj_coef(s->lp, (int)v + 1, 0);
            s->obj[v] = 0;
        }
    }
    s->obj[j] = 1.0;
    glp_set_obj_coef(s->lp, (int)j + 1, 1.0);
}

typedef void (*solver_fn)(struct solver *s, struct ap_audit *a, void *ctx);

/* Run fn with a fresh problem, under GLPK's error hook. */
static enum ap_status guarded(struct ap_audit *a, solver_fn fn, void *ctx, struct ap_diag *d)
{
    enum ap_status rc = validate(a, d);
    if (rc != AP_OK)
        return rc;
    struct solver *s = ap_xcalloc(1, sizeof *s);
    s->ia = ap_xcalloc(a->nterms + 1, sizeof *s->ia);
    s->ja = ap_xcalloc(a->nterms + 1, sizeof *s->ja);
    s->ar = ap_xcalloc(a->nterms + 1, sizeof *s->ar);
    s->obj = ap_xcalloc(a->nvars + 1, sizeof *s->obj);
    s->why = NULL;
    s->what = "";
    glp_term_out(GLP_OFF);
    glp_error_hook(on_glpk_error, s);
    if (setjmp(s->jump) == 0) {
        s->lp = glp_create_prob();
        build(s, a);
        fn(s, a, ctx);
        glp_delete_prob(s->lp);
        glp_error_hook(NULL, NULL);
    } else {
        /* GLPK's state after an error is undefined: free its whole
         * environment, the problem with it. */
        glp_free_env();
        s->why = "the linear-programming library failed";
    }
    if (s->why) {
        ap_diag_error(d, AP_ERR_IO,
                      "cannot protect the table '%s' against a reader who works out hidden "
                      "figures: %s, so the report is not written",
                      *s->what ? s->what : "(unknown)", s->why);
        rc = AP_ERR_IO;
    }
    free(s->ia);
    free(s->ja);
    free(s->ar);
    free(s->obj);
    free(s);
    return rc;
}

/* Objective: the pinned figure. */
static void set_pin_objective(struct solver *s, const struct ap_audit *a,
                              const struct ap_audit_pin *pin)
{
    if (pin->is_obj)
        set_objective(s, a, a->objs[pin->index].first, a->objs[pin->index].n);
    else
        set_single(s, a, pin->index);
}

static void search(struct solver *s, struct ap_audit *a, void *ctx)
{
    struct ap_audit_pin *pin = ctx;
    size_t n = a->nvars + a->nobjs;
    for (size_t i = 0; i < n && !pin->found; i++) {
        bool is_obj = i >= a->nvars;
        size_t j = is_obj ? i - a->nvars : i;
        if (!is_obj && a->vars[j].state != AP_AV_HIDDEN)
            continue;
        struct ap_audit_pin here = {false, is_obj, j, 0, 0};
        set_pin_objective(s, a, &here);
        double lo = 0, hi = 0;
        if (!interval(s, a, &lo, &hi, &s->why)) {
            s->what = is_obj ? a->objs[j].where : a->vars[j].where;
            return;
        }
        if (pinned(lo, hi)) {
            *pin = here;
            pin->found = true;
            pin->lo = lo;
            pin->hi = hi;
        }
    }
}

enum ap_status ap_audit_find_pinned(struct ap_audit *a, struct ap_audit_pin *pin, struct ap_diag *d)
{
    memset(pin, 0, sizeof *pin);
    enum ap_status rc = guarded(a, search, pin, d);
    if (rc != AP_OK)
        pin->found = false;
    return rc;
}

/* --- choosing what else to hide ----------------------------------------- */

struct candidate {
    size_t var;
    unsigned level; /* relations away from the pinned figure */
};

struct choice {
    const struct ap_audit_pin *pin;
    struct candidate *c;
    size_t n;
    size_t chosen;
};

static const struct ap_audit *sort_audit; /* for the comparison only */

static int by_cost(const void *x, const void *y)
{
    const struct candidate *p = x, *q = y;
    const struct ap_audit_var *u = &sort_audit->vars[p->var], *v = &sort_audit->vars[q->var];
    if (p->level != q->level)
        return p->level < q->level ? -1 : 1;
    if (u->value != v->value)
        return u->value < v->value ? -1 : 1;
    return strcmp(u->key, v->key);
}

/* The shown, hideable figures linked to the pinned one, cheapest first. */
static size_t candidates(const struct ap_audit *a, const struct ap_audit_pin *pin,
                         struct candidate **out)
{
    unsigned *level = ap_xcalloc(a->nvars ? a->nvars : 1, sizeof *level);
    if (pin->is_obj) {
        const struct ap_audit_obj *o = &a->objs[pin->index];
        for (size_t t = o->first; t < o->first + o->n; t++)
            level[a->terms[t].var] = 1;
    } else {
        level[pin->index] = 1;
    }
    for (unsigned l = 1;; l++) {
        bool grew = false;
        for (size_t r = 0; r < a->nrels; r++) {
            const struct ap_audit_rel *rel = &a->rels[r];
            bool touches = false;
            for (size_t t = rel->first; t < rel->first + rel->n && !touches; t++)
                touches = level[a->terms[t].var] == l;
            for (size_t t = rel->first; touches && t < rel->first + rel->n; t++) {
                if (!level[a->terms[t].var]) {
                    level[a->terms[t].var] = l + 1;
                    grew = true;
                }
            }
        }
        if (!grew)
            break;
    }
    struct candidate *c = ap_xcalloc(a->nvars ? a->nvars : 1, sizeof *c);
    size_t n = 0;
    for (size_t v = 0; v < a->nvars; v++) {
        const struct ap_audit_var *x = &a->vars[v];
        if (level[v] > 1 && x->state == AP_AV_SHOWN && x->hideable && x->value >= 1)
            c[n++] = (struct candidate){v, level[v]};
    }
    free(level);
    sort_audit = a;
    qsort(c, n, sizeof *c, by_cost);
    *out = c;
    return n;
}

#define TRIAL_MAX 24 /* candidates tried one by one before taking the cheapest */

/* Try the candidates in order of cost: the first whose hiding alone frees
 * the pinned figure is chosen. */
static void trial(struct solver *s, struct ap_audit *a, void *ctx)
{
    struct choice *ch = ctx;
    set_pin_objective(s, a, ch->pin);
    for (size_t i = 0; i < ch->n && i < TRIAL_MAX; i++) {
        const struct ap_audit_var *v = &a->vars[ch->c[i].var];
        int col = (int)ch->c[i].var + 1;
        glp_set_col_bnds(s->lp, col, GLP_LO, 1, 0);
        double lo = 0, hi = 0;
        bool ok = interval(s, a, &lo, &hi, &s->why);
        glp_set_col_bnds(s->lp, col, GLP_FX, v->value, v->value);
        if (!ok) {
            s->what = v->where;
            return;
        }
        if (!pinned(lo, hi)) {
            ch->chosen = ch->c[i].var;
            return;
        }
    }
}

enum ap_status ap_audit_choose(struct ap_audit *a, const struct ap_audit_pin *pin, size_t *out,
                               struct ap_diag *d)
{
    *out = SIZE_MAX;
    if (!pin->found)
        return AP_OK;
    struct choice ch = {pin, NULL, 0, SIZE_MAX};
    ch.n = candidates(a, pin, &ch.c);
    enum ap_status rc = AP_OK;
    if (ch.n > 1)
        rc = guarded(a, trial, &ch, d);
    if (rc == AP_OK)
        *out = ch.chosen != SIZE_MAX ? ch.chosen : ch.n ? ch.c[0].var : SIZE_MAX;
    free(ch.c);
    return rc;
}
