#!/usr/bin/env python3
"""A stand-in for unet-worker, for developing the clients before the real worker exists.

DEVELOPMENT ONLY: no test in `make -C Plugins test` uses it; every test runs against the real
worker named by UNET_WORKER. It speaks the fixed core of ../../Protocol (shared contract):
newline-delimited JSON-RPC 2.0, progress/log notifications, cancel, status, shutdown, end of
input. Its "training" writes a JSON file as the model and its "segmentation" thresholds the image.
"""
import json
import os
import sys
import threading
import time
import queue

import numpy as np
import tifffile
from scipy import ndimage

out_lock = threading.Lock()


def send(message):
    with out_lock:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()


class RPCError(Exception):
    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


class Cancelled(Exception):
    pass


jobs = {}  # id -> dict(method, state, done, total, cancel=Event)
jobs_lock = threading.Lock()
work_queue = queue.Queue()


def read_tiff(path):
    try:
        return tifffile.imread(path).astype(np.float32)
    except Exception as error:  # noqa: BLE001 - any read failure is a -32001
        raise RPCError(-32001, f"cannot read {path}: {error}", {"path": path})


def write_tiff(path, array):
    tmp = path + ".tmp"
    try:
        tifffile.imwrite(tmp, array)
        os.replace(tmp, path)
    except Exception as error:  # noqa: BLE001
        raise RPCError(-32002, f"cannot write {path}: {error}", {"path": path})


def progress(request_id, stage, done, total, **extra):
    send({"jsonrpc": "2.0", "method": "progress",
          "params": dict(request=request_id, stage=stage, done=done, total=total, **extra)})


def train(request_id, params, job):
    images, labels = params.get("images"), params.get("labels")
    if not isinstance(images, list) or not isinstance(labels, list) or len(images) != len(labels):
        raise RPCError(-32602, "images and labels must be lists of the same length", {"field": "images"})
    if "model_out" not in params:
        raise RPCError(-32602, "model_out is missing", {"field": "model_out"})
    for image, label in zip(images, labels):
        if read_tiff(image).shape[-2:] != read_tiff(label).shape[-2:]:
            raise RPCError(-32003, f"{image} and {label} differ in size")
    iterations = int(params.get("iterations", 20))
    loss = 0.7
    for i in range(1, iterations + 1):
        if job["cancel"].wait(0.05):
            raise Cancelled()
        loss *= 0.9
        job["done"], job["total"] = i, iterations
        progress(request_id, "train", i, iterations, loss=loss, eta_s=(iterations - i) * 0.05)
    with open(params["model_out"] + ".tmp", "w") as f:
        json.dump({"fake_model": True, "config": params.get("config", {})}, f)
    os.replace(params["model_out"] + ".tmp", params["model_out"])
    return {"model": params["model_out"], "iterations": iterations, "loss": loss, "seconds": 0.05 * iterations}


def segment(request_id, params, job):
    model = params.get("model")
    if not isinstance(model, str) or not os.path.exists(model):
        raise RPCError(-32001, f"cannot read model {model}", {"path": model})
    outputs = params.get("outputs", ["probabilities", "mask", "instances"])
    out_dir = params["output_dir"]
    os.makedirs(out_dir, exist_ok=True)
    entries = []
    for n, path in enumerate(params["images"]):
        if job["cancel"].is_set():
            raise Cancelled()
        image = read_tiff(path)
        prob = (image - image.min()) / max(float(image.max() - image.min()), 1e-6)
        stem = os.path.splitext(os.path.basename(path))[0]
        entry = {"image": path}
        labels, count = ndimage.label(prob > 0.5)
        if "probabilities" in outputs:
            entry["probabilities"] = os.path.join(out_dir, stem + "_probabilities.tif")
            write_tiff(entry["probabilities"], prob.astype(np.float32))
        if "mask" in outputs:
            entry["mask"] = os.path.join(out_dir, stem + "_mask.tif")
            write_tiff(entry["mask"], ((prob > 0.5) * 255).astype(np.uint8))
        if "instances" in outputs:
            entry["instances"] = os.path.join(out_dir, stem + "_instances.tif")
            write_tiff(entry["instances"], labels.astype(np.uint16))
        entry["objects"] = int(count)
        entries.append(entry)
        progress(request_id, "segment", n + 1, len(params["images"]))
    return {"outputs": entries, "tile_size": params.get("tile_size", 100), "tta": bool(params.get("tta", False))}


def weight_map(request_id, params, job):
    if "output" not in params:
        raise RPCError(-32602, "output is missing", {"field": "output"})
    labels = read_tiff(params["labels"])
    w0, sigma = float(params.get("w0", 10)), float(params.get("sigma", 5))
    distance = ndimage.distance_transform_edt(labels == 0)
    weights = 1 + w0 * np.exp(-(2 * distance) ** 2 / (2 * sigma ** 2)) * (labels == 0)
    write_tiff(params["output"], weights.astype(np.float32))
    return {"output": params["output"]}


