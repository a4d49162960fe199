#!/usr/bin/env bash
# All outputs or none (run by ctest as all_or_none): all-or-none.sh BINARY SOURCE_DIR WORK_DIR
# The report's files are put in place one after the other; when a later one
# cannot be (here: the earlier HTML page is made immutable with chattr +i, so
# renaming over it fails after the PDF and the workbook are in place), the
# files already replaced must get their earlier version back, files that did
# not exist must be gone again, and no temporary or kept copy may be left.
# Needs root (chattr +i); skipped (77) where that is not possible.
set -u
export AP=$1 SRC=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
fails=0 passes=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
trap 'chattr -i "$work"/*/r.html 2> /dev/null' EXIT

bash "$SRC/tests/cli/readonly/make-db.sh" test.db 50 || { echo "cannot make the database"; exit 1; }
mkdir probe && echo x > probe/f
if ! chattr +i probe/f 2> /dev/null; then
  echo "skip: chattr +i is not possible here (not root, or the file system has no such flag)"
  exit 77
fi
chattr -i probe/f

report() { # DIR: the three outputs into DIR
  "$AP" report --db test.db --quarter 2016/17-Q4 --template board \
    --pdf "$1/r.pdf" --xlsx "$1/r.xlsx" --html "$1/r.html" > "$1.out" 2> "$1.err"
}

leftovers() { ls -A "$1" | grep -E '^\.r\.' ; }

# 1. Earlier files: the PDF and the workbook are replaced, then the HTML fails.
mkdir earlier
echo 'earlier report' > earlier/r.pdf
echo 'earlier workbook' > earlier/r.xlsx
echo 'earlier page' > earlier/r.html
chmod 640 earlier/r.pdf
before=$(cd earlier && sha256sum r.pdf r.xlsx r.html)
chattr +i earlier/r.html
report earlier
rc=$?
chattr -i earlier/r.html
if [ "$rc" != 3 ]; then fail "earlier files: exit status $rc, expected 3"; cat earlier.err
elif ! grep -q "^actionplan: earlier/r.html: error: cannot move the finished file into place" earlier.err; then
  fail "earlier files: no message naming the HTML page"; cat earlier.err
elif ! grep -q "put back as they were" earlier.err; then
  fail "earlier files: the message does not say the files were put back"; cat earlier.err
elif [ "$(cd earlier && sha256sum r.pdf r.xlsx r.html)" != "$before" ]; then
  fail "earlier files: an earlier file changed"
elif [ "$(stat -c %a earlier/r.pdf)" != 640 ]; then
  fail "earlier files: the PDF put back lost its mode"
elif [ -n "$(leftovers earlier)" ]; then
  fail "earlier files: left behind: $(leftovers earlier)"
else
  echo "ok: earlier files put back: $(grep -c . earlier.err) lines of message"
  passes=$((passes + 1))
fi

# 2. No earlier PDF or workbook: the ones made before the failure are removed.
mkdir fresh
echo 'earlier page' > fresh/r.html
chattr +i fresh/r.html
report fresh
rc=$?
chattr -i fresh/r.html
if [ "$rc" != 3 ]; then fail "new files: exit status $rc, expected 3"; cat fresh.err
elif [ -e fresh/r.pdf ] || [ -e fresh/r.xlsx ]; then fail "new files: a file written before the failure was left"
elif [ "$(cat fresh/r.html)" != 'earlier page' ]; then fail "new files: the earlier page changed"
elif [ -n "$(leftovers fresh)" ]; then fail "new files: left behind: $(leftovers fresh)"
else
  echo "ok: new files removed again"
  passes=$((passes + 1))
fi

# 3. Nothing in the way: every file replaced, no kept copy left behind.
report earlier
rc=$?
if [ "$rc" != 0 ]; then fail "replacing: exit status $rc"; cat earlier.err
elif ! head -c 5 earlier/r.pdf | grep -q '%PDF-' || ! head -c 2 earlier/r.xlsx | grep -q PK ||
     ! grep -q '<html lang="en-GB">' earlier/r.html; then fail "replacing: a file was not replaced"
elif [ "$(stat -c %a earlier/r.pdf earlier/r.xlsx earlier/r.html | sort -u)" != 600 ]; then
  fail "replacing: the restricted files are not mode 0600"
elif [ -n "$(leftovers earlier)" ]; then fail "replacing: left behind: $(leftovers earlier)"
else
  echo "ok: all replaced"
  passes=$((passes + 1))
fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ] && [ "$passes" -gt 0 ]
