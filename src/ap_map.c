/*
 * ap_map: drafts a profile from an export (`actionplan map PATH...`).
 *
 * Each CSV file and each workbook sheet is a candidate source. Its header row
 * is the first of its first rows that names at least two known columns (so a
 * title block above it is skipped); each of its headers is matched to our
 * columns by name, by a match that ignores case, spaces and punctuation, or
 * through the synonyms table below. A table is drafted from the source that
 * matches most of its columns and has all its required ones. Every distinct
 * label of an enumerated column is listed with its count under the code it
 * most likely means (ap_enum_match, then the label synonyms below), or under
 * `?`. The output is a profile that `import` refuses only for its `?`.
 */
#include "ap_map.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ap_csv.h"
#include "ap_intake.h"
#include "ap_xlsx.h"

#define SCAN_ROWS 30    /* rows looked at for the header */
#define MAX_LABELS 200  /* distinct labels listed per column */
#define MAX_SOURCES 200 /* files and sheets looked at */
#define MAX_UNREAD 10   /* files and sheets listed for a table not found */

/* Other systems' names for our columns, normalised (lower case, letters and
 * digits only). t < 0: any table that has the column. */
static const struct {
    int t;
    const char *col, *name;
} synonyms[] = {
    {-1, "child_id", "personid"},
    {-1, "child_id", "clientid"},
    {-1, "child_id", "childref"},
    {-1, "child_id", "personref"},
    {-1, "child_id", "childsid"},
    {-1, "child_id", "mosaicid"},
    {-1, "child_id", "lcsid"},
    {-1, "child_id", "youngpersonid"},
    {-1, "birth_date", "dob"},
    {-1, "birth_date", "dateofbirth"},
    {-1, "gender", "sex"},
    {-1, "ethnicity", "ethnicorigin"},
    {-1, "ethnicity", "ethnicgroup"},
    {-1, "area", "locality"},
    {-1, "area", "ward"},
    {-1, "area", "district"},
    {-1, "area", "localityteam"},
    {-1, "case_id", "caseref"},
    {-1, "case_id", "casenumber"},
    {-1, "case_id", "caseno"},
    {-1, "case_id", "referralref"},
    {-1, "case_id", "referralid"},
    {-1, "opened_on", "datereferred"},
    {-1, "opened_on", "referraldate"},
    {-1, "opened_on", "dateopened"},
    {-1, "opened_on", "opendate"},
    {-1, "opened_on", "casestart"},
    {-1, "opened_on", "startdate"},
    {-1, "closed_on", "dateclosed"},
    {-1, "closed_on", "closuredate"},
    {-1, "closed_on", "closedate"},
    {-1, "closed_on", "enddate"},
    {-1, "risk_level", "risk"},
    {-1, "risk_level", "rag"},
    {-1, "risk_level", "riskrating"},
    {-1, "risk_level", "cserisk"},
    {-1, "risk_level", "levelofrisk"},
    {-1, "referral_source", "referredby"},
    {-1, "referral_source", "source"},
    {-1, "referral_source", "referrer"},
    {-1, "referral_source", "sourceofreferral"},
    {-1, "closure_reason", "reasonforclosure"},
    {-1, "closure_reason", "closingreason"},
    {-1, "closure_reason", "reasonclosed"},
    {-1, "episode_id", "episoderef"},
    {-1, "episode_id", "missingid"},
    {-1, "episode_id", "missingref"},
    {-1, "episode_id", "incidentid"},
    {-1, "episode_id", "episodeno"},
    {-1, "missing_from", "datemissing"},
    {-1, "missing_from", "reportedmissing"},
    {-1, "missing_from", "missingdate"},
    {-1, "returned_at", "datereturned"},
    {-1, "returned_at", "returned"},
    {-1, "returned_at", "datefound"},
    {-1, "returned_at", "returndate"},
    {-1, "interview_offered_at", "rhioffered"},
    {-1, "interview_offered_at", "returninterviewoffered"},
    {-1, "interview_offered_at", "interviewoffered"},
    {-1, "interview_completed_at", "rhicompleted"},
    {-1, "interview_completed_at", "returninterviewcompleted"},
    {-1, "interview_completed_at", "interviewcompleted"},
    {-1, "perpetrator_id", "nominalref"},
    {-1, "perpetrator_id", "nominalid"},
    {-1, "perpetrator_id", "nominal"},
    {-1, "perpetrator_id", "perpetratorref"},
    {-1, "perpetrator_id", "suspectid"},
    {-1, "identified_on", "dateidentified"},
    {-1, "identified_on", "identified"},
    {-1, "concluded_on", "dateconcluded"},
    {-1, "concluded_on", "concluded"},
    {-1, "outcome", "result"},
    {-1, "action_id", "logno"},
    {-1, "action_id", "logref"},
    {-1, "action_id", "disruptionid"},
    {-1, "action_id", "tacticid"},
    {AP_T_PERPETRATOR_ACTIONS, "action", "tactic"},
    {AP_T_PERPETRATOR_ACTIONS, "action", "disruptiontactic"},
    {AP_T_PERPETRATOR_ACTIONS, "action", "actiontaken"},
    {-1, "action_on", "date"},
    {-1, "action_on", "actiondate"},
    {-1, "action_on", "dateofaction"},
    {-1, "action_ref", "ref"},
    {-1, "action_ref", "actionno"},
    {-1, "action_ref", "reference"},
    {-1, "theme", "priority"},
    {-1, "theme", "strand"},
    {AP_T_ACTION_PLAN, "action", "description"},
    {-1, "lead", "owner"},
    {-1, "lead", "leadofficer"},
    {-1, "lead", "responsible"},
    {-1, "due_on", "targetdate"},
    {-1, "due_on", "duedate"},
    {-1, "due_on", "deadline"},
    {-1, "due_on", "due"},
    {-1, "updated_on", "updatedate"},
    {-1, "updated_on", "dateupdated"},
    {-1, "updated_on", "updated"},
    {-1, "updated_on", "reviewdate"},
    {-1, "status", "progress"},
    {-1, "rag", "ragrating"},
    {-1, "rag", "ragstatus"},
    {-1, "commentary", "comment"},
    {-1, "commentary", "comments"},
    {-1, "commentary", "update"},
    /* Case systems that call a case a CSE episode (Liquidlogic), and their dates. */
    {AP_T_CASES, "case_id", "cseepisodeno"},
    {AP_T_CASES, "case_id", "cseepisodeid"},
    {AP_T_CASES, "case_id", "cseepisoderef"},
    {AP_T_CASES, "case_id", "cseref"},
    {AP_T_CASES, "case_id", "cseid"},
    {AP_T_CASES, "opened_on", "episodestartdate"},
    {AP_T_CASES, "opened_on", "episodestart"},
    {AP_T_CASES, "opened_on", "csestartdate"},
    {AP_T_CASES, "closed_on", "episodeenddate"},
    {AP_T_CASES, "closed_on", "episodeend"},
    {AP_T_CASES, "closed_on", "cseenddate"},
    {-1, "risk_level", "cseriskrag"},
    {-1, "risk_level", "riskrag"},
    {-1, "risk_level", "cserisklevel"},
    {-1, "closure_reason", "reasonepisodeended"},
    {-1, "closure_reason", "episodeendreason"},
    {-1, "closure_reason", "endreason"},
    {-1, "closure_reason", "reasonended"},
    {-1, "closure_reason", "reasonforending"},
    /* Missing from home or care (MFH), with date-time headers. */
    {-1, "episode_id", "missingepisodeid"},
    {-1, "episode_id", "missingepisodeno"},
    {-1, "episode_id", "missingepisoderef"},
    {-1, "episode_id", "mfhid"},
    {-1, "episode_id", "mfhref"},
    {-1, "missing_from", "datetimemissing"},
    {-1, "missing_from", "missingdatetime"},
    {-1, "returned_at", "datetimereturned"},
    {-1, "returned_at", "returneddatetime"},
    {-1, "returned_at", "datetimefound"},
    {-1, "interview_offered_at", "rhioffereddatetime"},
    {-1, "interview_offered_at", "rhioffereddate"},
    {-1, "interview_completed_at", "rhicompleteddatetime"},
    {-1, "interview_completed_at", "rhicompleteddate"},
    /* Police nominals: closed, not concluded; disruption activity. */
    {AP_T_PERPETRATORS, "concluded_on", "dateclosed"},
    {AP_T_PERPETRATORS, "concluded_on", "closeddate"},
    {AP_T_PERPETRATORS, "concluded_on", "closuredate"},
    {AP_T_PERPETRATORS, "concluded_on", "enddate"},
    {-1, "outcome", "closureoutcome"},
    {-1, "outcome", "finaloutcome"},
    {-1, "action_id", "activityref"},
    {-1, "action_id", "activityid"},
    {-1, "action_id", "activityno"},
    {AP_T_PERPETRATOR_ACTIONS, "action", "activitytype"},
    {AP_T_PERPETRATOR_ACTIONS, "action", "actiontype"},
    {AP_T_PERPETRATOR_ACTIONS, "action", "disruptiontype"},
    {-1, "action_on", "activitydate"},
    {-1, "action_on", "disruptiondate"},
};

