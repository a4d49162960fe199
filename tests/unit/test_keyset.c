/*
 * Unit tests for ap_keyset: duplicates keep the first value, in both of the
 * set's forms (a sorted array while keys come in order, a hash table after);
 * growth past several resizes; lookups in order and out of order; keys that
 * are prefixes of each other, hold NUL bytes or are empty; composite keys
 * built length-prefixed as the import builds them.
 */
#include <stdio.h>
#include <string.h>

#include "ap_keyset.h"
#include "ap_test.h"

static size_t key_of(char *buf, size_t size, unsigned i)
{
    int n = snprintf(buf, size, "K%05u", i);
    return (size_t)n;
}

/* 5000 keys in increasing order, then every one again, then lookups. */
static void test_sorted(void)
{
    struct ap_keyset *ks = ap_keyset_new();
    char k[32];
    uint32_t v = 0;
    CHECK(!ap_keyset_get(ks, "K00000", 6, &v)); /* empty set */
    int added = 0;
    for (unsigned i = 0; i < 5000; i++)
        added += ap_keyset_add(ks, k, key_of(k, sizeof k, i), i * 2 + 1, NULL) == 1;
    CHECK_INT(added, 5000);
    CHECK_INT(ap_keyset_count(ks), 5000);
    /* The same key right after itself, and an earlier one (still in order). */
    v = 0;
    CHECK_INT(ap_keyset_add(ks, "K04999", 6, 7, &v), 0);
    CHECK_INT(v, 4999 * 2 + 1);
    CHECK_INT(ap_keyset_add(ks, "K00042", 6, 7, &v), 0);
    CHECK_INT(v, 42 * 2 + 1);
    int found = 0, right = 0;
    for (unsigned i = 0; i < 5000; i++) {
        found += ap_keyset_get(ks, k, key_of(k, sizeof k, i), &v);
        right += v == i * 2 + 1;
    }
    CHECK_INT(found, 5000);
    CHECK_INT(right, 5000);
    /* Out-of-order lookups (enough to make the set switch to hashing). */
    found = right = 0;
    for (unsigned i = 0; i < 5000; i++) {
        unsigned j = (i * 2011u) % 5000u;
        found += ap_keyset_get(ks, k, key_of(k, sizeof k, j), &v);
        right += v == j * 2 + 1;
    }
    CHECK_INT(found, 5000);
    CHECK_INT(right, 5000);
    CHECK(!ap_keyset_get(ks, "K05000", 6, NULL));
    CHECK(!ap_keyset_get(ks, "K0000", 5, NULL));   /* a prefix of K00000 */
    CHECK(!ap_keyset_get(ks, "K000000", 7, NULL)); /* K00000 is a prefix of it */
    CHECK(!ap_keyset_get(ks, "", 0, NULL));
    /* Duplicates are still found after the switch, first value kept. */
    CHECK_INT(ap_keyset_add(ks, "K02500", 6, 9, &v), 0);
    CHECK_INT(v, 2500 * 2 + 1);
    CHECK_INT(ap_keyset_count(ks), 5000);
    ap_keyset_free(ks);
}

/* Keys in no order: the hash table from the second key, grown from 1024 slots
 * past 32768 (five doublings). */
static void test_unsorted(void)
{
    struct ap_keyset *ks = ap_keyset_new();
    char k[32];
    uint32_t v = 0;
    const unsigned n = 30011; /* prime: i * 7919 % n visits every number once */
    int added = 0, dups = 0, right = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned j = (unsigned)(((unsigned long)i * 7919u) % n);
        added += ap_keyset_add(ks, k, key_of(k, sizeof k, j), j, NULL) == 1;
    }
    CHECK_INT(added, (long long)n);
    CHECK_INT(ap_keyset_count(ks), (long long)n);
    for (unsigned j = 0; j < n; j++) {
        if (ap_keyset_add(ks, k, key_of(k, sizeof k, j), 123456, &v) == 0) {
            dups++;
            right += v == j;
        }
    }
    CHECK_INT(dups, (long long)n);
    CHECK_INT(right, (long long)n);
    CHECK_INT(ap_keyset_count(ks), (long long)n);
    CHECK(!ap_keyset_get(ks, "K30011", 6, NULL));
    CHECK(ap_keyset_get(ks, "K30010", 6, &v) && v == 30010);
    ap_keyset_free(ks);
}

/* The first key out of order turns the sorted array into a hash table with
 * every key and value it had. */
