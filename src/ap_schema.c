/*
 * ap_schema: the seven tables' columns (SPEC.md, "Input").
 */
#include "ap_schema.h"

#include "ap_util.h"

static const struct ap_coldef children_cols[] = {
    {"child_id", AP_K_TEXT, true, 0},
    {"birth_date", AP_K_DATE, false, 0},
    {"gender", AP_K_ENUM, false, AP_ENUM_GENDER},
    {"ethnicity", AP_K_ENUM, false, AP_ENUM_ETHNICITY},
    {"area", AP_K_TEXT, false, 0},
};
static const struct ap_coldef cases_cols[] = {
    {"case_id", AP_K_TEXT, true, 0},
    {"child_id", AP_K_TEXT, true, 0},
    {"opened_on", AP_K_DATE, true, 0},
    {"closed_on", AP_K_DATE, false, 0},
    {"risk_level", AP_K_ENUM, false, AP_ENUM_RISK_LEVEL},
    {"referral_source", AP_K_ENUM, false, AP_ENUM_REFERRAL_SOURCE},
    {"closure_reason", AP_K_ENUM, false, AP_ENUM_CLOSURE_REASON},
};
static const struct ap_coldef missing_cols[] = {
    {"episode_id", AP_K_TEXT, true, 0},
    {"child_id", AP_K_TEXT, true, 0},
    {"missing_from", AP_K_DATETIME, true, 0},
    {"returned_at", AP_K_DATETIME, false, 0},
    {"interview_offered_at", AP_K_DATETIME, false, 0},
    {"interview_completed_at", AP_K_DATETIME, false, 0},
};
static const struct ap_coldef perpetrators_cols[] = {
    {"perpetrator_id", AP_K_TEXT, true, 0},
    {"identified_on", AP_K_DATE, true, 0},
    {"concluded_on", AP_K_DATE, false, 0},
    {"outcome", AP_K_ENUM, false, AP_ENUM_OUTCOME},
};
static const struct ap_coldef perp_actions_cols[] = {
    {"action_id", AP_K_TEXT, true, 0},
    {"perpetrator_id", AP_K_TEXT, true, 0},
    {"action", AP_K_ENUM, true, AP_ENUM_PERP_ACTION},
    {"action_on", AP_K_DATE, true, 0},
};
static const struct ap_coldef action_plan_cols[] = {
    {"action_ref", AP_K_TEXT, true, 0}, {"theme", AP_K_TEXT, true, 0},
    {"action", AP_K_TEXT, true, 0},     {"lead", AP_K_TEXT, false, 0},
    {"due_on", AP_K_DATE, false, 0},
};
static const struct ap_coldef action_updates_cols[] = {
    {"action_ref", AP_K_TEXT, true, 0},          {"updated_on", AP_K_DATE, true, 0},
    {"status", AP_K_ENUM, true, AP_ENUM_STATUS}, {"rag", AP_K_ENUM, false, AP_ENUM_RAG},
    {"commentary", AP_K_TEXT, false, 0},
};

#define COLS(a) a, AP_ARRAY_LEN(a)
const struct ap_tabledef ap_schema[AP_T_COUNT] = {
    [AP_T_CHILDREN] = {COLS(children_cols), 1, -1, 0, "child"},
    [AP_T_CASES] = {COLS(cases_cols), 1, 1, AP_T_CHILDREN, "case"},
    [AP_T_MISSING_EPISODES] = {COLS(missing_cols), 1, 1, AP_T_CHILDREN, "missing episode"},
    [AP_T_PERPETRATORS] = {COLS(perpetrators_cols), 1, -1, 0, "perpetrator"},
    [AP_T_PERPETRATOR_ACTIONS] = {COLS(perp_actions_cols), 1, 1, AP_T_PERPETRATORS,
                                  "perpetrator action"},
    [AP_T_ACTION_PLAN] = {COLS(action_plan_cols), 1, -1, 0, "action"},
    [AP_T_ACTION_UPDATES] = {COLS(action_updates_cols), 2, 0, AP_T_ACTION_PLAN, "action update"},
};

const char *const ap_table_files[AP_T_COUNT] = {
    "children.csv",
    "cases.csv",
    "missing_episodes.csv",
    "perpetrators.csv",
    "perpetrator_actions.csv",
    "action_plan.csv",
    "action_updates.csv",
};

int ap_schema_column(enum ap_table_id t, const char *name)
{
    for (size_t c = 0; c < ap_schema[t].ncols; c++)
        if (!ap_strcasecmp(name, ap_schema[t].cols[c].name))
            return (int)c;
    return -1;
}

int ap_schema_table(const char *name)
{
    for (int t = 0; t < AP_T_COUNT; t++)
        if (!ap_strcasecmp(name, ap_table_names[t]))
            return t;
    return -1;
}
