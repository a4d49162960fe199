/*
 * ap_idset: the ids of one imported file, each with a value (its line), in
 * memory (an ap_keyset) until the import's id sets would take more memory than
 * it allows; then moved to a temporary table in the import's own connection
 * (temp_store = FILE: a file on disk, removed when the connection closes),
 * where an add or a lookup costs a B-tree search instead of a hash probe but
 * memory no longer grows with the export.
 */
#ifndef AP_IDSET_H
#define AP_IDSET_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ap_diag.h"
#include "ap_keyset.h"

struct ap_idset; /* opaque */

struct ap_idset *ap_idset_new(void);
/* Frees the set; drops its table (the connection must still be open). NULL ok. */
void ap_idset_free(struct ap_idset *s);

/* The set in memory; NULL once it is on disk. */
struct ap_keyset *ap_idset_mem(struct ap_idset *s);

/* Add key[0..n) with value val: *added is 1 if added, 0 if it was there (then
 * *old, if not NULL, is its value, which is kept), -1 if an in-memory set
 * would exceed its limits (see ap_keyset_add). AP_ERR_IO (reported) if the
 * table cannot be written. */
enum ap_status ap_idset_add(struct ap_idset *s, const void *key, size_t n, uint32_t val, int *added,
                            uint32_t *old, struct ap_diag *d);

/* Is key[0..n) in the set? *found, and its value in *val (if not NULL).
 * AP_ERR_IO (reported) if the table cannot be read. */
enum ap_status ap_idset_get(struct ap_idset *s, const void *key, size_t n, bool *found,
                            uint32_t *val, struct ap_diag *d);

size_t ap_idset_count(const struct ap_idset *s);
size_t ap_idset_bytes(const struct ap_idset *s); /* memory held: 0 once on disk */
bool ap_idset_on_disk(const struct ap_idset *s);

/* Move the set into a new temporary table of db (keys sorted first, with at
 * most sort_budget bytes in memory, so that the table is written in order);
 * the memory is freed. */
enum ap_status ap_idset_to_disk(struct ap_idset *s, sqlite3 *db, size_t sort_budget,
                                struct ap_diag *d);

#endif
