/* Unit tests for ap_ini and ap_config: a table of INI texts, each with the
 * values it must give or the line and message of the error it must raise. */
#define _POSIX_C_SOURCE 200809L /* open_memstream, mkdtemp */
#include "ap_test.h"
#include <stdlib.h>
#include <unistd.h>

#include "ap_config.h"
#include "ap_ini.h"

static char dir[64];

/* Write text (n bytes) to dir/name; return the path (static buffer). */
static const char *write_file(const char *name, const char *text, size_t n)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(3);
    }
    fwrite(text, 1, n, f);
    fclose(f);
    return path;
}

/* Load text as a config; messages go into *msgs (caller frees). */
static enum ap_status load(const char *text, size_t n, struct ap_config *c, char **msgs,
                           size_t *errors)
{
    const char *path = write_file("t.ini", text, n);
    struct ap_diag d;
    ap_diag_init(&d);
    char *buf = NULL;
    size_t len = 0;
    d.out = open_memstream(&buf, &len);
    ap_config_defaults(c);
    enum ap_status st = ap_config_load(c, path, &d);
    fclose(d.out);
    *msgs = buf;
    if (errors)
        *errors = d.errors;
    return st;
}

/* Each case is an INI text that must fail: the error's line and a fragment of
 * its message. */
static const struct {
    const char *text;
    long line;
    const char *has;
} bad[] = {
    {"[organisation]\nname = A\nnmae = B\n", 3,
     "unknown key 'nmae' in [organisation]; the keys there are name, team, team_start, "
     "fy_start_month, child_population, contact"},
    {"[reports]\nfont = x.ttf\n", 1,
     "unknown section [reports]; the sections are [database], [organisation], [report] and [import]"},
    {"[database]\npath = a.db\n[report]\nlogo_file = x.png\n", 4,
     "unknown key 'logo_file' in [report]; the keys there are output_dir, font, font_bold, logo, "
     "sample"},
    {"[organisation]\nteam_start = 2015-02-30\n", 2, "team_start '2015-02-30' is not a valid date"},
    {"[organisation]\nteam_start = November 2015\n", 2, "team_start 'November 2015'"},
    {"[organisation]\nfy_start_month = 13\n", 2, "fy_start_month '13' is not a month number"},
    {"[organisation]\nfy_start_month = 0\n", 2, "fy_start_month '0'"},
    {"[organisation]\nfy_start_month = April\n", 2, "fy_start_month 'April'"},
    {"[organisation]\nchild_population = 48,500\n", 2,
     "child_population '48,500' is not a whole number above 0"},
    {"[organisation]\nchild_population = 0\n", 2, "child_population '0'"},
    {"[organisation]\nchild_population = -3\n", 2, "child_population '-3'"},
    {"[report]\nsample = maybe\n", 2, "sample 'maybe' is not true or false"},
    {"[organisation]\nname = A\n\nname = B\n", 4,
     "name is given twice in [organisation] (first at line 2); remove one"},
    {"name = A\n[organisation]\n", 1, "'name' is outside any section"},
    {"[organisation]\nname = A\n  Council\n", 3,
     "indented line; continuation lines are not allowed"},
    {"[organisation]\n\tteam = A\n", 2, "indented line; continuation lines are not allowed"},
    {"[organisation]\nname Sampleshire\n", 2,
     "expected 'name = value' or '[section]', found 'name Sampleshire'"},
    {"[organisation\nname = A\n", 1, "section header '[organisation' has no closing ']'"},
    {"[report] x\n", 1, "unexpected text after the section header"},
    {"[organisation]\nname = Caf\xe9\n", 2, "invalid UTF-8"},
    {"[database]\npath =\n", 2, "path is empty"},
};

static void test_bad(void)
{
    for (size_t i = 0; i < AP_ARRAY_LEN(bad); i++) {
        struct ap_config c;
        char *msgs;
        enum ap_status st = load(bad[i].text, strlen(bad[i].text), &c, &msgs, NULL);
        char where[160];
        snprintf(where, sizeof where, "%s/t.ini:%ld:", dir, bad[i].line);
        CHECK_INT(st, AP_ERR_INPUT);
        if (!strstr(msgs, where) || !strstr(msgs, bad[i].has))
            fprintf(stderr, "case %zu: wanted '%s' ... '%s', got: %s", i, where, bad[i].has, msgs);
        CHECK(strstr(msgs, where) != NULL);
        CHECK(strstr(msgs, bad[i].has) != NULL);
        free(msgs);
        ap_config_free(&c);
    }
}

