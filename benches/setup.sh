#!/usr/bin/env bash
# Installs ZBar for the decoder comparison in `cargo bench` (comparison only: airsign
# does not link it).
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! [ -e /usr/include/zbar.h ]; then
  as_root apt-get update -qq
  as_root apt-get install -y -qq libzbar-dev zbar-tools
fi
