#!/usr/bin/env bash
# Installs what the test suite needs at run time, idempotently: Node.js, the independent
# UR implementation the interop tests run (fixtures/ur), and the reference XRPL libraries
# the rippled stand-in checks blobs with (fixtures/xrpl).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  as_root apt-get update -qq
  as_root apt-get install -y -qq nodejs npm
fi
for dir in fixtures/ur fixtures/xrpl; do
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
