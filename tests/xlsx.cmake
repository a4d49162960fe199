# Tests for the xlsx area: the fake report model (tests/support/fake_report.c)
# rendered by xlsx_fixture and read back with Python's zipfile and xml.etree
# (tests/report/xlsx_check.py), never with our own code.

add_executable(xlsx_fixture unit/xlsx_fixture.c support/fake_report.c)
target_include_directories(xlsx_fixture PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/support
  ${CMAKE_CURRENT_SOURCE_DIR}/unit ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(xlsx_fixture PRIVATE ap_core)

add_test(NAME xlsx_workbook
  COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/report/xlsx_check.py
    $<TARGET_FILE:xlsx_fixture> ${CMAKE_CURRENT_BINARY_DIR}/xlsx_workbook.work)
