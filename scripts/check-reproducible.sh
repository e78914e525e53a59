#!/usr/bin/env bash
# Builds the release package twice from this tree, from scratch each time (the build
# directory removed in between), and compares the binaries and the .debs byte for byte.
# Prints both SHA-256 sums; exits 1 if they differ. Each build is a full release build
# (about 15 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
target=target/reproducible keep=target/repro-check
rm -rf "$keep"; mkdir -p "$keep"
for n in 1 2; do
  rm -rf "$target"
  CARGO_TARGET_DIR=$target bash scripts/build-deb.sh --out "$keep/deb-$n" >/dev/null
  cp "$target/release/airsign" "$keep/airsign-$n"
done
sha256sum "$keep"/airsign-1 "$keep"/airsign-2 "$keep"/deb-*/airsign_*.deb
if cmp -s "$keep/airsign-1" "$keep/airsign-2" && cmp -s "$keep"/deb-1/airsign_*.deb "$keep"/deb-2/airsign_*.deb; then
  echo "reproducible: both builds gave the same binary and the same .deb"
else
  echo "NOT reproducible: the builds differ" >&2
  exit 1
fi
