#!/usr/bin/env bash
# A full disk while writing the report (run by ctest as full_disk, not a case
# folder): full-disk.sh BINARY SOURCE_DIR WORK_DIR
#  1. a real full disk: a 1 MiB tmpfs almost filled (only when mount works, e.g.
#     as root; otherwise said and skipped);
#  2. an injected write failure that works anywhere: a file-size limit
#     (ulimit -f, with SIGXFSZ ignored) so every write past 16 KiB fails;
#  3. the disk full within the last few KiB of each output, the PDF, the
#     workbook and the HTML page (a tmpfs with one page fewer than the output
#     needs, and file-size limits 1 to 3 KiB short of it), where libharu's own
#     writer used to lose the error and report success;
#  4. the same for the blank input workbook of `actionplan workbook`.
# Each time: exit status 3, a message naming the output, the earlier report
# byte-identical, no temporary file left, the database unchanged.
set -u
export AP=$1 SRC=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
fails=0 passes=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

bash "$SRC/tests/cli/readonly/make-db.sh" test.db 50 || { echo "cannot make the database"; exit 1; }
db_sum=$(sha256sum < test.db)

# expect_failure DIR: run the report into DIR (under the limits the caller set)
# and check what a failed run must leave behind.
expect_failure() {
  local dir=$1 what=$2 rc
  local before outs=(--pdf "$dir/r.pdf" --xlsx "$dir/r.xlsx")
  [ "${only:-}" ] && outs=(--"$only" "$dir/r.$only")
  before=$(cd "$dir" && sha256sum r.pdf r.xlsx r.html)
  "${run[@]}" report --db test.db --quarter 2016/17-Q4 --template board "${outs[@]}" \
    > out.txt 2> err.txt
  rc=$?
  if [ "$rc" != 3 ]; then fail "$what: exit status $rc, expected 3"; cat err.txt; return; fi
  # The message must name the output (the temporary beside it, .r.pdf.XXXXXX, will do).
  grep -q "^actionplan: .*$dir/\.\?r\.\(pdf\|xlsx\|html\)" err.txt ||
    { fail "$what: no message naming the output"; cat err.txt; return; }
  if [ "${only:-}" ] && ! grep -qF "$dir/r.$only" err.txt; then
    fail "$what: the message does not name the file asked for"; cat err.txt; return; fi
  if [ "${only:-}" ] && grep -qF ".r.$only." err.txt; then
    fail "$what: the message names the temporary file"; cat err.txt; return; fi
  [ "$(cd "$dir" && sha256sum r.pdf r.xlsx r.html)" = "$before" ] ||
    { fail "$what: the earlier report changed"; return; }
  if ls -A "$dir" | grep -qE '^\.r\.(pdf|xlsx|html)'; then
    fail "$what: a temporary file was left: $(ls -A "$dir")"; return; fi
  [ "$(sha256sum < test.db)" = "$db_sum" ] || { fail "$what: the database changed"; return; }
  echo "ok: $what: $(head -1 err.txt)"
  passes=$((passes + 1))
}

earlier() {
  mkdir -p "$1"
  echo 'earlier report' > "$1/r.pdf"
  echo 'earlier workbook' > "$1/r.xlsx"
  echo 'earlier page' > "$1/r.html"
}

# 1. A real full disk.
mkdir -p disk
if mount -t tmpfs -o size=1m tmpfs disk 2> /dev/null; then
  trap 'umount "$work/disk" 2>/dev/null' EXIT
  earlier disk
  # Fill all but about 8 KiB.
  dd if=/dev/zero of=disk/filler bs=4k status=none 2> /dev/null
  rm -f disk/filler
  dd if=/dev/zero of=disk/filler bs=4k count=$(( $(df -k --output=avail disk | tail -1) / 4 - 2 )) \
    status=none 2> /dev/null
  run=("$AP")
  expect_failure disk "full tmpfs"
  umount disk
  trap - EXIT
else
  echo "skip: cannot mount a tmpfs here (not root?); only the injected failure is tested"
fi

# 2. An injected write failure: writes past 16 KiB fail with EFBIG.
earlier limited
run=(bash -c 'trap "" XFSZ; ulimit -f 16; exec "$0" "$@"' "$AP")
expect_failure limited "file-size limit"
# The same limit as a user's shell sets it (SIGXFSZ not ignored, which would
# kill the process and leave its temporary files): actionplan ignores it itself.
rm -rf limited
earlier limited
run=(bash -c 'trap - XFSZ; ulimit -f 16; exec "$0" "$@"' "$AP")
expect_failure limited "file-size limit with SIGXFSZ at its default"

