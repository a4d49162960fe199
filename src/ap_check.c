/*
 * ap_check: data-quality findings. Every check is one row of checks[]: a stable
 * code, a severity, the message (singular and plural), a hint for errors, and
 * one SQL query that returns the offending ids (as text, in a stable order)
 * given ?1 = the as-at day as 'YYYY-MM-DD'. The count is the number of rows.
 *
 * Severity ERROR is kept for what makes reported figures wrong: the import
 * refuses such rows, so they only appear in a database edited by other means.
 * Everything else is a WARNING: worth a look, but the figures stand.
 *
 * Dates are stored as ISO text, so comparisons are text comparisons; date-times
 * of length 10 are bare dates (SPEC.md: then "72 hours" means 3 days).
 *
 * The queries are the definitions. The counts come from one pass per big
 * table (a consumer of ap_scan, shared with the metrics in the report): each
 * condition written in C, dates compared as text as the SQL does, and any
 * value that is not plain put to SQLite with the check's own expression; the
 * tests check the counts equal the rows of each query. `check` then runs a
 * query only for a finding with a count above 0, and only for its first ids
 * (LIMIT), so no query walks an index with a lookup per row or runs a
 * subquery per row over a range of a big table.
 */
#include "ap_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ap_db.h"
#include "ap_metrics.h"
#include "ap_scan.h"
#include "ap_util.h"

struct check {
    const char *code;
    enum ap_severity severity;
    const char *one;  /* message for a count of 1 */
    const char *many; /* message for other counts */
    const char *hint; /* how to fix (errors), or NULL */
    const char *sql;  /* ?1 = as-at day; one text column of ids */
};

/* A case open at day ?1 (SPEC.md: opened_on <= X and not closed by X). */
#define OPEN_AT(t) t ".opened_on <= ?1 AND (" t ".closed_on IS NULL OR " t ".closed_on > ?1)"

/* Seconds from a to b, or whole days*86400 when either is a bare date.
 * unixepoch() is CAST(strftime('%s', ...) AS INTEGER) without the text. */
#define GAP_SECS(a, b)                                                                             \
    "(CASE WHEN length(" a ") = 10 OR length(" b ") = 10"                                          \
    " THEN unixepoch(date(" b ")) - unixepoch(date(" a "))"                                        \
    " ELSE unixepoch(" b ") - unixepoch(" a ") END)"

/* Completed years from ch.birth_date to ?1: a marker that with_age() replaces
 * with ap_metrics_age_sql()'s expression, so the checks and the figures count
 * ages the one same way (a 29 February birthday falls on 1 March in other
 * years, which plain MM-DD text comparison gives). */
#define AGE_AT "@age@"

/* A stored date that is not a real ISO date (or date-time) is not what we wrote. */
#define BAD_DATE(c) "(" c " IS NOT NULL AND date(" c ") IS NOT " c ")"
#define BAD_DATETIME(c)                                                                            \
    "(" c " IS NOT NULL AND (CASE WHEN length(" c ") = 10 THEN date(" c ") ELSE datetime(" c       \
    ") END) IS NOT " c ")"

