/*
 * cmd_map: `actionplan map [--out FILE] PATH...`. Option parsing only; the
 * work is ap_map_run().
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ap_cli.h"
#include "ap_map.h"
#include "commands.h"

const char cmd_map_usage[] =
    "usage: actionplan map PATH...\n"
    "\n"
    "Read an export as the case system wrote it (CSV files, .xlsx workbooks, or\n"
    "folders of them) and print a draft profile for 'actionplan import --profile':\n"
    "for each table, the file and sheet it was guessed from and the row its header\n"
    "is on (title rows above it are skipped); each column matched by name, by a\n"
    "match that ignores case, spaces and punctuation, or by a common synonym (DOB,\n"
    "Person ID, Locality, Date referred, Referred by, Case ref...); the export's\n"
    "other columns as comments (they are never stored); and for each enumerated\n"
    "column every label found, with its count, under the code it seems to mean, or\n"
    "under '?' where there is no guess.\n"
    "\n"
    "Save the draft, check it, replace every '?' with a code, and import:\n"
    "  actionplan map export/ > profile.ini\n"
    "  actionplan import --profile profile.ini export/\n"
    "The import refuses a profile that still holds a '?'.\n"
    "\n"
    "Options:\n"
    "  --help         show this text\n"
    "\n"
    "Exit status: 0 drafted, 1 bad command line, 2 nothing recognisable or a file\n"
    "that is neither CSV nor a workbook, 3 cannot read a file.\n";

int cmd_map(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, AP_OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    struct ap_diag d;
    int c;
    ap_diag_init(&d);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case AP_OPT_HELP:
        case 'h':
            fputs(cmd_map_usage, stdout);
            return AP_OK;
        default:
            return ap_cli_usage_error("map", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return ap_cli_usage_error("map", "no export file or folder given");
    enum ap_status st =
        ap_map_run((const char *const *)(argv + optind), (size_t)(argc - optind), stdout, &d);
    ap_diag_finish(&d);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        ap_diag_error(&d, AP_ERR_IO, "cannot write the draft to standard output");
        st = AP_ERR_IO;
    }
    return st;
}
