/*
 * profile: where the import and the metrics engine spend their time, statement
 * by statement. Traces every SQL statement run through the connection and
 * prints, per distinct statement text, the CPU and wall time inside it, how
 * often it ran, the rows it returned, and its query plan; then what was spent
 * outside SQLite (CSV parsing and checking in C, for the import).
 *
 *   bench/profile.sh metrics DB QUARTER [N]   the N quarters (default 8, the
 *                                             report's trend) ending at QUARTER
 *   bench/profile.sh import DB PATH...        import into DB (created if missing)
 *   bench/profile.sh check DB DAY             `actionplan check` as at DAY (its
 *                                             counts, then the ids of what it found)
 *   bench/profile.sh report DB QUARTER        the report's computing: one pass per
 *                                             table (ap_scan) for the 8 quarters'
 *                                             metrics, data as at and check counts,
 *                                             then the action plan; CPU per phase
 *
 * The statements of one merged pass step in turn, so their times overlap: in
 * `report` and `check` read the phase times, and the statements for their plans.
 *
 * Environment: BENCH_PRAGMA, SQL run on the connection first (to try a setting).
 * A benchmarking aid, not part of the program or the test suite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ap_check.h"
#include "ap_db.h"
#include "ap_import.h"
#include "ap_metrics.h"
#include "ap_period.h"

struct prof {
    char *sql;        /* statement text (owned) */
    double cpu, wall; /* totals */
    double cpu0, wall0;
    long runs, rows;
};

static struct prof profs[256];
static size_t nprofs;
static char *plan_path; /* EXPLAIN QUERY PLAN runs on a second connection */

static double now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct prof *prof_of(const char *sql)
{
    for (size_t i = 0; i < nprofs; i++)
        if (!strcmp(profs[i].sql, sql))
            return &profs[i];
    if (nprofs == sizeof profs / sizeof profs[0])
        return NULL;
    profs[nprofs].sql = strdup(sql);
    return profs[nprofs].sql ? &profs[nprofs++] : NULL;
}

static int trace(unsigned type, void *ctx, void *p, void *x)
{
    (void)ctx, (void)x;
    const char *sql = sqlite3_sql((sqlite3_stmt *)p);
    struct prof *sp = sql ? prof_of(sql) : NULL;
    if (!sp)
        return 0;
    if (type == SQLITE_TRACE_STMT) {
        sp->cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);
        sp->wall0 = now(CLOCK_MONOTONIC);
    } else if (type == SQLITE_TRACE_ROW) {
        sp->rows++;
    } else if (type == SQLITE_TRACE_PROFILE) {
        sp->cpu += now(CLOCK_PROCESS_CPUTIME_ID) - sp->cpu0;
        sp->wall += now(CLOCK_MONOTONIC) - sp->wall0;
        sp->runs++;
    }
    return 0;
}