/* Each row reads as code, severity, messages, hint, SQL: keep it by hand. */
/* clang-format off */
static const struct check checks[] = {
    /* Errors: the figures would be wrong. */
    {"missing_reference", AP_ERROR,
     "row referring to a child, perpetrator or plan item not in the database",
     "rows referring to a child, perpetrator or plan item not in the database",
     "import the missing children, perpetrators or action-plan items, or remove these rows",
     "SELECT 'case ' || case_id FROM cases WHERE child_id NOT IN (SELECT child_id FROM children)"
     " UNION ALL SELECT 'episode ' || episode_id FROM missing_episodes"
     " WHERE child_id NOT IN (SELECT child_id FROM children)"
     " UNION ALL SELECT 'action ' || action_id FROM perpetrator_actions"
     " WHERE perpetrator_id NOT IN (SELECT perpetrator_id FROM perpetrators)"
     " UNION ALL SELECT 'update ' || action_ref || ' ' || updated_on FROM action_updates"
     " WHERE action_ref NOT IN (SELECT action_ref FROM action_plan)"
     " ORDER BY 1"},
    {"bad_date", AP_ERROR, "row with a date that is not a real date in the form YYYY-MM-DD",
     "rows with a date that is not a real date in the form YYYY-MM-DD",
     "correct the dates in the case system and import again",
     "SELECT 'child ' || child_id FROM children WHERE " BAD_DATE("birth_date")
     " UNION ALL SELECT 'case ' || case_id FROM cases WHERE " BAD_DATE("opened_on")
     " OR " BAD_DATE("closed_on")
     " UNION ALL SELECT 'episode ' || episode_id FROM missing_episodes WHERE "
     BAD_DATETIME("missing_from") " OR " BAD_DATETIME("returned_at") " OR "
     BAD_DATETIME("interview_offered_at") " OR " BAD_DATETIME("interview_completed_at")
     " UNION ALL SELECT 'perpetrator ' || perpetrator_id FROM perpetrators WHERE "
     BAD_DATE("identified_on") " OR " BAD_DATE("concluded_on")
     " UNION ALL SELECT 'action ' || action_id FROM perpetrator_actions WHERE "
     BAD_DATE("action_on")
     " UNION ALL SELECT 'plan item ' || action_ref FROM action_plan WHERE " BAD_DATE("due_on")
     " UNION ALL SELECT 'update ' || action_ref || ' ' || updated_on FROM action_updates WHERE "
     BAD_DATE("updated_on")
     " ORDER BY 1"},
    {"overlapping_cases", AP_ERROR, "pair of overlapping cases of one child",
     "pairs of overlapping cases of one child",
     "a child has one case at a time: close the earlier case before the later one opens",
     "SELECT a.case_id || ' and ' || b.case_id FROM cases a JOIN cases b"
     " ON a.child_id = b.child_id AND a.case_id < b.case_id"
     " WHERE a.opened_on < coalesce(b.closed_on, '9999-12-31')"
     " AND b.opened_on < coalesce(a.closed_on, '9999-12-31')"
     " ORDER BY a.case_id, b.case_id"},
    {"closed_before_opened", AP_ERROR, "case closed before it opened",
     "cases closed before they opened", "correct closed_on or opened_on",
     "SELECT case_id FROM cases WHERE closed_on < opened_on ORDER BY case_id"},
    {"closure_reason_without_date", AP_ERROR, "case with a closure reason but no closure date",
     "cases with a closure reason but no closure date",
     "give closed_on for these cases, or remove the closure reason if they are still open",
     "SELECT case_id FROM cases WHERE closure_reason IS NOT NULL AND closed_on IS NULL"
     " ORDER BY case_id"},
    {"closed_without_reason", AP_ERROR, "closed case with no closure reason",
     "closed cases with no closure reason",
     "give a closure_reason: children protected counts the reason of each child's latest case",
     "SELECT case_id FROM cases WHERE closed_on IS NOT NULL AND closure_reason IS NULL"
     " ORDER BY case_id"},
    {"outcome_without_conclusion", AP_ERROR, "perpetrator with an outcome but no concluded_on date",
     "perpetrators with an outcome but no concluded_on date",
     "give concluded_on, or remove the outcome if the work is still going on",
     "SELECT perpetrator_id FROM perpetrators WHERE outcome IS NOT NULL AND concluded_on IS NULL"
     " ORDER BY perpetrator_id"},
    {"concluded_without_outcome", AP_ERROR, "concluded perpetrator with no outcome",
     "concluded perpetrators with no outcome",
     "give an outcome: perpetrators dealt with counts prosecuted and disrupted outcomes",
     "SELECT perpetrator_id FROM perpetrators WHERE concluded_on IS NOT NULL AND outcome IS NULL"
     " ORDER BY perpetrator_id"},
    {"concluded_before_identified", AP_ERROR, "perpetrator concluded before being identified",
     "perpetrators concluded before being identified", "correct concluded_on or identified_on",
     "SELECT perpetrator_id FROM perpetrators WHERE concluded_on < identified_on"
     " ORDER BY perpetrator_id"},
    {"episode_dates_out_of_order", AP_ERROR,
     "missing episode with a return before it began, or an interview before the return",
     "missing episodes with a return before they began, or an interview before the return",
     "correct returned_at, missing_from or the interview dates",
     "SELECT episode_id FROM missing_episodes WHERE " GAP_SECS("missing_from", "returned_at")
     " < 0 OR " GAP_SECS("returned_at", "interview_offered_at") " < 0 OR "
     GAP_SECS("returned_at", "interview_completed_at") " < 0"
     " ORDER BY episode_id"},

    /* Warnings: worth a look; the figures stand. */
    {"case_open_over_2_years", AP_WARNING, "case open for more than two years",
     "cases open for more than two years", NULL,
     "SELECT case_id FROM cases WHERE " OPEN_AT("cases")
     " AND opened_on < date(?1, '-2 years') ORDER BY opened_on, case_id"},
    {"open_case_aged_18", AP_WARNING, "child aged 18 or over with an open case",
     "children aged 18 or over with an open case", NULL,
     "SELECT DISTINCT ch.child_id FROM children ch JOIN cases ON cases.child_id = ch.child_id"
     " WHERE " OPEN_AT("cases") " AND ch.birth_date IS NOT NULL AND " AGE_AT " >= 18"
     " ORDER BY ch.child_id"},
    {"return_no_interview_offered", AP_WARNING,
     "missing episode returned with no return interview offered",
     "missing episodes returned with no return interview offered", NULL,
     "SELECT episode_id FROM missing_episodes WHERE returned_at IS NOT NULL"
     " AND date(returned_at) <= ?1 AND interview_offered_at IS NULL"
     " ORDER BY returned_at, episode_id"},
    {"interview_offered_late", AP_WARNING,
     "return interview offered more than 72 hours after the return",
     "return interviews offered more than 72 hours after the return", NULL,
     "SELECT episode_id FROM missing_episodes WHERE date(returned_at) <= ?1"
     " AND interview_offered_at IS NOT NULL AND "
     GAP_SECS("returned_at", "interview_offered_at") " > 259200"
     " ORDER BY returned_at, episode_id"},
    {"plan_overdue_no_recent_update", AP_WARNING,
     "action-plan item past its due date with no update in the last three months",
     "action-plan items past their due date with no update in the last three months", NULL,
     "SELECT p.action_ref FROM action_plan p WHERE p.due_on < ?1"
     " AND coalesce((SELECT u.status FROM action_updates u WHERE u.action_ref = p.action_ref"
     " AND u.updated_on <= ?1 ORDER BY u.updated_on DESC LIMIT 1), 'not_started') <> 'complete'"
     " AND NOT EXISTS (SELECT 1 FROM action_updates u WHERE u.action_ref = p.action_ref"
     " AND u.updated_on <= ?1 AND u.updated_on > date(?1, '-3 months'))"
     " ORDER BY p.action_ref"},
    {"plan_never_updated", AP_WARNING, "action-plan item with no update at all",
     "action-plan items with no update at all", NULL,
     "SELECT p.action_ref FROM action_plan p WHERE NOT EXISTS (SELECT 1 FROM action_updates u"
     " WHERE u.action_ref = p.action_ref AND u.updated_on <= ?1) ORDER BY p.action_ref"},
    {"child_no_birth_date_or_area", AP_WARNING,
     "child with no birth date or no area (counted as unknown)",
     "children with no birth date or no area (counted as unknown)", NULL,
     "SELECT child_id FROM children WHERE birth_date IS NULL OR area IS NULL OR trim(area) = ''"
     " ORDER BY child_id"},
    {"case_no_risk_or_source", AP_WARNING,
     "case with no risk level or no referral source (counted as unknown)",
     "cases with no risk level or no referral source (counted as unknown)", NULL,
     "SELECT case_id FROM cases WHERE risk_level IS NULL OR referral_source IS NULL"
     " ORDER BY case_id"},
    {"perpetrator_no_recent_action", AP_WARNING,
     "perpetrator active for more than two years with no action in the last three months",
     "perpetrators active for more than two years with no action in the last three months", NULL,
     "SELECT p.perpetrator_id FROM perpetrators p WHERE p.identified_on < date(?1, '-2 years')"
     " AND (p.concluded_on IS NULL OR p.concluded_on > ?1)"
     " AND NOT EXISTS (SELECT 1 FROM perpetrator_actions a WHERE a.perpetrator_id ="
     " p.perpetrator_id AND a.action_on <= ?1 AND a.action_on > date(?1, '-3 months'))"
     " ORDER BY p.perpetrator_id"},
};
/* clang-format on */