# 3. Full within the last few KiB of each output. Its size first, on a roomy disk.
for only in pdf xlsx html; do
  "$AP" report --db test.db --quarter 2016/17-Q4 --template board --"$only" "whole.$only" \
    > /dev/null || fail "cannot write the $only output to measure it"
  size=$(stat -c %s "whole.$only")
  mkdir -p disk
  if mount -t tmpfs -o size=1m tmpfs disk 2> /dev/null; then
    trap 'umount "$work/disk" 2>/dev/null' EXIT
    earlier disk
    # Leave one 4 KiB page fewer than the output needs: its last write fails.
    pages=$(( (size + 4095) / 4096 - 1 ))
    dd if=/dev/zero of=disk/filler bs=4k count=$(( $(df -k --output=avail disk | tail -1) / 4 - pages )) \
      status=none 2> /dev/null
    left=$(( $(df -k --output=avail disk | tail -1) ))
    [ $(( left * 1024 )) -lt "$size" ] && [ $(( left * 1024 + 4096 )) -ge "$size" ] ||
      fail "the tmpfs has $left KiB free, not within 4 KiB below the $only output's $size bytes"
    run=("$AP")
    expect_failure disk "tmpfs with $left KiB free for a $size-byte $only output"
    umount disk
    trap - EXIT
  fi
  for short in 1 2 3; do
    limit=$(( size / 1024 - short + 1 ))
    rm -rf limited
    earlier limited
    run=(bash -c "trap '' XFSZ; ulimit -f $limit; exec \"\$0\" \"\$@\"" "$AP")
    expect_failure limited "file-size limit $limit KiB for a $size-byte $only output"
  done
done
only=

# 4. The blank input workbook (`actionplan workbook`), full within its last few
# KiB: exit 3, one message of ours naming the file (never the temporary one, and
# none of libxlsxwriter's own "[ERROR]" lines), the earlier file kept, nothing left.
"$AP" workbook whole-input.xlsx > /dev/null || fail "cannot write the blank workbook to measure it"
size=$(stat -c %s whole-input.xlsx)
expect_workbook_failure() {
  local dir=$1 what=$2 rc
  "${run[@]}" workbook --force "$dir/in.xlsx" > out.txt 2> err.txt
  rc=$?
  if [ "$rc" != 3 ]; then fail "$what: exit status $rc, expected 3"; cat err.txt; return; fi
  if [ "$(wc -l < err.txt)" != 1 ] || ! grep -q "^actionplan: $dir/in\.xlsx: error: " err.txt; then
    fail "$what: not one message naming $dir/in.xlsx"; cat err.txt; return; fi
  [ "$(cat "$dir/in.xlsx")" = "earlier records" ] || { fail "$what: the earlier file changed"; return; }
  if ls -A "$dir" | grep -q '^\.in\.xlsx'; then
    fail "$what: a temporary file was left: $(ls -A "$dir")"; return; fi
  echo "ok: $what: $(cat err.txt)"
  passes=$((passes + 1))
}
mkdir -p disk
if mount -t tmpfs -o size=1m tmpfs disk 2> /dev/null; then
  trap 'umount "$work/disk" 2>/dev/null' EXIT
  echo 'earlier records' > disk/in.xlsx
  pages=$(( (size + 4095) / 4096 - 1 ))
  dd if=/dev/zero of=disk/filler bs=4k count=$(( $(df -k --output=avail disk | tail -1) / 4 - pages )) \
    status=none 2> /dev/null
  run=("$AP")
  expect_workbook_failure disk "tmpfs with $(df -k --output=avail disk | tail -1) KiB free for a $size-byte input workbook"
  umount disk
  trap - EXIT
fi
for short in 1 2 3; do
  limit=$(( size / 1024 - short + 1 ))
  rm -rf limited
  mkdir limited
  echo 'earlier records' > limited/in.xlsx
  run=(bash -c "trap '' XFSZ; ulimit -f $limit; exec \"\$0\" \"\$@\"" "$AP")
  expect_workbook_failure limited "file-size limit $limit KiB for a $size-byte input workbook"
done

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ] && [ "$passes" -gt 0 ]
