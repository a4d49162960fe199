/*
 * actionplan: quarterly CSE Action Plan reports from a case database.
 * main() only dispatches: subcommands are rows of a table (after git's commands[]).
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "ap_util.h"
#include "commands.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
    const char *summary;
};

static const struct command commands[] = {
    {"init", cmd_init, cmd_init_usage, "create an empty case database (mode 0600)"},
    {"map", cmd_map, cmd_map_usage, "draft a profile for an export in the case system's shape"},
    {"import", cmd_import, cmd_import_usage, "load CSV files, or folders of them, all or nothing"},
    {"check", cmd_check, cmd_check_usage, "list data-quality findings; non-zero exit on errors"},
    {"metrics", cmd_metrics, cmd_metrics_usage, "print the figures for a period (unsuppressed)"},
    {"report", cmd_report, cmd_report_usage, "write the PDF and XLSX progress report"},
};

static void usage(FILE *out)
{
    fputs("usage: actionplan COMMAND [OPTIONS]\n\n"
          "Produces the quarterly progress report on the CSE Action Plan from the team's case\n"
          "database: import the case system's CSV export, check it, then report.\n\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < AP_ARRAY_LEN(commands); i++)
        fprintf(out, "  %-8s  %s\n", commands[i].name, commands[i].summary);
    fputs("\nEvery command takes --config FILE and --help.\n"
          "Exit status: 0 ok, 1 usage, 2 bad input (CSV, config, template, period),\n"
          "3 I/O or internal failure.\n",
          out);
}

int main(int argc, char **argv)
{
    /* Numbers must be written with '.' whatever the user's locale (libxlsxwriter
     * prints numbers through the C library). */
    setlocale(LC_ALL, "C");

    if (argc < 2) {
        usage(stderr);
        return AP_ERR_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return AP_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("actionplan %s\n", AP_VERSION_STRING);
        return AP_OK;
    }
    for (size_t i = 0; i < AP_ARRAY_LEN(commands); i++) {
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr, "actionplan: error: unknown command '%s'; try 'actionplan --help'\n", argv[1]);
    return AP_ERR_USAGE;
}
