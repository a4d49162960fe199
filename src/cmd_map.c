/*
 * cmd_map: `actionplan map PATH...`. Option parsing only; the work is
 * ap_map_run().
 */
#include <stdio.h>

#include "ap_cli.h"
#include "ap_map.h"
#include "commands.h"

static const struct ap_cli_cmd map_cmd = {
    .name = "map",
    .synopsis = "PATH...",
    .description = "Read an export as the case system wrote it (CSV files, .xlsx workbooks, or\n"
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
                   "The import refuses a profile that still holds a '?'.\n",
    .footer = "Exit status: 0 drafted, 1 bad command line, 2 nothing recognisable or a file\n"
              "that is neither CSV nor a workbook, 3 cannot read a file.\n",
    .takes_args = true,
};

int cmd_map(int argc, char **argv)
{
    const struct ap_option options[] = {
        AP_OPT_END,
    };
    struct ap_diag d;
    int nargs, rc;
    if (!ap_cli_parse(&map_cmd, options, argc, argv, &nargs, &rc))
        return rc;
    if (nargs == 0)
        return ap_cli_usage_error("map", "no export file or folder given");
    ap_diag_init(&d);
    enum ap_status st = ap_map_run((const char *const *)(argv + 1), (size_t)nargs, stdout, &d);
    ap_diag_finish(&d);
    return st;
}
