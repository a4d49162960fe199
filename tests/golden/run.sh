#!/usr/bin/env bash
# Golden tests of the report model: `actionplan report --text` for the report
# fixtures (tests/fixtures/report, figures worked out by hand in EXPECTED.md) and
# for sample-data/, in both templates, diffed against tests/golden/*.txt.
# SOURCE_DATE_EPOCH is fixed so the dumps are stable; the source folder is
# written as @SRC@ so they do not depend on where the tree is.
#   usage: run.sh BINARY SOURCE_DIR WORK_DIR
#   AP_REGENERATE=1 run.sh ...   rewrites the golden files instead of diffing
#                               (review the git diff before committing them)
set -u
bin=$1 src=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
export SOURCE_DATE_EPOCH=1491004800 # 2017-04-01 00:00:00 UTC
failed=0 passed=0

load() { # DB CONFIG DATA
    "$bin" init --db "$1" > /dev/null && "$bin" import --config "$2" --db "$1" "$3" > /dev/null
}

check() { # NAME DB CONFIG TEMPLATE PERIOD-OPTIONS...
    local name=$1 db=$2 cfg=$3 tmpl=$4
    shift 4
    if ! "$bin" report --db "$db" --config "$cfg" --template "$tmpl" "$@" --text "$work/$name.raw" \
        > "$work/$name.log" 2>&1; then
        echo "FAIL $name: report failed:"
        cat "$work/$name.log"
        failed=$((failed + 1))
        return
    fi
    sed "s|$src|@SRC@|g" "$work/$name.raw" > "$work/$name.txt"
    if [ "${AP_REGENERATE:-}" = 1 ]; then
        cp "$work/$name.txt" "$src/tests/golden/$name.txt"
        echo "regenerated tests/golden/$name.txt"
    elif diff -u "$src/tests/golden/$name.txt" "$work/$name.txt"; then
        passed=$((passed + 1))
    else
        echo "FAIL $name: the model differs from tests/golden/$name.txt (see the diff above;"
        echo "     if the change is intended, rerun with AP_REGENERATE=1 and review it)"
        failed=$((failed + 1))
    fi
}

fix="$src/tests/fixtures/report"
if load "$work/fixture.db" "$fix/actionplan.ini" "$fix/data"; then
    check fixture-cabinet "$work/fixture.db" "$fix/actionplan.ini" cabinet --quarter 2016/17-Q4
    check fixture-board "$work/fixture.db" "$fix/actionplan.ini" board --quarter 2016/17-Q4
    check fixture-range-cabinet "$work/fixture.db" "$fix/actionplan.ini" cabinet \
        --from 2016-07-01 --to 2017-03-31
    check fixture-year-cabinet "$work/fixture.db" "$fix/actionplan.ini" cabinet --year 2016/17
    check fixture-month-board "$work/fixture.db" "$fix/actionplan.ini" board --month 2017-03
else
    echo "FAIL: cannot load the report fixtures"
    failed=$((failed + 1))
fi

if [ -f "$src/sample-data/actionplan.ini" ]; then
    cfg="$src/sample-data/actionplan.ini"
    if load "$work/sample.db" "$cfg" "$src/sample-data"; then
        check sample-cabinet "$work/sample.db" "$cfg" cabinet --quarter 2016/17-Q4
        check sample-board "$work/sample.db" "$cfg" board --quarter 2016/17-Q4
    else
        echo "FAIL: cannot load sample-data/"
        failed=$((failed + 1))
    fi
else
    echo "note: no sample-data/actionplan.ini; sample goldens skipped"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
