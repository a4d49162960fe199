#!/usr/bin/env bash
# The installed program (issue 13, item 7): `cmake --install` into a scratch
# prefix, then the installed binary, run from another folder with no
# ACTIONPLAN_TEMPLATE_DIR, finds the installed templates (not the source tree's)
# and writes a report; and a template removed from the install is not found in
# the source tree either.
#   usage: installed.sh BINARY SOURCE_DIR WORK_DIR
set -u
bin=$1 src=$2 work=$3
build=$(dirname "$bin")
rm -rf "$work"
mkdir -p "$work/run"
unset ACTIONPLAN_TEMPLATE_DIR
fails=0 passes=0
ok() { echo "ok: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

cmake --install "$build" --prefix "$work/prefix" > "$work/install.log" 2>&1 ||
  { echo "FAIL: cmake --install"; cat "$work/install.log"; exit 1; }
ap="$work/prefix/bin/actionplan"
[ -x "$ap" ] && [ -f "$work/prefix/share/actionplan/templates/board.ini" ] &&
  ok "installed the binary and the templates" || fail "the install lacks the binary or templates"

cd "$work/run" || exit 1
"$ap" init --db s.db > /dev/null &&
  "$ap" import --config "$src/sample-data/actionplan.ini" --db s.db "$src/sample-data" > /dev/null 2>&1 ||
  fail "the installed binary cannot load the sample"
if "$ap" report --db s.db --quarter 2016/17-Q4 --template board --out . > out.txt 2> err.txt &&
  [ -s actionplan-2016-17-q4-board.pdf ] && [ -s actionplan-2016-17-q4-board.xlsx ]; then
  ok "the installed binary wrote a report from another folder"
else
  fail "the installed binary could not report: $(cat err.txt)"
fi

# The installed binary must not fall back on the source tree.
rm "$work/prefix/share/actionplan/templates/cabinet.ini"
if "$ap" report --db s.db --quarter 2016/17-Q4 --template cabinet --text - > /dev/null 2> err.txt; then
  fail "the installed binary found 'cabinet' although it is not installed (in the source tree?)"
elif grep -q "no template called 'cabinet'" err.txt && ! grep -qF "$src/templates" err.txt; then
  ok "a template missing from the install is not taken from the source tree"
else
  fail "unexpected message: $(cat err.txt)"
fi
# ACTIONPLAN_TEMPLATE_DIR is searched first.
if ACTIONPLAN_TEMPLATE_DIR="$src/templates" "$ap" report --db s.db --quarter 2016/17-Q4 \
  --template cabinet --text - > /dev/null 2> err.txt; then
  ok "ACTIONPLAN_TEMPLATE_DIR is searched"
else
  fail "ACTIONPLAN_TEMPLATE_DIR was not searched: $(cat err.txt)"
fi
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ] && [ "$passes" -gt 0 ]
