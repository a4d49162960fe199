/*
 * fuzz_template: the report template loader on arbitrary files, then the
 * placeholder expansion of every text block it accepted. A template that loads
 * must only name known placeholders, so expansion with a filler that knows
 * every catalogue name must succeed.
 */
#include <stdint.h>

#include "ap_template.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fill every known placeholder with a fixed figure. */
static bool fill(void *user, const char *name, struct ap_buf *out)
{
    (void)user;
    if (!ap_template_placeholder_known(name))
        return false;
    ap_buf_adds(out, "1,234");
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char *path;
    if (!path)
        path = ap_xasprintf("%s/fuzz.ini", fuzz_dir());
    fuzz_write(path, data, size);

    struct ap_diag d;
    fuzz_diag(&d);
    struct ap_template t;
    enum ap_status st = ap_template_load(path, &t, &d);
    if (st == AP_OK) {
        FUZZ_ASSERT(d.errors == 0);
        FUZZ_ASSERT(t.title && t.marking);
        for (size_t i = 0; i < t.nsections; i++) {
            const struct ap_tsection *s = &t.sections[i];
            for (size_t k = 0; k < s->nblocks; k++) {
                if (s->blocks[k].kind != AP_TB_TEXT)
                    continue;
                struct ap_buf out = AP_BUF_INIT;
                FUZZ_ASSERT(ap_template_expand(s->blocks[k].text, fill, NULL, &out) == AP_OK);
                ap_buf_release(&out);
            }
        }
    } else {
        FUZZ_ASSERT(d.errors > 0);
    }
    ap_template_free(&t);
    return 0;
}
