/*
 * ap_map: `actionplan map PATH...`: read an export (CSV files, workbooks, or
 * folders of them) and print a draft mapping profile (see ap_profile.h): for
 * each table the file and sheet guessed, the header row found, each column
 * matched, and every label of each enumerated column with its count under a
 * guessed code or '?'.
 */
#ifndef AP_MAP_H
#define AP_MAP_H

#include <stdio.h>

#include "ap_diag.h"

/* Print the draft to out. Returns AP_OK, AP_ERR_INPUT (nothing recognisable,
 * or a file that cannot be read as CSV or a workbook), AP_ERR_IO. */
enum ap_status ap_map_run(const char *const *paths, size_t npaths, FILE *out, struct ap_diag *d);

#endif
