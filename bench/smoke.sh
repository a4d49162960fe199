#!/usr/bin/env bash
# ctest entry for the benchmark's smoke run: 10k children, one run of each
# contender; passes when the script works and prints every figure (targets are
# not enforced here). Arguments as for ap_script_test: BINARY SOURCE_DIR WORK_DIR.
set -eu
exec bash "$2/bench/run.sh" --smoke --bin "$1" --data "$3"
