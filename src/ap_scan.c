/*
 * ap_scan: one pass per big table for every consumer at once (see ap_scan.h).
 * The merges compare keys with strcmp, which is SQLite's BINARY order for the
 * text keys the ORDER BY clauses sort by.
 */
#include "ap_scan.h"

#include <string.h>

#include "ap_db.h"
#include "ap_util.h"

/* Children first (primary-key order), then the cases and the episodes' child
 * ids in child order: each walks an index that covers what it reads. */
static const char children_sql[] =
    "SELECT child_id, birth_date, gender, ethnicity, area FROM children ORDER BY child_id";
static const char cases_sql[] =
    "SELECT child_id, opened_on, closed_on, closure_reason, risk_level, referral_source"
    " FROM cases ORDER BY child_id, opened_on";
static const char episode_children_sql[] =
    "SELECT child_id FROM missing_episodes ORDER BY child_id";
static const char episodes_sql[] =
    "SELECT missing_from, returned_at, interview_offered_at, interview_completed_at"
    " FROM missing_episodes";
static const char perpetrators_sql[] =
    "SELECT perpetrator_id, identified_on, concluded_on, outcome FROM perpetrators"
    " ORDER BY perpetrator_id";
static const char actions_sql[] =
    "SELECT perpetrator_id, action_on, action FROM perpetrator_actions"
    " ORDER BY perpetrator_id, action_on, action";

struct scan {
    sqlite3 *db;
    const struct ap_scan_sink *const *sinks;
    size_t n;
    struct ap_diag *d;
    /* Which callbacks some sink has: a table or stream nobody wants is not read. */
    bool children, child_rows, cases, orphans, episodes, perpetrators, actions;
    enum ap_status err; /* the status of step()'s last failure */
};

static const char *col(sqlite3_stmt *st, int c)
{
    return (const char *)sqlite3_column_text(st, c);
}

/* Call callback cb with the arguments after ctx on every sink that has it;
 * sets rc (an enum ap_status lvalue) to the first failure. */
#define EACH(s, rc, cb, ...)                                                                       \
    do {                                                                                           \
        for (size_t i_ = 0; (rc) == AP_OK && i_ < (s)->n; i_++)                                    \
            if ((s)->sinks[i_]->cb)                                                                \
                (rc) = (s)->sinks[i_]->cb((s)->sinks[i_]->ctx, __VA_ARGS__);                       \
    } while (0)
#define EACH0(s, rc, cb)                                                                           \
    do {                                                                                           \
        for (size_t i_ = 0; (rc) == AP_OK && i_ < (s)->n; i_++)                                    \
            if ((s)->sinks[i_]->cb)                                                                \
                (rc) = (s)->sinks[i_]->cb((s)->sinks[i_]->ctx);                                    \
    } while (0)

/* Step st; false (reported, its status in s->err) on an error other than the
 * end, or on a row whose first `notnull` columns (NOT NULL in the schema) are
 * not all there: only a damaged page gives that, and the passes rely on it. */
static bool step(struct scan *s, sqlite3_stmt *st, int *r, int notnull, const char *what)
{
    *r = sqlite3_step(st);
    if (*r == SQLITE_DONE)
        return true;
    if (*r != SQLITE_ROW) {
        s->err = ap_db_error(s->db, s->d, what);
        return false;
    }
    for (int c = 0; c < notnull; c++) {
        if (!col(st, c)) {
            s->err = ap_db_damaged(s->db, s->d, what, "a required value is missing");
            return false;
        }
    }
    return true;
}

/* Move the episodes' child ids past `upto` (NULL: to the end), reporting those
 * before it, whose child is not in the table, as orphans. */
static enum ap_status episodes_upto(struct scan *s, sqlite3_stmt *ep, int *rep, const char *upto)
{
    enum ap_status rc = AP_OK;
    long long orphans = 0;
    while (*rep == SQLITE_ROW) {
        int c = upto ? strcmp(col(ep, 0), upto) : -1;
        if (c > 0)
            break;
        orphans += c < 0;
        if (!step(s, ep, rep, 1, "cannot read the missing episodes"))
            return s->err;
    }
    if (orphans)
        EACH(s, rc, orphan_episodes, orphans);
    return rc;
}

