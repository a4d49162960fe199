# Tests for the report area: suppression, templates, the report model and `actionplan report`.
ap_unit_test(test_suppress unit/test_suppress.c)
ap_unit_test(test_audit unit/test_audit.c)
ap_unit_test(test_template unit/test_template.c)
ap_cli_group(report)
ap_script_test(report_golden ${CMAKE_CURRENT_SOURCE_DIR}/golden/run.sh)
ap_script_test(report_model ${CMAKE_CURRENT_SOURCE_DIR}/report/check_model.py)
# Same figures everywhere: the sample reports' HTML (html.parser), workbook
# (openpyxl) and PDF (pdftotext) read back and compared cell by cell.
ap_script_test(report_same_figures ${CMAKE_CURRENT_SOURCE_DIR}/report/same_figures.py)
set_tests_properties(report_same_figures PROPERTIES LABELS readback)
# An independent intruder (scipy) reads public workbooks back and must pin no hidden cell.
ap_script_test(report_intruder ${CMAKE_CURRENT_SOURCE_DIR}/report/intruder_test.py)
set_tests_properties(report_intruder PROPERTIES LABELS readback)
