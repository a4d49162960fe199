#!/usr/bin/env bash
# Peak memory of the workbook reader on sheets of 20k and 200k rows (and more if given):
# memory must not grow with the sheet, only with its shared strings.
#   bench/xlsx_rss.sh BUILD_DIR [ROWS...]      (default rows: 20000 200000)
set -euo pipefail
build=$1; shift
[ $# -gt 0 ] || set -- 20000 200000
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for n in "$@"; do
  /usr/bin/python3 "$(dirname "$0")/gen_xlsx.py" "$n" "$tmp/$n.xlsx"
  /usr/bin/time -v "$build/tests/xlsx_read" "$tmp/$n.xlsx" 2> "$tmp/time" > "$tmp/out"
  printf '%8s rows: %s; %s bytes on disk; peak RSS %s KiB; %s s\n' "$n" "$(cat "$tmp/out")" \
    "$(stat -c %s "$tmp/$n.xlsx")" "$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")" \
    "$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time")"
done
