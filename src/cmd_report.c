/*
 * cmd_report: `actionplan report`. Resolves the config, period and template,
 * builds the one report model from the read-only database, and renders it to
 * each requested output through ap_atomic, so that a failure leaves neither a
 * stray file nor a damaged earlier report. Files are committed only after every
 * output has rendered, and all together (ap_atomic_commit_all).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ap_atomic.h"
#include "ap_cli.h"
#include "ap_db.h"
#include "ap_hash.h"
#include "ap_log.h"
#include "ap_report.h"
#include "ap_template.h"
#include "commands.h"

static const struct ap_cli_cmd report_cmd = {
    .name = "report",
    .synopsis = "[--config FILE] [--db FILE] [--template NAME|FILE]\n"
                "(--quarter YYYY/YY-QN | --year YYYY/YY | --month YYYY-MM |\n"
                " --from YYYY-MM-DD --to YYYY-MM-DD)\n"
                "[--out DIR] [--pdf FILE] [--xlsx FILE] [--html FILE] [--text FILE|-]\n"
                "[--publish]",
    .description =
        "Writes the progress report for the period from the case database (opened\n"
        "read-only unless --publish), laid out by a template.\n"
        "A quarter, month or financial year is compared with the one before it and the\n"
        "same one a year earlier, and its trend shows the last eight of that kind. A\n"
        "--from/--to range that is exactly one of those is worded as one; any other\n"
        "range is compared with the range of the same length just before it (the same\n"
        "number of calendar months when it runs from a 1st to a month's last day, else\n"
        "the same number of days) and with the same dates a year earlier, and its trend\n"
        "shows eight such ranges, one after the other, so no day is counted twice.\n",
    .footer = "With none of --out, --pdf, --xlsx, --html, --text, the PDF, the workbook and the\n"
              "HTML page are written into the config's output folder (default '.'). --pdf,\n"
              "--xlsx, --html and --text write only what they name, unless --out is also given.\n"
              "The output folder (--out DIR, or the config's) is made if it is missing (not\n"
              "its parents), private (0700) for a restricted template. Two outputs may not\n"
              "name the same file.\n"
              "Files are replaced only when every output has been made, and then together: if\n"
              "one cannot be put in place, those already replaced get their earlier version\n"
              "back (each is kept as a hidden copy beside it until the end), so on any failure\n"
              "the files are as they were. A restricted report's files are readable only by\n"
              "you (mode 0600).\n"
              "Every figure in a public report is suppressed as the notes in it explain.\n"
              "A figure that differs from the latest published report of the template is\n"
              "marked [r] and listed in a table of revisions.\n"
              "--publish records the report in the database (every figure as shown, each\n"
              "file's SHA-256) once its files are in place; an older database is upgraded\n"
              "first. If the record fails, the files stay, unrecorded, and the exit status\n"
              "is 3.\n",
};

enum out_kind { OUT_PDF, OUT_XLSX, OUT_HTML, OUT_TEXT };

#define AP_OUTPUTS_MAX 4 /* PDF, workbook, HTML and text dump */

struct output {
    enum out_kind kind;
    const char *option;  /* the option that asked for it: "--pdf", "--out" */
    char *path;          /* owned */
    struct ap_atomic at; /* temporary while rendering */
    bool begun;
};

/* The kind of each output as publication_outputs names it. */
static const char *const kind_codes[] = {
    [OUT_PDF] = "pdf",
    [OUT_XLSX] = "xlsx",
    [OUT_HTML] = "html",
    [OUT_TEXT] = "text",
};

static const char *const kind_words[] = {
    [OUT_PDF] = "PDF",
    [OUT_XLSX] = "workbook",
    [OUT_HTML] = "HTML page",
    [OUT_TEXT] = "text dump",
};

