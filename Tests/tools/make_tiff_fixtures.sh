#!/bin/sh
# Regenerates Tests/Fixtures/tiff: tifffile + tiffcp fixtures, then ImageJ-written ones.
# Needs python3 with numpy and tifffile, libtiff-tools (tiffcp), java and ImageJ's ij.jar.
set -eu
cd "$(dirname "$0")/../.."
OUT=Tests/Fixtures/tiff
mkdir -p "$OUT"
python3 Tests/tools/make_tiff_fixtures.py "$OUT"
java -Djava.awt.headless=true -cp "${IMAGEJ_JAR:-/usr/share/java/ij.jar}" \
  Tests/tools/MakeImageJFixtures.java "$OUT"
ls -l "$OUT"