static void test_good(void)
{
    const char *text = "\xEF\xBB\xBF; sample config\r\n"
                       "# another comment\r\n"
                       "[database]\r\n"
                       "path = data/cse.db\r\n"
                       "\r\n"
                       "[Organisation]\r\n"
                       "Name = Sampleshire Council\r\n"
                       "team: Multi-Agency CSE Team\r\n"
                       "team_start = 01/11/2015\r\n"
                       "fy_start_month = 1\r\n"
                       "child_population = 48500\r\n"
                       "   ; an indented comment is fine\r\n"
                       "contact = Call 01234 567890; or write = to us\r\n"
                       "[report] ; comment after a header\r\n"
                       "output_dir = ../out\r\n"
                       "font = /usr/share/fonts/x.ttf\r\n"
                       "logo = logo.png\r\n"
                       "sample = TRUE\r\n";
    struct ap_config c;
    char *msgs;
    enum ap_status st = load(text, strlen(text), &c, &msgs, NULL);
    CHECK_INT(st, AP_OK);
    CHECK_STR(msgs, "");
    char want[160];
    snprintf(want, sizeof want, "%s/data/cse.db", dir);
    CHECK_STR(c.db_path, want);
    CHECK_STR(c.organisation, "Sampleshire Council");
    CHECK_STR(c.team, "Multi-Agency CSE Team");
    ap_day t;
    CHECK(ap_day_from_ymd(2015, 11, 1, &t) && c.team_start == t);
    CHECK_INT(c.fy_start_month, 1);
    CHECK_INT(c.child_population, 48500);
    CHECK_STR(c.contact, "Call 01234 567890; or write = to us");
    snprintf(want, sizeof want, "%s/../out", dir);
    CHECK_STR(c.output_dir, want);
    CHECK_STR(c.font, "/usr/share/fonts/x.ttf");
    CHECK_STR(c.font_bold, "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf");
    snprintf(want, sizeof want, "%s/logo.png", dir);
    CHECK_STR(c.logo, want);
    CHECK(c.sample);
    char *p = strstr(c.path, "/t.ini");
    CHECK(p != NULL && p[6] == '\0');
    free(msgs);
    ap_config_free(&c);
}

