/*
 * ap_util: allocation, the growable string buffer, statuses and small parsers.
 */
#include "ap_util.h"

#include <limits.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char ap_buf_empty[1];

enum ap_status ap_status_worst(enum ap_status a, enum ap_status b)
{
    /* Severity order differs from the numeric order only in that usage (1)
     * ranks below input (2) and I/O (3), which it already does. */
    return a > b ? a : b;
}

void ap_die_oom(void)
{
    fputs("actionplan: error: out of memory\n", stderr);
    exit(AP_ERR_IO);
}

void *ap_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        ap_die_oom();
    return p;
}

void *ap_xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (!p)
        ap_die_oom();
    return p;
}

void *ap_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        ap_die_oom();
    return q;
}

char *ap_xstrdup(const char *s)
{
    return s ? ap_xstrndup(s, strlen(s)) : NULL;
}

char *ap_xstrndup(const char *s, size_t n)
{
    size_t len = 0;
    while (len < n && s[len])
        len++;
    char *p = ap_xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *ap_xasprintf(const char *fmt, ...)
{
    struct ap_buf b = AP_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    ap_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    return ap_buf_detach(&b);
}

void ap_grow(void **arr, size_t sz, size_t need, size_t *alloc)
{
    if (need <= *alloc)
        return;
    size_t n = *alloc ? *alloc : 8;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            ap_die_oom();
        n *= 2;
    }
    if (n > SIZE_MAX / sz)
        ap_die_oom();
    *arr = ap_xrealloc(*arr, n * sz);
    *alloc = n;
}

void ap_buf_init(struct ap_buf *b)
{
    b->buf = ap_buf_empty;
    b->len = 0;
    b->alloc = 0;
}

void ap_buf_grow(struct ap_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1)
        ap_die_oom();
    size_t need = b->len + extra + 1;
    if (need <= b->alloc)
        return;
    size_t n = b->alloc ? b->alloc : 64;
    while (n < need)
        n = n > SIZE_MAX / 2 ? need : n * 2;
    if (b->alloc == 0) {
        b->buf = ap_xmalloc(n);
        b->buf[0] = '\0';
    } else {
        b->buf = ap_xrealloc(b->buf, n);
    }
    b->alloc = n;
}

void ap_buf_add(struct ap_buf *b, const void *data, size_t n)
{
    if (n == 0)
        return;
    ap_buf_grow(b, n);
    memcpy(b->buf + b->len, data, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

void ap_buf_adds(struct ap_buf *b, const char *s)
{
    ap_buf_add(b, s, strlen(s));
}

void ap_buf_addch(struct ap_buf *b, char c)
{
    ap_buf_add(b, &c, 1);
}

void ap_buf_vaddf(struct ap_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return;
    ap_buf_grow(b, (size_t)n);
    vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void ap_buf_addf(struct ap_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ap_buf_vaddf(b, fmt, ap);
    va_end(ap);
}

void ap_buf_reset(struct ap_buf *b)
{
    b->len = 0;
    if (b->alloc)
        b->buf[0] = '\0';
}

void ap_buf_release(struct ap_buf *b)
{
    if (b->alloc)
        free(b->buf);
    ap_buf_init(b);
}

bool ap_buf_add_file(struct ap_buf *b, FILE *f)
{
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ap_buf_add(b, chunk, n);
    return !ferror(f);
}

char *ap_buf_detach(struct ap_buf *b)
{
    char *s = b->alloc ? b->buf : ap_xstrdup("");
    ap_buf_init(b);
    return s;
}

void ap_buf_add_shown(struct ap_buf *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (i >= 60) {
            ap_buf_adds(b, "...");
            break;
        }
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x80) {
            size_t len = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : ch >= 0xC0 ? 2 : 1;
            if (len > 1 && i + len <= n && ap_utf8_valid(s + i, len)) {
                ap_buf_add(b, s + i, len);
                i += len;
                continue;
            }
        }
        i++;
        if (ch == '\n')
            ap_buf_adds(b, "\\n");
        else if (ch == '\r')
            ap_buf_adds(b, "\\r");
        else if (ch == '\t')
            ap_buf_adds(b, "\\t");
        else if (ch < 0x20 || ch >= 0x7f)
            ap_buf_addf(b, "\\x%02x", ch);
        else
            ap_buf_addch(b, (char)ch);
    }
}

size_t ap_utf8_valid_prefix(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned cp, min;
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3, cp = c & 0x0f, min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return i;
        }
        if (n - i < len)
            return i;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return i;
        i += len;
    }
    return n;
}

bool ap_parse_long(const char *s, long min, long max, long *out)
{
    if (!s || !*s)
        return false;
    for (const char *p = s; *p; p++) {
        if (!((*p >= '0' && *p <= '9') || (p == s && (*p == '-' || *p == '+'))))
            return false;
    }
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool ap_parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < AP_ARRAY_LEN(yes); i++) {
        if (!ap_strcasecmp(v, yes[i])) {
            *out = true;
            return true;
        }
        if (!ap_strcasecmp(v, no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

int ap_strcasecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned ca = (unsigned char)*a, cb = (unsigned char)*b;
        if (ca >= 'A' && ca <= 'Z')
            ca += 'a' - 'A';
        if (cb >= 'A' && cb <= 'Z')
            cb += 'a' - 'A';
        if (ca != cb || !ca)
            return (int)ca - (int)cb;
    }
}

void ap_format_count(long long n, char out[32])
{
    char digits[32];
    unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
    int len = snprintf(digits, sizeof digits, "%llu", u);
    size_t o = 0;
    if (n < 0)
        out[o++] = '-';
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}
