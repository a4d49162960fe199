/*
 * ap_atomic: temporary file in the target folder, then rename(2), which is
 * atomic within one file system.
 */
#include "ap_atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdbool.h>
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

/* A hidden name beside path for its earlier version: ".NAME.old-XXXXXX". */
static char *backup_template(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    return ap_xasprintf("%.*s.%s.old-XXXXXX", (int)dirlen, path, slash ? slash + 1 : path);
}

/* Copy the file at from into the open, empty file fd, and give it from's mode. */
static bool copy_into(const char *from, int fd)
{
    int in = open(from, O_RDONLY);
    struct stat sb;
    bool ok = in >= 0 && fstat(in, &sb) == 0;
    char buf[65536];
    while (ok) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ok = n == 0;
            break;
        }
        for (ssize_t off = 0; ok && off < n;) {
            ssize_t w = write(fd, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            ok = w > 0;
            off += w > 0 ? w : 0;
        }
    }
    if (ok)
        ok = fchmod(fd, sb.st_mode & 07777) == 0;
    if (in >= 0)
        close(in);
    return ok;
}

/* Keep the earlier version of path under a hidden name (caller owns *out):
 * a hard link where the file system allows one, else a copy. */
static bool keep_earlier(const char *path, char **out)
{
    char *name = backup_template(path);
    int fd = mkstemp(name);
    if (fd < 0) {
        free(name);
        return false;
    }
    /* Replace the placeholder by a link; rename(2) keeps the name reserved. */
    char *link_name = backup_template(path);
    int lfd = mkstemp(link_name);
    bool linked = false;
    if (lfd >= 0) {
        close(lfd);
        unlink(link_name);
        linked = link(path, link_name) == 0 && rename(link_name, name) == 0;
        if (!linked)
            unlink(link_name);
    }
    free(link_name);
    bool ok = linked || copy_into(path, fd);
    if (close(fd) != 0)
        ok = false;
    if (!ok) {
        int err = errno;
        unlink(name);
        free(name);
        errno = err;
        return false;
    }
    *out = name;
    return true;
}

/* Sync the folder of path so that its renames last (not every file system
 * can: errors are ignored, as the files themselves are already synced). */
static void sync_folder(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? ap_xstrndup(path, (size_t)(slash - path) + 1) : ap_xstrdup(".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

enum ap_status ap_atomic_commit_all(struct ap_atomic *const *v, size_t n, mode_t mode,
                                    struct ap_diag *d)
{
    enum ap_status st = AP_OK;
    char **backup = ap_xcalloc(n + 1, sizeof *backup);
    size_t done = 0; /* temporaries renamed into place */

    /* 1. Every temporary synced and given its mode: nothing changed yet. */
    for (size_t i = 0; i < n && st == AP_OK; i++) {
        int fd = open(v[i]->tmp, O_RDONLY);
        if (fd < 0 || fsync(fd) != 0 || fchmod(fd, mode) != 0) {
            ap_diag_report(d, AP_ERROR, AP_ERR_IO, v[i]->final, 0, 0, "cannot finish writing: %s",
                           strerror(errno));
            st = AP_ERR_IO;
        }
        if (fd >= 0)
            close(fd);
    }
    /* 2. The earlier files kept, so that they can be put back. */
    for (size_t i = 0; i < n && st == AP_OK; i++) {
        struct stat sb;
        if (lstat(v[i]->final, &sb) != 0)
            continue; /* a new file */
        if (!keep_earlier(v[i]->final, &backup[i])) {
            ap_diag_report(d, AP_ERROR, AP_ERR_IO, v[i]->final, 0, 0,
                           "cannot keep a copy of the earlier file while replacing it: %s; "
                           "no file was changed",
                           strerror(errno));
            st = AP_ERR_IO;
        }
    }
    /* 3. The renames, one after the other. */
    for (; done < n && st == AP_OK; done++) {
        if (rename(v[done]->tmp, v[done]->final) != 0) {
            ap_diag_report(d, AP_ERROR, AP_ERR_IO, v[done]->final, 0, 0,
                           "cannot move the finished file into place: %s", strerror(errno));
            st = AP_ERR_IO;
            break;
        }
        free(v[done]->tmp);
        v[done]->tmp = NULL;
    }
    /* 4. On failure, the files already replaced go back as they were. */
    bool restored = true;
    for (size_t i = 0; st != AP_OK && i < done; i++) {
        bool back = backup[i] ? rename(backup[i], v[i]->final) == 0 : unlink(v[i]->final) == 0;
        restored &= back;
        if (back) {
            free(backup[i]);
            backup[i] = NULL;
        } else if (backup[i]) {
            ap_diag_report(d, AP_ERROR, AP_ERR_IO, v[i]->final, 0, 0,
                           "was replaced, and its earlier version cannot be put back (%s); it "
                           "is kept as '%s'",
                           strerror(errno), backup[i]);
            free(backup[i]);
            backup[i] = NULL; /* keep the file: it is the only earlier version */
        } else {
            ap_diag_report(d, AP_ERROR, AP_ERR_IO, v[i]->final, 0, 0,
                           "was written, and cannot be removed again: %s", strerror(errno));
        }
    }
    if (st != AP_OK && done > 0 && restored)
        ap_diag_note(d, "the files replaced before the failure were put back as they were");
    for (size_t i = 0; i < n; i++) {
        if (backup[i])
            unlink(backup[i]);
        free(backup[i]);
        if (st == AP_OK)
            sync_folder(v[i]->final);
        ap_atomic_abort(v[i]);
    }
    free(backup);
    return st;
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
