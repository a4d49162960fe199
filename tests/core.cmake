# Core: utilities, dates, periods, database creation.
ap_unit_test(test_util unit/test_util.c)
ap_unit_test(test_date unit/test_date.c)
ap_cli_group(init)
# The one command-line grammar: help, usage errors, paths of the wrong kind, a full stdout.
ap_cli_group(grammar)
# CI installs through scripts/deps.sh, the one package list.
ap_script_test(ci_deps_one_list ${CMAKE_CURRENT_SOURCE_DIR}/ci/deps-one-list.sh)