static void finding_release(struct ap_finding *f)
{
    free(f->message);
    for (size_t i = 0; i < f->nids; i++)
        free(f->ids[i]);
    free(f->ids);
}

void ap_findings_free(struct ap_findings *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        finding_release(&f->items[i]);
    free(f->items);
    f->items = NULL;
    f->n = 0;
}

/* sql with every AGE_AT marker replaced by the age from birth to on. */
static char *with_age(const char *sql, const char *birth, const char *on)
{
    struct ap_buf b = AP_BUF_INIT;
    char *age = ap_metrics_age_sql(birth, on);
    const char *at;
    while ((at = strstr(sql, AGE_AT)) != NULL) {
        ap_buf_add(&b, sql, (size_t)(at - sql));
        ap_buf_adds(&b, age);
        sql = at + strlen(AGE_AT);
    }
    ap_buf_adds(&b, sql);
    free(age);
    return ap_buf_detach(&b);
}

/* The ids of one finding: the first AP_CHECK_MAX_IDS rows of its check's
 * query, in the query's order (LIMIT stops early where that order is the
 * scan's, and keeps a short top list where it is not). */
static enum ap_status find_ids(sqlite3 *db, const struct check *c, const char *as_at,
                               struct ap_finding *f, struct ap_diag *d)
{
    enum ap_status rc = AP_OK;
    sqlite3_stmt *st = NULL;
    char *full = with_age(c->sql, "ch.birth_date", "?1");
    char *sql = ap_xasprintf("%s LIMIT %d", full, AP_CHECK_MAX_IDS);
    free(full);
    if (!f->ids)
        f->ids = ap_xcalloc(AP_CHECK_MAX_IDS, sizeof *f->ids);
    if (!ap_db_prepare(db, sql, &st, d)) {
        rc = AP_ERR_IO;
        goto done;
    }
    if (sqlite3_bind_parameter_count(st) > 0 &&
        sqlite3_bind_text(st, 1, as_at, -1, SQLITE_STATIC) != SQLITE_OK) {
        rc = ap_db_error(db, d, c->code);
        goto done;
    }
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW && f->nids < AP_CHECK_MAX_IDS) {
        const unsigned char *id = sqlite3_column_text(st, 0);
        f->ids[f->nids++] = ap_xstrdup(id ? (const char *)id : "(no id)");
    }
    if (step != SQLITE_DONE && step != SQLITE_ROW)
        rc = ap_db_error(db, d, c->code);
