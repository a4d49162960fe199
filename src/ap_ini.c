/*
 * ap_ini: INI files through Debian's inih, with our own line reader.
 *
 * inih on its own cuts lines over ~200 bytes silently, glues indented lines onto
 * the previous value and returns only the first error's line. So the file is
 * read whole, and the reader hands inih one physical line at a time after
 * checking it: length, NUL bytes, UTF-8, indentation and basic syntax. A line
 * that fails is reported at file:line(:col) and replaced by an empty line, so
 * inih's own line count stays in step with ours and every handler call knows
 * its true line. Inline comments are off: a value is everything after '='
 * (a contact line may hold a ';').
 */
#include "ap_ini.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AP_INI_MAX_FILE (1024L * 1024L) /* a config or template is a few KiB */

struct reader {
    const char *path;
    const char *data;  /* whole file */
    size_t len, pos;
    long line;         /* physical line last handed to inih */
    struct ap_diag *d;
    ap_ini_handler h;
    ap_ini_section_handler sh;
    void *user;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* First few characters of a line for a message, without control characters. */
static void excerpt(const char *s, size_t n, char out[48])
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < 40; i++)
        out[k++] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
    /* Do not cut a UTF-8 sequence in half. */
    k = ap_utf8_valid_prefix(out, k);
    if (k < n && n > 40) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
}

/* Check one physical line s[0..n) (newline and CR removed). Returns true if
 * inih may see it; otherwise the problem has been reported. */
static bool line_ok(struct reader *r, const char *s, size_t n)
{
    char ex[48];
    if (n > AP_INI_MAX_LINE) {
        ap_diag_input(r->d, r->path, r->line, 0,
                      "line is %zu bytes long, over the limit of %d; shorten the value", n,
                      AP_INI_MAX_LINE);
        return false;
    }
    const char *nul = memchr(s, '\0', n);
    if (nul) {
        ap_diag_input(r->d, r->path, r->line, (long)(nul - s) + 1,
                      "NUL byte in the line; the file is not plain text");
        return false;
    }
    size_t valid = ap_utf8_valid_prefix(s, n);
    if (valid != n) {
        ap_diag_input(r->d, r->path, r->line, (long)valid + 1,
                      "invalid UTF-8; save the file as UTF-8");
        return false;
    }
    size_t i = 0;
    while (i < n && is_blank(s[i]))
        i++;
    if (i == n || s[i] == ';' || s[i] == '#')
        return true; /* blank line or comment, indented or not */
    if (i > 0) {
        ap_diag_input(r->d, r->path, r->line, 0,
                      "indented line; continuation lines are not allowed (remove the leading "
                      "spaces, and put a long value on one line)");
        return false;
    }
    if (s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close) {
            excerpt(s, n, ex);
            ap_diag_input(r->d, r->path, r->line, 0,
                          "section header '%s' has no closing ']'", ex);
            return false;
        }
        for (const char *p = close + 1; p < s + n; p++) {
            if (*p == ';' || *p == '#')
                break; /* "[report]  ; comment" */
            if (!is_blank(*p)) {
                excerpt(s, n, ex);
                ap_diag_input(r->d, r->path, r->line, (long)(p - s) + 1,
                              "unexpected text after the section header '%s'", ex);
                return false;
            }
        }
        return true;
    }
    if (!memchr(s, '=', n) && !memchr(s, ':', n)) {
        excerpt(s, n, ex);
        ap_diag_input(r->d, r->path, r->line, 0,
                      "expected 'name = value' or '[section]', found '%s'", ex);
        return false;
    }
    return true;
}

