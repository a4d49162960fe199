/*
 * fuzz_xlsx: the workbook reader (ap_xlsx) on hostile workbooks. The first byte
 * picks the mode:
 *   even: the rest is the .xlsx file itself (the zip layer: headers, sizes, CRCs);
 *   odd:  the rest is up to five XML parts separated by lines "%%" -- the
 *         workbook, its relationships, the shared strings, the styles and the
 *         first sheet -- which the harness zips (minizip's writer; stored or
 *         deflated by bit 1) with fixed content types and package
 *         relationships, so mutations reach the XML handlers.
 * Then it reads every sheet to its end. Besides the sanitizers, checks the
 * reader's promises: text NUL-terminated at its length and within
 * AP_XLSX_MAX_TEXT, at most AP_XLSX_MAX_COLS cells, the last cell of a row holds
 * a value, rows within 1..AP_XLSX_MAX_ROW, and a failure was reported. The
 * limits are smaller than the defaults (4 MiB a part) so that one input costs
 * milliseconds, not the seconds a 4 GiB sheet would.
 */
#include <stdint.h>
#include <stdio.h>
#include <zip.h>

#include "ap_xlsx.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct ap_xlsx_limits limits = {4 << 20, 4 << 20, AP_XLSX_MAX_RATIO,
                                             1 << 20, 200000,  4 << 20};

static const char content_types[] =
    "<?xml version=\"1.0\"?><Types "
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>";
static const char root_rels[] =
    "<?xml version=\"1.0\"?><Relationships "
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship "
    "Id=\"rId1\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
    "Target=\"xl/workbook.xml\"/></Relationships>";

static void add(zipFile z, const char *name, const void *buf, size_t len, int method)
{
    zip_fileinfo zi;
    memset(&zi, 0, sizeof zi);
    if (zipOpenNewFileInZip(z, name, &zi, NULL, 0, NULL, 0, NULL, method, method ? 6 : 0) !=
            ZIP_OK ||
        (len && zipWriteInFileInZip(z, buf, (unsigned)len) != ZIP_OK) ||
        zipCloseFileInZip(z) != ZIP_OK)
        abort();
}

/* Zip the parts of data (separated by "\n%%\n") into path. */
static void make_workbook(const char *path, const uint8_t *data, size_t size, int method)
{
    static const char *const names[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                                        "xl/sharedStrings.xml", "xl/styles.xml",
                                        "xl/worksheets/sheet1.xml"};
    zipFile z = zipOpen(path, APPEND_STATUS_CREATE);
    if (!z)
        abort();
    add(z, "[Content_Types].xml", content_types, sizeof content_types - 1, method);
    add(z, "_rels/.rels", root_rels, sizeof root_rels - 1, method);
    const uint8_t *p = data, *end = data + size;
    for (size_t i = 0; i < AP_ARRAY_LEN(names) && p <= end; i++) {
        const uint8_t *q = p;
        while (q + 4 <= end && memcmp(q, "\n%%\n", 4))
            q++;
        if (q + 4 > end)
            q = end;
        add(z, names[i], p, (size_t)(q - p), method);
        p = q + 4;
    }
    if (zipClose(z, NULL) != ZIP_OK)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct ap_diag d;
    fuzz_diag(&d);
    char *path = ap_xasprintf("%s/fuzz.xlsx", fuzz_dir());
    if (data[0] & 1)
        make_workbook(path, data + 1, size - 1, data[0] & 2 ? Z_DEFLATED : 0);
    else
        fuzz_write(path, data + 1, size - 1);
    struct ap_xlsx *x = NULL;
    if (ap_xlsx_open_limits(path, &limits, &x, &d) != AP_OK) {
        FUZZ_ASSERT(x == NULL && d.errors > 0);
        free(path);
        return 0;
    }
    for (size_t s = 0; s < ap_xlsx_nsheets(x); s++) {
        size_t before = d.errors;
        if (ap_xlsx_select(x, ap_xlsx_sheet_name(x, s), &d) != AP_OK) {
            FUZZ_ASSERT(d.errors > before);
            continue;
        }
        struct ap_xlsx_row row;
        int rc;
        while ((rc = ap_xlsx_next(x, &row, &d)) == 1) {
            FUZZ_ASSERT(row.row >= 1 && row.row <= AP_XLSX_MAX_ROW);
            FUZZ_ASSERT(row.n >= 1 && row.n <= AP_XLSX_MAX_COLS);
            FUZZ_ASSERT(row.cells[row.n - 1].kind != AP_XLSX_EMPTY);
            for (size_t i = 0; i < row.n; i++) {
                const struct ap_xlsx_cell *c = &row.cells[i];
                FUZZ_ASSERT(c->text && c->text[c->len] == '\0');
                FUZZ_ASSERT(c->len <= AP_XLSX_MAX_TEXT);
                FUZZ_ASSERT(strlen(c->text) <= c->len);
                FUZZ_ASSERT(ap_utf8_valid(c->text, c->len));
                if (c->kind == AP_XLSX_EMPTY)
                    FUZZ_ASSERT(c->len == 0);
                char ref[16];
                ap_xlsx_cellref(i, row.row, ref);
                FUZZ_ASSERT(ap_xlsx_place(x, i, row.row) != NULL);
            }
        }
        FUZZ_ASSERT(rc == 0 || (rc == -1 && d.errors > before));
        FUZZ_ASSERT(ap_xlsx_next(x, &row, &d) == rc);
    }
    ap_xlsx_close(x);
    free(path);
    return 0;
}
