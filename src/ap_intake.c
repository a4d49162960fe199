/*
 * ap_intake: from the files of an export to canonical rows (see ap_intake.h).
 *
 * The plain path (no profile, UTF-8 CSV named after its tables) must cost
 * what reading the CSV did before: a field is validated once, an enumerated
 * value is found among the codes first, and only a value holding '/' is looked
 * at as a date to rewrite.
 */
#include "ap_intake.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ap_csv.h"
#include "ap_date.h"
#include "ap_keyset.h"
#include "ap_xlsx.h"

/* Where one table is read from. */
struct spec {
    char *path;      /* the file, or NULL: the export does not give the table */
    char *sheet;     /* a workbook's sheet (its own spelling), or NULL for CSV */
    char *name;      /* for messages: the path as found, "book.xlsx[Sheet]" for a sheet */
    long header_row; /* 1-based */
    bool shared;     /* another table is read from the same file and sheet */
    bool first;      /* the first table read from it: it notes the ignored columns */
};

/* The same file, and the same sheet of it. */
static bool same_source(const struct spec *a, const struct spec *b)
{
    return a->path && b->path && !strcmp(a->path, b->path) &&
           (a->sheet ? b->sheet && !ap_strcasecmp(a->sheet, b->sheet) : !b->sheet);
}

struct ap_intake {
    const struct ap_profile *prof; /* borrowed; NULL without a profile */
    struct spec s[AP_T_COUNT];
    char **files; /* distinct files, in table order */
    size_t nfiles, falloc;
    /* The workbook last opened (to plan, or for a sheet read), kept open for
     * the next sheet of the same file: opening one reads its shared strings
     * and styles again. */
    struct ap_xlsx *wb;
    char *wb_path;
};

struct ap_source {
    struct ap_intake *in;
    enum ap_table_id t;
    const struct spec *sp;
    struct ap_csv *csv;
    struct ap_xlsx *x; /* a workbook sheet instead of csv */
    bool date1904;     /* the workbook's date system */
    bool cp1252;       /* the profile says the files are Windows-1252 */
    bool utf8_seen;    /* ... but a field was UTF-8 (reported once) */
    int fcol[AP_MAX_COLS];
    size_t width;                   /* fields in the header */
    struct ap_buf val[AP_MAX_COLS]; /* converted values of the current row */
    char date[AP_MAX_COLS][20];     /* rewritten dates of the current row */
    struct ap_buf m1, m2, list;     /* message scratch */
    /* Shared sources: the rows seen, by key (value: offset of the line and
     * the canonical row in rows), so that repeats collapse. */
    struct ap_keyset *seen;
    struct ap_buf rows, key, cur;
};

/* ---------------------------------------------------------------- encodings */

/* Windows-1252's 0x80..0x9F; 0 where it defines no character. 0xA0..0xFF are
 * Latin-1, the code points of the same number. */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

size_t ap_cp1252_to_utf8(const char *s, size_t n, struct ap_buf *out)
{
    ap_buf_grow(out, n * 3);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        unsigned cp = c;
        if (c < 0x80) {
            ap_buf_addch(out, (char)c);
            continue;
        }
        if (c < 0xA0 && !(cp = cp1252_high[c - 0x80]))
            return i;
        char u[3];
        if (cp < 0x800) {
            u[0] = (char)(0xC0 | cp >> 6);
            u[1] = (char)(0x80 | (cp & 0x3F));
            ap_buf_add(out, u, 2);
        } else {
            u[0] = (char)(0xE0 | cp >> 12);
            u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
            u[2] = (char)(0x80 | (cp & 0x3F));
            ap_buf_add(out, u, 3);
        }
    }
    return n;
}

bool ap_cp1252_valid(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 && c < 0xA0 && !cp1252_high[c - 0x80])
            return false;
    }
    return true;
}

/* ---------------------------------------------------------------- dates */

/* Digits at s[*i..n), at least min and at most max of them, into *v. */
static bool take_digits(const char *s, size_t n, size_t *i, int min, int max, int *v)
{
    int k = 0, x = 0;
    while (*i < n && k < max && s[*i] >= '0' && s[*i] <= '9') {
        x = x * 10 + (s[*i] - '0');
        (*i)++, k++;
    }
    *v = x;
    return k >= min && !(*i < n && s[*i] >= '0' && s[*i] <= '9');
}

static void put2(char *out, int v)
{
    out[0] = (char)('0' + v / 10 % 10);
    out[1] = (char)('0' + v % 10);
}

int ap_slash_date(const char *s, size_t n, enum ap_date_order order, char out[20], const char **why)
{
    size_t i = 0;
    int a, b, y, hh = -1, mm = 0, ss = -1;
    if (!take_digits(s, n, &i, 1, 2, &a) || i >= n || s[i++] != '/' ||
        !take_digits(s, n, &i, 1, 2, &b) || i >= n || s[i++] != '/' ||
        !take_digits(s, n, &i, 4, 4, &y))
        return 0;
    if (i < n) {
        if (s[i] != ' ' && s[i] != 'T')
            return 0;
        i++;
        if (!take_digits(s, n, &i, 1, 2, &hh) || i >= n || s[i++] != ':' ||
            !take_digits(s, n, &i, 2, 2, &mm))
            return 0;
        if (i < n && (s[i++] != ':' || !take_digits(s, n, &i, 2, 2, &ss)))
            return 0;
        if (i != n)
            return 0;
    }
    int d = order == AP_DATES_MDY ? b : a, m = order == AP_DATES_MDY ? a : b;
    if (m < 1 || m > 12) {
        *why = order == AP_DATES_MDY ? "the month (first, as the profile reads dates MDY) is "
                                       "not between 1 and 12"
                                     : "the month (second, as dates are read DMY) is not "
                                       "between 1 and 12";
        return -1;
    }
    if (y < AP_YEAR_MIN || y > AP_YEAR_MAX) {
        *why = "the year is outside 1900 to 2199";
        return -1;
    }
    if (d < 1 || d > ap_days_in_month(y, m)) {
        *why = m == 2 && d == 29 ? "29 February does not exist in that year"
                                 : "that day does not exist in that month";
        return -1;
    }
    if (hh > 23 || mm > 59 || ss > 59) {
        *why = "the time is not a real time of day (00:00 to 23:59:59)";
        return -1;
    }
    put2(out, y / 100);
    put2(out + 2, y % 100);
    out[4] = '-';
    put2(out + 5, m);
    out[7] = '-';
    put2(out + 8, d);
    size_t k = 10;
    if (hh >= 0) {
        out[10] = ' ';
        put2(out + 11, hh);
        out[13] = ':';
        put2(out + 14, mm);
        k = 16;
        if (ss >= 0) {
            out[16] = ':';
            put2(out + 17, ss);
            k = 19;
        }
    }
    out[k] = '\0';
    return 1;
}

