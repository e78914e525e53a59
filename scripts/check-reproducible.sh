#!/usr/bin/env bash
# Builds the release package twice from one clean checkout of HEAD (a clone at a fixed
# path, so edits in the working tree cannot leak in and both builds see the same commit
# and the same paths), removing the build directory in between, and compares the binaries
# and the .debs byte for byte. Prints the SHA-256 sums; exits 1 if they differ. Each build
# is a full release build (12-16 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
keep=$PWD/target/repro-check
src=$PWD/target/repro-src
rm -rf "$keep" "$src"; mkdir -p "$keep"
git clone -q --no-hardlinks "$PWD" "$src"
echo "building commit $(git -C "$src" rev-parse HEAD) twice in $src"
for n in 1 2; do
  rm -rf "$src/target"
  (cd "$src" && bash scripts/build-deb.sh --out "$keep/deb-$n" >/dev/null)
  cp "$src/target/reproducible/release/airsign" "$keep/airsign-$n"
done
sha256sum "$keep"/airsign-1 "$keep"/airsign-2 "$keep"/deb-*/airsign_*.deb
if cmp -s "$keep/airsign-1" "$keep/airsign-2" && cmp -s "$keep"/deb-1/airsign_*.deb "$keep"/deb-2/airsign_*.deb; then
  echo "reproducible: both builds gave the same binary and the same .deb"
else
  echo "NOT reproducible: the builds differ" >&2
  exit 1
fi
