/*
 * ap_cli: the one command-line grammar (after git's parse-options). Each command
 * describes its options in a table; ap_cli_parse() reads argv against it, prints
 * the help generated from the table for -h/--help, and reports every usage error
 * in one format that names the command:
 *   actionplan: report: error: unknown option '--pfd'; try 'actionplan report --help'
 * (exit 1). It also holds what every command shares: --db/--config, the period
 * options and their resolution, and the check that a path is of the kind wanted.
 *
 * How to add an option to a command (see cmd_metrics.c for a short example):
 *   1. add a field for its value (const char * for a value, bool for a flag,
 *      int for a choice) in the command's function or its options struct;
 *   2. add a row to the command's table, before AP_OPT_END:
 *        AP_OPT_STRING("pdf", 0, &pdf, "FILE", "write the PDF to FILE"),
 *        AP_OPT_BOOL("replace", 0, &opts.replace, "make each file the whole table"),
 *        AP_OPT_CHOICE("format", 0, &format, "FMT", formats, "how to print: ..."),
 *      The help text may hold '\n' for more lines; the table is the help: the
 *      option lines of `actionplan CMD --help` are printed from it, in its order.
 *      AP_OPT_GROUP("Period") starts a titled group of rows in the help.
 *   3. validate the value after ap_cli_parse() returns (ap_cli_usage_error()
 *      for a bad one), never inside the table.
 *   --db/--config (AP_OPT_COMMON) and --quarter/--year/--month/--from/--to
 *   (AP_OPT_PERIOD)
 *   are shared rows; -h/--help is added by the parser to every command.
 *
 * How to add a command:
 *   1. write cmd_NAME.c with `int cmd_NAME(int argc, char **argv)`, a
 *      `static const struct ap_cli_cmd` (name, synopsis, description, footer)
 *      and its option table; start with
 *        int nargs, rc;
 *        if (!ap_cli_parse(&cmd, options, argc, argv, &nargs, &rc))
 *            return rc;
 *      the operands are then argv[1] .. argv[nargs];
 *   2. declare it in commands.h and add a row to commands[] in main.c (name,
 *      function, one-line summary); list the .c in CMakeLists.txt;
 *   3. add CLI cases in tests/cli/NAME (at least help and a usage error).
 * main() checks standard output after every command: a command need not.
 */
#ifndef AP_CLI_H
#define AP_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "ap_config.h"
#include "ap_diag.h"
#include "ap_period.h"

enum ap_opt_type {
    AP_OPT_TYPE_END,    /* the end of a table */
    AP_OPT_TYPE_GROUP,  /* a heading in the help, no option */
    AP_OPT_TYPE_STRING, /* takes a value: value is const char ** */
    AP_OPT_TYPE_BOOL,   /* a flag: value is bool *, set to true */
    AP_OPT_TYPE_CHOICE  /* takes one of choices[]: value is int *, set to its index */
};

struct ap_option {
    enum ap_opt_type type;
    const char *long_name;      /* "pdf" for --pdf; NULL only for END and GROUP */
    char short_name;            /* 'o' for -o, or 0 */
    const char *argh;           /* the value's name in the help ("FILE"); NULL for a flag */
    void *value;                /* where the value goes (see the types) */
    const char *const *choices; /* CHOICE: the allowed words, NULL-terminated */
    const char *help;           /* help text; '\n' starts another line; GROUP: the heading */
};

#define AP_OPT_END                                                                                 \
    {                                                                                              \
        AP_OPT_TYPE_END, NULL, 0, NULL, NULL, NULL, NULL                                           \
    }
#define AP_OPT_GROUP(h)                                                                            \
    {                                                                                              \
        AP_OPT_TYPE_GROUP, NULL, 0, NULL, NULL, NULL, (h)                                          \
    }
#define AP_OPT_STRING(l, s, v, a, h)                                                               \
    {                                                                                              \
        AP_OPT_TYPE_STRING, (l), (s), (a), (v), NULL, (h)                                          \
    }
#define AP_OPT_BOOL(l, s, v, h)                                                                    \
    {                                                                                              \
        AP_OPT_TYPE_BOOL, (l), (s), NULL, (v), NULL, (h)                                           \
    }
#define AP_OPT_CHOICE(l, s, v, a, c, h)                                                            \
    {                                                                                              \
        AP_OPT_TYPE_CHOICE, (l), (s), (a), (v), (c), (h)                                           \
    }

