# Metrics engine and `actionplan metrics`.
ap_unit_test(test_metrics unit/test_metrics.c)
ap_cli_group(metrics)
