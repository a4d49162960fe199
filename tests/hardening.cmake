# Tests for the hardening area: hostile input files, read-only reporting,
# output failures, formula injection, valgrind, and the fuzz targets' seeds and
# regressions replayed without libFuzzer (fuzz/README.md).
ap_cli_group(hostile)
ap_cli_group(readonly)
ap_cli_group(outputs)
ap_cli_group(injection)
# The locked-database cases wait for a lock on purpose; none may hang.
set_tests_properties(cli_readonly cli_outputs PROPERTIES TIMEOUT 300)

ap_script_test(full_disk ${CMAKE_CURRENT_SOURCE_DIR}/cli/outputs/full-disk.sh)
ap_script_test(write_failure_messages ${CMAKE_CURRENT_SOURCE_DIR}/cli/outputs/write-failure-messages.sh)
ap_script_test(valgrind ${CMAKE_CURRENT_SOURCE_DIR}/valgrind/run.sh)
set_tests_properties(valgrind PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 2400)

# ap_fuzz_replay(TARGET MODULE_SOURCE FUNCTION): fuzz/TARGET.c run over its seeds
# and regressions. A FUNCTION missing from MODULE fails the configure step.
function(ap_fuzz_replay name module function)
  set(src ${CMAKE_SOURCE_DIR}/src/${module})
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${src})
  file(READ ${src} text)
  string(FIND "${text}" "${function}(" at)
  if(at EQUAL -1)
    # A renamed function must fail the build, never make the test vanish.
    message(FATAL_ERROR "replay_${name}: src/${module} has no ${function}(); "
      "fuzz/${name}.c and this line must follow the rename")
  endif()
  set(fz ${CMAKE_SOURCE_DIR}/fuzz)
  add_executable(replay_${name} ${fz}/${name}.c ${fz}/replay_main.c)
  target_include_directories(replay_${name} PRIVATE ${fz})
  target_link_libraries(replay_${name} PRIVATE ap_core)
  add_test(NAME replay_${name}
    COMMAND replay_${name} ${fz}/seeds/${name} ${fz}/regressions/${name})
endfunction()

ap_fuzz_replay(fuzz_csv ap_csv.c ap_csv_next)
ap_fuzz_replay(fuzz_date ap_period.c ap_period_parse_quarter)
ap_fuzz_replay(fuzz_config ap_config.c ap_config_load)
ap_fuzz_replay(fuzz_template ap_template.c ap_template_load)
ap_fuzz_replay(fuzz_import ap_import.c ap_import_run)
ap_fuzz_replay(fuzz_xlsx ap_xlsx.c ap_xlsx_next)

# All outputs or none: a rename that fails after others puts the earlier files back.
ap_script_test(all_or_none ${CMAKE_CURRENT_SOURCE_DIR}/cli/outputs/all-or-none.sh)
set_tests_properties(all_or_none PROPERTIES SKIP_RETURN_CODE 77)
