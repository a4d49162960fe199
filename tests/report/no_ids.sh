#!/usr/bin/env bash
# Ids out of the board pack (issue 13, item 10): the shipped templates put no
# case-system id of a child, case, episode or perpetrator in any output. Each
# output is read back through another program (pdftotext, unzip), and a
# template with show_ids = true is the control that the ids would be caught.
#   usage: no_ids.sh BINARY SOURCE_DIR WORK_DIR
set -u
bin=$1 src=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
fails=0 passes=0
ok() { echo "ok: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# The sample's ids: SC0064 (child), CS0001 (case), ME0001 (episode), SP001, PA0001.
ids='\b(SC|CS|ME|SP|PA)[0-9]{3,4}\b'

"$bin" init --db s.db > /dev/null &&
  "$bin" import --config "$src/sample-data/actionplan.ini" --db s.db "$src/sample-data" > /dev/null ||
  { echo "cannot load the sample"; exit 1; }

# Everything a report shows, as text: the dump, the PDF's text, the workbook's XML.
texts() { # STEM
  cat "$1.txt"
  pdftotext -q "$1.pdf" -
  unzip -p "$1.xlsx" 'xl/sharedStrings.xml' 'xl/worksheets/*.xml' 2> /dev/null
}

for t in board cabinet; do
  if ! "$bin" report --config "$src/sample-data/actionplan.ini" --db s.db --quarter 2016/17-Q4 \
    --template "$t" --pdf "$t.pdf" --xlsx "$t.xlsx" --text "$t.txt" > /dev/null 2> "$t.err"; then
    fail "$t: report failed: $(cat "$t.err")"; continue
  fi
  found=$(texts "$t" | grep -oE "$ids" | sort -u | head -5 | tr '\n' ' ')
  [ -z "$found" ] && ok "$t: no id in the PDF, the workbook or the text" ||
    fail "$t: ids in the report: $found"
done
# Nor do its words promise ids it does not show.
texts board | tr '\n' ' ' | grep -qiE 'ids (to look at|of those records are listed)|up to ten record ids' &&
  fail "board: its text promises record ids that it does not show" ||
  ok "board: no words promise record ids"
# The counts stay: the board still says how many records each check found.
grep -q 'Data-quality checks"$' board.txt && ok "board keeps the data-quality table" ||
  fail "board lost its data-quality table"

# Control: the same template with show_ids = true shows them, in every output.
sed 's/^show_ids = false$/show_ids = true/' "$src/templates/board.ini" > ids.ini
"$bin" report --config "$src/sample-data/actionplan.ini" --db s.db --quarter 2016/17-Q4 \
  --template ./ids.ini --pdf ids.pdf --xlsx ids.xlsx --text ids.txt > /dev/null 2> ids.err ||
  fail "show_ids = true: report failed: $(cat ids.err)"
for out in "cat ids.txt" "pdftotext -q ids.pdf -" "unzip -p ids.xlsx xl/sharedStrings.xml"; do
  $out | grep -qE "$ids" && ok "show_ids = true: ids found by '$out'" ||
    fail "show_ids = true: no id found by '$out' (the check above proves nothing)"
done
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ] && [ "$passes" -gt 0 ]
