/*
 * ap_atomic: write a file under a temporary name in the target folder, then
 * rename it into place, so a failed run never leaves a half-written report and an
 * earlier report survives.
 */
#ifndef AP_ATOMIC_H
#define AP_ATOMIC_H

#include <stddef.h>
#include <sys/types.h>

#include "ap_diag.h"

struct ap_atomic {
    char *final; /* owned: the path to produce */
    char *tmp;   /* owned: the temporary file, in final's folder */
};

/* Create an empty temporary file next to final_path. A final_path that is a
 * folder, a device or a pipe is a usage error (rename would replace it); a
 * missing or unwritable folder is an I/O error. */
enum ap_status ap_atomic_begin(struct ap_atomic *a, const char *final_path, struct ap_diag *d);
/* fsync, chmod to mode, rename onto final. On failure the temporary is removed. */
enum ap_status ap_atomic_commit(struct ap_atomic *a, mode_t mode, struct ap_diag *d);
/* The same, but never replaces a file: if final exists (or appears meanwhile)
 * it is left alone, the temporary removed, and an I/O error reported. */
enum ap_status ap_atomic_commit_new(struct ap_atomic *a, mode_t mode, struct ap_diag *d);
/* Commit several files together: all are put in place, or none is changed.
 * Every temporary is synced and given its mode first; each earlier file is
 * kept under a hidden name beside it (a hard link, else a copy); then the
 * temporaries are renamed into place one after the other. If a rename fails,
 * the files already replaced get their earlier version back (or are removed
 * when there was none), so the folder is as before; only a reader looking
 * during those few renames can see a new file beside an old one. An earlier
 * version that cannot be put back is kept and named in the message. Every
 * element is aborted (freed) afterwards, whatever the result. */
enum ap_status ap_atomic_commit_all(struct ap_atomic *const *v, size_t n, mode_t mode,
                                    struct ap_diag *d);
/* Remove the temporary (if any) and free. Safe after commit. */
void ap_atomic_abort(struct ap_atomic *a);

#endif
