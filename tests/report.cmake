# Tests for the report area: suppression, templates, the report model and `actionplan report`.
ap_unit_test(test_suppress unit/test_suppress.c)
ap_unit_test(test_audit unit/test_audit.c)
ap_unit_test(test_template unit/test_template.c)
ap_cli_group(report)
ap_script_test(report_golden ${CMAKE_CURRENT_SOURCE_DIR}/golden/run.sh)
ap_script_test(report_model ${CMAKE_CURRENT_SOURCE_DIR}/report/check_model.py)
ap_script_test(report_no_ids ${CMAKE_CURRENT_SOURCE_DIR}/report/no_ids.sh)
set_tests_properties(report_no_ids PROPERTIES LABELS readback)
# The installed binary, run from another folder (cmake --install into a scratch prefix).
ap_script_test(installed ${CMAKE_CURRENT_SOURCE_DIR}/report/installed.sh)
# The real PDF and workbook of the worked fixture, read back (pdftotext, openpyxl).
ap_script_test(report_real_readback ${CMAKE_CURRENT_SOURCE_DIR}/report/real_readback.py)
set_tests_properties(report_real_readback PROPERTIES LABELS readback)
# Same figures everywhere: the sample reports' HTML (html.parser), workbook
# (openpyxl) and PDF (pdftotext) read back and compared cell by cell.
ap_script_test(report_same_figures ${CMAKE_CURRENT_SOURCE_DIR}/report/same_figures.py)
set_tests_properties(report_same_figures PROPERTIES LABELS readback)
# An independent intruder (scipy) reads public workbooks back and must pin no hidden cell.
ap_script_test(report_intruder ${CMAKE_CURRENT_SOURCE_DIR}/report/intruder_test.py)
set_tests_properties(report_intruder PROPERTIES LABELS readback)
# The chart's text alternative, the model's: the PDF's /Alt and the HTML's text
# say the same, and every figure named is the table's.
add_test(NAME report_chart_text
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/report/chart_text.py
          $<TARGET_FILE:actionplan> ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/report_chart_text.work)
set_tests_properties(report_chart_text PROPERTIES LABELS readback)
# Periods that are not quarters: a year, a 9-month range and a month of the
# worked fixture, figures worked out by hand (EXPECTED.md), read back from the
# real PDF (pdftotext), workbook (openpyxl), HTML page, text model and metrics.
ap_script_test(report_periods ${CMAKE_CURRENT_SOURCE_DIR}/report/periods_readback.py)
set_tests_properties(report_periods PROPERTIES LABELS readback)