def evaluate(request_id, params, job):
    prediction, truth = read_tiff(params["prediction"]) > 0, read_tiff(params["truth"]) > 0
    union = np.logical_or(prediction, truth).sum()
    return {"fg_iou": float(np.logical_and(prediction, truth).sum() / union) if union else 1.0,
            "pixel_error": float((prediction != truth).mean())}


def generate(request_id, params, job):
    rng = np.random.default_rng(int(params.get("seed", 1)))
    width, height = int(params.get("width", 64)), int(params.get("height", 64))
    out_dir = params["output_dir"]
    os.makedirs(out_dir, exist_ok=True)
    images, labels = [], []
    for n in range(int(params.get("count", 1))):
        label = np.zeros((height, width), np.uint16)
        yy, xx = np.mgrid[:height, :width]
        for k in range(1, 6):
            cy, cx, r = rng.uniform(0, height), rng.uniform(0, width), rng.uniform(4, 9)
            label[(yy - cy) ** 2 + (xx - cx) ** 2 < r * r] = k
        image = (label > 0) * 150 + rng.normal(30, 10, label.shape)
        images.append(os.path.join(out_dir, f"image_{n:03d}.tif"))
        labels.append(os.path.join(out_dir, f"label_{n:03d}.tif"))
        write_tiff(images[-1], image.clip(0, 255).astype(np.uint8))
        write_tiff(labels[-1], label)
    return {"images": images, "labels": labels}


LONG = {"train": train, "segment": segment, "weight_map": weight_map, "generate": generate, "evaluate": evaluate}


def run_job(request_id, method, params, job):
    with jobs_lock:
        job["state"] = "running"
    try:
        send({"jsonrpc": "2.0", "id": request_id, "result": LONG[method](request_id, params, job)})
    except Cancelled:
        send({"jsonrpc": "2.0", "id": request_id, "error": {"code": -32800, "message": "cancelled"}})
    except RPCError as error:
        body = {"code": error.code, "message": error.message}
        if error.data is not None:
            body["data"] = error.data
        send({"jsonrpc": "2.0", "id": request_id, "error": body})
    except Exception as error:  # noqa: BLE001
        send({"jsonrpc": "2.0", "id": request_id, "error": {"code": -32603, "message": str(error)}})
    finally:
        with jobs_lock:
            jobs.pop(json.dumps(request_id), None)


def runner():
    while True:
        item = work_queue.get()
        if item is None:
            return
        run_job(*item)


def handle(message):
    request_id, method, params = message.get("id"), message.get("method"), message.get("params") or {}
    if method == "initialize":
        return {"name": "fake-unet-worker", "version": "0.0.0", "protocol_version": "1.0",
                "methods": sorted(list(LONG) + ["initialize", "status", "cancel", "shutdown", "model_info"]),
                "threads": 1}
    if method == "status":
        with jobs_lock:
            return {"requests": [{"id": json.loads(k), "method": j["method"], "state": j["state"],
                                  "done": j["done"], "total": j["total"]} for k, j in jobs.items()]}
    if method == "cancel":
        with jobs_lock:
            job = jobs.get(json.dumps(params.get("request")))
        if job:
            job["cancel"].set()
        return {"cancelled": job is not None}
    if method == "model_info":
        with open(params["model"]) as f:
            model = json.load(f)
        return {"input_channels": 1, "classes": 2, "base_channels": model["config"].get("base_channels", 64),
                "depth": model["config"].get("depth", 4), "tile_sizes": [4, 20, 36]}
    raise RPCError(-32601, f"unknown method {method}", {"method": method})


def main():
    threading.Thread(target=runner, daemon=True).start()
    for line in sys.stdin:
        if os.environ.get("FAKE_WORKER_CRASH_ON") and os.environ["FAKE_WORKER_CRASH_ON"] in line:
            os._exit(3)
        message = json.loads(line)
        if "id" not in message:
            continue
        if message.get("method") == "shutdown":
            with jobs_lock:
                for job in jobs.values():
                    job["cancel"].set()
            send({"jsonrpc": "2.0", "id": message["id"], "result": {}})
            os._exit(0)
        if message.get("method") in LONG:
            job = {"method": message["method"], "state": "queued", "done": 0, "total": 0,
                   "cancel": threading.Event()}
            with jobs_lock:
                jobs[json.dumps(message["id"])] = job
            work_queue.put((message["id"], message["method"], message.get("params") or {}, job))
            continue
        try:
            send({"jsonrpc": "2.0", "id": message["id"], "result": handle(message)})
        except RPCError as error:
            send({"jsonrpc": "2.0", "id": message["id"],
                  "error": {"code": error.code, "message": error.message, "data": error.data}})
    work_queue.put(None)
    while not work_queue.empty() or jobs:
        time.sleep(0.02)
    print("fake worker: end of input", file=sys.stderr)


if __name__ == "__main__":
    main()
