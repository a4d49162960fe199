#!/usr/bin/env bash
# Stands in for the actionplan binary so tests/cli/run.sh runs a whole group of
# command-line cases under valgrind: a memory error or leak makes the exit
# status 99 (and valgrind's report lands in stderr), so the case fails.
exec valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
  --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 "${AP_VG_BIN:?}" "$@"
