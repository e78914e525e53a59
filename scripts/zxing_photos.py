#!/usr/bin/env python3
"""Times zxing-cpp (PyPI zxing-cpp) on every PGM in a folder, for benches/qr_photos.rs:
prints {"file.pgm": {"texts": [...], "ms": <time of read_barcodes>}} as JSON. Default
options (tryHarder, tryRotate, tryInvert, tryDownscale), QR only; file loading not timed."""
import json
import os
import sys
import time

import zxingcpp

from zxing_decode import read_pgm


def main(folder):
    out = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".pgm"):
            continue
        image = read_pgm(os.path.join(folder, name))
        start = time.perf_counter()
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        ms = (time.perf_counter() - start) * 1000.0
        out[name] = {"texts": [b.text for b in found if b.valid], "ms": ms}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
