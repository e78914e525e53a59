#!/usr/bin/env bash
# Re-takes the README's screenshots: the app tests walk through both apps headless and,
# with AIRSIGN_SCREENSHOTS set, save what the software renderer (tests/app_harness/soft_renderer.rs) draws.
# The XRPL test needs the rippled stand-in's node packages and the Monero one monerod: run tests/setup.sh first.
set -euo pipefail
cd "$(dirname "$0")/../.."
AIRSIGN_SCREENSHOTS="$PWD/docs/screenshots" cargo test --test app_offline --test app_online --test app_multisig --test app_monero_online
