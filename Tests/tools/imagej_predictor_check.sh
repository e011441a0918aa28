#!/bin/sh
# Measures which compression + predictor combinations ImageJ reads correctly, the basis of
# TIFFWriter's choices. Writes files with tifffile (uncompressed) and libtiff's tiffcp
# (lzw, lzw:2 = LZW + horizontal predictor, zip, zip:2, lzw:3 = floating-point predictor),
# opens them with ImageJ (ImageJReadCheck.java) and compares with tifffile's reading.
# Needs python3 with numpy + tifffile, tiffcp, java and ij.jar.
#   sh Tests/tools/imagej_predictor_check.sh
# Result with ImageJ 1.53t (Debian bookworm): without predictor every type is right; LZW + predictor
# is right for 8/16-bit integers and wrong for 32-bit integers beyond 2^24 and for float32;
# Deflate + predictor is wrong for every type (the predictor is ignored).
set -eu
TOOLS=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
python3 - <<'PY'
import numpy as np, tifffile
ramp = np.arange(30 * 40).reshape(30, 40)
tifffile.imwrite("uint8.tif", (ramp % 256).astype(np.uint8))
tifffile.imwrite("uint16.tif", (ramp * 54).astype(np.uint16))
tifffile.imwrite("int16.tif", (ramp * 54 - 30000).astype(np.int16))
tifffile.imwrite("uint32.tif", (ramp * 1_000_003 + 7).astype(np.uint32))
tifffile.imwrite("int32.tif", (ramp * 1_000_003 - 600_000_000).astype(np.int32))
tifffile.imwrite("float32.tif", (ramp * 0.37 - 100).astype(np.float32))
PY
for f in uint8 uint16 int16 uint32 int32 float32; do
  for c in lzw lzw:2 zip zip:2; do tiffcp -c "$c" "$f.tif" "${f}_$(echo "$c" | tr : -).tif"; done
done
tiffcp -c lzw:3 float32.tif float32_lzw-3.tif
java -Djava.awt.headless=true -cp "${IMAGEJ_JAR:-/usr/share/java/ij.jar}" "$TOOLS/ImageJReadCheck.java" *_*.tif > imagej.txt
python3 - <<'PY'
import json, numpy as np, tifffile
for line in open("imagej.txt"):
    if not line.startswith("IJCHECK "):
        continue
    report = json.loads(line[8:])
    name = report["file"]
    if "error" in report:
        print(f"{name:22} ImageJ error: {report['error']}")
        continue
    truth = tifffile.imread(name.split("_")[0] + ".tif").astype(np.float32).ravel()
    seen = np.array(report["values"], np.float32)
    wrong = np.count_nonzero(seen != truth)
    print(f"{name:22} {'right' if wrong == 0 else f'WRONG ({wrong} of {truth.size} values)'}")
PY