/* Other systems' labels for our codes: a normalised label that equals or
 * (contains set) holds word is taken as code. Checked in order. */
static const struct {
    enum ap_enum_id en;
    const char *word, *code;
    bool contains;
} label_synonyms[] = {
    {AP_ENUM_GENDER, "f", "female", false},
    {AP_ENUM_GENDER, "girl", "female", false},
    {AP_ENUM_GENDER, "m", "male", false},
    {AP_ENUM_GENDER, "boy", "male", false},
    {AP_ENUM_GENDER, "notknown", "unknown", false},
    {AP_ENUM_GENDER, "notrecorded", "unknown", false},
    /* "Mixed - White & Black Caribbean" names other groups: mixed first. */
    {AP_ENUM_ETHNICITY, "mixed", "mixed", true},
    {AP_ENUM_ETHNICITY, "white", "white", true},
    {AP_ENUM_ETHNICITY, "asian", "asian", true},
    {AP_ENUM_ETHNICITY, "black", "black", true},
    {AP_ENUM_ETHNICITY, "notknown", "unknown", true},
    {AP_ENUM_ETHNICITY, "notrecorded", "unknown", true},
    {AP_ENUM_ETHNICITY, "refused", "unknown", true},
    {AP_ENUM_ETHNICITY, "notobtained", "unknown", true},
    {AP_ENUM_ETHNICITY, "notyetobtained", "unknown", true},
    {AP_ENUM_RISK_LEVEL, "red", "high", false},
    {AP_ENUM_RISK_LEVEL, "r", "high", false},
    {AP_ENUM_RISK_LEVEL, "amber", "medium", false},
    {AP_ENUM_RISK_LEVEL, "a", "medium", false},
    {AP_ENUM_RISK_LEVEL, "green", "low", false},
    {AP_ENUM_RISK_LEVEL, "g", "low", false},
    {AP_ENUM_RISK_LEVEL, "significant", "high", false},
    {AP_ENUM_RISK_LEVEL, "moderate", "medium", false},
    {AP_ENUM_REFERRAL_SOURCE, "police", "police", true},
    {AP_ENUM_REFERRAL_SOURCE, "ppu", "police", false},
    {AP_ENUM_REFERRAL_SOURCE, "csc", "social_care", false},
    {AP_ENUM_REFERRAL_SOURCE, "socialcare", "social_care", true},
    {AP_ENUM_REFERRAL_SOURCE, "socialworker", "social_care", true},
    {AP_ENUM_REFERRAL_SOURCE, "school", "education", true},
    {AP_ENUM_REFERRAL_SOURCE, "college", "education", true},
    {AP_ENUM_REFERRAL_SOURCE, "education", "education", true},
    {AP_ENUM_REFERRAL_SOURCE, "health", "health", true},
    {AP_ENUM_REFERRAL_SOURCE, "gp", "health", false},
    {AP_ENUM_REFERRAL_SOURCE, "hospital", "health", true},
    {AP_ENUM_REFERRAL_SOURCE, "nurse", "health", true},
    {AP_ENUM_REFERRAL_SOURCE, "parent", "family", true},
    {AP_ENUM_REFERRAL_SOURCE, "family", "family", true},
    {AP_ENUM_REFERRAL_SOURCE, "carer", "family", true},
    {AP_ENUM_REFERRAL_SOURCE, "selfreferral", "self", false},
    {AP_ENUM_REFERRAL_SOURCE, "youngperson", "self", true},
    {AP_ENUM_REFERRAL_SOURCE, "voluntary", "voluntary", true},
    {AP_ENUM_REFERRAL_SOURCE, "charity", "voluntary", true},
    {AP_ENUM_CLOSURE_REASON, "riskreduced", "risk_reduced", true},
    {AP_ENUM_CLOSURE_REASON, "removed", "removed_from_abuse", true},
    {AP_ENUM_CLOSURE_REASON, "moved", "moved_away", true},
    {AP_ENUM_CLOSURE_REASON, "transfer", "transferred", true},
    {AP_ENUM_CLOSURE_REASON, "18", "turned_18", true},
    {AP_ENUM_CLOSURE_REASON, "adult", "turned_18", true},
    {AP_ENUM_CLOSURE_REASON, "disengage", "disengaged", true},
    {AP_ENUM_CLOSURE_REASON, "refused", "disengaged", true},
    {AP_ENUM_OUTCOME, "prosecut", "prosecuted", true},
    {AP_ENUM_OUTCOME, "convict", "prosecuted", true},
    {AP_ENUM_OUTCOME, "charged", "prosecuted", true},
    {AP_ENUM_OUTCOME, "disrupt", "disrupted", true},
    {AP_ENUM_OUTCOME, "nfa", "no_further_action", false},
    {AP_ENUM_PERP_ACTION, "cawn", "cawn", true},
    {AP_ENUM_PERP_ACTION, "abductionwarning", "cawn", true},
    {AP_ENUM_PERP_ACTION, "sro", "sexual_risk_order", false},
    {AP_ENUM_PERP_ACTION, "sexualriskorder", "sexual_risk_order", true},
    {AP_ENUM_PERP_ACTION, "shpo", "shpo", true},
    {AP_ENUM_PERP_ACTION, "harmprevention", "shpo", true},
    {AP_ENUM_PERP_ACTION, "arrest", "arrested", true},
    {AP_ENUM_PERP_ACTION, "charge", "charged", true},
    {AP_ENUM_PERP_ACTION, "convict", "convicted", true},
    {AP_ENUM_PERP_ACTION, "bail", "bail_conditions", true},
    {AP_ENUM_PERP_ACTION, "cbo", "criminal_behaviour_order", false},
    {AP_ENUM_PERP_ACTION, "housing", "housing_injunction", true},
    {AP_ENUM_PERP_ACTION, "injunction", "council_injunction", true},
    {AP_ENUM_PERP_ACTION, "closure", "closure_order", true},
    {AP_ENUM_PERP_ACTION, "trafficking", "slavery_trafficking_order", true},
    {AP_ENUM_PERP_ACTION, "disruptionletter", "disruption_letter", true},
    {AP_ENUM_PERP_ACTION, "investigat", "investigation", true},
    {AP_ENUM_PERP_ACTION, "monitor", "monitoring", true},
    {AP_ENUM_STATUS, "notstarted", "not_started", true},
    {AP_ENUM_STATUS, "ongoing", "in_progress", true},
    {AP_ENUM_STATUS, "inprogress", "in_progress", true},
    {AP_ENUM_STATUS, "started", "in_progress", true},
    {AP_ENUM_STATUS, "ontrack", "in_progress", true},
    {AP_ENUM_STATUS, "complete", "complete", true},
    {AP_ENUM_STATUS, "done", "complete", false},
    {AP_ENUM_STATUS, "closed", "complete", false},
    {AP_ENUM_RAG, "r", "red", false},
    {AP_ENUM_RAG, "a", "amber", false},
    {AP_ENUM_RAG, "g", "green", false},
};