done:
    sqlite3_finalize(st);
    free(sql);
    return rc;
}

/* The day the checks run as at, as text: AP_DAY_NONE (no data) is a day after
 * everything, so every check finds nothing. */
static void as_at_text(ap_day as_at, char day[11])
{
    if (as_at == AP_DAY_NONE)
        memcpy(day, "9999-12-31", 11);
    else
        ap_day_format(as_at, day);
}

enum ap_status ap_check_ids(sqlite3 *db, ap_day as_at, struct ap_findings *f, struct ap_diag *d)
{
    enum ap_status rc = AP_OK;
    char day[11];
    as_at_text(as_at, day);
    for (size_t i = 0; rc == AP_OK && i < f->n && i < AP_ARRAY_LEN(checks); i++)
        if (f->items[i].count > 0 && f->items[i].nids == 0)
            rc = find_ids(db, &checks[i], day, &f->items[i], d);
    return rc;
}

enum ap_status ap_check_run(sqlite3 *db, ap_day as_at, struct ap_findings *out, struct ap_diag *d)
{
    enum ap_status rc = ap_check_count(db, as_at, out, d);
    if (rc == AP_OK)
        rc = ap_check_ids(db, as_at, out, d);
    if (rc != AP_OK)
        ap_findings_free(out);
    return rc;
}

char *ap_check_query(size_t i, const char **code)
{
    if (i >= AP_ARRAY_LEN(checks))
        return NULL;
    if (code)
        *code = checks[i].code;
    return with_age(checks[i].sql, "ch.birth_date", "?1");
}

size_t ap_findings_errors(const struct ap_findings *f)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        if (f->items[i].severity == AP_ERROR && f->items[i].count > 0)
            n++;
    return n;
}

/* The hint for a finding's code (errors only), or NULL. */
static const char *hint_for(const char *code)
{
    for (size_t i = 0; i < AP_ARRAY_LEN(checks); i++)
        if (!strcmp(checks[i].code, code))
            return checks[i].hint;
    return NULL;
}

void ap_check_print(const struct ap_findings *f, FILE *out)
{
    size_t errors = 0, warnings = 0;
    for (size_t i = 0; i < f->n; i++) {
        const struct ap_finding *x = &f->items[i];
        if (x->count == 0)
            continue;
        bool err = x->severity == AP_ERROR;
        if (err)
            errors++;
        else
            warnings++;
        fprintf(out, "%s: %lld %s [%s]\n", err ? "error" : "warning", x->count, x->message,
                x->code);
        fputs("  ", out);
        for (size_t k = 0; k < x->nids; k++)
            fprintf(out, "%s%s", k ? ", " : "", x->ids[k]);
        if ((long long)x->nids < x->count)
            fprintf(out, " and %lld more", x->count - (long long)x->nids);
        fputc('\n', out);
        const char *hint = err ? hint_for(x->code) : NULL;
        if (hint)
            fprintf(out, "  fix: %s\n", hint);
    }
    if (!errors && !warnings)
        fprintf(out, "No problems found (%zu checks).\n", f->n);
    else
        fprintf(out, "%zu error%s, %zu warning%s (%zu checks).\n", errors, errors == 1 ? "" : "s",
                warnings, warnings == 1 ? "" : "s", f->n);
}

/* ---- Counts only (the report) ------------------------------------------- */

/* Indexes into checks[], for ap_check_count's passes. */
enum {
    C_MISSING_REFERENCE, C_BAD_DATE, C_OVERLAPPING, C_CLOSED_BEFORE_OPENED,
    C_REASON_WITHOUT_DATE, C_CLOSED_WITHOUT_REASON, C_OUTCOME_WITHOUT_CONCLUSION,
    C_CONCLUDED_WITHOUT_OUTCOME, C_CONCLUDED_BEFORE_IDENTIFIED, C_EPISODE_ORDER,
    C_CASE_OPEN_2_YEARS, C_OPEN_CASE_18, C_RETURN_NO_INTERVIEW, C_INTERVIEW_LATE,
    C_PLAN_OVERDUE, C_PLAN_NEVER_UPDATED, C_CHILD_NO_BIRTH_OR_AREA, C_CASE_NO_RISK_OR_SOURCE,
    C_PERPETRATOR_NO_ACTION, C_COUNT
};

