#!/usr/bin/env bash
# CI installs through the one package list (scripts/deps.sh), never a copy of
# it: deps-one-list.sh BINARY SOURCE_DIR WORK_DIR
#  - .ci/run installs nothing itself and runs `scripts/deps.sh --test` before
#    the test suite and the fuzzing (which need clang from that list);
#  - every package deps.sh --test names is a real Debian package, installed here
#    (a misspelt name would break CI on a fresh machine);
#  - the browser tests' npm packages come from the committed lock file.
set -u
SRC=$2
fails=0 passes=0
ok() { echo "ok: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
run=$SRC/.ci/run deps=$SRC/scripts/deps.sh

if grep -qE '^[^#]*apt-get +install' "$run"; then fail ".ci/run installs packages itself"
else ok ".ci/run has no package list of its own"; fi
deps_line=$(grep -nE '^[^#]*scripts/deps\.sh --test' "$run" | head -1 | cut -d: -f1)
test_line=$(grep -nE '^[^#]*scripts/test\.sh' "$run" | head -1 | cut -d: -f1)
fuzz_line=$(grep -nE '^[^#]*scripts/fuzz\.sh' "$run" | head -1 | cut -d: -f1)
if [ -n "$deps_line" ] && [ -n "$test_line" ] && [ -n "$fuzz_line" ] &&
  [ "$deps_line" -lt "$test_line" ] && [ "$deps_line" -lt "$fuzz_line" ]; then
  ok ".ci/run runs scripts/deps.sh --test first"
else fail ".ci/run does not run scripts/deps.sh --test before the tests and the fuzzing"; fi

# The packages deps.sh --test would install: its arrays, read without running it.
pkgs=$(sed -n '/^pkgs=(/,/^fi$/p' "$deps" | grep -v '^ *#' | grep -oE "[a-z0-9][a-z0-9.+-]+" | sed "s/+$//" |
  grep -vE '^(pkgs|pkgs+|if|then|fi|test|command|v|node|npm|null|dev)$' | sort -u)
for p in build-essential cmake libsqlite3-dev clang libclang-rt-14-dev poppler-utils chromium nodejs; do
  echo "$pkgs" | grep -qx "$p" || fail "deps.sh --test does not name $p"
done
missing=""
for p in $pkgs; do
  [ "$p" = nodejs ] || [ "$p" = npm ] && continue # only when no node is installed
  dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "ok installed" || missing+=" $p"
done
if [ -z "$missing" ]; then ok "all $(echo "$pkgs" | wc -l) packages of deps.sh --test are installed here"
else fail "deps.sh names packages that are not installed:$missing"; fi
if grep -q 'tests/browser/setup.sh' "$deps" && grep -q 'npm ci' "$SRC/tests/browser/setup.sh" &&
  [ -f "$SRC/tests/browser/package-lock.json" ]; then
  ok "npm packages from tests/browser/package-lock.json (npm ci)"
else fail "the browser tests' npm packages are not installed from the lock file"; fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