/* A command's help: printed as "usage: actionplan NAME SYNOPSIS", the
 * description, the options from the table, then the footer. */
struct ap_cli_cmd {
    const char *name;             /* "report" */
    const char *synopsis;         /* after the name; '\n' continues the line, indented */
    const char *description;      /* paragraphs after the usage line, or NULL */
    const char *footer;           /* after the options (exit statuses...), or NULL */
    bool takes_args;              /* operands allowed (else each is "unexpected argument") */
    void (*more_help)(FILE *out); /* printed last by --help, or NULL */
};

/* What every command shares. */
struct ap_cli_common {
    const char *cmd;         /* the command's name, for messages */
    const char *config_path; /* --config */
    const char *db_path;     /* --db */
    const char *quarter;     /* --quarter */
    const char *year;        /* --year */
    const char *month;       /* --month */
    const char *from, *to;   /* --from, --to */
};

/* The shared rows of an option table; co is a struct ap_cli_common *. */
#define AP_OPT_COMMON(co)                                                                          \
    AP_OPT_STRING("db", 0, &(co)->db_path, "FILE",                                                 \
                  "the case database (default: the config's, else actionplan.db)"),                \
        AP_OPT_STRING("config", 0, &(co)->config_path, "FILE", "read defaults from this INI file")
#define AP_OPT_PERIOD(co)                                                                          \
    AP_OPT_STRING("quarter", 0, &(co)->quarter, "YYYY/YY-QN",                                      \
                  "a quarter of the financial year (2016/17-Q4 is\n"                               \
                  "1 January to 31 March 2017)"),                                                  \
        AP_OPT_STRING("year", 0, &(co)->year, "YYYY/YY",                                           \
                      "a financial year (2016/17 is 1 April 2016 to\n"                             \
                      "31 March 2017)"),                                                           \
        AP_OPT_STRING("month", 0, &(co)->month, "YYYY-MM", "a calendar month (2017-01)"),          \
        AP_OPT_STRING("from", 0, &(co)->from, "DATE", "the first day of a period (YYYY-MM-DD)"),   \
        AP_OPT_STRING("to", 0, &(co)->to, "DATE", "its last day, included (YYYY-MM-DD)")

/* Parse argv (argv[0] is the command's name) against opts. Options and operands
 * may be mixed; "--" ends the options. Values: "--name VALUE", "--name=VALUE",
 * "-x VALUE", "-xVALUE"; no abbreviations. On success returns true and moves the
 * operands, in order, to argv[1] .. argv[*nargs]. Otherwise returns false with
 * *exit_status set: 0 after printing the help (-h, --help), 1 after printing a
 * usage error. */
bool ap_cli_parse(const struct ap_cli_cmd *cmd, const struct ap_option *opts, int argc, char **argv,
                  int *nargs, int *exit_status);

/* Print the command's help (what --help prints) to out. */
void ap_cli_help(const struct ap_cli_cmd *cmd, const struct ap_option *opts, FILE *out);

/* Print "actionplan: CMD: error: MESSAGE; try 'actionplan CMD --help'" to
 * stderr; returns AP_ERR_USAGE. */
enum ap_status ap_cli_usage_error(const char *cmd, const char *fmt, ...) AP_PRINTF(2, 3);

/* Load the config (if --config was given) and apply --db over it. A config or
 * database path that is a folder is a usage error (ap_cli_want_file). */
enum ap_status ap_cli_config(const struct ap_cli_common *o, struct ap_config *cfg,
                             struct ap_diag *d);

/* Resolve the period from --quarter, --year, --month or --from/--to (exactly
 * one form).
 * Missing or conflicting options are usage errors; malformed values are input
 * errors (exit 2). */
enum ap_status ap_cli_period(const struct ap_cli_common *o, const struct ap_config *cfg,
                             struct ap_period *out, struct ap_diag *d);

/* A path of the wrong kind is one usage error (exit 1) whatever option named it:
 * want_file refuses an existing folder, want_dir an existing non-folder. A path
 * that does not exist passes (the caller reports what it means). */
enum ap_status ap_cli_want_file(const char *path, struct ap_diag *d);
enum ap_status ap_cli_want_dir(const char *path, struct ap_diag *d);

#endif
