/*
 * ap_keyset: a set of byte-string keys, each with a 32-bit value (the import
 * keeps a row's line there), for the import's cross-row rules: duplicate ids
 * within a file, references to a parent file, the rows a file brings. Keys are
 * copied into one arena with their values; while they arrive in increasing
 * order (an export sorted by id) the set is a sorted array of offsets, else a
 * hash table of 8-byte slots, so an 8-byte id costs 20 bytes, or 27 to 37
 * hashed. Any byte may occur in a key (composite keys are built
 * length-prefixed by the caller).
 */
#ifndef AP_KEYSET_H
#define AP_KEYSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ap_keyset; /* opaque */

struct ap_keyset *ap_keyset_new(void);
void ap_keyset_free(struct ap_keyset *ks); /* NULL ok */

/* Add key[0..n) with value val. Returns 1 if added, 0 if the key was already
 * there (then *old, if not NULL, is its value, which is kept), -1 if the set
 * would exceed its limits (4 GiB of key bytes or 2^31 keys; nothing added). */
int ap_keyset_add(struct ap_keyset *ks, const void *key, size_t n, uint32_t val, uint32_t *old);

/* True if key[0..n) is in the set; then *val (if not NULL) is its value.
 * Not const: the set remembers where the lookup ended, so that lookups in
 * order are cheap. */
bool ap_keyset_get(struct ap_keyset *ks, const void *key, size_t n, uint32_t *val);

/* A hint that key[0..n) will be added or looked up soon: start fetching the
 * memory that will need. ks may be NULL. */
void ap_keyset_prefetch(const struct ap_keyset *ks, const void *key, size_t n);

size_t ap_keyset_count(const struct ap_keyset *ks);

/* The memory the set holds, in bytes. */
size_t ap_keyset_bytes(const struct ap_keyset *ks);

/* Every key, in the order added: start with at = 0; each call gives a key and
 * its value and returns the position of the next, or 0 when there are no more
 * (then nothing is set). */
size_t ap_keyset_next(const struct ap_keyset *ks, size_t at, const void **key, size_t *n,
                      uint32_t *val);

#endif
