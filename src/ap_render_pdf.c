/* ap_render_pdf: not written yet. */
#include "ap_report.h"
