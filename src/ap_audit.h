/*
 * ap_audit: the disclosure audit. An interval audit by linear programming, as
 * tau-Argus and sdcTable check a protected table: the published figures are
 * variables, every linear relation a reader can know holds between them
 * (rows adding up to totals, differences between quarters, the flow of cases,
 * bounds), a shown figure is fixed at its value and a hidden one ([c]) is only
 * known to be at least 1 (and at most k when it was hidden for being small).
 * For each hidden figure the audit minimises and maximises it; a figure whose
 * interval holds one whole number only can be worked out by the reader and is
 * "pinned". The report model (ap_report.c) turns its figures and the metric
 * definitions into the problem, asks for the first pinned figure, hides the
 * cheapest linked shown figure, and repeats until none is pinned.
 *
 * Knows nothing of reports: variables are keyed by a string and carry the
 * true value (used only to check that the relations really hold). GLPK solves
 * the programs, silently, with its error hook caught; every problem is checked
 * before it is solved.
 */
#ifndef AP_AUDIT_H
#define AP_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "ap_diag.h"

enum ap_audit_state {
    AP_AV_UNSEEN, /* not published: the reader knows only that it is >= 0 */
    AP_AV_HIDDEN, /* published as [c]: >= 1 (and <= hi) */
    AP_AV_SHOWN   /* published: the reader knows its value */
};

struct ap_audit_var {
    char *key;    /* owned: the figure key (ap_report.h), unique in the audit */
    double value; /* true value; the reader knows it only when SHOWN */
    enum ap_audit_state state;
    double hi;     /* HIDDEN: largest value the reader may assume (k if primary), else HUGE_VAL */
    bool hideable; /* SHOWN: a count that suppression may still hide */
    char *where;   /* owned: where it is published first (table title), "" if unseen */
};

struct ap_audit_term {
    size_t var;
    double coef;
};

/* lo <= sum(coef * var) <= hi over terms[first .. first + n). */
struct ap_audit_rel {
    size_t first, n;
    double lo, hi; /* -HUGE_VAL / HUGE_VAL for no bound */
    char *what;    /* owned: "flow of cases, 2016/17 Q3 to Q4", for messages */
};

/* A hidden figure that is not a variable itself but a linear expression of
 * them (a change between two quarters): audited like a hidden variable. */
struct ap_audit_obj {
    size_t first, n;
    char *key;   /* owned: its figure key */
    char *where; /* owned */
};

struct ap_audit {
    size_t nvars, avars;
    struct ap_audit_var *vars;
    size_t nterms, aterms;
    struct ap_audit_term *terms;
    size_t nrels, arels;
    struct ap_audit_rel *rels;
    size_t nobjs, aobjs;
    struct ap_audit_obj *objs;
    size_t nbuckets;       /* key index: open addressing over vars */
    size_t *buckets;       /* var index + 1, 0 empty */
    unsigned long nsolves; /* linear programs solved, for measurement */
};

/* What ap_audit_find_pinned found. */
struct ap_audit_pin {
    bool found;
    bool is_obj; /* index names an objective, else a variable */
    size_t index;
    double lo, hi; /* the reader's interval */
};

void ap_audit_init(struct ap_audit *a);
void ap_audit_free(struct ap_audit *a); /* NULL ok; leaves *a empty */

/* The variable keyed key, or SIZE_MAX if there is none. */
size_t ap_audit_find(const struct ap_audit *a, const char *key);

/* Add the figure key (or return the existing one). A figure shown anywhere is
 * shown: SHOWN wins over HIDDEN, which wins over UNSEEN; a hidden figure keeps
 * the smallest hi. where is copied the first time the figure is published. */
size_t ap_audit_var(struct ap_audit *a, const char *key, double value, enum ap_audit_state st,
                    double hi, bool hideable, const char *where);

/* Start a relation lo <= ... <= hi, then add its terms with ap_audit_term. */
void ap_audit_rel(struct ap_audit *a, double lo, double hi, const char *what);
void ap_audit_term(struct ap_audit *a, size_t var, double coef);

/* Start an objective (a hidden linear figure), then add its terms. */
void ap_audit_obj(struct ap_audit *a, const char *key, const char *where);
void ap_audit_obj_term(struct ap_audit *a, size_t var, double coef);

/* Check that every relation holds at the true values (to tolerance tol). A
 * relation that does not is a fault in our own model: AP_ERR_IO naming it. */
enum ap_status ap_audit_check_truth(const struct ap_audit *a, double tol, struct ap_diag *d);

/* Solve for each hidden variable (in the order added), then each objective,
 * its least and greatest value given the relations and the shown figures,
 * and stop at the first one pinned (its rounded interval holds at most one
 * whole number). An infeasible problem or a solver failure is AP_ERR_IO. */
enum ap_status ap_audit_find_pinned(struct ap_audit *a, struct ap_audit_pin *pin,
                                    struct ap_diag *d);

/* The shown, hideable figure (a value of at least 1) to hide next, in *out
 * (SIZE_MAX if there is none). Candidates are the figures linked to the
 * pinned one by relations, cheapest first: fewest relations away, then the
 * smallest value, then the first key in byte order. The first whose hiding
 * alone frees the pinned figure is chosen (up to 24 are tried); if none
 * does, the cheapest. Deterministic. */
enum ap_status ap_audit_choose(struct ap_audit *a, const struct ap_audit_pin *pin, size_t *out,
                               struct ap_diag *d);

#endif
