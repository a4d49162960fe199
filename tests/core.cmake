# Core: utilities, dates, periods, database creation.
ap_unit_test(test_util unit/test_util.c)
ap_unit_test(test_date unit/test_date.c)
ap_cli_group(init)
# The database over the years: SHA-256, the import and publication log,
# schema upgrades (tests/fixtures/db).
ap_unit_test(test_db unit/test_db.c)
target_compile_definitions(test_db PRIVATE AP_VERSION="${PROJECT_VERSION}")
ap_script_test(db_upgrade ${CMAKE_CURRENT_SOURCE_DIR}/db/upgrade.sh)
# The one command-line grammar: help, usage errors, paths of the wrong kind, a full stdout.
ap_cli_group(grammar)
