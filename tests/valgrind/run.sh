#!/usr/bin/env bash
# Memory check: every command of the sample run (init, import, check, metrics,
# report), failing imports and reports, and the import and hostile command-line
# cases (through vg-wrap.sh), each under
#   valgrind --leak-check=full (any error or leak: exit status 99)
# run.sh BINARY SOURCE_DIR WORK_DIR. Exits 77 (skipped) when valgrind is missing
# or the binary is built with AddressSanitizer (the two cannot run together).
set -u
ap=$1 src=$2 work=$3
command -v valgrind > /dev/null || { echo "skip: valgrind is not installed"; exit 77; }
if grep -q __asan_init "$ap" 2> /dev/null; then
  echo "skip: $ap is built with AddressSanitizer"; exit 77
fi
rm -rf "$work"
mkdir -p "$work/out"
cd "$work" || exit 1
cfg=$src/sample-data/actionplan.ini
passes=0 fails=0

# vg NAME WANT_STATUS ARGS...: run under valgrind; memory errors or leaks give 99.
vg() {
  local name=$1 want=$2 rc
  shift 2
  valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
    --log-file="vg-$name.log" "$ap" "$@" > "$name.out" 2> "$name.err"
  rc=$?
  if [ "$rc" = "$want" ] && [ ! -s "vg-$name.log" ]; then
    echo "ok: $name"
    passes=$((passes + 1))
  else
    echo "FAIL: $name: exit status $rc (expected $want)"
    cat "vg-$name.log" "$name.err" | head -60
    fails=$((fails + 1))
  fi
}

vg init 0 init --config "$cfg" --db sample.db
vg import 0 import --config "$cfg" --db sample.db "$src/sample-data"
vg import-again 0 import --config "$cfg" --db sample.db "$src/sample-data"
vg check 0 check --config "$cfg" --db sample.db
vg metrics-text 0 metrics --config "$cfg" --db sample.db --quarter 2016/17-Q4
vg metrics-json 0 metrics --config "$cfg" --db sample.db --quarter 2016/17-Q4 --format json
vg metrics-csv 0 metrics --config "$cfg" --db sample.db --quarter 2016/17-Q4 --format csv
vg report-cabinet 0 report --config "$cfg" --db sample.db --quarter 2016/17-Q4 --template cabinet \
  --pdf out/cabinet.pdf --xlsx out/cabinet.xlsx
vg report-board 0 report --config "$cfg" --db sample.db --quarter 2016/17-Q4 --template board \
  --pdf out/board.pdf --xlsx out/board.xlsx

# Error paths leak most easily: failing imports and reports.
cp -r "$src/tests/cli/hostile/invalid-utf8-every-column/data" bad-utf8
vg import-bad-utf8 2 import --config "$cfg" --db sample.db bad-utf8
{ echo child_id,birth_date,gender; for i in $(seq 1 200); do echo "X$i,2005-01-01,martian"; done; } \
  > children.csv
vg import-many-errors 2 import --config "$cfg" --db sample.db children.csv
mkdir -p bad
printf 'child_id,area\nCH001,"North Ward\n' > bad/children.csv
vg import-unterminated 2 import --config "$cfg" --db sample.db bad/children.csv
vg report-bad-period 2 report --config "$cfg" --db sample.db --quarter 2016/17-Q5 --template cabinet \
  --pdf out/x.pdf --xlsx out/x.xlsx
vg report-missing-folder 3 report --config "$cfg" --db sample.db --quarter 2016/17-Q4 \
  --template cabinet --pdf nodir/x.pdf --xlsx nodir/x.xlsx
: > notadb.db
vg metrics-not-ours 2 metrics --db notadb.db --quarter 2016/17-Q4

# The importer's own command-line cases, every run under valgrind. The hostile
# files (64 MiB lines, 10,000 columns) take minutes under valgrind, so they run
# only with AP_VALGRIND_FULL=1; the sanitizer build runs them on every test run.
# By default a subset of the import cases that covers every code path of the
# importer (bulk load and upsert, replace, per-field errors, cross-row errors,
# ids out of order (the id set's hash table), the overlap check child by child,
# structural errors, the error cap) keeps this test to about a minute.
groups="import"
export AP_CLI_CASES="bom_crlf_quoted_newline upsert_closed_case replace replace_dangling folder
extra_columns_not_stored enum_unknown date_impossible duplicate_id reference_unknown_child
overlap_with_database unterminated_quote stray_quote many_errors invalid_utf8
duplicate_id_upsert unsorted_same_rows overlap_few_rows_large_table bulk_failure_keeps_indexes"
if [ "${AP_VALGRIND_FULL:-0}" = 1 ]; then groups="import hostile"; unset AP_CLI_CASES; fi
for group in $groups; do
  AP_VG_BIN=$ap bash "$src/tests/cli/run.sh" "$src/tests/valgrind/vg-wrap.sh" "$src" "$group" \
    > "cli-$group.log" 2>&1 &
  eval "pid_$group=\$!"
done
for group in $groups; do
  eval "pid=\$pid_$group"
  wait "$pid"
  # Only memory errors and leaks count here (exit status 99, valgrind's ==PID==
  # lines); a case failing for another reason already fails its own cli_ test.
  if ! grep -qE 'exit status 99|^==[0-9]+==' "cli-$group.log" && grep -q passed "cli-$group.log"; then
    echo "ok: cli group $group: $(tail -1 "cli-$group.log")"
    passes=$((passes + 1))
  else
    echo "FAIL: cli group $group under valgrind:"
    grep -A12 '^FAIL' "cli-$group.log" | head -80
    fails=$((fails + 1))
  fi
done

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