static void test_defaults(void)
{
    struct ap_config c;
    ap_config_defaults(&c);
    CHECK_STR(c.db_path, "actionplan.db");
    CHECK_STR(c.organisation, "");
    CHECK(c.team_start == AP_DAY_NONE);
    CHECK_INT(c.fy_start_month, 4);
    CHECK_INT(c.child_population, 0);
    CHECK_STR(c.output_dir, ".");
    CHECK_STR(c.font, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    CHECK(c.logo == NULL);
    CHECK(!c.sample);
    CHECK(c.path == NULL);
    ap_config_set(&c.team, "X");
    CHECK_STR(c.team, "X");
    ap_config_free(&c);
    ap_config_free(NULL);

    /* An empty file changes nothing; an empty logo means none; "no" is false. */
    char *msgs;
    CHECK_INT(load("", 0, &c, &msgs, NULL), AP_OK);
    CHECK_STR(c.db_path, "actionplan.db");
    free(msgs);
    ap_config_free(&c);
    static const char nologo[] = "[report]\nlogo =\nsample = no\n";
    CHECK_INT(load(nologo, sizeof nologo - 1, &c, &msgs, NULL), AP_OK);
    CHECK(c.logo == NULL);
    CHECK(!c.sample);
    free(msgs);
    ap_config_free(&c);

    /* Quotes around a whole value are dropped; inner ones are kept. */
    static const char quoted[] = "[organisation]\nname = \"Sampleshire Council\"\n"
                                 "team = The \"A\" Team\nteam_start = \"2015-11-01\"\n"
                                 "contact = \"\n";
    CHECK_INT(load(quoted, sizeof quoted - 1, &c, &msgs, NULL), AP_OK);
    CHECK_STR(c.organisation, "Sampleshire Council");
    CHECK_STR(c.team, "The \"A\" Team");
    CHECK(c.team_start != AP_DAY_NONE);
    CHECK_STR(c.contact, "\"");
    free(msgs);
    ap_config_free(&c);
}

/* Lines at and over AP_INI_MAX_LINE, NUL bytes, every error reported. */
static void test_limits(void)
{
    struct ap_config c;
    char *msgs;
    size_t errors;
    struct ap_buf b = AP_BUF_INIT;
    ap_buf_adds(&b, "[organisation]\nname = ");
    while (b.len < 15 + AP_INI_MAX_LINE)
        ap_buf_addch(&b, 'x'); /* line 2 is exactly AP_INI_MAX_LINE bytes */
    ap_buf_adds(&b, "\n");
    CHECK_INT(load(b.buf, b.len, &c, &msgs, NULL), AP_OK);
    CHECK_INT(strlen(c.organisation), AP_INI_MAX_LINE - 7);
    free(msgs);
    ap_config_free(&c);

    ap_buf_reset(&b);
    ap_buf_adds(&b, "[organisation]\nteam = A\ncontact = ");
    while (b.len < 24 + AP_INI_MAX_LINE + 1)
        ap_buf_addch(&b, 'y'); /* one byte too many: inih alone would cut it */
    ap_buf_adds(&b, "\nname = B\n");
    CHECK_INT(load(b.buf, b.len, &c, &msgs, NULL), AP_ERR_INPUT);
    CHECK(strstr(msgs, "t.ini:3: error: line is 4001 bytes long, over the limit of 4000") != NULL);
    CHECK_STR(c.organisation, "B"); /* the lines after it are still read */
    CHECK_STR(c.contact, "");
    free(msgs);
    ap_config_free(&c);

    static const char nul[] = "[organisation]\nname = A\0B\n";
    CHECK_INT(load(nul, sizeof nul - 1, &c, &msgs, NULL), AP_ERR_INPUT);
    CHECK(strstr(msgs, "t.ini:2:9: error: NUL byte") != NULL);
    free(msgs);
    ap_config_free(&c);

    static const char three[] = "[organisation]\nfy_start_month = 13\nbogus = 1\n"
                                "[report]\nsample = perhaps\n";
    CHECK_INT(load(three, sizeof three - 1, &c, &msgs, &errors), AP_ERR_INPUT);
    CHECK_INT(errors, 3);
    CHECK(strstr(msgs, "t.ini:2:") && strstr(msgs, "t.ini:3:") && strstr(msgs, "t.ini:5:"));
    free(msgs);
    ap_config_free(&c);
    ap_buf_release(&b);
}

static void test_missing_file(void)
{
    struct ap_config c;
    struct ap_diag d;
    ap_diag_init(&d);
    char *buf = NULL;
    size_t len = 0;
    d.out = open_memstream(&buf, &len);
    ap_config_defaults(&c);
    char path[128];
    snprintf(path, sizeof path, "%s/no-such.ini", dir);
    CHECK_INT(ap_config_load(&c, path, &d), AP_ERR_IO);
    CHECK_INT(ap_config_load(&c, dir, &d), AP_ERR_IO); /* a folder cannot be read */
    fclose(d.out);
    CHECK(strstr(buf, "no-such.ini: error: cannot open: No such file or directory") != NULL);
    free(buf);
    ap_config_free(&c);
}

/* ap_ini on its own: the handler sees true line numbers. */
static long lines_seen[8];
static size_t nseen;
static int record(void *user, const char *section, const char *name, const char *value, long line)
{
    (void)user, (void)section, (void)name, (void)value;
    if (nseen < AP_ARRAY_LEN(lines_seen))
        lines_seen[nseen++] = line;
    return 1;
}

static void test_ini_lines(void)
{
    const char *text = "; c\n\n[a]\nx = 1\n\n\n# c\ny = 2\n[b]\nz=3";
    const char *path = write_file("l.ini", text, strlen(text));
    struct ap_diag d;
    ap_diag_init(&d);
    nseen = 0;
    CHECK_INT(ap_ini_parse(path, record, NULL, &d), AP_OK);
    CHECK_INT(nseen, 3);
    CHECK_INT(lines_seen[0], 4);
    CHECK_INT(lines_seen[1], 8);
    CHECK_INT(lines_seen[2], 10);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/ap-test-config-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 3;
    }
    test_defaults();
    test_good();
    test_bad();
    test_limits();
    test_missing_file();
    test_ini_lines();
    int rc = ap_test_done();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return rc;
}
