/* Unit tests for ap_util: the string buffer, UTF-8 validation, integer parsing. */
#include "ap_test.h"
#include <stdlib.h>
#include <string.h>

#include "ap_util.h"

static void test_buf(void)
{
    struct ap_buf b = AP_BUF_INIT;
    CHECK_STR(b.buf, "");
    ap_buf_adds(&b, "abc");
    ap_buf_addf(&b, "-%d-", 42);
    ap_buf_addch(&b, 'z');
    CHECK_STR(b.buf, "abc-42-z");
    CHECK_INT(b.len, 8);
    for (int i = 0; i < 1000; i++)
        ap_buf_addch(&b, 'x');
    CHECK_INT(b.len, 1008);
    ap_buf_reset(&b);
    CHECK_STR(b.buf, "");
    ap_buf_adds(&b, "kept");
    char *s = ap_buf_detach(&b);
    CHECK_STR(s, "kept");
    CHECK_STR(b.buf, "");
    free(s);
    ap_buf_release(&b);
}

static const struct {
    const char *s;
    size_t valid;
} utf8_cases[] = {
    {"plain ascii", 11},
    {"\xe2\x80\x9cquoted\xe2\x80\x9d", 12}, /* “quoted” */
    {"\xc5\xb5", 2},                        /* ŵ */
    {"\xc2\xa3", 2},                        /* £ */
    {"\xf0\x9f\x98\x80", 4},                /* emoji, 4 bytes */
    {"ab\xff", 2},                          /* invalid byte */
    {"\xc0\xaf", 0},                        /* overlong '/' */
    {"\xe0\x80\xaf", 0},                    /* overlong, 3 bytes */
    {"\xed\xa0\x80", 0},                    /* surrogate U+D800 */
    {"\xf4\x90\x80\x80", 0},                /* above U+10FFFF */
    {"x\xe2\x80", 1},                       /* truncated sequence */
};

/* A file longer than one read chunk comes back whole, NULs included, after
 * what the buffer already held; an empty file adds nothing. */
static void test_add_file(void)
{
    FILE *f = tmpfile();
    CHECK(f != NULL);
    if (!f)
        return;
    size_t n = 200000;
    for (size_t i = 0; i < n; i++)
        fputc((int)(i % 251), f);
    rewind(f);
    struct ap_buf b = AP_BUF_INIT;
    ap_buf_adds(&b, "head");
    CHECK(ap_buf_add_file(&b, f));
    CHECK_INT(b.len, n + 4);
    bool same = !memcmp(b.buf, "head", 4);
    for (size_t i = 0; i < n && same; i++)
        same = (unsigned char)b.buf[4 + i] == i % 251;
    CHECK(same);
    CHECK(ap_buf_add_file(&b, f)); /* at the end: nothing more */
    CHECK_INT(b.len, n + 4);
    fclose(f);
    ap_buf_release(&b);
}

static void test_utf8(void)
{
    for (size_t i = 0; i < AP_ARRAY_LEN(utf8_cases); i++)
        CHECK_INT(ap_utf8_valid_prefix(utf8_cases[i].s, strlen(utf8_cases[i].s)),
                  utf8_cases[i].valid);
}

static void test_parse_long(void)
{
    long v = 0;
    CHECK(ap_parse_long("42", 0, 100, &v) && v == 42);
    CHECK(ap_parse_long("-3", -10, 10, &v) && v == -3);
    CHECK(!ap_parse_long("", 0, 100, &v));
    CHECK(!ap_parse_long("12a", 0, 100, &v));
    CHECK(!ap_parse_long(" 12", 0, 100, &v));
    CHECK(!ap_parse_long("101", 0, 100, &v));
    CHECK(!ap_parse_long("99999999999999999999999", 0, 100, &v));
}

static void test_format_count(void)
{
    char out[32];
    ap_format_count(0, out);
    CHECK_STR(out, "0");
    ap_format_count(999, out);
    CHECK_STR(out, "999");
    ap_format_count(1000, out);
    CHECK_STR(out, "1,000");
    ap_format_count(-1234567, out);
    CHECK_STR(out, "-1,234,567");
}

int main(void)
{
    test_buf();
    test_add_file();
    test_utf8();
    test_parse_long();
    test_format_count();
    CHECK_INT(ap_strcasecmp("Risk_Level", "risk_level"), 0);
    CHECK(ap_strcasecmp("a", "b") < 0);
    return ap_test_done();
}
