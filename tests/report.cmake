# Tests for the report area: suppression, templates, the report model and `actionplan report`.
ap_unit_test(test_suppress unit/test_suppress.c)
ap_unit_test(test_template unit/test_template.c)
