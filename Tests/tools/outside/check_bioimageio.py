#!/usr/bin/env python3
"""Outside check of `export` with the real bioimage.io tools from PyPI.

Usage: check_bioimageio.py WORKER_BINARY

Creates (once) the venv .build/bioimageio-venv with bioimageio.core, onnxruntime, onnx, numpy
and tifffile, then runs the worker: generate a nuclei image of exactly one legal output tile,
train a tiny model (base_channels 4, depth 2), export it, and checks that
- `bioimageio test` (bioimageio.core.test_model) passes on the package;
- onnx.checker accepts the weights, and onnxruntime's probabilities on the image (normalised as
  `segment` normalises it: percentiles over the whole image, no eps; mirrored by the margin)
  equal `segment`'s probabilities within 1e-4 (a gray and an RGB model);
- the result's sha256 is the file's, its onnx_opset the graph's;
- a three-class model with class names and a pixel size exports and passes too (the pixel size
  is recorded in config.unet_worker.pixel_size_um);
- bad params (missing model, output not .zip, illegal tile_size, bad name/authors) give clear errors.
Prints TAP-like `ok N - ...` lines; exits 1 on any failure.
"""
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import venv
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
VENV = os.path.join(ROOT, ".build", "bioimageio-venv")
# pydantic 2.14 raises on bioimageio.spec 0.5.12's serializer (it passes `info` as the wrap
# handler's index_key, pydantic PR 13506), so the last release before it is pinned.
PACKAGES = ["bioimageio.core", "onnxruntime", "onnx", "numpy", "tifffile", "pydantic<2.14"]
IMPORTS = "import bioimageio.core, onnxruntime, onnx, numpy, tifffile, pydantic; assert pydantic.VERSION < '2.14'"
TINY = {"base_channels": 4, "depth": 2, "tile_size": 20, "seed": 5}
MARGIN = 20        # 6 * 2^depth - 4 for depth 2
IMAGE = 64         # a legal output size for depth 2 (4 + 4k): one tile covers the image
TOLERANCE = 1e-4


def ensure_venv():
    """Re-runs this script inside the venv, creating it and installing the packages if missing."""
    python = os.path.join(VENV, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    if not os.path.exists(python):
        venv.create(VENV, with_pip=True)
    check = subprocess.run([python, "-c", IMPORTS], capture_output=True)
    if check.returncode != 0:
        subprocess.run([python, "-m", "pip", "install", "--quiet"] + PACKAGES, check=True)
    os.execv(python, [python] + sys.argv)


class Worker:
    def __init__(self, binary, folder):
        self.process = subprocess.Popen([binary], cwd=folder, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True)
        self.next_id = 1

    def request(self, method, params):
        """The response message (result or error) of one request."""
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
                return message

    def call(self, method, params):
        message = self.request(method, params)
        if "error" in message:
            raise SystemExit(f"{method} failed: {message['error']}")
        return message["result"]

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=60)


class Report:
    def __init__(self):
        self.count = 0
        self.failures = 0

    def check(self, condition, name, detail=""):
        self.count += 1
        if condition:
            print(f"ok {self.count} - {name}")
        else:
            self.failures += 1
            print(f"not ok {self.count} - {name}" + (f": {detail}" if detail else ""))


def bioimageio_test(path):
    """(passed, text): bioimageio.core's test of the package and a summary of what failed."""
    from bioimageio.core import test_model
    summary = test_model(path)
    problems = []
    for detail in summary.details:
        if detail.status != "passed":
            problems.append(f"{detail.name}: {[str(e.msg) for e in detail.errors]}")
    return summary.status == "passed", "; ".join(problems)


def segment_normalised(image):
    """What `segment` feeds the network: each channel (image: y, x or channels, y, x) mapped
    from its 1st/99.8th percentiles over the whole image to 0/1, (x - low) / (high - low), then
    mirrored by the margin."""
    import numpy as np
    x = image.astype(np.float64)
    if x.ndim == 2:
        x = x[None]
    low = np.percentile(x, 1.0, axis=(1, 2), keepdims=True)
    high = np.percentile(x, 99.8, axis=(1, 2), keepdims=True)
    x = ((x - low) / (high - low)).astype(np.float32)
    return np.pad(x, ((0, 0), (MARGIN, MARGIN), (MARGIN, MARGIN)), mode="reflect")[None]


