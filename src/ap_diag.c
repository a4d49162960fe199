/*
 * ap_diag: the diagnostics module (after mandoc's mandoc_msg).
 */
#include "ap_diag.h"

#include <stdarg.h>
#include <string.h>

static const char *const severity_names[] = {"note", "warning", "error"};

void ap_diag_init(struct ap_diag *d)
{
    d->out = stderr;
    d->max_errors = 50;
    d->errors = 0;
    d->warnings = 0;
    d->status = AP_OK;
}

void ap_diag_report(struct ap_diag *d, enum ap_severity sev, enum ap_status st, const char *file,
                    long line, long col, const char *fmt, ...)
{
    if (sev == AP_ERROR) {
        d->errors++;
        d->status = ap_status_worst(d->status, st == AP_OK ? AP_ERR_INPUT : st);
        if (d->errors > d->max_errors)
            return;
    } else if (sev == AP_WARNING) {
        d->warnings++;
    }
    FILE *out = d->out ? d->out : stderr;
    fputs("actionplan: ", out);
    if (file) {
        fputs(file, out);
        size_t fn = strlen(file);
        if (line > 0 && fn > 2 && file[fn - 1] == ']' && strchr(file, '[')) {
            /* A workbook sheet: Excel's own names for a cell and a row. */
            if (col > 0) {
                char letters[8];
                size_t k = sizeof letters;
                for (long c = col; c > 0 && k > 0; c = (c - 1) / 26)
                    letters[--k] = (char)('A' + (c - 1) % 26);
                fprintf(out, "!%.*s%ld", (int)(sizeof letters - k), letters + k, line);
            } else {
                fprintf(out, "!%ld:%ld", line, line);
            }
        } else if (line > 0) {
            fprintf(out, ":%ld", line);
            if (col > 0)
                fprintf(out, ":%ld", col);
        }
        fputs(": ", out);
    }
    fprintf(out, "%s: ", severity_names[sev]);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
}

void ap_diag_finish(struct ap_diag *d)
{
    if (d->errors > d->max_errors) {
        size_t more = d->errors - d->max_errors;
        fprintf(d->out ? d->out : stderr, "actionplan: and %zu more error%s\n", more,
                more == 1 ? "" : "s");
    }
}
