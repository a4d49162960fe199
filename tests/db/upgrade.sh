#!/usr/bin/env bash
# Every database in tests/fixtures/db (one per earlier schema version) is read
# as it is by the read-only commands, then upgraded by `migrate` and by an
# import; the figures (`metrics --format json` for several quarters) and the
# `check` findings are the same before and after, the copy FILE.bak-vN is
# byte-identical to the fixture with mode 0600, and a second upgrade refuses
# to replace that copy. Usage: upgrade.sh BINARY SOURCE_DIR WORK_DIR
set -u
ap=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
fail=0
bad() { echo "FAIL: $*"; fail=1; }
quarters="2015/16-Q3 2016/17-Q1 2016/17-Q4 2017/18-Q2"
cfg="$src/sample-data/actionplan.ini"

figures() { # DB OUT-PREFIX: metrics for every quarter, and check
  for q in $quarters; do
    "$ap" metrics --config "$cfg" --db "$1" --quarter "$q" --format json > "$2.${q//\//_}.json" ||
      bad "metrics $q on $1 failed"
  done
  "$ap" check --config "$cfg" --db "$1" > "$2.check" 2>&1
  echo "exit $?" >> "$2.check"
}

n=0
for fixture in "$src"/tests/fixtures/db/v*-sample.db; do
  n=$((n + 1))
  v=$(basename "$fixture" | sed 's/^v\([0-9]*\)-.*/\1/')
  for how in migrate import; do
    db="$how-v$v.db"
    cp "$fixture" "$db" && chmod 0600 "$db"
    figures "$db" before
    cmp -s "$fixture" "$db" || bad "a read-only command changed the v$v database"
    [ -e "$db.bak-v$v" ] && bad "a read-only command made a copy"
    if [ $how = migrate ]; then
      out=$("$ap" migrate --db "$db" 2>&1) || bad "migrate v$v failed: $out"
      [ "$out" = "upgraded $db from schema version $v to 2; the file as it was is kept in $db.bak-v$v" ] ||
        bad "migrate said: $out"
    else
      "$ap" import --db "$db" "$src/sample-data/" > import.out 2> import.err || bad "import v$v failed"
      grep -qF "$db: note: upgraded from schema version $v to 2" import.err || bad "no upgrade note: $(cat import.err)"
    fi
    [ "$(sqlite3 "$db" 'PRAGMA user_version')" = 2 ] || bad "v$v: not at version 2 after $how"
    [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || bad "v$v: integrity_check after $how"
    [ "$(sqlite3 "$db" "SELECT count(*) FROM sqlite_master WHERE name IN ('import_log',
        'import_log_files', 'import_log_tables', 'publications', 'publication_outputs',
        'published_figures', 'published_figures_key')")" = 7 ] || bad "v$v: log tables missing"
    cmp -s "$fixture" "$db.bak-v$v" || bad "v$v: $db.bak-v$v differs from the fixture"
    [ "$(stat -c %a "$db.bak-v$v")" = 600 ] || bad "v$v: $db.bak-v$v mode $(stat -c %a "$db.bak-v$v")"
    figures "$db" after
    for f in before.*; do
      cmp -s "$f" "after.${f#before.}" || bad "v$v after $how: ${f#before.} differs: $(diff "$f" "after.${f#before.}" | head -5)"
    done
    grep -q '"children_active"\|children' before.2016_17-Q4.json || bad "metrics output looks empty"
    # Once at the latest version: nothing to do, the copy untouched.
    out=$("$ap" migrate --db "$db" 2>&1)
    [ "$out" = "$db is already at schema version 2; nothing to do" ] || bad "second migrate said: $out"
    # The copy's name taken: the upgrade of another old file is refused.
    cp "$fixture" again.db && chmod 0600 again.db && : > again.db.bak-v$v
    out=$("$ap" migrate --db again.db 2>&1); rc=$?
    [ $rc = 3 ] || bad "migrate over an existing copy exited $rc"
    grep -qF "again.db.bak-v$v: error: the file already exists" <<< "$out" || bad "refusal said: $out"
    cmp -s "$fixture" again.db || bad "refused migrate changed the database"
    [ -s again.db.bak-v$v ] && bad "refused migrate wrote into the existing copy"
    rm -f again.db*
    rm -f before.* after.*
  done
done
[ $n -ge 1 ] || bad "no fixture databases found"
# A database newer than this actionplan is refused by every command.
cp "$src/tests/fixtures/db/v1-sample.db" newer.db && sqlite3 newer.db 'PRAGMA user_version = 99'
for cmd in "migrate --db newer.db" "import --db newer.db $src/sample-data/cases.csv" \
  "metrics --db newer.db --quarter 2016/17-Q4"; do
  out=$("$ap" $cmd 2>&1); rc=$?
  [ $rc = 2 ] && grep -qF "schema version 99, newer than this actionplan" <<< "$out" ||
    bad "$cmd on a newer database: exit $rc: $out"
done
[ -e newer.db.bak-v99 ] && bad "a newer database was copied"
[ $fail = 0 ] && echo "ok: $n fixture database(s) upgraded"
exit $fail
