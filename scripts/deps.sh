#!/usr/bin/env bash
# Installs the Debian 12 packages actionplan needs, if any are missing.
#   scripts/deps.sh          build and run (compiler, libraries, fonts)
#   scripts/deps.sh --test   also what the test suite reads reports back with, and
#                            the browser tests' npm packages (tests/browser/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(build-essential cmake pkg-config libsqlite3-dev libhpdf-dev libxlsxwriter-dev libinih-dev
      libcjson-dev libminizip-dev libexpat1-dev libssl-dev libglpk-dev fonts-dejavu-core)
if [ "${1:-}" = "--test" ]; then
  pkgs+=(poppler-utils sqlite3 python3 time valgrind clang libclang-rt-14-dev
        python3-openpyxl python3-pikepdf python3-scipy chromium default-jre-headless
        unzip libreoffice-calc-nogui)
  # Node from Debian, unless a node and an npm are already installed (a
  # NodeSource nodejs carries its own npm, and Debian's npm would clash with it).
  if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
    pkgs+=(nodejs npm)
  fi
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if [ "${1:-}" = "--test" ]; then
  tests/browser/setup.sh
fi
