# Tests for `actionplan workbook` (src/cmd_workbook.c): the command-line cases,
# and the round trip: the blank workbook read back with openpyxl, filled in with
# openpyxl, imported with no profile, and its figures checked against values
# worked out by hand and against the same rows imported as CSV.
ap_cli_group(workbook)
ap_script_test(workbook_roundtrip ${CMAKE_CURRENT_SOURCE_DIR}/workbook/roundtrip.py)
