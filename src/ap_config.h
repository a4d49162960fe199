/*
 * ap_config: the INI config (--config FILE) that supplies defaults; the
 * command line overrides it. Keys are one table (ap_config.c) read by the loader
 * and by --help.
 *
 *   [database]      path, busy_timeout (seconds)
 *   [organisation]  name, team, team_start (date), fy_start_month (1..12),
 *                   child_population (0-17 ONS mid-year estimate), contact
 *   [report]        output_dir, font, font_bold, logo, sample (true/false)
 *   [import]        profile (the export's mapping profile)
 */
#ifndef AP_CONFIG_H
#define AP_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "ap_date.h"
#include "ap_diag.h"

struct ap_config {
    char *path;            /* the file it was read from, or NULL for defaults */
    char *db_path;         /* default "actionplan.db" */
    long busy_timeout;     /* seconds to wait for a lock; default 10 */
    char *organisation;    /* e.g. "Sampleshire Council"; default "" */
    char *team;            /* e.g. "CSE Team"; default "" */
    ap_day team_start;     /* AP_DAY_NONE: use the earliest opened_on */
    int fy_start_month;    /* default 4 (April) */
    long child_population; /* 0: not given (no rates per 10,000) */
    char *contact;         /* contact line for reports; default "" */
    char *output_dir;      /* default "." */
    char *font;            /* TrueType path; default DejaVu Sans */
    char *font_bold;       /* default DejaVu Sans Bold */
    char *logo;            /* PNG or JPEG path, or NULL */
    bool sample;           /* the data is synthetic: reports say so on every page */
    char *import_profile;  /* mapping profile for import, or NULL */
};

void ap_config_defaults(struct ap_config *c);

/* Read path over the current values. Unknown sections or keys and bad values
 * are errors at file:line, as is a key given twice. Sections and keys match
 * case-insensitively; one pair of double quotes around a whole value is removed.
 * Relative paths inside the file (database, output, fonts, logo) are taken
 * relative to the config file's folder. Returns AP_ERR_IO if the file cannot be
 * read, AP_ERR_INPUT for bad content (every error reported). */
enum ap_status ap_config_load(struct ap_config *c, const char *path, struct ap_diag *d);

/* Replace a string field (frees the old one). */
void ap_config_set(char **field, const char *value);

void ap_config_free(struct ap_config *c);

/* Print the table of config keys with one line of help each (for --help). */
void ap_config_print_keys(FILE *out);

#endif
