# Tests for the import area: the CSV reader (table-driven, after SQLite's
# test/shell5.test), the importer, and one command-line case per import rule.
ap_unit_test(test_csv unit/test_csv.c)
ap_unit_test(test_import unit/test_import.c)
ap_cli_group(import)
ap_unit_test(test_keyset unit/test_keyset.c)
ap_script_test(import_progress ${CMAKE_CURRENT_SOURCE_DIR}/progress/check_progress.py)
