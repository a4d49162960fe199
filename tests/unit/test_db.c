/*
 * Unit tests for the database's life: ap_hash (SHA-256 against the FIPS 180-2
 * examples and sha256sum's answer for a file), ap_log (an import and a
 * publication recorded and listed back newest first; a record inside a
 * transaction that is rolled back leaves nothing), and ap_db's schema
 * versions (a new database is at the latest version with the log tables; the
 * version-1 fixture upgrades on a write open, its copy byte-identical to the
 * fixture, and a second upgrade is refused while that copy exists).
 */
#include "ap_test.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ap_db.h"
#include "ap_hash.h"
#include "ap_log.h"

static char dir[] = "/tmp/ap_test_db_XXXXXX";

static char *path_in(const char *name)
{
    return ap_xasprintf("%s/%s", dir, name);
}

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

static void copy_file(const char *from, const char *to)
{
    size_t n;
    char *bytes = slurp(from, &n);
    FILE *f = fopen(to, "wb");
    CHECK(f && fwrite(bytes, 1, n, f) == n);
    if (f)
        CHECK(fclose(f) == 0);
    chmod(to, 0600);
    free(bytes);
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

static void test_hash(void)
{
    struct ap_diag d;
    char hex[AP_SHA256_HEX];
    long long size = -1;
    ap_diag_init(&d);
    CHECK_INT(ap_sha256_buf("abc", 3, hex, &d), AP_OK);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK_INT(ap_sha256_buf("", 0, hex, &d), AP_OK);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    CHECK_INT(ap_sha256_buf(two, strlen(two), hex, &d), AP_OK);
    CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

    /* A file larger than one read block: a million 'a's (FIPS 180-2's third). */
    char *p = path_in("million");
    FILE *f = fopen(p, "wb");
    for (int i = 0; i < 1000000; i++)
        fputc('a', f);
    CHECK(fclose(f) == 0);
    CHECK_INT(ap_sha256_file(p, hex, &size, &d), AP_OK);
    CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    CHECK_INT(size, 1000000);
    unlink(p);

    /* A missing file: an I/O error that names it. */
    char *msgs = NULL;
    size_t mlen;
    d.out = open_memstream(&msgs, &mlen);
    CHECK_INT(ap_sha256_file(p, hex, NULL, &d), AP_ERR_IO);
    fclose(d.out);
    CHECK(msgs && strstr(msgs, p) && strstr(msgs, "No such file"));
    free(msgs);
    free(p);
}

static void test_log(void)
{
    struct ap_diag d;
    sqlite3 *db = NULL;
    char *p = path_in("log.db");
    ap_diag_init(&d);
    CHECK_INT(ap_db_create(p, &d), AP_OK);
    CHECK_INT(ap_db_open(p, false, &db, &d), AP_OK);
    CHECK_INT(ap_db_schema_version(db), AP_DB_SCHEMA_VERSION);

    const struct ap_log_file files[] = {{"/data/cases.csv", 1234, "aa"},
                                        {"/data/children.csv", 99, "bb"}};
    const struct ap_log_table_counts tables[] = {{"cases", 3, 2, 1, 0}, {"children", 5, 0, 0, 4}};
    struct ap_log_import imp = {
        .at = "2017-04-05T09:30:00Z", .files = files, .nfiles = 2, .tables = tables, .ntables = 2};
    CHECK_INT(ap_log_add_import(db, &imp, &d), AP_OK);
    CHECK_INT(imp.id, 1);
    struct ap_log_import imp2 = {
        .at = "2017-07-05T09:30:00Z", .replace = true, .profile_sha256 = "cc"};
    CHECK_INT(ap_log_add_import(db, &imp2, &d), AP_OK);

    /* Inside a transaction that is rolled back: nothing is left. */
    struct ap_log_import imp3 = {.files = files, .nfiles = 1};
    CHECK(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK);
    CHECK_INT(ap_log_add_import(db, &imp3, &d), AP_OK);
    CHECK(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK);
    CHECK_INT(count(db, "SELECT count(*) FROM import_log"), 2);
    CHECK_INT(count(db, "SELECT count(*) FROM import_log_files"), 2);

    /* A failing record (the same file twice) leaves nothing of itself. */
    const struct ap_log_file twice[] = {{"x.csv", 1, "aa"}, {"x.csv", 1, "aa"}};
    struct ap_log_import bad = {.files = twice, .nfiles = 2};
    char *msgs = NULL;
    size_t mlen;
    d.out = open_memstream(&msgs, &mlen);
    CHECK_INT(ap_log_add_import(db, &bad, &d), AP_ERR_IO);
    fclose(d.out);
    d.out = stderr;
    CHECK(msgs && strstr(msgs, "cannot record the import"));
    free(msgs);
    CHECK_INT(count(db, "SELECT count(*) FROM import_log"), 2);

    const struct ap_log_output outs[] = {{"pdf", "q4.pdf", 5000, "dd"},
                                         {"xlsx", "q4.xlsx", 7000, "ee"}};
    const struct ap_log_figure figs[] = {
        {"t1", 1, 1, "active|all|2016/17-Q4|count", "53", true, 53},
        {"t1", 1, 2, "active|female|2016/17-Q4|count", "[c]", false, 0},
        {"t1", 0, 0, NULL, "Measure", false, 0},
    };
    struct ap_log_publication pub = {.at = "2017-04-06T10:00:00Z",
                                     .template_name = "cabinet",
                                     .period_code = "2016/17-Q4",
                                     .period_start = "2017-01-01",
                                     .period_end = "2017-03-31",
                                     .outputs = outs,
                                     .noutputs = 2,
                                     .figures = figs,
                                     .nfigures = 3};
    CHECK_INT(ap_log_add_publication(db, &pub, &d), AP_OK);
    CHECK_INT(pub.id, 1);
    CHECK_INT(count(db, "SELECT count(*) FROM published_figures WHERE value IS NULL"), 2);
    CHECK_INT(count(db, "SELECT value FROM published_figures WHERE shown = '53'"), 53);
    CHECK_INT(count(db, "SELECT count(*) FROM published_figures WHERE figure_key IS NULL"), 1);
    ap_db_close(db);

    /* Listed back through a read-only connection, newest first. */
    struct ap_log_list l;
    CHECK_INT(ap_db_open(p, true, &db, &d), AP_OK);
    CHECK_INT(ap_log_list(db, &l, &d), AP_OK);
    CHECK_INT(l.nimports, 2);
    if (l.nimports == 2) {
        CHECK_STR(l.imports[0].at, "2017-07-05T09:30:00Z");
        CHECK(l.imports[0].replace);
        CHECK_STR(l.imports[0].profile_sha256, "cc");
        CHECK_INT(l.imports[0].nfiles, 0);
        CHECK_STR(l.imports[1].version, AP_VERSION);
        CHECK(!l.imports[1].replace && !l.imports[1].profile_sha256);
        CHECK_INT(l.imports[1].nfiles, 2);
        CHECK_INT(l.imports[1].ntables, 2);
        if (l.imports[1].nfiles == 2 && l.imports[1].ntables == 2) {
            CHECK_STR(l.imports[1].files[1].name, "/data/children.csv");
            CHECK_INT(l.imports[1].files[0].size, 1234);
            CHECK_STR(l.imports[1].files[0].sha256, "aa");
            CHECK_STR(l.imports[1].tables[1].table, "children");
            CHECK_INT(l.imports[1].tables[1].missing_rows, 4);
            CHECK_INT(l.imports[1].tables[0].changed_rows, 2);
        }
    }
    CHECK_INT(l.npublications, 1);
    if (l.npublications == 1) {
        CHECK_STR(l.publications[0].template_name, "cabinet");
        CHECK_STR(l.publications[0].period_end, "2017-03-31");
        CHECK_INT(l.publications[0].nfigures, 3);
        CHECK_INT(l.publications[0].noutputs, 2);
        if (l.publications[0].noutputs == 2)
            CHECK_STR(l.publications[0].outputs[1].file_name, "q4.xlsx");
    }
    ap_log_list_free(&l);
    ap_db_close(db);
    unlink(p);
    free(p);
}

/* A new database has the log tables at the latest version; the version-1
 * fixture upgrades on its first write open, keeping an exact copy. */
static void test_upgrade(void)
{
    struct ap_diag d;
    sqlite3 *db = NULL;
    char *fixture = ap_xasprintf("%s/tests/fixtures/db/v1-sample.db", getenv("AP_SOURCE_DIR"));
    char *p = path_in("v1.db"), *bak = path_in("v1.db.bak-v1");
    ap_diag_init(&d);
    copy_file(fixture, p);

    /* Read-only: read as it is, not upgraded. */
    CHECK_INT(ap_db_open(p, true, &db, &d), AP_OK);
    CHECK_INT(ap_db_schema_version(db), 1);
    CHECK_INT(count(db, "SELECT count(*) FROM children"), 97);
    ap_db_close(db);
    CHECK(access(bak, F_OK) != 0);

    int from = -1;
    CHECK_INT(ap_db_open_write(p, &from, &db, &d), AP_OK);
    CHECK_INT(from, 1);
    CHECK_INT(ap_db_schema_version(db), 2);
    CHECK_INT(count(db, "SELECT count(*) FROM sqlite_master WHERE name = 'published_figures_key'"),
              1);
    CHECK_INT(count(db, "SELECT count(*) FROM cases"), 129);
    ap_db_close(db);

    size_t n1, n2;
    char *a = slurp(fixture, &n1), *b = slurp(bak, &n2);
    CHECK(n1 > 0 && n1 == n2 && !memcmp(a, b, n1));
    free(a);
    free(b);
    struct stat sb;
    CHECK(stat(bak, &sb) == 0 && (sb.st_mode & 0777) == 0600);

    /* Already current: opened as it is, nothing upgraded. */
    CHECK_INT(ap_db_open_write(p, &from, &db, &d), AP_OK);
    CHECK_INT(from, 0);
    ap_db_close(db);

    /* Another version-1 file whose copy's name is taken: refused, and left
     * as it was (still version 1), the existing copy untouched. */
    copy_file(fixture, p);
    char *msgs = NULL;
    size_t mlen;
    d.out = open_memstream(&msgs, &mlen);
    CHECK_INT(ap_db_open_write(p, &from, &db, &d), AP_ERR_IO);
    fclose(d.out);
    CHECK(db == NULL);
    CHECK(msgs && strstr(msgs, "already exists") && strstr(msgs, "left as it was"));
    free(msgs);
    a = slurp(fixture, &n1);
    b = slurp(p, &n2);
    CHECK(n1 == n2 && !memcmp(a, b, n1));
    free(a);
    free(b);

    unlink(p);
    unlink(bak);
    free(p);
    free(bak);
    free(fixture);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_hash();
    test_log();
    test_upgrade();
    rmdir(dir);
    return ap_test_done();
}
