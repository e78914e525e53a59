#!/usr/bin/env python3
"""Decodes every PGM frame in a folder with zxing-cpp (PyPI zxing-cpp, the decoder Feather
and many phone scanners build on), with its defaults (rotations, downscaling, inversion:
what TryHarder does), and prints {"file.pgm": ["text", ...], ...} as JSON. Used by
tests/zxing_profiles.rs; tests/setup.sh installs zxing-cpp."""
import json
import os
import sys

import zxingcpp


def read_pgm(path):
    with open(path, "rb") as f:
        data = f.read()
    # P5\n<w> <h>\n255\n<bytes>: the frames are written by the test in exactly this form.
    magic, dims, maxval, pixels = data.split(b"\n", 3)
    if magic != b"P5" or maxval != b"255":
        raise ValueError(f"{path}: not an 8-bit binary PGM")
    width, height = (int(x) for x in dims.split())
    return memoryview(pixels).cast("B", (height, width))


def main(folder):
    out = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".pgm"):
            found = zxingcpp.read_barcodes(read_pgm(os.path.join(folder, name)), formats=zxingcpp.BarcodeFormat.QRCode)
            out[name] = [b.text for b in found if b.valid]
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
