/* The subcommands; main.c dispatches from a table of these. Each parses its own
 * options with ap_cli_parse() and returns an exit status. */
#ifndef AP_COMMANDS_H
#define AP_COMMANDS_H

int cmd_init(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_map(int argc, char **argv);
int cmd_workbook(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_backup(int argc, char **argv);

#endif
