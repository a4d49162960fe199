/* ap_period: not written yet. */
#include "ap_period.h"
