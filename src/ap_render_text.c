/* ap_render_text: not written yet. */
#include "ap_report.h"
