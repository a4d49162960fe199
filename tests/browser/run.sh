#!/usr/bin/env bash
# The HTML report read back in a real browser (ctest html_browser, label
# readback): usage: run.sh BINARY SOURCE_DIR WORK_DIR
#  1. writes the HTML report of the sample data (cabinet and board, 2016/17 Q4)
#     and of the report fixtures (cabinet, board, a --from/--to range, a
#     financial year, and a report with revisions after a publication and a
#     correction);
#  2. check_html.js opens every page in Debian's Chromium (one launch): axe-core
#     with the WCAG 2.0/2.1/2.2 A and AA rules at 1280 and 320 px, no sideways
#     scrolling at 320 px, structure, screenshots, and the page printed to PDF;
#  3. the Nu HTML checker (vnu-jar, on Debian's Java) finds no error;
#  4. every printed A4 page carries the protective marking at its top and its
#     foot, and "Page N of M" (pdftotext, page by page).
# Screenshots and printed PDFs stay in WORK_DIR/shots for people to look at.
set -u
bin=$1 src=$2 work=$3
here="$src/tests/browser"
rm -rf "$work"
mkdir -p "$work/shots"
export SOURCE_DATE_EPOCH=1491004800
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
start=$EPOCHREALTIME
lap() { awk -v what="$1" -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%s: %.1f s\n", what, b - a }'; }

for tool in node java pdftotext pdfinfo; do
  command -v "$tool" > /dev/null || { echo "FAIL: $tool is missing: run scripts/deps.sh --test"; exit 1; }
done
[ -x "${AP_CHROMIUM:-/usr/bin/chromium}" ] ||
  { echo "FAIL: Chromium is missing: run scripts/deps.sh --test"; exit 1; }
"$here/setup.sh" || { echo "FAIL: cannot install the npm packages of tests/browser"; exit 1; }

# 1. The pages.
pages=()
report() { # NAME DB CONFIG TEMPLATE PERIOD...
  local name=$1 db=$2 cfg=$3 tmpl=$4
  shift 4
  if "$bin" report --db "$db" --config "$cfg" --template "$tmpl" "$@" --html "$work/$name.html" \
      > "$work/$name.log" 2>&1; then
    pages+=("$work/$name.html")
  else
    fail "$name: report failed: $(cat "$work/$name.log")"
  fi
}
load() { "$bin" init --db "$1" > /dev/null && "$bin" import --config "$2" --db "$1" "$3" > /dev/null; }
load "$work/sample.db" "$src/sample-data/actionplan.ini" "$src/sample-data" ||
  { echo "FAIL: cannot load the sample data"; exit 1; }
report sample-cabinet "$work/sample.db" "$src/sample-data/actionplan.ini" cabinet --quarter 2016/17-Q4
report sample-board "$work/sample.db" "$src/sample-data/actionplan.ini" board --quarter 2016/17-Q4
fix="$src/tests/fixtures/report"
load "$work/fixture.db" "$fix/actionplan.ini" "$fix/data" || { echo "FAIL: cannot load the fixture"; exit 1; }
report fixture-cabinet "$work/fixture.db" "$fix/actionplan.ini" cabinet --quarter 2016/17-Q4
report fixture-board "$work/fixture.db" "$fix/actionplan.ini" board --quarter 2016/17-Q4
report fixture-range "$work/fixture.db" "$fix/actionplan.ini" cabinet --from 2016-07-01 --to 2017-03-31
# A report with revisions ([r] and the table of revisions): the fixture's
# 2016/17 Q4 published, a correction imported, the same quarter again.
cp "$work/fixture.db" "$work/revised.db" &&
  "$bin" report --db "$work/revised.db" --config "$fix/actionplan.ini" --quarter 2016/17-Q4 \
    --pdf "$work/published.pdf" --publish > /dev/null &&
  "$bin" import --db "$work/revised.db" --config "$fix/actionplan.ini" "$src/tests/fixtures/revisions" \
    > /dev/null || fail "cannot publish the fixture and import its correction"
report fixture-revised "$work/revised.db" "$fix/actionplan.ini" cabinet --quarter 2016/17-Q4
# a financial year: one comparison (with 2015/16), so one change in each headline card
report fixture-year "$work/fixture.db" "$fix/actionplan.ini" board --year 2016/17
lap "reports written"

# 2. The browser.
# Screenshots of the sample pages only (the ones to look at); each costs seconds.
node "$here/check_html.js" "$work/shots" "${pages[@]:0:2}" --no-shots "${pages[@]:2}" > "$work/browser.log" 2>&1 ||
  fail "the browser checks failed:"$'\n'"$(grep -v '^{' "$work/browser.log")"
grep '^{' "$work/browser.log" | tail -1
lap "browser"

# 3. The Nu checker: no error (warnings are printed but allowed).
vnu="$here/node_modules/vnu-jar/build/dist/vnu.jar"
if ! java -Xss4m -jar "$vnu" --format gnu --also-check-svg "${pages[@]}" > "$work/vnu.log" 2>&1; then
  fail "the Nu checker found errors:"$'\n'"$(cat "$work/vnu.log")"
elif grep -q 'error' "$work/vnu.log"; then
  fail "the Nu checker found errors:"$'\n'"$(cat "$work/vnu.log")"
else
  echo "vnu: no errors in ${#pages[@]} pages$( [ -s "$work/vnu.log" ] && echo "; its notes:" && cat "$work/vnu.log")"
fi
lap "vnu"

# 4. Printing: the marking on every A4 page, top and foot, and the page number.
for page in "${pages[@]}"; do
  name=$(basename "$page" .html)
  pdf="$work/shots/$name.pdf"
  [ -s "$pdf" ] || { fail "$name: not printed"; continue; }
  marking=$(sed -n 's|.*<dt>Protective marking</dt><dd>\([^<]*\)</dd>.*|\1|p' "$page" | head -1)
  [ -n "$marking" ] || { fail "$name: no protective marking in the page"; continue; }
  info=$(pdfinfo "$pdf")
  n=$(sed -n 's/^Pages: *//p' <<< "$info")
  grep -q '^Page size:.*(A4)' <<< "$info" || fail "$name: not printed on A4: $(grep '^Page size' <<< "$info")"
  [ "${n:-0}" -ge 2 ] || fail "$name: printed on ${n:-0} pages"
  # One pdftotext for the whole document; pages are separated by form feeds.
  pdftotext -q -layout "$pdf" "$work/$name.txt"
  problems=$(awk -v RS='\f' -v m="$marking" -v n="$n" '
    NR > n { next }
    {
      k = split($0, line, "\n"); first = ""; last = ""; prev = ""
      for (j = 1; j <= k; j++) if (line[j] ~ /[^ \t]/) { if (first == "") first = line[j]; prev = last; last = line[j] }
      foot = prev "\n" last
      if (index(first, m) == 0) printf "page %d of %d does not start with the marking: %s\n", NR, n, first
      if (index(foot, m) == 0) printf "page %d of %d does not end with the marking: %s\n", NR, n, foot
      if (index(foot, "Page " NR " of " n) == 0) printf "page %d of %d has no \"Page %d of %d\" at its foot\n", NR, n, NR, n
      seen++
    }
    END { if (seen != n) printf "pdftotext gave %d pages, pdfinfo %d\n", seen, n }' "$work/$name.txt")
  [ -z "$problems" ] || fail "$name: $problems"
  echo "printed: $name: $n A4 pages, each with '$marking' at its top and foot"
done
lap "printing"

echo "$fails failed"
[ "$fails" -eq 0 ]
