# Tests for the pdf area: the fake report model rendered by render_fixture and
# read back with poppler-utils (pdftotext, pdfinfo, pdffonts).

add_executable(render_fixture unit/render_fixture.c support/fake_report.c)
target_include_directories(render_fixture PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/support
  ${CMAKE_CURRENT_SOURCE_DIR}/unit ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(render_fixture PRIVATE ap_core)

# The fixture rendered and read back: metadata, fonts, furniture on every page,
# figures, UTF-8, repeated headers, chart labels, margins, reproducibility, errors.
add_test(NAME pdf_render
  COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/report/pdf_check.py $<TARGET_FILE:render_fixture>
          ${CMAKE_CURRENT_BINARY_DIR}/pdf_render.work)

# The tagged PDF (PDF/UA-1) read back with pikepdf and poppler: the sample and
# fixture reports and the fake model's, then a self-test that damaged copies
# fail. Debian's python3-pikepdf, hence /usr/bin/python3.
add_test(NAME pdf_tags
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/report/pdf_tags.py --suite
          $<TARGET_FILE:actionplan> $<TARGET_FILE:render_fixture> ${CMAKE_SOURCE_DIR}
          ${CMAKE_CURRENT_BINARY_DIR}/pdf_tags.work)
set_tests_properties(pdf_tags PROPERTIES LABELS readback)
