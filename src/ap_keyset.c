/*
 * ap_keyset: keys are copied into one arena, each as its length and its value
 * (4 bytes each, native order) followed by its bytes: a value is read only
 * when its key has just been compared, so it costs no cache miss there, and
 * neither form of the set keeps a second array of values. Exports usually come sorted by id, and
 * a hash table probed at random costs a cache miss per key at a million keys;
 * so while keys arrive in strictly increasing byte order the set is a sorted
 * array (adding compares with the last key only; a lookup gallops from where
 * the previous one ended, which is next door when the lookups come in order
 * too). The first key out of order turns it into a hash table (open
 * addressing, linear probing, a power of two of slots grown at three quarters
 * full; a slot keeps the key's hash, so probes rarely touch the arena).
 */
#include "ap_keyset.h"

#include <stdlib.h>
#include <string.h>

#include "ap_util.h"

#define EMPTY UINT32_MAX /* off of a free slot */

#define HEAD (2 * sizeof(uint32_t)) /* an arena entry's length and value */

struct slot {
    uint32_t off; /* key's place in the arena, or EMPTY */
    uint32_t hash;
};

struct ap_keyset {
    char *arena;
    size_t alen, aalloc;
    size_t count; /* keys held */
    /* sorted mode (slots == NULL): key i at offs[i], increasing */
    uint32_t *offs;
    size_t oalloc;
    size_t finger;    /* where the last lookup ended */
    size_t gets, far; /* lookups, and those that landed far from the finger */
    /* hash mode */
    struct slot *slots;
    size_t cap; /* slots, a power of two */
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

struct ap_keyset *ap_keyset_new(void)
{
    return ap_xcalloc(1, sizeof(struct ap_keyset));
}

void ap_keyset_free(struct ap_keyset *ks)
{
    if (!ks)
        return;
    free(ks->slots);
    free(ks->offs);
    free(ks->arena);
    free(ks);
}

size_t ap_keyset_count(const struct ap_keyset *ks)
{
    return ks->count;
}

static const char *key_at(const struct ap_keyset *ks, uint32_t off, uint32_t *len)
{
    memcpy(len, ks->arena + off, sizeof *len);
    return ks->arena + off + HEAD;
}

static uint32_t val_at(const struct ap_keyset *ks, uint32_t off)
{
    uint32_t v;
    memcpy(&v, ks->arena + off + sizeof v, sizeof v);
    return v;
}

/* Byte order, a prefix first. */
static int cmp_key(const struct ap_keyset *ks, uint32_t off, const void *key, size_t n)
{
    uint32_t len;
    const char *s = key_at(ks, off, &len);
    int c = memcmp(s, key, len < n ? len : n);
    if (c)
        return c;
    return len < n ? -1 : len > n ? 1 : 0;
}

static bool same_key(const struct ap_keyset *ks, const struct slot *s, const void *key, size_t n)
{
    uint32_t len;
    const char *k = key_at(ks, s->off, &len);
    return len == n && !memcmp(k, key, n);
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

/* Put an entry known to be absent into a table with room. */
static void place(struct slot *slots, size_t cap, struct slot e)
{
    size_t mask = cap - 1, i = e.hash & mask;
    while (slots[i].off != EMPTY)
        i = (i + 1) & mask;
    slots[i] = e;
}

static void rehash(struct ap_keyset *ks, size_t cap)
{
    struct slot *s = ap_xmalloc(cap * sizeof *s);
    for (size_t i = 0; i < cap; i++)
        s[i].off = EMPTY;
    if (ks->slots) {
        for (size_t k = 0; k < ks->cap; k++)
            if (ks->slots[k].off != EMPTY)
                place(s, cap, ks->slots[k]);
        free(ks->slots);
    } else {
        for (size_t k = 0; k < ks->count; k++) {
            uint32_t len;
            const char *key = key_at(ks, ks->offs[k], &len);
            struct slot e = {ks->offs[k], hash_of((const unsigned char *)key, len)};
            place(s, cap, e);
        }
        free(ks->offs);
        ks->offs = NULL;
        ks->oalloc = 0;
    }
    ks->slots = s;
    ks->cap = cap;
}

/* Sorted mode: the index of the first key >= key, galloping from the finger. */
static size_t lower_bound(struct ap_keyset *ks, const void *key, size_t n, int *steps)
{
    size_t lo = 0, hi = ks->count, f = ks->finger < ks->count ? ks->finger : 0;
    if (ks->count == 0)
        return 0;
    if (cmp_key(ks, ks->offs[f], key, n) < 0) {
        size_t step = 1;
        lo = f + 1;
        while (lo < ks->count) {
            size_t probe = f + step < ks->count ? f + step : ks->count - 1;
            if (cmp_key(ks, ks->offs[probe], key, n) >= 0) {
                hi = probe;
                break;
            }
            lo = probe + 1;
            step *= 2;
            (*steps)++;
        }
    } else {
        size_t step = 1;
        hi = f;
        while (hi > 0) {
            size_t probe = f >= step ? f - step : 0;
            if (cmp_key(ks, ks->offs[probe], key, n) < 0) {
                lo = probe + 1;
                break;
            }
            hi = probe;
            step *= 2;
            (*steps)++;
        }
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_key(ks, ks->offs[mid], key, n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    ks->finger = lo;
    return lo;
}

/* Copy key and its value into the arena; the offset, or EMPTY when the
 * arena is full. */
static uint32_t store(struct ap_keyset *ks, const void *key, size_t n, uint32_t val)
{
    size_t need = HEAD + n;
    if (n > UINT32_MAX - HEAD || ks->alen + need >= EMPTY)
        return EMPTY;
    if (ks->alen + need > ks->aalloc) {
        size_t a = ks->aalloc ? ks->aalloc : 4096;
        while (a < ks->alen + need)
            a *= 2;
        ks->arena = ap_xrealloc(ks->arena, a);
        ks->aalloc = a;
    }
    uint32_t len = (uint32_t)n, off = (uint32_t)ks->alen;
    memcpy(ks->arena + ks->alen, &len, sizeof len);
    memcpy(ks->arena + ks->alen + sizeof len, &val, sizeof val);
    if (n)
        memcpy(ks->arena + ks->alen + HEAD, key, n);
    ks->alen += need;
    return off;
}

int ap_keyset_add(struct ap_keyset *ks, const void *key, size_t n, uint32_t val, uint32_t *old)
{
    if (ks->count >= ((size_t)1 << 31))
        return -1;
    if (!ks->slots) {
        int c = ks->count ? cmp_key(ks, ks->offs[ks->count - 1], key, n) : -1;
        if (c >= 0) {
            /* Not after the last key: an earlier key, or out of order. */
            int steps = 0;
            size_t i = c == 0 ? ks->count - 1 : lower_bound(ks, key, n, &steps);
            if (c == 0 || (i < ks->count && cmp_key(ks, ks->offs[i], key, n) == 0)) {
                if (old)
                    *old = val_at(ks, ks->offs[i]);
                return 0;
            }
            size_t cap = 1024;
            while (cap * 3 <= (ks->count + 1) * 4)
                cap *= 2;
            rehash(ks, cap);
        } else {
            uint32_t off = store(ks, key, n, val);
            if (off == EMPTY)
                return -1;
            if (ks->count == ks->oalloc) {
                ks->oalloc = ks->oalloc ? ks->oalloc * 2 : 1024;
                ks->offs = ap_xrealloc(ks->offs, ks->oalloc * sizeof *ks->offs);
            }
            ks->offs[ks->count] = off;
            ks->count++;
            return 1;
        }
    }
    uint32_t h = hash_of(key, n);
    struct slot *s = find(ks, key, n, h);
    if (s->off != EMPTY) {
        if (old)
            *old = val_at(ks, s->off);
        return 0;
    }
    uint32_t off = store(ks, key, n, val);
    if (off == EMPTY)
        return -1;
    s->off = off;
    s->hash = h;
    ks->count++;
    if (ks->count * 4 > ks->cap * 3)
        rehash(ks, ks->cap * 2);
    return 1;
}

void ap_keyset_prefetch(const struct ap_keyset *ks, const void *key, size_t n)
{
    if (ks && ks->slots)
        __builtin_prefetch(&ks->slots[hash_of(key, n) & (ks->cap - 1)]);
}

bool ap_keyset_get(struct ap_keyset *ks, const void *key, size_t n, uint32_t *val)
{
    if (!ks->slots) {
        int steps = 0;
        size_t i = lower_bound(ks, key, n, &steps);
        bool found = i < ks->count && cmp_key(ks, ks->offs[i], key, n) == 0;
        if (found && val)
            *val = val_at(ks, ks->offs[i]);
        /* Lookups in no particular order: a binary search costs a cache miss
         * a step at a million keys, a hash probe one; switch for good. */
        ks->gets++;
        ks->far += steps > 4;
        if (ks->far > 256 && ks->far * 4 > ks->gets) {
            size_t cap = 1024;
            while (cap * 3 <= ks->count * 4)
                cap *= 2;
            rehash(ks, cap);
        }
        return found;
    }
    const struct slot *s = find(ks, key, n, hash_of(key, n));
    if (s->off == EMPTY)
        return false;
    if (val)
        *val = val_at(ks, s->off);
    return true;
}

size_t ap_keyset_bytes(const struct ap_keyset *ks)
{
    /* The arena's pages are touched as it fills: what it holds, not its size. */
    return sizeof *ks + ks->alen + ks->oalloc * sizeof *ks->offs + ks->cap * sizeof *ks->slots;
}

size_t ap_keyset_next(const struct ap_keyset *ks, size_t at, const void **key, size_t *n,
                      uint32_t *val)
{
    if (at >= ks->alen)
        return 0;
    uint32_t len;
    *key = key_at(ks, (uint32_t)at, &len);
    *n = len;
    *val = val_at(ks, (uint32_t)at);
    return at + HEAD + len;
}
