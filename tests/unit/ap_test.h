/*
 * ap_test: the few macros the C unit tests need. Each failed check prints
 * file:line and what differed; ap_test_done() prints "N passed, N failed" and
 * gives the exit status.
 */
#ifndef AP_TEST_H
#define AP_TEST_H

#include <stdio.h>
#include <string.h>

static int ap_test_passed, ap_test_failed;

#define CHECK(cond)                                                                             \
    do {                                                                                        \
        if (cond) {                                                                             \
            ap_test_passed++;                                                                   \
        } else {                                                                                \
            ap_test_failed++;                                                                   \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);            \
        }                                                                                       \
    } while (0)

#define CHECK_INT(got, want)                                                                    \
    do {                                                                                        \
        long long g_ = (long long)(got), w_ = (long long)(want);                                \
        if (g_ == w_) {                                                                         \
            ap_test_passed++;                                                                   \
        } else {                                                                                \
            ap_test_failed++;                                                                   \
            fprintf(stderr, "%s:%d: %s is %lld, expected %lld\n", __FILE__, __LINE__, #got, g_,  \
                    w_);                                                                        \
        }                                                                                       \
    } while (0)

#define CHECK_STR(got, want)                                                                    \
    do {                                                                                        \
        const char *g_ = (got), *w_ = (want);                                                   \
        if (g_ && w_ && !strcmp(g_, w_)) {                                                      \
            ap_test_passed++;                                                                   \
        } else {                                                                                \
            ap_test_failed++;                                                                   \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #got,  \
                    g_ ? g_ : "(null)", w_ ? w_ : "(null)");                                    \
        }                                                                                       \
    } while (0)

/* A test binary that ran no check at all fails: its checks were lost. */
static inline int ap_test_done(void)
{
    printf("%d passed, %d failed\n", ap_test_passed, ap_test_failed);
    if (ap_test_passed + ap_test_failed == 0) {
        fprintf(stderr, "no check ran\n");
        return 1;
    }
    return ap_test_failed ? 1 : 0;
}

#endif
