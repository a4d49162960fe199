#!/usr/bin/env bash
# Builds bench/profile.c against the project's build (build/libap_core.a) and
# runs it: per-statement CPU and wall time and query plans.
#   bench/profile.sh metrics DB QUARTER [N]   metrics for N quarters (default 8)
#   bench/profile.sh import DB PATH...        import into DB (created if missing)
#   bench/profile.sh check DB DAY             `actionplan check` as at DAY
#   bench/profile.sh report DB QUARTER        the report's one pass per table, by phase
# Environment: AP_BUILD, the build folder (default build).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AP_BUILD:-$root/build}
out=$build/bench-profile
[ -f "$build/libap_core.a" ] || { echo "bench/profile.sh: no $build/libap_core.a; build first" >&2; exit 3; }
cc -std=c11 -O2 -g -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -I"$root/src" \
  "$root/bench/profile.c" "$build/libap_core.a" -o "$out" \
  $(pkg-config --libs sqlite3 xlsxwriter inih libcjson) -lhpdf -lm
exec "$out" "$@"
