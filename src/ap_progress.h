/*
 * ap_progress: a one-line progress display on a terminal for long commands
 * (the import: file, which table of how many, rows, rows per second). Nothing is shown before the
 * command has run for AP_PROGRESS_AFTER_MS (2 s; the environment variable
 * AP_PROGRESS_AFTER_MS overrides it, for tests), the line is redrawn with \r
 * at most 4 times a second, and cleared at the end. The caller decides
 * whether its stream is a terminal (ap_progress_tty).
 */
#ifndef AP_PROGRESS_H
#define AP_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define AP_PROGRESS_AFTER_MS 2000
#define AP_PROGRESS_EVERY_MS 250

struct ap_progress {
    FILE *out;          /* NULL: show nothing */
    int64_t start_ms;   /* when the command started */
    int64_t after_ms;   /* no line before start + after */
    int64_t last_ms;    /* when the line was last drawn, or 0 */
    int64_t file_ms;    /* when the current file started */
    long file_rows0;    /* rows when the current file started */
    unsigned countdown; /* rows until the clock is read again */
    size_t width;       /* length of the line drawn, to blank it */
    int table, tables;  /* the table being read (1-based) and how many there are */
    bool shown;
};

/* out if it is a terminal, else NULL. */
FILE *ap_progress_tty(FILE *out);

/* Start timing; out NULL shows nothing (every call is then a no-op). */
void ap_progress_start(struct ap_progress *p, FILE *out);

/* rows rows of file done so far (cheap: reads the clock every few thousand
 * calls). */
void ap_progress_rows(struct ap_progress *p, const char *file, long rows);

/* How many tables the command reads (shown as "table 2 of 7" when more than one). */
void ap_progress_tables(struct ap_progress *p, int tables);

/* A new file (the next table) begins (its rate is counted from here). */
void ap_progress_file(struct ap_progress *p);

/* Blank the line, if one was drawn. */
void ap_progress_end(struct ap_progress *p);

#endif
