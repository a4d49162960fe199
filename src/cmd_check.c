/* cmd_check: `actionplan check` (not written yet). */
#include <stdio.h>

#include "commands.h"

const char cmd_check_usage[] = "usage: actionplan check\n";

int cmd_check(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("actionplan: error: 'check' is not available yet\n", stderr);
    return 3;
}
