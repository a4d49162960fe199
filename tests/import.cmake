# Tests for the import area: the CSV reader (table-driven, after SQLite's
# test/shell5.test), the importer, and one command-line case per import rule.
ap_unit_test(test_csv unit/test_csv.c)
ap_unit_test(test_import unit/test_import.c)
ap_unit_test(test_intake unit/test_intake.c)
ap_cli_group(import)
ap_unit_test(test_keyset unit/test_keyset.c)
ap_unit_test(test_rowsort unit/test_rowsort.c)
ap_script_test(import_progress ${CMAKE_CURRENT_SOURCE_DIR}/progress/check_progress.py)
ap_script_test(worked_example ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/worked-example/check.sh)
# The second new-user trial: a Liquidlogic-like export of Windows-1252 CSVs.
ap_script_test(liquidlogic_trial ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/liquidlogic-trial/check.sh)
ap_cli_group(intake)
