#!/usr/bin/env python3
"""Outside check of inputs written by tifffile from PyPI: pixel sizes and OME-TIFF planes.

Usage: check_tifffile_inputs.py WORKER_BINARY

Uses the venv of check_rois_table.py (.build/outside-venv: roifile, numpy, tifffile). tifffile
writes OME-TIFF files (PhysicalSizeX/Y in µm and in nm), an ImageJ hyperstack-style TIFF
(resolution + unit=um) and a plain TIFF with an image editor's 72 dpi; the worker must read
the pixel size of each as tifffile wrote it (`segment`'s `pixel_size`, `area_um2` in the
object table), keep it in a model trained on such an image (`train`, `model_info`), resample
an image of another pixel size for that model and return outputs of the input's size with
the input's calibration (read back by tifffile). Then OME-TIFFs of 2 channels x 3 Z planes in
two dimension orders (XYCZT from axes ZCYX, XYZCT from CZYX): a two-channel model trained on one
segments both exactly as the same data in an ImageJ hyperstack (one image per Z plane, the C
planes its channels). Last, a tiled zlib uint16 OME-TIFF segmented band by band ("stream": true):
tifffile reads the strip-written outputs, equal to the in-memory run's, with the input's
calibration.
"""
import csv
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_rois_table import Worker, ensure_venv  # noqa: E402

PASSED = []
FAILED = []


