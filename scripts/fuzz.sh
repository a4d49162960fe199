#!/usr/bin/env bash
# Runs every libFuzzer target for N seconds each (default 20), as CI does:
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# Builds build-fuzz/ with clang (-DAP_FUZZ=ON) if needed. Each target keeps a
# working corpus in build-fuzz/corpus/TARGET, seeded from fuzz/seeds/TARGET, the
# sample data, the templates and the tests' CSV and INI files. A crash, leak,
# timeout or broken invariant fails the run; the input is left in
# build-fuzz/artifacts/ (turn it into a test case: see fuzz/README.md).
# FUZZ_JOBS=2 runs two targets at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
shift || true
jobs=${FUZZ_JOBS:-1}
build=build-fuzz

if ! command -v clang > /dev/null; then
  echo "fuzz.sh: clang is not installed (Debian: clang libclang-rt-14-dev)" >&2
  exit 3
fi
mkdir -p "$build"
CC=clang cmake -S . -B "$build" -DAP_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$build/fuzz-build.log" 2>&1 ||
  { cat "$build/fuzz-build.log" >&2; exit 3; }
if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(grep -v '^$' "$build/fuzz/targets.txt")
fi
[ ${#targets[@]} -gt 0 ] || { echo "fuzz.sh: no fuzz targets are built yet" >&2; exit 3; }
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}" > "$build/fuzz-build.log" 2>&1 ||
  { tail -40 "$build/fuzz-build.log" >&2; exit 3; }

# seed TARGET: fill $build/seeds/TARGET from the repository's inputs.
seed() {
  local t=$1 dir=$build/seeds/$1 f i
  rm -rf "$dir"
  mkdir -p "$dir"
  [ -d "fuzz/seeds/$t" ] && cp fuzz/seeds/"$t"/* "$dir"/ 2>/dev/null || true
  case $t in
    fuzz_csv)
      find sample-data tests -type f -name '*.csv' -size -256k 2>/dev/null | while read -r f; do
        cp "$f" "$dir/$(echo "$f" | tr / _)"; done ;;
    fuzz_config | fuzz_template)
      find sample-data templates tests -type f -name '*.ini' -size -64k 2>/dev/null | while read -r f; do
        cp "$f" "$dir/$(echo "$f" | tr / _)"; done ;;
    fuzz_import)
      # One file per seed: a byte naming its table (ap_table_names order), then the CSV.
      local tables=(children cases missing_episodes perpetrators perpetrator_actions action_plan
                    action_updates)
      find sample-data tests -type f -name '*.csv' -size -256k 2>/dev/null | while read -r f; do
        for i in "${!tables[@]}"; do
          if [ "$(basename "$f" .csv)" = "${tables[$i]}" ]; then
            { printf "\\x0$i"; cat "$f"; } > "$dir/$(echo "$f" | tr / _)"
          fi
        done
      done ;;
    fuzz_xlsx)
      # Mode byte 0: the rest is a whole .xlsx file (see fuzz/fuzz_xlsx.c).
      find tests -type f -name '*.xlsx' -size -32k 2>/dev/null | while read -r f; do
        { printf '\x00'; cat "$f"; } > "$dir/$(echo "$f" | tr / _)"; done ;;
  esac
}

mkdir -p "$build/artifacts" "$build/logs"
status=0
run() {
  local t=$1 dict=() log=$build/logs/$1.log
  seed "$t"
  mkdir -p "$build/corpus/$t"
  local dictfile=fuzz/$t.dict
  [ "$t" = fuzz_import ] && dictfile=fuzz/fuzz_csv.dict
  [ -f "$dictfile" ] && dict=(-dict="$dictfile")
  if "$build/fuzz/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$build/artifacts/$t-" "${dict[@]}" \
      "$build/corpus/$t" "$build/seeds/$t" > "$log" 2>&1; then
    printf '%-14s ok   %s runs, %s exec/s, corpus %s\n' "$t" \
      "$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")" \
      "$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")" \
      "$(ls "$build/corpus/$t" | wc -l)"
  else
    printf '%-14s FAIL (see %s)\n' "$t" "$log"
    grep -E 'ERROR|invariant failed|SUMMARY|Test unit written' "$log" | head -5
    return 1
  fi
}

if [ "$jobs" -gt 1 ]; then
  pids=()
  for t in "${targets[@]}"; do
    run "$t" & pids+=($!)
    if [ ${#pids[@]} -ge "$jobs" ]; then wait "${pids[0]}" || status=1; pids=("${pids[@]:1}"); fi
  done
  for p in "${pids[@]}"; do wait "$p" || status=1; done
else
  for t in "${targets[@]}"; do run "$t" || status=1; done
fi
exit $status
