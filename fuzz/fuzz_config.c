/*
 * fuzz_config: the INI config loader (ap_ini over inih, then ap_config's key
 * table) on arbitrary files. A failed load must have said why; a successful one
 * must leave values in their documented ranges.
 */
#include <stdint.h>

#include "ap_config.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char *path;
    if (!path)
        path = ap_xasprintf("%s/actionplan.ini", fuzz_dir());
    fuzz_write(path, data, size);

    struct ap_diag d;
    fuzz_diag(&d);
    struct ap_config c;
    ap_config_defaults(&c);
    enum ap_status st = ap_config_load(&c, path, &d);
    if (st == AP_OK) {
        FUZZ_ASSERT(d.errors == 0);
        FUZZ_ASSERT(c.fy_start_month >= 1 && c.fy_start_month <= 12);
        FUZZ_ASSERT(c.child_population >= 0);
        FUZZ_ASSERT(c.db_path && c.organisation && c.team && c.contact && c.output_dir);
    } else {
        FUZZ_ASSERT(d.errors > 0);
        FUZZ_ASSERT(st == AP_ERR_INPUT || st == AP_ERR_IO);
    }
    ap_config_free(&c);
    return 0;
}
