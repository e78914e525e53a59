#!/usr/bin/env bash
# Builds airsign's Debian package with dpkg-deb (no packaging tool beyond dpkg itself):
# the one `airsign` binary in /usr/bin, desktop entries and icons for "airsign offline" and
# "airsign online", the run-time libraries declared; SHA256SUMS written beside it.
#
#   bash scripts/build-deb.sh                     # release build, reproducible (see below)
#   bash scripts/build-deb.sh --binary PATH       # package a binary already built (CI
#                                                 # packages the one `cargo test` built)
#   bash scripts/build-deb.sh --out DIR           # where the .deb goes (default target/deb)
#
# Reproducible: the release build runs with --locked, SOURCE_DATE_EPOCH = the commit's time,
# and the build paths remapped (--remap-path-prefix), so the same commit built with the
# same toolchain (rust-toolchain is whatever `rustc -V` prints: it is recorded in the
# package's control file) gives the same binary; the package's files carry the commit's
# time and root ownership, so the .deb is the same bytes too. docs/install.md says how to
# check it; scripts/check-reproducible.sh builds twice and compares.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
binary="" out="target/deb"
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: build-deb.sh [--binary PATH] [--out DIR]" >&2; exit 2 ;;
  esac
done

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
if [ -z "$binary" ]; then
  # The paths that end up in panic messages and debug info: the checkout and the
  # dependencies' sources, mapped to fixed names.
  cargo_home=${CARGO_HOME:-$HOME/.cargo}
  flags="--remap-path-prefix=$root=/build/airsign --remap-path-prefix=$cargo_home=/build/cargo"
  RUSTFLAGS="${RUSTFLAGS:-} $flags" CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target/reproducible} \
    cargo build --release --locked --bin airsign
  binary=${CARGO_TARGET_DIR:-target/reproducible}/release/airsign
fi
[ -x "$binary" ] || { echo "no binary at $binary" >&2; exit 1; }

arch=$(dpkg --print-architecture)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
pkg=$stage/airsign
install -d "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/usr/share/applications" "$pkg/usr/share/icons/hicolor/scalable/apps" "$pkg/usr/share/doc/airsign"
# Debug information is not shipped (a package carries the stripped binary, as dh_strip does).
objcopy --strip-debug "$binary" "$pkg/usr/bin/airsign"
chmod 0755 "$pkg/usr/bin/airsign"
install -m 0644 packaging/deb/airsign-offline.desktop packaging/deb/airsign-online.desktop "$pkg/usr/share/applications/"
install -m 0644 packaging/deb/airsign-offline.svg packaging/deb/airsign-online.svg "$pkg/usr/share/icons/hicolor/scalable/apps/"
install -m 0644 README.md "$pkg/usr/share/doc/airsign/README.md"
gzip -9n < docs/security.md > "$pkg/usr/share/doc/airsign/security.md.gz"
chmod 0644 "$pkg/usr/share/doc/airsign/security.md.gz"
size=$(du -k -s "$pkg/usr" | cut -f1)
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
# Run-time libraries: glibc; OpenGL (EGL and GL, Mesa where there is no GPU) and X11 or
# Wayland, which the apps load when a window opens; xkbcommon for the keyboard. The CLI
# needs only libc. The webcam is read through the kernel's V4L2 interface (no library).
cat > "$pkg/DEBIAN/control" <<EOF
Package: airsign
Version: $version
Architecture: $arch
Maintainer: airsign developers <airsign@localhost>
Installed-Size: $size
Depends: libc6 (>= 2.34), libgcc-s1, libegl1, libgl1, libxkbcommon0, libx11-6 | libwayland-client0
Recommends: libxcursor1, libxrandr2, libxi6, libwayland-cursor0, libwayland-egl1
Section: utils
Priority: optional
Homepage: https://github.com/airsign/airsign
Description: sign cryptocurrency transactions on an air-gapped computer
 airsign signs Monero and XRP Ledger transactions on a computer that never
 goes online, and moves everything between it and the online computer as
 animated QR codes read by a webcam or a phone: no USB stick, no network on
 the signer. "airsign offline" holds the keys and shows everything it signs;
 "airsign online" watches the accounts, prepares transactions and broadcasts.
 .
 Built from commit $commit with $(rustc -V 2>/dev/null || echo "an unknown rustc").
EOF
find "$pkg" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
mkdir -p "$out"
deb="$out/airsign_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
(cd "$out" && sha256sum "$(basename "$deb")" > SHA256SUMS)
echo "$deb"
cat "$out/SHA256SUMS"
