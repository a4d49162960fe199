/*
 * ap_config: the config file. Every key is one row of config_keys[] (section,
 * key, type, field, help): the loader, the duplicate check, the "known keys"
 * hint in error messages and the --help listing all read that table (after
 * redis's standardConfig).
 */
#include "ap_config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ap_ini.h"
#include "ap_db.h"

#define DEFAULT_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define DEFAULT_FONT_BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

enum key_type {
    K_TEXT,     /* free text, may be empty */
    K_PATH,     /* file or folder; relative to the config file's folder */
    K_PATH_OPT, /* as K_PATH, but empty means "none" (NULL) */
    K_DATE,     /* ap_day */
    K_MONTH,    /* int 1..12 */
    K_POSITIVE, /* long > 0 */
    K_SECONDS,  /* long 0..3600 */
    K_BOOL      /* bool: true/false (also yes/no) */
};

struct config_key {
    const char *section;
    const char *key;
    enum key_type type;
    size_t offset; /* of the field in struct ap_config */
    const char *help;
};

#define F(field) offsetof(struct ap_config, field)

static const struct config_key config_keys[] = {
    {"database", "path", K_PATH, F(db_path), "case database file (default actionplan.db)"},
    {"database", "busy_timeout", K_SECONDS, F(busy_timeout),
     "seconds to wait for another import to finish (default 10)"},
    {"organisation", "name", K_TEXT, F(organisation), "council name, e.g. Sampleshire Council"},
    {"organisation", "team", K_TEXT, F(team), "team name, e.g. Multi-Agency CSE Team"},
    {"organisation", "team_start", K_DATE, F(team_start),
     "date the team started, YYYY-MM-DD (default: the earliest case)"},
    {"organisation", "fy_start_month", K_MONTH, F(fy_start_month),
     "first month of the financial year, 1 to 12 (default 4, April)"},
    {"organisation", "child_population", K_POSITIVE, F(child_population),
     "children aged 0-17 (ONS mid-year estimate), for rates per 10,000"},
    {"organisation", "contact", K_TEXT, F(contact), "contact line printed on reports"},
    {"report", "output_dir", K_PATH, F(output_dir), "folder reports are written to (default .)"},
    {"report", "font", K_PATH, F(font), "TrueType font (default DejaVu Sans)"},
    {"report", "font_bold", K_PATH, F(font_bold), "bold TrueType font (default DejaVu Sans Bold)"},
    {"report", "logo", K_PATH_OPT, F(logo), "PNG or JPEG logo for the report cover (optional)"},
    {"report", "sample", K_BOOL, F(sample),
     "true if the data is synthetic: every page then says so (default false)"},
    {"import", "profile", K_PATH_OPT, F(import_profile),
     "mapping profile for the export (import --profile; see actionplan map)"},
};

#define NKEYS AP_ARRAY_LEN(config_keys)

static const char *const sections[] = {"database", "organisation", "report", "import"};

struct load_state {
    struct ap_config *c;
    const char *path;
    char *dir; /* folder of the config file with its '/', or "" */
    struct ap_diag *d;
    long seen[NKEYS];   /* line where each key was given, 0 if not yet */
    bool section_known; /* the current section is one of ours */
};

void ap_config_set(char **field, const char *value)
{
    char *old = *field;
    *field = ap_xstrdup(value);
    free(old);
}

void ap_config_defaults(struct ap_config *c)
{
    memset(c, 0, sizeof *c);
    c->db_path = ap_xstrdup("actionplan.db");
    c->busy_timeout = AP_DB_BUSY_TIMEOUT_DEFAULT;
    c->organisation = ap_xstrdup("");
    c->team = ap_xstrdup("");
    c->team_start = AP_DAY_NONE;
    c->fy_start_month = 4;
    c->child_population = 0;
    c->contact = ap_xstrdup("");
    c->output_dir = ap_xstrdup(".");
    c->font = ap_xstrdup(DEFAULT_FONT);
    c->font_bold = ap_xstrdup(DEFAULT_FONT_BOLD);
    c->logo = NULL;
    c->sample = false;
}

void ap_config_free(struct ap_config *c)
{
    if (!c)
        return;
    free(c->path);
    free(c->db_path);
    free(c->organisation);
    free(c->team);
    free(c->contact);
    free(c->output_dir);
    free(c->font);
    free(c->font_bold);
    free(c->logo);
    free(c->import_profile);
    memset(c, 0, sizeof *c);
    c->team_start = AP_DAY_NONE;
}

static bool is_section(const char *name)
{
    for (size_t i = 0; i < AP_ARRAY_LEN(sections); i++)
        if (!ap_strcasecmp(name, sections[i]))
            return true;
    return false;
}

/* "name, team, ..." for section sec: the hint in an unknown-key message. */
static void known_keys(const char *sec, struct ap_buf *out)
{
    for (size_t i = 0; i < NKEYS; i++) {
        if (ap_strcasecmp(config_keys[i].section, sec))
            continue;
        if (out->len)
            ap_buf_adds(out, ", ");
        ap_buf_adds(out, config_keys[i].key);
    }
}

static void on_section(void *user, const char *section, long line)
{
    struct load_state *s = user;
    s->section_known = is_section(section);
    if (!s->section_known)
        ap_diag_input(s->d, s->path, line, 0,
                      "unknown section [%s]; the sections are [database], [organisation], "
                      "[report] and [import]",
                      section);
}

