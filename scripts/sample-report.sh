#!/usr/bin/env bash
# Produces the sample Cabinet report from the synthetic sample data: installs what
# is missing, builds, creates a fresh database in out/, imports sample-data/ and
# writes the 2016/17 Q4 report (PDF, XLSX and HTML) into out/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build -j "$(nproc)" > /dev/null
mkdir -p out
rm -f out/sample.db
ap=build/actionplan
cfg=sample-data/actionplan.ini
$ap init --config "$cfg" --db out/sample.db
$ap import --config "$cfg" --db out/sample.db sample-data
$ap check --config "$cfg" --db out/sample.db || true
$ap metrics --config "$cfg" --db out/sample.db --quarter 2016/17-Q4
$ap report --config "$cfg" --db out/sample.db --quarter 2016/17-Q4 --template cabinet --out out