/* The action plan and its updates (tens of rows) are counted in SQL, one
 * statement per table: column j of its one row is added to the count of check
 * checks[j] (-1 ends the list). Each condition is the WHERE of that check's
 * query in checks[]. */
struct count_pass {
    const char *sql;
    int checks[4];
};

/* clang-format off */
static const struct count_pass count_passes[] = {
    {"SELECT sum(" BAD_DATE("due_on") "),"
     " sum(p.due_on < ?1"
     " AND coalesce((SELECT u.status FROM action_updates u WHERE u.action_ref = p.action_ref"
     " AND u.updated_on <= ?1 ORDER BY u.updated_on DESC LIMIT 1), 'not_started') <> 'complete'"
     " AND NOT EXISTS (SELECT 1 FROM action_updates u WHERE u.action_ref = p.action_ref"
     " AND u.updated_on <= ?1 AND u.updated_on > date(?1, '-3 months'))),"
     " sum(NOT EXISTS (SELECT 1 FROM action_updates u"
     " WHERE u.action_ref = p.action_ref AND u.updated_on <= ?1))"
     " FROM action_plan p",
     {C_BAD_DATE, C_PLAN_OVERDUE, C_PLAN_NEVER_UPDATED, -1}},
    {"SELECT sum(NOT EXISTS (SELECT 1 FROM action_plan p WHERE p.action_ref = u.action_ref)),"
     " sum(" BAD_DATE("updated_on") ") FROM action_updates u",
     {C_MISSING_REFERENCE, C_BAD_DATE, -1}},
};

/*
 * The other tables are counted in C as a consumer of the shared scan
 * (ap_scan): each check of one row is its SQL condition written in C, with
 * dates compared as text as the SQL does; a date that is not plain
 * (ap_scan_plain_day) is put to SQLite with the check's own expression, so the
 * counts stay exactly ap_check_run's.
 */
static const char bad_day_sql[] = "SELECT " BAD_DATE("?1");
static const char adult_sql[] = "SELECT " AGE_AT " >= 18"; /* birth ?2, day ?1 */
/* The episode checks of one row, the same expressions as checks[] with the
 * values bound: for the rows that are not plain. */
static const char episode_row_sql[] =
    "SELECT " BAD_DATETIME("?1") " OR " BAD_DATETIME("?2") " OR " BAD_DATETIME("?3") " OR "
    BAD_DATETIME("?4") ","
    " " GAP_SECS("?1", "?2") " < 0 OR " GAP_SECS("?2", "?3") " < 0 OR "
    GAP_SECS("?2", "?4") " < 0,"
    " ?2 IS NOT NULL AND date(?2) <= ?5 AND ?3 IS NULL,"
    " date(?2) <= ?5 AND ?3 IS NOT NULL AND " GAP_SECS("?2", "?3") " > 259200";
/* clang-format on */

struct ap_check_pass {
    sqlite3 *db;
    struct ap_diag *d;
    char day[11];                  /* the as-at day */
    char two_years[32], three_months[32]; /* date(day, '-2 years'), date(day, '-3 months') */
    long long count[C_COUNT];
    sqlite3_stmt *bad, *adult, *row; /* the SQL for values that are not plain; made on first use */
    /* The current child's group. */
    bool known, is_adult, open;
    struct ap_buf text; /* its cases' opened_on and closed_on (9999-12-31 if open), NUL-separated */
    size_t *at, n, alloc;
    /* The current perpetrator's group. */
    bool p_known, p_stale, p_acted;
};

/* Prepare *st from sql on first use; false (reported) on failure. */
static bool lazy(struct ap_check_pass *cp, sqlite3_stmt **st, const char *sql)
{
    return *st || ap_db_prepare(cp->db, sql, st, cp->d);
}

/* Step a one-row statement with its values bound: its first column, or -1
 * (reported) on failure. */
static int one_row(struct ap_check_pass *cp, sqlite3_stmt *st, const char *const *v, int nv)
{
    sqlite3_reset(st);
    for (int i = 0; i < nv; i++) {
        if (sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_TRANSIENT) != SQLITE_OK)
            goto fail;
    }
    if (sqlite3_step(st) != SQLITE_ROW)
        goto fail;
    return sqlite3_column_int(st, 0);
fail:
    ap_db_error(cp->db, cp->d, "cannot run the data-quality checks");
    return -1;
}

/* BAD_DATE(s): 1 or 0 (-1 after a reported failure). */
static int bad_day(struct ap_check_pass *cp, const char *s)
{
    if (!s || ap_scan_plain_date(s))
        return 0;
    if (!lazy(cp, &cp->bad, bad_day_sql))
        return -1;
    return one_row(cp, cp->bad, &s, 1);
}