/* ---------------------------------------------------------------- the plan */

static void allowed_files(struct ap_buf *b)
{
    for (int t = 0; t < AP_T_COUNT; t++)
        ap_buf_addf(b, "%s%s",
                    t == 0                ? ""
                    : t == AP_T_COUNT - 1 ? " or "
                                          : ", ",
                    ap_table_files[t]);
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

static bool is_workbook(const char *path)
{
    size_t n = strlen(path);
    return n > 5 && !ap_strcasecmp(path + n - 5, ".xlsx");
}

/* Take path for table t. A second file for one table is an error. */
static void set_spec(struct spec *sp, const char *path, const char *sheet, long header_row)
{
    sp->path = ap_xstrdup(path);
    sp->sheet = ap_xstrdup(sheet);
    sp->name = sheet ? ap_xasprintf("%s[%s]", path, sheet) : ap_xstrdup(path);
    sp->header_row = header_row;
}

static bool claim(struct ap_intake *in, int t, const char *path, const char *sheet,
                  struct ap_diag *d)
{
    if (in->s[t].path) {
        char *name = sheet ? ap_xasprintf("%s[%s]", path, sheet) : ap_xstrdup(path);
        ap_diag_report(d, AP_ERROR, AP_ERR_INPUT, name, 0, 0,
                       "a second file for the %s table (the first is '%s'); give each table "
                       "once",
                       ap_table_names[t], in->s[t].name);
        free(name);
        return false;
    }
    set_spec(&in->s[t], path, sheet, 1);
    return true;
}

/* Keep workbook x of path open for the first sheet read from it (see
 * ap_intake.wb); close it if one is kept already. */
static void keep_workbook(struct ap_intake *in, const char *path, struct ap_xlsx *x)
{
    if (!x || in->wb) {
        ap_xlsx_close(x);
        return;
    }
    free(in->wb_path);
    in->wb_path = ap_xstrdup(path);
    in->wb = x;
}

/* Without a profile, a workbook's sheets named after tables (as `actionplan
 * workbook` writes them) are those tables; other sheets are noted. *found
 * counts the sheets taken. */
static enum ap_status claim_sheets(struct ap_intake *in, const char *path, size_t *found,
                                   struct ap_diag *d)
{
    struct ap_xlsx *x = NULL;
    enum ap_status st = ap_xlsx_open(path, &x, d);
    if (st != AP_OK)
        return st;
    for (size_t i = 0; i < ap_xlsx_nsheets(x); i++) {
        const char *sheet = ap_xlsx_sheet_name(x, i);
        int t = ap_schema_table(sheet);
        if (t < 0)
            continue;
        (*found)++;
        if (!claim(in, t, path, sheet, d))
            st = AP_ERR_INPUT;
    }
    keep_workbook(in, path, x);
    return st;
}

/* Which table a file name stands for without a profile, or -1. */
static int table_of(const char *path)
{
    for (int t = 0; t < AP_T_COUNT; t++)
        if (!ap_strcasecmp(base_name(path), ap_table_files[t]))
            return t;
    return -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of folder dir, sorted, as full paths (caller frees each
 * and the array). Reports and returns false if it cannot be read. */
static bool list_folder(const char *dir, char ***out, size_t *nout, struct ap_diag *d)
{
    DIR *dp = opendir(dir);
    *out = NULL;
    *nout = 0;
    if (!dp) {
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, dir, 0, 0, "cannot read the folder: %s",
                       strerror(errno));
        return false;
    }
    char **names = NULL;
    size_t n = 0, alloc = 0, len = strlen(dir);
    bool slash = len > 0 && dir[len - 1] == '/';
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        ap_grow((void **)&names, sizeof *names, n + 1, &alloc);
        names[n++] = ap_xasprintf("%s%s%s", dir, slash ? "" : "/", e->d_name);
    }
    if (closedir(dp) != 0) {
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, dir, 0, 0, "cannot read the folder: %s",
                       strerror(errno));
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        return false;
    }
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    *out = names;
    *nout = n;
    return true;
}

static bool is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Without a profile: the tables' files by name, as SPEC.md's Part 1 says. */
static enum ap_status scan_folder(struct ap_intake *in, const char *dir, struct ap_diag *d)
{
    char **names;
    size_t n, found = 0, skipped = 0;
    if (!list_folder(dir, &names, &n, d))
        return AP_ERR_IO;
    enum ap_status st = AP_OK;
    for (size_t i = 0; i < n; i++) {
        int t = table_of(names[i]);
        size_t before = found;
        if (t >= 0 && is_file(names[i])) {
            found++;
            if (!claim(in, t, names[i], NULL, d))
                st = AP_ERR_INPUT;
        } else if (is_workbook(names[i]) && is_file(names[i])) {
            st = ap_status_worst(st, claim_sheets(in, names[i], &found, d));
            if (found == before)
                ap_diag_report(d, AP_NOTE, AP_OK, names[i], 0, 0,
                               "not read: no sheet of this workbook is named after a table");
        } else {
            ap_diag_report(d, AP_NOTE, AP_OK, names[i], 0, 0,
                           "not read: only files named after a table are imported");
            skipped++;
        }
        free(names[i]);
    }
    free(names);
    if (skipped)
        ap_diag_report(d, AP_NOTE, AP_OK, dir, 0, 0,
                       "%zu file%s not read; if %s the export in its own shape (its own file "
                       "and column names), draft a profile for it with: actionplan map %s",
                       skipped, skipped == 1 ? " was" : "s were",
                       skipped == 1 ? "it is" : "they are", dir);
    if (found == 0) {
        struct ap_buf list = AP_BUF_INIT;
        allowed_files(&list);
        ap_diag_report(d, AP_ERROR, AP_ERR_INPUT, dir, 0, 0,
                       "the folder holds none of the import files (%s)", list.buf);
        ap_buf_release(&list);
        st = AP_ERR_INPUT;
    }
    return st;
}

static enum ap_status plan_by_name(struct ap_intake *in, const char *const *paths, size_t npaths,
                                   struct ap_diag *d)
{
    enum ap_status st = AP_OK;
    for (size_t i = 0; i < npaths; i++) {
        struct stat sb;
        if (stat(paths[i], &sb) != 0) {
            ap_diag_report(d, AP_ERROR, AP_ERR_IO, paths[i], 0, 0, "cannot read: %s",
                           strerror(errno));
            st = ap_status_worst(st, AP_ERR_IO);
            continue;
        }
        if (S_ISDIR(sb.st_mode)) {
            st = ap_status_worst(st, scan_folder(in, paths[i], d));
            continue;
        }
        int t = table_of(paths[i]);
        if (t < 0 && is_workbook(paths[i])) {
            size_t found = 0;
            enum ap_status ws = claim_sheets(in, paths[i], &found, d);
            if (ws == AP_OK && !found) {
                ap_diag_input(d, paths[i], 0, 0,
                              "no sheet of this workbook is named after a table (children, "
                              "cases, ...); name the sheets so, or map them with a profile "
                              "(--profile)");
                ws = AP_ERR_INPUT;
            }
            st = ap_status_worst(st, ws);
        } else if (t < 0) {
            struct ap_buf list = AP_BUF_INIT;
            allowed_files(&list);
            ap_diag_report(d, AP_ERROR, AP_ERR_INPUT, paths[i], 0, 0,
                           "not an import file name; name each file after its table: %s, or "
                           "map the export's own names with a profile (--profile)",
                           list.buf);
            ap_buf_release(&list);
            st = ap_status_worst(st, AP_ERR_INPUT);
        } else if (!claim(in, t, paths[i], NULL, d)) {
            st = ap_status_worst(st, AP_ERR_INPUT);
        }
    }
    return st;
}

