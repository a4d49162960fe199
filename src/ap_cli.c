/*
 * ap_cli: the option parser and help printer, and the config, period and path
 * checks shared by every command.
 */
#include "ap_cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ap_db.h"

enum ap_status ap_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "actionplan: %s: error: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "; try 'actionplan %s --help'\n", cmd);
    return AP_ERR_USAGE;
}

/* The column where option help starts. */
enum { HELP_COLUMN = 26 };

/* Print text, continuing each '\n' at column indent. */
static void print_indented(FILE *out, const char *text, int indent)
{
    for (const char *p = text; *p; p++) {
        fputc(*p, out);
        if (*p == '\n')
            fprintf(out, "%*s", indent, "");
    }
    fputc('\n', out);
}

static void print_option(FILE *out, const struct ap_option *o)
{
    int n = fprintf(out, "  ");
    if (o->short_name)
        n += fprintf(out, "-%c, ", o->short_name);
    n += fprintf(out, "--%s", o->long_name);
    if (o->argh)
        n += fprintf(out, " %s", o->argh);
    if (n + 2 > HELP_COLUMN) {
        fputc('\n', out);
        n = 0;
    }
    fprintf(out, "%*s", HELP_COLUMN - n, "");
    print_indented(out, o->help, HELP_COLUMN);
    if (o->type == AP_OPT_TYPE_CHOICE) {
        fprintf(out, "%*sone of:", HELP_COLUMN, "");
        for (size_t i = 0; o->choices[i]; i++)
            fprintf(out, " %s", o->choices[i]);
        fputc('\n', out);
    }
}

void ap_cli_help(const struct ap_cli_cmd *cmd, const struct ap_option *opts, FILE *out)
{
    char indent[64];
    int n = snprintf(indent, sizeof indent, "usage: actionplan %s ", cmd->name);
    fputs(indent, out);
    print_indented(out, cmd->synopsis, n);
    if (cmd->description) {
        fputc('\n', out);
        fputs(cmd->description, out);
    }
    fputs("\nOptions:\n", out);
    for (const struct ap_option *o = opts; o->type != AP_OPT_TYPE_END; o++) {
        if (o->type == AP_OPT_TYPE_GROUP)
            fprintf(out, "\n%s:\n", o->help);
        else
            print_option(out, o);
    }
    static const struct ap_option help = AP_OPT_BOOL("help", 'h', NULL, "show this help");
    print_option(out, &help);
    if (cmd->footer) {
        fputc('\n', out);
        fputs(cmd->footer, out);
    }
    if (cmd->more_help) {
        fputc('\n', out);
        cmd->more_help(out);
    }
}

/* The row for "--name" (name of length n) or "-c", or NULL. */
static const struct ap_option *find_long(const struct ap_option *opts, const char *name, size_t n)
{
    for (const struct ap_option *o = opts; o->type != AP_OPT_TYPE_END; o++)
        if (o->long_name && strlen(o->long_name) == n && !strncmp(o->long_name, name, n))
            return o;
    return NULL;
}

static const struct ap_option *find_short(const struct ap_option *opts, char c)
{
    for (const struct ap_option *o = opts; o->type != AP_OPT_TYPE_END; o++)
        if (o->type != AP_OPT_TYPE_GROUP && o->short_name == c)
            return o;
    return NULL;
}

/* Store value (NULL for a flag) through o; false after a usage error. */
static bool take(const struct ap_cli_cmd *cmd, const struct ap_option *o, const char *spelt,
                 const char *value)
{
    switch (o->type) {
    case AP_OPT_TYPE_BOOL:
        if (value) {
            ap_cli_usage_error(cmd->name, "option '%s' takes no value", spelt);
            return false;
        }
        *(bool *)o->value = true;
        return true;
    case AP_OPT_TYPE_STRING:
        *(const char **)o->value = value;
        return true;
    case AP_OPT_TYPE_CHOICE:
        for (int i = 0; o->choices[i]; i++) {
            if (!strcmp(o->choices[i], value)) {
                *(int *)o->value = i;
                return true;
            }
        }
        fprintf(stderr, "actionplan: %s: error: %s '%s' is not one of", cmd->name, spelt, value);
        for (size_t i = 0; o->choices[i]; i++)
            fprintf(stderr, "%s %s", i ? "," : "", o->choices[i]);
        fprintf(stderr, "; try 'actionplan %s --help'\n", cmd->name);
        return false;
    case AP_OPT_TYPE_END:
    case AP_OPT_TYPE_GROUP:
        break;
    }
    return false;
}

