/* ap_enum: not written yet. */
#include "ap_enum.h"