/* Lower-case letters and digits of s[0..n), into out. */
static void norm(const char *s, size_t n, struct ap_buf *out)
{
    ap_buf_reset(out);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            ap_buf_addch(out, c);
    }
}

/* Which column of table t the header h (normalised) names, or -1. */
static int match_column(enum ap_table_id t, const char *h)
{
    const struct ap_tabledef *td = &ap_schema[t];
    struct ap_buf b = AP_BUF_INIT;
    int found = -1;
    for (size_t c = 0; c < td->ncols && found < 0; c++) {
        norm(td->cols[c].name, strlen(td->cols[c].name), &b);
        if (!strcmp(b.buf, h))
            found = (int)c;
    }
    for (size_t i = 0; i < AP_ARRAY_LEN(synonyms) && found < 0; i++) {
        if ((synonyms[i].t >= 0 && synonyms[i].t != (int)t) || strcmp(synonyms[i].name, h))
            continue;
        found = ap_schema_column(t, synonyms[i].col);
    }
    ap_buf_release(&b);
    return found;
}

/* The code a label most likely means, or -1. */
static int guess_code(enum ap_enum_id e, const char *s, size_t n)
{
    int code = ap_enum_match(e, s, n);
    if (code >= 0)
        return code;
    struct ap_buf b = AP_BUF_INIT;
    norm(s, n, &b);
    for (size_t i = 0; i < AP_ARRAY_LEN(label_synonyms) && code < 0; i++) {
        if (label_synonyms[i].en != e)
            continue;
        bool hit = label_synonyms[i].contains ? strstr(b.buf, label_synonyms[i].word) != NULL
                                              : !strcmp(b.buf, label_synonyms[i].word);
        if (hit)
            code = ap_enum_lookup(e, label_synonyms[i].code);
    }
    ap_buf_release(&b);
    return code;
}

