#!/usr/bin/env python3
"""Outside check of segment's "rois" and "table" outputs with roifile from PyPI.

Usage: check_rois_table.py WORKER_BINARY

Creates (once) the venv .build/outside-venv with roifile, numpy and tifffile, then runs the
worker: generate a nuclei image, train a tiny model, build a two-page stack of it, segment
both with outputs ["instances", "rois", "table"], and checks with roifile that every ROI of
<stem>_rois.zip is a polygon whose even-odd fill at pixel centres is its instance's pixels
(plus its holes), on the right page, and that every row of <stem>_objects.csv matches the
instance image (area, bounding box, centroid) and the columns are the protocol's.
"""
import csv
import json
import os
import subprocess
import sys
import tempfile
import venv

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
VENV = os.path.join(ROOT, ".build", "outside-venv")
PACKAGES = ["roifile", "numpy", "tifffile"]
COLUMNS = ["label", "class", "area_px", "area_um2", "centroid_x", "centroid_y", "bbox_x", "bbox_y",
           "bbox_width", "bbox_height", "mean_probability"]


def ensure_venv():
    """Re-runs this script inside the venv, creating it and installing the packages if missing."""
    python = os.path.join(VENV, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    if not os.path.exists(python):
        venv.create(VENV, with_pip=True)
    check = subprocess.run([python, "-c", "import roifile, numpy, tifffile"], capture_output=True)
    if check.returncode != 0:
        subprocess.run([python, "-m", "pip", "install", "--quiet"] + PACKAGES, check=True)
    os.execv(python, [python] + sys.argv)


class Worker:
    def __init__(self, binary, folder):
        self.process = subprocess.Popen([binary], cwd=folder, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True)
        self.next_id = 1

    def call(self, method, params):
        request_id = self.next_id
        self.next_id += 1
        line = json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        while True:
            answer = self.process.stdout.readline()
            if not answer:
                raise SystemExit(f"worker closed its output during {method}")
            message = json.loads(answer)
            if message.get("id") == request_id:
                if "error" in message:
                    raise SystemExit(f"{method} failed: {message['error']}")
                return message["result"]

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=60)


def fill(coordinates, left, top, width, height):
    """Even-odd fill of a polygon at the pixel centres of a box: a boolean array."""
    import numpy as np
    ys, xs = np.mgrid[top:top + height, left:left + width]
    cx, cy = xs + 0.5, ys + 0.5
    inside = np.zeros(cx.shape, dtype=bool)
    points = list(coordinates)
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1]):
        if y1 == y2:
            continue
        crosses = (cy >= min(y1, y2)) & (cy < max(y1, y2))
        x_at = x1 + (cy - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (cx < x_at)
    return inside


def with_holes(mask):
    """The mask with its holes (background not 8-connected to the border) filled."""
    import numpy as np
    padded = np.pad(mask, 1)
    outside = np.zeros(padded.shape, dtype=bool)
    stack = [(0, 0)]
    outside[0, 0] = True
    h, w = padded.shape
    while stack:
        y, x = stack.pop()
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                ny, nx = y + dy, x + dx
                if 0 <= ny < h and 0 <= nx < w and not outside[ny, nx] and not padded[ny, nx]:
                    outside[ny, nx] = True
                    stack.append((ny, nx))
    return ~outside[1:-1, 1:-1]


def check_output(entry, pages, labels):
    import numpy as np
    import roifile
    rois = roifile.roiread(entry["rois"])
    rois = rois if isinstance(rois, list) else [rois]
    objects = {(page, int(l)) for page in range(pages) for l in np.unique(labels[page]) if l != 0}
    assert len(rois) == len(objects) == entry["objects"], (len(rois), len(objects), entry["objects"])
    height, width = labels.shape[1:]
    seen = set()
    for roi in rois:
        assert roi.roitype == roifile.ROI_TYPE.POLYGON, roi.roitype
        label = int(roi.name.rsplit("-", 1)[1])
        page = roi.position - 1 if pages > 1 else 0
        assert (page, label) in objects and (page, label) not in seen, (roi.name, page, label)
        seen.add((page, label))
        mask = labels[page] == label
        filled = fill(roi.coordinates().tolist(), 0, 0, width, height)
        assert np.array_equal(filled, with_holes(mask)), f"{roi.name}: fill differs from the object"
    with open(entry["table"], newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        assert header == COLUMNS + (["page"] if pages > 1 else []), header
        rows = [dict(zip(header, row)) for row in reader]
    assert len(rows) == len(objects), (len(rows), len(objects))
    for row in rows:
        page = int(row["page"]) - 1 if pages > 1 else 0
        mask = labels[page] == int(row["label"])
        ys, xs = np.nonzero(mask)
        assert int(row["area_px"]) == mask.sum() and row["area_um2"] == "" and row["class"] == "1", row
        assert int(row["bbox_x"]) == xs.min() and int(row["bbox_y"]) == ys.min(), row
        assert int(row["bbox_width"]) == xs.max() - xs.min() + 1, row
        assert int(row["bbox_height"]) == ys.max() - ys.min() + 1, row
        assert abs(float(row["centroid_x"]) - (xs.mean() + 0.5)) < 1e-9, row
        assert abs(float(row["centroid_y"]) - (ys.mean() + 0.5)) < 1e-9, row
        assert 0 <= float(row["mean_probability"]) <= 1, row
    return len(rois)


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
                                             "seed": 7})
        image, truth = generated["images"][0], generated["labels"][0]
        worker.call("train", {"images": [image], "labels": [truth], "model_out": "model.unet", "iterations": 3,
                              "config": {"base_channels": 4, "depth": 2, "tile_size": 20, "seed": 5}})
        stack = os.path.join(folder, "data", "stack.tif")
        page = tifffile.imread(image)
        tifffile.imwrite(stack, np.stack([page, np.flipud(page)]), imagej=True, metadata={"axes": "ZYX"})
        total = 0
        # A low threshold gives the untrained network objects of all shapes (holes included).
        for threshold in (0.5, 0.3):
            result = worker.call("segment", {"model": "model.unet", "images": [image, stack], "output_dir": "out",
                                             "outputs": ["instances", "rois", "table"], "threshold": threshold})
            for entry in result["outputs"]:
                labels = tifffile.imread(entry["instances"])
                labels = labels.reshape((-1,) + labels.shape[-2:])
                total += check_output(entry, labels.shape[0], labels)
        worker.close()
    assert total > 0, "no objects were segmented"
    print(f"rois and table: {total} ROIs read with roifile match their instances and table rows")


if __name__ == "__main__":
    main()
