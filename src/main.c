/*
 * actionplan: quarterly CSE Action Plan reports from a case database.
 * main() only dispatches: subcommands are rows of a table (after git's commands[]),
 * and standard output is checked once after every command (as git's run_builtin).
 */
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ap_util.h"
#include "commands.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"init", cmd_init, "create an empty case database (mode 0600)"},
    {"map", cmd_map, "draft a profile for an export in the case system's own shape"},
    {"import", cmd_import, "load CSV files, or folders of them, all or nothing"},
    {"check", cmd_check, "list data-quality findings; non-zero exit on errors"},
    {"metrics", cmd_metrics, "print the figures for a period (unsuppressed)"},
    {"report", cmd_report, "write the PDF and XLSX progress report"},
    {"workbook", cmd_workbook, "write a blank Excel workbook for keeping records"},
    {"log", cmd_log, "list the imports and published reports, newest first"},
    {"backup", cmd_backup, "copy the database to a new file, checked (while others read)"},
    {"migrate", cmd_migrate, "upgrade an older database (a copy is kept)"},
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
    fputs("\nEvery command takes -h or --help, and those that use the case database\n"
          "(all but map and workbook) take --config FILE and --db FILE;\n"
          "'actionplan help COMMAND' shows a command's help.\n"
          "Exit status: 0 ok, 1 usage (including a path of the wrong kind, such as a\n"
          "folder where a file is wanted), 2 bad input (CSV, config, template, period),\n"
          "3 I/O or internal failure.\n",
          out);
}

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < AP_ARRAY_LEN(commands); i++)
        if (!strcmp(name, commands[i].name))
            return &commands[i];
    return NULL;
}

/* A full disk or a closed descriptor behind stdout shows only at the flush:
 * check it once for every command. A pipe whose reader has gone is not ours to
 * report (git does the same). */
static int check_stdout(int rc)
{
    struct stat sb;
    if (fstat(fileno(stdout), &sb) != 0 || S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode))
        return rc;
    const char *why = NULL;
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout))
        /* A write that failed earlier may have left errno behind; the
         * stream only remembers that it failed. */
        why = errno ? strerror(errno) : "a write failed, so the output is incomplete";
    if (fclose(stdout) != 0 && !why)
        why = strerror(errno);
    if (!why)
        return rc;
    if (rc != AP_ERR_IO) /* an I/O failure already reported is likely this one */
        fprintf(stderr, "actionplan: error: cannot write to standard output: %s\n", why);
    return AP_ERR_IO;
}

int main(int argc, char **argv)
{
    /* Numbers must be written with '.' whatever the user's locale (libxlsxwriter
     * prints numbers through the C library). */
    setlocale(LC_ALL, "C");
    /* A file-size limit (ulimit -f) must fail the write (EFBIG) like a full
     * disk, so that the output is cleaned up and the error said, rather than
     * kill the process and leave its temporary files behind. */
    if (signal(SIGXFSZ, SIG_IGN) == SIG_ERR) {
        fprintf(stderr, "actionplan: error: cannot set up: %s\n", strerror(errno));
        return AP_ERR_IO;
    }

    if (argc < 2) {
        usage(stderr);
        return AP_ERR_USAGE;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || (!strcmp(name, "help") && argc == 2)) {
        usage(stdout);
        return check_stdout(AP_OK);
    }
    if (!strcmp(name, "--version")) {
        printf("actionplan %s\n", AP_VERSION_STRING);
        return check_stdout(AP_OK);
    }
    if (!strcmp(name, "help")) {
        /* `actionplan help CMD` is `actionplan CMD --help`. */
        const struct command *c = find_command(argv[2]);
        if (argc > 3 || !c) {
            fprintf(stderr, "actionplan: help: error: %s '%s'; try 'actionplan --help'\n",
                    argc > 3 ? "unexpected argument" : "unknown command", argv[argc > 3 ? 3 : 2]);
            return AP_ERR_USAGE;
        }
        char help[] = "--help";
        char *args[] = {argv[2], help, NULL};
        return check_stdout(c->run(2, args));
    }
    const struct command *c = find_command(name);
    if (!c) {
        fprintf(stderr, "actionplan: error: unknown command '%s'; try 'actionplan --help'\n", name);
        return AP_ERR_USAGE;
    }
    return check_stdout(c->run(argc - 1, argv + 1));
}