/* Children merged with their cases and the episodes' child ids. */
static enum ap_status scan_children(struct scan *s)
{
    enum ap_status rc = AP_OK;
    sqlite3_stmt *ch = NULL, *cs = NULL, *ep = NULL;
    struct ap_buf id = AP_BUF_INIT;
    bool want_cases = s->cases, want_ep = s->orphans;
    int rch = SQLITE_DONE, rcs = SQLITE_DONE, rep = SQLITE_DONE;
    const char *what = "cannot read the children and their cases";

    if ((s->child_rows && !ap_db_prepare(s->db, children_sql, &ch, s->d)) ||
        (want_cases && !ap_db_prepare(s->db, cases_sql, &cs, s->d)) ||
        (want_ep && !ap_db_prepare(s->db, episode_children_sql, &ep, s->d))) {
        rc = AP_ERR_IO;
        goto done;
    }
    if ((ch && !step(s, ch, &rch, 1, what)) || (cs && !step(s, cs, &rcs, 2, what)) ||
        (ep && !step(s, ep, &rep, 1, what))) {
        rc = s->err;
        goto done;
    }
    while (rc == AP_OK && (rch == SQLITE_ROW || rcs == SQLITE_ROW)) {
        struct ap_scan_child c = {0};
        const char *cid = rch == SQLITE_ROW ? col(ch, 0) : NULL;
        const char *kid = rcs == SQLITE_ROW ? col(cs, 0) : NULL;
        c.known = cid && (!kid || strcmp(cid, kid) <= 0);
        /* The group's id is kept in a buffer: the cursor it came from moves on. */
        ap_buf_reset(&id);
        ap_buf_adds(&id, c.known ? cid : kid);
        c.child_id = id.buf;
        if (c.known) {
            c.birth_date = col(ch, 1);
            c.gender = col(ch, 2);
            c.ethnicity = col(ch, 3);
            c.area = col(ch, 4);
            if (ep)
                rc = episodes_upto(s, ep, &rep, id.buf);
        }
        if (rc == AP_OK)
            EACH(s, rc, child, &c);
        while (rc == AP_OK && rcs == SQLITE_ROW && !strcmp(col(cs, 0), id.buf)) {
            struct ap_scan_case k = {col(cs, 1), col(cs, 2), col(cs, 3), col(cs, 4), col(cs, 5)};
            EACH(s, rc, child_case, &k);
            if (rc == AP_OK && !step(s, cs, &rcs, 2, what))
                rc = s->err;
        }
        if (rc == AP_OK)
            EACH0(s, rc, child_end);
        if (rc == AP_OK && c.known && !step(s, ch, &rch, 1, what))
            rc = s->err;
    }
    if (rc == AP_OK && ep)
        rc = episodes_upto(s, ep, &rep, NULL);
done:
    sqlite3_finalize(ch);
    sqlite3_finalize(cs);
    sqlite3_finalize(ep);
    ap_buf_release(&id);
    return rc;
}

static enum ap_status scan_episodes(struct scan *s)
{
    enum ap_status rc = AP_OK;
    sqlite3_stmt *st = NULL;
    int r = SQLITE_DONE;
    const char *what = "cannot read the missing episodes";
    if (!ap_db_prepare(s->db, episodes_sql, &st, s->d)) {
        rc = AP_ERR_IO;
        goto done;
    }
    if (!step(s, st, &r, 1, what))
        rc = s->err;
    while (rc == AP_OK && r == SQLITE_ROW) {
        struct ap_scan_episode e = {col(st, 0), col(st, 1), col(st, 2), col(st, 3)};
        EACH(s, rc, episode, &e);
        if (rc == AP_OK && !step(s, st, &r, 1, what))
            rc = s->err;
    }
done:
    sqlite3_finalize(st);
    return rc;
}

/* Perpetrators merged with their actions. */
static enum ap_status scan_perpetrators(struct scan *s)
{
    enum ap_status rc = AP_OK;
    sqlite3_stmt *pp = NULL, *ac = NULL;
    struct ap_buf id = AP_BUF_INIT;
    int rpp = SQLITE_DONE, rac = SQLITE_DONE;
    const char *what = "cannot read the perpetrators and their actions";

