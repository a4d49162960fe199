#!/usr/bin/env bash
# Runs the command-line cases of one group: tests/cli/GROUP/CASE/ each hold
#   args            the arguments after `actionplan` (one line; $AP, $SAMPLE, $FIX, $SRC expand)
#   setup           optional: bash script run first in the scratch folder (may use $AP)
#   exit            the expected exit status
#   stdout, stderr  optional: the exact expected output
#   stderr-has      optional: lines that must each appear in stderr (fixed strings)
#   stdout-has      optional: likewise for stdout
#   unchanged       optional: files (one a line) whose bytes must not change
#   absent          optional: files (one a line) that must not exist afterwards
#   after           optional: bash script run last; non-zero exit fails the case
# The case runs in a scratch copy of its folder. Usage: run.sh BINARY SOURCE_DIR GROUP
set -u
bin=$1 src=$2 group=$3
export AP="$bin" SRC="$src" SAMPLE="$src/sample-data" FIX="$src/tests/fixtures"
passed=0 failed=0
# Scratch folders in memory where there is one: every import and init ends in
# fsync, which on some disks costs far more than the case itself.
scratch=${TMPDIR:-/tmp}
[ -d /dev/shm ] && [ -w /dev/shm ] && scratch=/dev/shm
for dir in "$src/tests/cli/$group"/*/; do
  name=$(basename "$dir")
  work=$(mktemp -d -p "$scratch" ap-cli.XXXXXX)
  cp -r "$dir/." "$work/"
  why=""
  (
    cd "$work" || exit 99
    if [ -f setup ]; then bash setup >setup.log 2>&1 || { echo "setup failed:"; cat setup.log; exit 98; }; fi
    if [ -f unchanged ]; then while read -r f; do [ -n "$f" ] && sha256sum "$f"; done < unchanged > .before; fi
    args=$(cat args)
    eval "\"\$AP\" $args" > .stdout 2> .stderr < /dev/null
    echo $? > .rc
  ) > "$work/.runlog" 2>&1
  case $? in 98|99) why="setup: $(cat "$work/.runlog")";; esac
  if [ -z "$why" ]; then
    rc=$(cat "$work/.rc")
    want=$(cat "$work/exit" 2>/dev/null || echo 0)
    [ "$rc" = "$want" ] || why="exit status $rc, expected $want"
    if [ -z "$why" ] && [ -f "$work/stdout" ] && ! diff -u "$work/stdout" "$work/.stdout" > "$work/.diff"; then
      why="stdout differs:
$(cat "$work/.diff")"; fi
    if [ -z "$why" ] && [ -f "$work/stderr" ] && ! diff -u "$work/stderr" "$work/.stderr" > "$work/.diff"; then
      why="stderr differs:
$(cat "$work/.diff")"; fi
    for kind in stdout stderr; do
      if [ -z "$why" ] && [ -f "$work/$kind-has" ]; then
        while IFS= read -r line; do
          [ -n "$line" ] || continue
          grep -qF -- "$line" "$work/.$kind" || { why="$kind lacks: $line"; break; }
        done < "$work/$kind-has"
      fi
    done
    if [ -z "$why" ] && [ -f "$work/unchanged" ]; then
      (cd "$work" && sha256sum --quiet -c .before) > /dev/null 2>&1 || why="a file listed in 'unchanged' changed"
    fi
    if [ -z "$why" ] && [ -f "$work/absent" ]; then
      while read -r f; do [ -n "$f" ] && [ -e "$work/$f" ] && why="$f exists"; done < "$work/absent"
    fi
    if [ -z "$why" ] && [ -f "$work/after" ]; then
      (cd "$work" && bash after) > "$work/.after" 2>&1 || why="after failed: $(cat "$work/.after")"
    fi
  fi
  if [ -z "$why" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $group/$name: $why"
    echo "--- stderr was:"; cat "$work/.stderr" 2>/dev/null
  fi
  rm -rf "$work"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