bool ap_cli_parse(const struct ap_cli_cmd *cmd, const struct ap_option *opts, int argc, char **argv,
                  int *nargs, int *exit_status)
{
    int out = 1;
    bool only_operands = false;
    *exit_status = AP_ERR_USAGE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_operands || a[0] != '-' || a[1] == '\0') { /* "-" is an operand */
            argv[out++] = argv[i];
            continue;
        }
        if (!strcmp(a, "--")) {
            only_operands = true;
            continue;
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            ap_cli_help(cmd, opts, stdout);
            *exit_status = AP_OK;
            return false;
        }
        const struct ap_option *o;
        const char *value = NULL;
        char spelt[64];
        if (a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            size_t n = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
            o = find_long(opts, a + 2, n);
            snprintf(spelt, sizeof spelt, "--%.*s", (int)(n < 40 ? n : 40), a + 2);
            if (eq)
                value = eq + 1;
        } else {
            o = find_short(opts, a[1]);
            snprintf(spelt, sizeof spelt, "-%c", a[1]);
            if (a[2])
                value = a + 2;
        }
        if (!o) {
            ap_cli_usage_error(cmd->name, "unknown option '%s'", a);
            return false;
        }
        if (o->type != AP_OPT_TYPE_BOOL && !value) {
            if (i + 1 >= argc) {
                ap_cli_usage_error(cmd->name, "option '%s' needs a value", spelt);
                return false;
            }
            value = argv[++i];
        }
        if (!take(cmd, o, spelt, value))
            return false;
    }
    *nargs = out - 1;
    if (!cmd->takes_args && out > 1) {
        ap_cli_usage_error(cmd->name, "unexpected argument '%s'", argv[1]);
        return false;
    }
    *exit_status = AP_OK;
    return true;
}

static enum ap_status want_kind(const char *path, bool dir, struct ap_diag *d)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || !!S_ISDIR(sb.st_mode) == dir)
        return AP_OK;
    ap_diag_report(d, AP_ERROR, AP_ERR_USAGE, path, 0, 0,
                   dir ? "is not a folder; give the folder to write into"
                       : "is a folder; give the path of a file");
    return AP_ERR_USAGE;
}

enum ap_status ap_cli_want_file(const char *path, struct ap_diag *d)
{
    return want_kind(path, false, d);
}

enum ap_status ap_cli_want_dir(const char *path, struct ap_diag *d)
{
    return want_kind(path, true, d);
}

enum ap_status ap_cli_config(const struct ap_cli_common *o, struct ap_config *cfg,
                             struct ap_diag *d)
{
    ap_config_defaults(cfg);
    if (o->config_path) {
        enum ap_status st = ap_cli_want_file(o->config_path, d);
        if (st == AP_OK)
            st = ap_config_load(cfg, o->config_path, d);
        if (st != AP_OK)
            return st;
    }
    if (o->db_path)
        ap_config_set(&cfg->db_path, o->db_path);
    ap_db_set_busy_timeout(cfg->busy_timeout);
    return ap_cli_want_file(cfg->db_path, d);
}

/* Parse one --from/--to date; errors name the option. */
static enum ap_status option_date(const char *opt, const char *value, ap_day *out,
                                  struct ap_diag *d)
{
    const char *why;
    if (!ap_date_parse(value, strlen(value), out, &why)) {
        ap_diag_error(d, AP_ERR_INPUT, "%s '%s': %s", opt, value, why);
        return AP_ERR_INPUT;
    }
    return AP_OK;
}

enum ap_status ap_cli_period(const struct ap_cli_common *o, const struct ap_config *cfg,
                             struct ap_period *out, struct ap_diag *d)
{
    static const char forms[] = "--quarter YYYY/YY-QN, --year YYYY/YY, --month YYYY-MM, or "
                                "--from YYYY-MM-DD with --to YYYY-MM-DD";
    const struct {
        const char *opt, *value;
        bool (*parse)(const char *, int, struct ap_period *, const char **);
    } named[] = {
        {"--quarter", o->quarter, ap_period_parse_quarter},
        {"--year", o->year, ap_period_parse_year},
        {"--month", o->month, ap_period_parse_month},
    };
    const char *why;
    int given = (o->from || o->to) ? 1 : 0;
    for (size_t i = 0; i < AP_ARRAY_LEN(named); i++)
        given += named[i].value != NULL;
    if (given > 1)
        return ap_cli_usage_error(o->cmd, "give one period only: %s", forms);
    for (size_t i = 0; i < AP_ARRAY_LEN(named); i++) {
        if (!named[i].value)
            continue;
        if (!named[i].parse(named[i].value, cfg->fy_start_month, out, &why)) {
            ap_diag_error(d, AP_ERR_INPUT, "%s '%s': %s", named[i].opt, named[i].value, why);
            return AP_ERR_INPUT;
        }
        return AP_OK;
    }
    if (!o->from || !o->to) {
        if (o->from || o->to)
            return ap_cli_usage_error(o->cmd, "--from and --to go together; give both");
        return ap_cli_usage_error(o->cmd, "no period given; use %s", forms);
    }
    ap_day from, to;
    enum ap_status st = option_date("--from", o->from, &from, d);
    if (st == AP_OK)
        st = option_date("--to", o->to, &to, d);
    if (st != AP_OK)
        return st;
    if (!ap_period_from_range(from, to, cfg->fy_start_month, out, &why)) {
        ap_diag_error(d, AP_ERR_INPUT, "--from %s --to %s: %s", o->from, o->to, why);
        return AP_ERR_INPUT;
    }
    return AP_OK;
}