static void test_switch(void)
{
    struct ap_keyset *ks = ap_keyset_new();
    uint32_t v = 0;
    CHECK_INT(ap_keyset_add(ks, "b", 1, 1, NULL), 1);
    CHECK_INT(ap_keyset_add(ks, "d", 1, 2, NULL), 1);
    CHECK_INT(ap_keyset_add(ks, "b", 1, 3, &v), 0); /* earlier, present: no switch */
    CHECK_INT(v, 1);
    CHECK_INT(ap_keyset_add(ks, "c", 1, 4, NULL), 1); /* earlier, absent: switch */
    CHECK_INT(ap_keyset_add(ks, "a", 1, 5, NULL), 1);
    CHECK(ap_keyset_get(ks, "b", 1, &v) && v == 1);
    CHECK(ap_keyset_get(ks, "d", 1, &v) && v == 2);
    CHECK(ap_keyset_get(ks, "c", 1, &v) && v == 4);
    CHECK(ap_keyset_get(ks, "a", 1, &v) && v == 5);
    CHECK_INT(ap_keyset_add(ks, "d", 1, 6, &v), 0);
    CHECK_INT(v, 2);
    CHECK_INT(ap_keyset_count(ks), 4);
    ap_keyset_free(ks);
}

/* Any bytes: NUL inside a key, the empty key, prefixes; in both forms. */
static void test_bytes(void)
{
    for (int form = 0; form < 2; form++) {
        struct ap_keyset *ks = ap_keyset_new();
        uint32_t v = 0;
        if (form == 1) /* out of order first: hash table from the start */
            CHECK_INT(ap_keyset_add(ks, "zz", 2, 99, NULL) + ap_keyset_add(ks, "y", 1, 98, NULL),
                      2);
        CHECK_INT(ap_keyset_add(ks, "", 0, 10, NULL), 1);
        CHECK_INT(ap_keyset_add(ks, "a\0b", 3, 11, NULL), 1);
        CHECK_INT(ap_keyset_add(ks, "a\0c", 3, 12, NULL), 1);
        CHECK_INT(ap_keyset_add(ks, "a\0c\0", 4, 13, NULL), 1);
        CHECK_INT(ap_keyset_add(ks, "a\0b", 3, 14, &v), 0);
        CHECK_INT(v, 11);
        CHECK(ap_keyset_get(ks, "", 0, &v) && v == 10);
        CHECK(ap_keyset_get(ks, "a\0c", 3, &v) && v == 12);
        CHECK(ap_keyset_get(ks, "a\0c\0", 4, &v) && v == 13);
        CHECK(!ap_keyset_get(ks, "a", 1, NULL));
        CHECK(!ap_keyset_get(ks, "a\0", 2, NULL));
        ap_keyset_free(ks);
    }
}

/* A composite key as the import builds one: each part's length (4 bytes)
 * then its bytes, so no byte of the data can move the boundary. */
static size_t composite(char *out, const char *a, const char *b)
{
    uint32_t la = (uint32_t)strlen(a), lb = (uint32_t)strlen(b);
    memcpy(out, &la, 4);
    memcpy(out + 4, a, la);
    memcpy(out + 4 + la, &lb, 4);
    memcpy(out + 8 + la, b, lb);
    return 8 + la + lb;
}

static void test_composite(void)
{
    struct ap_keyset *ks = ap_keyset_new();
    char k[64];
    uint32_t v = 0;
    CHECK_INT(ap_keyset_add(ks, k, composite(k, "A1", "2016-06-30"), 2, NULL), 1);
    /* The same two texts split differently are different keys. */
    CHECK_INT(ap_keyset_add(ks, k, composite(k, "A12", "016-06-30"), 3, NULL), 1);
    /* A unit separator in the data cannot forge a boundary either. */
    static const char with_us[] = {'A', '1', 0x1f, '2', '0', '1', '6', '\0'};
    CHECK_INT(ap_keyset_add(ks, k, composite(k, with_us, "-06-30"), 4, NULL), 1);
    CHECK_INT(ap_keyset_add(ks, k, composite(k, "A1", "2016-09-30"), 5, NULL), 1);
    CHECK_INT(ap_keyset_add(ks, k, composite(k, "A1", "2016-06-30"), 6, &v), 0);
    CHECK_INT(v, 2);
    CHECK_INT(ap_keyset_count(ks), 4);
    ap_keyset_free(ks);
}

int main(void)
{
    test_sorted();
    test_unsorted();
    test_switch();
    test_bytes();
    test_composite();
    return ap_test_done();
}