/* A relative path in the file is taken from the config file's folder, so the
 * config works whatever the current directory is. */
static char *resolve_path(const struct load_state *s, const char *value)
{
    if (value[0] == '/' || !s->dir[0])
        return ap_xstrdup(value);
    return ap_xasprintf("%s%s", s->dir, value);
}

/* Store value into the field of key k; false (after reporting) if it is bad. */
static bool set_value(struct load_state *s, const struct config_key *k, const char *value,
                      long line)
{
    char *base = (char *)s->c;
    void *field = base + k->offset;
    const char *why = NULL;
    long n;
    switch (k->type) {
    case K_TEXT:
        ap_config_set(field, value);
        return true;
    case K_PATH:
    case K_PATH_OPT:
        if (!value[0]) {
            if (k->type == K_PATH_OPT) {
                free(*(char **)field);
                *(char **)field = NULL;
                return true;
            }
            ap_diag_input(s->d, s->path, line, 0,
                          "%s is empty; give a path or remove the line to use the default", k->key);
            return false;
        }
        free(*(char **)field);
        *(char **)field = resolve_path(s, value);
        return true;
    case K_DATE: {
        ap_day day;
        if (!ap_date_parse(value, strlen(value), &day, &why)) {
            ap_diag_input(s->d, s->path, line, 0, "%s '%s' is not a valid date: %s", k->key, value,
                          why ? why : "expected YYYY-MM-DD");
            return false;
        }
        *(ap_day *)field = day;
        return true;
    }
    case K_MONTH:
        if (!ap_parse_long(value, 1, 12, &n)) {
            ap_diag_input(s->d, s->path, line, 0,
                          "%s '%s' is not a month number; give 1 to 12 (4 for April)", k->key,
                          value);
            return false;
        }
        *(int *)field = (int)n;
        return true;
    case K_SECONDS:
        if (!ap_parse_long(value, 0, 3600, &n)) {
            ap_diag_input(s->d, s->path, line, 0,
                          "%s '%s' is not a number of seconds from 0 to 3600", k->key, value);
            return false;
        }
        *(long *)field = n;
        return true;
    case K_POSITIVE:
        if (!ap_parse_long(value, 1, 1000000000L, &n)) {
            ap_diag_input(s->d, s->path, line, 0,
                          "%s '%s' is not a whole number above 0; write it without commas or "
                          "spaces, e.g. 48500",
                          k->key, value);
            return false;
        }
        *(long *)field = n;
        return true;
    case K_BOOL: {
        bool b;
        if (!ap_parse_bool(value, &b)) {
            ap_diag_input(s->d, s->path, line, 0, "%s '%s' is not true or false", k->key, value);
            return false;
        }
        *(bool *)field = b;
        return true;
    }
    }
    return false;
}

static int on_pair(void *user, const char *section, const char *name, const char *value, long line)
{
    struct load_state *s = user;
    if (!section[0]) {
        ap_diag_input(s->d, s->path, line, 0,
                      "'%s' is outside any section; put it under [database], [organisation], "
                      "[report] or [import]",
                      name);
        return 0;
    }
    if (!s->section_known)
        return 1; /* the section header has been reported already */
    for (size_t i = 0; i < NKEYS; i++) {
        const struct config_key *k = &config_keys[i];
        if (ap_strcasecmp(k->section, section) || ap_strcasecmp(k->key, name))
            continue;
        if (s->seen[i]) {
            ap_diag_input(s->d, s->path, line, 0,
                          "%s is given twice in [%s] (first at line %ld); remove one", k->key,
                          k->section, s->seen[i]);
            return 0;
        }
        s->seen[i] = line;
        /* name = "Sampleshire Council": the quotes are not part of the value. */
        size_t n = strlen(value);
        char *unquoted = n >= 2 && value[0] == '"' && value[n - 1] == '"'
                             ? ap_xstrndup(value + 1, n - 2)
                             : ap_xstrdup(value);
        bool ok = set_value(s, k, unquoted, line);
        free(unquoted);
        return ok ? 1 : 0;
    }
    struct ap_buf known = AP_BUF_INIT;
    known_keys(section, &known);
    ap_diag_input(s->d, s->path, line, 0, "unknown key '%s' in [%s]; the keys there are %s", name,
                  section, known.buf);
    ap_buf_release(&known);
    return 0;
}

enum ap_status ap_config_load(struct ap_config *c, const char *path, struct ap_diag *d)
{
    struct load_state s;
    memset(&s, 0, sizeof s);
    s.c = c;
    s.path = path;
    s.d = d;
    const char *slash = strrchr(path, '/');
    s.dir = ap_xstrndup(path, slash ? (size_t)(slash - path) + 1 : 0);
    ap_config_set(&c->path, path);
    enum ap_status rc = ap_ini_parse_ex(path, on_pair, on_section, &s, d);
    free(s.dir);
    return rc;
}

void ap_config_print_keys(FILE *out)
{
    const char *sec = "";
    fputs("Config file keys (--config FILE, INI):\n", out);
    for (size_t i = 0; i < NKEYS; i++) {
        const struct config_key *k = &config_keys[i];
        if (strcmp(sec, k->section)) {
            sec = k->section;
            fprintf(out, "  [%s]\n", sec);
        }
        fprintf(out, "    %-17s %s\n", k->key, k->help);
    }
    fputs("Relative paths are taken from the config file's folder.\n", out);
}