/* fnmatch, ASCII case-insensitively (both sides folded to lower case). */
static bool glob_match(const char *pattern, const char *name)
{
    char *p = ap_xstrdup(pattern), *n = ap_xstrdup(name);
    for (char *c = p; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    for (char *c = n; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    bool m = fnmatch(p, n, 0) == 0;
    free(p);
    free(n);
    return m;
}

/* A file of the export, and whether a table reads it. */
struct cand {
    char *path;
    bool given; /* named on the command line, not found in a folder */
    bool used;
};

static void add_cand(struct cand **c, size_t *n, size_t *alloc, char *path, bool given)
{
    ap_grow((void **)c, sizeof **c, *n + 1, alloc);
    (*c)[*n].path = path;
    (*c)[*n].given = given;
    (*c)[*n].used = false;
    (*n)++;
}

/* Table t is read from path: for a workbook, find the profile's sheet (or
 * the first) and keep its own spelling. */
static enum ap_status plan_sheet(struct ap_intake *in, enum ap_table_id t, const char *path,
                                 struct ap_diag *d)
{
    const struct ap_profile *p = in->prof;
    const struct ap_profile_table *pt = &p->t[t];
    if (!is_workbook(path)) {
        if (pt->sheet) {
            ap_diag_input(d, p->path, pt->sheet_line, 0,
                          "sheet is for a workbook (.xlsx), but [%s] is read from the CSV file "
                          "'%s'; remove the line",
                          ap_table_names[t], path);
            return AP_ERR_INPUT;
        }
        set_spec(&in->s[t], path, NULL, pt->header_row);
        return AP_OK;
    }
    struct ap_xlsx *x = NULL;
    enum ap_status st = ap_xlsx_open(path, &x, d);
    if (st != AP_OK)
        return st;
    long i = pt->sheet ? ap_xlsx_sheet_find(x, pt->sheet) : 0;
    if (i < 0 || ap_xlsx_nsheets(x) == 0) {
        struct ap_buf list = AP_BUF_INIT;
        for (size_t k = 0; k < ap_xlsx_nsheets(x); k++)
            ap_buf_addf(&list, "%s'%s'", k ? ", " : "", ap_xlsx_sheet_name(x, k));
        ap_diag_input(d, p->path, pt->sheet ? pt->sheet_line : pt->file_line, 0,
                      "'%s' has no sheet '%s'; its sheets are %s", path, pt->sheet ? pt->sheet : "",
                      list.len ? list.buf : "none");
        ap_buf_release(&list);
        st = AP_ERR_INPUT;
    } else {
        set_spec(&in->s[t], path, ap_xlsx_sheet_name(x, (size_t)i), pt->header_row);
    }
    keep_workbook(in, path, x);
    return st;
}

/* With a profile: each table's file by its glob (or its own name). */
static enum ap_status plan_by_profile(struct ap_intake *in, const char *const *paths, size_t npaths,
                                      struct ap_diag *d)
{
    const struct ap_profile *p = in->prof;
    enum ap_status st = AP_OK;
    struct cand *c = NULL;
    size_t nc = 0, calloc_ = 0;
    struct ap_buf where = AP_BUF_INIT, list = AP_BUF_INIT;
    for (size_t i = 0; i < npaths; i++) {
        struct stat sb;
        if (stat(paths[i], &sb) != 0) {
            ap_diag_report(d, AP_ERROR, AP_ERR_IO, paths[i], 0, 0, "cannot read: %s",
                           strerror(errno));
            st = ap_status_worst(st, AP_ERR_IO);
            continue;
        }
        ap_buf_addf(&where, "%s'%s'", where.len ? ", " : "", paths[i]);
        if (!S_ISDIR(sb.st_mode)) {
            add_cand(&c, &nc, &calloc_, ap_xstrdup(paths[i]), true);
            continue;
        }
        char **names;
        size_t n;
        if (!list_folder(paths[i], &names, &n, d)) {
            st = ap_status_worst(st, AP_ERR_IO);
            continue;
        }
        for (size_t k = 0; k < n; k++) {
            if (is_file(names[k]))
                add_cand(&c, &nc, &calloc_, names[k], false);
            else
                free(names[k]);
        }
        free(names);
    }
    if (st != AP_OK)
        goto done;
    for (int t = 0; t < AP_T_COUNT; t++) {
        const struct ap_profile_table *pt = &p->t[t];
        const char *pattern = pt->file ? pt->file : ap_table_files[t];
        size_t hits = 0, hit = 0;
        ap_buf_reset(&list);
        for (size_t k = 0; k < nc; k++) {
            if (!glob_match(pattern, base_name(c[k].path)))
                continue;
            ap_buf_addf(&list, "%s'%s'", hits ? ", " : "", c[k].path);
            if (!hits++)
                hit = k;
        }
        if (hits == 0) {
            if (pt->file)
                ap_diag_input(d, p->path, pt->file_line, 0,
                              "no file of the export (%s) matches '%s' for the %s table; "
                              "correct the name, or remove [%s] if the export lacks it",
                              where.buf, pattern, ap_table_names[t], ap_table_names[t]);
            else if (pt->line)
                ap_diag_input(d, p->path, pt->line, 0,
                              "the export (%s) has no %s for [%s]; name its file with "
                              "file = NAME (a glob such as 'Tracker*.xlsx')",
                              where.buf, pattern, ap_table_names[t]);
            if (pt->file || pt->line)
                st = ap_status_worst(st, AP_ERR_INPUT);
            continue;
        }
        if (hits > 1) {
            ap_diag_input(d, p->path, pt->file ? pt->file_line : pt->line, 0,
                          "'%s' matches %zu files (%s); make it name one", pattern, hits, list.buf);
            for (size_t k = 0; k < nc; k++) /* named, if too many: no "not read" note */
                c[k].used = c[k].used || glob_match(pattern, base_name(c[k].path));
            st = ap_status_worst(st, AP_ERR_INPUT);
            continue;
        }
        c[hit].used = true;
        st = ap_status_worst(st, plan_sheet(in, (enum ap_table_id)t, c[hit].path, d));
    }
    size_t used = 0;
    for (size_t k = 0; k < nc; k++) {
        used += c[k].used;
        if (c[k].used)
            continue;
        if (c[k].given) {
            ap_diag_input(d, c[k].path, 0, 0,
                          "no table of the profile '%s' reads this file; give it a file = "
                          "line in the table's section",
                          p->path);
            st = ap_status_worst(st, AP_ERR_INPUT);
        } else {
            ap_diag_report(d, AP_NOTE, AP_OK, c[k].path, 0, 0,
                           "not read: no table of the profile names this file");
        }
    }
    if (used == 0 && st == AP_OK) {
        ap_diag_input(d, p->path, 0, 0,
                      "no file of the export (%s) is read by the profile; name each table's file "
                      "with file = NAME under its section (actionplan map drafts them)",
                      where.buf);
        st = AP_ERR_INPUT;
    }
done:
    for (size_t k = 0; k < nc; k++)
        free(c[k].path);
    free(c);
    ap_buf_release(&where);
    ap_buf_release(&list);
    return st;
}

enum ap_status ap_intake_plan(const char *const *paths, size_t npaths, const struct ap_profile *p,
                              struct ap_intake **out, struct ap_diag *d)
{
    struct ap_intake *in = ap_xcalloc(1, sizeof *in);
    in->prof = p;
    enum ap_status st =
        p ? plan_by_profile(in, paths, npaths, d) : plan_by_name(in, paths, npaths, d);
    if (st != AP_OK) {
        ap_intake_free(in);
        *out = NULL;
        return st;
    }
    for (int t = 0; t < AP_T_COUNT; t++) {
        if (!in->s[t].path)
            continue;
        bool first_of_file = true;
        in->s[t].first = true;
        for (int u = 0; u < AP_T_COUNT; u++) {
            if (u == t || !in->s[u].path || strcmp(in->s[u].path, in->s[t].path))
                continue;
            if (u < t)
                first_of_file = false;
            if (!same_source(&in->s[u], &in->s[t]))
                continue;
            in->s[t].shared = true;
            if (u < t)
                in->s[t].first = false;
        }
        if (first_of_file) {
            ap_grow((void **)&in->files, sizeof *in->files, in->nfiles + 1, &in->falloc);
            in->files[in->nfiles++] = in->s[t].path;
        }
    }
    *out = in;
    return AP_OK;
}

void ap_intake_free(struct ap_intake *in)
{
    if (!in)
        return;
    for (int t = 0; t < AP_T_COUNT; t++) {
        free(in->s[t].path);
        free(in->s[t].sheet);
        free(in->s[t].name);
    }
    free(in->files);
    ap_xlsx_close(in->wb);
    free(in->wb_path);
    free(in);
}

const char *ap_intake_name(const struct ap_intake *in, enum ap_table_id t)
{
    return in->s[t].name;
}

size_t ap_intake_nfiles(const struct ap_intake *in)
{
    return in->nfiles;
}

const char *ap_intake_file(const struct ap_intake *in, size_t i)
{
    return in->files[i];
}

/* ---------------------------------------------------------------- headers */

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

/* Column names compare ASCII case-insensitively. */
static bool same_name(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn)
        return false;
    for (size_t k = 0; k < an; k++) {
        char x = a[k], y = b[k];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

/* The hint after a message about bytes that are not UTF-8. */
static void encoding_hint(const struct ap_source *s, const char *raw, size_t n, struct ap_buf *b)
{
    ap_buf_adds(b, "save the file as 'CSV UTF-8'");
    if (ap_cp1252_valid(raw, n)) {
        const char *prof = s->in->prof ? s->in->prof->path : NULL;
        ap_buf_addf(b,
                    ", or, if it was saved from Excel as plain 'CSV', add encoding = "
                    "windows-1252 under [source] in %s%s%s",
                    prof ? "the profile '" : "a profile (--profile)", prof ? prof : "",
                    prof ? "'" : "");
    }
}

/* The fix for a file that is UTF-8 although the profile says windows-1252. */
static void utf8_fix(const struct ap_source *s, struct ap_buf *b)
{
    ap_buf_addf(b,
                "the file is UTF-8, but the profile '%s' says at line %ld that the files are "
                "windows-1252; remove that line (or set encoding = utf-8 under [source])",
                s->in->prof->path, s->in->prof->encoding_line);
}

/* Report field what, whose first non-ASCII character is at u, as UTF-8 text
 * in a file the profile calls windows-1252: what it holds, and what the
 * conversion would have made of it. */
static void utf8_not_cp1252(struct ap_source *s, const char *what, const char *u, long line,
                            long col, struct ap_diag *d)
{
    unsigned char lead = (unsigned char)u[0];
    size_t len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    struct ap_buf as1252 = AP_BUF_INIT;
    ap_buf_reset(&s->list);
    utf8_fix(s, &s->list);
    ap_buf_reset(&s->m1);
    ap_buf_add(&s->m1, u, len);
    bool shown = ap_cp1252_to_utf8(u, len, &as1252) == len;
    ap_diag_input(d, s->sp->name, line, col, "%s holds '%s' written in UTF-8%s%s%s; %s", what,
                  s->m1.buf, shown ? ", which as windows-1252 would be stored as '" : "",
                  shown ? as1252.buf : "", shown ? "'" : "", s->list.buf);
    ap_buf_release(&as1252);
}

/* Make raw text UTF-8: converted from Windows-1252 into buf, or checked.
 * Reports at line:col (what names the field) unless quiet; false if bad. */
static bool to_utf8(struct ap_source *s, const char *what, const char **str, size_t *n,
                    struct ap_buf *buf, long line, long col, bool quiet, struct ap_diag *d)
{
    if (s->cp1252) {
        size_t k = 0;
        while (k < *n && (unsigned char)(*str)[k] < 0x80)
            k++;
        if (k == *n)
            return true;
        /* Non-ASCII bytes that all form UTF-8 sequences are UTF-8 text:
         * Windows-1252 text almost never reads so (it would take a capital
         * such as Ã followed by a symbol such as ©), and converting it would
         * store é as Ã©. */
        if (ap_utf8_valid_prefix(*str, *n) == *n) {
            if (!quiet && !s->utf8_seen)
                utf8_not_cp1252(s, what, *str + k, line, col, d);
            s->utf8_seen = true;
            return false;
        }
        ap_buf_reset(buf);
        size_t bad = ap_cp1252_to_utf8(*str, *n, buf);
        if (bad != *n) {
            if (!quiet)
                ap_diag_input(d, s->sp->name, line, col,
                              "%s has byte 0x%02X (byte %zu of the field), which is not a "
                              "Windows-1252 character; is the file really windows-1252, as "
                              "the profile says at line %ld?",
                              what, (unsigned char)(*str)[bad], bad + 1,
                              s->in->prof->encoding_line);
            return false;
        }
        *str = buf->buf;
        *n = buf->len;
        return true;
    }
    size_t bad = ap_utf8_valid_prefix(*str, *n);
    if (bad == *n)
        return true;
    if (!quiet) {
        ap_buf_reset(&s->list);
        encoding_hint(s, *str, *n, &s->list);
        ap_diag_input(d, s->sp->name, line, col, "%s is not valid UTF-8 (byte %zu of the %s); %s",
                      what, bad + 1, strcmp(what, "column name") ? "field" : "name", s->list.buf);
    }
    return false;
}

/* Is header name h used by a table other than s's that reads the same file? */
static bool used_by_other(const struct ap_source *s, const char *h, size_t hn)
{
    for (int u = 0; u < AP_T_COUNT; u++) {
        if (u == (int)s->t || !same_source(&s->in->s[u], s->sp))
            continue;
        for (size_t c = 0; c < ap_schema[u].ncols; c++) {
            const char *mine = s->in->prof ? s->in->prof->t[u].col[c] : NULL;
            if (mine ? ap_label_equal(mine, strlen(mine), h, hn)
                     : same_name(h, hn, ap_schema[u].cols[c].name,
                                 strlen(ap_schema[u].cols[c].name)))
                return true;
        }
    }
    return false;
}

/* Match the header to the table's columns. Returns false after reporting. */
struct header {
    size_t n;
    const char *const *s; /* the names as read */
    const size_t *len;
    long line;
};

static bool read_header(struct ap_source *s, const struct header *h, struct ap_diag *d)
{
    const struct ap_tabledef *td = &ap_schema[s->t];
    const struct ap_profile_table *pt = s->in->prof ? &s->in->prof->t[s->t] : NULL;
    const char *file = s->sp->name;
    bool ok = true, missing_mapped[AP_MAX_COLS] = {false};
    struct ap_buf extra = AP_BUF_INIT, m1 = AP_BUF_INIT, have = AP_BUF_INIT, conv = AP_BUF_INIT;
    char **names = ap_xcalloc(h->n ? h->n : 1, sizeof *names);
    size_t *lens = ap_xcalloc(h->n ? h->n : 1, sizeof *lens);
    bool *unreadable = ap_xcalloc(h->n ? h->n : 1, sizeof *unreadable);
    for (size_t c = 0; c < AP_MAX_COLS; c++)
        s->fcol[c] = -1;
    /* The names, UTF-8 and trimmed. */
    for (size_t i = 0; i < h->n; i++) {
        const char *n = h->s[i];
        size_t len = h->len[i];
        if (!to_utf8(s, "column name", &n, &len, &conv, h->line, (long)i + 1, false, d)) {
            ok = false;
            unreadable[i] = true; /* reported: not listed among the ignored */
            n = "";
            len = 0;
        }
        trim(&n, &len);
        names[i] = ap_xstrndup(n, len);
        lens[i] = len;
        ap_buf_adds(&have, i ? ", " : "");
        ap_buf_add_shown(&have, n, len);
    }
    /* The profile's names first: OURCOL = THEIR HEADER. */
    for (size_t c = 0; pt && c < td->ncols; c++) {
        if (!pt->col[c])
            continue;
        for (size_t i = 0; i < h->n && s->fcol[c] < 0; i++)
            if (ap_label_equal(names[i], lens[i], pt->col[c], strlen(pt->col[c])))
                s->fcol[c] = (int)i;
        if (s->fcol[c] < 0) {
            ap_diag_input(d, file, h->line, 0,
                          "no column '%s' in the header (row %ld), which the profile maps to %s "
                          "at %s:%ld; the header has: %s",
                          pt->col[c], s->sp->header_row, td->cols[c].name, s->in->prof->path,
                          pt->col_line[c], have.buf);
            missing_mapped[c] = true;
            ok = false;
        }
    }
    size_t nextra = 0, nmatched = 0;
    for (size_t i = 0; i < h->n; i++) {
        const char *n = names[i];
        size_t len = lens[i];
        /* A duplicated name is an error whether we keep the column or not. */
        for (size_t j = 0; j < i && len > 0; j++) {
            if (same_name(n, len, names[j], lens[j])) {
                ap_diag_input(d, file, h->line, (long)i + 1,
                              "column '%s' appears twice in the header (columns %zu and %zu); "
                              "keep one",
                              names[i], j + 1, i + 1);
                ok = false;
                break;
            }
        }
        int found = -1;
        for (size_t c = 0; c < td->ncols && found < 0; c++) {
            if ((size_t)s->fcol[c] == i)
                found = (int)c;
            else if (!(pt && pt->col[c]) &&
                     same_name(n, len, td->cols[c].name, strlen(td->cols[c].name)))
                found = (int)c;
        }
        if (found >= 0) {
            nmatched++;
            if (s->fcol[found] < 0)
                s->fcol[found] = (int)i;
        } else if (!unreadable[i] && !used_by_other(s, n, len)) {
            ap_buf_adds(&extra, nextra++ ? ", " : "");
            if (len)
                ap_buf_add_shown(&extra, n, len);
            else
                ap_buf_addf(&extra, "(unnamed column %zu)", i + 1);
        }
    }
    /* A name that could not be read is reported: the columns it hides are not. */
    bool any_unreadable = false;
    for (size_t i = 0; i < h->n; i++)
        any_unreadable = any_unreadable || unreadable[i];
    bool hinted = false; /* the hint goes on the first missing column only */
    for (size_t c = 0; c < td->ncols && !any_unreadable; c++) {
        if (td->cols[c].required && s->fcol[c] < 0 && !missing_mapped[c]) {
            ap_diag_input(d, file, h->line, 0,
                          "required column '%s' is missing from the header (which has: %s)%s",
                          td->cols[c].name, have.buf,
                          hinted ? ""
                          : nmatched == 0 && s->sp->header_row > 1
                              ? "; is the profile's header_row the row of the column names?"
                          : nmatched == 0 && pt
                              ? "; map it in the profile: OURCOL = THEIR HEADER under the "
                                "table, and header_row = N if a title is above the header"
                          : nmatched == 0 ? "; if the column names are below a title, or "
                                            "named the export's own way, read the export "
                                            "through a profile (actionplan map drafts one)"
                                          : "");
            hinted = true;
            ok = false;
        }
    }
    /* A header that does not fit says so; which of its names go unkept is
     * noise until it does. */
    if (ok && nextra && s->sp->first)
        ap_diag_report(d, AP_NOTE, AP_OK, file, 0, 0,
                       "ignored columns not kept in the database: %s", extra.buf);
    for (size_t i = 0; i < h->n; i++)
        free(names[i]);
    free(names);
    free(lens);
    free(unreadable);
    ap_buf_release(&extra);
    ap_buf_release(&m1);
    ap_buf_release(&have);
    ap_buf_release(&conv);
    return ok;
}

/* The header is missing: the file ends before header_row. */
static void no_header(struct ap_source *s, long rows, struct ap_diag *d)
{
    const struct ap_tabledef *td = &ap_schema[s->t];
    if (s->sp->header_row > 1 || rows > 0) {
        const struct ap_profile *p = s->in->prof;
        ap_diag_input(d, s->sp->name, 0, 0,
                      "there is no row %ld, where the profile (%s:%ld) says the header is",
                      s->sp->header_row, p ? p->path : "", p ? p->t[s->t].header_row_line : 0);
        return;
    }
    struct ap_buf want = AP_BUF_INIT;
    for (size_t c = 0; c < td->ncols; c++)
        ap_buf_addf(&want, "%s%s", c ? "," : "", td->cols[c].name);
    ap_diag_input(d, s->sp->name, s->sp->sheet ? 0 : 1, 0,
                  "the %s is empty; it needs a header row such as %s",
                  s->sp->sheet ? "sheet" : "file", want.buf);
    ap_buf_release(&want);
}

static enum ap_status open_csv(struct ap_source *s, struct ap_diag *d)
{
    struct ap_csv_record rec;
    enum ap_status st = ap_csv_open(s->sp->path, &s->csv, d);
    if (st != AP_OK)
        return st;
    int rc = 0;
    long r;
    for (r = 1; r <= s->sp->header_row; r++) {
        rc = ap_csv_next(s->csv, &rec, d);
        if (rc <= 0)
            break;
    }
    if (rc == 0) {
        no_header(s, r - 1, d);
        return AP_ERR_INPUT;
    }
    if (rc < 0 || rec.bad)
        return AP_ERR_INPUT;
    if (s->cp1252 && ap_csv_bom(s->csv)) {
        ap_buf_reset(&s->list);
        utf8_fix(s, &s->list);
        ap_diag_input(d, s->sp->name, 1, 1, "the file begins with a UTF-8 byte-order mark; %s",
                      s->list.buf);
        return AP_ERR_INPUT;
    }
    const char **names = ap_xcalloc(rec.n, sizeof *names);
    size_t *lens = ap_xcalloc(rec.n, sizeof *lens);
    for (size_t i = 0; i < rec.n; i++) {
        names[i] = rec.fields[i].s;
        lens[i] = rec.fields[i].len;
    }
    struct header h = {rec.n, names, lens, rec.line};
    bool ok = read_header(s, &h, d);
    free(names);
    free(lens);
    s->width = rec.n;
    return ok ? AP_OK : AP_ERR_INPUT;
}

static enum ap_status open_sheet(struct ap_source *s, struct ap_diag *d)
{
    struct ap_xlsx_row xr;
    enum ap_status st = AP_OK;
    if (s->in->wb && !strcmp(s->in->wb_path, s->sp->path)) {
        s->x = s->in->wb; /* ap_xlsx_select starts the sheet afresh */
        s->in->wb = NULL;
    } else {
        st = ap_xlsx_open(s->sp->path, &s->x, d);
    }
    if (st == AP_OK)
        st = ap_xlsx_select(s->x, s->sp->sheet, d);
    if (st != AP_OK)
        return st;
    s->date1904 = ap_xlsx_date1904(s->x);
    int rc;
    long rows = 0;
    while ((rc = ap_xlsx_next(s->x, &xr, d)) == 1 && xr.row < s->sp->header_row)
        rows++;
    if (rc < 0)
        return AP_ERR_INPUT;
    if (rc == 0) {
        no_header(s, rows, d);
        return AP_ERR_INPUT;
    }
    if (xr.row > s->sp->header_row) {
        ap_diag_input(d, s->sp->name, s->sp->header_row, 0,
                      "row %ld is empty, but the %s; the first row with values after it is %ld",
                      s->sp->header_row,
                      s->in->prof ? "profile's header_row says the header is there"
                                  : "header must be the first row",
                      xr.row);
        return AP_ERR_INPUT;
    }
    const char **names = ap_xcalloc(xr.n ? xr.n : 1, sizeof *names);
    size_t *lens = ap_xcalloc(xr.n ? xr.n : 1, sizeof *lens);
    for (size_t i = 0; i < xr.n; i++) {
        names[i] = xr.cells[i].text;
        lens[i] = xr.cells[i].len;
    }
    struct header h = {xr.n, names, lens, xr.row};
    bool ok = read_header(s, &h, d);
    free(names);
    free(lens);
    s->width = xr.n;
    return ok ? AP_OK : AP_ERR_INPUT;
}

enum ap_status ap_source_open(struct ap_intake *in, enum ap_table_id t, struct ap_source **out,
                              struct ap_diag *d)
{
    struct ap_source *s = ap_xcalloc(1, sizeof *s);
    s->in = in;
    s->t = t;
    s->sp = &in->s[t];
    s->cp1252 = in->prof && in->prof->encoding == AP_ENC_CP1252 && !s->sp->sheet;
    for (size_t c = 0; c < AP_MAX_COLS; c++)
        ap_buf_init(&s->val[c]);
    ap_buf_init(&s->m1);
    ap_buf_init(&s->m2);
    ap_buf_init(&s->list);
    ap_buf_init(&s->rows);
    ap_buf_init(&s->key);
    ap_buf_init(&s->cur);
    *out = NULL;
    enum ap_status st = s->sp->sheet ? open_sheet(s, d) : open_csv(s, d);
    if (st != AP_OK)
        goto fail;
    if (s->sp->shared)
        s->seen = ap_keyset_new();
    *out = s;
    return AP_OK;
fail:
    ap_source_free(s);
    return st == AP_OK ? AP_ERR_INPUT : st;
}

const int *ap_source_columns(const struct ap_source *s)
{
    return s->fcol;
}

void ap_source_free(struct ap_source *s)
{
    if (!s)
        return;
    ap_csv_close(s->csv);
    keep_workbook(s->in, s->sp->path, s->x); /* for the next sheet of the same workbook */
    for (size_t c = 0; c < AP_MAX_COLS; c++)
        ap_buf_release(&s->val[c]);
    ap_buf_release(&s->m1);
    ap_buf_release(&s->m2);
    ap_buf_release(&s->list);
    ap_buf_release(&s->rows);
    ap_buf_release(&s->key);
    ap_buf_release(&s->cur);
    ap_keyset_free(s->seen);
    free(s);
}

/* ---------------------------------------------------------------- rows */

/* An enumerated value: its code, from the profile's labels, the code itself
 * or the report label; an unknown one is reported with where to map it. */
static void canon_enum(struct ap_source *s, size_t c, struct ap_field *f, long line, long col,
                       bool quiet, struct ap_diag *d)
{
    const struct ap_coldef *cd = &ap_schema[s->t].cols[c];
    const char *t = f->s;
    size_t tn = f->len;
    trim(&t, &tn);
    if (tn == 0)
        return;
    int code = s->in->prof ? ap_profile_label(s->in->prof, s->t, c, t, tn) : -1;
    /* The code as the export wrote it: the common case, at the cost of a memcmp. */
    const struct ap_enum *en = &ap_enums[cd->en];
    for (size_t i = 0; code < 0 && i < en->n; i++)
        if (!strncmp(en->values[i], t, tn) && en->values[i][tn] == '\0')
            code = (int)i;
    if (code < 0)
        code = ap_enum_match(cd->en, t, tn);
    if (code >= 0) {
        f->s = ap_enums[cd->en].values[code];
        f->len = strlen(f->s);
        return;
    }
    /* Excel's ="..." is the import's to explain. */
    if (tn >= 3 && t[0] == '=' && t[1] == '"' && t[tn - 1] == '"')
        return;
    f->bad = true;
    if (quiet)
        return;
    ap_buf_reset(&s->list);
    ap_enum_allowed(cd->en, &s->list);
    ap_buf_reset(&s->m1);
    ap_buf_add_shown(&s->m1, t, tn);
    if (s->in->prof)
        ap_diag_input(d, s->sp->name, line, col,
                      "%s '%s' is not one of %s, nor a label the profile maps; add it under "
                      "[%s.%s] in '%s' (CODE = %s)",
                      cd->name, s->m1.buf, s->list.buf, ap_table_names[s->t], cd->name,
                      s->in->prof->path, s->m1.buf);
    else
        ap_diag_input(d, s->sp->name, line, col,
                      "%s '%s' is not one of %s; or map the export's label to one in a profile, "
                      "under [%s.%s] (see actionplan map)",
                      cd->name, s->m1.buf, s->list.buf, ap_table_names[s->t], cd->name);
}

/* A date or date-time with slashes: rewritten as ISO in the profile's order.
 * In a date column a time after the date is dropped: exports print one on
 * dates (05/04/2018 00:00), and a day is all the column keeps. */
static void canon_date(struct ap_source *s, size_t c, struct ap_field *f, long line, long col,
                       bool quiet, struct ap_diag *d)
{
    const char *t = f->s;
    size_t tn = f->len;
    bool date_only = ap_schema[s->t].cols[c].kind == AP_K_DATE;
    if (!memchr(t, '/', tn)) {
        int64_t secs;
        bool has_time;
        const char *why;
        if (date_only && tn > 10 && (t[10] == ' ' || t[10] == 'T') &&
            ap_datetime_parse(t, tn, &secs, &has_time, &why)) {
            memcpy(s->date[c], t, 10);
            s->date[c][10] = '\0';
            f->s = s->date[c];
            f->len = 10;
        }
        return;
    }
    trim(&t, &tn);
    enum ap_date_order order = s->in->prof ? s->in->prof->dates : AP_DATES_DMY;
    const char *why = NULL;
    int r = ap_slash_date(t, tn, order, s->date[c], &why);
    if (r > 0) {
        if (date_only)
            s->date[c][10] = '\0';
        f->s = s->date[c];
        f->len = strlen(f->s);
    } else if (r < 0) {
        f->bad = true;
        if (!quiet) {
            ap_buf_reset(&s->m1);
            ap_buf_add_shown(&s->m1, t, tn);
            ap_diag_input(d, s->sp->name, line, col, "%s '%s': %s", ap_schema[s->t].cols[c].name,
                          s->m1.buf, why);
        }
    }
}

static void canon_kind(struct ap_source *s, size_t c, struct ap_field *f, long line, long col,
                       bool quiet, struct ap_diag *d);

/* Field c of the row from raw text: UTF-8, then its kind's canonical form. */
static void canon_field(struct ap_source *s, size_t c, const struct ap_csv_field *raw,
                        struct ap_field *f, long line, long col, bool quiet, struct ap_diag *d)
{
    const struct ap_coldef *cd = &ap_schema[s->t].cols[c];
    f->s = raw->s;
    f->len = raw->len;
    f->bad = false;
    /* Valid UTF-8 needs nothing more: the one check the plain path pays. */
    if ((s->cp1252 || ap_utf8_valid_prefix(f->s, f->len) != f->len) &&
        !to_utf8(s, cd->name, &f->s, &f->len, &s->val[c], line, col, quiet, d)) {
        f->bad = true;
        return;
    }
    if (s->cp1252 && f->len > AP_CSV_MAX_FIELD) {
        if (!quiet)
            ap_diag_input(d, s->sp->name, line, col,
                          "%s is %zu bytes once converted to UTF-8; at most %d are kept", cd->name,
                          f->len, AP_CSV_MAX_FIELD);
        f->bad = true;
        return;
    }
    canon_kind(s, c, f, line, col, quiet, d);
}

/* Field c from a workbook cell: an error cell is reported (the column is
 * kept), a number in a date column is an Excel serial (a bare date when the
 * cell's format shows no time), anything else goes on as its text. */
static void canon_cell(struct ap_source *s, size_t c, const struct ap_xlsx_cell *cell,
                       struct ap_field *f, long line, long col, struct ap_diag *d)
{
    const struct ap_coldef *cd = &ap_schema[s->t].cols[c];
    f->s = cell->text;
    f->len = cell->len;
    f->bad = false;
    const char *problem = ap_xlsx_cell_problem(cell);
    if (problem) {
        ap_buf_reset(&s->m1);
        ap_buf_add_shown(&s->m1, cell->text, cell->len);
        ap_diag_input(d, s->sp->name, line, col, "%s: the cell %s%s%s%s", cd->name, problem,
                      cell->len ? " '" : "", s->m1.buf, cell->len ? "'" : "");
        f->bad = true;
        return;
    }
    bool dated = cd->kind == AP_K_DATE || cd->kind == AP_K_DATETIME;
    if (cell->kind != AP_XLSX_NUMBER || !dated) {
        canon_kind(s, c, f, line, col, false, d);
        return;
    }
    const char *why = NULL;
    bool with_time = cd->kind == AP_K_DATETIME &&
                     (cell->date == AP_XLSX_DATETIME ||
                      (cell->date == AP_XLSX_NOT_DATE && cell->num != (double)(int64_t)cell->num));
    int64_t secs;
    if (!ap_xlsx_serial_to_datetime(cell->num, s->date1904, &secs, &why)) {
        ap_buf_reset(&s->m1);
        ap_buf_add_shown(&s->m1, cell->text, cell->len);
        ap_diag_input(d, s->sp->name, line, col, "%s %s %s", cd->name, s->m1.buf, why);
        f->bad = true;
        return;
    }
    ap_datetime_format(secs, with_time, s->date[c]);
    f->s = s->date[c];
    f->len = strlen(f->s);
}

/* The kind's canonical form of UTF-8 text f. */
static void canon_kind(struct ap_source *s, size_t c, struct ap_field *f, long line, long col,
                       bool quiet, struct ap_diag *d)
{
    switch (ap_schema[s->t].cols[c].kind) {
    case AP_K_TEXT:
        break;
    case AP_K_ENUM:
        canon_enum(s, c, f, line, col, quiet, d);
        break;
    case AP_K_DATE:
    case AP_K_DATETIME:
        canon_date(s, c, f, line, col, quiet, d);
        break;
    }
}

/* A row of a shared source: 1 if it is new, 0 if it repeats an earlier row
 * exactly (skip it), -1 if it repeats an id with other values (reported). */
static int first_time(struct ap_source *s, const struct ap_row *row, struct ap_diag *d)
{
    const struct ap_tabledef *td = &ap_schema[s->t];
    ap_buf_reset(&s->key);
    ap_buf_reset(&s->cur);
    for (size_t k = 0; k < td->nkey; k++) {
        const struct ap_field *f = &row->f[k];
        if (!f->s || f->bad || !f->len)
            return 1; /* no usable id: the import reports it */
        uint32_t len = (uint32_t)f->len;
        ap_buf_add(&s->key, &len, sizeof len);
        ap_buf_add(&s->key, f->s, f->len);
    }
    bool bad = false;
    for (size_t c = 0; c < td->ncols; c++) {
        const struct ap_field *f = &row->f[c];
        uint32_t len = f->s ? (uint32_t)f->len : 0;
        bad = bad || f->bad;
        ap_buf_add(&s->cur, &len, sizeof len);
        if (f->s)
            ap_buf_add(&s->cur, f->s, f->len);
    }
    if (s->rows.len > UINT32_MAX - s->cur.len - 16)
        return 1; /* past 4 GiB of repeats: leave it to the import's duplicate check */
    uint32_t at = (uint32_t)s->rows.len, first = 0;
    int r = ap_keyset_add(s->seen, s->key.buf, s->key.len, at, &first);
    if (r < 0)
        return 1;
    /* The stored length's top bit: that row had a field already reported. */
    if (r == 1) {
        uint32_t len = (uint32_t)s->cur.len | (bad ? 0x80000000u : 0);
        int64_t line = row->line;
        ap_buf_add(&s->rows, &line, sizeof line);
        ap_buf_add(&s->rows, &len, sizeof len);
        ap_buf_add(&s->rows, s->cur.buf, s->cur.len);
        return 1;
    }
    int64_t line0;
    uint32_t len0;
    memcpy(&line0, s->rows.buf + first, sizeof line0);
    memcpy(&len0, s->rows.buf + first + sizeof line0, sizeof len0);
    const char *old = s->rows.buf + first + sizeof line0 + sizeof len0;
    /* A repeat of a row with a field already reported (or with one itself)
     * says nothing new: compare only rows whose every field was read. */
    if (bad || (len0 & 0x80000000u))
        return 0;
    if (len0 == s->cur.len && !memcmp(old, s->cur.buf, len0))
        return 0;
    /* Name the first column that differs. */
    const char *p = old;
    for (size_t c = 0; c < td->ncols; c++) {
        uint32_t n0;
        memcpy(&n0, p, sizeof n0);
        const char *v0 = p + sizeof n0;
        p = v0 + n0;
        const struct ap_field *f = &row->f[c];
        size_t n1 = f->s ? f->len : 0;
        if (n0 == n1 && (!n1 || !memcmp(v0, f->s, n1)))
            continue;
        ap_buf_reset(&s->m1);
        ap_buf_reset(&s->m2);
        ap_buf_reset(&s->list);
        ap_buf_add_shown(&s->m1, row->f[0].s, row->f[0].len);
        ap_buf_add_shown(&s->m2, v0, n0);
        ap_buf_add_shown(&s->list, f->s ? f->s : "", n1);
        ap_diag_input(d, s->sp->name, row->line, s->fcol[c] + 1,
                      "%s '%s' is given again with another %s: '%s' here, '%s' at %s %lld; "
                      "one %s has one record, so correct one of the two lines",
                      td->cols[0].name, s->m1.buf, td->cols[c].name, s->list.buf, s->m2.buf,
                      s->x ? "row" : "line", (long long)line0, td->noun);
        break;
    }
    return -1;
}

/* The next row of a sheet, as ap_source_next without the repeats. */
static int next_sheet_row(struct ap_source *s, struct ap_row *row, struct ap_diag *d)
{
    const struct ap_tabledef *td = &ap_schema[s->t];
    struct ap_xlsx_row xr;
    int rc = ap_xlsx_next(s->x, &xr, d);
    if (rc != 1)
        return rc;
    row->line = xr.row;
    row->bad = false;
    for (size_t c = 0; c < td->ncols; c++) {
        int fc = s->fcol[c];
        struct ap_field *f = &row->f[c];
        f->bad = false;
        if (fc < 0) {
            f->s = NULL;
            f->len = 0;
        } else if ((size_t)fc >= xr.n) {
            f->s = "";
            f->len = 0;
        } else {
            canon_cell(s, c, &xr.cells[fc], f, xr.row, fc + 1, d);
        }
    }
    return 1;
}

int ap_source_next(struct ap_source *s, struct ap_row *row, struct ap_diag *d)
{
    const struct ap_tabledef *td = &ap_schema[s->t];
    struct ap_csv_record rec;
    while (s->x) {
        int rc = next_sheet_row(s, row, d);
        if (rc != 1 || !s->seen || first_time(s, row, d) > 0)
            return rc;
    }
    for (;;) {
        int rc = ap_csv_next(s->csv, &rec, d);
        if (rc != 1)
            return rc;
        row->line = rec.line;
        row->bad = rec.bad;
        if (!row->bad && rec.n != s->width) {
            if (rec.n == 1 && rec.fields[0].len == 0)
                ap_diag_input(d, s->sp->name, rec.line, 0,
                              "the line is blank; remove it (blank lines are allowed only at "
                              "the end)");
            else
                ap_diag_input(d, s->sp->name, rec.line, 0,
                              "the row has %zu fields but the header has %zu; a field that "
                              "holds a comma must be in double quotes",
                              rec.n, s->width);
            row->bad = true;
        }
        for (size_t c = 0; c < td->ncols; c++) {
            int fc = s->fcol[c];
            struct ap_field *f = &row->f[c];
            if (fc < 0 || (size_t)fc >= rec.n) {
                f->s = NULL;
                f->len = 0;
                f->bad = false;
                continue;
            }
            canon_field(s, c, &rec.fields[fc], f, rec.line, fc + 1, row->bad, d);
        }
        if (!s->seen || row->bad)
            return 1;
        int r = first_time(s, row, d);
        if (r > 0)
            return 1;
    }
}
