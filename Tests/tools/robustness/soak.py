#!/usr/bin/env python3
"""Soak: one worker, N mixed requests from a client that sometimes stops reading.

    python3 Tests/tools/robustness/soak.py WORKER [--requests N] [--seed S] [--threads T] [--keep]

N (default 10000) seeded-random messages: valid `initialize`, `status`, `model_info`,
`segment`, `weight_map`, `evaluate`, `generate` on tiny images, short `train`s (some cancelled
at once, some a little later, some not), `cancel` of unknown ids; and wrong ones: lines that
are not JSON (or not UTF-8, too deep, with trailing text), batches, bad ids, unknown methods
(some with names of 20-100 KB, whose echoed answers fill the pipe), wrong params, missing files,
mismatched images, client notifications and blank lines. The first messages are one of every
kind (a finished train and the largest lines included); warm-up is the first tenth (at least
46 messages). At most 48 requests are outstanding.
The reading thread pauses now and then for 0.3-1.2 s; during a pause the writer sends a request
with a huge answer, so the worker's stdout pipe fills and the worker blocks writing.

Checks: every request with an id is answered exactly once, and as expected (result or error
code, key fields, outputs byte-identical to a reference); lines without a readable id get
exactly the expected null-id errors; notifications and blank lines are never answered; a
cancel that says "cancelled" means the train answered -32800 (and "not cancelled" a result);
the pipe did fill; VmRSS and VmHWM (from /proc/PID/status, sampled every 0.05 s) do not grow
between the first and the last quarter by more than max(16 MiB, 15 %); the open file
descriptors after warm-up and at the end are the same; the worker exits 0 at end of input.
Prints TAP-like lines; exits 1 on any failure.
"""

import argparse
import collections
import fcntl
import json
import os
import random
import statistics
import struct
import subprocess
import sys
import termios
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from robustness_lib import (Checks, fd_targets, read_bytes, remove_folder, rss_kib,  # noqa: E402
                            scratch_folder, snapshot, worker_binary)

TINY = {"base_channels": 4, "depth": 2}
OUTSTANDING = 48
MIB = 1024


def main():
    parser = argparse.ArgumentParser(description="many mixed requests against one worker")
    parser.add_argument("worker")
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=int(os.environ.get("ROBUSTNESS_SEED", "5")))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    options = parser.parse_args()
    if options.requests < 100:
        parser.error("--requests must be at least 100 (four quarters with a warm-up)")
    binary = worker_binary(options.worker)
    started = time.monotonic()
    checks = Checks()
    folder = scratch_folder("unet-soak-")
    checks.note("scratch folder %s, %d requests, seed %d" % (folder, options.requests, options.seed))
    client = None
    try:
        client = SoakClient(binary, folder, options.threads)
        Soak(client, folder, options, checks).run()
    finally:
        if client is not None:
            client.stop()
        if options.keep:
            checks.note("kept %s" % folder)
        else:
            remove_folder(folder)
    return checks.finish(started)