/* The ini_reader: one physical line per call, checked first. */
static char *read_line(char *str, int num, void *stream)
{
    struct reader *r = stream;
    if (r->pos >= r->len)
        return NULL;
    const char *s = r->data + r->pos;
    const char *nl = memchr(s, '\n', r->len - r->pos);
    size_t n = nl ? (size_t)(nl - s) : r->len - r->pos;
    r->pos += n + (nl ? 1 : 0);
    r->line++;
    if (r->line == 1 && n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
        s += 3; /* a BOM, as Windows editors write */
        n -= 3;
    }
    if (n > 0 && s[n - 1] == '\r')
        n--;
    bool ok = line_ok(r, s, n);
    /* line_ok caps n at AP_INI_MAX_LINE and ini_max_line leaves room, but never
     * trust that blindly: a line that would not fit is an error too. */
    if (ok && n + 2 > (size_t)num) {
        ap_diag_input(r->d, r->path, r->line, 0, "line is too long (%zu bytes)", n);
        ok = false;
    }
    if (ok && r->sh && n > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        char *name = ap_xstrndup(s + 1, (size_t)(close - s) - 1);
        /* inih strips blanks around the name; do the same. */
        char *b = name, *e = name + strlen(name);
        while (is_blank(*b))
            b++;
        while (e > b && is_blank(e[-1]))
            *--e = '\0';
        r->sh(r->user, b, r->line);
        free(name);
    }
    if (!ok) {
        memcpy(str, "\n", 2);
        return str;
    }
    memcpy(str, s, n);
    str[n] = '\n';
    str[n + 1] = '\0';
    return str;
}

static int on_pair(void *user, const char *section, const char *name, const char *value)
{
    struct reader *r = user;
    return r->h(r->user, section, name, value, r->line);
}

/* Read the whole file (bounded) into *out. */
static enum ap_status slurp(const char *path, struct ap_buf *out, struct ap_diag *d)
{
    enum ap_status rc = AP_OK;
    FILE *f = fopen(path, "rb");
    if (!f) {
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
        rc = AP_ERR_IO;
        goto done;
    }
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        ap_buf_add(out, chunk, got);
        if (out->len > (size_t)AP_INI_MAX_FILE) {
            ap_diag_input(d, path, 0, 0, "file is over %ld bytes; is it the right file?",
                          AP_INI_MAX_FILE);
            rc = AP_ERR_INPUT;
            goto done;
        }
    }
    if (ferror(f)) {
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, path, 0, 0, "cannot read: %s", strerror(errno));
        rc = AP_ERR_IO;
        goto done;
    }
done:
    if (f)
        fclose(f);
    return rc;
}

enum ap_status ap_ini_parse_ex(const char *path, ap_ini_handler h, ap_ini_section_handler sh,
                               void *user, struct ap_diag *d)
{
    struct ap_buf text = AP_BUF_INIT;
    size_t errors_before = d->errors;
    enum ap_status rc = slurp(path, &text, d);
    if (rc != AP_OK)
        goto done;

    /* Debian's inih makes its options run-time variables; set every one we rely
     * on, each time, so nothing else in the process can change our dialect. */
    ini_allow_multiline = false;
    ini_allow_bom = false; /* the reader strips it */
    ini_allow_inline_comments = false;
    ini_allow_no_value = false;
    ini_stop_on_first_error = false;
    ini_use_stack = true;
    ini_allow_realloc = false;
    ini_max_line = AP_INI_MAX_LINE + 8;
    ini_initial_alloc = AP_INI_MAX_LINE + 8;

    struct reader r = {path, text.buf, text.len, 0, 0, d, h, sh, user};
    int first = ini_parse_stream(read_line, &r, on_pair, &r);
    if (first == -2)
        ap_die_oom();
    if (first != 0 && d->errors == errors_before) {
        /* inih found something our reader did not: report it where inih saw it. */
        ap_diag_input(d, path, first, 0, "cannot parse this line; expected 'name = value'");
    }
    if (d->errors != errors_before)
        rc = AP_ERR_INPUT;
done:
    ap_buf_release(&text);
    return rc;
}

enum ap_status ap_ini_parse(const char *path, ap_ini_handler h, void *user, struct ap_diag *d)
{
    return ap_ini_parse_ex(path, h, NULL, user, d);
}
