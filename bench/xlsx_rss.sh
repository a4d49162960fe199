#!/usr/bin/env bash
# Peak memory of the workbook reader on sheets of 20k and 200k rows (and more if given),
# with ids as shared strings (the table grows with the sheet) and as numbers (nothing
# grows): memory must not grow with the sheet, only with its shared strings.
#   bench/xlsx_rss.sh BUILD_DIR [ROWS...]      (default rows: 20000 200000)
set -euo pipefail
build=$1; shift
[ $# -gt 0 ] || set -- 20000 200000
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for kind in shared-ids --numeric-ids; do
  for n in "$@"; do
    f=$tmp/$n.xlsx
    if [ "$kind" = --numeric-ids ]; then
      /usr/bin/python3 "$(dirname "$0")/gen_xlsx.py" --numeric-ids "$n" "$f"
    else
      /usr/bin/python3 "$(dirname "$0")/gen_xlsx.py" "$n" "$f"
    fi
    /usr/bin/time -v "$build/tests/xlsx_read" "$f" 2> "$tmp/time" > "$tmp/out"
    printf '%-13s %8s rows: %s; %s bytes; peak RSS %s KiB; %s s of CPU\n' "${kind#--}" "$n" \
      "$(cat "$tmp/out")" "$(stat -c %s "$f")" \
      "$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")" \
      "$(sed -n 's/.*User time (seconds): //p' "$tmp/time")"
  done
done
