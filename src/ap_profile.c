/*
 * ap_profile: reads the mapping profile through ap_ini (true file:line for
 * every message). What each section may hold comes from ap_schema, so the
 * allowed keys and codes in messages are always the current ones.
 */
#include "ap_profile.h"

#include <stdlib.h>
#include <string.h>

#include "ap_ini.h"

#define MAX_HEADER_ROW 1000 /* a title block is a few rows, not pages */

enum sec_kind { SEC_NONE, SEC_SOURCE, SEC_TABLE, SEC_LABELS, SEC_BAD };

struct load_state {
    struct ap_profile *p;
    struct ap_diag *d;
    enum sec_kind kind;
    int t, c; /* the table (and column) of the current section */
    long seen_dates, seen_encoding;
};

static void add_tables(struct ap_buf *b)
{
    for (int t = 0; t < AP_T_COUNT; t++)
        ap_buf_addf(b, "%s[%s]", t ? ", " : "", ap_table_names[t]);
}

static void add_enum_columns(struct ap_buf *b, int t)
{
    const struct ap_tabledef *td = &ap_schema[t];
    size_t k = 0;
    for (size_t c = 0; c < td->ncols; c++)
        if (td->cols[c].kind == AP_K_ENUM)
            ap_buf_addf(b, "%s[%s.%s]", k++ ? ", " : "", ap_table_names[t], td->cols[c].name);
}

static void on_section(void *user, const char *section, long line)
{
    struct load_state *s = user;
    struct ap_buf list = AP_BUF_INIT;
    s->kind = SEC_BAD;
    if (!ap_strcasecmp(section, "source")) {
        s->kind = SEC_SOURCE;
        return;
    }
    const char *dot = strchr(section, '.');
    char *tname = ap_xstrndup(section, dot ? (size_t)(dot - section) : strlen(section));
    int t = ap_schema_table(tname);
    free(tname);
    if (t < 0) {
        ap_buf_adds(&list, "[source], ");
        add_tables(&list);
        ap_diag_input(s->d, s->p->path, line, 0,
                      "unknown section [%s]; the sections are %s, and [TABLE.COLUMN] for the "
                      "labels of an enumerated column",
                      section, list.buf);
        goto done;
    }
    s->t = t;
    if (!dot) {
        if (s->p->t[t].line)
            ap_diag_input(s->d, s->p->path, line, 0,
                          "section [%s] is given twice (first at line %ld); merge them", section,
                          s->p->t[t].line);
        else
            s->p->t[t].line = line;
        s->kind = SEC_TABLE;
        goto done;
    }
    int c = ap_schema_column(t, dot + 1);
    if (c < 0 || ap_schema[t].cols[c].kind != AP_K_ENUM) {
        add_enum_columns(&list, t);
        ap_diag_input(s->d, s->p->path, line, 0,
                      "section [%s] is not an enumerated column; the label sections of %s are %s",
                      section, ap_table_names[t], list.buf);
        goto done;
    }
    s->c = c;
    s->kind = SEC_LABELS;
done:
    ap_buf_release(&list);
}

/* The value without a trailing "  ; comment" and without one pair of double
 * quotes around it; caller frees. */
static char *clean_value(const char *value)
{
    size_t n = strlen(value);
    for (size_t i = 1; i < n; i++) {
        if ((value[i] == ';' || value[i] == '#') && (value[i - 1] == ' ' || value[i - 1] == '\t')) {
            n = i;
            break;
        }
    }
    while (n && (value[n - 1] == ' ' || value[n - 1] == '\t'))
        n--;
    if (n >= 2 && value[0] == '"' && value[n - 1] == '"')
        return ap_xstrndup(value + 1, n - 2);
    return ap_xstrndup(value, n);
}

