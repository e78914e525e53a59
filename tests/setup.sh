#!/usr/bin/env bash
# Installs what the test suite needs at run time, idempotently: Node.js, Debian's monero
# package (monerod and Monero's own wallets, for the Monero regtest and interop tests),
# Python 3 (tests/regtest/up.sh), the independent UR implementation the interop tests run
# (fixtures/ur), and the reference XRPL libraries the rippled stand-in checks blobs with
# (fixtures/xrpl).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
# Monero's own wallet (monero-wallet-rpc, monero-wallet-cli), the peer of the Monero tests.
command -v monero-wallet-cli >/dev/null 2>&1 || missing+=(monero)
command -v curl >/dev/null 2>&1 || missing+=(curl)
# tests/regtest/up.sh picks free ports and reads JSON-RPC replies with Python.
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
for dir in fixtures/ur fixtures/xrpl; do
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