/* Lower-case ASCII letters and digits, everything else one '-'. */
static void add_slug(struct ap_buf *b, const char *s)
{
    bool dash = b->len > 0;
    for (; *s; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (dash && b->len > 0 && b->buf[b->len - 1] != '-')
                ap_buf_addch(b, '-');
            dash = false;
            ap_buf_addch(b, c);
        } else {
            dash = true;
        }
    }
}

static char *default_name(const char *dir, const struct ap_report *r, const char *ext)
{
    struct ap_buf b = AP_BUF_INIT;
    add_slug(&b, *r->organisation ? r->organisation : "actionplan");
    add_slug(&b, r->period_code);
    add_slug(&b, r->template_name);
    size_t n = strlen(dir);
    char *path = ap_xasprintf("%s%s%s.%s", dir, n && dir[n - 1] == '/' ? "" : "/", b.buf, ext);
    ap_buf_release(&b);
    return path;
}

/* The output is replaced by rename(2), which would put a regular file in place
 * of a device such as /dev/null: only regular files (or new names) are allowed. */
static enum ap_status check_target(const char *path, struct ap_diag *d)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || S_ISREG(sb.st_mode) || S_ISDIR(sb.st_mode))
        return AP_OK; /* new file; folders are refused by ap_atomic_begin */
    ap_diag_report(d, AP_ERROR, AP_ERR_USAGE, path, 0, 0,
                   "is not a regular file and cannot be replaced by a report; give a file name "
                   "(or '--text -' for standard output)");
    return AP_ERR_USAGE;
}

/* Where path would be written: its folder (as a file: links and ".." do not
 * matter) and its name; and, when it exists, the file itself. Two outputs with
 * the same place or the same file would overwrite each other. */
struct place {
    bool dir_known; /* the folder exists: dir_dev/dir_ino identify it */
    dev_t dir_dev, dev;
    ino_t dir_ino, ino;
    bool exists;      /* the file exists: dev/ino identify it */
    const char *name; /* borrowed: the last part of the path */
    const char *path; /* borrowed: the whole path, when the folder is unknown */
};

static void place_of(const char *path, struct place *pl)
{
    struct stat sb;
    const char *slash = strrchr(path, '/');
    char *dir = slash ? ap_xstrndup(path, (size_t)(slash - path) + 1) : ap_xstrdup(".");
    pl->dir_known = stat(dir, &sb) == 0;
    pl->dir_dev = pl->dir_known ? sb.st_dev : 0;
    pl->dir_ino = pl->dir_known ? sb.st_ino : 0;
    pl->exists = stat(path, &sb) == 0;
    pl->dev = pl->exists ? sb.st_dev : 0;
    pl->ino = pl->exists ? sb.st_ino : 0;
    pl->name = slash ? slash + 1 : path;
    pl->path = path;
    free(dir);
}

static bool same_place(const struct place *a, const struct place *b)
{
    if (a->exists && b->exists && a->dev == b->dev && a->ino == b->ino)
        return true;
    if (a->dir_known && b->dir_known)
        return a->dir_dev == b->dir_dev && a->dir_ino == b->dir_ino &&
               strcmp(a->name, b->name) == 0;
    return strcmp(a->path, b->path) == 0;
}

/* Two outputs naming one file (also through a link or ".."): a usage error
 * that names both options, before anything is written. */
static enum ap_status check_distinct(const struct output *outs, size_t n)
{
    struct place pl[AP_OUTPUTS_MAX];
    enum ap_status rc = AP_OK;
    for (size_t i = 0; i < n; i++)
        place_of(outs[i].path, &pl[i]);
    for (size_t i = 0; i < n && rc == AP_OK; i++)
        for (size_t j = i + 1; j < n && rc == AP_OK; j++) {
            if (!same_place(&pl[i], &pl[j]))
                continue;
            rc = ap_cli_usage_error("report",
                                    "the %s (%s '%s') and the %s (%s '%s') would be the same "
                                    "file; give each output its own name",
                                    kind_words[outs[i].kind], outs[i].option, outs[i].path,
                                    kind_words[outs[j].kind], outs[j].option, outs[j].path);
        }
    return rc;
}