/* ---------------------------------------------------------------- sources */

struct label {
    char *text;
    long count;
};

struct column {
    char *name; /* the header as written */
    struct label *labels;
    size_t nlabels, alloc;
    long more; /* labels past MAX_LABELS */
};

/* One CSV file or workbook sheet. */
struct source {
    char *path, *sheet;
    bool cp1252;     /* CSV bytes that are not UTF-8 but are Windows-1252 */
    long header_row; /* 0: none found */
    long first_row;  /* without a header: the first row of two values or more, shown ... */
    char *first;     /* ... as its values joined with ", " (NULL if none) */
    size_t ncols;
    struct column *cols;
    int match[AP_T_COUNT][AP_MAX_COLS]; /* header index of each of our columns, or -1 */
    int score[AP_T_COUNT];              /* columns of the table matched; -1: a required one
                                           is missing */
};

struct map {
    struct source *s;
    size_t n, alloc;
    long dmy, mdy; /* slash dates that only one order can read */
    struct ap_diag *d;
};

/* A row of text cells being read from a source. */
struct rawrow {
    long line;
    size_t n;
    const char **s;
    size_t *len;
    size_t alloc;
    struct ap_buf conv; /* Windows-1252 fields converted, each NUL-terminated */
};

static void raw_set(struct rawrow *r, size_t n)
{
    ap_grow((void **)&r->s, sizeof *r->s, n ? n : 1, &r->alloc);
    r->len = ap_xrealloc(r->len, r->alloc * sizeof *r->len);
    r->n = n;
}

