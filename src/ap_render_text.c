/*
 * ap_render_text: a stable plain-text dump of the whole report model, every
 * field and every cell with its kind, text and tone. Golden tests diff it, so
 * the format changes only when the model does. One item per line; strings are
 * printed in double quotes with \ " and control characters escaped.
 */
#include <stdio.h>

#include "ap_report.h"

static void str(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\x%02x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static void field(FILE *out, const char *indent, const char *name, const char *s)
{
    fprintf(out, "%s%s: ", indent, name);
    str(out, s);
    fputc('\n', out);
}

static const char *tone_name(enum ap_tone t)
{
    static const char *const names[] = {"none", "good", "bad", "neutral", "red", "amber", "green"};
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

static void cell(FILE *out, const struct ap_cell *c)
{
    static const char *const fmts[] = {"count", "change", "percent", "rate"};
    switch (c->kind) {
    case AP_CELL_EMPTY:
        fputs("empty ", out);
        break;
    case AP_CELL_TEXT:
        fputs("text ", out);
        break;
    case AP_CELL_NUMBER:
        fprintf(out, "number/%s %.10g ", (unsigned)c->fmt < 4 ? fmts[c->fmt] : "?", c->value);
        break;
    case AP_CELL_MARKER:
        fputs("marker ", out);
        break;
    case AP_CELL_DATE:
        fprintf(out, "date %.0f ", c->value);
        break;
    }
    str(out, c->text);
    if (c->tone != AP_TONE_NONE)
        fprintf(out, " tone=%s", tone_name(c->tone));
    if (c->key)
        fprintf(out, " key=%s", c->key);
}

static void named_cell(FILE *out, const char *indent, const char *name, const struct ap_cell *c)
{
    fprintf(out, "%s%s: ", indent, name);
    cell(out, c);
    fputc('\n', out);
}

enum ap_status ap_render_text(const struct ap_report *r, FILE *out)
{
    fputs("report\n", out);
    field(out, "  ", "title", r->title);
    field(out, "  ", "subtitle", r->subtitle);
    field(out, "  ", "organisation", r->organisation);
    field(out, "  ", "team", r->team);
    field(out, "  ", "period_label", r->period_label);
    field(out, "  ", "period_code", r->period_code);
    field(out, "  ", "period_kind", r->period_kind);
    field(out, "  ", "change_prev_label", r->change_prev_label);
    field(out, "  ", "change_year_label", r->change_year_label);
    field(out, "  ", "data_as_at", r->data_as_at);
    field(out, "  ", "marking", r->marking);
    field(out, "  ", "audience", r->audience);
    field(out, "  ", "template", r->template_name);
    field(out, "  ", "author", r->author);
    field(out, "  ", "subject", r->subject);
    field(out, "  ", "keywords", r->keywords);
    field(out, "  ", "contact", r->contact);
    field(out, "  ", "logo", r->logo ? r->logo : "(none)");
    field(out, "  ", "font", r->font ? r->font : "(none)");
    field(out, "  ", "font_bold", r->font_bold ? r->font_bold : "(none)");
    fprintf(out, "  sample: %s\n", r->sample ? "true" : "false");
    fprintf(out, "  suppressed: %s\n", r->suppressed ? "true" : "false");
    fprintf(out, "  suppress_max: %d\n", r->suppress_max);
    fprintf(out, "  created: %lld\n", (long long)r->created);
    if (r->disclosure.line)
        field(out, "  ", "disclosure", r->disclosure.line);

    for (size_t i = 0; i < r->nheadlines; i++) {
        const struct ap_headline *h = &r->headlines[i];
        fprintf(out, "headline %zu %s\n", i + 1, h->metric);
        field(out, "  ", "label", h->label);
        named_cell(out, "  ", "value", &h->value);
        named_cell(out, "  ", "change_prev", &h->change_prev);
        named_cell(out, "  ", "change_year", &h->change_year);
        fprintf(out, "  direction: ");
        str(out, h->direction);
        fprintf(out, " tone=%s\n", tone_name(h->tone));
        named_cell(out, "  ", "rate", &h->rate);
    }

    for (size_t s = 0; s < r->nsections; s++) {
        const struct ap_section *sec = &r->sections[s];
        fprintf(out, "section %zu %s\n", s + 1, sec->id);
        field(out, "  ", "title", sec->title);
        for (size_t b = 0; b < sec->nblocks; b++) {
            const struct ap_block *bl = &sec->blocks[b];
            switch (bl->kind) {
            case AP_BLOCK_PARAGRAPH:
                field(out, "  ", "paragraph", bl->text);
                break;
            case AP_BLOCK_HEADLINES:
                fputs("  headlines\n", out);
                break;
            case AP_BLOCK_TABLE:
                fprintf(out, "  table %zu %s\n", bl->index + 1,
                        bl->index < r->ntables ? r->tables[bl->index].id : "?");
                break;
            case AP_BLOCK_CHART:
                fprintf(out, "  chart %zu\n", bl->index + 1);
                break;
            }
        }
    }

    for (size_t i = 0; i < r->ntables; i++) {
        const struct ap_table *t = &r->tables[i];
        fprintf(out, "table %zu %s\n", i + 1, t->id);
        field(out, "  ", "title", t->title);
        field(out, "  ", "description", t->description);
        for (size_t c = 0; c < t->ncols; c++) {
            fprintf(out, "  column %zu: ", c + 1);
            str(out, t->cols[c].heading);
            fprintf(out, " %s width=%g\n", t->cols[c].numeric ? "numeric" : "text",
                    t->cols[c].width);
        }
        for (size_t row = 0; row < t->nrows; row++) {
            fprintf(out, "  row %zu\n", row + 1);
            for (size_t c = 0; c < t->ncols; c++) {
                fprintf(out, "    ");
                cell(out, ap_table_cell(t, row, c));
                fputc('\n', out);
            }
        }
    }

    for (size_t i = 0; i < r->ncharts; i++) {
        const struct ap_chart *c = &r->charts[i];
        fprintf(out, "chart %zu\n", i + 1);
        field(out, "  ", "title", c->title);
        field(out, "  ", "y_title", c->y_title);
        fprintf(out, "  table: %zu first_col: %zu\n", c->table + 1, c->first_col + 1);
        for (size_t k = 0; k < c->ncats; k++)
            field(out, "  ", "category", c->categories[k]);
        for (size_t s = 0; s < c->nseries; s++) {
            fprintf(out, "  series ");
            str(out, c->series[s].name);
            for (size_t k = 0; k < c->ncats; k++) {
                if (c->series[s].missing[k])
                    fputs(" -", out);
                else
                    fprintf(out, " %.10g", c->series[s].values[k]);
            }
            fputc('\n', out);
        }
    }

    for (size_t i = 0; i < r->nnotes; i++) {
        fprintf(out, "note %zu ", i + 1);
        str(out, r->notes[i].marker);
        fputc(' ', out);
        str(out, r->notes[i].text);
        fputc('\n', out);
    }
    fputs("end\n", out);
    return ferror(out) ? AP_ERR_IO : AP_OK;
}
