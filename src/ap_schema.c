/*
 * ap_schema: the seven tables' columns (SPEC.md, "Input").
 */
#include "ap_schema.h"

#include "ap_util.h"

static const struct ap_coldef children_cols[] = {
    {"child_id", AP_K_TEXT, true, 0,
     "The child's reference in your case system. Use the same reference wherever the child "
     "appears on the other sheets."},
    {"birth_date", AP_K_DATE, false, 0,
     "Date of birth. Only used to work out the child's age band in the reports."},
    {"gender", AP_K_ENUM, false, AP_ENUM_GENDER, "The child's gender."},
    {"ethnicity", AP_K_ENUM, false, AP_ENUM_ETHNICITY,
     "The child's ethnic group, in the broad groups the reports use."},
    {"area", AP_K_TEXT, false, 0,
     "The locality the child lives in, as your council names its areas."},
};
static const struct ap_coldef cases_cols[] = {
    {"case_id", AP_K_TEXT, true, 0,
     "The reference of this period of exploitation work with a child. A child may have "
     "several cases over time, one after another."},
    {"child_id", AP_K_TEXT, true, 0,
     "The child the case is about: a child_id from the children sheet."},
    {"opened_on", AP_K_DATE, true, 0, "The date the case was opened."},
    {"closed_on", AP_K_DATE, false, 0,
     "The date the case was closed. Leave it empty while the case is open."},
    {"risk_level", AP_K_ENUM, false, AP_ENUM_RISK_LEVEL,
     "The risk of exploitation at the latest assessment."},
    {"referral_source", AP_K_ENUM, false, AP_ENUM_REFERRAL_SOURCE,
     "Who referred the child to the team."},
    {"closure_reason", AP_K_ENUM, false, AP_ENUM_CLOSURE_REASON,
     "Why the case was closed. Fill it in when, and only when, closed_on is filled in."},
};
static const struct ap_coldef missing_cols[] = {
    {"episode_id", AP_K_TEXT, true, 0, "The reference of this missing episode."},
    {"child_id", AP_K_TEXT, true, 0,
     "The child who went missing: a child_id from the children sheet."},
    {"missing_from", AP_K_DATETIME, true, 0,
     "When the child went missing: the date and, if known, the time."},
    {"returned_at", AP_K_DATETIME, false, 0,
     "When the child came back. Leave it empty while the child is still missing."},
    {"interview_offered_at", AP_K_DATETIME, false, 0,
     "When the child was offered a return home interview."},
    {"interview_completed_at", AP_K_DATETIME, false, 0,
     "When the return home interview took place."},
};
static const struct ap_coldef perpetrators_cols[] = {
    {"perpetrator_id", AP_K_TEXT, true, 0,
     "Your reference for a person suspected of exploiting children. Never a name."},
    {"identified_on", AP_K_DATE, true, 0, "The date the person was first identified."},
    {"concluded_on", AP_K_DATE, false, 0,
     "The date work to disrupt the person ended. Leave it empty while it goes on."},
    {"outcome", AP_K_ENUM, false, AP_ENUM_OUTCOME,
     "How that work ended. Fill it in when, and only when, concluded_on is filled in."},
};
static const struct ap_coldef perp_actions_cols[] = {
    {"action_id", AP_K_TEXT, true, 0, "The reference of this action against a perpetrator."},
    {"perpetrator_id", AP_K_TEXT, true, 0,
     "Who the action was taken against: a perpetrator_id from the perpetrators sheet."},
    {"action", AP_K_ENUM, true, AP_ENUM_PERP_ACTION, "What was done."},
    {"action_on", AP_K_DATE, true, 0, "The date it was done."},
};
static const struct ap_coldef action_plan_cols[] = {
    {"action_ref", AP_K_TEXT, true, 0,
     "The number of the action in the CSE Action Plan, such as 1.3."},
    {"theme", AP_K_TEXT, true, 0, "The theme of the plan the action sits under."},
    {"action", AP_K_TEXT, true, 0, "What the action is, in a sentence."},
    {"lead", AP_K_TEXT, false, 0, "The team or role that leads on it."},
    {"due_on", AP_K_DATE, false, 0, "When it is due to be done."},
};
static const struct ap_coldef action_updates_cols[] = {
    {"action_ref", AP_K_TEXT, true, 0,
     "The action the update is about: an action_ref from the action_plan sheet."},
    {"updated_on", AP_K_DATE, true, 0, "The date of the update. One update per action per day."},
    {"status", AP_K_ENUM, true, AP_ENUM_STATUS, "Where the action stands."},
    {"rag", AP_K_ENUM, false, AP_ENUM_RAG, "The red, amber or green rating given to progress."},
    {"commentary", AP_K_TEXT, false, 0,
     "What has happened since the last update. Do not name children, families or "
     "suspects: the commentary may be published."},
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