static bool source_pair(struct load_state *s, const char *name, const char *value, long line)
{
    struct ap_profile *p = s->p;
    long *seen = NULL;
    if (!ap_strcasecmp(name, "dates")) {
        seen = &s->seen_dates;
        if (!ap_strcasecmp(value, "DMY"))
            p->dates = AP_DATES_DMY;
        else if (!ap_strcasecmp(value, "MDY"))
            p->dates = AP_DATES_MDY;
        else {
            ap_diag_input(s->d, p->path, line, 0,
                          "dates '%s' is not DMY or MDY (DMY: 03/04/2017 is 3 April; MDY: it is "
                          "4 March; YYYY-MM-DD is always read)",
                          value);
            return false;
        }
        p->dates_line = line;
    } else if (!ap_strcasecmp(name, "encoding")) {
        seen = &s->seen_encoding;
        if (!ap_strcasecmp(value, "utf-8") || !ap_strcasecmp(value, "utf8"))
            p->encoding = AP_ENC_UTF8;
        else if (!ap_strcasecmp(value, "windows-1252") || !ap_strcasecmp(value, "cp1252"))
            p->encoding = AP_ENC_CP1252;
        else {
            ap_diag_input(s->d, p->path, line, 0,
                          "encoding '%s' is not utf-8 or windows-1252 (Excel's plain 'CSV' "
                          "format is windows-1252)",
                          value);
            return false;
        }
        p->encoding_line = line;
    } else {
        ap_diag_input(s->d, p->path, line, 0,
                      "unknown key '%s' in [source]; the keys there are "
                      "dates and encoding",
                      name);
        return false;
    }
    if (*seen) {
        ap_diag_input(s->d, p->path, line, 0, "%s is given twice in [source] (first at line %ld)",
                      name, *seen);
        return false;
    }
    *seen = line;
    return true;
}

static bool twice(struct load_state *s, const char *name, long first, long line)
{
    if (!first)
        return false;
    ap_diag_input(s->d, s->p->path, line, 0,
                  "%s is given twice in [%s] (first at line %ld); "
                  "remove one",
                  name, ap_table_names[s->t], first);
    return true;
}

static bool table_pair(struct load_state *s, const char *name, const char *value, long line)
{
    struct ap_profile_table *pt = &s->p->t[s->t];
    const char *path = s->p->path;
    if (!ap_strcasecmp(name, "file") || !ap_strcasecmp(name, "sheet")) {
        bool file = !ap_strcasecmp(name, "file");
        if (twice(s, name, file ? pt->file_line : pt->sheet_line, line))
            return false;
        if (!value[0]) {
            ap_diag_input(s->d, path, line, 0, "%s is empty; give a %s or remove the line", name,
                          file ? "file name (a glob such as 'Tracker*.xlsx')" : "sheet name");
            return false;
        }
        *(file ? &pt->file : &pt->sheet) = ap_xstrdup(value);
        *(file ? &pt->file_line : &pt->sheet_line) = line;
        return true;
    }
    if (!ap_strcasecmp(name, "header_row")) {
        if (twice(s, name, pt->header_row_line, line))
            return false;
        if (!ap_parse_long(value, 1, MAX_HEADER_ROW, &pt->header_row)) {
            ap_diag_input(s->d, path, line, 0,
                          "header_row '%s' is not a row number from 1 to %d (the row that holds "
                          "the column names)",
                          value, MAX_HEADER_ROW);
            return false;
        }
        pt->header_row_line = line;
        return true;
    }
    int c = ap_schema_column((enum ap_table_id)s->t, name);
    if (c < 0) {
        struct ap_buf list = AP_BUF_INIT;
        for (size_t k = 0; k < ap_schema[s->t].ncols; k++)
            ap_buf_addf(&list, ", %s", ap_schema[s->t].cols[k].name);
        ap_diag_input(s->d, path, line, 0,
                      "unknown key '%s' in [%s]; the keys there are file, sheet, header_row%s",
                      name, ap_table_names[s->t], list.buf);
        ap_buf_release(&list);
        return false;
    }
    if (twice(s, name, pt->col_line[c], line))
        return false;
    if (!strcmp(value, "?")) {
        ap_diag_input(s->d, path, line, 0,
                      "%s = ? is a draft's question: give the export's header for %s, or "
                      "remove the line",
                      name, name);
        return false;
    }
    if (!value[0]) {
        ap_diag_input(s->d, path, line, 0,
                      "%s is empty; give the export's column header, or remove the line", name);
        return false;
    }
    pt->col[c] = ap_xstrdup(value);
    pt->col_line[c] = line;
    return true;
}

