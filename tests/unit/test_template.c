/* Unit tests for ap_template: the shipped templates load; every kind of mistake
 * is reported at file:line with the offending value; placeholders expand. */
#include "ap_test.h"

#include <stdlib.h>
#include <unistd.h>

#include "ap_template.h"

static char dir[] = "/tmp/ap_test_template.XXXXXX";

/* Write text to dir/name.ini and return the path (caller frees). */
static char *write_ini(const char *name, const char *text)
{
    char *path = ap_xasprintf("%s/%s.ini", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

/* Load text as a template; returns the status and the messages in *msgs. */
static enum ap_status load_text(const char *name, const char *text, char **msgs, char **path_out)
{
    char *path = write_ini(name, text);
    struct ap_diag d;
    ap_diag_init(&d);
    d.out = tmpfile();
    struct ap_template t;
    enum ap_status st = ap_template_load(path, &t, &d);
    ap_template_free(&t);
    long n = ftell(d.out);
    rewind(d.out);
    *msgs = ap_xcalloc(1, (size_t)n + 1);
    if (fread(*msgs, 1, (size_t)n, d.out) != (size_t)n)
        (*msgs)[0] = '\0';
    fclose(d.out);
    *path_out = path;
    return st;
}

#define GOOD_HEAD                                                                                  \
    "[report]\n"                                                                                   \
    "title = T\n"                                                                                  \
    "audience = public\n"                                                                          \
    "sections = a\n"

static const struct {
    const char *name;
    const char *text;
    int line;         /* expected line in the message, 0: no line */
    const char *says; /* part of the message */
} bad_cases[] = {
    {"placeholder", GOOD_HEAD "[section a]\ntext = We have {children_supportd} children.\n", 6,
     "unknown placeholder '{children_supportd}'"},
    {"suffix", GOOD_HEAD "[section a]\ntext = {active_cases.rise}\n", 6,
     "unknown placeholder '{active_cases.rise}'"},
    {"unclosed", GOOD_HEAD "[section a]\ntext = {active_cases\n", 6, "no closing '}'"},
    {"lonebrace", GOOD_HEAD "[section a]\ntext = a } b\n", 6, "unmatched '}'"},
    {"reportkey", GOOD_HEAD "colour = blue\n[section a]\ntitle = A\n", 5,
     "unknown key 'colour' in [report]"},
    {"sectionkey", GOOD_HEAD "[section a]\nparagraph = x\n", 6,
     "unknown key 'paragraph' in [section a]"},
    {"section", GOOD_HEAD "[section a]\ntitle = A\n[appendix]\ntitle = B\n", 7,
     "unknown section '[appendix]'"},
    {"block", GOOD_HEAD "[section a]\nshow = headlines, pie\n", 6, "unknown block 'pie' in show"},
    {"headline",
     "[report]\ntitle = T\naudience = public\nheadlines = active_cases, cases\n"
     "sections = a\n[section a]\ntitle = A\n",
     4, "unknown metric 'cases' in headlines"},
    {"breakdownheadline",
     "[report]\ntitle = T\naudience = public\nheadlines = gender\n"
     "sections = a\n[section a]\ntitle = A\n",
     4, "'gender' is a breakdown"},
    {"undefined", GOOD_HEAD "[section b]\ntitle = B\n", 4,
     "section 'a' is listed in sections but there is no [section a]"},
    {"unlisted", GOOD_HEAD "[section a]\ntitle = A\n[section extra]\ntitle = E\n", 7,
     "[section extra] is not listed in sections"},
    {"audience", "[report]\ntitle = T\naudience = everyone\nsections = a\n[section a]\ntitle = A\n",
     3, "audience 'everyone' is not one of public, restricted"},
    {"publicnosupp", GOOD_HEAD "suppress = false\n[section a]\ntitle = A\n", 5,
     "a public template must suppress small numbers"},
    {"k", GOOD_HEAD "suppress_max = 0\n[section a]\ntitle = A\n", 5,
     "suppress_max '0' is not a whole number from 1 to 99"},
    {"twice", GOOD_HEAD "title = U\n[section a]\ntitle = A\n", 5,
     "'title' is given twice in [report] (first at line 2)"},
    {"emptysection", GOOD_HEAD "[section a]\n[section b]\n", 6,
     "[section b] is not listed in sections"},
    {"repeated", GOOD_HEAD "[section a]\ntitle = A\n[section a]\ntext = x\n", 7,
     "[section a] appears twice (first at line 5)"},
    {"outside", "title = T\n" GOOD_HEAD "[section a]\n", 1, "'title' is outside any section"},
    {"emptytext", GOOD_HEAD "[section a]\ntext2 =\n", 6, "text2 is empty"},
    {"notitle", "[report]\naudience = public\nsections = a\n[section a]\ntitle = A\n", 0,
     "template has no title"},
};

static void test_errors(void)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        char *msgs, *path;
        enum ap_status st = load_text(bad_cases[i].name, bad_cases[i].text, &msgs, &path);
        CHECK_INT(st, AP_ERR_INPUT);
        char *where = bad_cases[i].line ? ap_xasprintf("%s:%d: error: ", path, bad_cases[i].line)
                                        : ap_xasprintf("%s: error: ", path);
        bool ok = strstr(msgs, where) && strstr(msgs, bad_cases[i].says);
        if (!ok)
            fprintf(stderr, "case %s: wanted '%s...%s', got: %s", bad_cases[i].name, where,
                    bad_cases[i].says, msgs);
        CHECK(ok);
        free(where);
        free(msgs);
        unlink(path);
        free(path);
    }
}

