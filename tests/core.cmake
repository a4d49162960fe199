# Core: utilities, dates, periods, database creation.
ap_unit_test(test_util unit/test_util.c)
ap_unit_test(test_date unit/test_date.c)
ap_cli_group(init)
# The one command-line grammar: help, usage errors, paths of the wrong kind, a full stdout.
ap_cli_group(grammar)
