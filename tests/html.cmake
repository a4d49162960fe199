# Tests for the html area: the HTML report read back in Debian's Chromium with
# axe-core (WCAG 2.0/2.1/2.2 A and AA) at 1280 and 320 px, validated by the Nu
# checker, and printed to A4 with the marking on every page (tests/browser).
# Only reads outputs back through other programs: label readback.
ap_script_test(html_browser ${CMAKE_CURRENT_SOURCE_DIR}/browser/run.sh)
set_tests_properties(html_browser PROPERTIES LABELS readback TIMEOUT 900)