def check(name, condition, detail=""):
    (PASSED if condition else FAILED).append(name)
    print(f"{'ok' if condition else 'not ok'} {len(PASSED) + len(FAILED)} - {name}" + ("" if condition else f"  # {detail}"))


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    ensure_venv()
    import numpy as np
    import tifffile

    with tempfile.TemporaryDirectory() as folder:
        worker = Worker(binary, folder)
        generated = worker.call("generate", {"kind": "nuclei", "output_dir": "data", "width": 96, "height": 96,
                                             "seed": 4})
        image, truth = generated["images"][0], generated["labels"][0]
        pixels = tifffile.imread(os.path.join(folder, image)).astype(np.float32)

        def path(name):
            return os.path.join(folder, "data", name)

        tifffile.imwrite(path("ome_um.ome.tif"), pixels, ome=True,
                         metadata={"axes": "YX", "PhysicalSizeX": 0.25, "PhysicalSizeY": 0.25,
                                   "PhysicalSizeXUnit": "µm", "PhysicalSizeYUnit": "µm"})
        tifffile.imwrite(path("ome_nm.ome.tif"), pixels, ome=True,
                         metadata={"axes": "YX", "PhysicalSizeX": 500, "PhysicalSizeY": 500,
                                   "PhysicalSizeXUnit": "nm", "PhysicalSizeYUnit": "nm"})
        tifffile.imwrite(path("imagej.tif"), pixels, imagej=True, resolution=(1 / 0.5, 1 / 0.5),
                         metadata={"unit": "um", "axes": "YX"})
        tifffile.imwrite(path("dpi72.tif"), pixels, resolution=(72, 72), resolutionunit="INCH")

        worker.call("train", {"images": ["data/ome_um.ome.tif"], "labels": [truth], "model_out": "model.unet",
                              "iterations": 40, "config": {"base_channels": 4, "depth": 2, "tile_size": 20, "seed": 5}})
        info = worker.call("model_info", {"model": "model.unet"})
        check("a model trained on a 0.25 µm OME-TIFF keeps 0.25 µm", abs((info["pixel_size"] or 0) - 0.25) < 1e-9,
              info["pixel_size"])

        expected = {"ome_um.ome.tif": 0.25, "ome_nm.ome.tif": 0.5, "imagej.tif": 0.5, "dpi72.tif": None}
        result = worker.call("segment", {"model": "model.unet", "images": [f"data/{n}" for n in expected],
                                         "output_dir": "out", "outputs": ["mask", "instances", "table"],
                                         "min_object_area": 0, "threshold": 0.3})
        for (name, size), entry in zip(expected.items(), result["outputs"]):
            stated = entry.get("pixel_size")
            check(f"{name}: pixel_size {size}",
                  (stated is None and size is None) or (stated is not None and size is not None
                                                        and abs(stated - size) < 1e-9), stated)
            resampled = size is not None and abs(size - 0.25) > 0.0025
            if resampled:
                # Resampled for the 0.25 µm model: twice the pixels on its grid, outputs at the input's size.
                check(f"{name}: the network saw {2 * 96}x{2 * 96}", entry.get("network_size") == [192, 192],
                      entry.get("network_size"))
            else:
                check(f"{name}: not resampled", "network_size" not in entry, entry.get("network_size"))
            mask = tifffile.TiffFile(entry["mask"])
            check(f"{name}: mask of the input's size", mask.pages[0].shape == (96, 96), mask.pages[0].shape)
            if size is not None:
                # The outputs carry the input's calibration (ImageJ resolution + unit).
                x_resolution = mask.pages[0].tags["XResolution"].value
                check(f"{name}: mask calibrated {size} µm/pixel",
                      abs(x_resolution[1] / x_resolution[0] - size) < 1e-6, x_resolution)
            with open(entry["table"], newline="") as handle:
                rows = list(csv.DictReader(handle))
            check(f"{name}: objects found", len(rows) > 0, len(rows))
            areas_ok = all((row["area_um2"] == "") if size is None
                           else abs(float(row["area_um2"]) - int(row["area_px"]) * size * size) < 1e-6
                           for row in rows)
            check(f"{name}: area_um2 = area_px x pixel area", areas_ok, rows[:1])

        # OME-TIFF planes: channels gathered wherever the dimension order puts them.
        two = np.stack([pixels, np.flipud(pixels)])               # C, Y, X
        planes = np.stack([two, np.roll(two, 7, axis=2), np.fliplr(two)])  # Z, C, Y, X
        tifffile.imwrite(path("zc.ome.tif"), planes, ome=True, metadata={"axes": "ZCYX"})
        tifffile.imwrite(path("cz.ome.tif"), planes.transpose(1, 0, 2, 3), ome=True, metadata={"axes": "CZYX"})
        tifffile.imwrite(path("hyper.tif"), planes, imagej=True, metadata={"axes": "ZCYX"})
        orders = [tifffile.TiffFile(path(n)).ome_metadata.split('DimensionOrder="')[1][:5]
                  for n in ("zc.ome.tif", "cz.ome.tif")]
        check("tifffile wrote the dimension orders XYCZT and XYZCT", orders == ["XYCZT", "XYZCT"], orders)
        labels = tifffile.imread(os.path.join(folder, truth))
        tifffile.imwrite(path("labels3.tif"), np.stack([labels, np.roll(labels, 7, axis=1), np.fliplr(labels)]),
                         photometric="minisblack")
        worker.call("train", {"images": ["data/zc.ome.tif"], "labels": ["data/labels3.tif"], "model_out": "two.unet",
                              "iterations": 5, "config": {"base_channels": 4, "depth": 2, "tile_size": 20}})
        info = worker.call("model_info", {"model": "two.unet"})
        check("the OME-TIFF trains a two-channel model (3 images)", info["input_channels"] == 2, info["input_channels"])
        maps = {}
        for name in ("hyper.tif", "zc.ome.tif", "cz.ome.tif"):
            result = worker.call("segment", {"model": "two.unet", "images": [f"data/{name}"], "output_dir": f"planes_{name}",
                                             "outputs": ["probabilities"]})
            maps[name] = tifffile.imread(result["outputs"][0]["probabilities"])
        check("3 probability pages per file", all(m.shape == (3, 96, 96) for m in maps.values()),
              [m.shape for m in maps.values()])
        for name in ("zc.ome.tif", "cz.ome.tif"):
            same = maps[name].shape == maps["hyper.tif"].shape and np.array_equal(maps[name], maps["hyper.tif"])
            check(f"{name} segments exactly as the ImageJ hyperstack", same)

        # The request's pixel_size overrides the file: the 72 dpi image at 0.5 µm is resampled.
        override = worker.call("segment", {"model": "model.unet", "images": ["data/dpi72.tif"], "output_dir": "over",
                                           "outputs": ["mask"], "pixel_size": 0.5})
        entry = override["outputs"][0]
        check("pixel_size in the request overrides the file",
              entry.get("pixel_size") == 0.5 and entry.get("network_size") == [192, 192], entry)
        # A tiled, compressed uint16 OME-TIFF segmented band by band ("stream": true): tifffile reads
        # the strip-written outputs, equal to the in-memory ones, with the input's calibration.
        big = np.tile((pixels * 60000 / max(float(pixels.max()), 1e-6)).astype(np.uint16), (3, 2))
        tifffile.imwrite(path("tiled16.ome.tif"), big, ome=True, tile=(32, 32), compression="zlib",
                         metadata={"axes": "YX", "PhysicalSizeX": 0.25, "PhysicalSizeY": 0.25,
                                   "PhysicalSizeXUnit": "µm", "PhysicalSizeYUnit": "µm"})
        outputs = {}
        for stream in (True, False):
            result = worker.call("segment", {"model": "model.unet", "images": ["data/tiled16.ome.tif"],
                                             "output_dir": f"stream_{stream}", "tile_size": 44, "stream": stream})
            outputs[stream] = result["outputs"][0]
        check("the streamed entry names its bands", outputs[True].get("bands", 0) >= 2 and "bands" not in outputs[False],
              outputs[True])
        for kind in ("probabilities", "mask", "instances"):
            streamed, whole = tifffile.imread(outputs[True][kind]), tifffile.imread(outputs[False][kind])
            check(f"streamed {kind}: tifffile reads it, equal to the in-memory one",
                  streamed.shape == big.shape and streamed.dtype == whole.dtype and np.array_equal(streamed, whole),
                  (streamed.shape, streamed.dtype, whole.dtype))
        with tifffile.TiffFile(outputs[True]["mask"]) as mask:
            x_resolution = mask.pages[0].tags["XResolution"].value
            check("the streamed mask keeps the input's 0.25 µm",
                  abs(x_resolution[1] / x_resolution[0] - 0.25) < 1e-6, x_resolution)
        worker.process.stdin.close()
        worker.process.wait(timeout=60)
    print(f"{len(PASSED)} passed, {len(FAILED)} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
