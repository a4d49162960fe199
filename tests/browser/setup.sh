#!/usr/bin/env bash
# Installs the browser tests' npm packages (axe-core, playwright-core, vnu-jar)
# into tests/browser/node_modules, exactly as package-lock.json pins them. Run by
# scripts/deps.sh --test, and by the tests themselves when the folder is missing.
# Install scripts are not run: vnu-jar's would download a Java runtime, and the
# tests use Debian's (default-jre-headless) and Debian's Chromium instead.
# Nothing here is needed to build or run actionplan.
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.package-lock.json
if [ -f "$stamp" ] && [ ! package-lock.json -nt "$stamp" ]; then
  exit 0
fi
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
