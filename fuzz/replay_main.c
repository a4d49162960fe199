/*
 * replay_main: runs a fuzz target's LLVMFuzzerTestOneInput over every file of
 * the folders given, without libFuzzer. Linked with each fuzz_*.c into an
 * ordinary test program, so the seeds and every input that once crashed
 * (fuzz/regressions/TARGET) are replayed by ctest in the normal and the
 * sanitizer builds.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ap_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Feed one file to the target; false if it cannot be read. */
static bool replay(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    struct ap_buf b = AP_BUF_INIT;
    bool ok = ap_buf_add_file(&b, f);
    fclose(f);
    /* A private copy of exactly size bytes, so ASan sees any over-read. */
    uint8_t *copy = ap_xmalloc(b.len);
    memcpy(copy, b.buf, b.len);
    if (ok)
        LLVMFuzzerTestOneInput(copy, b.len);
    free(copy);
    ap_buf_release(&b);
    return ok;
}

int main(int argc, char **argv)
{
    long inputs = 0;
    int status = 0;
    for (int i = 1; i < argc; i++) {
        DIR *dir = opendir(argv[i]);
        if (!dir)
            continue; /* a target may have no regressions yet */
        struct dirent *e;
        while ((e = readdir(dir)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char *path = ap_xasprintf("%s/%s", argv[i], e->d_name);
            if (replay(path)) {
                inputs++;
            } else {
                fprintf(stderr, "replay: cannot read %s\n", path);
                status = 1;
            }
            free(path);
        }
        closedir(dir);
    }
    printf("%ld inputs replayed\n", inputs);
    return inputs > 0 ? status : 1;
}
