/*
 * Unit tests for ap_import: the summary counts of an upsert and of --replace,
 * that a failed import leaves the database file's bytes as they were, that no
 * TEMP objects are left and the connection's foreign keys and CHECK
 * constraints are enforced again afterwards (also when rows out of key order
 * went through the import's stage), and the one-line summary's wording.
 */
#include "ap_test.h"

#include <stdlib.h>
#include <unistd.h>

#include "ap_import.h"

static char dir[] = "/tmp/ap_test_import_XXXXXX";

static char *path_in(const char *name)
{
    return ap_xasprintf("%s/%s", dir, name);
}

static void write_file(const char *name, const char *text)
{
    char *p = path_in(name);
    FILE *f = fopen(p, "wb");
    fputs(text, f);
    fclose(f);
    free(p);
}

/* The whole file, for byte comparisons (caller frees). */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    struct ap_buf b = AP_BUF_INIT;
    if (f) {
        ap_buf_add_file(&b, f);
        fclose(f);
    }
    *n = b.len;
    return ap_buf_detach(&b);
}

/* Run an import of the named files (in dir) and return its status. */
static enum ap_status run(sqlite3 *db, bool replace, struct ap_import_summary *sum, char **msgs,
                          const char *a, const char *b)
{
    char *paths[2] = {path_in(a), b ? path_in(b) : NULL};
    struct ap_import_opts o = {.replace = replace};
    struct ap_diag d;
    size_t msize;
    ap_diag_init(&d);
    d.out = open_memstream(msgs, &msize);
    enum ap_status st = ap_import_run(db, (const char *const *)paths, b ? 2 : 1, &o, sum, &d);
    fclose(d.out);
    /* After every import, the database's own guards (foreign keys, CHECKs). */
    struct ap_diag g;
    ap_diag_init(&g);
    CHECK_INT(ap_db_check_guards(db, &g), AP_OK);
    free(paths[0]);
    free(paths[1]);
    return st;
}

static long count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    long n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* A new, empty case database at dbpath, open for writing. */
static sqlite3 *fresh_db(const char *dbpath)
{
    struct ap_diag d;
    sqlite3 *db = NULL;
    ap_diag_init(&d);
    CHECK_INT(ap_db_create(dbpath, &d), AP_OK);
    CHECK_INT(ap_db_open(dbpath, false, &db, &d), AP_OK);
    return db;
}

/* Close and remove a test's database and the two files it imported. */
static void clean_up(sqlite3 *db, char *dbpath)
{
    ap_db_close(db);
    unlink(dbpath);
    free(dbpath);
    const char *const files[] = {"children.csv", "cases.csv"};
    for (size_t i = 0; i < 2; i++) {
        char *p = path_in(files[i]);
        unlink(p);
        free(p);
    }
}

/* The import switches enforcement off for its transaction: it must be back
 * on for the connection afterwards, whatever the outcome. */
static void check_enforced(sqlite3 *db)
{
    CHECK_INT(count(db, "PRAGMA foreign_keys"), 1);
    CHECK_INT(count(db, "PRAGMA ignore_check_constraints"), 0);
    CHECK(sqlite3_exec(db, "INSERT INTO children (child_id, gender) VALUES ('CX', 'bogus')", NULL,
                       NULL, NULL) != SQLITE_OK);
    CHECK(sqlite3_exec(db,
                       "INSERT INTO cases (case_id, child_id, opened_on) VALUES ('KX', "
                       "'nobody', '2016-01-01')",
                       NULL, NULL, NULL) != SQLITE_OK);
    CHECK_INT(count(db, "SELECT count(*) FROM cases WHERE case_id = 'KX'"), 0);
}

