/* ap_atomic: not written yet. */
#include "ap_atomic.h"
