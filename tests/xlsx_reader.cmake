# Tests for the workbook reader (src/ap_xlsx.c): workbooks written by openpyxl
# and by Python's zipfile (tests/fixtures/xlsx/make_fixtures.py) and hostile ones
# (make_hostile.py), read back through ap_xlsx and checked against hand-worked dumps.
ap_unit_test(test_xlsx unit/test_xlsx.c)

# xlsx_read FILE [SHEET]: every row through the reader (bench/xlsx_rss.sh).
add_executable(xlsx_read unit/xlsx_read.c)
target_link_libraries(xlsx_read PRIVATE ap_core)
