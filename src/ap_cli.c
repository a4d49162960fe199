/* ap_cli: not written yet. */
#include "ap_cli.h"
