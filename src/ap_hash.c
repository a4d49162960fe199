/*
 * ap_hash: SHA-256 through libcrypto's EVP interface, read in 64 KiB blocks so
 * a file of any size takes constant memory.
 */
#include "ap_hash.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

static void to_hex(const unsigned char *md, unsigned n, char hex[AP_SHA256_HEX])
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < n && i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}

/* Start a SHA-256 context, or report why not. */
static EVP_MD_CTX *begin(struct ap_diag *d)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        ap_diag_error(d, AP_ERR_IO, "cannot compute a SHA-256 digest (OpenSSL failed)");
        return NULL;
    }
    return ctx;
}

static enum ap_status end(EVP_MD_CTX *ctx, char hex[AP_SHA256_HEX], struct ap_diag *d)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    int ok = EVP_DigestFinal_ex(ctx, md, &n) == 1 && n == 32;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        ap_diag_error(d, AP_ERR_IO, "cannot compute a SHA-256 digest (OpenSSL failed)");
        return AP_ERR_IO;
    }
    to_hex(md, n, hex);
    return AP_OK;
}

enum ap_status ap_sha256_buf(const void *buf, size_t n, char hex[AP_SHA256_HEX], struct ap_diag *d)
{
    EVP_MD_CTX *ctx = begin(d);
    if (!ctx)
        return AP_ERR_IO;
    if (EVP_DigestUpdate(ctx, buf, n) != 1) {
        EVP_MD_CTX_free(ctx);
        ap_diag_error(d, AP_ERR_IO, "cannot compute a SHA-256 digest (OpenSSL failed)");
        return AP_ERR_IO;
    }
    return end(ctx, hex, d);
}

enum ap_status ap_sha256_file(const char *path, char hex[AP_SHA256_HEX], long long *size,
                              struct ap_diag *d)
{
    enum ap_status st = AP_OK;
    unsigned char buf[1 << 16];
    long long total = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, path, 0, 0, "cannot read: %s", strerror(errno));
        return AP_ERR_IO;
    }
    EVP_MD_CTX *ctx = begin(d);
    if (!ctx) {
        fclose(f);
        return AP_ERR_IO;
    }
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (EVP_DigestUpdate(ctx, buf, n) != 1) {
            ap_diag_error(d, AP_ERR_IO, "cannot compute a SHA-256 digest (OpenSSL failed)");
            st = AP_ERR_IO;
            break;
        }
        total += (long long)n;
    }
    if (st == AP_OK && ferror(f)) {
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, path, 0, 0, "cannot read: %s", strerror(errno));
        st = AP_ERR_IO;
    }
    if (fclose(f) != 0 && st == AP_OK) {
        ap_diag_report(d, AP_ERROR, AP_ERR_IO, path, 0, 0, "cannot read: %s", strerror(errno));
        st = AP_ERR_IO;
    }
    if (st != AP_OK) {
        EVP_MD_CTX_free(ctx);
        return st;
    }
    st = end(ctx, hex, d);
    if (st == AP_OK && size)
        *size = total;
    return st;
}