/* The folder of the default names: made when missing (only its last part, so
 * that a mistyped path does not grow a tree of folders), private for a
 * restricted report. *made says whether it was made here, to remove it again
 * if the report fails. */
static enum ap_status make_out_dir(const char *dir, bool restricted, bool *made, struct ap_diag *d)
{
    struct stat sb;
    *made = false;
    if (stat(dir, &sb) == 0)
        return AP_OK; /* a file in the way is reported when the outputs begin */
    if (errno != ENOENT || mkdir(dir, restricted ? 0700 : 0755) != 0) {
        if (errno == ENOENT)
            ap_diag_report(d, AP_ERROR, AP_ERR_IO, NULL, 0, 0,
                           "cannot make folder '%s': the folder it goes in does not exist (only "
                           "the last folder of the path is made)",
                           dir);
        else
            ap_diag_report(d, AP_ERROR, AP_ERR_IO, NULL, 0, 0, "cannot write in folder '%s': %s",
                           dir, strerror(errno));
        return AP_ERR_IO;
    }
    *made = true;
    return AP_OK;
}

static enum ap_status render_one(const struct ap_report *r, struct output *o, struct ap_diag *d)
{
    switch (o->kind) {
    case OUT_PDF:
        return ap_render_pdf(r, o->at.tmp, o->path, d);
    case OUT_XLSX:
        return ap_render_xlsx(r, o->at.tmp, o->path, d);
    case OUT_HTML:
        return ap_render_html(r, o->at.tmp, o->path, d);
    case OUT_TEXT: {
        FILE *f = fopen(o->at.tmp, "w");
        if (!f) {
            ap_diag_report(d, AP_ERROR, AP_ERR_IO, o->path, 0, 0, "cannot write the text dump");
            return AP_ERR_IO;
        }
        enum ap_status st = ap_render_text(r, f);
        if (fclose(f) != 0 || st != AP_OK) {
            ap_diag_report(d, AP_ERROR, AP_ERR_IO, o->path, 0, 0, "cannot write the text dump");
            return AP_ERR_IO;
        }
        return AP_OK;
    }
    }
    return AP_ERR_IO;
}

/* A cell that publishes a figure (it has a key), or a number or marker that
 * is not one of the keyed figures: recorded as shown. */
struct figures {
    struct ap_log_figure *v;
    char **owned; /* per figure: its shown text without " [r]", or NULL */
    size_t n, cap;
};

static void add_figure(struct figures *f, const char *table_id, size_t row, size_t col,
                       const struct ap_cell *c)
{
    if (!c->key && c->kind != AP_CELL_NUMBER && c->kind != AP_CELL_MARKER)
        return;
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 256;
        f->v = ap_xrealloc(f->v, f->cap * sizeof *f->v);
        f->owned = ap_xrealloc(f->owned, f->cap * sizeof *f->owned);
    }
    /* The figure as shown, without the mark of a revision ("53", not "53 [r]"). */
    size_t len = strlen(c->text), mark = strlen(AP_REVISED_SUFFIX);
    char *base = c->revised && len >= mark ? ap_xstrndup(c->text, len - mark) : NULL;
    f->owned[f->n] = base;
    f->v[f->n++] = (struct ap_log_figure){
        .table_id = table_id,
        .row_no = (long)row,
        .col_no = (long)col,
        .figure_key = c->key,
        .shown = base ? base : c->text,
        .has_value = c->kind == AP_CELL_NUMBER,
        .value = c->kind == AP_CELL_NUMBER ? c->value : 0.0,
    };
}

/* Record the report, whose files are in place, as published: one transaction
 * (the caller's, begun before the model was built, so the figures recorded
 * are the ones the files show). */
