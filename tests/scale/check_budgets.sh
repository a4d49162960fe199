#!/usr/bin/env bash
# The import's paths for large exports, forced on a small one: an export whose
# rows are in no order (bench/gen.py --shuffle, 3,000 children), imported with
# the row sorter's memory at its 64 KiB minimum (so every large file is sorted
# in several runs on disk) and the id sets' budget at 1 byte (so every id set
# lives in a temporary table, added to and looked up there), must leave every
# table exactly as the same export in id order imported the ordinary way, and
# print the same change summary. Then the next export (5% of rows changed) over
# it, on disk, against the counts of the same re-import in memory; and a file
# with a duplicate id and an unknown child, on disk, gives the messages it gives
# in memory.
# Usage: check_budgets.sh BINARY SOURCE_DIR WORK_DIR
set -euo pipefail
bin=$1 src=$2 work=$3
# Scratch in memory where there is one: every import ends in fsync.
[ -d /dev/shm ] && [ -w /dev/shm ] && work=$(mktemp -d -p /dev/shm ap-budgets.XXXXXX)
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
cd "$work"
py=python3
gen() { "$py" "$src/bench/gen.py" --children 3000 --seed 7 --out "$@" 2> /dev/null; }
gen sorted
gen shuffled --shuffle
gen changed --change 5
fail() { echo "check_budgets: $*" >&2; exit 1; }
tables="children cases missing_episodes perpetrators perpetrator_actions action_plan action_updates"
dump() { for t in $tables; do sqlite3 "$1" "SELECT * FROM $t" | sha256sum; done; }
disk() { AP_TEST_SORT_BUDGET=1 AP_TEST_ID_BUDGET=1 "$@"; }

"$bin" init --db plain.db > /dev/null
"$bin" import --db plain.db sorted > plain.out
"$bin" init --db disk.db > /dev/null
disk "$bin" import --db disk.db shuffled > disk.out
diff -u plain.out disk.out || fail "the change summary differs on disk"
[ "$(dump plain.db)" = "$(dump disk.db)" ] || fail "the tables differ after the import on disk"
[ "$(sqlite3 disk.db 'PRAGMA integrity_check')" = ok ] || fail "integrity_check after the import on disk"
grep -q '^  cases: 4,[0-9]* rows: 4,[0-9]* new, 0 changed, 0 unchanged$' disk.out || fail "cases summary: $(cat disk.out)"

# The next export over each: the same counts, the same tables.
"$bin" import --db plain.db changed > plain2.out
disk "$bin" import --db disk.db changed > disk2.out
diff -u plain2.out disk2.out || fail "the re-import's change summary differs on disk"
[ "$(dump plain.db)" = "$(dump disk.db)" ] || fail "the tables differ after the re-import on disk"
grep -q ' changed, ' disk2.out && ! grep -q ' 0 changed, 0 unchanged' disk2.out || fail "re-import: $(cat disk2.out)"
# The same export again: nothing to write, the file unchanged.
before=$(sha256sum disk.db)
disk "$bin" import --db disk.db changed > disk3.out
[ "$before" = "$(sha256sum disk.db)" ] || fail "a re-import of the same export wrote to the file"
grep -q '^nothing to import' disk3.out || fail "same export: $(cat disk3.out)"

# Errors: a duplicate id late in a shuffled file and a case of an unknown child.
mkdir bad
cp shuffled/children.csv bad/
{ cat shuffled/cases.csv; sed -n 2p shuffled/cases.csv; echo "K9999999,C9999999,2016-01-01,,low,police,"; } > bad/cases.csv
"$bin" init --db bad1.db > /dev/null
"$bin" init --db bad2.db > /dev/null
set +e
"$bin" import --db bad1.db bad > /dev/null 2> bad1.err
rc1=$?
disk "$bin" import --db bad2.db bad > /dev/null 2> bad2.err
rc2=$?
set -e
[ $rc1 = 2 ] && [ $rc2 = 2 ] || fail "exit statuses $rc1 and $rc2, expected 2"
diff -u bad1.err bad2.err || fail "the messages differ on disk"
grep -q 'appears again (first at line 2)' bad2.err || fail "no duplicate message: $(cat bad2.err)"
grep -q "child_id 'C9999999' is neither in" bad2.err || fail "no reference message: $(cat bad2.err)"
echo "check_budgets: ok"