    if (!ap_db_prepare(s->db, perpetrators_sql, &pp, s->d) ||
        (s->actions && !ap_db_prepare(s->db, actions_sql, &ac, s->d))) {
        rc = AP_ERR_IO;
        goto done;
    }
    if (!step(s, pp, &rpp, 2, what) || (ac && !step(s, ac, &rac, 3, what))) {
        rc = s->err;
        goto done;
    }
    while (rc == AP_OK && (rpp == SQLITE_ROW || rac == SQLITE_ROW)) {
        struct ap_scan_perpetrator p = {0};
        const char *pid = rpp == SQLITE_ROW ? col(pp, 0) : NULL;
        const char *aid = rac == SQLITE_ROW ? col(ac, 0) : NULL;
        p.known = pid && (!aid || strcmp(pid, aid) <= 0);
        ap_buf_reset(&id);
        ap_buf_adds(&id, p.known ? pid : aid);
        p.perpetrator_id = id.buf;
        if (p.known) {
            p.identified_on = col(pp, 1);
            p.concluded_on = col(pp, 2);
            p.outcome = col(pp, 3);
        }
        EACH(s, rc, perpetrator, &p);
        while (rc == AP_OK && rac == SQLITE_ROW && !strcmp(col(ac, 0), id.buf)) {
            struct ap_scan_action a = {col(ac, 1), col(ac, 2)};
            EACH(s, rc, action, &a);
            if (rc == AP_OK && !step(s, ac, &rac, 3, what))
                rc = s->err;
        }
        if (rc == AP_OK)
            EACH0(s, rc, perpetrator_end);
        if (rc == AP_OK && p.known && !step(s, pp, &rpp, 2, what))
            rc = s->err;
    }
done:
    sqlite3_finalize(pp);
    sqlite3_finalize(ac);
    ap_buf_release(&id);
    return rc;
}

static bool digit(char c)
{
    return (unsigned char)(c - '0') < 10;
}

/* Two digits at s (the second is not read if the first is not one). */
static bool digits2(const char *s)
{
    return digit(s[0]) && digit(s[1]);
}

/* 'YYYY-MM-DD' at the start of s; nothing past a NUL is read. */
static bool ymd_form(const char *s)
{
    return digits2(s) && digits2(s + 2) && s[4] == '-' && digits2(s + 5) && s[7] == '-' &&
           digits2(s + 8);
}

static int two(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

bool ap_scan_plain_date(const char *s)
{
    if (!ymd_form(s) || s[10] != '\0')
        return false;
    int y = two(s) * 100 + two(s + 2), m = two(s + 5), d = two(s + 8);
    return y >= AP_YEAR_MIN && y <= AP_YEAR_MAX && d >= 1 && d <= ap_days_in_month(y, m);
}

bool ap_scan_plain_day(const char *s, ap_day *day)
{
    if (!ymd_form(s) || s[10] != '\0')
        return false;
    int y = two(s) * 100 + two(s + 2);
    return ap_day_from_ymd(y, two(s + 5), two(s + 8), day);
}

bool ap_scan_plain_value(const char *s, ap_day *day, long long *secs)
{
    if (!ymd_form(s) || !ap_day_from_ymd(two(s) * 100 + two(s + 2), two(s + 5), two(s + 8), day))
        return false;
    *secs = 0;
    if (s[10] == '\0')
        return true;
    if (s[10] != ' ' || !digits2(s + 11) || s[13] != ':' || !digits2(s + 14) || s[16] != ':' ||
        !digits2(s + 17) || s[19] != '\0')
        return false;
    int h = two(s + 11), mi = two(s + 14), se = two(s + 17);
    if (h > 23 || mi > 59 || se > 59)
        return false;
    *secs = h * 3600LL + mi * 60LL + se;
    return true;
}

enum ap_status ap_scan_run(sqlite3 *db, const struct ap_scan_sink *const *sinks, size_t n,
                           struct ap_diag *d)
{
    struct scan s = {.db = db, .sinks = sinks, .n = n, .d = d};
    enum ap_status rc = AP_OK;
    for (size_t i = 0; i < n; i++) {
        const struct ap_scan_sink *k = sinks[i];
        s.cases = s.cases || k->child_case;
        s.orphans = s.orphans || k->orphan_episodes;
        s.child_rows = s.child_rows || k->child || k->child_end || k->orphan_episodes;
        s.children = s.children || s.child_rows || k->child_case;
        s.episodes = s.episodes || k->episode;
        s.actions = s.actions || k->action;
        s.perpetrators = s.perpetrators || k->perpetrator || k->action || k->perpetrator_end;
    }
    if (s.children)
        rc = scan_children(&s);
    if (rc == AP_OK && s.episodes)
        rc = scan_episodes(&s);
    if (rc == AP_OK && s.perpetrators)
        rc = scan_perpetrators(&s);
    return rc;
}