static enum ap_status record_publication(sqlite3 *db, const struct ap_report *rep,
                                         const struct ap_period *period, const struct output *outs,
                                         size_t nouts, long long *id, struct ap_diag *d)
{
    struct ap_log_output lo[AP_OUTPUTS_MAX];
    char sha[AP_OUTPUTS_MAX][AP_SHA256_HEX];
    struct figures figs = {0};
    enum ap_status rc = AP_OK;
    for (size_t i = 0; i < nouts && rc == AP_OK; i++) {
        lo[i] = (struct ap_log_output){.kind = kind_codes[outs[i].kind], .file_name = outs[i].path};
        rc = ap_sha256_file(outs[i].path, sha[i], &lo[i].size, d);
        lo[i].sha256 = sha[i];
    }
    if (rc != AP_OK)
        return rc;
    for (size_t h = 0; h < rep->nheadlines; h++) {
        const struct ap_headline *hl = &rep->headlines[h];
        add_figure(&figs, "headlines", h, 0, &hl->value);
        add_figure(&figs, "headlines", h, 1, &hl->change_prev);
        add_figure(&figs, "headlines", h, 2, &hl->change_year);
        add_figure(&figs, "headlines", h, 3, &hl->rate);
    }
    for (size_t t = 0; t < rep->ntables; t++) {
        const struct ap_table *tb = &rep->tables[t];
        for (size_t row = 0; row < tb->nrows; row++)
            for (size_t col = 0; col < tb->ncols; col++)
                add_figure(&figs, tb->id, row, col, ap_table_cell(tb, row, col));
    }
    char start[11], end[11];
    ap_day_format(period->start, start);
    ap_day_format(period->end, end);
    struct ap_log_publication pub = {
        .template_name = rep->template_name,
        .period_code = rep->period_code,
        .period_start = start,
        .period_end = end,
        .outputs = lo,
        .noutputs = nouts,
        .figures = figs.v,
        .nfigures = figs.n,
    };
    rc = ap_log_add_publication(db, &pub, d);
    if (rc == AP_OK && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = ap_db_error(db, d, "cannot record the published report in the database");
    *id = pub.id;
    for (size_t i = 0; i < figs.n; i++)
        free(figs.owned[i]);
    free(figs.owned);
    free(figs.v);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    struct ap_cli_common co = {.cmd = "report"};
    const char *tmpl_arg = "cabinet", *out_dir = NULL, *pdf = NULL, *xlsx = NULL, *html = NULL,
               *text = NULL;
    bool publish = false;
    const struct ap_option options[] = {
        AP_OPT_COMMON(&co),
        AP_OPT_PERIOD(&co),
        AP_OPT_GROUP("Template and outputs"),
        AP_OPT_STRING("template", 0, &tmpl_arg, "NAME|FILE",
                      "'cabinet' (public, small numbers suppressed; the default)\n"
                      "or 'board' (restricted, unsuppressed), or a path to an\n"
                      ".ini template of your own"),
        AP_OPT_STRING("out", 0, &out_dir, "DIR",
                      "write the PDF, the XLSX workbook and the HTML page into\n"
                      "DIR, named like sampleshire-council-2016-17-q4-cabinet.pdf"),
        AP_OPT_STRING("pdf", 0, &pdf, "FILE", "write the PDF to FILE"),
        AP_OPT_STRING("xlsx", 0, &xlsx, "FILE", "write the XLSX workbook to FILE"),
        AP_OPT_STRING("html", 0, &html, "FILE",
                      "write the report as one accessible HTML page to FILE (for\n"
                      "a website: no scripts, nothing fetched from elsewhere)"),
        AP_OPT_STRING("text", 0, &text, "FILE|-",
                      "write a plain-text dump of the report model ('-' for\n"
                      "standard output), for checking figures"),
        AP_OPT_BOOL("publish", 0, &publish,
                    "record the report as published in the database (its\n"
                    "figures and files), for later reports' revisions"),
        AP_OPT_END,
    };
    struct ap_diag d;
    struct ap_config cfg;
    struct ap_period period;
    struct ap_template tmpl;
    struct ap_report rep;
    sqlite3 *db = NULL;
    char *tmpl_path = NULL;
    struct output outs[AP_OUTPUTS_MAX];
    bool made_dir = false;
    const char *dir = NULL;
    size_t nouts = 0;
    bool have_cfg = false, have_tmpl = false, have_rep = false, in_tx = false;
    enum ap_status rc = AP_OK;

    int nargs, exit_status;
    if (!ap_cli_parse(&report_cmd, options, argc, argv, &nargs, &exit_status))
        return exit_status;
    ap_diag_init(&d);
    memset(outs, 0, sizeof outs);

    have_cfg = true; /* ap_cli_config starts from the defaults, so cfg is always freeable */
    if ((rc = ap_cli_config(&co, &cfg, &d)) != AP_OK)
        goto done;
    if ((rc = ap_cli_period(&co, &cfg, &period, &d)) != AP_OK)
        goto done;
    if (strchr(tmpl_arg, '/') && (rc = ap_cli_want_file(tmpl_arg, &d)) != AP_OK)
        goto done;
    bool to_dir = out_dir || (!pdf && !xlsx && !html && !text);
    if (to_dir && (rc = ap_cli_want_dir(out_dir ? out_dir : cfg.output_dir, &d)) != AP_OK)
        goto done;
    if ((rc = ap_template_find(tmpl_arg, &tmpl_path, &d)) != AP_OK)
        goto done;
    if ((rc = ap_template_load(tmpl_path, &tmpl, &d)) != AP_OK)
        goto done;
    have_tmpl = true;
    /* Publishing writes to the database: open it for writing (upgrading an
     * older one) and hold its write lock from before the model is built until
     * the record is committed, so the record is of exactly these figures. */
    if ((rc = publish ? ap_db_open_write(cfg.db_path, NULL, &db, &d)
                      : ap_db_open(cfg.db_path, true, &db, &d)) != AP_OK)
        goto done;
    if (publish) {
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
            rc = ap_db_error(db, &d, "cannot start recording the published report");
            goto done;
        }
        in_tx = true;
    }
    if ((rc = ap_report_build(db, &period, &cfg, &tmpl, &rep, &d)) != AP_OK)
        goto done;
    have_rep = true;

    /* What to write (see the usage text). */
    const struct {
        enum out_kind kind;
        const char *path, *option, *ext;
    } asked[] = {
        {OUT_PDF, pdf, "--pdf", "pdf"},
        {OUT_XLSX, xlsx, "--xlsx", "xlsx"},
        {OUT_HTML, html, "--html", "html"},
        {OUT_TEXT, text && strcmp(text, "-") ? text : NULL, "--text", NULL},
    };
    for (size_t i = 0; i < AP_ARRAY_LEN(asked); i++)
        if (asked[i].path)
            outs[nouts++] = (struct output){.kind = asked[i].kind,
                                            .option = asked[i].option,
                                            .path = ap_xstrdup(asked[i].path)};
    if (to_dir) {
        dir = out_dir ? out_dir : cfg.output_dir;
        for (size_t i = 0; i < AP_ARRAY_LEN(asked); i++)
            if (asked[i].ext && !asked[i].path)
                outs[nouts++] =
                    (struct output){.kind = asked[i].kind,
                                    .option = out_dir ? "--out" : "the config's output_dir",
                                    .path = default_name(dir, &rep, asked[i].ext)};
    }
    if (publish && nouts == 0) {
        rc = ap_cli_usage_error("report", "--publish records the report's files, and '--text -' "
                                          "writes none; name a file or a folder (--out DIR)");
        goto done;
    }
    rc = check_distinct(outs, nouts);
    for (size_t i = 0; i < nouts && rc == AP_OK; i++)
        rc = check_target(outs[i].path, &d);
    if (rc == AP_OK && dir)
        rc = make_out_dir(dir, !tmpl.public_, &made_dir, &d);
    for (size_t i = 0; i < nouts && rc == AP_OK; i++) {
        rc = ap_atomic_begin(&outs[i].at, outs[i].path, &d);
        outs[i].begun = rc == AP_OK;
    }
    for (size_t i = 0; i < nouts && rc == AP_OK; i++)
        rc = render_one(&rep, &outs[i], &d);
    if (rc == AP_OK && text && !strcmp(text, "-")) {
        errno = 0;
        if (ap_render_text(&rep, stdout) != AP_OK || fflush(stdout) != 0) {
            ap_diag_error(&d, AP_ERR_IO, "cannot write the text dump to standard output: %s",
                          errno ? strerror(errno) : "unknown write error");
            rc = AP_ERR_IO;
        }
    }
    /* A restricted report is readable by its owner only. All the files are
     * put in place together, or none is changed (ap_atomic_commit_all). */
    mode_t mode = tmpl.public_ ? 0644 : 0600;
    if (rc == AP_OK && nouts > 0) {
        struct ap_atomic *ats[AP_OUTPUTS_MAX];
        for (size_t i = 0; i < nouts; i++) {
            ats[i] = &outs[i].at;
            outs[i].begun = false;
        }
        rc = ap_atomic_commit_all(ats, nouts, mode, &d);
    }
    if (rc == AP_OK && nouts > 0) {
        FILE *msg = text && !strcmp(text, "-") ? stderr : stdout;
        fputs("actionplan: wrote ", msg);
        for (size_t i = 0; i < nouts; i++)
            fprintf(msg, "%s%s", i == 0 ? "" : i + 1 == nouts ? " and " : ", ", outs[i].path);
        fprintf(msg, " (%s, %s)\n", rep.template_name, rep.period_label);
        if (!tmpl.public_)
            fprintf(msg, "actionplan: restricted: readable only by you (mode 0600)\n");
    }
    /* The files are in place; now the record. A failure here leaves them:
     * say plainly that they are not recorded. */
    if (rc == AP_OK && publish) {
        long long id = 0;
        FILE *msg = text && !strcmp(text, "-") ? stderr : stdout;
        in_tx = false;
        rc = record_publication(db, &rep, &period, outs, nouts, &id, &d);
        if (rc != AP_OK) {
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            ap_diag_error(&d, AP_ERR_IO,
                          "the report's files were written but it is NOT recorded as published "
                          "in %s; the files stay as they are; run the same command again to "
                          "publish it",
                          cfg.db_path);
            rc = AP_ERR_IO;
        } else {
            fprintf(msg, "actionplan: recorded in %s as published report %lld (%zu file%s)\n",
                    cfg.db_path, id, nouts, nouts == 1 ? "" : "s");
        }
    }
    /* What a public report hides, and that its audit cleared it. */
    if (rc == AP_OK && tmpl.public_ && rep.disclosure.line) {
        FILE *msg = text && !strcmp(text, "-") ? stderr : stdout;
        fprintf(msg, "actionplan: %s\n", rep.disclosure.line);
    }

done:
    for (size_t i = 0; i < nouts; i++) {
        if (outs[i].begun)
            ap_atomic_abort(&outs[i].at);
        free(outs[i].path);
    }
    if (made_dir && rc != AP_OK)
        rmdir(dir); /* made for this report and left empty by the failure */
    if (have_rep)
        ap_report_free(&rep);
    if (in_tx)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    ap_db_close(db);
    if (have_tmpl)
        ap_template_free(&tmpl);
    free(tmpl_path);
    if (have_cfg)
        ap_config_free(&cfg);
    ap_diag_finish(&d);
    return (int)rc;
}
