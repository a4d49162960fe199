/*
 * ap_lxw: libxlsxwriter's error words and a quiet close (see ap_lxw.h).
 */
#include "ap_lxw.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void ap_lxw_words(lxw_error e, char out[160])
{
    snprintf(out, 160, "%s", lxw_strerror(e));
    size_t n = strlen(out);
    while (n > 0 && (out[n - 1] == '.' || out[n - 1] == ' '))
        out[--n] = '\0';
}

/* workbook_close with stderr pointed at /dev/null meanwhile (left as it is if
 * that cannot be done). */
static lxw_error quiet_close(lxw_workbook *wb)
{
    int saved = -1, null = -1;
    fflush(stderr);
    if ((saved = dup(STDERR_FILENO)) >= 0 && (null = open("/dev/null", O_WRONLY)) >= 0 &&
        dup2(null, STDERR_FILENO) < 0) {
        close(saved);
        saved = -1;
    }
    if (null >= 0)
        close(null);
    lxw_error e = workbook_close(wb);
    if (saved >= 0) {
        fflush(stderr);
        dup2(saved, STDERR_FILENO);
        close(saved);
    }
    return e;
}

enum ap_status ap_lxw_close(lxw_workbook *wb, const char *shown, struct ap_diag *d)
{
    lxw_error e = quiet_close(wb);
    if (e == LXW_NO_ERROR)
        return AP_OK;
    char words[160];
    ap_lxw_words(e, words);
    ap_diag_report(d, AP_ERROR, AP_ERR_IO, shown, 0, 0,
                   "cannot write the workbook: %s; check the free space and that the folder is "
                   "writable",
                   words);
    return AP_ERR_IO;
}