/* Count the slash dates of a date column that only one order can read. */
static void note_date(struct map *m, const char *s, size_t n)
{
    char out[20];
    const char *why;
    bool d = ap_slash_date(s, n, AP_DATES_DMY, out, &why) > 0;
    bool u = ap_slash_date(s, n, AP_DATES_MDY, out, &why) > 0;
    m->dmy += d && !u;
    m->mdy += u && !d;
}

static void add_label(struct column *c, const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (!n)
        return;
    for (size_t i = 0; i < c->nlabels; i++) {
        if (ap_label_equal(c->labels[i].text, strlen(c->labels[i].text), s, n)) {
            c->labels[i].count++;
            return;
        }
    }
    if (c->nlabels >= MAX_LABELS) {
        c->more++;
        return;
    }
    ap_grow((void **)&c->labels, sizeof *c->labels, c->nlabels + 1, &c->alloc);
    c->labels[c->nlabels].text = ap_xstrndup(s, n);
    c->labels[c->nlabels++].count = 1;
}

/* The source's header: the first scanned row naming two known columns. */
static void find_header(struct source *src, const struct rawrow *r)
{
    if (src->header_row || r->line > SCAN_ROWS)
        return;
    struct ap_buf b = AP_BUF_INIT;
    int hits = 0, values = 0;
    for (size_t i = 0; i < r->n; i++)
        values += r->len[i] > 0;
    if (!src->first && values >= 2) {
        for (size_t i = 0; i < r->n; i++) {
            ap_buf_adds(&b, i ? ", " : "");
            ap_buf_add(&b, r->s[i], r->len[i]);
        }
        src->first = ap_xstrdup(b.buf);
        src->first_row = r->line;
    }
    for (size_t i = 0; i < r->n; i++) {
        norm(r->s[i], r->len[i], &b);
        for (int t = 0; t < AP_T_COUNT && b.len; t++) {
            if (match_column((enum ap_table_id)t, b.buf) >= 0) {
                hits++;
                break;
            }
        }
    }
    ap_buf_release(&b);
    if (hits < 2)
        return;
    src->header_row = r->line;
    src->ncols = r->n;
    src->cols = ap_xcalloc(r->n ? r->n : 1, sizeof *src->cols);
    for (size_t i = 0; i < r->n; i++) {
        const char *s = r->s[i];
        size_t n = r->len[i];
        while (n && (*s == ' ' || *s == '\t'))
            s++, n--;
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        src->cols[i].name = ap_xstrndup(s, n);
    }
}

/* Is header column i an enumerated or a date column of any table matched? */
static void take_row(struct map *m, struct source *src, const struct rawrow *r)
{
    if (!src->header_row) {
        find_header(src, r);
        return;
    }
    struct ap_buf b = AP_BUF_INIT;
    for (size_t i = 0; i < r->n && i < src->ncols; i++) {
        norm(src->cols[i].name, strlen(src->cols[i].name), &b);
        bool is_enum = false, is_date = false;
        for (int t = 0; t < AP_T_COUNT; t++) {
            int c = b.len ? match_column((enum ap_table_id)t, b.buf) : -1;
            if (c < 0)
                continue;
            enum ap_kind k = ap_schema[t].cols[c].kind;
            is_enum = is_enum || k == AP_K_ENUM;
            is_date = is_date || k == AP_K_DATE || k == AP_K_DATETIME;
        }
        if (is_enum)
            add_label(&src->cols[i], r->s[i], r->len[i]);
        if (is_date && memchr(r->s[i], '/', r->len[i]))
            note_date(m, r->s[i], r->len[i]);
    }
    ap_buf_release(&b);
}

static struct source *new_source(struct map *m, const char *path, const char *sheet)
{
    ap_grow((void **)&m->s, sizeof *m->s, m->n + 1, &m->alloc);
    struct source *src = &m->s[m->n++];
    memset(src, 0, sizeof *src);
    src->path = ap_xstrdup(path);
    src->sheet = ap_xstrdup(sheet);
    return src;
}

