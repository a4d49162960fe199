/*
 * ap_atomic: temporary file in the target folder, then rename(2), which is
 * atomic within one file system.
 */
#include "ap_atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ap_util.h"

enum ap_status ap_atomic_begin(struct ap_atomic *a, const char *final_path, struct ap_diag *d)
{
    struct stat sb;
    a->final = NULL;
    a->tmp = NULL;
    if (!*final_path) {
        ap_diag_error(d, AP_ERR_USAGE, "an output path is empty");
        return AP_ERR_USAGE;
    }
    if (stat(final_path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) {
            ap_diag_report(d, AP_ERROR, AP_ERR_USAGE, final_path, 0, 0,
                           "is a folder; give a file name for the output");
            return AP_ERR_USAGE;
        }
        /* Renaming over a device or a pipe (say /dev/null, as root) would
         * replace it with a regular file: refuse. */
        if (!S_ISREG(sb.st_mode)) {
            ap_diag_report(d, AP_ERROR, AP_ERR_USAGE, final_path, 0, 0,
                           "is not a regular file; give the path of a file to write");
            return AP_ERR_USAGE;
        }
    }
    /* The temporary sits beside the final file: ".name.XXXXXX". */
    const char *slash = strrchr(final_path, '/');
    size_t dirlen = slash ? (size_t)(slash - final_path) + 1 : 0;
    char *tmp = ap_xasprintf("%.*s.%s.XXXXXX", (int)dirlen, final_path,
                             slash ? slash + 1 : final_path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int err = errno;
        char *dir = dirlen ? ap_xstrndup(final_path, dirlen) : ap_xstrdup("./");
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, final_path, 0, 0,
                       "cannot write in folder '%s': %s", dir, strerror(err));
        free(dir);
        free(tmp);
        return AP_ERR_IO;
    }
    close(fd);
    a->final = ap_xstrdup(final_path);
    a->tmp = tmp;
    return AP_OK;
}

/* fsync and chmod the temporary, then put it in place: rename (replacing what
 * is there), or link (refusing a file that exists, without a window in which
 * another program could make one). */
static enum ap_status finish(struct ap_atomic *a, mode_t mode, bool replace, struct ap_diag *d)
{
    enum ap_status st = AP_OK;
    int fd = open(a->tmp, O_RDONLY);
    if (fd < 0 || fsync(fd) != 0 || fchmod(fd, mode) != 0) {
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, a->final, 0, 0, "cannot finish writing: %s",
                       strerror(errno));
        st = AP_ERR_IO;
    }
    if (fd >= 0 && close(fd) != 0 && st == AP_OK) {
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, a->final, 0, 0, "cannot finish writing: %s",
                       strerror(errno));
        st = AP_ERR_IO;
    }
    if (st == AP_OK && replace && rename(a->tmp, a->final) != 0) {
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, a->final, 0, 0, "cannot move the finished file "
                       "into place: %s", strerror(errno));
        st = AP_ERR_IO;
    }
    if (st == AP_OK && !replace && link(a->tmp, a->final) != 0) {
        if (errno == EEXIST)
            ap_diag_report(d, AP_ERROR, AP_ERR_IO, a->final, 0, 0,
                           "the file already exists; it was left as it is (move it away, or "
                           "choose another name)");
        else
            ap_diag_report(d, AP_ERROR, AP_ERR_IO, a->final, 0, 0,
                           "cannot move the finished file into place: %s", strerror(errno));
        st = AP_ERR_IO;
    }
    if (st == AP_OK && replace) {
        free(a->tmp);
        a->tmp = NULL;
    }
    ap_atomic_abort(a); /* after link: removes the temporary name */
    return st;
}

enum ap_status ap_atomic_commit(struct ap_atomic *a, mode_t mode, struct ap_diag *d)
{
    return finish(a, mode, true, d);
}

enum ap_status ap_atomic_commit_new(struct ap_atomic *a, mode_t mode, struct ap_diag *d)
{
    return finish(a, mode, false, d);
}

void ap_atomic_abort(struct ap_atomic *a)
{
    if (a->tmp) {
        unlink(a->tmp);
        free(a->tmp);
        a->tmp = NULL;
    }
    free(a->final);
    a->final = NULL;
}
