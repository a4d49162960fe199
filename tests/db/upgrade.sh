#!/usr/bin/env bash
# Every database in tests/fixtures/db (one per released schema version) is
# read as it is by the read-only commands, then upgraded by `migrate` and by an
# import; the figures (`metrics --format json` for several quarters) and the
# `check` findings are the same before and after, the copy FILE.bak-vN is
# byte-identical to the fixture with mode 0600, and a second upgrade refuses
# to replace that copy. A fixture already at the latest version (the one a
# fresh `init` writes) gives the same figures, `migrate` has nothing to do and
# no copy is made. Usage: upgrade.sh BINARY SOURCE_DIR WORK_DIR
set -u
shopt -s nullglob
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

# The latest schema version is the one this actionplan writes.
"$ap" init --db latest.db > /dev/null || bad "init failed"
latest=$(sqlite3 latest.db 'PRAGMA user_version')
rm -f latest.db
case $latest in '' | *[!0-9]*) bad "no schema version from init: '$latest'"; exit 1 ;; esac

n=0 n_latest=0
for fixture in "$src"/tests/fixtures/db/v*-sample.db; do
  n=$((n + 1))
  v=$(basename "$fixture" | sed 's/^v\([0-9]*\)-.*/\1/')
  [ "$(sqlite3 "$fixture" 'PRAGMA user_version')" = "$v" ] || bad "$fixture is not at version $v"
  [ "$v" -le "$latest" ] || bad "$fixture is newer than this actionplan ($latest)"
  if [ "$v" = "$latest" ]; then
    n_latest=$((n_latest + 1))
    for how in migrate import; do
      db="$how-v$v.db"
      cp "$fixture" "$db" && chmod 0600 "$db"
      figures "$db" before
      cmp -s "$fixture" "$db" || bad "a read-only command changed the v$v database"
      if [ $how = migrate ]; then
        out=$("$ap" migrate --db "$db" 2>&1) || bad "migrate v$v failed: $out"
        [ "$out" = "$db is already at schema version $v; nothing to do" ] || bad "migrate said: $out"
        cmp -s "$fixture" "$db" || bad "migrate with nothing to do changed the v$v database"
      else
        "$ap" import --db "$db" "$src/sample-data/" > import.out 2> import.err || bad "import v$v failed"
        grep -qF "note: upgraded" import.err && bad "import of a v$v database upgraded it: $(cat import.err)"
      fi
      [ -e "$db.bak-v$v" ] && bad "a copy was made of a database already at version $v"
      [ "$(sqlite3 "$db" 'PRAGMA user_version')" = "$v" ] || bad "v$v: version changed by $how"
      [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || bad "v$v: integrity_check after $how"
      figures "$db" after
      for f in before.*; do
        cmp -s "$f" "after.${f#before.}" || bad "v$v after $how: ${f#before.} differs: $(diff "$f" "after.${f#before.}" | head -5)"
      done
      grep -q '"children_active"\|children' before.2016_17-Q4.json || bad "metrics output looks empty"
      rm -f before.* after.*
    done
    continue
  fi
  for how in migrate import; do
    db="$how-v$v.db"
    cp "$fixture" "$db" && chmod 0600 "$db"
    figures "$db" before
    cmp -s "$fixture" "$db" || bad "a read-only command changed the v$v database"
    [ -e "$db.bak-v$v" ] && bad "a read-only command made a copy"
    if [ $how = migrate ]; then
      out=$("$ap" migrate --db "$db" 2>&1) || bad "migrate v$v failed: $out"
      [ "$out" = "upgraded $db from schema version $v to $latest; the file as it was is kept in $db.bak-v$v" ] ||
        bad "migrate said: $out"
    else
      "$ap" import --db "$db" "$src/sample-data/" > import.out 2> import.err || bad "import v$v failed"
      grep -qF "$db: note: upgraded from schema version $v to $latest" import.err || bad "no upgrade note: $(cat import.err)"
    fi
    [ "$(sqlite3 "$db" 'PRAGMA user_version')" = "$latest" ] || bad "v$v: not at version $latest after $how"
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
    [ "$out" = "$db is already at schema version $latest; nothing to do" ] || bad "second migrate said: $out"
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
[ $n -ge 2 ] || bad "expected fixture databases for versions 1 and 2, found $n"
# A database newer than this actionplan is refused by every command.
cp "$src/tests/fixtures/db/v1-sample.db" newer.db && sqlite3 newer.db 'PRAGMA user_version = 99'
for cmd in "migrate --db newer.db" "import --db newer.db $src/sample-data/cases.csv" \
  "metrics --db newer.db --quarter 2016/17-Q4"; do
  out=$("$ap" $cmd 2>&1); rc=$?
  [ $rc = 2 ] && grep -qF "schema version 99, newer than this actionplan" <<< "$out" ||
    bad "$cmd on a newer database: exit $rc: $out"
done
[ -e newer.db.bak-v99 ] && bad "a newer database was copied"
[ $fail = 0 ] && echo "ok: $n fixture database(s); $((n - n_latest)) upgraded to version $latest"
exit $fail
