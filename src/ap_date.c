/* ap_date: not written yet. */
#include "ap_date.h"