/* Add the 0/1 results r[0..n) to count[c]; false if one failed. */
static bool add_any(struct ap_check_pass *cp, int c, const int *r, int n)
{
    bool any = false;
    for (int i = 0; i < n; i++) {
        if (r[i] < 0)
            return false;
        any = any || r[i];
    }
    cp->count[c] += any;
    return true;
}

/* The year of a plain date. */
static int year4(const char *s)
{
    return ((s[0] - '0') * 10 + (s[1] - '0')) * 100 + (s[2] - '0') * 10 + (s[3] - '0');
}

static enum ap_status cp_child(void *ctx, const struct ap_scan_child *c)
{
    struct ap_check_pass *cp = ctx;
    const char *birth = c->birth_date, *area = c->area;
    cp->known = c->known;
    cp->is_adult = cp->open = false;
    cp->n = 0;
    ap_buf_reset(&cp->text);
    if (!c->known)
        return AP_OK;
    int bad = bad_day(cp, birth);
    if (!add_any(cp, C_BAD_DATE, &bad, 1))
        return AP_ERR_IO;
    /* birth_date IS NULL OR area IS NULL OR trim(area) = '' */
    bool blank = area != NULL;
    for (const char *s = area; blank && *s; s++)
        blank = *s == ' ';
    cp->count[C_CHILD_NO_BIRTH_OR_AREA] += !birth || !area || blank;
    /* Aged 18 or over at the day: AGE_AT >= 18 (the same arithmetic in C). */
    ap_day b;
    if (!birth) {
        cp->is_adult = false;
    } else if (ap_scan_plain_day(birth, &b)) {
        int age = year4(cp->day) - year4(birth) - (memcmp(cp->day + 5, birth + 5, 5) < 0);
        cp->is_adult = age >= 18;
    } else {
        const char *v[2] = {cp->day, birth};
        int r;
        if (!cp->adult) {
            char *sql = with_age(adult_sql, "?2", "?1");
            bool ok = lazy(cp, &cp->adult, sql);
            free(sql);
            if (!ok)
                return AP_ERR_IO;
        }
        if ((r = one_row(cp, cp->adult, v, 2)) < 0)
            return AP_ERR_IO;
        cp->is_adult = r;
    }
    return AP_OK;
}

static enum ap_status cp_case(void *ctx, const struct ap_scan_case *k)
{
    struct ap_check_pass *cp = ctx;
    const char *opened = k->opened_on, *closed = k->closed_on, *day = cp->day;
    ap_grow((void **)&cp->at, sizeof *cp->at, 2 * (cp->n + 1), &cp->alloc);
    cp->at[2 * cp->n] = cp->text.len;
    ap_buf_add(&cp->text, opened, strlen(opened) + 1);
    cp->at[2 * cp->n + 1] = cp->text.len;
    ap_buf_adds(&cp->text, closed ? closed : "9999-12-31");
    ap_buf_addch(&cp->text, '\0');
    cp->n++;
    int bad[2] = {bad_day(cp, opened), 0};
    if (bad[0] == 0)
        bad[1] = bad_day(cp, closed);
    if (!add_any(cp, C_BAD_DATE, bad, 2))
        return AP_ERR_IO;
    bool open = strcmp(opened, day) <= 0 && (!closed || strcmp(closed, day) > 0);
    cp->count[C_MISSING_REFERENCE] += !cp->known;
    cp->count[C_CLOSED_BEFORE_OPENED] += closed && strcmp(closed, opened) < 0;
    cp->count[C_REASON_WITHOUT_DATE] += k->closure_reason && !closed;
    cp->count[C_CLOSED_WITHOUT_REASON] += closed && !k->closure_reason;
    cp->count[C_CASE_OPEN_2_YEARS] += open && strcmp(opened, cp->two_years) < 0;
    cp->count[C_CASE_NO_RISK_OR_SOURCE] += !k->risk_level || !k->referral_source;
    cp->open = cp->open || open;
    return AP_OK;
}

/* Pairs of overlapping cases among one child's n cases, given in opened_on
 * order: once a later case opens on or after case i closes, none after it
 * overlaps case i either. */
static long long overlap_pairs(const struct ap_buf *text, const size_t *at, size_t n)
{
    long long pairs = 0;
    for (size_t i = 0; i < n; i++) {
        const char *oi = text->buf + at[2 * i], *ci = text->buf + at[2 * i + 1];
        for (size_t j = i + 1; j < n; j++) {
            const char *oj = text->buf + at[2 * j], *cj = text->buf + at[2 * j + 1];
            if (strcmp(oj, ci) >= 0)
                break;
            if (strcmp(oi, cj) < 0)
                pairs++;
        }
    }
    return pairs;
}

