/*
 * ap_lxw: what the report's workbook and the blank input workbook share about
 * libxlsxwriter: its error words inside our sentences, and closing a workbook
 * (where it writes the file) with its own "[ERROR]" lines kept from the user.
 */
#ifndef AP_LXW_H
#define AP_LXW_H

#include <xlsxwriter.h>

#include "ap_diag.h"

/* libxlsxwriter's description of e without its closing full stop, so that it
 * reads inside a sentence. */
void ap_lxw_words(lxw_error e, char out[160]);

/* workbook_close(wb), which writes the file and frees wb whatever happens,
 * with libxlsxwriter's own "[ERROR]" lines (printed to stderr by the library,
 * with no way to turn them off in 1.1.4) kept from the user: a failure becomes
 * our one message instead, naming `shown` (the file the user asked for, not
 * the temporary one written). AP_OK or AP_ERR_IO. */
enum ap_status ap_lxw_close(lxw_workbook *wb, const char *shown, struct ap_diag *d);

#endif
