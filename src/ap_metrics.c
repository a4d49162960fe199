/* ap_metrics: not written yet. */
#include "ap_metrics.h"
