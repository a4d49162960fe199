#!/usr/bin/env bash
# A damaged database on every command (issue 11: every message names the file;
# never a crash): damaged.sh BINARY SOURCE_DIR WORK_DIR
#  1. files that are no database at all: zero bytes, text, random bytes, a cut
#     header, a database cut short, and a folder;
#  2. a database whose pages hold what its schema forbids: a NULL in each
#     NOT NULL column the report's one pass reads (made with writable_schema,
#     as a damaged page would give it), which used to crash metrics, check and
#     report (a NULL passed to strcmp).
# Each command must exit 1 (a folder), 2 (damaged input) or 3, with a message
# naming the file (in part 2, or succeed if it does not read that column), and
# never crash or say nothing.
set -u
AP=$1 SRC=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
fails=0 passes=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$AP" init --db good.db > /dev/null && "$AP" import --db good.db "$SRC/sample-data" > /dev/null 2>&1 ||
  { echo "cannot make the database"; exit 1; }

commands=("check" "metrics --quarter 2016/17-Q4" "report --quarter 2016/17-Q4 --text -"
  "report --quarter 2016/17-Q4 --template board --out out" "import $SRC/sample-data/children.csv"
  "log" "backup copy.db" "migrate")

# try NAME: every command on NAME.db (a fresh copy of the damaged file each time).
try() {
  local name=$1 c rc
  for c in "${commands[@]}"; do
    rm -rf run.db* copy.db out
    if [ -d "$name.db" ]; then db=$name.db; else cp "$name.db" run.db; db=run.db; fi
    # shellcheck disable=SC2086
    "$AP" $c --db "$db" > out.txt 2> err.txt
    rc=$?
    if [ "$rc" -gt 3 ] || { [ "$rc" = 0 ] && [ -z "${may_pass:-}" ]; }; then
      fail "$name: '$c': exit status $rc"; head -3 err.txt; continue; fi
    # A command that does not read the damaged column may succeed.
    [ "$rc" = 0 ] && { passes=$((passes + 1)); continue; }
    if ! grep -q "^actionplan: $db: error: " err.txt; then
      fail "$name: '$c': no message naming $db"; head -3 err.txt; continue; fi
    passes=$((passes + 1))
  done
  echo "ok: $name: $(head -1 err.txt | cut -c1-150)"
}

# 1. No database.
: > zero.db
echo 'child_id,birth_date' > text.db
head -c 40000 /dev/urandom > random.db
head -c 100 good.db > header.db
head -c 20000 good.db > cut.db
mkdir folder.db
for n in zero text random header cut folder; do try $n; done

# 2. A NULL where the schema says NOT NULL, in each such column that is not a
# key (SQLite itself refuses a NULL key in these tables).
nulls=("cases|child_id" "cases|opened_on" "missing_episodes|child_id" "missing_episodes|missing_from"
  "perpetrators|identified_on" "perpetrator_actions|perpetrator_id" "perpetrator_actions|action_on"
  "perpetrator_actions|action" "action_plan|theme" "action_plan|action"
  "action_updates|status")
commands=("check" "metrics --quarter 2016/17-Q4" "report --quarter 2016/17-Q4 --text -")
may_pass=1
for tc in "${nulls[@]}"; do
  t=${tc%|*} c=${tc#*|}
  n=null-$t-$c
  cp good.db "$n.db"
  orig=$(sqlite3 good.db "SELECT sql FROM sqlite_schema WHERE name = '$t'" | sed "s/'/''/g")
  sqlite3 "$n.db" "
    PRAGMA writable_schema = ON;
    UPDATE sqlite_schema SET sql = replace(sql, '$c TEXT NOT NULL', '$c TEXT') WHERE name = '$t';
    PRAGMA writable_schema = RESET;
    PRAGMA foreign_keys = OFF;
    UPDATE $t SET $c = NULL WHERE $c = (SELECT min($c) FROM $t);
    PRAGMA writable_schema = ON;
    UPDATE sqlite_schema SET sql = '$orig' WHERE name = '$t';" > /dev/null ||
    { fail "cannot make $n.db"; continue; }
  [ "$(sqlite3 "$n.db" "SELECT sum(typeof($c) = 'null') > 0 FROM $t")" = 1 ] ||
    { fail "$n.db: no NULL made"; continue; }
  [ "$(sqlite3 "$n.db" "SELECT sql FROM sqlite_schema WHERE name = '$t'" | sed "s/'/''/g")" = "$orig" ] ||
    { fail "$n.db: the schema was not put back"; continue; }
  try "$n"
done

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ] && [ "$passes" -gt 0 ]