static void test_import(void)
{
    char *dbpath = path_in("t.db");
    sqlite3 *db = fresh_db(dbpath);
    struct ap_import_summary sum;
    char *msgs = NULL;

    write_file("children.csv", "child_id,gender\nC1,female\nC2,male\nC3,\n");
    write_file("cases.csv", "case_id,child_id,opened_on,closed_on,closure_reason\n"
                            "K1,C1,2016-01-01,,\nK2,C2,2016-02-01,,\n");
    CHECK_INT(run(db, false, &sum, &msgs, "cases.csv", "children.csv"), AP_OK);
    CHECK_STR(msgs, "");
    free(msgs);
    CHECK(sum.present[AP_T_CHILDREN] && sum.present[AP_T_CASES] && !sum.present[AP_T_ACTION_PLAN]);
    CHECK_INT(sum.rows[AP_T_CHILDREN], 3);
    CHECK_INT(sum.added[AP_T_CHILDREN], 3);
    CHECK_INT(sum.added[AP_T_CASES], 2);
    CHECK(sum.written);
    CHECK_INT(count(db, "SELECT count(*) FROM sqlite_temp_schema"), 0);
    check_enforced(db);

    /* A later export: K1 has closed, K3 is new. */
    write_file("cases.csv", "case_id,child_id,opened_on,closed_on,closure_reason\n"
                            "K1,C1,2016-01-01,2016-05-01,risk_reduced\nK3,C3,2016-03-01,,\n");
    CHECK_INT(run(db, false, &sum, &msgs, "cases.csv", NULL), AP_OK);
    free(msgs);
    CHECK_INT(sum.rows[AP_T_CASES], 2);
    CHECK_INT(sum.added[AP_T_CASES], 1);
    CHECK_INT(sum.changed[AP_T_CASES], 1);
    CHECK_INT(sum.unchanged[AP_T_CASES], 0);
    CHECK_INT(sum.missing[AP_T_CASES], 1); /* K2, kept */
    CHECK_STR(sum.missing_ids[AP_T_CASES][0], "K2");
    CHECK_STR(sum.missing_ids[AP_T_CASES][1], "");
    CHECK_INT(count(db, "SELECT count(*) FROM cases"), 3);
    CHECK_INT(count(db, "SELECT count(*) FROM cases WHERE case_id = 'K1' AND closed_on = "
                        "'2016-05-01' AND closure_reason = 'risk_reduced'"),
              1);

    /* A failing import (overlap with K3 found only after the upsert) leaves
     * every byte of the file as it was. */
    size_t n0, n1;
    char *before = slurp(dbpath, &n0);
    write_file("cases.csv", "case_id,child_id,opened_on\nK4,C3,2016-04-01\nK5,C2,2017-01-01\n");
    CHECK_INT(run(db, false, &sum, &msgs, "cases.csv", NULL), AP_ERR_INPUT);
    CHECK(strstr(msgs, "cases.csv:2:3: error: case 'K4' (opened 2016-04-01, still open) "
                       "overlaps case 'K3'") != NULL);
    CHECK(strstr(msgs, "'K5'") != NULL); /* K5 overlaps K2, still open */
    free(msgs);
    char *after = slurp(dbpath, &n1);
    CHECK(n0 == n1 && n0 > 0 && !memcmp(before, after, n0));
    free(before);
    free(after);
    CHECK_INT(count(db, "SELECT count(*) FROM cases"), 3);
    CHECK_INT(count(db, "SELECT count(*) FROM sqlite_temp_schema"), 0);
    check_enforced(db);

    /* --replace: the file becomes the whole table. */
    write_file("cases.csv", "case_id,child_id,opened_on\nK2,C2,2016-02-01\nK9,C1,2017-01-01\n");
    CHECK_INT(run(db, true, &sum, &msgs, "cases.csv", NULL), AP_OK);
    free(msgs);
    CHECK_INT(sum.added[AP_T_CASES], 1); /* K9 */
    CHECK_INT(sum.changed[AP_T_CASES], 0);
    CHECK_INT(sum.unchanged[AP_T_CASES], 1); /* K2 */
    CHECK_INT(sum.missing[AP_T_CASES], 2);   /* K1, K3: removed */
    CHECK_INT(count(db, "SELECT count(*) FROM cases"), 2);
    CHECK_INT(count(db, "SELECT count(*) FROM cases WHERE case_id IN ('K2', 'K9')"), 2);

    char *out = NULL;
    size_t outn;
    FILE *f = open_memstream(&out, &outn);
    ap_import_print_summary(&sum, f);
    fclose(f);
    CHECK_STR(out, "imported 1 table from 1 file:\n  cases: 2 rows: 1 new, 0 changed, 1 "
                   "unchanged; 2 cases in the database are not in the export (removed, as "
                   "--replace asks): K1, K3\n");
    free(out);

    clean_up(db, dbpath);
}

/* Rows out of key order in bulk mode: staged and inserted sorted, every one;
 * an error after the switch still rolls back and leaves no stage behind. */
static void test_out_of_order(void)
{
    char *dbpath = path_in("u.db");
    sqlite3 *db = fresh_db(dbpath);
    struct ap_import_summary sum;
    char *msgs = NULL;

    write_file("children.csv", "child_id,gender\nC1,female\nC3,male\nC2,\nC4,male\nC0,\n");
    write_file("cases.csv", "case_id,child_id,opened_on,risk_level\nK1,C1,2016-01-01,high\n"
                            "K3,C3,2016-03-01,low\nK2,C2,2016-02-01,lowish\n");
    size_t n0, n1;
    char *before = slurp(dbpath, &n0);
    CHECK_INT(run(db, false, &sum, &msgs, "cases.csv", "children.csv"), AP_ERR_INPUT);
    CHECK(strstr(msgs, "cases.csv:4:4: error: risk_level 'lowish' is not one of") != NULL);
    free(msgs);
    char *after = slurp(dbpath, &n1);
    CHECK(n0 == n1 && n0 > 0 && !memcmp(before, after, n0));
    free(before);
    free(after);
    CHECK_INT(count(db, "SELECT count(*) FROM sqlite_temp_schema"), 0);
    check_enforced(db);

    write_file("cases.csv", "case_id,child_id,opened_on,risk_level\nK1,C1,2016-01-01,high\n"
                            "K3,C3,2016-03-01,low\nK2,C2,2016-02-01,medium\nK0,C0,2016-04-01,\n");
    CHECK_INT(run(db, false, &sum, &msgs, "cases.csv", "children.csv"), AP_OK);
    CHECK_STR(msgs, "");
    free(msgs);
    CHECK_INT(sum.added[AP_T_CHILDREN], 5);
    CHECK_INT(sum.added[AP_T_CASES], 4);
    CHECK_INT(count(db, "SELECT count(*) FROM children"), 5);
    CHECK_INT(count(db, "SELECT count(*) FROM children WHERE child_id = 'C3' AND gender = 'male'"),
              1);
    CHECK_INT(count(db, "SELECT count(*) FROM cases WHERE case_id = 'K2' AND child_id = 'C2' AND "
                        "risk_level = 'medium'"),
              1);
    CHECK_INT(count(db, "SELECT count(*) FROM cases INDEXED BY cases_child"), 4);
    CHECK_INT(count(db, "SELECT count(*) FROM sqlite_temp_schema"), 0);
    CHECK_INT(count(db, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = "
                        "'ok'"),
              1);
    check_enforced(db);

    clean_up(db, dbpath);
}

