#!/usr/bin/env python3
"""Pixel size on real data: a model trained at one scale, applied to its test images rescaled.

The held-out images of a ``Benchmarks/quality.py --keep`` run (``WORK/<set>/fold<k>/test``) and
the model it trained there are used as they are: the model is given a nominal pixel size of
1 µm (``train`` with ``init_model`` on the fold's training images, one iteration,
``config.pixel_size`` 1; its post-processing is calibrated again the same way), the test images and
their labels are rescaled by each ``--scales`` factor with scikit-image (images: linear with
anti-aliasing; labels: nearest) and written as ImageJ TIFFs stating 1/factor µm per pixel
(tifffile). Every rescaled set is segmented twice through the worker's protocol: with the
files' pixel size (the worker resamples to the model's grid) and with ``pixel_size`` 1 in the
request (the images as they are, what a tool without pixel sizes does), and scored with
``evaluate`` against the rescaled labels. Prints a table and writes JSON lines.

Needs numpy, scikit-image and tifffile (the peer's venv has them):
    /tmp/peer/bin/python Benchmarks/pixel_size.py --worker .build/release/unet-worker \\
        --work /tmp/q7/ours/dsb2018/fold0 --model model_seed1.unet --images 40
"""
import argparse
import json
import os
import pathlib
import statistics
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "Plugins" / "python"))
from unet_client import Worker  # noqa: E402

METRICS = ("fg_iou", "seg", "f1_50")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--worker", default=os.environ.get("UNET_WORKER", ".build/release/unet-worker"))
    p.add_argument("--work", required=True, help="a fold folder of a quality.py --keep run (with test/ and the model)")
    p.add_argument("--model", default="model_seed1.unet", help="the model in --work")
    p.add_argument("--images", type=int, default=40, help="test images used (the first N by name)")
    p.add_argument("--scales", default="0.5,1,2", help="comma-separated rescaling factors")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--output", default="", help="JSON lines (default: WORK/pixel_size.jsonl)")
    args = p.parse_args()
    import numpy as np
    import tifffile
    from skimage.transform import rescale

    work = pathlib.Path(args.work).resolve()
    out = work / "pixel_size"
    out.mkdir(exist_ok=True)
    tests = sorted(work.glob("test/*_labels.tif"))[: args.images]
    pairs = [(t.with_name(t.name[: -len("_labels.tif")] + ".tif"), t) for t in tests]
    worker = Worker(os.path.abspath(args.worker), arguments=["--threads", str(args.threads)])
    model = out / "model_1um.unet"
    train_labels = sorted(work.glob("train/*_labels.tif"))
    train_images = [t.with_name(t.name[: -len("_labels.tif")] + ".tif") for t in train_labels]
    if not model.exists():
        worker.train([str(i) for i in train_images], [str(lab) for lab in train_labels], str(model),
                     init_model=str(work / args.model), iterations=1, config={"pixel_size": 1.0}).result()
    rows = []
    for factor in [float(s) for s in args.scales.split(",")]:
        folder = out / f"x{factor:g}"
        folder.mkdir(exist_ok=True)
        images, truths = [], []
        for image, labels in pairs:
            pixels = tifffile.imread(image).astype(np.float32)
            truth = tifffile.imread(labels)
            if factor != 1:
                channel_axis = 2 if pixels.ndim == 3 else None
                pixels = rescale(pixels, factor, order=1, anti_aliasing=factor < 1, preserve_range=True,
                                 channel_axis=channel_axis).astype(np.float32)
                truth = rescale(truth, factor, order=0, anti_aliasing=False, preserve_range=True).astype(truth.dtype)
            size = 1 / factor
            target = folder / image.name
            tifffile.imwrite(target, pixels, imagej=True, resolution=(1 / size, 1 / size), metadata={"unit": "um"})
            tifffile.imwrite(folder / labels.name, truth)
            images.append(str(target))
            truths.append(str(folder / labels.name))
        for mode, options in (("pixel size", {}), ("as is", {"pixel_size": 1.0})):
            seg_dir = folder / ("resampled" if not options else "as_is")
            result = worker.segment(str(model), images, str(seg_dir), outputs=["instances"], **options).result()
            scores = [worker.evaluate(entry["instances"], truth)
                      for entry, truth in zip(result["outputs"], truths)]
            row = dict(scale=factor, mode=mode, images=len(images),
                       **{m: statistics.fmean(s[m] for s in scores) for m in METRICS})
            rows.append(row)
            print(json.dumps(row), flush=True)
    worker.close()
    with open(args.output or out / "pixel_size.jsonl", "a") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    print("\n| scale | segmented | fg IoU | SEG | F1@0.5 |\n| --- | --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row['scale']:g}x | {row['mode']} | {row['fg_iou']:.3f} | {row['seg']:.3f} | {row['f1_50']:.3f} |")


if __name__ == "__main__":
    main()
