# The database over the years (SPEC Part 2): SHA-256, the import and
# publication log, schema upgrades from every earlier version
# (tests/fixtures/db), `log`, crash safety with real killed imports,
# concurrent writers and readers.
ap_unit_test(test_db unit/test_db.c)
target_compile_definitions(test_db PRIVATE AP_VERSION="${PROJECT_VERSION}")
ap_script_test(db_upgrade ${CMAKE_CURRENT_SOURCE_DIR}/db/upgrade.sh)
ap_cli_group(log)
ap_cli_group(publish)
ap_script_test(db_crash ${CMAKE_CURRENT_SOURCE_DIR}/db/crash.py)
ap_script_test(db_concurrent ${CMAKE_CURRENT_SOURCE_DIR}/db/concurrent.py)
# Real processes killed and racing: timing, not memory, is what they test, and
# under the sanitizers each import takes minutes; the ASan pass leaves them out
# (scripts/test.sh) and runs the cli_recovery case instead, which makes an
# interrupted write deterministically.
set_tests_properties(db_crash db_concurrent PROPERTIES TIMEOUT 300 LABELS timing)
ap_cli_group(recovery)
ap_cli_group(migrate)
ap_cli_group(backup)
# A damaged database on every command: a message naming the file, never a crash.
ap_script_test(db_damaged ${CMAKE_CURRENT_SOURCE_DIR}/db/damaged.sh)
