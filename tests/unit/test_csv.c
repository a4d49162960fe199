/*
 * Unit tests for ap_csv, table-driven after SQLite's test/shell5.test: each case
 * is an input text, the records the reader must give (dumped as
 * "LINE:field|field;" with "@LINE" on a field that starts on another line, "!"
 * on a record flagged bad, "ERR" where reading stops) and the message expected.
 */
#define _POSIX_C_SOURCE 200809L
#include "ap_test.h"

#include <stdlib.h>

#include "ap_csv.h"

struct csv_case {
    const char *name;
    const char *in;
    size_t len;       /* 0: strlen(in); for inputs holding NUL bytes */
    const char *want; /* the dump */
    const char *msg;  /* expected in the messages, or NULL for none at all */
};

static const struct csv_case cases[] = {
    {"empty file", "", 0, "", NULL},
    {"only a BOM", "\xef\xbb\xbf", 0, "", NULL},
    {"one field (1.4.3)", "1\n", 0, "1:1;", NULL},
    {"two fields (1.4.5)", "1,2\n", 0, "1:1|2;", NULL},
    {"two rows (1.4.6)", "2,3\n3,4\n", 0, "1:2|3;2:3|4;", NULL},
    {"text with spaces (1.4.8)", "5,Now is the time\n", 0, "1:5|Now is the time;", NULL},
    {"single quotes are data (1.4.9)", "6,'Now'\n", 0, "1:6|'Now';", NULL},
    {"quoted text (1.4.10)", "7,\"Now, is the time\"\n", 0, "1:7|Now, is the time;", NULL},
    {"BOM (1.4.11)", "\xef\xbb\xbf" "2,3\n4,5\n", 0, "1:2|3;2:4|5;", NULL},
    {"BOM then quote (1.4.12)", "\xef\xbb\xbf\"two\",3\n4,5\n", 0, "1:two|3;2:4|5;", NULL},
    {"quoted strings (1.9)",
     "1,\"\",11\n2,\"x\",22\n3,\"\"\"\",33\n4,\"hello\",44\n5,55,\"\"\r\n6,66,\"x\"\n"
     "\"\",9,99\n\"\"\"\",11,121\n",
     0, "1:1||11;2:2|x|22;3:3|\"|33;4:4|hello|44;5:5|55|;6:6|66|x;7:|9|99;8:\"|11|121;", NULL},
    {"quoted CRLF and LF kept (1.10)",
     "column1,column2,column3,column4\nfield1,field2,\"x3 \"\"\r\ndata\"\" 3\",field4\n"
     "x1,x2,\"x3 \"\"\ndata\"\" 3\",x4\n",
     0,
     "1:column1|column2|column3|column4;2:field1|field2|x3 \"\\r\\ndata\" 3|field4@3;"
     "4:x1|x2|x3 \"\\ndata\" 3|x4@5;",
     NULL},
    {"blank last column, CRLF (1.11)", "column1,column2,column3\r\na,b, \r\nx,y,\r\np,q,r\r\n", 0,
     "1:column1|column2|column3;2:a|b| ;3:x|y|;4:p|q|r;", NULL},
    {"empty first field (2.1)", ",hello\n", 0, "1:|hello;", NULL},
    {"quoted empty first field (2.2)", "\"\",hello\n", 0, "1:|hello;", NULL},
    {"doubled quote inside (2.3)", "\"x\"\"y\",hello\n", 0, "1:x\"y|hello;", NULL},
    {"doubled quote at end (2.4)", "\"xy\"\"\",hello\n", 0, "1:xy\"|hello;", NULL},
    {"trailing blank line ignored (2.5)", "\"one\",\"2\"\n\n", 0, "1:one|2;", NULL},
    {"several trailing blank lines", "a\n\n\r\n\r\r\n", 0, "1:a;", NULL},
    {"blank lines in the middle are records", "a,b\n\n\n1,2\n", 0, "1:a|b;2:;3:;4:1|2;", NULL},
    {"no final newline", "a,b\n1,2", 0, "1:a|b;2:1|2;", NULL},
    {"no final newline, quoted", "a,b\n1,\"2\"", 0, "1:a|b;2:1|2;", NULL},
    {"lone CR ends lines", "a,b\r1,2\r3,4", 0, "1:a|b;2:1|2;3:3|4;", NULL},
    {"CRLF", "a,b\r\n1,2\r\n", 0, "1:a|b;2:1|2;", NULL},
    {"non-ASCII UTF-8 kept (6.1)", "\xe3\x81\x82\xe3\x81\x84,\xe3\x81\x86\n1,2\n", 0,
     "1:\xe3\x81\x82\xe3\x81\x84|\xe3\x81\x86;2:1|2;", NULL},
    {"ragged rows are given as they are (4.1)", "1,2,3\n4,5\n6,7,8,9\n", 0,
     "1:1|2|3;2:4|5;3:6|7|8|9;", NULL},
    {"all fields empty (4.3)", ",,\n1,2,3\n", 0, "1:||;2:1|2|3;", NULL},
    {"spaces kept", " a , b \n", 0, "1: a | b ;", NULL},
    {"field after a quoted newline starts on the next line", "\"p\nq\",r\ns\n", 0,
     "1:p\\nq|r@2;3:s;", NULL},
    {"quoted field holding only newlines", "\"\n\n\",x\ny\n", 0, "1:\\n\\n|x@3;4:y;", NULL},
    {"comma inside quotes", "\"a,b\",c\n", 0, "1:a,b|c;", NULL},
    {"unterminated quote at end of file", "a,b\n1,\"abc\n\ndef\n", 0, "1:a|b;ERR",
     "t.csv:2:2: error: a quoted field starts here but its closing quote is missing"},
    {"unterminated quote, no newline", "a,\"b", 0, "ERR",
     "t.csv:1:2: error: a quoted field starts here but its closing quote is missing"},
    {"stray quote in an unquoted field", "a,b\n1,x\"y\n2,3\n", 0, "1:a|b;2!:1|x\"y;3:2|3;",
     "t.csv:2:2: error: a double quote appears inside a field that does not start with one"},
    {"text after a closing quote", "\"ab\"c,d\ne,f\n", 0, "1!:abc|d;2:e|f;",
     "t.csv:1:1: error: text follows the closing quote of a quoted field"},
    {"text after a closing quote on a later line", "x,\"a\nb\" c\n", 0, "1!:x|a\\nb c;",
     "t.csv:2:2: error: text follows the closing quote"},
    {"NUL byte", "a,b\0c\n", 6, "ERR", "t.csv:1:2: error: the file holds a NUL byte"},
    {"NUL byte in a quoted field", "a\n\"b\0\"\n", 6, "1:a;ERR",
     "t.csv:2:1: error: the file holds a NUL byte"},
    {"UTF-16 LE", "\xff\xfe" "a\0,\0", 6, "ERR", "t.csv:1: error: the file is UTF-16, not UTF-8"},
};

