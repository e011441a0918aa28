"""Tests of unet_client against the real worker named by UNET_WORKER (make -C Plugins test-python).

One worker serves the module; a tiny network (base_channels 4, depth 2) trains for a few
iterations on a small synthetic image, so the whole file runs in seconds.
"""

import hashlib
import os
import shutil
import struct
import sys
import tempfile
import time
import unittest
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import unet_client  # noqa: E402
from unet_client import Worker, WorkerDied, WorkerError, WorkerNotFound  # noqa: E402

TINY = {"base_channels": 4, "depth": 2}
WORKER = os.environ.get("UNET_WORKER", "")
STATE = {}


def setUpModule():
    if not (os.path.isfile(WORKER) and os.access(WORKER, os.X_OK)):
        raise RuntimeError(f"UNET_WORKER must name the built unet-worker (make build), not {WORKER!r}")
    STATE["folder"] = tempfile.mkdtemp(prefix="unet-python-test")
    STATE["log"] = []
    STATE["worker"] = Worker(WORKER, log=STATE["log"].append)
    data = STATE["worker"].generate("nuclei", os.path.join(STATE["folder"], "data"), count=1,
                                    width=64, height=64, seed=7)
    STATE["image"], STATE["labels"] = data["images"][0], data["labels"][0]


def tearDownModule():
    if "worker" in STATE:
        STATE["worker"].close()
    shutil.rmtree(STATE.get("folder", ""), ignore_errors=True)


def is_tiff(path):
    with open(path, "rb") as f:
        return f.read(4) in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")


def tiff_info(path):
    """(width, height, bits per sample, sample format) of the first page of a classic TIFF."""
    with open(path, "rb") as f:
        data = f.read()
    order = {b"II": "<", b"MM": ">"}[data[:2]]
    (magic, offset) = struct.unpack(order + "HI", data[2:8])
    if magic != 42:
        raise AssertionError(f"{path} is not a classic TIFF")
    (count,) = struct.unpack(order + "H", data[offset:offset + 2])
    tags = {}
    for index in range(count):
        entry = data[offset + 2 + 12 * index:offset + 14 + 12 * index]
        tag, kind, _, value = struct.unpack(order + "HHI4s", entry)
        tags[tag] = struct.unpack(order + ("H" if kind == 3 else "I"), value[:2 if kind == 3 else 4])[0]
    return tags[256], tags[257], tags.get(258, 1), tags.get(339, 1)


def find_key(value, key):
    """The first value stored under ``key`` anywhere in nested dicts and lists, or None."""
    if isinstance(value, dict):
        if key in value:
            return value[key]
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            found = find_key(item, key)
            if found is not None:
                return found
    return None


def long_training(worker, name):
    return worker.train([STATE["image"]], [STATE["labels"]], os.path.join(STATE["folder"], name),
                        iterations=100000, config=TINY)


def first_progress(call, timeout=60):
    for progress in call.progress(timeout=timeout):
        return progress
    raise AssertionError(f"{call.method} answered before any progress: {call.result()}")


class DiscoveryTests(unittest.TestCase):
    def test_explicit_path_then_environment_then_path(self):
        self.assertEqual(unet_client.find_worker(WORKER), os.path.abspath(WORKER))
        saved = os.environ.get("UNET_WORKER")
        try:
            os.environ["UNET_WORKER"] = "/nonexistent/unet-worker"
            with self.assertRaises(WorkerNotFound) as caught:
                unet_client.find_worker()
            self.assertIn("/nonexistent/unet-worker", str(caught.exception))
            del os.environ["UNET_WORKER"]
            old_path = os.environ.get("PATH", "")
            os.environ["PATH"] = "/nonexistent"
            try:
                with self.assertRaises(WorkerNotFound) as caught:
                    unet_client.find_worker()
                self.assertIn("UNET_WORKER", str(caught.exception))
                os.environ["PATH"] = os.path.dirname(os.path.abspath(WORKER))
                if os.path.basename(WORKER) == "unet-worker":
                    self.assertEqual(unet_client.find_worker(), os.path.abspath(WORKER))
            finally:
                os.environ["PATH"] = old_path
        finally:
            if saved is not None:
                os.environ["UNET_WORKER"] = saved


class ProgressTests(unittest.TestCase):
    def test_describe_shows_loss_eta_and_validation(self):
        train = unet_client.Progress({"request": 1, "stage": "train", "done": 40, "total": 1000,
                                      "loss": 0.312, "eta_s": 150})
        self.assertEqual(train.describe(), "train 40/1000 loss 0.3120 eta 2 min")
        self.assertAlmostEqual(train.fraction, 0.04)
        validate = unet_client.Progress({"request": 1, "stage": "validate", "done": 1, "total": 1,
                                         "loss": 0.25, "foreground_iou": 0.8125})
        self.assertEqual(validate.describe(), "validate 1/1 validation loss 0.2500 foreground IoU 0.812")


