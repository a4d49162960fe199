/* cmd_metrics: `actionplan metrics` (not written yet). */
#include <stdio.h>

#include "commands.h"

const char cmd_metrics_usage[] = "usage: actionplan metrics\n";

int cmd_metrics(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("actionplan: error: 'metrics' is not available yet\n", stderr);
    return 3;
}
