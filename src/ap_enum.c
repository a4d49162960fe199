/*
 * ap_enum: SPEC.md's enumerations, each with plain-English labels.
 */
#include "ap_enum.h"

#include <string.h>

#define ENUM(col, vals, labs, unk) {col, AP_ARRAY_LEN(vals), vals, labs, unk}

static const char *const gender_v[] = {"female", "male", "other", "unknown"};
static const char *const gender_l[] = {"Female", "Male", "Other", "Not known"};
static const char *const ethnicity_v[] = {"white", "mixed", "asian", "black", "other", "unknown"};
static const char *const ethnicity_l[] = {"White", "Mixed or multiple", "Asian or Asian British",
                                          "Black or Black British", "Other ethnic group",
                                          "Not known"};
static const char *const risk_v[] = {"low", "medium", "high"};
static const char *const risk_l[] = {"Low", "Medium", "High"};
static const char *const referral_v[] = {"police",    "social_care", "education", "health",
                                         "family",    "self",        "voluntary", "other"};
static const char *const referral_l[] = {"Police",          "Children's social care",
                                         "School or college", "Health services",
                                         "Family or carer", "The young person",
                                         "Voluntary sector", "Other"};
static const char *const closure_v[] = {"risk_reduced", "removed_from_abuse", "moved_away",
                                        "transferred",  "turned_18",          "disengaged",
                                        "other"};
static const char *const closure_l[] = {"Risk reduced",          "Removed from abuse",
                                        "Moved out of the area", "Transferred to another service",
                                        "Reached 18",            "Stopped engaging",
                                        "Other"};
static const char *const outcome_v[] = {"prosecuted", "disrupted", "no_further_action", "other"};
static const char *const outcome_l[] = {"Prosecuted", "Disrupted", "No further action", "Other"};
static const char *const action_v[] = {
    "investigation",      "monitoring",      "cawn",           "disruption_letter",
    "council_injunction", "housing_injunction", "sexual_risk_order", "shpo",
    "closure_order",      "slavery_trafficking_order", "criminal_behaviour_order",
    "bail_conditions",    "arrested",        "charged",        "convicted",
    "other"};
static const char *const action_l[] = {
    "Police investigation",
    "Monitoring",
    "Child abduction warning notice",
    "Disruption letter",
    "Council injunction",
    "Housing injunction",
    "Sexual risk order",
    "Sexual harm prevention order",
    "Closure order",
    "Slavery and trafficking order",
    "Criminal behaviour order",
    "Bail conditions",
    "Arrested",
    "Charged",
    "Convicted",
    "Other action"};
static const char *const status_v[] = {"not_started", "in_progress", "complete"};
static const char *const status_l[] = {"Not started", "In progress", "Complete"};
static const char *const rag_v[] = {"red", "amber", "green"};
static const char *const rag_l[] = {"Red", "Amber", "Green"};
static const char *const age_v[] = {"under_12", "12_13", "14_15", "16_17", "18_plus"};
static const char *const age_l[] = {"Under 12", "12 to 13", "14 to 15", "16 to 17", "18 and over"};

/* gender and ethnicity include "unknown" as a value of their own; an empty value
 * counts there too, so they need no extra row. */
const struct ap_enum ap_enums[AP_ENUM_COUNT] = {
    [AP_ENUM_GENDER] = ENUM("gender", gender_v, gender_l, false),
    [AP_ENUM_ETHNICITY] = ENUM("ethnicity", ethnicity_v, ethnicity_l, false),
    [AP_ENUM_RISK_LEVEL] = ENUM("risk_level", risk_v, risk_l, true),
    [AP_ENUM_REFERRAL_SOURCE] = ENUM("referral_source", referral_v, referral_l, true),
    [AP_ENUM_CLOSURE_REASON] = ENUM("closure_reason", closure_v, closure_l, false),
    [AP_ENUM_OUTCOME] = ENUM("outcome", outcome_v, outcome_l, false),
    [AP_ENUM_PERP_ACTION] = ENUM("action", action_v, action_l, false),
    [AP_ENUM_STATUS] = ENUM("status", status_v, status_l, false),
    [AP_ENUM_RAG] = ENUM("rag", rag_v, rag_l, true),
    [AP_ENUM_AGE_BAND] = ENUM("age_band", age_v, age_l, true),
};

int ap_enum_lookup(enum ap_enum_id e, const char *s)
{
    const struct ap_enum *en = &ap_enums[e];
    /* Codes as stored come first: every imported value passes here. */
    for (size_t i = 0; i < en->n; i++)
        if (s[0] == en->values[i][0] && !strcmp(s, en->values[i]))
            return (int)i;
    for (size_t i = 0; i < en->n; i++) {
        if (!ap_strcasecmp(s, en->values[i]))
            return (int)i;
    }
    return -1;
}

static void trim_spaces(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

static unsigned char fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Length of a typographic apostrophe (U+2018 or U+2019, E2 80 98/99) at s. */
static size_t curly(const char *s, size_t n)
{
    return n >= 3 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
                   ((unsigned char)s[2] == 0x98 || (unsigned char)s[2] == 0x99)
               ? 3
               : 0;
}

bool ap_label_equal(const char *a, size_t an, const char *b, size_t bn)
{
    trim_spaces(&a, &an);
    trim_spaces(&b, &bn);
    size_t i = 0, j = 0;
    while (i < an && j < bn) {
        size_t ca = curly(a + i, an - i), cb = curly(b + j, bn - j);
        if (ca || cb) {
            if ((ca ? '\'' : a[i]) != (cb ? '\'' : b[j]))
                return false;
            i += ca ? ca : 1;
            j += cb ? cb : 1;
            continue;
        }
        if (fold((unsigned char)a[i]) != fold((unsigned char)b[j]))
            return false;
        i++, j++;
    }
    return i == an && j == bn;
}

int ap_enum_match(enum ap_enum_id e, const char *s, size_t n)
{
    const struct ap_enum *en = &ap_enums[e];
    for (size_t i = 0; i < en->n; i++)
        if (ap_label_equal(s, n, en->values[i], strlen(en->values[i])))
            return (int)i;
    for (size_t i = 0; i < en->n; i++)
        if (ap_label_equal(s, n, en->labels[i], strlen(en->labels[i])))
            return (int)i;
    return -1;
}

void ap_enum_allowed(enum ap_enum_id e, struct ap_buf *out)
{
    const struct ap_enum *en = &ap_enums[e];
    for (size_t i = 0; i < en->n; i++) {
        if (i)
            ap_buf_adds(out, ", ");
        ap_buf_adds(out, en->values[i]);
    }
}

const char *ap_enum_label(enum ap_enum_id e, const char *value)
{
    int i = ap_enum_lookup(e, value);
    if (i >= 0)
        return ap_enums[e].labels[i];
    if (!strcmp(value, "unknown"))
        return "Not known";
    return value;
}

int ap_age_band(int age)
{
    if (age < 0)
        return -1;
    if (age < 12)
        return 0;
    if (age < 14)
        return 1;
    if (age < 16)
        return 2;
    if (age < 18)
        return 3;
    return 4;
}