class SoakClient:
    """The worker with a reading thread that can pause (so the worker's stdout fills up)."""

    def __init__(self, binary, cwd, threads):
        self.stderr_path = os.path.join(cwd, "worker-stderr.log")
        self._stderr = open(self.stderr_path, "wb")
        self.process = subprocess.Popen([binary, "--threads", str(threads)], cwd=cwd, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self._stderr)
        self.pid = self.process.pid
        self.lock = threading.Condition()
        self.responses = {}             # id key -> [response]
        self.arrival = {}               # id key -> index of its first response line
        self.null_codes = collections.Counter()
        self.unexpected_lines = []      # not JSON, or not a JSON-RPC 2.0 message
        self.notifications = 0
        self.lines = 0
        self.answered = 0               # responses with a non-null id
        self.eof = False
        # Pausing: off until `pausing` is set; `paused` is set while the reader sleeps.
        self.pausing = False
        self.paused = threading.Event()
        self.pause_random = random.Random(1)
        self.next_pause = 0
        self.pauses = []                # (seconds, largest bytes seen waiting in the pipe)
        try:
            self.pipe_size = fcntl.fcntl(self.process.stdout.fileno(), 1032)  # F_GETPIPE_SZ
        except OSError:
            self.pipe_size = 65536
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def pending_bytes(self):
        buffer = fcntl.ioctl(self.process.stdout.fileno(), termios.FIONREAD, struct.pack("i", 0))
        return struct.unpack("i", buffer)[0]

    def _pause(self):
        seconds = self.pause_random.uniform(0.3, 1.2)
        self.paused.set()
        end = time.monotonic() + seconds
        most = 0
        while time.monotonic() < end:
            time.sleep(0.02)
            most = max(most, self.pending_bytes())
        self.paused.clear()
        self.pauses.append((seconds, most))

    def _read(self):
        stdout = self.process.stdout
        while True:
            if self.pausing and self.lines >= self.next_pause:
                self._pause()
                self.next_pause = self.lines + self.pause_random.randint(60, 400)
            raw = stdout.readline()
            if not raw:
                break
            try:
                message = json.loads(raw)
            except ValueError:
                message = None
            with self.lock:
                self.lines += 1
                if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
                    self.unexpected_lines.append(raw[:300])
                elif "id" in message:
                    if message["id"] is None:
                        self.null_codes[(message.get("error") or {}).get("code")] += 1
                    else:
                        key = id_key(message["id"])
                        self.responses.setdefault(key, []).append(message)
                        self.arrival.setdefault(key, self.lines)
                        self.answered += 1
                else:
                    self.notifications += 1
                self.lock.notify_all()
        with self.lock:
            self.eof = True
            self.lock.notify_all()

    def send(self, data):
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def wait_for(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        with self.lock:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0 or self.eof:
                    return predicate()
                self.lock.wait(min(left, 0.5))
            return True

    def response(self, request_id, timeout=120):
        key = id_key(request_id)
        if not self.wait_for(lambda: key in self.responses, timeout):
            raise RuntimeError("no answer to %r (worker stderr: %s)" % (request_id, self.stderr_tail()))
        return self.responses[key][0]

    def stderr_tail(self):
        return (read_bytes(self.stderr_path) or b"")[-1500:].decode("utf-8", "replace")

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.thread.join(timeout=5)
        self._stderr.close()


def id_key(value):
    return (type(value).__name__, value)


class Soak:
    def __init__(self, client, folder, options, checks):
        self.client = client
        self.folder = folder
        self.options = options
        self.checks = checks
        self.random = random.Random(options.seed)
        self.count = options.requests
        self.next_id = 0
        self.expected = {}          # id key -> (category, check(response) -> None or problem)
        self.expected_null = collections.Counter()
        self.sent_ids = 0
        self.sent_lines = 0
        self.categories = collections.Counter()
        self.trains = {}            # train id -> {"iterations": n, "cancel": cancel id or None}
        self.delayed_cancels = []   # (send at message index, train id)
        self.samples = []           # (answered, VmRSS, VmHWM)
        self.sampling = True

    # --- ids and sending ---

    def new_id(self):
        self.next_id += 1
        return self.next_id if self.random.random() < 0.7 else "soak-%d" % self.next_id

    def send_request(self, category, method, params, check, request_id=None, raw_suffix=b"\n"):
        request_id = self.new_id() if request_id is None else request_id
        message = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.expected[id_key(request_id)] = (category, check)
        self.sent_ids += 1
        self.categories[category] += 1
        self.client.send(json.dumps(message, separators=(",", ":")).encode() + raw_suffix)
        return request_id

    def send_line(self, category, data, null_code=None):
        """A line without a readable id: answered with id null and `null_code`, or never."""
        if null_code is not None:
            self.expected_null[null_code] += 1
        self.categories[category] += 1
        self.client.send(data + b"\n")

    def throttle(self):
        c = self.client
        c.wait_for(lambda: self.sent_ids - c.answered < OUTSTANDING, 600)

    def call(self, method, params, timeout=120):
        request_id = self.send_request("setup", method, params, lambda r: None)
        answer = self.client.response(request_id, timeout)
        if "result" not in answer:
            raise RuntimeError("setup %s failed: %s" % (method, json.dumps(answer)[:500]))
        return answer["result"]

    # --- setup and references ---

    def prepare(self):
        data = self.call("generate", {"kind": "nuclei", "output_dir": "data", "count": 2, "width": 64,
                                      "height": 64, "seed": 7})
        self.images = [os.path.relpath(p, self.folder) for p in data["images"]]
        self.labels = [os.path.relpath(p, self.folder) for p in data["labels"]]
        other = self.call("generate", {"kind": "cells", "output_dir": "data", "width": 80, "height": 80, "seed": 8})
        self.other_labels = os.path.relpath(other["labels"][0], self.folder)
        self.call("train", {"images": self.images, "labels": self.labels, "model_out": "soak.unet",
                            "iterations": 10, "config": TINY})
        self.info = self.call("model_info", {"model": "soak.unet"})
        result = self.call("segment", {"model": "soak.unet", "images": self.images, "output_dir": "ref"})
        self.objects = {entry["image"]: entry["objects"] for entry in result["outputs"]}
        self.segment_reference = snapshot(os.path.join(self.folder, "ref"))
        self.stems = {image: os.path.splitext(os.path.basename(image))[0] for image in self.images}
        self.evaluations = {}
        for image, labels in zip(self.images, self.labels):
            prediction = "ref/%s_instances.tif" % self.stems[image]
            self.evaluations[image] = (prediction, labels, self.call(
                "evaluate", {"prediction": prediction, "truth": labels}))
        os.makedirs(os.path.join(self.folder, "wm"))
        os.makedirs(os.path.join(self.folder, "train_out"))
        self.call("weight_map", {"labels": self.labels[0], "output": "wm/ref.tif"})
        self.weight_map_reference = read_bytes(os.path.join(self.folder, "wm", "ref.tif"))

    # --- the mix ---

    def tour(self):
        """The first messages: every kind once (the largest lines and a finished train too), so
        that the worker has allocated what each needs before memory is compared."""
        return [self.initialize, self.status, self.model_info, self.missing_model, self.segment, self.segment,
                self.segment, self.bad_segment, self.weight_map, self.bad_weight_map, self.evaluate, self.evaluate,
                self.bad_evaluate, self.generate, lambda: self.train("never"), self.bad_train, self.cancel_unknown,
                self.unknown_method, lambda: self.huge_answer(100000), lambda: self.malformed(big=True),
                self.malformed, self.bad_request, self.notification, self.blank, lambda: self.train("at once"),
                lambda: self.train("never")]

    def send_one(self, index):
        """Sends message number `index` of the stream (the tour, then a seeded choice of kinds)."""
        if index < len(self.tour_steps):
            return self.tour_steps[index]()
        for due, train_id in [d for d in self.delayed_cancels if d[0] <= index]:
            self.delayed_cancels.remove((due, train_id))
            self.send_cancel(train_id)
            return
        if self.client.paused.is_set() and not self.injected:
            self.injected = True
            return self.huge_answer()
        roll = self.random.random()
        table = [
            (0.06, self.initialize), (0.14, self.status), (0.08, self.model_info), (0.04, self.missing_model),
            (0.10, self.segment), (0.04, self.bad_segment), (0.06, self.weight_map), (0.03, self.bad_weight_map),
            (0.06, self.evaluate), (0.03, self.bad_evaluate), (0.01, self.generate), (0.025, self.train),
            (0.02, self.bad_train), (0.03, self.cancel_unknown), (0.05, self.unknown_method),
            (0.005, self.huge_answer), (0.08, self.malformed), (0.04, self.bad_request), (0.04, self.notification),
            (0.02, self.blank),
        ]
        for share, action in table:
            if roll < share:
                return action()
            roll -= share
        return self.status()

    def initialize(self):
        def check(r):
            result = r.get("result") or {}
            if result.get("name") != "unet-worker" or "train" not in result.get("methods", []):
                return "initialize result %s" % result
        self.send_request("initialize", "initialize", None, check)

    def status(self):
        def check(r):
            requests = (r.get("result") or {}).get("requests")
            if not isinstance(requests, list) or any(
                    q.get("state") not in ("running", "queued") or "id" not in q or "method" not in q
                    for q in requests):
                return "status result %s" % r
        self.send_request("status", "status", self.random.choice([None, {}]), check)

    def model_info(self):
        def check(r):
            result = r.get("result") or {}
            if result.get("parameters") != self.info["parameters"] or result.get("model") != "soak.unet":
                return "model_info %s" % str(r)[:300]
        self.send_request("model_info", "model_info", {"model": "soak.unet"}, check)

    def missing_model(self):
        path = "nowhere/missing-%d.unet" % self.random.randint(0, 9)
        if self.random.random() < 0.5:
            self.send_request("missing file", "model_info", {"model": path}, expect_error(-32001, path=path))
        else:
            self.send_request("missing file", "segment", {"model": path, "images": [self.images[0]],
                                                          "output_dir": "seg"}, expect_error(-32001, path=path))

    def segment(self):
        image = self.random.choice(self.images)
        outputs = self.random.choice([None, ["mask"], ["instances", "probabilities"]])
        params = {"model": "soak.unet", "images": [image], "output_dir": "seg"}
        if outputs:
            params["outputs"] = outputs

        def check(r):
            entries = (r.get("result") or {}).get("outputs") or [{}]
            entry = entries[0]
            wanted = outputs or ["probabilities", "mask", "instances"]
            if len(entries) != 1 or entry.get("image") != image or any(not entry.get(k) for k in wanted):
                return "segment result %s" % str(r)[:300]
            if "instances" in wanted and entry.get("objects") != self.objects[image]:
                return "segment objects %s, reference %s" % (entry.get("objects"), self.objects[image])
        self.send_request("segment", "segment", params, check)

    def bad_segment(self):
        choice = self.random.randrange(3)
        if choice == 0:
            self.send_request("wrong params", "segment", {"model": "soak.unet", "images": [], "output_dir": "seg"},
                              expect_error(-32602, field="images"))
        elif choice == 1:
            self.send_request("wrong params", "segment", {"model": "soak.unet", "images": [self.images[0]],
                                                          "output_dir": "seg", "outputs": ["edges"]},
                              expect_error(-32602, field="outputs"))
        else:
            path = "data/missing.tif"
            self.send_request("missing file", "segment", {"model": "soak.unet", "images": [path],
                                                          "output_dir": "seg"}, expect_error(-32001, path=path))

    def weight_map(self):
        def check(r):
            if (r.get("result") or {}).get("output") != "wm/out.tif":
                return "weight_map result %s" % str(r)[:300]
        self.send_request("weight_map", "weight_map", {"labels": self.labels[0], "output": "wm/out.tif"}, check)

    def bad_weight_map(self):
        if self.random.random() < 0.5:
            self.send_request("wrong params", "weight_map", {"labels": self.labels[0], "output": "wm/x.tif",
                                                             "sigma": "wide"}, expect_error(-32602, field="sigma"))
        else:
            self.send_request("missing file", "weight_map", {"labels": "data/none.tif", "output": "wm/x.tif"},
                              expect_error(-32001, path="data/none.tif"))

    def evaluate(self):
        image = self.random.choice(self.images)
        prediction, truth, reference = self.evaluations[image]

        def check(r):
            if r.get("result") != reference:
                return "evaluate %s, reference %s" % (str(r)[:300], reference)
        self.send_request("evaluate", "evaluate", {"prediction": prediction, "truth": truth}, check)

    def bad_evaluate(self):
        if self.random.random() < 0.5:
            self.send_request("mismatch", "evaluate", {"prediction": self.labels[0], "truth": self.other_labels},
                              expect_error(-32003))
        else:
            self.send_request("missing file", "evaluate", {"prediction": "data/gone.tif", "truth": self.labels[0]},
                              expect_error(-32001, path="data/gone.tif"))

    def generate(self):
        def check(r):
            if len((r.get("result") or {}).get("images", [])) != 1:
                return "generate result %s" % str(r)[:300]
        self.send_request("generate", "generate", {"kind": self.random.choice(["nuclei", "cells", "membranes"]),
                                                   "output_dir": "gen", "width": 32, "height": 32,
                                                   "seed": self.random.randint(1, 3)}, check)

    def train(self, mode=None):
        iterations = self.random.randint(3, 8)
        params = {"images": self.images, "labels": self.labels, "model_out": "train_out/soak.unet",
                  "iterations": iterations, "config": dict(TINY, checkpoint_every=2)}
        train_id = self.send_request("train", "train", params, lambda r: None)
        self.trains[train_id] = {"iterations": iterations, "cancel": None}
        mode = mode or self.random.choice(["at once", "later", "later", "never"])
        if mode == "at once":
            self.send_cancel(train_id)
        elif mode == "later":
            self.delayed_cancels.append((self.sent_lines + self.random.randint(1, 12), train_id))

    def send_cancel(self, train_id):
        self.trains[train_id]["cancel"] = self.send_request(
            "cancel", "cancel", {"request": train_id},
            lambda r: None if isinstance((r.get("result") or {}).get("cancelled"), bool) else "cancel result %s" % r)

    def bad_train(self):
        choice = self.random.randrange(3)
        base = {"images": self.images, "labels": self.labels, "model_out": "train_out/bad.unet", "config": TINY}
        if choice == 0:
            self.send_request("wrong params", "train", dict(base, iterations=0), expect_error(-32602, field="iterations"))
        elif choice == 1:
            self.send_request("wrong params", "train", dict(base, labels=self.labels[:1]),
                              expect_error(-32602, field="labels"))
        else:
            self.send_request("missing file", "train", dict(base, labels=[self.labels[0], "data/no_labels.tif"],
                                                            iterations=2),
                              expect_error(-32001, path="data/no_labels.tif"))

    def cancel_unknown(self):
        if self.random.random() < 0.7:
            self.send_request("cancel", "cancel", {"request": "never-sent-%d" % self.random.randint(0, 99)},
                              lambda r: None if (r.get("result") or {}).get("cancelled") is False else "cancel %s" % r)
        else:
            self.send_request("wrong params", "cancel", {"request": 1, "force": True}, expect_error(-32602))

    def unknown_method(self, length=None):
        name = "no_such_method_%d" % self.random.randint(0, 999)
        if length:
            name += "x" * (length - len(name))

        def check(r):
            error = r.get("error") or {}
            if error.get("code") != -32601 or (error.get("data") or {}).get("method") != name:
                return "unknown method answer %s" % str(r)[:300]
        self.send_request("unknown method" if not length else "huge answer", name, {"a": 1}, check)

    def huge_answer(self, length=None):
        self.unknown_method(length=length or self.random.randint(20000, 100000))

    def malformed(self, big=False):
        lines = [
            (b"hello worker", -32700), (b"{'jsonrpc': '2.0', 'id': 1, 'method': 'status'}", -32700),
            (b'{"jsonrpc":"2.0","id":1,"method":"status",}', -32700),
            (b'{"jsonrpc":"2.0","id":1,"method":"status"} trailing', -32700),
            (b'{"jsonrpc":"2.0","id":1,"method":"status","params":{"x":NaN}}', -32700),
            (b'{"jsonrpc":"2.0","id":"\\ud800","method":"status"}', -32700),
            (b'{"jsonrpc":"2.0","id":1,"method":"status"', -32700),
            (bytes.fromhex("fffe7b7d"), -32700),
            (b'{"jsonrpc":"2.0","id":1,"method":"sta\xc3tus"}', -32700),
            (b"[" * 65 + b"]" * 65, -32700),
            (b'{"jsonrpc":"2.0","id":"x","method":"status","params":{"pad":"' + b"y" * 200000 + b'"', -32700),
        ]
        data, code = lines[-1] if big else self.random.choice(lines)
        self.send_line("not JSON", data, code)

    def bad_request(self):
        lines = [b"[]", b'[{"jsonrpc":"2.0","id":1,"method":"status"}]', b"42", b"null", b"{}",
                 b'{"jsonrpc":"2.0","id":null,"method":"status"}', b'{"jsonrpc":"2.0","id":true,"method":"status"}',
                 b'{"jsonrpc":"2.0","id":1.5,"method":"status"}', b'{"jsonrpc":"2.0","id":[1],"method":"status"}',
                 b'{"jsonrpc":"2.0","id":9223372036854775808,"method":"status"}']
        if self.random.random() < 0.7:
            self.send_line("invalid request", self.random.choice(lines), -32600)
        else:
            # Not a request but with a readable id: answered with that id.
            request_id = self.new_id()
            body = {"id": request_id, "method": "status"} if self.random.random() < 0.5 else {
                "jsonrpc": "2.0", "id": request_id}
            self.expected[id_key(request_id)] = ("invalid request", expect_error(-32600))
            self.sent_ids += 1
            self.categories["invalid request"] += 1
            self.client.send(json.dumps(body).encode() + b"\n")

    def notification(self):
        method = self.random.choice(["status", "shutdown", "train", "no_such", "cancel"])
        self.send_line("notification", json.dumps({"jsonrpc": "2.0", "method": method, "params": {}}).encode())

    def blank(self):
        self.send_line("blank line", self.random.choice([b"", b"   ", b"\t \t"]))

    # --- sampling ---

    def sample_memory(self):
        while self.sampling:
            rss, hwm = rss_kib(self.client.pid)
            if rss is not None:
                self.samples.append((self.client.answered, rss, hwm))
            time.sleep(0.05)

    def drain(self, timeout):
        c = self.client
        return c.wait_for(lambda: c.answered >= self.sent_ids and sum(self.expected_null.values())
                          <= sum(c.null_codes.values()), timeout)

    # --- the run ---

    def run(self):
        c = self.checks
        client = self.client
        try:
            self.prepare()
        except RuntimeError as error:
            c.check(False, "setup (generate, train, references)", error)
            return
        self.tour_steps = self.tour()
        warm_up = max(len(self.tour_steps) + 20, self.count // 10)
        sampler = threading.Thread(target=self.sample_memory, daemon=True)
        sampler.start()
        began = time.monotonic()
        self.injected = False
        client.next_pause = client.lines + 50
        client.pausing = True
        fds_start = rss_start = None
        paused_before = 0
        while self.sent_lines < self.count:
            if self.sent_lines == warm_up:
                client.pausing = False
                while client.paused.is_set():
                    time.sleep(0.05)
                c.check(self.drain(300), "warm-up: the first %d messages are all answered" % warm_up)
                fds_start = fd_targets(client.pid)
                rss_start = rss_kib(client.pid)
                self.answered_at_warm_up = client.answered
                client.next_pause = client.lines + 20
                client.pausing = True
            if len(client.pauses) != paused_before:
                paused_before = len(client.pauses)
                self.injected = False
            self.throttle()
            self.send_one(self.sent_lines)
            self.sent_lines += 1
        for _, train_id in sorted(self.delayed_cancels):
            self.send_cancel(train_id)
        self.delayed_cancels = []
        client.pausing = False
        drained = self.drain(600)
        elapsed = time.monotonic() - began
        c.check(drained, "all %d messages sent in %.1f s and every request answered" % (self.count, elapsed),
                "%d of %d answered" % (client.answered, self.sent_ids))
        time.sleep(0.3)
        if not c.check(client.process.poll() is None and fds_start is not None,
                       "the worker is still running after all answers", client.stderr_tail()):
            return
        fds_end = fd_targets(client.pid)
        rss_end = rss_kib(client.pid)
        self.sampling = False
        sampler.join()
        c.note("mix: " + ", ".join("%s %d" % kv for kv in sorted(self.categories.items())))
        self.check_answers()
        self.check_trains()
        self.check_pipe()
        self.check_memory(rss_start, rss_end)
        self.check_fds(fds_start, fds_end)
        self.check_files()
        client.process.stdin.close()
        try:
            status = client.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            status = None
        c.check(status == 0, "the worker exits 0 at end of input", status)
        stderr = read_bytes(client.stderr_path) or b""
        c.note("worker stderr: %d bytes%s" % (len(stderr), (": " + stderr[-300:].decode("utf-8", "replace"))
                                              if stderr else ""))
        c.check(client.lines == client.notifications + client.answered + sum(client.null_codes.values())
                + len(client.unexpected_lines), "line accounting adds up (%d lines, %d progress/log notifications)"
                % (client.lines, client.notifications))

    # --- checks ---

    def check_answers(self):
        c, client = self.checks, self.client
        with client.lock:
            responses = dict(client.responses)
        missing = [k for k in self.expected if k not in responses]
        doubled = [k for k, v in responses.items() if len(v) > 1]
        strangers = [k for k in responses if k not in self.expected]
        c.check(not missing, "every request with an id is answered (%d ids)" % len(self.expected), missing[:10])
        c.check(not doubled, "no request is answered twice", doubled[:10])
        c.check(not strangers, "no answer carries an id that was never sent", strangers[:10])
        wrong = []
        for key, (category, check) in self.expected.items():
            if key in responses:
                problem = check(responses[key][0])
                if problem:
                    wrong.append("%s %r: %s" % (category, key[1], problem))
        c.check(not wrong, "every answer is the expected one (result or error code, fields, reference values)",
                "; ".join(wrong[:5]))
        null_expected = dict(self.expected_null)
        null_got = dict(client.null_codes)
        c.check(null_expected == null_got, "lines without a readable id: null-id errors %s (expected %s); "
                "notifications and blank lines unanswered" % (null_got, null_expected))
        c.check(not client.unexpected_lines, "every stdout line is a JSON-RPC 2.0 message",
                client.unexpected_lines[:3])

    def check_trains(self):
        c = self.checks
        responses = self.client.responses
        counts = collections.Counter()
        problems = []
        for train_id, entry in self.trains.items():
            cancel_id, iterations = entry["cancel"], entry["iterations"]
            train = responses.get(id_key(train_id), [{}])[0]
            if cancel_id is None:
                counts["not cancelled, finished"] += 1
                if "result" not in train or train["result"].get("iterations") != iterations:
                    problems.append("train %r without cancel: %s" % (train_id, str(train)[:200]))
                continue
            cancel = responses.get(id_key(cancel_id), [{}])[0]
            cancelled = (cancel.get("result") or {}).get("cancelled")
            if cancelled is True:
                counts["cancelled"] += 1
                if (train.get("error") or {}).get("code") != -32800:
                    problems.append("train %r: cancel said cancelled, train answered %s" % (train_id, str(train)[:200]))
            elif cancelled is False:
                counts["cancel too late, finished"] += 1
                if "result" not in train:
                    problems.append("train %r: cancel said not cancelled, train answered %s"
                                    % (train_id, str(train)[:200]))
            else:
                problems.append("train %r: cancel answered %s" % (train_id, cancel))
        c.note("trains: " + ", ".join("%s %d" % kv for kv in sorted(counts.items())))
        c.check(not problems, "%d trains: cancelled ones answer -32800, the others their result" % len(self.trains),
                "; ".join(problems[:5]))

    def check_pipe(self):
        c, client = self.checks, self.client
        pauses = client.pauses
        full = [p for p in pauses if p[1] >= client.pipe_size - 4096]
        c.note("reader pauses: %d, %.1f s in all; the worker's stdout pipe (%d bytes) was full in %d; "
               "largest backlog %d bytes" % (len(pauses), sum(p[0] for p in pauses), client.pipe_size, len(full),
                                             max([p[1] for p in pauses] or [0])))
        c.check(len(pauses) >= 1 and full, "the slow reader filled the worker's stdout pipe at least once")

    def check_memory(self, start, end):
        c = self.checks
        # Quarters of the answers after warm-up (by answers counted, setup excluded).
        base = self.answered_at_warm_up
        total = max(1, self.client.answered - base)
        first = [s for s in self.samples if base <= s[0] <= base + total // 4]
        last = [s for s in self.samples if s[0] >= base + 3 * total // 4]
        if not first or not last:
            c.check(False, "memory samples in the first and the last quarter", "%d, %d" % (len(first), len(last)))
            return
        first_rss = max(s[1] for s in first)
        last_rss = max(s[1] for s in last)
        first_hwm = max(s[2] for s in first)
        last_hwm = max(s[2] for s in last)
        c.note("VmRSS after warm-up %d KiB, at the end %d KiB; first quarter max %d median %d, last quarter max %d "
               "median %d KiB (%d samples); VmHWM first quarter %d, end %d KiB" % (
                   start[0], end[0], first_rss, statistics.median(s[1] for s in first), last_rss,
                   statistics.median(s[1] for s in last), len(self.samples), first_hwm, last_hwm))
        tenths = []
        for i in range(10):
            part = [s[1] for s in self.samples if base + i * total / 10 <= s[0] <= base + (i + 1) * total / 10]
            tenths.append("%.1f" % (max(part) / MIB) if part else "-")
        c.note("VmRSS max per tenth of the run (MiB): " + " ".join(tenths))
        margin = max(16 * MIB, first_rss * 15 // 100)
        c.check(last_rss <= first_rss + margin, "VmRSS flat: last quarter max %d KiB <= first quarter max %d + %d"
                % (last_rss, first_rss, margin))
        c.check(last_hwm <= first_hwm + margin, "VmHWM flat: %d KiB at the end <= %d after the first quarter + %d"
                % (last_hwm, first_hwm, margin))

    def check_fds(self, start, end):
        c = self.checks
        added = {fd: t for fd, t in end.items() if start.get(fd) != t}
        gone = {fd: t for fd, t in start.items() if fd not in end}
        c.check(len(end) == len(start) and not added,
                "open file descriptors: %d after warm-up, %d at the end" % (len(start), len(end)),
                "new: %s; closed: %s" % (added, gone))

    def check_files(self):
        c = self.checks
        seg = snapshot(os.path.join(self.folder, "seg"))
        wrong = [n for n, b in seg.items() if self.segment_reference.get(n) != b]
        hidden = [n for n in seg if n.startswith(".")]
        c.check(seg and not wrong and not hidden, "the %d segment outputs are byte-identical to the reference, "
                "no temporaries left" % len(seg), wrong + hidden)
        wm = read_bytes(os.path.join(self.folder, "wm", "out.tif"))
        c.check(wm == self.weight_map_reference, "the weight map is byte-identical to the reference")
        left = [os.path.join(d, n) for d in ("seg", "wm", "train_out", "gen")
                for n in (os.listdir(os.path.join(self.folder, d)) if os.path.isdir(os.path.join(self.folder, d))
                          else []) if n.startswith(".")]
        c.check(not left, "no hidden temporaries in any output folder (cancelled trains included)", left[:5])


def expect_error(code, path=None, field=None):
    def check(response):
        error = response.get("error") or {}
        data = error.get("data") or {}
        if error.get("code") != code:
            return "expected error %d, got %s" % (code, str(response)[:300])
        if path is not None and data.get("path") != path:
            return "expected data.path %s, got %s" % (path, data)
        if field is not None and data.get("field") != field:
            return "expected data.field %s, got %s" % (field, data)
        return None
    return check


if __name__ == "__main__":
    sys.exit(main())
