/* cmd_init: `actionplan init` (not written yet). */
#include <stdio.h>

#include "commands.h"

const char cmd_init_usage[] = "usage: actionplan init\n";

int cmd_init(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("actionplan: error: 'init' is not available yet\n", stderr);
    return 3;
}
