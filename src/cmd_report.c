/*
 * cmd_report: `actionplan report`. Resolves the config, period and template,
 * builds the one report model from the read-only database, and renders it to
 * each requested output through ap_atomic, so that a failure leaves neither a
 * stray file nor a damaged earlier report. Files are committed only after every
 * output has rendered.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ap_atomic.h"
#include "ap_cli.h"
#include "ap_db.h"
#include "ap_report.h"
#include "ap_template.h"
#include "commands.h"

static const struct ap_cli_cmd report_cmd = {
    .name = "report",
    .synopsis = "[--config FILE] [--db FILE] [--template NAME|FILE]\n"
                "(--quarter YYYY/YY-QN | --from YYYY-MM-DD --to YYYY-MM-DD)\n"
                "[--out DIR] [--pdf FILE] [--xlsx FILE] [--text FILE|-]",
    .description = "Writes the progress report for the period from the case database (opened\n"
                   "read-only), laid out by a template.\n",
    .footer = "With none of --out, --pdf, --xlsx, --text, both the PDF and the workbook are\n"
              "written into the config's output folder (default '.'). --pdf, --xlsx and --text\n"
              "write only what they name, unless --out is also given. Files are replaced only\n"
              "when every output has been made; on any failure no file is changed.\n"
              "Every figure in a public report is suppressed as the notes in it explain.\n",
};

enum out_kind { OUT_PDF, OUT_XLSX, OUT_TEXT };

struct output {
    enum out_kind kind;
    char *path;          /* owned */
    struct ap_atomic at; /* temporary while rendering */
    bool begun;
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

static enum ap_status render_one(const struct ap_report *r, struct output *o, struct ap_diag *d)
{
    switch (o->kind) {
    case OUT_PDF:
        return ap_render_pdf(r, o->at.tmp, o->path, d);
    case OUT_XLSX:
        return ap_render_xlsx(r, o->at.tmp, o->path, d);
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

int cmd_report(int argc, char **argv)
{
    struct ap_cli_common co = {.cmd = "report"};
    const char *tmpl_arg = "cabinet", *out_dir = NULL, *pdf = NULL, *xlsx = NULL, *text = NULL;
    const struct ap_option options[] = {
        AP_OPT_COMMON(&co),
        AP_OPT_PERIOD(&co),
        AP_OPT_GROUP("Template and outputs"),
        AP_OPT_STRING("template", 0, &tmpl_arg, "NAME|FILE",
                      "'cabinet' (public, small numbers suppressed; the default)\n"
                      "or 'board' (restricted, unsuppressed), or a path to an\n"
                      ".ini template of your own"),
        AP_OPT_STRING("out", 0, &out_dir, "DIR",
                      "write the PDF and the XLSX workbook into DIR, named like\n"
                      "sampleshire-council-2016-17-q4-cabinet.pdf"),
        AP_OPT_STRING("pdf", 0, &pdf, "FILE", "write the PDF to FILE"),
        AP_OPT_STRING("xlsx", 0, &xlsx, "FILE", "write the XLSX workbook to FILE"),
        AP_OPT_STRING("text", 0, &text, "FILE|-",
                      "write a plain-text dump of the report model ('-' for\n"
                      "standard output), for checking figures"),
        AP_OPT_END,
    };
    struct ap_diag d;
    struct ap_config cfg;
    struct ap_period period;
    struct ap_template tmpl;
    struct ap_report rep;
    sqlite3 *db = NULL;
    char *tmpl_path = NULL;
    struct output outs[4];
    size_t nouts = 0;
    bool have_cfg = false, have_tmpl = false, have_rep = false;
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
    bool to_dir = out_dir || (!pdf && !xlsx && !text);
    if (to_dir && (rc = ap_cli_want_dir(out_dir ? out_dir : cfg.output_dir, &d)) != AP_OK)
        goto done;
    if ((rc = ap_template_find(tmpl_arg, &tmpl_path, &d)) != AP_OK)
        goto done;
    if ((rc = ap_template_load(tmpl_path, &tmpl, &d)) != AP_OK)
        goto done;
    have_tmpl = true;
    if ((rc = ap_db_open(cfg.db_path, true, &db, &d)) != AP_OK)
        goto done;
    if ((rc = ap_report_build(db, &period, &cfg, &tmpl, &rep, &d)) != AP_OK)
        goto done;
    have_rep = true;

    /* What to write (see the usage text). */
    if (pdf)
        outs[nouts++] = (struct output){.kind = OUT_PDF, .path = ap_xstrdup(pdf)};
    if (xlsx)
        outs[nouts++] = (struct output){.kind = OUT_XLSX, .path = ap_xstrdup(xlsx)};
    if (text && strcmp(text, "-"))
        outs[nouts++] = (struct output){.kind = OUT_TEXT, .path = ap_xstrdup(text)};
    if (to_dir) {
        const char *dir = out_dir ? out_dir : cfg.output_dir;
        if (!pdf)
            outs[nouts++] =
                (struct output){.kind = OUT_PDF, .path = default_name(dir, &rep, "pdf")};
        if (!xlsx)
            outs[nouts++] =
                (struct output){.kind = OUT_XLSX, .path = default_name(dir, &rep, "xlsx")};
    }
    for (size_t i = 0; i < nouts && rc == AP_OK; i++)
        rc = check_target(outs[i].path, &d);
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
    /* A restricted report is readable by its owner only. */
    mode_t mode = tmpl.public_ ? 0644 : 0600;
    for (size_t i = 0; i < nouts && rc == AP_OK; i++) {
        rc = ap_atomic_commit(&outs[i].at, mode, &d);
        outs[i].begun = false;
    }
    if (rc == AP_OK && nouts > 0) {
        FILE *msg = text && !strcmp(text, "-") ? stderr : stdout;
        fputs("actionplan: wrote ", msg);
        for (size_t i = 0; i < nouts; i++)
            fprintf(msg, "%s%s", i == 0 ? "" : i + 1 == nouts ? " and " : ", ", outs[i].path);
        fprintf(msg, " (%s, %s)\n", rep.template_name, rep.period_label);
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
    if (have_rep)
        ap_report_free(&rep);
    ap_db_close(db);
    if (have_tmpl)
        ap_template_free(&tmpl);
    free(tmpl_path);
    if (have_cfg)
        ap_config_free(&cfg);
    ap_diag_finish(&d);
    return (int)rc;
}
