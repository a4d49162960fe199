/* ap_report: not written yet. */
#include "ap_report.h"
