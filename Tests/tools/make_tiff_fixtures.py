#!/usr/bin/env python3
"""Writes the small TIFF fixtures in Tests/Fixtures/tiff with writers other than ours:
python's tifffile and libtiff's own tools (tiffcp), plus a few hand-made broken headers.
ImageJ-written fixtures come from MakeImageJFixtures.java (see make_tiff_fixtures.sh).

Run once from the package root:  sh Tests/tools/make_tiff_fixtures.sh
The fixtures are committed; tests recompute the expected pixels with the same formula
(TIFFFixtureValues.swift in Tests/TIFFSupportTests must agree with `base` and `typed` here).
"""
import os
import struct
import subprocess
import sys

import numpy as np
import tifffile

OUT = sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/tiff"
W, H = 20, 18


def base(pages, channels):
    """(page*97 + channel*31 + y*7 + x*3) % 251, shape (pages, channels, H, W)."""
    p = np.arange(pages).reshape(pages, 1, 1, 1)
    c = np.arange(channels).reshape(1, channels, 1, 1)
    y = np.arange(H).reshape(1, 1, H, 1)
    x = np.arange(W).reshape(1, 1, 1, W)
    return (p * 97 + c * 31 + y * 7 + x * 3) % 251


def typed(b, kind):
    """The fixture value of each sample type, from base values 0...250."""
    b = b.astype(np.int64)
    if kind == "uint8": return b.astype(np.uint8)
    if kind == "uint16": return (b * 257).astype(np.uint16)
    if kind == "uint32": return (b * 16_000_000 + 1).astype(np.uint32)
    if kind == "int8": return (b - 125).astype(np.int8)
    if kind == "int16": return ((b - 125) * 250).astype(np.int16)
    if kind == "int32": return ((b - 125) * 17_000_000).astype(np.int32)
    if kind == "float32": return ((b - 125) * np.float32(0.37)).astype(np.float32)
    if kind == "float64": return (b - 125) * 0.37
    if kind == "float16": return (b / 4 - 30).astype(np.float16)
    raise ValueError(kind)


def path(name):
    return os.path.join(OUT, name)


def tiffcp(args, source, target):
    subprocess.run(["tiffcp", *args, path(source), path(target)], check=True)


