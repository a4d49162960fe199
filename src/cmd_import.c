/* cmd_import: `actionplan import` (not written yet). */
#include <stdio.h>

#include "commands.h"

const char cmd_import_usage[] = "usage: actionplan import\n";

int cmd_import(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("actionplan: error: 'import' is not available yet\n", stderr);
    return 3;
}
