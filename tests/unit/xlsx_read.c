/*
 * xlsx_read: read every row of a workbook's sheet through ap_xlsx and print
 * "ROWS rows, CELLS cells with a value" (bench/xlsx_rss.sh measures its peak
 * memory). usage: xlsx_read FILE.xlsx [SHEET]
 */
#include <stdio.h>

#include "ap_xlsx.h"

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fputs("usage: xlsx_read FILE.xlsx [SHEET]\n", stderr);
        return AP_ERR_USAGE;
    }
    struct ap_diag d;
    ap_diag_init(&d);
    struct ap_xlsx *x;
    enum ap_status st = ap_xlsx_open(argv[1], &x, &d);
    if (st == AP_OK)
        st = ap_xlsx_select(x, argc > 2 ? argv[2] : NULL, &d);
    long rows = 0, cells = 0;
    struct ap_xlsx_row row;
    int rc = 0;
    while (st == AP_OK && (rc = ap_xlsx_next(x, &row, &d)) == 1) {
        rows++;
        for (size_t i = 0; i < row.n; i++)
            cells += row.cells[i].kind != AP_XLSX_EMPTY;
    }
    ap_xlsx_close(x);
    if (st != AP_OK || rc < 0)
        return st != AP_OK ? st : AP_ERR_INPUT;
    printf("%ld rows, %ld cells with a value\n", rows, cells);
    return AP_OK;
}