def compare_with_segment(report, worker, weights, image, pixels, model, label):
    """onnxruntime on the normalised, mirrored image against `segment`'s probabilities (one tile)."""
    import numpy as np
    import onnxruntime
    import tifffile
    segmented = worker.call("segment", {"model": model, "images": [image], "output_dir": "out",
                                        "outputs": ["probabilities"], "tile_size": IMAGE})
    ours = tifffile.imread(segmented["outputs"][0]["probabilities"]).astype(np.float32)
    session = onnxruntime.InferenceSession(weights, providers=["CPUExecutionProvider"])
    theirs = session.run(None, {"raw": segment_normalised(pixels)})[0]
    difference = float(np.abs(theirs[0, 1] - ours).max()) if theirs.shape[2:] == ours.shape else float("inf")
    print(f"# {label}: onnxruntime vs segment: max abs difference {difference:.3g} on {ours.shape}")
    report.check(difference <= TOLERANCE, f"{label}: onnxruntime equals segment's probabilities within {TOLERANCE}",
                 f"max abs difference {difference}, shapes {theirs.shape} {ours.shape}")


def check_package(report, path, result, label, classes):
    import onnx
    data = open(path, "rb").read()
    report.check(result["sha256"] == hashlib.sha256(data).hexdigest(), f"{label}: sha256 is the file's")
    report.check(result["format"] == "bioimageio" and result["output"].endswith(".zip"), f"{label}: result names the format")
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        expected = {"bioimageio.yaml", "weights.onnx", "test_input.npy", "test_output.npy", "cover.png", "README.md"}
        report.check(expected <= names, f"{label}: package holds {sorted(expected)}", str(sorted(names)))
        weights = archive.read("weights.onnx")
    model = onnx.load_from_string(weights)
    try:
        onnx.checker.check_model(model, full_check=True)
        report.check(True, f"{label}: onnx.checker accepts the weights")
    except Exception as error:  # noqa: BLE001 - any checker failure is a failed check
        report.check(False, f"{label}: onnx.checker accepts the weights", str(error))
    opsets = [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")]
    report.check(opsets == [result["onnx_opset"]], f"{label}: onnx_opset {result['onnx_opset']} is the graph's", str(opsets))
    ops = sorted({node.op_type for node in model.graph.node})
    report.check(set(ops) <= {"Conv", "Relu", "MaxPool", "ConvTranspose", "Slice", "Concat", "Softmax"},
                 f"{label}: operators {ops}")
    passed, problems = bioimageio_test(path)
    report.check(passed, f"{label}: bioimageio test passes", problems)
    return weights


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    ensure_venv()
    import numpy as np
    import tifffile
    report = Report()
    with tempfile.TemporaryDirectory() as folder:
        worker = Worker(binary, folder)
        generated = worker.call("generate", {"kind": "nuclei", "output_dir": "data", "width": IMAGE, "height": IMAGE,
                                             "seed": 7})
        image, truth = generated["images"][0], generated["labels"][0]
        worker.call("train", {"images": [image], "labels": [truth], "model_out": "model.unet", "iterations": 5,
                              "config": TINY})
        result = worker.call("export", {"model": "model.unet", "output": "package.zip", "name": "Tiny nuclei U-Net",
                                        "description": "A tiny U-Net trained on one synthetic image, for tests.",
                                        "authors": [{"name": "Test Author"}]})
        path = os.path.join(folder, "package.zip")
        weights = check_package(report, path, result, "two classes", 2)

        compare_with_segment(report, worker, weights, image, tifffile.imread(image), "model.unet", "two classes")

        # Three channels (RGB): per-channel normalisation, channel names, no input sample.
        gray = tifffile.imread(image).astype(np.float64)
        rgb = np.stack([gray, gray[::-1], gray[:, ::-1]], axis=-1)
        rgb = np.round(255 * (rgb - rgb.min()) / (rgb.max() - rgb.min()) * [1.0, 0.5, 0.8]).astype(np.uint8)
        tifffile.imwrite(os.path.join(folder, "rgb.tif"), rgb, photometric="rgb")
        worker.call("train", {"images": ["rgb.tif"], "labels": [truth], "model_out": "rgb.unet", "iterations": 3,
                              "config": TINY})
        colour = worker.call("export", {"model": "rgb.unet", "output": "rgb.zip"})
        rgb_weights = check_package(report, os.path.join(folder, "rgb.zip"), colour, "RGB", 2)
        compare_with_segment(report, worker, rgb_weights, "rgb.tif", np.moveaxis(rgb, -1, 0), "rgb.unet", "RGB")

        # A legal test tile of another size, and the same package bytes for the same request.
        again = worker.call("export", {"model": "model.unet", "output": "package.zip", "name": "Tiny nuclei U-Net",
                                       "description": "A tiny U-Net trained on one synthetic image, for tests.",
                                       "authors": [{"name": "Test Author"}]})
        report.check(again["sha256"] == result["sha256"], "the same export gives the same bytes")
        sized = worker.call("export", {"model": "model.unet", "output": "sized.zip", "tile_size": 8})
        with zipfile.ZipFile(os.path.join(folder, "sized.zip")) as archive:
            test_input = np.load(io.BytesIO(archive.read("test_input.npy")))
            test_output = np.load(io.BytesIO(archive.read("test_output.npy")))
        report.check(test_input.shape == (1, 1, 48, 48) and test_output.shape == (1, 2, 8, 8),
                     "tile_size 8 gives a 48 -> 8 test tile", f"{test_input.shape} {test_output.shape}")
        report.check(sized["sha256"] == hashlib.sha256(open(os.path.join(folder, "sized.zip"), "rb").read()).hexdigest(),
                     "tile_size 8: sha256 is the file's")

        mixed = worker.call("generate", {"kind": "mixed", "output_dir": "mixed", "width": IMAGE, "height": IMAGE,
                                         "seed": 2})
        worker.call("train", {"images": mixed["images"], "labels": mixed["labels"], "model_out": "mixed.unet",
                              "iterations": 3,
                              "config": dict(TINY, classes=3, label_kind="classes", pixel_size=0.65,
                                             class_names=["background", "nucleus", "cell"])})
        three = worker.call("export", {"model": "mixed.unet", "output": "mixed.zip"})
        check_package(report, os.path.join(folder, "mixed.zip"), three, "three classes", 3)
        with zipfile.ZipFile(os.path.join(folder, "mixed.zip")) as archive:
            description = archive.read("bioimageio.yaml").decode()
        report.check('["background", "nucleus", "cell"]' in description, "three classes: class names are channel names")
        report.check("config:\n  unet_worker:\n    pixel_size_um: 0.65\n" in description,
                     "the model's pixel size is recorded in config.unet_worker.pixel_size_um")
        with zipfile.ZipFile(path) as archive:
            report.check("pixel_size_um" not in archive.read("bioimageio.yaml").decode(), "no pixel size, none recorded")

        def error_of(params):
            return worker.request("export", params).get("error", {})

        cases = [
            ({"model": "missing.unet", "output": "x.zip"}, -32001, "missing.unet", "a missing model is -32001 naming it"),
            ({"model": "model.unet", "output": "x.tar"}, -32602, "output", "an output that is not .zip is -32602"),
            ({"model": "model.unet", "output": "x.zip", "tile_size": 65}, -32602, "tile_size",
             "an illegal tile_size is -32602 naming the legal ones"),
            ({"model": "model.unet", "output": "x.zip", "name": "a/b"}, -32602, "name", "a name bioimage.io refuses is -32602"),
            ({"model": "model.unet", "output": "x.zip", "authors": []}, -32602, "authors", "empty authors are -32602"),
            ({"output": "x.zip"}, -32602, "model", "a missing model param is -32602"),
            ({"model": "model.unet", "output": "no-such-folder/x.zip"}, -32002, "no-such-folder/x.zip",
             "an output in a missing folder is -32002"),
        ]
        for params, code, named, name in cases:
            error = error_of(params)
            data = error.get("data", {})
            report.check(error.get("code") == code and named in (data.get("field", ""), data.get("path", "")),
                         name, json.dumps(error))
        illegal = error_of({"model": "model.unet", "output": "x.zip", "tile_size": 65})
        report.check("64" in illegal.get("message", "") and "68" in illegal.get("message", ""),
                     "the tile_size error names the nearest legal sizes", illegal.get("message", ""))
        report.check(not os.path.exists(os.path.join(folder, "x.zip")), "failed exports write nothing")
        worker.close()
    print(f"# bioimageio export: {report.count - report.failures} of {report.count} checks passed")
    sys.exit(1 if report.failures else 0)


if __name__ == "__main__":
    main()
