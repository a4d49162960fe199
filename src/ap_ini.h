/*
 * ap_ini: inih (Debian's libinih) driven through ini_parse_stream with our own
 * line reader, so that every message carries the true file:line, over-long lines
 * are rejected instead of silently cut, and continuation lines are refused.
 */
#ifndef AP_INI_H
#define AP_INI_H

#include "ap_diag.h"

#define AP_INI_MAX_LINE 4000 /* bytes in one line, excluding the newline */

/* Called for each name=value; line is the 1-based line of the pair. Return 0 to
 * signal an error (the handler reports it itself through diag), 1 otherwise. */
typedef int (*ap_ini_handler)(void *user, const char *section, const char *name,
                              const char *value, long line);

/* Parse path. Syntax errors (no '=', unclosed '[') are reported at file:line,
 * as are lines over AP_INI_MAX_LINE, NUL bytes, invalid UTF-8 and indented
 * (continuation) lines; comments start a line with ';' or '#'; there are no
 * inline comments (a value is everything after the first '=' or ':'); a BOM is
 * accepted. Every error is reported, not only the first.
 * Returns AP_OK, AP_ERR_INPUT (any error reported), or AP_ERR_IO (cannot read). */
enum ap_status ap_ini_parse(const char *path, ap_ini_handler h, void *user, struct ap_diag *d);

/* Called at each [section] header (name without brackets or surrounding blanks),
 * before any pair in it; lets a caller report an unknown section at its own line.
 * Reports through diag itself; the return value is ignored. */
typedef void (*ap_ini_section_handler)(void *user, const char *section, long line);

/* As ap_ini_parse, with a section handler (sh may be NULL). */
enum ap_status ap_ini_parse_ex(const char *path, ap_ini_handler h, ap_ini_section_handler sh,
                               void *user, struct ap_diag *d);

#endif
