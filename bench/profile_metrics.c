/*
 * profile_metrics: where the metrics engine spends its time, statement by
 * statement. Runs ap_metrics_compute_many for the N quarters ending at QUARTER
 * (the report's trend is 8) on a database, and prints for each SQL statement
 * its wall and CPU time, the rows it returned, and its query plan.
 *
 *   bench/profile.sh DB QUARTER [N]    (builds this against build/libap_core.a)
 *
 * A benchmarking aid, not part of the program or the test suite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ap_db.h"
#include "ap_metrics.h"
#include "ap_period.h"

struct stmt_prof {
    sqlite3_stmt *st;
    double cpu0, wall0;
    long rows;
};

static struct stmt_prof profs[64];
static size_t nprofs;
static sqlite3 *plan_db; /* a second connection: EXPLAIN QUERY PLAN must not disturb the first */

static double now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct stmt_prof *prof_of(sqlite3_stmt *st)
{
    for (size_t i = 0; i < nprofs; i++)
        if (profs[i].st == st)
            return &profs[i];
    if (nprofs == sizeof profs / sizeof profs[0])
        return NULL;
    profs[nprofs].st = st;
    return &profs[nprofs++];
}

static void print_plan(const char *sql)
{
    size_t len = strlen(sql) + 32;
    char *q = malloc(len);
    sqlite3_stmt *st = NULL;
    if (!q)
        return;
    snprintf(q, len, "EXPLAIN QUERY PLAN %s", sql);
    if (sqlite3_prepare_v2(plan_db, q, -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW)
            printf("      plan: %s\n", (const char *)sqlite3_column_text(st, 3));
    } else {
        printf("      plan: (cannot explain: %s)\n", sqlite3_errmsg(plan_db));
    }
    sqlite3_finalize(st);
    free(q);
}

/* Trace: the first step of a statement (STMT) starts the clocks, each ROW counts,
 * PROFILE (the statement finished or was reset) prints. */
static int trace(unsigned type, void *ctx, void *p, void *x)
{
    (void)ctx, (void)x;
    sqlite3_stmt *st = p;
    struct stmt_prof *sp = prof_of(st);
    if (!sp)
        return 0;
    if (type == SQLITE_TRACE_STMT) {
        sp->cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);
        sp->wall0 = now(CLOCK_MONOTONIC);
        sp->rows = 0;
    } else if (type == SQLITE_TRACE_ROW) {
        sp->rows++;
    } else if (type == SQLITE_TRACE_PROFILE) {
        const char *sql = sqlite3_sql(st);
        printf("%8.3f s cpu %8.3f s wall %8ld rows  %.110s\n",
               now(CLOCK_PROCESS_CPUTIME_ID) - sp->cpu0, now(CLOCK_MONOTONIC) - sp->wall0,
               sp->rows, sql);
        print_plan(sql);
        sp->st = NULL;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: profile_metrics DB QUARTER [N]\n");
        return 1;
    }
    int n = argc > 3 ? atoi(argv[3]) : 8; /* a benchmarking aid: a bad N just gives 0 */
    if (n < 1 || n > 40)
        n = 8;
    struct ap_diag d;
    ap_diag_init(&d);
    struct ap_period last, *p = calloc((size_t)n, sizeof *p);
    struct ap_metrics *m = calloc((size_t)n, sizeof *m);
    const char *why = NULL;
    sqlite3 *db = NULL;
    if (!p || !m || !ap_period_parse_quarter(argv[2], 4, &last, &why)) {
        fprintf(stderr, "profile_metrics: bad quarter '%s': %s\n", argv[2], why ? why : "");
        return 1;
    }
    for (int i = 0; i < n; i++)
        ap_period_shift(&last, i - (n - 1), 4, &p[i]);
    if (ap_db_open(argv[1], true, &db, &d) != AP_OK ||
        sqlite3_open_v2(argv[1], &plan_db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return 3;
    sqlite3_trace_v2(db, SQLITE_TRACE_STMT | SQLITE_TRACE_ROW | SQLITE_TRACE_PROFILE, trace,
                     NULL);
    double c0 = now(CLOCK_PROCESS_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
    enum ap_status st = ap_metrics_compute_many(db, p, (size_t)n, AP_DAY_NONE, m, &d);
    printf("total: %.3f s cpu, %.3f s wall for %d periods (%s to %s), status %d\n",
           now(CLOCK_PROCESS_CPUTIME_ID) - c0, now(CLOCK_MONOTONIC) - w0, n, p[0].code,
           p[n - 1].code, (int)st);
    printf("%s: children_supported %lld, active_cases %lld, children_protected %lld\n",
           p[n - 1].code, m[n - 1].value[AP_M_CHILDREN_SUPPORTED],
           m[n - 1].value[AP_M_ACTIVE_CASES], m[n - 1].value[AP_M_CHILDREN_PROTECTED]);
    for (int i = 0; i < n; i++)
        ap_metrics_free(&m[i]);
    free(m);
    free(p);
    sqlite3_close(plan_db);
    ap_db_close(db);
    ap_diag_finish(&d);
    return st == AP_OK ? 0 : 3;
}