static void dump_field(struct ap_buf *b, const struct ap_csv_field *f)
{
    for (size_t i = 0; i < f->len; i++) {
        char ch = f->s[i];
        if (ch == '\n')
            ap_buf_adds(b, "\\n");
        else if (ch == '\r')
            ap_buf_adds(b, "\\r");
        else
            ap_buf_addch(b, ch);
    }
}

/* Read everything from in[0..len) and dump it; messages go to *msgs (caller frees). */
static char *run(const char *in, size_t len, char **msgs)
{
    struct ap_buf b = AP_BUF_INIT;
    size_t msize = 0;
    FILE *mf = open_memstream(msgs, &msize);
    /* fmemopen of a zero-length buffer is not portable: use a one-byte buffer read as empty. */
    FILE *f = len ? fmemopen((void *)in, len, "rb") : fmemopen((void *)"x", 1, "rb");
    if (!len)
        fgetc(f);
    struct ap_diag d;
    ap_diag_init(&d);
    d.out = mf;
    struct ap_csv *c = ap_csv_from_stream(f, "t.csv");
    struct ap_csv_record r;
    int rc;
    long lenbad = 0; /* fields whose len disagrees with their NUL */
    while ((rc = ap_csv_next(c, &r, &d)) == 1) {
        ap_buf_addf(&b, "%ld%s:", r.line, r.bad ? "!" : "");
        for (size_t i = 0; i < r.n; i++) {
            if (i)
                ap_buf_addch(&b, '|');
            dump_field(&b, &r.fields[i]);
            if (strlen(r.fields[i].s) != r.fields[i].len)
                lenbad++;
            if (r.fields[i].line != r.line)
                ap_buf_addf(&b, "@%ld", r.fields[i].line);
        }
        ap_buf_addch(&b, ';');
    }
    if (rc < 0) {
        ap_buf_adds(&b, "ERR");
        CHECK_INT(ap_csv_next(c, &r, &d), -1); /* stays failed */
    }
    CHECK_INT(lenbad, 0);
    ap_csv_close(c);
    fclose(f);
    fclose(mf);
    return ap_buf_detach(&b);
}

static void test_table(void)
{
    for (size_t i = 0; i < AP_ARRAY_LEN(cases); i++) {
        const struct csv_case *t = &cases[i];
        char *msgs = NULL;
        char *got = run(t->in, t->len ? t->len : strlen(t->in), &msgs);
        if (strcmp(got, t->want)) {
            ap_test_failed++;
            fprintf(stderr, "case '%s': got\n  %s\nexpected\n  %s\n", t->name, got, t->want);
        } else {
            ap_test_passed++;
        }
        if (t->msg ? !strstr(msgs, t->msg) : msgs[0] != '\0') {
            ap_test_failed++;
            fprintf(stderr, "case '%s': messages were\n%s\nexpected to contain '%s'\n", t->name,
                    msgs, t->msg ? t->msg : "(nothing)");
        } else {
            ap_test_passed++;
        }
        free(got);
        free(msgs);
    }
}

