/* ap_suppress: not written yet. */
#include "ap_util.h"
