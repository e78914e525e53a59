#!/usr/bin/env bash
# Installs what the test suite needs at run time, idempotently: Node.js (for the
# independent UR implementation the interop tests run) and the fixtures' npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  as_root apt-get update -qq
  as_root apt-get install -y -qq nodejs npm
fi
if [ ! -d fixtures/ur/node_modules/@ngraveio/bc-ur ]; then
  (cd fixtures/ur && npm ci --no-audit --no-fund --loglevel=error)
fi