static enum ap_status cp_child_end(void *ctx)
{
    struct ap_check_pass *cp = ctx;
    cp->count[C_OVERLAPPING] += overlap_pairs(&cp->text, cp->at, cp->n);
    cp->count[C_OPEN_CASE_18] += cp->known && cp->is_adult && cp->open;
    return AP_OK;
}

static enum ap_status cp_orphans(void *ctx, long long n)
{
    struct ap_check_pass *cp = ctx;
    cp->count[C_MISSING_REFERENCE] += n;
    return AP_OK;
}

/* One episode's date-time: NULL, or plain with its parts. */
struct when {
    const char *s; /* NULL if the column is NULL */
    ap_day day;
    long long secs;
};

/* GAP_SECS(a, b) < 0 (sign -1), > 259200 (sign 1): 1 true, 0 false, -1 NULL. */
static int gap_test(const struct when *a, const struct when *b, int sign)
{
    if (!a->s || !b->s)
        return -1;
    long long g = (b->day - a->day) * 86400LL;
    if (strlen(a->s) != 10 && strlen(b->s) != 10)
        g += b->secs - a->secs;
    return sign < 0 ? g < 0 : g > 259200;
}

/* The episode checks: bad dates, dates out of order, no interview offered,
 * offered late (the 72 hours of SPEC.md). */
static enum ap_status cp_episode(void *ctx, const struct ap_scan_episode *e)
{
    struct ap_check_pass *cp = ctx;
    const char *v[5] = {e->missing_from, e->returned_at, e->interview_offered_at,
                        e->interview_completed_at, cp->day};
    struct when w[4];
    bool plain = true;
    for (int i = 0; i < 4; i++) {
        w[i].s = v[i];
        if (w[i].s && !ap_scan_plain_value(w[i].s, &w[i].day, &w[i].secs))
            plain = false;
    }
    if (plain) {
        cp->count[C_EPISODE_ORDER] += gap_test(&w[0], &w[1], -1) == 1 ||
                                      gap_test(&w[1], &w[2], -1) == 1 ||
                                      gap_test(&w[1], &w[3], -1) == 1;
        bool back = w[1].s && strncmp(w[1].s, cp->day, 10) <= 0;
        cp->count[C_RETURN_NO_INTERVIEW] += back && !w[2].s;
        cp->count[C_INTERVIEW_LATE] += back && gap_test(&w[1], &w[2], 1) == 1;
        return AP_OK;
    }
    if (!lazy(cp, &cp->row, episode_row_sql) || one_row(cp, cp->row, v, 5) < 0)
        return AP_ERR_IO;
    cp->count[C_BAD_DATE] += sqlite3_column_int(cp->row, 0);
    cp->count[C_EPISODE_ORDER] += sqlite3_column_int(cp->row, 1);
    cp->count[C_RETURN_NO_INTERVIEW] += sqlite3_column_int(cp->row, 2);
    cp->count[C_INTERVIEW_LATE] += sqlite3_column_int(cp->row, 3);
    return AP_OK;
}

static enum ap_status cp_perpetrator(void *ctx, const struct ap_scan_perpetrator *p)
{
    struct ap_check_pass *cp = ctx;
    const char *ident = p->identified_on, *concl = p->concluded_on;
    cp->p_known = p->known;
    cp->p_stale = cp->p_acted = false;
    if (!p->known)
        return AP_OK;
    int bad[2] = {bad_day(cp, ident), 0};
    if (bad[0] == 0)
        bad[1] = bad_day(cp, concl);
    if (!add_any(cp, C_BAD_DATE, bad, 2))
        return AP_ERR_IO;
    cp->count[C_OUTCOME_WITHOUT_CONCLUSION] += p->outcome && !concl;
    cp->count[C_CONCLUDED_WITHOUT_OUTCOME] += concl && !p->outcome;
    cp->count[C_CONCLUDED_BEFORE_IDENTIFIED] += concl && strcmp(concl, ident) < 0;
    /* Active for more than two years; "no recent action" waits for the actions. */
    cp->p_stale = strcmp(ident, cp->two_years) < 0 && (!concl || strcmp(concl, cp->day) > 0);
    return AP_OK;
}

static enum ap_status cp_action(void *ctx, const struct ap_scan_action *a)
{
    struct ap_check_pass *cp = ctx;
    int bad = bad_day(cp, a->action_on);
    if (!add_any(cp, C_BAD_DATE, &bad, 1))
        return AP_ERR_IO;
    cp->count[C_MISSING_REFERENCE] += !cp->p_known;
    cp->p_acted = cp->p_acted || (strcmp(a->action_on, cp->day) <= 0 &&
                                  strcmp(a->action_on, cp->three_months) > 0);
    return AP_OK;
}

