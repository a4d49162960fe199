/* ap_template: not written yet. */
#include "ap_util.h"
