/*
 * ap_enum: the enumerated vocabularies of SPEC.md, as one table. Validation,
 * help text, breakdown rows and report labels all read it.
 */
#ifndef AP_ENUM_H
#define AP_ENUM_H

#include <stdbool.h>
#include <stddef.h>

#include "ap_util.h"

enum ap_enum_id {
    AP_ENUM_GENDER,
    AP_ENUM_ETHNICITY,
    AP_ENUM_RISK_LEVEL,
    AP_ENUM_REFERRAL_SOURCE,
    AP_ENUM_CLOSURE_REASON,
    AP_ENUM_OUTCOME,
    AP_ENUM_PERP_ACTION,
    AP_ENUM_STATUS,
    AP_ENUM_RAG,
    AP_ENUM_AGE_BAND, /* derived, not a CSV column: under_12 .. 18_plus */
    AP_ENUM_COUNT
};

struct ap_enum {
    const char *column;          /* CSV column name, e.g. "risk_level" */
    size_t n;                    /* number of values */
    const char *const *values;   /* stored values, lower case, e.g. "social_care" */
    const char *const *labels;   /* plain-English labels, e.g. "Social care" */
    bool has_unknown;            /* breakdowns add an "unknown" row (column may be empty).
                                  * gender and ethnicity have "unknown" as a value of their
                                  * own: there an empty value counts as that value. */
};

extern const struct ap_enum ap_enums[AP_ENUM_COUNT];

/* Index of value s (matched case-insensitively) in enumeration e, or -1. */
int ap_enum_lookup(enum ap_enum_id e, const char *s);

/* Index of the value whose code or report label is s[0..n) (ASCII case-insensitive,
 * surrounding spaces ignored, a typographic apostrophe ’ equal to '), or -1:
 * "social_care", "Children's social care" and " CHILDREN’S SOCIAL CARE " all
 * give social_care. */
int ap_enum_match(enum ap_enum_id e, const char *s, size_t n);

/* True if a and b are the same label: ASCII case-insensitive, surrounding
 * spaces ignored, ’ and ' equal. */
bool ap_label_equal(const char *a, size_t an, const char *b, size_t bn);

/* Append "low, medium, high" to out. */
void ap_enum_allowed(enum ap_enum_id e, struct ap_buf *out);

/* Label for a stored value ("unknown" gives "Unknown"); the value itself if absent. */
const char *ap_enum_label(enum ap_enum_id e, const char *value);

/* Age band index (into AP_ENUM_AGE_BAND values) for an age in years; -1 if age < 0. */
int ap_age_band(int age);

#endif