static enum ap_status cp_perpetrator_end(void *ctx)
{
    struct ap_check_pass *cp = ctx;
    cp->count[C_PERPETRATOR_NO_ACTION] += cp->p_known && cp->p_stale && !cp->p_acted;
    return AP_OK;
}

enum ap_status ap_check_pass_begin(sqlite3 *db, ap_day as_at, struct ap_check_pass **pass,
                                   struct ap_scan_sink *sink, struct ap_diag *d)
{
    enum ap_status rc = AP_OK;
    sqlite3_stmt *st = NULL;
    struct ap_check_pass *cp = ap_xcalloc(1, sizeof *cp);
    cp->db = db;
    cp->d = d;
    ap_buf_init(&cp->text);
    as_at_text(as_at, cp->day);
    /* The day's bounds, by SQLite's own date arithmetic, once. */
    if (!ap_db_prepare(db, "SELECT date(?1, '-2 years'), date(?1, '-3 months')", &st, d)) {
        rc = AP_ERR_IO;
        goto done;
    }
    if (sqlite3_bind_text(st, 1, cp->day, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW || !sqlite3_column_text(st, 0) ||
        !sqlite3_column_text(st, 1)) {
        rc = ap_db_error(db, d, "cannot set up the data-quality checks");
        goto done;
    }
    snprintf(cp->two_years, sizeof cp->two_years, "%s", (const char *)sqlite3_column_text(st, 0));
    snprintf(cp->three_months, sizeof cp->three_months, "%s",
             (const char *)sqlite3_column_text(st, 1));
    *sink = (struct ap_scan_sink){.ctx = cp,
                                  .child = cp_child,
                                  .child_case = cp_case,
                                  .child_end = cp_child_end,
                                  .orphan_episodes = cp_orphans,
                                  .episode = cp_episode,
                                  .perpetrator = cp_perpetrator,
                                  .action = cp_action,
                                  .perpetrator_end = cp_perpetrator_end};
done:
    sqlite3_finalize(st);
    *pass = cp;
    if (rc != AP_OK)
        ap_check_pass_end(cp, rc, NULL);
    return rc;
}

enum ap_status ap_check_pass_end(struct ap_check_pass *cp, enum ap_status rc,
                                 struct ap_findings *out)
{
    sqlite3_stmt *st = NULL;
    _Static_assert(AP_ARRAY_LEN(checks) == C_COUNT, "ap_check_count covers every check");
    if (out) {
        out->n = 0;
        out->items = NULL;
    }
    for (size_t p = 0; rc == AP_OK && p < AP_ARRAY_LEN(count_passes); p++) {
        const struct count_pass *c = &count_passes[p];
        if (!ap_db_prepare(cp->db, c->sql, &st, cp->d)) {
            rc = AP_ERR_IO;
            break;
        }
        if (sqlite3_bind_parameter_count(st) > 0 &&
            sqlite3_bind_text(st, 1, cp->day, -1, SQLITE_STATIC) != SQLITE_OK) {
            rc = ap_db_error(cp->db, cp->d, "cannot set up the data-quality checks");
            break;
        }
        int r = sqlite3_step(st);
        if (r == SQLITE_ROW) {
            for (int j = 0; j < 4 && c->checks[j] >= 0; j++)
                cp->count[c->checks[j]] += sqlite3_column_int64(st, j);
            r = sqlite3_step(st);
        }
        if (r != SQLITE_DONE) {
            rc = ap_db_error(cp->db, cp->d, "cannot run the data-quality checks");
            break;
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    sqlite3_finalize(st);
    if (rc == AP_OK && out) {
        out->items = ap_xcalloc(C_COUNT, sizeof *out->items);
        for (size_t i = 0; i < C_COUNT; i++) {
            struct ap_finding *f = &out->items[out->n++];
            f->code = checks[i].code;
            f->severity = checks[i].severity;
            f->count = cp->count[i];
            f->message = ap_xstrdup(cp->count[i] == 1 ? checks[i].one : checks[i].many);
        }
    }
    sqlite3_finalize(cp->bad);
    sqlite3_finalize(cp->adult);
    sqlite3_finalize(cp->row);
    ap_buf_release(&cp->text);
    free(cp->at);
    free(cp);
    return rc;
}

enum ap_status ap_check_count(sqlite3 *db, ap_day as_at, struct ap_findings *out, struct ap_diag *d)
{
    struct ap_check_pass *cp = NULL;
    struct ap_scan_sink sink;
    out->n = 0;
    out->items = NULL;
    enum ap_status rc = ap_check_pass_begin(db, as_at, &cp, &sink, d);
    if (rc != AP_OK)
        return rc;
    const struct ap_scan_sink *sinks[] = {&sink};
    rc = ap_scan_run(db, sinks, 1, d);
    return ap_check_pass_end(cp, rc, out);
}
