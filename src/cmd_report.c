/* cmd_report: `actionplan report` (not written yet). */
#include <stdio.h>

#include "commands.h"

const char cmd_report_usage[] = "usage: actionplan report\n";

int cmd_report(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("actionplan: error: 'report' is not available yet\n", stderr);
    return 3;
}
