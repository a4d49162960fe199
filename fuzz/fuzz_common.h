/*
 * fuzz_common: what every libFuzzer target shares. Messages go to /dev/null (a
 * fuzzer prints millions of them), and loaders that take a path get the input
 * written to a private scratch folder on tmpfs when there is one.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ap_diag.h"
#include "ap_util.h"

/* A diagnostics sink that discards everything but still counts. */
static inline void fuzz_diag(struct ap_diag *d)
{
    static FILE *devnull;
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    ap_diag_init(d);
    d->out = devnull;
}

static char *fuzz_scratch;

/* Remove path's files and, one level down, its folders' files, then path. The
 * scratch folder holds nothing deeper. */
static inline void fuzz_rmdir(const char *path, int depth)
{
    DIR *dir = opendir(path);
    if (!dir)
        return;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *p = ap_xasprintf("%s/%s", path, e->d_name);
        if (unlink(p) != 0 && depth > 0)
            fuzz_rmdir(p, depth - 1);
        free(p);
    }
    closedir(dir);
    rmdir(path);
}

static inline void fuzz_cleanup(void)
{
    if (fuzz_scratch)
        fuzz_rmdir(fuzz_scratch, 1);
}

/* The scratch folder, created once per process ("/dev/shm/apfuzz.XXXXXX" or
 * under $TMPDIR), reused across inputs and removed at exit. */
static inline const char *fuzz_dir(void)
{
    char *dir = fuzz_scratch;
    if (!dir) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
        char *tmpl = ap_xasprintf("%s/apfuzz.XXXXXX", base ? base : "/tmp");
        dir = mkdtemp(tmpl);
        if (!dir)
            abort();
        fuzz_scratch = dir;
        atexit(fuzz_cleanup);
    }
    return dir;
}

/* Write data to path, replacing it. Aborts on failure: a harness fault, not a finding. */
static inline void fuzz_write(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        abort();
}

/* A finding the sanitizers would not see: a broken invariant. */
#define FUZZ_ASSERT(cond)                                                                      \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);       \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

#endif
