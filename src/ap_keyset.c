/*
 * ap_keyset: open addressing with linear probing over a power-of-two table,
 * grown at three quarters full. A slot keeps the key's hash (so probes rarely
 * touch the arena), its offset in the arena and its value. In the arena each
 * key is its length (4 bytes, native order) followed by its bytes.
 */
#include "ap_keyset.h"

#include <stdlib.h>
#include <string.h>

#include "ap_util.h"

#define EMPTY UINT32_MAX /* off of a free slot */

struct slot {
    uint32_t off;  /* key's place in the arena, or EMPTY */
    uint32_t hash;
    uint32_t val;
};

struct ap_keyset {
    struct slot *slots;
    size_t cap;        /* slots, a power of two */
    size_t count;      /* keys held */
    char *arena;
    size_t alen, aalloc;
};

/* FNV-1a, then a final mix so that ids differing only in their last digits
 * spread over the low bits the table uses. */
static uint32_t hash_of(const unsigned char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    return h;
}

static struct slot *new_slots(size_t cap)
{
    struct slot *s = ap_xmalloc(cap * sizeof *s);
    for (size_t i = 0; i < cap; i++)
        s[i].off = EMPTY;
    return s;
}

struct ap_keyset *ap_keyset_new(void)
{
    struct ap_keyset *ks = ap_xcalloc(1, sizeof *ks);
    ks->cap = 1024;
    ks->slots = new_slots(ks->cap);
    return ks;
}

void ap_keyset_free(struct ap_keyset *ks)
{
    if (!ks)
        return;
    free(ks->slots);
    free(ks->arena);
    free(ks);
}

size_t ap_keyset_count(const struct ap_keyset *ks)
{
    return ks->count;
}

static bool same_key(const struct ap_keyset *ks, const struct slot *s, const void *key,
                     size_t n)
{
    uint32_t len;
    memcpy(&len, ks->arena + s->off, sizeof len);
    return len == n && !memcmp(ks->arena + s->off + sizeof len, key, n);
}

/* The slot holding key, or the free slot where it would go. */
static struct slot *find(const struct ap_keyset *ks, const void *key, size_t n, uint32_t h)
{
    size_t mask = ks->cap - 1, i = h & mask;
    for (;;) {
        struct slot *s = &ks->slots[i];
        if (s->off == EMPTY || (s->hash == h && same_key(ks, s, key, n)))
            return s;
        i = (i + 1) & mask;
    }
}

static void grow(struct ap_keyset *ks)
{
    struct slot *old = ks->slots;
    size_t ocap = ks->cap;
    ks->cap *= 2;
    ks->slots = new_slots(ks->cap);
    size_t mask = ks->cap - 1;
    for (size_t k = 0; k < ocap; k++) {
        if (old[k].off == EMPTY)
            continue;
        size_t i = old[k].hash & mask;
        while (ks->slots[i].off != EMPTY)
            i = (i + 1) & mask;
        ks->slots[i] = old[k];
    }
    free(old);
}

int ap_keyset_add(struct ap_keyset *ks, const void *key, size_t n, uint32_t val, uint32_t *old)
{
    uint32_t h = hash_of(key, n);
    struct slot *s = find(ks, key, n, h);
    if (s->off != EMPTY) {
        if (old)
            *old = s->val;
        return 0;
    }
    size_t need = sizeof(uint32_t) + n;
    if (n > UINT32_MAX - sizeof(uint32_t) || ks->alen + need >= EMPTY ||
        ks->count >= ((size_t)1 << 31))
        return -1;
    if (ks->alen + need > ks->aalloc) {
        size_t a = ks->aalloc ? ks->aalloc : 4096;
        while (a < ks->alen + need)
            a *= 2;
        ks->arena = ap_xrealloc(ks->arena, a);
        ks->aalloc = a;
    }
    uint32_t len = (uint32_t)n;
    s->off = (uint32_t)ks->alen;
    s->hash = h;
    s->val = val;
    memcpy(ks->arena + ks->alen, &len, sizeof len);
    if (n)
        memcpy(ks->arena + ks->alen + sizeof len, key, n);
    ks->alen += need;
    ks->count++;
    if (ks->count * 4 > ks->cap * 3)
        grow(ks);
    return 1;
}

bool ap_keyset_get(const struct ap_keyset *ks, const void *key, size_t n, uint32_t *val)
{
    const struct slot *s = find(ks, key, n, hash_of(key, n));
    if (s->off == EMPTY)
        return false;
    if (val)
        *val = s->val;
    return true;
}
