# Tests for the scale area.
# The benchmark itself (bench/run.sh) is not part of the suite; its smoke run
# (10k children, one run, a few seconds) checks that the script still works.
# It needs the sqlite3 shell and /usr/bin/time (Debian packages sqlite3, time):
# without them it reports "skipped" (exit 77), not a failure.
ap_script_test(scale_smoke ${CMAKE_SOURCE_DIR}/bench/smoke.sh)
set_tests_properties(scale_smoke PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)
# The import's paths for exports larger than its memory budgets (rows sorted
# in runs on disk, id sets in temporary tables), forced on 3,000 children.
ap_script_test(import_budgets ${CMAKE_CURRENT_SOURCE_DIR}/scale/check_budgets.sh)