static void print_plan(sqlite3 *db, const char *sql)
{
    size_t len = strlen(sql) + 32;
    char *q = malloc(len);
    sqlite3_stmt *st = NULL;
    if (!q)
        return;
    snprintf(q, len, "EXPLAIN QUERY PLAN %s", sql);
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW)
            printf("      plan: %s\n", (const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    free(q);
}

static int by_cpu(const void *a, const void *b)
{
    const struct prof *x = a, *y = b;
    return (x->cpu < y->cpu) - (x->cpu > y->cpu);
}

static void report(double cpu, double wall)
{
    double in_cpu = 0, in_wall = 0;
    sqlite3 *db = NULL;
    qsort(profs, nprofs, sizeof profs[0], by_cpu);
    if (sqlite3_open_v2(plan_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        db = NULL;
    }
    printf("%9s %9s %8s %9s  statement\n", "cpu s", "wall s", "runs", "rows");
    for (size_t i = 0; i < nprofs; i++) {
        struct prof *p = &profs[i];
        in_cpu += p->cpu;
        in_wall += p->wall;
        char line[121];
        size_t k = 0;
        for (const char *s = p->sql; *s && k < sizeof line - 1; s++)
            line[k++] = *s == '\n' ? ' ' : *s;
        line[k] = '\0';
        printf("%9.3f %9.3f %8ld %9ld  %s\n", p->cpu, p->wall, p->runs, p->rows, line);
        if (db && p->cpu >= 0.01 && strncmp(p->sql, "INSERT", 6) && strncmp(p->sql, "CREATE", 6) &&
            strncmp(p->sql, "DROP", 4) && strncmp(p->sql, "COMMIT", 6))
            print_plan(db, p->sql);
    }
    printf("total %.3f s cpu, %.3f s wall; in SQL statements %.3f s cpu, %.3f s wall; "
           "outside them (C code) %.3f s cpu\n",
           cpu, wall, in_cpu, in_wall, cpu - in_cpu);
    sqlite3_close(db);
}

static int run_metrics(sqlite3 *db, const char *quarter, int n, struct ap_diag *d)
{
    struct ap_period last, *p = calloc((size_t)n, sizeof *p);
    struct ap_metrics *m = calloc((size_t)n, sizeof *m);
    const char *why = NULL;
    if (!p || !m || !ap_period_parse_quarter(quarter, 4, &last, &why)) {
        fprintf(stderr, "profile: bad quarter '%s': %s\n", quarter, why ? why : "");
        return 1;
    }
    for (int i = 0; i < n; i++)
        ap_period_shift(&last, i - (n - 1), 4, &p[i]);
    enum ap_status st = ap_metrics_compute_many(db, p, (size_t)n, AP_DAY_NONE, m, d);
    printf("metrics for %d quarters, %s to %s: status %d; last: children_supported %lld, "
           "active_cases %lld\n",
           n, p[0].code, p[n - 1].code, (int)st, m[n - 1].value[AP_M_CHILDREN_SUPPORTED],
           m[n - 1].value[AP_M_ACTIVE_CASES]);
    for (int i = 0; i < n; i++)
        ap_metrics_free(&m[i]);
    free(m);
    free(p);
    return st == AP_OK ? 0 : 3;
}

/* The report's computing as ap_report_build runs it, timed by phase. */
static int run_report(sqlite3 *db, const char *quarter, struct ap_diag *d)
{
    enum { N = 8 };
    struct ap_period last, p[N];
    struct ap_metrics m[N];
    struct ap_findings f = {0};
    struct ap_plan plan = {0};
    struct ap_metrics_pass *mp = NULL;
    struct ap_check_pass *cp = NULL;
    struct ap_scan_sink sinks[2];
    const struct ap_scan_sink *scan[2] = {&sinks[0], &sinks[1]};
    const char *why = NULL;
    ap_day as_at = AP_DAY_NONE;
    if (!ap_period_parse_quarter(quarter, 4, &last, &why)) {
        fprintf(stderr, "profile: bad quarter '%s': %s\n", quarter, why ? why : "");
        return 1;
    }
    for (int i = 0; i < N; i++)
        ap_period_shift(&last, i - (N - 1), 4, &p[i]);
    double t0 = now(CLOCK_PROCESS_CPUTIME_ID);
    ap_metrics_pass_begin(db, p, N, AP_DAY_NONE, m, &mp, &sinks[0], d);
    enum ap_status st = ap_check_pass_begin(db, last.end, &cp, &sinks[1], d);
    if (st != AP_OK) {
        ap_metrics_pass_end(mp, st, NULL);
        return 3;
    }
    double t1 = now(CLOCK_PROCESS_CPUTIME_ID);
    st = ap_scan_run(db, scan, 2, d);
    double t2 = now(CLOCK_PROCESS_CPUTIME_ID);
    st = ap_metrics_pass_end(mp, st, &as_at);
    st = ap_check_pass_end(cp, st, &f);
    double t3 = now(CLOCK_PROCESS_CPUTIME_ID);
    if (st == AP_OK)
        st = ap_plan_load(db, last.end, &plan, d);
    double t4 = now(CLOCK_PROCESS_CPUTIME_ID);
    printf("report for %s: status %d; set up %.3f s, one pass %.3f s, finish (plan counts, "
           "as at, plan and update checks) %.3f s, action plan %.3f s cpu\n",
           quarter, (int)st, t1 - t0, t2 - t1, t3 - t2, t4 - t3);
    if (st == AP_OK) {
        printf("last: children_supported %lld, active_cases %lld; %zu findings\n",
               m[N - 1].value[AP_M_CHILDREN_SUPPORTED], m[N - 1].value[AP_M_ACTIVE_CASES], f.n);
        for (int i = 0; i < N; i++)
            ap_metrics_free(&m[i]);
    }
    ap_findings_free(&f);
    ap_plan_free(&plan);
    return st == AP_OK ? 0 : 3;
}

int main(int argc, char **argv)
{
    if (argc < 4 || (strcmp(argv[1], "metrics") && strcmp(argv[1], "import") &&
                     strcmp(argv[1], "check") && strcmp(argv[1], "report"))) {
        fprintf(stderr, "usage: profile metrics DB QUARTER [N] | profile import DB PATH... | "
                        "profile check DB YYYY-MM-DD | profile report DB QUARTER\n");
        return 1;
    }
    bool metrics = !strcmp(argv[1], "metrics"), check = !strcmp(argv[1], "check");
    bool rep = !strcmp(argv[1], "report");
    struct ap_diag d;
    sqlite3 *db = NULL;
    int rc;
    ap_diag_init(&d);
    plan_path = argv[2];
    if (!metrics && !check && !rep) {
        FILE *f = fopen(argv[2], "rb");
        if (f)
            fclose(f);
        else if (ap_db_create(argv[2], &d) != AP_OK)
            return 3;
    }
    if (ap_db_open(argv[2], metrics || check || rep, &db, &d) != AP_OK)
        return 3;
    /* BENCH_PRAGMA: try a setting (e.g. "PRAGMA cache_size = -16384") without a rebuild. */
    const char *pragma = getenv("BENCH_PRAGMA");
    if (pragma && sqlite3_exec(db, pragma, NULL, NULL, NULL) != SQLITE_OK)
        fprintf(stderr, "profile: %s: %s\n", pragma, sqlite3_errmsg(db));
    sqlite3_trace_v2(db, SQLITE_TRACE_STMT | SQLITE_TRACE_ROW | SQLITE_TRACE_PROFILE, trace,
                     NULL);
    double c0 = now(CLOCK_PROCESS_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
    if (metrics) {
        int n = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 8;
        rc = run_metrics(db, argv[3], n < 1 || n > 40 ? 8 : n, &d);
    } else if (rep) {
        rc = run_report(db, argv[3], &d);
    } else if (check) {
        struct ap_findings f = {0};
        ap_day day;
        const char *why = NULL;
        if (!ap_date_parse(argv[3], strlen(argv[3]), &day, &why)) {
            fprintf(stderr, "profile: bad day '%s'\n", argv[3]);
            return 1;
        }
        rc = ap_check_run(db, day, &f, &d);
        printf("check: status %d, %zu findings\n", rc, f.n);
        ap_findings_free(&f);
    } else {
        struct ap_import_summary sum;
        struct ap_import_opts o = {0};
        rc = ap_import_run(db, (const char *const *)argv + 3, (size_t)(argc - 3), &o, &sum, &d);
        printf("import: status %d\n", rc);
    }
    double cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0, wall = now(CLOCK_MONOTONIC) - w0;
    sqlite3_trace_v2(db, 0, NULL, NULL);
    ap_db_close(db);
    report(cpu, wall);
    ap_diag_finish(&d);
    return rc;
}
