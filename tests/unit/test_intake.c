/* Unit tests for the intake: labels (codes, report labels, case, spaces,
 * typographic apostrophes), Windows-1252 conversion, slash dates in both
 * orders, profile parsing (values, labels, errors at their lines), and a
 * source that maps a profile's headers and labels onto canonical rows. */
#define _POSIX_C_SOURCE 200809L /* open_memstream, mkdtemp */
#include "ap_test.h"
#include <stdlib.h>
#include <unistd.h>

#include "ap_enum.h"
#include "ap_intake.h"
#include "ap_profile.h"

static char dir[64];

static const char *write_file(const char *name, const char *text)
{
    static char path[2][128];
    static int k;
    k = !k;
    snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
    FILE *f = fopen(path[k], "wb");
    if (!f) {
        perror(path[k]);
        exit(3);
    }
    fputs(text, f);
    fclose(f);
    return path[k];
}

static void test_labels(void)
{
    static const struct {
        enum ap_enum_id e;
        const char *s;
        const char *want; /* NULL: no match */
    } cases[] = {
        {AP_ENUM_REFERRAL_SOURCE, "social_care", "social_care"},
        {AP_ENUM_REFERRAL_SOURCE, "Children's social care", "social_care"},
        {AP_ENUM_REFERRAL_SOURCE, "  CHILDREN'S SOCIAL CARE\t", "social_care"},
        {AP_ENUM_REFERRAL_SOURCE, "Children\xe2\x80\x99s Social Care", "social_care"},
        {AP_ENUM_REFERRAL_SOURCE, "SOCIAL_CARE ", "social_care"},
        {AP_ENUM_REFERRAL_SOURCE, "School or college", "education"},
        {AP_ENUM_REFERRAL_SOURCE, "Children social care", NULL},
        {AP_ENUM_REFERRAL_SOURCE, "CSC", NULL},
        {AP_ENUM_GENDER, "Not known", "unknown"},
        {AP_ENUM_ETHNICITY, "asian or asian british", "asian"},
        {AP_ENUM_PERP_ACTION, "Child abduction warning notice", "cawn"},
        {AP_ENUM_PERP_ACTION, "Other action", "other"},
        {AP_ENUM_RISK_LEVEL, "", NULL},
        {AP_ENUM_RISK_LEVEL, "hi", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = ap_enum_match(cases[i].e, cases[i].s, strlen(cases[i].s));
        if (!cases[i].want) {
            CHECK_INT(got, -1);
            continue;
        }
        CHECK(got >= 0);
        if (got >= 0)
            CHECK_STR(ap_enums[cases[i].e].values[got], cases[i].want);
    }
    CHECK(ap_label_equal("Police - CSE Unit", 17, " police - cse unit ", 19));
    CHECK(!ap_label_equal("Police", 6, "Police - CSE Unit", 17));
}

/* Every enumerated column of every table takes each of its codes and each of
 * its report labels in upper, lower and mixed case with spaces around, and
 * nothing in one vocabulary means two things. */
static void test_labels_every_column(void)
{
    size_t checked = 0;
    for (int t = 0; t < AP_T_COUNT; t++) {
        for (size_t c = 0; c < ap_schema[t].ncols; c++) {
            const struct ap_coldef *cd = &ap_schema[t].cols[c];
            if (cd->kind != AP_K_ENUM)
                continue;
            const struct ap_enum *en = &ap_enums[cd->en];
            CHECK_STR(en->column, cd->name);
            for (size_t i = 0; i < en->n; i++) {
                const char *forms[2] = {en->values[i], en->labels[i]};
                for (int f = 0; f < 2; f++) {
                    char up[128], low[128], spaced[140];
                    size_t n = strlen(forms[f]);
                    CHECK(n < sizeof up);
                    for (size_t k = 0; k <= n; k++) {
                        char ch = forms[f][k];
                        up[k] = ch >= 'a' && ch <= 'z' ? (char)(ch - 'a' + 'A') : ch;
                        low[k] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
                    }
                    snprintf(spaced, sizeof spaced, " \t%s  ", up);
                    const char *tries[4] = {forms[f], up, low, spaced};
                    for (int k = 0; k < 4; k++) {
                        int got = ap_enum_match(cd->en, tries[k], strlen(tries[k]));
                        if (got != (int)i)
                            fprintf(stderr, "%s.%s: '%s' gives %d, not %zu\n",
                                    ap_table_names[t], cd->name, tries[k], got, i);
                        CHECK_INT(got, (int)i);
                        checked++;
                    }
                }
            }
        }
    }
    CHECK_INT((long)checked, 8L * (4 + 6 + 3 + 8 + 7 + 4 + 16 + 3 + 3));
}

/* The schema is the one list of columns: every column says what to enter
 * (the input workbook's notes sheet is written from it). */
static void test_schema_notes(void)
{
    for (int t = 0; t < AP_T_COUNT; t++) {
        CHECK(ap_schema[t].ncols > 0 && ap_schema[t].ncols <= AP_MAX_COLS);
        for (size_t c = 0; c < ap_schema[t].ncols; c++) {
            const char *note = ap_schema[t].cols[c].note;
            CHECK(note != NULL && strlen(note) > 10);
            if (note)
                CHECK(note[strlen(note) - 1] == '.');
        }
    }
}

static void test_cp1252(void)
{
    struct ap_buf b = AP_BUF_INIT;
    /* £ ’ € é – and plain ASCII */
    const char in[] = "\xa3\x35 \x92 \x80 \xe9 \x96 ok";
    CHECK_INT(ap_cp1252_to_utf8(in, strlen(in), &b), strlen(in));
    CHECK_STR(b.buf, "\xc2\xa3"
                     "5 \xe2\x80\x99 \xe2\x82\xac \xc3\xa9 \xe2\x80\x93 ok");
    static const char undefined[] = {(char)0x81, (char)0x8D, (char)0x8F, (char)0x90, (char)0x9D};
    for (size_t i = 0; i < sizeof undefined; i++) {
        char s[3] = {'a', undefined[i], 'b'};
        ap_buf_reset(&b);
        CHECK_INT(ap_cp1252_to_utf8(s, 3, &b), 1);
        CHECK(!ap_cp1252_valid(s, 3));
    }
    CHECK(ap_cp1252_valid("\x92\xa3", 2));
    ap_buf_release(&b);
}

static void test_slash_dates(void)
{
    static const struct {
        const char *s;
        enum ap_date_order o;
        int r;
        const char *want;
    } cases[] = {
        {"03/04/2017", AP_DATES_DMY, 1, "2017-04-03"},
        {"03/04/2017", AP_DATES_MDY, 1, "2017-03-04"},
        {"3/4/2017", AP_DATES_DMY, 1, "2017-04-03"},
        {"05/04/2018 22:00", AP_DATES_DMY, 1, "2018-04-05 22:00"},
        {"05/04/2018 9:05:30", AP_DATES_MDY, 1, "2018-05-04 09:05:30"},
        {"13/05/2017", AP_DATES_MDY, -1, NULL},
        {"31/04/2017", AP_DATES_DMY, -1, NULL},
        {"29/02/2017", AP_DATES_DMY, -1, NULL},
        {"01/01/2017 24:00", AP_DATES_DMY, -1, NULL},
        {"2017/01/01", AP_DATES_DMY, 0, NULL},
        {"1/1/17", AP_DATES_DMY, 0, NULL},
        {"01/01/2017x", AP_DATES_DMY, 0, NULL},
        {"001/01/2017", AP_DATES_DMY, 0, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[20];
        const char *why = NULL;
        int r = ap_slash_date(cases[i].s, strlen(cases[i].s), cases[i].o, out, &why);
        CHECK_INT(r, cases[i].r);
        if (r > 0)
            CHECK_STR(out, cases[i].want);
        if (r < 0)
            CHECK(why != NULL);
    }
}

/* Load a profile; the messages go to *msgs (caller frees). */
static enum ap_status load(const char *text, struct ap_profile **p, char **msgs)
{
    const char *path = write_file("p.ini", text);
    struct ap_diag d;
    size_t len;
    ap_diag_init(&d);
    d.out = open_memstream(msgs, &len);
    enum ap_status st = ap_profile_load(path, p, &d);
    fclose(d.out);
    return st;
}

static void test_profile(void)
{
    struct ap_profile *p = NULL;
    char *msgs = NULL;
    enum ap_status st = load("; draft\n[source]\ndates = MDY ; US export\nencoding = cp1252\n"
                             "[cases]\nfile = \"Tracker*.xlsx\"\nsheet = Open and closed\n"
                             "header_row = 3\ncase_id = Case Ref\n"
                             "[cases.referral_source]\npolice = Police - CSE Unit\npolice = PPU\n"
                             "social_care = CSC\n",
                             &p, &msgs);
    CHECK_INT(st, AP_OK);
    CHECK_STR(msgs, "");
    if (p) {
        CHECK_INT(p->dates, AP_DATES_MDY);
        CHECK_INT(p->encoding, AP_ENC_CP1252);
        CHECK_STR(p->t[AP_T_CASES].file, "Tracker*.xlsx");
        CHECK_STR(p->t[AP_T_CASES].sheet, "Open and closed");
        CHECK_INT(p->t[AP_T_CASES].header_row, 3);
        CHECK_INT(p->t[AP_T_CHILDREN].header_row, 1);
        CHECK_STR(p->t[AP_T_CASES].col[0], "Case Ref");
        CHECK_INT(ap_profile_label(p, AP_T_CASES, 5, " ppu ", 5), 0);
        CHECK_INT(ap_profile_label(p, AP_T_CASES, 5, "csc", 3), 1);
        CHECK_INT(ap_profile_label(p, AP_T_CASES, 5, "School", 6), -1);
    }
    ap_profile_free(p);
    free(msgs);

    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"[source]\ndates = YMD\n", "p.ini:2: error: dates 'YMD' is not DMY or MDY"},
        {"[source]\nencoding = latin-9\n", "p.ini:2: error: encoding 'latin-9' is not utf-8 or"},
        {"[cases]\nheader_row = 0\n", "p.ini:2: error: header_row '0' is not a row number"},
        {"[cases]\ncase_ref = X\n", "p.ini:2: error: unknown key 'case_ref' in [cases]"},
        {"[cases]\ncase_id = ?\n", "p.ini:2: error: case_id = ? is a draft's question"},
        {"\n[cases.risk_level]\n? = Red\n", "p.ini:3: error: 'Red' is still under '?'"},
        {"[cases.risk_level]\nsevere = Red\n", "p.ini:2: error: 'severe' is not a risk_level code"},
        {"[cases.risk_level]\nhigh = Red\nlow = red\n",
         "p.ini:3: error: label 'red' is given to low here and to high at line 2"},
        {"[cases.area]\nx = y\n", "p.ini:1: error: section [cases.area] is not an enumerated"},
        {"[kids]\n", "p.ini:1: error: unknown section [kids]"},
        {"[cases]\nfile = a\nfile = b\n", "p.ini:3: error: file is given twice in [cases]"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p = NULL;
        msgs = NULL;
        st = load(bad[i].text, &p, &msgs);
        CHECK_INT(st, AP_ERR_INPUT);
        CHECK(p == NULL);
        if (!strstr(msgs, bad[i].msg))
            fprintf(stderr, "case %zu: got %s\n", i, msgs);
        CHECK(strstr(msgs, bad[i].msg) != NULL);
        free(msgs);
    }
}

/* A profile's headers, labels, header row and dates through a source. */
static void test_source(void)
{
    struct ap_profile *p = NULL;
    char *msgs = NULL;
    const char *csv = write_file("Tracker.csv", "Title\n\nRef,Person,Opened,Source,Risk\n"
                                                "K1,C1,05/04/2018 10:00,PPU, high \n"
                                                "K2,C2,2018-04-06,Children's social care,\n");
    CHECK_INT(load("[cases]\nfile = tracker.csv\nheader_row = 3\ncase_id = ref\n"
                   "child_id = PERSON\nopened_on = Opened\nreferral_source = Source\n"
                   "risk_level = Risk\n[cases.referral_source]\npolice = ppu\n",
                   &p, &msgs),
              AP_OK);
    free(msgs);
    struct ap_diag d;
    size_t len;
    ap_diag_init(&d);
    msgs = NULL;
    d.out = open_memstream(&msgs, &len);
    struct ap_intake *in = NULL;
    struct ap_source *src = NULL;
    const char *paths[] = {dir};
    CHECK_INT(ap_intake_plan(paths, 1, p, &in, &d), AP_OK);
    if (in) {
        CHECK_STR(ap_intake_name(in, AP_T_CASES), csv);
        CHECK(ap_intake_name(in, AP_T_CHILDREN) == NULL);
        CHECK_INT(ap_source_open(in, AP_T_CASES, &src, &d), AP_OK);
    }
    if (src) {
        struct ap_row row;
        CHECK_INT(ap_source_columns(src)[0], 0);
        CHECK_INT(ap_source_next(src, &row, &d), 1);
        CHECK_INT(row.line, 4);
        CHECK_STR(row.f[0].s, "K1");
        CHECK_STR(row.f[2].s, "2018-04-05");
        CHECK_STR(row.f[4].s, "high");
        CHECK_STR(row.f[5].s, "police");
        CHECK(row.f[3].s == NULL && row.f[6].s == NULL);
        CHECK_INT(ap_source_next(src, &row, &d), 1);
        CHECK_STR(row.f[5].s, "social_care");
        CHECK_INT(row.f[4].len, 0);
        CHECK_INT(ap_source_next(src, &row, &d), 0);
    }
    ap_source_free(src);
    ap_intake_free(in);
    ap_profile_free(p);
    fclose(d.out);
    CHECK(strstr(msgs, "error") == NULL); /* only the note that p.ini is not read */
    free(msgs);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/ap-intake-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 3;
    }
    test_labels();
    test_labels_every_column();
    test_schema_notes();
    test_cp1252();
    test_slash_dates();
    test_profile();
    test_source();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return ap_test_done();
}