static void test_summary_wording(void)
{
    struct ap_import_summary sum = {0};
    sum.present[AP_T_CHILDREN] = sum.present[AP_T_ACTION_UPDATES] = true;
    sum.rows[AP_T_CHILDREN] = sum.added[AP_T_CHILDREN] = 1234567;
    sum.rows[AP_T_ACTION_UPDATES] = 0;
    sum.written = true;
    sum.nfiles = 1; /* one workbook holding both tables */
    char *out = NULL;
    size_t n;
    FILE *f = open_memstream(&out, &n);
    ap_import_print_summary(&sum, f);
    fclose(f);
    CHECK_STR(out, "imported 2 tables from 1 file:\n  children: 1,234,567 rows: 1,234,567 new, 0 changed, 0 "
                   "unchanged\n  action_updates: 0 rows: 0 new, 0 changed, 0 unchanged\n");
    free(out);

    /* More missing ids than are listed; one of them, singular. */
    struct ap_import_summary s2 = {0};
    s2.present[AP_T_CHILDREN] = s2.present[AP_T_CASES] = true;
    s2.rows[AP_T_CHILDREN] = s2.unchanged[AP_T_CHILDREN] = 2;
    s2.missing[AP_T_CHILDREN] = 13;
    for (int i = 0; i < AP_IMPORT_MAX_IDS; i++)
        snprintf(s2.missing_ids[AP_T_CHILDREN][i], AP_IMPORT_ID_SHOWN, "C%d", i + 1);
    s2.rows[AP_T_CASES] = s2.unchanged[AP_T_CASES] = 1;
    s2.missing[AP_T_CASES] = 1;
    s2.nfiles = 2;
    snprintf(s2.missing_ids[AP_T_CASES][0], AP_IMPORT_ID_SHOWN, "K7");
    f = open_memstream(&out, &n);
    ap_import_print_summary(&s2, f);
    fclose(f);
    CHECK_STR(out, "nothing to import: the database already holds every row of this export as "
                   "it is (2 tables from 2 files); nothing was written\n"
                   "  children: 2 rows: 0 new, 0 changed, 2 unchanged; 13 children in the "
                   "database are not in the export (kept; --replace would remove them): C1, C2, C3, "
                   "C4, C5, C6, C7, C8, C9, C10 and 3 more\n"
                   "  cases: 1 row: 0 new, 0 changed, 1 unchanged; 1 case in the database is not "
                   "in the export (kept; --replace would remove it): K7\n");
    free(out);
}

/* The guards see what the import's speed-ups let through: a dangling
 * reference and a value outside a CHECK, each written with its check off. */
static void test_guards_catch(void)
{
    char *dbpath = ap_xasprintf("%s/guards.db", dir);
    sqlite3 *db = fresh_db(dbpath);
    struct ap_diag d;
    ap_diag_init(&d);
    d.out = fopen("/dev/null", "w");
    CHECK_INT(ap_db_check_guards(db, &d), AP_OK);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, 0, (int *)0);
    CHECK_INT(sqlite3_exec(db,
                           "INSERT INTO cases(case_id, child_id, opened_on) "
                           "VALUES ('CS1', 'nobody', '2016-01-01')",
                           NULL, NULL, NULL),
              SQLITE_OK);
    CHECK_INT(ap_db_check_guards(db, &d), AP_ERR_IO);
    CHECK_INT(sqlite3_exec(db, "DELETE FROM cases", NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(ap_db_check_guards(db, &d), AP_OK);
    CHECK_INT(sqlite3_exec(db,
                           "PRAGMA ignore_check_constraints = ON; "
                           "INSERT INTO children(child_id, gender) VALUES ('C1', 'severe'); "
                           "PRAGMA ignore_check_constraints = OFF",
                           NULL, NULL, NULL),
              SQLITE_OK);
    CHECK_INT(ap_db_check_guards(db, &d), AP_ERR_IO);
    fclose(d.out);
    ap_db_close(db);
    unlink(dbpath);
    free(dbpath);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_import();
    test_out_of_order();
    test_summary_wording();
    test_guards_catch();
    rmdir(dir);
    return ap_test_done();
}
