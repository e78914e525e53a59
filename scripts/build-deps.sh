#!/usr/bin/env bash
# Installs, if missing, the one system package building airsign needs on Debian/Ubuntu:
# libclang, which bindgen loads to generate the webcam crate's V4L2 bindings (nokhwa ->
# v4l2-sys-mit, feature `camera`). The apps need nothing else at build time: X11, Wayland
# and OpenGL are loaded at run time.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! dpkg-query -W -f='${Status}' libclang-dev 2>/dev/null | grep -q "install ok installed"; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libclang-dev
fi
