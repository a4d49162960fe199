/*
 * cmd_log: `actionplan log`, what was done to the database: the imports (files
 * with size and short SHA-256, rows per table) and the published reports
 * (template, period, outputs), newest first, as plain text.
 */
#include <stdio.h>
#include <string.h>

#include "ap_cli.h"
#include "ap_db.h"
#include "ap_log.h"
#include "commands.h"

static const struct ap_cli_cmd log_cmd = {
    .name = "log",
    .synopsis = "[--db FILE] [--config FILE]",
    .description = "Lists what has been done to the case database, newest first: each import\n"
                   "(when, each file with its size and the start of its SHA-256, and the rows\n"
                   "new, changed, unchanged and missing in each table) and each published\n"
                   "report (when, template, period, and each output with its size and SHA-256).\n"
                   "The full SHA-256 values are in the database (tables import_log_files and\n"
                   "publication_outputs). Reads only; the database is not changed.\n",
    .footer = "Exit status: 0 listed, 1 bad command line, 2 not an actionplan database or\n"
              "one made before the log was kept (run 'actionplan migrate'), 3 cannot read it.\n",
};

/* The first 12 hex digits: enough to tell files apart by eye. */
static const char *short_sha(const char *s)
{
    static char out[13];
    snprintf(out, sizeof out, "%.12s", s ? s : "");
    return out;
}

static void print_imports(const struct ap_log_list *l, FILE *out)
{
    char n[32];
    fputs("Imports, newest first\n", out);
    if (!l->nimports)
        fputs("  none recorded\n", out);
    for (size_t i = 0; i < l->nimports; i++) {
        const struct ap_log_import *imp = &l->imports[i];
        fprintf(out, "%s  import %lld  actionplan %s%s", imp->at, imp->id, imp->version,
                imp->replace ? "  --replace" : "");
        if (imp->profile_sha256)
            fprintf(out, "  profile %s", short_sha(imp->profile_sha256));
        fputc('\n', out);
        for (size_t k = 0; k < imp->nfiles; k++) {
            const struct ap_log_file *f = &imp->files[k];
            ap_format_count(f->size, n);
            fprintf(out, "  file %s  %s byte%s  sha256 %s\n", f->name, n, f->size == 1 ? "" : "s",
                    short_sha(f->sha256));
        }
        for (size_t k = 0; k < imp->ntables; k++) {
            const struct ap_log_table_counts *t = &imp->tables[k];
            const long long v[4] = {t->new_rows, t->changed_rows, t->unchanged_rows,
                                    t->missing_rows};
            const char *const word[4] = {"new", "changed", "unchanged", "missing"};
            fprintf(out, "  table %s:", t->table);
            for (int j = 0; j < 4; j++) {
                ap_format_count(v[j], n);
                fprintf(out, "%s %s %s", j ? "," : "", n, word[j]);
            }
            fputc('\n', out);
        }
    }
}

static void print_publications(const struct ap_log_list *l, FILE *out)
{
    char n[32];
    fputs("Published reports, newest first\n", out);
    if (!l->npublications)
        fputs("  none recorded\n", out);
    for (size_t i = 0; i < l->npublications; i++) {
        const struct ap_log_publication *p = &l->publications[i];
        ap_format_count((long long)p->nfigures, n);
        fprintf(out,
                "%s  report %lld  template %s  period %s (%s to %s)  actionplan %s  %s figure%s\n",
                p->at, p->id, p->template_name, p->period_code, p->period_start, p->period_end,
                p->version, n, p->nfigures == 1 ? "" : "s");
        for (size_t k = 0; k < p->noutputs; k++) {
            const struct ap_log_output *o = &p->outputs[k];
            ap_format_count(o->size, n);
            fprintf(out, "  %s %s  %s byte%s  sha256 %s\n", o->kind, o->file_name, n,
                    o->size == 1 ? "" : "s", short_sha(o->sha256));
        }
    }
}

int cmd_log(int argc, char **argv)
{
    struct ap_cli_common o = {.cmd = "log"};
    const struct ap_option options[] = {
        AP_OPT_COMMON(&o),
        AP_OPT_END,
    };
    struct ap_config cfg = {0};
    struct ap_log_list l = {0};
    struct ap_diag d;
    sqlite3 *db = NULL;
    int nargs, rc;

    if (!ap_cli_parse(&log_cmd, options, argc, argv, &nargs, &rc))
        return rc;
    ap_diag_init(&d);
    enum ap_status st = ap_cli_config(&o, &cfg, &d);
    if (st == AP_OK)
        st = ap_db_open(cfg.db_path, true, &db, &d);
    if (st == AP_OK && ap_db_schema_version(db) < 2) {
        ap_diag_report(&d, AP_ERROR, AP_ERR_INPUT, cfg.db_path, 0, 0,
                       "the database has schema version %d, which keeps no record of imports or "
                       "reports; run 'actionplan migrate --db %s' to upgrade it",
                       ap_db_schema_version(db), cfg.db_path);
        st = AP_ERR_INPUT;
    }
    if (st == AP_OK)
        st = ap_log_list(db, &l, &d);
    if (st == AP_OK) {
        print_imports(&l, stdout);
        fputc('\n', stdout);
        print_publications(&l, stdout);
    }
    ap_log_list_free(&l);
    ap_db_close(db);
    ap_config_free(&cfg);
    return st;
}
