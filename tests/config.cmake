# Tests for the config area: INI reading, the config file, `actionplan check`,
# and the synthetic sample data.
ap_unit_test(test_config unit/test_config.c)
ap_cli_group(config)
ap_cli_group(check)
ap_cli_group(sample)
add_test(NAME sample_data_generator
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/config/regenerate-sample.sh ${CMAKE_SOURCE_DIR})
