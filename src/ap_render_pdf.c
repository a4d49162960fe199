/* ap_render_pdf: the PDF renderer (libharu). Being written. */
#include "ap_report.h"

enum ap_status ap_render_pdf(const struct ap_report *r, const char *path, struct ap_diag *d)
{
    (void)r;
    ap_diag_error(d, AP_ERR_IO, "cannot write '%s': the PDF renderer is not written yet", path);
    return AP_ERR_IO;
}
