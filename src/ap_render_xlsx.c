/* ap_render_xlsx: not written yet. */
#include "ap_report.h"
