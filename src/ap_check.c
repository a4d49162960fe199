/* ap_check: not written yet. */
#include "ap_check.h"