def main():
    os.makedirs(OUT, exist_ok=True)
    one = lambda kind: typed(base(1, 1), kind)[0, 0]

    # Grayscale, every integer and float type tifffile writes, uncompressed, one strip each.
    for kind in ["uint8", "uint16", "uint32", "int8", "int16", "int32", "float32", "float64", "float16"]:
        tifffile.imwrite(path(f"gray_{kind}.tif"), one(kind), photometric="minisblack")
    # Big-endian files (libtiff swaps to native order).
    tifffile.imwrite(path("gray_uint16_bigendian.tif"), one("uint16"), byteorder=">", photometric="minisblack")
    tifffile.imwrite(path("gray_float32_bigendian.tif"), one("float32"), byteorder=">", photometric="minisblack")
    # Compression and strips by libtiff's tiffcp: LZW/Deflate with predictors, PackBits.
    tiffcp(["-c", "lzw:2", "-r", "5"], "gray_uint16.tif", "gray_uint16_lzw_predictor.tif")
    tiffcp(["-c", "zip:2", "-r", "4"], "gray_int32.tif", "gray_int32_deflate_predictor.tif")
    tiffcp(["-c", "packbits", "-r", "3"], "gray_uint8.tif", "gray_uint8_packbits.tif")
    tiffcp(["-c", "lzw:3", "-r", "7"], "gray_float32.tif", "gray_float32_lzw_fpredictor.tif")
    tiffcp(["-c", "zip"], "gray_float64.tif", "gray_float64_deflate.tif")
    # Tiles (16x16 on a 20x18 image: partial edge tiles).
    tiffcp(["-t", "-w", "16", "-l", "16", "-c", "zip"], "gray_float32.tif", "gray_float32_tiled_deflate.tif")

    # Several samples per pixel: RGB interleaved and planar, five channels planar.
    rgb8 = np.moveaxis(typed(base(1, 3), "uint8")[0], 0, -1)  # (H, W, 3)
    tifffile.imwrite(path("rgb_uint8_contig.tif"), rgb8, photometric="rgb")
    tifffile.imwrite(path("rgb_uint16_planar.tif"), typed(base(1, 3), "uint16")[0], photometric="rgb",
                     planarconfig="separate")
    tiffcp(["-t", "-w", "16", "-l", "16", "-c", "lzw:2"], "rgb_uint8_contig.tif", "rgb_uint8_tiled_lzw.tif")
    # (tiffcp -t -p separate scrambles separate planes into tiles in libtiff 4.5: tifffile here.)
    tifffile.imwrite(path("rgb_uint16_tiled_planar.tif"), typed(base(1, 3), "uint16")[0], photometric="rgb",
                     planarconfig="separate", tile=(16, 16), compression="zlib", predictor=True)
    tifffile.imwrite(path("multi5_float32_planar.tif"), typed(base(1, 5), "float32")[0],
                     photometric="minisblack", planarconfig="separate", extrasamples=[0] * 4)
    tifffile.imwrite(path("multi4_int16_contig.tif"), np.moveaxis(typed(base(1, 4), "int16")[0], 0, -1),
                     photometric="minisblack", planarconfig="contig", extrasamples=[0] * 3)

    # Multi-page: a plain 3-page stack (tifffile), and BigTIFF copies.
    tifffile.imwrite(path("stack3_uint16.tif"), typed(base(3, 1), "uint16")[:, 0], photometric="minisblack")
    tiffcp(["-8", "-c", "zip"], "stack3_uint16.tif", "stack3_uint16_bigtiff.tif")
    tifffile.imwrite(path("rgb_uint8_bigtiff_tiled.tif"), rgb8, photometric="rgb", bigtiff=True,
                     tile=(16, 16), compression="zlib")

    # An ImageJ hyperstack written by tifffile: 3 slices x 2 channels, calibrated in micrometres.
    hyper = typed(base(6, 1), "float32")[:, 0].reshape(1, 3, 2, H, W)  # TZCYX, page = z*2 + c
    tifffile.imwrite(path("hyperstack_z3c2_float32_tifffile.tif"), hyper, imagej=True,
                     resolution=(1 / 0.5, 1 / 0.25), metadata={"axes": "TZCYX", "unit": "um", "spacing": 2.5})
    # Resolution tags without ImageJ: 4 pixels per centimetre.
    tifffile.imwrite(path("calibrated_cm_uint8.tif"), one("uint8"), photometric="minisblack",
                     resolution=(4, 8), resolutionunit="CENTIMETER")

    # 1-bit (tifffile writes bool arrays as 1-bit min-is-white) and palette indices.
    bits = (base(1, 1)[0, 0] % 3) == 0
    tifffile.imwrite(path("bilevel_1bit.tif"), bits)
    tiffcp(["-c", "packbits", "-r", "5"], "bilevel_1bit.tif", "bilevel_1bit_packbits.tif")
    colormap = np.zeros((3, 256), np.uint16)
    colormap[0] = np.arange(256) * 257
    tifffile.imwrite(path("palette_uint8.tif"), one("uint8"), photometric="palette", colormap=colormap)

    # A main image followed by a reduced-resolution page (NewSubfileType 1), which is skipped.
    with tifffile.TiffWriter(path("with_thumbnail_uint8.tif")) as tif:
        tif.write(one("uint8"), photometric="minisblack")
        tif.write(one("uint8")[::2, ::2], photometric="minisblack", subfiletype=1)

    # Unsupported layouts.
    tifffile.imwrite(path("unsupported_int64.tif"), one("int32").astype(np.int64), photometric="minisblack")
    tifffile.imwrite(path("unsupported_complex64.tif"), one("float32").astype(np.complex64),
                     photometric="minisblack")
    tiffcp(["-c", "jpeg", "-r", "16"], "rgb_uint8_contig.tif", "unsupported_ycbcr_jpeg.tif")

    write_broken_headers()


def classic_tiff(entries, pixel_bytes=b""):
    """A little-endian classic TIFF with one IFD of (tag, type, value) entries (SHORT=3, LONG=4),
    followed by `pixel_bytes`; StripOffsets (273) is set to where the pixel bytes start."""
    count = len(entries) + 1
    ifd_size = 2 + count * 12 + 4
    data_offset = 8 + ifd_size
    entries = sorted(entries + [(273, 4, data_offset)])
    out = bytearray(b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", count))
    for tag, kind, value in entries:
        packed = struct.pack("<H", value) + b"\x00\x00" if kind == 3 else struct.pack("<I", value)
        out += struct.pack("<HHI", tag, kind, 1) + packed
    out += struct.pack("<I", 0)
    return bytes(out + pixel_bytes)


def write_broken_headers():
    def gray8(width, height, compression, byte_count):
        return [(256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, compression), (262, 3, 1),
                (277, 3, 1), (278, 4, height), (279, 4, byte_count)]

    # Claims 100000 x 100000 8-bit pixels (10 GB) in a 100-byte file.
    with open(path("header_100000x100000.tif"), "wb") as f:
        f.write(classic_tiff(gray8(100_000, 100_000, 1, 16), bytes(16)))
    # Claims 2000 x 2000 uncompressed pixels (4 MB) with 16 bytes of data.
    with open(path("header_exceeds_file.tif"), "wb") as f:
        f.write(classic_tiff(gray8(2000, 2000, 1, 16), bytes(16)))
    # Claims 30000 x 30000 Deflate-compressed pixels (900 MB) with 64 bytes of data.
    with open(path("header_deflate_exceeds_ratio.tif"), "wb") as f:
        f.write(classic_tiff(gray8(30_000, 30_000, 8, 64), bytes(64)))


if __name__ == "__main__":
    main()