static enum ap_status read_csv(struct map *m, const char *path)
{
    struct ap_csv *csv = NULL;
    struct ap_csv_record rec;
    struct rawrow r = {0};
    ap_buf_init(&r.conv);
    enum ap_status st = ap_csv_open(path, &csv, m->d);
    if (st != AP_OK)
        return st;
    struct source *src = new_source(m, path, NULL);
    int rc;
    /* Windows-1252 if any field is not UTF-8 and all are Windows-1252. */
    while ((rc = ap_csv_next(csv, &rec, m->d)) == 1) {
        raw_set(&r, rec.n);
        r.line = rec.line;
        ap_buf_reset(&r.conv);
        size_t *off = ap_xcalloc(rec.n ? rec.n : 1, sizeof *off);
        for (size_t i = 0; i < rec.n; i++) {
            const char *s = rec.fields[i].s;
            size_t n = rec.fields[i].len;
            r.s[i] = s;
            r.len[i] = n;
            off[i] = (size_t)-1;
            if (ap_utf8_valid(s, n))
                continue;
            if (!ap_cp1252_valid(s, n)) {
                size_t k = 0;
                while (k < n && ap_cp1252_valid(s + k, 1))
                    k++;
                ap_diag_input(m->d, path, rec.line, (long)i + 1,
                              "the field is neither UTF-8 nor Windows-1252 (its byte %zu, 0x%02X, "
                              "is no Windows-1252 character); save the file from Excel as 'CSV "
                              "UTF-8'",
                              k + 1, (unsigned char)s[k]);
                st = AP_ERR_INPUT;
                continue;
            }
            src->cp1252 = true;
            off[i] = r.conv.len;
            ap_cp1252_to_utf8(s, n, &r.conv);
            r.len[i] = r.conv.len - off[i];
            ap_buf_addch(&r.conv, '\0');
        }
        for (size_t i = 0; i < rec.n; i++)
            if (off[i] != (size_t)-1)
                r.s[i] = r.conv.buf + off[i];
        free(off);
        take_row(m, src, &r);
    }
    if (rc < 0)
        st = AP_ERR_INPUT;
    ap_csv_close(csv);
    free(r.s);
    free(r.len);
    ap_buf_release(&r.conv);
    return st;
}

static enum ap_status read_workbook(struct map *m, const char *path)
{
    struct ap_xlsx *x = NULL;
    struct ap_xlsx_row xr;
    struct rawrow r = {0};
    enum ap_status st = ap_xlsx_open(path, &x, m->d);
    if (st != AP_OK)
        return st;
    for (size_t i = 0; i < ap_xlsx_nsheets(x) && st == AP_OK; i++) {
        const char *sheet = ap_xlsx_sheet_name(x, i);
        st = ap_xlsx_select(x, sheet, m->d);
        if (st != AP_OK)
            break;
        struct source *src = new_source(m, path, sheet);
        int rc;
        while ((rc = ap_xlsx_next(x, &xr, m->d)) == 1) {
            raw_set(&r, xr.n);
            r.line = xr.row;
            for (size_t k = 0; k < xr.n; k++) {
                r.s[k] = xr.cells[k].text;
                r.len[k] = xr.cells[k].len;
            }
            take_row(m, src, &r);
        }
        if (rc < 0)
            st = AP_ERR_INPUT;
    }
    ap_xlsx_close(x);
    free(r.s);
    free(r.len);
    return st;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && !ap_strcasecmp(s + n - k, suffix);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum ap_status read_path(struct map *m, const char *path, bool given)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        ap_diag_report(m->d, AP_ERROR, AP_ERR_IO, path, 0, 0, "cannot read: %s", strerror(errno));
        return AP_ERR_IO;
    }
    if (S_ISDIR(sb.st_mode)) {
        DIR *dp = opendir(path);
        if (!dp) {
            ap_diag_report(m->d, AP_ERROR, AP_ERR_IO, path, 0, 0, "cannot read the folder: %s",
                           strerror(errno));
            return AP_ERR_IO;
        }
        char **names = NULL;
        size_t n = 0, alloc = 0;
        struct dirent *e;
        while ((e = readdir(dp))) {
            if (e->d_name[0] == '.')
                continue;
            ap_grow((void **)&names, sizeof *names, n + 1, &alloc);
            names[n++] = ap_xasprintf("%s/%s", path, e->d_name);
        }
        closedir(dp);
        if (n)
            qsort(names, n, sizeof *names, cmp_str);
        enum ap_status st = AP_OK;
        for (size_t i = 0; i < n; i++) {
            if (m->n < MAX_SOURCES)
                st = ap_status_worst(st, read_path(m, names[i], false));
            free(names[i]);
        }
        free(names);
        return st;
    }
    if (ends_with(path, ".xlsx"))
        return read_workbook(m, path);
    if (ends_with(path, ".csv") || given)
        return read_csv(m, path);
    return AP_OK;
}

/* ---------------------------------------------------------------- the draft */

