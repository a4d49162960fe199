/*
 * cmd_report: `actionplan report`. Resolves the config, period and template,
 * builds the one report model from the read-only database, and renders it to
 * each requested output through ap_atomic, so that a failure leaves neither a
 * stray file nor a damaged earlier report. Files are committed only after every
 * output has rendered.
 */
#include <getopt.h>
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

const char cmd_report_usage[] =
    "usage: actionplan report [--config FILE] [--db FILE] [--template NAME|FILE]\n"
    "                         (--quarter YYYY/YY-QN | --from YYYY-MM-DD --to YYYY-MM-DD)\n"
    "                         [--out DIR] [--pdf FILE] [--xlsx FILE] [--html FILE]\n"
    "                         [--text FILE|-]\n"
    "\n"
    "Writes the progress report for the period from the case database (opened\n"
    "read-only), laid out by a template.\n"
    "\n"
    "  --template NAME|FILE  'cabinet' (public, small numbers suppressed; the default)\n"
    "                        or 'board' (restricted, unsuppressed), or a path to an\n"
    "                        .ini template of your own\n"
    "  --out DIR             write the PDF, the XLSX workbook and the HTML page into\n"
    "                        DIR, named like sampleshire-council-2016-17-q4-cabinet.pdf\n"
    "  --pdf FILE            write the PDF to FILE\n"
    "  --xlsx FILE           write the XLSX workbook to FILE\n"
    "  --html FILE           write the report as one accessible HTML page to FILE (for\n"
    "                        a website: no scripts, nothing fetched from elsewhere)\n"
    "  --text FILE           write a plain-text dump of the report model ('-' for\n"
    "                        standard output), for checking figures\n"
    "\n"
    "With none of --out, --pdf, --xlsx, --html, --text, the PDF, the workbook and the\n"
    "HTML page are written into the config's output folder (default '.'). --pdf,\n"
    "--xlsx, --html and --text write only what they name, unless --out is also given.\n"
    "Files are replaced only when every output has been made; on any failure no file\n"
    "is changed.\n"
    "Every figure in a public report is suppressed as the notes in it explain.\n";

enum out_kind { OUT_PDF, OUT_XLSX, OUT_HTML, OUT_TEXT };

enum { OPT_HTML = 2000 }; /* report's own long option, beside the shared AP_OPT_* */

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
        return ap_render_xlsx(r, o->at.tmp, d);
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

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, AP_OPT_CONFIG},
        {"db", required_argument, NULL, AP_OPT_DB},
        {"quarter", required_argument, NULL, AP_OPT_QUARTER},
        {"from", required_argument, NULL, AP_OPT_FROM},
        {"to", required_argument, NULL, AP_OPT_TO},
        {"template", required_argument, NULL, AP_OPT_TEMPLATE},
        {"out", required_argument, NULL, AP_OPT_OUT},
        {"pdf", required_argument, NULL, AP_OPT_PDF},
        {"xlsx", required_argument, NULL, AP_OPT_XLSX},
        {"html", required_argument, NULL, OPT_HTML},
        {"text", required_argument, NULL, 't'},
        {"help", no_argument, NULL, AP_OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    struct ap_cli_common co = {0};
    const char *tmpl_arg = "cabinet", *out_dir = NULL, *pdf = NULL, *xlsx = NULL, *html = NULL,
               *text = NULL;
    struct ap_diag d;
    struct ap_config cfg;
    struct ap_period period;
    struct ap_template tmpl;
    struct ap_report rep;
    sqlite3 *db = NULL;
    char *tmpl_path = NULL;
    struct output outs[5];
    size_t nouts = 0;
    bool have_cfg = false, have_tmpl = false, have_rep = false;
    enum ap_status rc = AP_OK;

    ap_diag_init(&d);
    memset(outs, 0, sizeof outs);
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (ap_cli_common_option(&co, c, optarg))
            continue;
        switch (c) {
        case AP_OPT_TEMPLATE:
            tmpl_arg = optarg;
            break;
        case AP_OPT_OUT:
            out_dir = optarg;
            break;
        case AP_OPT_PDF:
            pdf = optarg;
            break;
        case AP_OPT_XLSX:
            xlsx = optarg;
            break;
        case OPT_HTML:
            html = optarg;
            break;
        case 't':
            text = optarg;
            break;
        case AP_OPT_HELP:
            fputs(cmd_report_usage, stdout);
            return AP_OK;
        case ':':
            return ap_cli_usage_error("report", "option '%s' needs a value", argv[optind - 1]);
        default:
            return ap_cli_usage_error("report", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return ap_cli_usage_error("report", "unexpected argument '%s'", argv[optind]);

    have_cfg = true; /* ap_cli_config starts from the defaults, so cfg is always freeable */
    if ((rc = ap_cli_config(&co, &cfg, &d)) != AP_OK)
        goto done;
    if ((rc = ap_cli_period(&co, &cfg, &period, &d)) != AP_OK)
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
    if (html)
        outs[nouts++] = (struct output){.kind = OUT_HTML, .path = ap_xstrdup(html)};
    if (text && strcmp(text, "-"))
        outs[nouts++] = (struct output){.kind = OUT_TEXT, .path = ap_xstrdup(text)};
    if (out_dir || (!pdf && !xlsx && !html && !text)) {
        const char *dir = out_dir ? out_dir : cfg.output_dir;
        if (!pdf)
            outs[nouts++] =
                (struct output){.kind = OUT_PDF, .path = default_name(dir, &rep, "pdf")};
        if (!xlsx)
            outs[nouts++] =
                (struct output){.kind = OUT_XLSX, .path = default_name(dir, &rep, "xlsx")};
        if (!html)
            outs[nouts++] =
                (struct output){.kind = OUT_HTML, .path = default_name(dir, &rep, "html")};
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
        if (ap_render_text(&rep, stdout) != AP_OK || fflush(stdout) != 0) {
            ap_diag_error(&d, AP_ERR_IO, "cannot write the text dump to standard output");
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
