#!/usr/bin/env bash
# The Debian package as a user meets it: built (from the binary `cargo test` just built, so
# CI does not compile airsign a second time in release mode; scripts/build-deb.sh without
# --binary makes the reproducible release package), its checksum verified, installed with
# apt-get, then the installed binary runs: --version, a demo transfer, doctor. Then removed.
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
[ -x target/debug/airsign ] || cargo build --bin airsign
out=target/deb-test
rm -rf "$out"
bash scripts/build-deb.sh --binary target/debug/airsign --out "$out" >/dev/null
(cd "$out" && sha256sum -c SHA256SUMS)
deb=$(ls "$out"/airsign_*.deb)
info=$(dpkg-deb --info "$deb"); contents=$(dpkg-deb --contents "$deb")
grep -q "Depends: libc6" <<<"$info" || { echo "the package declares no dependencies" >&2; exit 1; }
for f in ./usr/bin/airsign ./usr/share/applications/airsign-offline.desktop ./usr/share/applications/airsign-online.desktop \
         ./usr/share/icons/hicolor/scalable/apps/airsign-offline.svg ./usr/share/icons/hicolor/scalable/apps/airsign-online.svg; do
  grep -q " $f\$" <<<"$contents" || { echo "the package lacks $f" >&2; exit 1; }
done
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$deb" >/dev/null
trap 'as_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq airsign >/dev/null' EXIT
version=$(/usr/bin/airsign --version)
echo "$version"
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
[ "$version" = "airsign $(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1) (commit $commit)" ] || { echo "--version does not name commit $commit" >&2; exit 1; }
/usr/bin/airsign demo transfer --bytes 20000 --condition webcam --loss 0.2 | tail -3
/usr/bin/airsign doctor
if command -v desktop-file-validate >/dev/null; then desktop-file-validate packaging/deb/*.desktop; fi
echo "the installed package works"
