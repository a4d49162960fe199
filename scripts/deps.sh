#!/usr/bin/env bash
# Installs the Debian 12 packages actionplan needs, if any are missing.
#   scripts/deps.sh          build and run (compiler, libraries, fonts)
#   scripts/deps.sh --test   also what the test suite reads reports back with
set -euo pipefail
pkgs=(build-essential cmake pkg-config libsqlite3-dev libhpdf-dev libxlsxwriter-dev libinih-dev
      libcjson-dev libminizip-dev libexpat1-dev libssl-dev libglpk-dev fonts-dejavu-core)
if [ "${1:-}" = "--test" ]; then
  pkgs+=(poppler-utils sqlite3 python3 time valgrind clang libclang-rt-14-dev
        python3-openpyxl python3-pikepdf python3-scipy unzip libreoffice-calc-nogui)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
