/*
 * ap_hash: SHA-256 of a file or a buffer, as lower-case hex, through OpenSSL's
 * libcrypto. The one place actionplan hashes anything (the import log, the
 * record of published reports).
 */
#ifndef AP_HASH_H
#define AP_HASH_H

#include <stddef.h>

#include "ap_diag.h"

#define AP_SHA256_HEX 65 /* 64 hex digits and a NUL */

/* The SHA-256 of the bytes of path, and its size (may be NULL). An unreadable
 * file is an I/O error naming it. */
enum ap_status ap_sha256_file(const char *path, char hex[AP_SHA256_HEX], long long *size,
                              struct ap_diag *d);

/* The SHA-256 of n bytes at buf. */
enum ap_status ap_sha256_buf(const void *buf, size_t n, char hex[AP_SHA256_HEX], struct ap_diag *d);

#endif