static void score_sources(struct map *m)
{
    struct ap_buf b = AP_BUF_INIT;
    for (size_t k = 0; k < m->n; k++) {
        struct source *src = &m->s[k];
        for (int t = 0; t < AP_T_COUNT; t++) {
            const struct ap_tabledef *td = &ap_schema[t];
            for (size_t c = 0; c < AP_MAX_COLS; c++)
                src->match[t][c] = -1;
            src->score[t] = 0;
            for (size_t i = 0; i < src->ncols; i++) {
                norm(src->cols[i].name, strlen(src->cols[i].name), &b);
                int c = b.len ? match_column((enum ap_table_id)t, b.buf) : -1;
                if (c >= 0 && src->match[t][c] < 0) {
                    src->match[t][c] = (int)i;
                    src->score[t]++;
                }
            }
            for (size_t c = 0; c < td->ncols; c++)
                if (td->cols[c].required && src->match[t][c] < 0)
                    src->score[t] = -1;
        }
    }
    ap_buf_release(&b);
}

/* A value for the profile: one line, no leading or trailing blank. */
static void put_value(FILE *out, const char *s)
{
    for (; *s; s++)
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, out);
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

static void print_labels(FILE *out, const struct source *src, enum ap_table_id t)
{
    const struct ap_tabledef *td = &ap_schema[t];
    for (size_t c = 0; c < td->ncols; c++) {
        int i = src->match[t][c];
        if (td->cols[c].kind != AP_K_ENUM || i < 0)
            continue;
        const struct column *col = &src->cols[i];
        enum ap_enum_id e = td->cols[c].en;
        fprintf(out, "\n[%s.%s]\n", ap_table_names[t], td->cols[c].name);
        fprintf(out, "; labels found in '%s', with how many rows have each; the codes are ",
                col->name);
        for (size_t k = 0; k < ap_enums[e].n; k++)
            fprintf(out, "%s%s", k ? ", " : "", ap_enums[e].values[k]);
        fputs("\n", out);
        if (!col->nlabels)
            fputs("; (the column is empty)\n", out);
        for (size_t k = 0; k < col->nlabels; k++) {
            const struct label *l = &col->labels[k];
            int code = guess_code(e, l->text, strlen(l->text));
            fprintf(out, "%s = ", code >= 0 ? ap_enums[e].values[code] : "?");
            put_value(out, l->text);
            fprintf(out, "  ; %ld row%s\n", l->count, l->count == 1 ? "" : "s");
        }
        if (col->more)
            fprintf(out, "; and %ld more rows with other labels (only %d are listed)\n", col->more,
                    MAX_LABELS);
    }
}

static void print_table(FILE *out, const struct map *m, const struct source *src,
                        enum ap_table_id t)
{
    const struct ap_tabledef *td = &ap_schema[t];
    fprintf(out, "\n[%s]\n", ap_table_names[t]);
    fprintf(out, "; guessed from '%s'%s%s%s, header on row %ld\n", src->path,
            src->sheet ? ", sheet '" : "", src->sheet ? src->sheet : "", src->sheet ? "'" : "",
            src->header_row);
    /* The file name as a glob that matches only itself. */
    fputs("file = ", out);
    for (const char *c = base_name(src->path); *c; c++) {
        if (strchr("*?[\\", *c))
            fputc('\\', out);
        fputc(*c, out);
    }
    fputc('\n', out);
    if (src->sheet) {
        fputs("sheet = ", out);
        put_value(out, src->sheet);
        fputc('\n', out);
    }
    if (src->header_row != 1)
        fprintf(out, "header_row = %ld\n", src->header_row);
    for (size_t c = 0; c < td->ncols; c++) {
        int i = src->match[t][c];
        if (i < 0) {
            fprintf(out,
                    "; %s: no column found (give it as %s = THEIR HEADER if the export "
                    "has one)\n",
                    td->cols[c].name, td->cols[c].name);
            continue;
        }
        fprintf(out, "%s = ", td->cols[c].name);
        put_value(out, src->cols[i].name);
        fputc('\n', out);
    }
    /* The export's columns no table of ours reads from this source. */
    bool any = false;
    for (size_t i = 0; i < src->ncols; i++) {
        bool used = false;
        for (int u = 0; u < AP_T_COUNT && !used; u++)
            for (size_t c = 0; c < AP_MAX_COLS && !used; c++)
                used = src->match[u][c] == (int)i && src->score[u] >= 0;
        if (used || !src->cols[i].name[0])
            continue;
        fprintf(out, "%s", any ? ", " : "; not kept (never stored): ");
        put_value(out, src->cols[i].name);
        any = true;
    }
    if (any)
        fputc('\n', out);
    (void)m;
}

/* A table no source has all the required columns of: say which they are, and
 * list the files and sheets no table reads, with their headers, so that the
 * section can be written by hand from one of them. */