/* 999 X's in a field (1.5.1), then exactly the limit, then one byte over it. */
static void test_long_fields(void)
{
    struct ap_buf in = AP_BUF_INIT;
    ap_buf_adds(&in, "8,");
    for (int i = 0; i < 999; i++)
        ap_buf_addch(&in, 'X');
    ap_buf_adds(&in, "\n9,\"");
    for (int i = 0; i < AP_CSV_MAX_FIELD; i++)
        ap_buf_addch(&in, i % 100 == 99 ? '\n' : 'Y');
    ap_buf_adds(&in, "\"\n10,");
    for (int i = 0; i < AP_CSV_MAX_FIELD + 1; i++)
        ap_buf_addch(&in, 'Z');
    ap_buf_adds(&in, ",end\n11,ok\n");
    char *msgs = NULL;
    char *got = run(in.buf, in.len, &msgs);
    /* Record 2 spans lines 2 to 42 (40 newlines in the quoted field). */
    CHECK(strstr(got, "1:8|XXX") == got);
    CHECK(strstr(got, ";2:9|YYY") != NULL);
    CHECK(strstr(got, ";43!:10|ZZZ") != NULL);
    CHECK(strstr(got, "|end;44:11|ok;") != NULL);
    CHECK(strstr(msgs, "t.csv:43:2: error: the field is 4001 bytes long; at most 4000") != NULL);
    CHECK(strstr(msgs, "t.csv:2:") == NULL);
    free(got);
    free(msgs);
    ap_buf_release(&in);
}

/* 999 columns are fine (1.6.1); 1001 are refused. */
static void test_many_fields(void)
{
    struct ap_buf in = AP_BUF_INIT;
    for (int i = 1; i <= 999; i++)
        ap_buf_addf(&in, "c%d%s", i, i < 999 ? "," : "\n");
    for (int i = 1; i <= 999; i++)
        ap_buf_addf(&in, "%d%s", i, i < 999 ? "," : "\n");
    char *msgs = NULL;
    char *got = run(in.buf, in.len, &msgs);
    CHECK(strstr(got, "1:c1|c2|") == got);
    CHECK(strstr(got, "|c999;2:1|2|3|") != NULL);
    CHECK(strstr(got, "|999;") != NULL);
    CHECK_STR(msgs, "");
    free(got);
    free(msgs);
    ap_buf_reset(&in);
    for (int i = 1; i <= 1001; i++)
        ap_buf_addf(&in, "%d%s", i, i < 1001 ? "," : "\n");
    got = run(in.buf, in.len, &msgs);
    CHECK_STR(got, "ERR");
    CHECK(strstr(msgs, "t.csv:1:1001: error: the row has more than 1000 fields") != NULL);
    free(got);
    free(msgs);
    ap_buf_release(&in);
}

/* Enough rows to cross many 64 KiB blocks (9999 rows as in 1.7.1, then more),
 * with CRLF pairs and quotes falling on block boundaries somewhere. */
static void test_many_rows(void)
{
    struct ap_buf in = AP_BUF_INIT;
    ap_buf_adds(&in, "a,b\r\n");
    for (int i = 1; i <= 60000; i++)
        ap_buf_addf(&in, "%d,\"v %d\"\"\r\nx\"\r\n", i, i);
    char *msgs = NULL;
    size_t msize = 0;
    FILE *mf = open_memstream(&msgs, &msize);
    FILE *f = fmemopen(in.buf, in.len, "rb");
    struct ap_diag d;
    ap_diag_init(&d);
    d.out = mf;
    struct ap_csv *c = ap_csv_from_stream(f, "big.csv");
    struct ap_csv_record r;
    long n = 0, bad = 0;
    char want[64];
    while (ap_csv_next(c, &r, &d) == 1) {
        if (n > 0) {
            snprintf(want, sizeof want, "v %ld\"\r\nx", n);
            if (r.n != 2 || strcmp(r.fields[1].s, want) || r.line != 2 * n)
                bad++;
        }
        n++;
    }
    CHECK_INT(n, 60001);
    CHECK_INT(bad, 0);
    CHECK_INT(d.errors, 0);
    ap_csv_close(c);
    fclose(f);
    fclose(mf);
    free(msgs);
    ap_buf_release(&in);
}

static void test_open_missing(void)
{
    struct ap_diag d;
    ap_diag_init(&d);
    char *msgs = NULL;
    size_t msize = 0;
    d.out = open_memstream(&msgs, &msize);
    struct ap_csv *c = (struct ap_csv *)1;
    CHECK_INT(ap_csv_open("/nonexistent/cases.csv", &c, &d), AP_ERR_IO);
    CHECK(c == NULL);
    fclose(d.out);
    CHECK(strstr(msgs, "/nonexistent/cases.csv: error: cannot open the file") != NULL);
    free(msgs);
    ap_csv_close(NULL);
}

int main(void)
{
    test_table();
    test_long_fields();
    test_many_fields();
    test_many_rows();
    test_open_missing();
    return ap_test_done();
}
