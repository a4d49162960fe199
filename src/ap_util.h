/*
 * ap_util: allocation that ends the program on exhaustion, a growable string
 * buffer whose buf is never NULL (after git's strbuf), status codes, and small
 * safe parsers that replace atoi and friends.
 */
#ifndef AP_UTIL_H
#define AP_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses documented in SPEC.md; every command returns one of these. */
enum ap_status {
    AP_OK = 0,        /* success */
    AP_ERR_USAGE = 1, /* bad command line */
    AP_ERR_INPUT = 2, /* bad CSV, config, template, period or database content */
    AP_ERR_IO = 3     /* I/O or internal failure */
};

/* The worse of two statuses (I/O beats input beats usage beats ok). */
enum ap_status ap_status_worst(enum ap_status a, enum ap_status b);

#if defined(__GNUC__)
#define AP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define AP_NORETURN __attribute__((noreturn))
#else
#define AP_PRINTF(f, a)
#define AP_NORETURN
#endif

#define AP_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Out of memory prints a message and exits with status 3; never returns NULL. */
void *ap_xmalloc(size_t n);
void *ap_xcalloc(size_t nmemb, size_t size);
void *ap_xrealloc(void *p, size_t n);
char *ap_xstrdup(const char *s);            /* s may be NULL: returns NULL */
char *ap_xstrndup(const char *s, size_t n); /* copies at most n bytes, NUL-terminates */
char *ap_xasprintf(const char *fmt, ...) AP_PRINTF(1, 2); /* caller owns */
AP_NORETURN void ap_die_oom(void);

/* Grow *arr (of element size sz) so that it holds at least need elements. */
void ap_grow(void **arr, size_t sz, size_t need, size_t *alloc);

/* Growable string. buf always points at a NUL-terminated string. */
struct ap_buf {
    char *buf;    /* never NULL once initialised */
    size_t len;   /* bytes used, excluding the NUL */
    size_t alloc; /* bytes allocated; 0 means buf is the shared empty string */
};
#define AP_BUF_INIT {ap_buf_empty, 0, 0}
extern char ap_buf_empty[];

void ap_buf_init(struct ap_buf *b);
void ap_buf_grow(struct ap_buf *b, size_t extra);
void ap_buf_add(struct ap_buf *b, const void *data, size_t n);
void ap_buf_adds(struct ap_buf *b, const char *s);
void ap_buf_addch(struct ap_buf *b, char c);
void ap_buf_addf(struct ap_buf *b, const char *fmt, ...) AP_PRINTF(2, 3);
void ap_buf_vaddf(struct ap_buf *b, const char *fmt, va_list ap) AP_PRINTF(2, 0);
void ap_buf_reset(struct ap_buf *b);   /* len = 0, keeps memory */
void ap_buf_release(struct ap_buf *b); /* frees, back to AP_BUF_INIT */
char *ap_buf_detach(struct ap_buf *b); /* caller owns the result; b is reset */
/* Append s[0..n) for a message: control characters and bytes that are not
 * UTF-8 escaped (\n, \x81), long values cut after 60 bytes at a character
 * boundary with "...", so that a 4000-byte field does not flood the terminal. */
void ap_buf_add_shown(struct ap_buf *b, const char *s, size_t n);
/* Append the rest of f; false on a read error (what was read is kept). */
bool ap_buf_add_file(struct ap_buf *b, FILE *f);

/* Length of the longest valid UTF-8 prefix of s[0..n); equals n when valid.
 * Rejects overlongs, surrogates and code points above U+10FFFF. */
size_t ap_utf8_valid_prefix(const char *s, size_t n);
static inline bool ap_utf8_valid(const char *s, size_t n)
{
    return ap_utf8_valid_prefix(s, n) == n;
}

/* Parse a whole decimal integer in [min, max]; false on anything else
 * (empty, trailing junk, overflow). */
bool ap_parse_long(const char *s, long min, long max, long *out);

/* A boolean setting: true/yes/on/1 or false/no/off/0, any case; false if neither. */
bool ap_parse_bool(const char *s, bool *out);

/* ASCII-only case-insensitive comparison (locale independent). */
int ap_strcasecmp(const char *a, const char *b);

/* Format n with thousands separators ("1,234"); out must hold 32 bytes. */
void ap_format_count(long long n, char out[32]);

#endif