static void test_good(void)
{
    char *msgs, *path;
    enum ap_status st = load_text(
        "good",
        "[report]\ntitle = T\nsubtitle = S\naudience = restricted\nmarking = OFFICIAL-SENSITIVE\n"
        "suppress_max = 3\nheadlines = active_cases, new_cases\nsections = b, a\n"
        "[section a]\ntitle = Alpha\ntext1 = One {active_cases}\nshow = summary, chart\n"
        "text2 = Two {{literal}}\n[section b]\nshow = headlines\nshow = notes\n",
        &msgs, &path);
    CHECK_INT(st, AP_OK);
    CHECK_STR(msgs, "");
    struct ap_diag d;
    ap_diag_init(&d);
    struct ap_template t;
    CHECK_INT(ap_template_load(path, &t, &d), AP_OK);
    CHECK_STR(t.name, "good");
    CHECK_STR(t.title, "T");
    CHECK_STR(t.subtitle, "S");
    CHECK_STR(t.marking, "OFFICIAL-SENSITIVE");
    CHECK(!t.public_);
    CHECK(!t.suppress); /* restricted: off unless asked for */
    CHECK_INT(t.suppress_max, 3);
    CHECK_INT(t.nheadlines, 2);
    CHECK_INT(t.headlines[0], AP_M_ACTIVE_CASES);
    CHECK_INT(t.headlines[1], AP_M_NEW_CASES);
    CHECK_INT(t.nsections, 2);
    CHECK_STR(t.sections[0].id, "b"); /* the order of `sections =` */
    CHECK_STR(t.sections[0].title, "b");
    CHECK_INT(t.sections[0].nblocks, 2);
    CHECK_INT(t.sections[0].blocks[0].kind, AP_TB_HEADLINES);
    CHECK_INT(t.sections[0].blocks[1].kind, AP_TB_NOTES);
    CHECK_STR(t.sections[1].title, "Alpha");
    CHECK_INT(t.sections[1].nblocks, 4); /* in the order written */
    CHECK_INT(t.sections[1].blocks[0].kind, AP_TB_TEXT);
    CHECK_INT(t.sections[1].blocks[0].line, 11);
    CHECK_INT(t.sections[1].blocks[1].kind, AP_TB_TABLE);
    CHECK_INT(t.sections[1].blocks[1].table, AP_TBL_SUMMARY);
    CHECK_INT(t.sections[1].blocks[2].kind, AP_TB_CHART);
    CHECK_INT(t.sections[1].blocks[3].kind, AP_TB_TEXT);
    ap_template_free(&t);
    ap_template_free(&t); /* freeing twice is harmless: free leaves it empty */
    free(msgs);
    unlink(path);
    free(path);
}