static bool label_pair(struct load_state *s, const char *name, const char *value, long line)
{
    struct ap_profile_table *pt = &s->p->t[s->t];
    const struct ap_coldef *cd = &ap_schema[s->t].cols[s->c];
    const char *path = s->p->path;
    struct ap_buf list = AP_BUF_INIT;
    bool ok = false;
    ap_enum_allowed(cd->en, &list);
    if (!strcmp(name, "?")) {
        ap_diag_input(s->d, path, line, 0,
                      "'%s' is still under '?' in [%s.%s]: replace the '?' with one of %s", value,
                      ap_table_names[s->t], cd->name, list.buf);
        goto done;
    }
    int code = ap_enum_lookup(cd->en, name);
    if (code < 0) {
        ap_diag_input(s->d, path, line, 0, "'%s' is not a %s code; the codes are %s", name,
                      cd->name, list.buf);
        goto done;
    }
    if (!value[0]) {
        ap_diag_input(s->d, path, line, 0, "%s has no label; give the export's label after '='",
                      name);
        goto done;
    }
    for (size_t i = 0; i < pt->nlabels[s->c]; i++) {
        const struct ap_profile_label *l = &pt->labels[s->c][i];
        if (l->code != code && ap_label_equal(l->label, strlen(l->label), value, strlen(value))) {
            ap_diag_input(s->d, path, line, 0,
                          "label '%s' is given to %s here and to %s at line %ld; keep one", value,
                          ap_enums[cd->en].values[code], ap_enums[cd->en].values[l->code], l->line);
            goto done;
        }
    }
    ap_grow((void **)&pt->labels[s->c], sizeof **pt->labels, pt->nlabels[s->c] + 1,
            &pt->alloc[s->c]);
    struct ap_profile_label *l = &pt->labels[s->c][pt->nlabels[s->c]++];
    l->code = code;
    l->label = ap_xstrdup(value);
    l->line = line;
    ok = true;
done:
    ap_buf_release(&list);
    return ok;
}

static int on_pair(void *user, const char *section, const char *name, const char *value, long line)
{
    struct load_state *s = user;
    if (!section[0]) {
        ap_diag_input(s->d, s->p->path, line, 0,
                      "'%s' is outside any section; put it under [source] or a table's section",
                      name);
        return 0;
    }
    char *v = clean_value(value);
    bool ok = true;
    switch (s->kind) {
    case SEC_SOURCE:
        ok = source_pair(s, name, v, line);
        break;
    case SEC_TABLE:
        ok = table_pair(s, name, v, line);
        break;
    case SEC_LABELS:
        ok = label_pair(s, name, v, line);
        break;
    case SEC_NONE:
    case SEC_BAD:
        break; /* the section header has been reported */
    }
    free(v);
    return ok ? 1 : 0;
}

enum ap_status ap_profile_load(const char *path, struct ap_profile **out, struct ap_diag *d)
{
    struct ap_profile *p = ap_xcalloc(1, sizeof *p);
    struct load_state s = {.p = p, .d = d};
    size_t errors0 = d->errors;
    p->path = ap_xstrdup(path);
    for (int t = 0; t < AP_T_COUNT; t++)
        p->t[t].header_row = 1;
    enum ap_status st = ap_ini_parse_ex(path, on_pair, on_section, &s, d);
    if (st == AP_OK && d->errors > errors0)
        st = AP_ERR_INPUT;
    if (st != AP_OK) {
        ap_profile_free(p);
        p = NULL;
    }
    *out = p;
    return st;
}

void ap_profile_free(struct ap_profile *p)
{
    if (!p)
        return;
    for (int t = 0; t < AP_T_COUNT; t++) {
        struct ap_profile_table *pt = &p->t[t];
        free(pt->file);
        free(pt->sheet);
        for (size_t c = 0; c < AP_MAX_COLS; c++) {
            free(pt->col[c]);
            for (size_t i = 0; i < pt->nlabels[c]; i++)
                free(pt->labels[c][i].label);
            free(pt->labels[c]);
        }
    }
    free(p->path);
    free(p);
}

int ap_profile_label(const struct ap_profile *p, enum ap_table_id t, size_t c, const char *s,
                     size_t n)
{
    const struct ap_profile_table *pt = &p->t[t];
    for (size_t i = 0; i < pt->nlabels[c]; i++) {
        const struct ap_profile_label *l = &pt->labels[c][i];
        if (ap_label_equal(l->label, strlen(l->label), s, n))
            return l->code;
    }
    return -1;
}