static void print_missing(FILE *out, const struct map *m, const int *best, enum ap_table_id t,
                          int *listed_under)
{
    const struct ap_tabledef *td = &ap_schema[t];
    fprintf(out, "\n; [%s]: no file or sheet has all of its required columns (", ap_table_names[t]);
    for (size_t c = 0, k = 0; c < td->ncols; c++)
        if (td->cols[c].required)
            fprintf(out, "%s%s", k++ ? ", " : "", td->cols[c].name);
    fputs(").\n", out);
    if (*listed_under >= 0) {
        fprintf(out, "; If the export has this table, see the files listed under [%s] above.\n",
                ap_table_names[*listed_under]);
        return;
    }
    *listed_under = (int)t;
    size_t listed = 0;
    for (size_t k = 0; k < m->n; k++) {
        bool used = false;
        for (int u = 0; u < AP_T_COUNT && !used; u++)
            used = best[u] == (int)k;
        if (used)
            continue;
        const struct source *src = &m->s[k];
        if (listed++ == 0)
            fprintf(out,
                    "; If the export has this table, write its section by hand (file =, "
                    "header_row =,\n; and OURCOL = THEIR HEADER) from one of the files no other "
                    "table reads:\n");
        if (listed > MAX_UNREAD) {
            fprintf(out, ";   and %zu more\n", m->n - k);
            break;
        }
        fputs(";   '", out);
        put_value(out, src->path);
        if (src->sheet) {
            fputs("', sheet '", out);
            put_value(out, src->sheet);
        }
        if (!src->header_row && !src->first) {
            fprintf(out, "': no row of two values or more among its first %d\n", SCAN_ROWS);
            continue;
        }
        if (!src->header_row) {
            fprintf(out, "', row %ld (no header found): ", src->first_row);
            put_value(out, src->first);
            fputc('\n', out);
            continue;
        }
        fprintf(out, "', header on row %ld:", src->header_row);
        for (size_t i = 0; i < src->ncols; i++) {
            fputs(i ? ", " : " ", out);
            put_value(out, src->cols[i].name);
        }
        fputc('\n', out);
    }
    if (!listed)
        fputs("; Every file and sheet of the export is read for another table.\n", out);
}

enum ap_status ap_map_run(const char *const *paths, size_t npaths, FILE *out, struct ap_diag *d)
{
    struct map m = {.d = d};
    enum ap_status st = AP_OK;
    for (size_t i = 0; i < npaths; i++)
        st = ap_status_worst(st, read_path(&m, paths[i], true));
    if (st != AP_OK)
        goto done;
    score_sources(&m);
    int best[AP_T_COUNT];
    size_t found = 0;
    bool cp1252 = false;
    int listed_under = -1; /* the table under which the unread files are listed */
    for (int t = 0; t < AP_T_COUNT; t++) {
        best[t] = -1;
        for (size_t k = 0; k < m.n; k++)
            if (m.s[k].score[t] > 0 && (best[t] < 0 || m.s[k].score[t] > m.s[best[t]].score[t]))
                best[t] = (int)k;
        if (best[t] >= 0) {
            found++;
            cp1252 = cp1252 || m.s[best[t]].cp1252;
        }
    }
    if (!found) {
        ap_diag_error(d, AP_ERR_INPUT,
                      "no file or sheet of the export has a header naming the columns of one of "
                      "our tables; name at least the ids and dates (see actionplan import --help)");
        st = AP_ERR_INPUT;
        goto done;
    }
    fputs("; A draft profile written by actionplan map: check every line, replace each '?'\n"
          "; with a code, then import with: actionplan import --profile THIS_FILE EXPORT\n",
          out);
    fputs("\n[source]\n", out);
    if (m.mdy > m.dmy)
        fprintf(out, "; %ld dates can only be month first\ndates = MDY\n", m.mdy);
    else
        fprintf(out, "; day first (03/04/2017 is 3 April)%s\ndates = DMY\n",
                m.dmy ? "; some dates can only be read so" : "");
    if (cp1252)
        fputs("; some CSV files are not UTF-8 but Windows-1252 (Excel's plain 'CSV')\n"
              "encoding = windows-1252\n",
              out);
    for (int t = 0; t < AP_T_COUNT; t++) {
        if (best[t] < 0) {
            print_missing(out, &m, best, (enum ap_table_id)t, &listed_under);
            continue;
        }
        print_table(out, &m, &m.s[best[t]], (enum ap_table_id)t);
        print_labels(out, &m.s[best[t]], (enum ap_table_id)t);
    }
done:
    for (size_t k = 0; k < m.n; k++) {
        for (size_t i = 0; i < m.s[k].ncols; i++) {
            for (size_t l = 0; l < m.s[k].cols[i].nlabels; l++)
                free(m.s[k].cols[i].labels[l].text);
            free(m.s[k].cols[i].labels);
            free(m.s[k].cols[i].name);
        }
        free(m.s[k].cols);
        free(m.s[k].first);
        free(m.s[k].path);
        free(m.s[k].sheet);
    }
    free(m.s);
    return st;
}
