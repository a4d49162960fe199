/*
 * ap_progress: see ap_progress.h.
 */
#include "ap_progress.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ap_util.h"

#define CHECK_EVERY 4096 /* rows between readings of the clock */

static int64_t now_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

FILE *ap_progress_tty(FILE *out)
{
    int fd = out ? fileno(out) : -1;
    return fd >= 0 && isatty(fd) ? out : NULL;
}

void ap_progress_start(struct ap_progress *p, FILE *out)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    if (!out)
        return;
    p->after_ms = AP_PROGRESS_AFTER_MS;
    const char *env = getenv("AP_PROGRESS_AFTER_MS");
    if (env && *env) {
        char *end = NULL;
        long v = strtol(env, &end, 10);
        if (end && *end == '\0' && v >= 0)
            p->after_ms = v;
    }
    p->start_ms = p->file_ms = now_ms();
}

void ap_progress_tables(struct ap_progress *p, int tables)
{
    p->tables = tables;
}

void ap_progress_file(struct ap_progress *p)
{
    p->table++;
    if (!p->out)
        return;
    p->file_ms = now_ms();
    p->file_rows0 = 0;
    p->countdown = 0;
}

void ap_progress_rows(struct ap_progress *p, const char *file, long rows)
{
    if (!p->out || p->countdown-- > 0)
        return;
    p->countdown = CHECK_EVERY;
    int64_t t = now_ms();
    if (t - p->start_ms < p->after_ms || (p->shown && t - p->last_ms < AP_PROGRESS_EVERY_MS))
        return;
    char n[32], rate[32];
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    ap_format_count(rows, n);
    int64_t ms = t - p->file_ms;
    ap_format_count(ms > 0 ? (long long)((rows - p->file_rows0) * 1000LL / ms) : 0, rate);
    char line[512];
    char which[48] = "";
    if (p->tables > 1)
        snprintf(which, sizeof which, " (table %d of %d)", p->table, p->tables);
    int len = snprintf(line, sizeof line, "importing %s%s: %s row%s (%s rows/s)", base, which, n,
                       rows == 1 ? "" : "s", rate);
    if (len < 0)
        return;
    size_t w = (size_t)len < sizeof line ? (size_t)len : sizeof line - 1;
    /* Blank what is left of a longer line drawn before. */
    fprintf(p->out, "\r%s%*s", line, p->width > w ? (int)(p->width - w) : 0, "");
    fflush(p->out);
    p->width = w;
    p->shown = true;
    p->last_ms = t;
}

void ap_progress_end(struct ap_progress *p)
{
    if (!p->out || !p->shown)
        return;
    fprintf(p->out, "\r%*s\r", (int)p->width, "");
    fflush(p->out);
    p->shown = false;
}
