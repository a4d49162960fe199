/*
 * fuzz_import: a whole import into a fresh database. The input is one or more
 * CSV files separated by a line "%%\n"; the first byte of each names its table
 * (children, cases, ...; modulo 7). Each input starts from a copy of one
 * pristine empty database, so runs do not depend on each other. Checks the
 * all-or-nothing promise: a failed import leaves the database file unchanged.
 */
#include <stdint.h>
#include <sys/stat.h>

#include "ap_db.h"
#include "ap_import.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FILES 8

static char *db_path;
static uint8_t *pristine;
static size_t pristine_len;

/* Read the whole file at path (the pristine database, a few pages). */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        abort();
    struct ap_buf b = AP_BUF_INIT;
    if (!ap_buf_add_file(&b, f))
        abort();
    fclose(f);
    *len = b.len;
    return (uint8_t *)ap_buf_detach(&b);
}

static void setup(void)
{
    struct ap_diag d;
    fuzz_diag(&d);
    db_path = ap_xasprintf("%s/case.db", fuzz_dir());
    char *p = ap_xasprintf("%s/pristine.db", fuzz_dir());
    unlink(p);
    if (ap_db_create(p, &d) != AP_OK)
        abort();
    pristine = slurp(p, &pristine_len);
    free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!pristine)
        setup();
    fuzz_write(db_path, pristine, pristine_len);

    /* Split into files. */
    char *paths[MAX_FILES];
    size_t npaths = 0;
    const uint8_t *p = data, *end = data + size;
    while (p < end && npaths < MAX_FILES) {
        const uint8_t *sep = NULL;
        for (const uint8_t *q = p; q + 3 <= end; q++) {
            if (q[0] == '%' && q[1] == '%' && q[2] == '\n' && (q == p || q[-1] == '\n')) {
                sep = q;
                break;
            }
        }
        const uint8_t *stop = sep ? sep : end;
        if (stop > p) {
            /* Each file in its own folder, so two files may name the same table. */
            char *dir = ap_xasprintf("%s/f%zu", fuzz_dir(), npaths);
            mkdir(dir, 0700);
            paths[npaths] = ap_xasprintf("%s/%s.csv", dir, ap_table_names[p[0] % AP_T_COUNT]);
            fuzz_write(paths[npaths], p + 1, (size_t)(stop - p - 1));
            free(dir);
            npaths++;
        }
        p = sep ? sep + 3 : end;
    }
    if (npaths == 0)
        return 0;

    struct ap_diag d;
    fuzz_diag(&d);
    sqlite3 *db = NULL;
    if (ap_db_open(db_path, false, &db, &d) != AP_OK)
        abort();
    struct ap_import_opts o = {.replace = (data[0] & 0x80) != 0};
    struct ap_import_summary sum;
    memset(&sum, 0, sizeof sum);
    enum ap_status st = ap_import_run(db, (const char *const *)paths, npaths, &o, &sum, &d);
    /* Whatever happened, the database's own guards hold (foreign keys, CHECKs). */
    FUZZ_ASSERT(ap_db_check_guards(db, &d) == AP_OK);
    ap_db_close(db);
    if (st != AP_OK) {
        FUZZ_ASSERT(d.errors > 0);
        size_t len;
        uint8_t *after = slurp(db_path, &len);
        FUZZ_ASSERT(len == pristine_len && !memcmp(after, pristine, len));
        free(after);
    } else {
        FUZZ_ASSERT(d.errors == 0);
    }
    for (size_t i = 0; i < npaths; i++) {
        unlink(paths[i]);
        free(paths[i]);
    }
    return 0;
}