static void test_shipped(void)
{
    const char *src = getenv("AP_SOURCE_DIR");
    if (!src)
        src = ".";
    static const struct {
        const char *name;
        bool public_;
        const char *marking;
    } shipped[] = {{"cabinet", true, "OFFICIAL"}, {"board", false, "OFFICIAL-SENSITIVE"}};
    for (size_t i = 0; i < 2; i++) {
        char *path = ap_xasprintf("%s/templates/%s.ini", src, shipped[i].name);
        struct ap_diag d;
        ap_diag_init(&d);
        struct ap_template t;
        CHECK_INT(ap_template_load(path, &t, &d), AP_OK);
        CHECK_STR(t.name, shipped[i].name);
        CHECK_INT(t.public_, shipped[i].public_);
        CHECK_INT(t.suppress, shipped[i].public_);
        CHECK_INT(t.suppress_max, 5);
        CHECK_STR(t.marking, shipped[i].marking);
        CHECK(t.nsections >= 8);
        ap_template_free(&t);
        free(path);
    }
    /* --template NAME finds the shipped file; a path is used as given. */
    struct ap_diag d;
    ap_diag_init(&d);
    char *found = NULL;
    CHECK_INT(ap_template_find("board", &found, &d), AP_OK);
    CHECK(found && strstr(found, "/board.ini"));
    free(found);
    d.out = fopen("/dev/null", "w");
    CHECK_INT(ap_template_find("nosuch", &found, &d), AP_ERR_INPUT);
    CHECK(found == NULL);
    CHECK_INT(ap_template_find("/nonexistent/x.ini", &found, &d), AP_ERR_INPUT);
    fclose(d.out);
}

static bool fill(void *user, const char *name, struct ap_buf *out)
{
    (void)user;
    if (!strcmp(name, "active_cases")) {
        ap_buf_adds(out, "38");
        return true;
    }
    if (!strcmp(name, "new_cases")) {
        ap_buf_adds(out, "[c]");
        return true;
    }
    return false;
}

static void test_expand(void)
{
    static const struct {
        const char *in, *out;
        enum ap_status st;
    } cases[] = {
        {"plain", "plain", AP_OK},
        {"{active_cases} open, {new_cases} new", "38 open, [c] new", AP_OK},
        {"{{braces}} stay", "{braces} stay", AP_OK},
        {"{nope}", "", AP_ERR_INPUT},
        {"{active_cases", "", AP_ERR_INPUT},
        {"", "", AP_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ap_buf b = AP_BUF_INIT;
        CHECK_INT(ap_template_expand(cases[i].in, fill, NULL, &b), cases[i].st);
        if (cases[i].st == AP_OK)
            CHECK_STR(b.buf, cases[i].out);
        ap_buf_release(&b);
    }
    CHECK(ap_template_placeholder_known("children_supported"));
    CHECK(ap_template_placeholder_known("children_supported.change_year"));
    CHECK(ap_template_placeholder_known("period"));
    CHECK(ap_template_placeholder_known("pct_offered_72h"));
    CHECK(!ap_template_placeholder_known("children"));
    CHECK(!ap_template_placeholder_known("children_supported.bogus"));
    CHECK(!ap_template_placeholder_known("period.change"));
    CHECK(!ap_template_placeholder_known(""));
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_errors();
    test_good();
    test_shipped();
    test_expand();
    rmdir(dir);
    return ap_test_done();
}
