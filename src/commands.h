/* The subcommands; main.c dispatches from a table of these. Each returns an exit status. */
#ifndef AP_COMMANDS_H
#define AP_COMMANDS_H

int cmd_init(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_map(int argc, char **argv);

/* Usage text for `actionplan CMD --help`. */
extern const char cmd_init_usage[], cmd_import_usage[], cmd_check_usage[], cmd_metrics_usage[],
    cmd_report_usage[], cmd_map_usage[];

#endif