class ProtocolTests(unittest.TestCase):
    worker = None

    @classmethod
    def setUpClass(cls):
        cls.worker = STATE["worker"]
        cls.model = os.path.join(STATE["folder"], "tiny.unet")
        call = cls.worker.train([STATE["image"]], [STATE["labels"]], cls.model, iterations=3, config=TINY)
        cls.train_progress = list(call.progress(timeout=120))
        cls.train_result = call.result(timeout=120)

    def test_initialize_names_the_worker_and_its_methods(self):
        info = self.worker.initialize()
        for key in ("name", "version", "protocol_version", "methods", "threads"):
            self.assertIn(key, info)
        for method in ("train", "segment", "weight_map", "evaluate", "model_info", "status", "cancel"):
            self.assertIn(method, info["methods"])

    def test_training_reports_progress_and_writes_the_model(self):
        training = [p for p in self.train_progress if p.stage == "train"]
        self.assertTrue(training, "a 3-iteration training still reports progress")
        last = training[-1]
        self.assertEqual((last.done, last.total), (3, 3), "the last progress is always sent")
        self.assertIsNotNone(last.loss)
        self.assertEqual(self.train_result["model"], self.model)
        self.assertEqual(self.train_result["iterations"], 3)
        self.assertTrue(os.path.isfile(self.model))

    def test_segment_writes_the_three_outputs(self):
        output_dir = os.path.join(STATE["folder"], "segmented")
        seen = []
        result = self.worker.request("segment", {"model": self.model, "images": [STATE["image"]],
                                                 "output_dir": output_dir}, timeout=120,
                                     on_progress=seen.append)
        (entry,) = result["outputs"]
        stem = os.path.splitext(os.path.basename(STATE["image"]))[0]
        # float32, uint8, uint16 (TIFF SampleFormat 3 = float, 1 = unsigned integer)
        expected = {"probabilities": (64, 64, 32, 3), "mask": (64, 64, 8, 1), "instances": (64, 64, 16, 1)}
        for output, info in expected.items():
            self.assertEqual(entry[output], os.path.join(output_dir, f"{stem}_{output}.tif"))
            self.assertEqual(tiff_info(entry[output]), info, f"{output}: width, height, bits, sample format")
        self.assertIsInstance(entry["objects"], int)
        self.assertIn("tile_size", result)
        self.assertTrue(seen, "segment reports progress")

    def test_segment_writes_only_the_outputs_asked_for(self):
        output_dir = os.path.join(STATE["folder"], "mask-only")
        result = self.worker.segment(self.model, [STATE["image"]], output_dir, outputs=["mask"]).result(120)
        (entry,) = result["outputs"]
        self.assertIn("mask", entry)
        self.assertNotIn("probabilities", entry)
        self.assertNotIn("instances", entry)

    def test_weight_map_evaluate_and_model_info(self):
        weights = os.path.join(STATE["folder"], "weights.tif")
        self.assertEqual(self.worker.weight_map(STATE["labels"], weights, w0=10, sigma=5)["output"], weights)
        self.assertTrue(is_tiff(weights))
        metrics = self.worker.evaluate(STATE["labels"], STATE["labels"])
        self.assertAlmostEqual(metrics["fg_iou"], 1.0, places=6, msg="a label image matches itself")
        info = self.worker.model_info(self.model)
        self.assertEqual(find_key(info, "base_channels"), 4, info)
        self.assertEqual(find_key(info, "depth"), 2, info)

    def test_three_classes_train_segment_and_evaluate(self):
        folder = os.path.join(STATE["folder"], "mixed")
        data = self.worker.generate("mixed", os.path.join(folder, "data"), count=1, width=64, height=64, seed=3)
        image, labels = data["images"][0], data["labels"][0]
        model = os.path.join(folder, "mixed.unet")
        names = ["background", "nucleus", "cell"]
        result = self.worker.train([image], [labels], model, iterations=3,
                                   config=dict(TINY, classes=3, label_kind="classes", class_names=names)).result(120)
        self.assertEqual(result["iterations"], 3)
        info = self.worker.model_info(model)
        self.assertEqual(info["classes"], 3, info)
        self.assertEqual(info["class_names"], names, info)
        segmented = self.worker.segment(model, [image], os.path.join(folder, "out"),
                                        outputs=["classes", "mask", "instances"]).result(120)
        (entry,) = segmented["outputs"]
        self.assertEqual(tiff_info(entry["classes"]), (64, 64, 8, 1), "the class map is uint8")
        self.assertEqual(len(entry["objects_per_class"]), 2, "one count per foreground class")
        self.assertEqual(sum(entry["objects_per_class"]), entry["objects"])
        metrics = self.worker.evaluate(labels, labels, truth_kind="classes")
        self.assertEqual(len(metrics["class_iou"]), 3, metrics)
        self.assertAlmostEqual(metrics["mean_iou"], 1.0, places=6, msg="a class image matches itself")

    def test_export_writes_a_bioimageio_package(self):
        package = os.path.join(STATE["folder"], "package.zip")
        result = self.worker.export(self.model, package, name="Tiny test U-Net", authors=["A. Person"])
        self.assertEqual(result["output"], package)
        self.assertEqual(result["format"], "bioimageio")
        self.assertIsInstance(result["onnx_opset"], int)
        with open(package, "rb") as handle:
            self.assertEqual(hashlib.sha256(handle.read()).hexdigest(), result["sha256"])
        with zipfile.ZipFile(package) as archive:
            self.assertIn("bioimageio.yaml", archive.namelist())
            self.assertIn("weights.onnx", archive.namelist())
        with self.assertRaises(WorkerError) as caught:
            self.worker.export(self.model, os.path.join(STATE["folder"], "package.tar"))
        self.assertEqual((caught.exception.code, (caught.exception.data or {}).get("field")), (-32602, "output"))

    def test_errors_carry_the_workers_code_message_and_data(self):
        missing = os.path.join(STATE["folder"], "missing.tif")
        with self.assertRaises(WorkerError) as caught:
            self.worker.segment(self.model, [missing], STATE["folder"]).result(60)
        self.assertEqual(caught.exception.code, -32001)
        self.assertEqual((caught.exception.data or {}).get("path"), missing)
        with self.assertRaises(WorkerError) as caught:
            self.worker.request("no_such_method", {}, timeout=60)
        self.assertEqual(caught.exception.code, -32601)
        with self.assertRaises(WorkerError) as caught:
            self.worker.request("weight_map", {"labels": STATE["labels"]}, timeout=60)
        self.assertEqual(caught.exception.code, -32602)

    def test_training_with_validation_reports_it_or_names_the_field(self):
        validation = {"images": [STATE["image"]], "labels": [STATE["labels"]]}
        call = self.worker.train([STATE["image"]], [STATE["labels"]], os.path.join(STATE["folder"], "val.unet"),
                                 iterations=4, validation=validation, config=dict(TINY, validate_every=2))
        progress = list(call.progress(timeout=120))
        try:
            call.result(timeout=120)
        except WorkerError as error:  # a worker without validation: -32602 naming the field
            self.assertEqual((error.code, (error.data or {}).get("field")), (-32602, "validation"), error)
            return
        validations = [p for p in progress if p.stage == "validate" or "validation_loss" in p.raw]
        self.assertTrue(validations, "validation progress was reported")

    def test_status_shows_a_running_training_and_cancel_stops_it(self):
        call = long_training(self.worker, "cancelled.unet")
        first_progress(call)
        running = [r for r in self.worker.status()["requests"] if r["id"] == call.id]
        self.assertEqual(len(running), 1)
        self.assertEqual(running[0]["method"], "train")
        started = time.monotonic()
        self.assertTrue(call.cancel())
        with self.assertRaises(WorkerError) as caught:
            call.result(timeout=30)
        self.assertTrue(caught.exception.cancelled, caught.exception)
        self.assertLess(time.monotonic() - started, 10)
        self.assertFalse(call.cancel(), "an answered request cannot be cancelled")


class LifecycleTests(unittest.TestCase):
    def test_close_shuts_the_worker_down_with_status_zero(self):
        worker = Worker(WORKER, log=lambda line: None)
        worker.initialize()
        self.assertEqual(worker.close(), 0)
        self.assertFalse(worker.alive)

    def test_a_killed_worker_fails_its_pending_requests_clearly(self):
        worker = Worker(WORKER, log=lambda line: None)
        call = long_training(worker, "killed.unet")
        first_progress(call)
        os.kill(worker.pid, 9)
        with self.assertRaises(WorkerDied) as caught:
            call.result(timeout=30)
        self.assertIn("stopped unexpectedly", str(caught.exception))
        with self.assertRaises(WorkerDied):
            worker.start("status")
        worker.close()


if __name__ == "__main__":
    unittest.main()
