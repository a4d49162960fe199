#!/usr/bin/env bash
# Builds bench/profile_metrics.c against the project's build (build/libap_core.a)
# and runs it: per-statement CPU and wall time and query plans of the metrics
# engine for the N quarters (default 8, the report's trend) ending at QUARTER.
#   bench/profile.sh DB QUARTER [N]     (env AP_BUILD: build folder, default build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AP_BUILD:-$root/build}
out=$build/profile_metrics
[ -f "$build/libap_core.a" ] || { echo "bench/profile.sh: no $build/libap_core.a; build first" >&2; exit 3; }
cc -std=c11 -O2 -g -D_POSIX_C_SOURCE=200809L -Wall -Wextra -I"$root/src" \
  "$root/bench/profile_metrics.c" "$build/libap_core.a" -o "$out" \
  $(pkg-config --libs sqlite3 xlsxwriter inih libcjson) -lhpdf -lm
exec "$out" "$@"
