#!/usr/bin/env bash
# A failed write of each output is told in our one format, naming the output
# the user asked for, never the temporary file beside it, and without
# libxlsxwriter's own "[ERROR]" lines (which it prints to stderr itself).
# write-failure-messages.sh BINARY SOURCE_DIR WORK_DIR
set -u
export AP=$1 SRC=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
fails=0 passes=0
bash "$SRC/tests/cli/readonly/make-db.sh" test.db 50 || { echo "cannot make the database"; exit 1; }
mkdir -p out
for kind in pdf xlsx; do
  # Writes past 16 KiB fail (EFBIG), as on a full disk.
  bash -c 'trap "" XFSZ; ulimit -f 16; exec "$0" "$@"' "$AP" report --db test.db \
    --quarter 2016/17-Q4 --template board --$kind "out/r.$kind" > out.txt 2> err.txt
  rc=$?
  why=""
  [ "$rc" = 3 ] || why="exit status $rc, expected 3"
  [ -n "$why" ] || [ "$(wc -l < err.txt)" = 1 ] || why="expected one message"
  [ -n "$why" ] || grep -q "^actionplan: .*out/r\.$kind.*error" err.txt ||
    grep -q "^actionplan: error: .*'out/r\.$kind'" err.txt || why="the message does not name out/r.$kind"
  [ -n "$why" ] || ! grep -q "\.r\.$kind\." err.txt || why="the message names the temporary file"
  [ -n "$why" ] || ! grep -q "\[ERROR\]\|\[WARNING\]" err.txt || why="libxlsxwriter's own lines reached stderr"
  if [ -n "$why" ]; then
    echo "FAIL $kind: $why"; cat err.txt; fails=$((fails + 1))
  else
    echo "ok $kind: $(cat err.txt)"; passes=$((passes + 1))
  fi
done
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ] && [ "$passes" -gt 0 ]
