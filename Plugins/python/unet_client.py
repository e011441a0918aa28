"""A client for the U-Net worker, using only the Python standard library.

The worker (``unet-worker``) speaks newline-delimited JSON-RPC 2.0 on stdin/stdout. This module
starts it, sends requests, lets you iterate the progress of long requests (train, segment),
cancel them, and read their results; the worker's stderr goes to a log callback.
Use it from scripts, notebooks or napari::

    from unet_client import Worker

    with Worker() as worker:                    # UNET_WORKER, else unet-worker on PATH
        call = worker.train(["img.tif"], ["labels.tif"], "model.unet", iterations=200)
        for progress in call.progress():        # until the training answers
            print(progress.describe())
        print(call.result()["model"])
        out = worker.segment("model.unet", ["new.tif"], "out/").result()

Errors from the worker raise :class:`WorkerError` with the JSON-RPC ``code``, ``message`` and
``data``; a worker that dies raises :class:`WorkerDied` for every pending request.
"""

import json
import os
import queue
import shutil
import subprocess
import sys
import threading

__all__ = ["Worker", "Call", "Progress", "WorkerError", "WorkerDied", "WorkerNotFound",
           "find_worker", "CANCELLED"]

ENVIRONMENT_VARIABLE = "UNET_WORKER"
EXECUTABLE_NAME = "unet-worker"
CANCELLED = -32800
"""JSON-RPC code of a cancelled request."""


class WorkerError(Exception):
    """An error response of the worker (or a client-side failure with a negative code)."""

    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    @property
    def cancelled(self):
        return self.code == CANCELLED

    def __str__(self):
        return f"{self.message} (code {self.code})" + (f" {self.data}" if self.data else "")


class WorkerDied(WorkerError):
    """The worker process ended while the request was pending."""


class WorkerNotFound(WorkerError, FileNotFoundError):
    """No unet-worker executable was found."""


def find_worker(executable=None):
    """The worker's path: ``executable`` if given, else $UNET_WORKER, else ``unet-worker`` on PATH."""
    candidates = [("the argument", executable), (ENVIRONMENT_VARIABLE, os.environ.get(ENVIRONMENT_VARIABLE))]
    for origin, path in candidates:
        if path:
            if os.path.isfile(path) and os.access(path, os.X_OK):
                return os.path.abspath(path)
            raise WorkerNotFound(-1, f"{origin} names {path!r}, which is not an executable file")
    found = shutil.which(EXECUTABLE_NAME)
    if found:
        return found
    raise WorkerNotFound(-1, f"{EXECUTABLE_NAME} was not found: set {ENVIRONMENT_VARIABLE}=/path/to/"
                             f"{EXECUTABLE_NAME}, or put it on PATH (build it with 'make build')")


class Progress:
    """One progress notification: ``request``, ``stage``, ``done``, ``total``; ``loss`` and
    ``eta_s`` are None where they do not apply. ``raw`` holds every field the worker sent."""

    __slots__ = ("request", "stage", "done", "total", "loss", "eta_s", "raw")

    def __init__(self, params):
        self.raw = params
        self.request = params.get("request")
        self.stage = params.get("stage", "")
        self.done = params.get("done", 0)
        self.total = params.get("total", 0)
        self.loss = params.get("loss")
        self.eta_s = params.get("eta_s")

    @property
    def fraction(self):
        return min(1.0, self.done / self.total) if self.total else 0.0

    def describe(self):
        """Text such as ``train 40/1000 loss 0.3120 eta 2 min`` or, for a validation,
        ``validate 1/1 validation loss 0.2500 foreground IoU 0.812``."""
        text = f"{self.stage} {self.done}/{self.total}"
        if self.loss is not None:
            text += f" {'validation loss' if self.stage == 'validate' else 'loss'} {self.loss:.4f}"
        if self.raw.get("validation_loss") is not None:
            text += f" validation loss {self.raw['validation_loss']:.4f}"
        iou = self.raw.get("foreground_iou", self.raw.get("validation_fg_iou"))
        if iou is not None:
            text += f" foreground IoU {iou:.3f}"
        if self.eta_s is not None:
            text += f" eta {self.eta_s:.0f} s" if self.eta_s < 90 else f" eta {self.eta_s / 60:.0f} min"
        return text

    def __repr__(self):
        return f"Progress({self.raw!r})"


_DONE = object()


class Call:
    """A request sent to the worker: iterate its :meth:`progress`, wait for its :meth:`result`,
    or :meth:`cancel` it. Created by :meth:`Worker.start`."""

    def __init__(self, worker, request_id, method):
        self._worker = worker
        self.id = request_id
        self.method = method
        self._events = queue.Queue()
        self._answered = threading.Event()
        self._result = None
        self._error = None
        self.progress_count = 0

    def progress(self, timeout=None):
        """Yields each :class:`Progress` until the response arrives (then stops; call
        :meth:`result`). ``timeout`` bounds the wait for each next event (``queue.Empty``)."""
        while True:
            event = self._events.get(timeout=timeout)
            if event is _DONE:
                self._events.put(_DONE)  # later iterations end at once too
                return
            yield event

    def result(self, timeout=None):
        """The ``result`` object; raises :class:`WorkerError` for an error response and
        ``TimeoutError`` when ``timeout`` seconds pass first."""
        if not self._answered.wait(timeout):
            raise TimeoutError(f"no answer to {self.method!r} within {timeout} s")
        if self._error is not None:
            raise self._error
        return self._result

    def done(self):
        return self._answered.is_set()

    def cancel(self, timeout=10):
        """Asks the worker to cancel this request; True if it was still running or queued.
        The request then fails with a :class:`WorkerError` whose ``cancelled`` is True."""
        if self.done():
            return False
        return bool(self._worker.request("cancel", {"request": self.id}, timeout=timeout).get("cancelled"))

    def _progress(self, progress):
        self.progress_count += 1
        self._events.put(progress)

    def _finish(self, result=None, error=None):
        if self._answered.is_set():
            return
        self._result, self._error = result, error
        self._answered.set()
        self._events.put(_DONE)


class Worker:
    """One unet-worker process. Thread-safe: requests may be sent from any thread.

    :param executable: the worker's path (default: :func:`find_worker`)
    :param log: called with each stderr line and each ``log`` notification (default: print to stderr)
    :param on_progress: called with every :class:`Progress` of every request (reader thread)
    """

    def __init__(self, executable=None, log=None, on_progress=None, cwd=None, arguments=()):
        """``arguments``: extra command-line arguments of the worker, e.g. ``["--threads", "1"]``."""
        self.executable = find_worker(executable)
        self._log = log or (lambda line: print(line, file=sys.stderr))
        self._on_progress = on_progress
        self._pending = {}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._next_id = 1
        self._closing = False
        self._stderr_tail = []
        self._process = subprocess.Popen([self.executable, *arguments], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, cwd=cwd)
        self._stderr_thread = threading.Thread(target=self._read_stderr, name="unet-worker stderr", daemon=True)
        self._stderr_thread.start()
        self._stdout_thread = threading.Thread(target=self._read_stdout, name="unet-worker stdout", daemon=True)
        self._stdout_thread.start()

    # -- lifecycle -------------------------------------------------------------------------------

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def alive(self):
        return self._process.poll() is None

    @property
    def returncode(self):
        return self._process.poll()

    @property
    def pid(self):
        return self._process.pid

    def close(self, timeout=10):
        """Sends ``shutdown`` (which cancels what runs), waits for the exit; returns the exit code."""
        self._closing = True
        if self.alive:
            try:
                self.start("shutdown")
                self._process.stdin.close()
            except (WorkerError, OSError):
                pass
        try:
            return self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            return self._process.wait()
        finally:
            self._stdout_thread.join(2)
            self._stderr_thread.join(2)
            for stream in (self._process.stdin, self._process.stdout, self._process.stderr):
                try:
                    stream.close()
                except OSError:
                    pass

    # -- requests --------------------------------------------------------------------------------

    def start(self, method, params=None):
        """Sends a request and returns its :class:`Call` at once."""
        with self._lock:
            request_id = self._next_id
            self._next_id += 1
            call = Call(self, request_id, method)
            self._pending[request_id] = call
        message = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        line = json.dumps(message, separators=(",", ":")) + "\n"
        try:
            with self._write_lock:
                self._process.stdin.write(line.encode("utf-8"))
                self._process.stdin.flush()
        except (OSError, ValueError):
            with self._lock:
                self._pending.pop(request_id, None)
            raise self._died()
        return call

    def request(self, method, params=None, timeout=None, on_progress=None):
        """Sends a request and waits for its result; ``on_progress`` gets this request's progress."""
        call = self.start(method, params)
        if on_progress is None:
            return call.result(timeout)
        for progress in call.progress(timeout):
            on_progress(progress)
        return call.result(timeout)

    # -- the protocol's methods ------------------------------------------------------------------

    def initialize(self):
        return self.request("initialize", {}, timeout=60)

    def status(self):
        return self.request("status", {}, timeout=60)

    def train(self, images, labels, model_out, **options):
        """Starts training; ``options``: init_model, iterations, max_seconds, validation, config."""
        return self.start("train", dict(options, images=_paths(images), labels=_paths(labels),
                                        model_out=os.path.abspath(model_out)))

    def segment(self, model, images, output_dir, **options):
        """Starts segmenting; ``options``: outputs (also "classes" with a K-class model), tile_size,
        memory_mb, tta, grow_instances, threshold, growth_threshold, min_object_area (the last two
        default to the model's post-processing, chosen when it was trained), pixel_size (µm per
        pixel of the inputs, overriding their files; images of another pixel size than the
        model's are resampled for the network, outputs keep the input's size)."""
        return self.start("segment", dict(options, model=os.path.abspath(model), images=_paths(images),
                                          output_dir=os.path.abspath(output_dir)))

    def weight_map(self, labels, output, **options):
        return self.request("weight_map", dict(options, labels=os.path.abspath(labels),
                                               output=os.path.abspath(output)))

    def evaluate(self, prediction, truth, **options):
        """Scores a prediction against the truth; ``options``: truth_kind ("classes": both are
        class images, the result adds class_iou and mean_iou) and classes."""
        return self.request("evaluate", dict(options, prediction=os.path.abspath(prediction),
                                             truth=os.path.abspath(truth)))

    def model_info(self, model):
        return self.request("model_info", {"model": os.path.abspath(model)}, timeout=60)

    def export(self, model, output, name=None, description=None, authors=None, tile_size=None):
        """Writes the model as a bioimage.io model package (``output``: a .zip; ONNX weights,
        test tensors, bioimageio.yaml) for deepImageJ and bioimageio.core. ``authors``: names or
        {"name": ...} objects. The result holds output, format, onnx_opset and the file's sha256."""
        params = {"model": os.path.abspath(model), "output": os.path.abspath(output)}
        if name is not None:
            params["name"] = name
        if description is not None:
            params["description"] = description
        if authors is not None:
            params["authors"] = [a if isinstance(a, dict) else {"name": a} for a in authors]
        if tile_size is not None:
            params["tile_size"] = tile_size
        return self.request("export", params)

    def generate(self, kind, output_dir, count=1, width=128, height=128, seed=1):
        """Synthetic images with ground truth (``kind``: nuclei, cells, membranes or mixed, three
        classes whose labels hold class ids; train it with config classes 3, label_kind "classes")."""
        return self.request("generate", {"kind": kind, "output_dir": os.path.abspath(output_dir),
                                         "count": count, "width": width, "height": height, "seed": seed})

    # -- reader threads --------------------------------------------------------------------------

    def _read_stdout(self):
        for raw in self._process.stdout:
            line = raw.decode("utf-8", "replace").strip()
            if line:
                self._dispatch(line)
        try:
            self._process.wait(2)
        except subprocess.TimeoutExpired:
            pass
        self._stderr_thread.join(0.5)
        error = self._died()
        with self._lock:
            pending, self._pending = list(self._pending.values()), {}
        for call in pending:
            call._finish(error=error)

    def _dispatch(self, line):
        try:
            message = json.loads(line)
        except ValueError:
            self._log(f"unet-worker wrote a line that is not JSON: {line}")
            return
        if not isinstance(message, dict):
            return
        if "method" in message:
            params = message.get("params") or {}
            if message["method"] == "progress":
                progress = Progress(params)
                with self._lock:
                    call = self._pending.get(progress.request)
                if call is not None:
                    call._progress(progress)
                if self._on_progress is not None:
                    self._on_progress(progress)
            elif message["method"] == "log":
                self._log(f"unet-worker [{params.get('level', 'info')}] {params.get('message', '')}")
            return
        with self._lock:
            call = self._pending.pop(message.get("id"), None)
        if call is None:
            return
        if isinstance(message.get("error"), dict):
            error = message["error"]
            call._finish(error=WorkerError(error.get("code", -32603), error.get("message", ""), error.get("data")))
        else:
            call._finish(result=message.get("result"))

    def _read_stderr(self):
        for raw in self._process.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self._stderr_tail = (self._stderr_tail + [line])[-20:]
            self._log(f"unet-worker: {line}")

    def _died(self):
        if self._closing:
            return WorkerDied(CANCELLED, "the worker was shut down")
        code = self._process.poll()
        text = f"the worker {self.executable} stopped unexpectedly" + ("" if code is None else f" (exit code {code})")
        if self._stderr_tail:
            text += "; its last messages:\n  " + "\n  ".join(self._stderr_tail)
        return WorkerDied(-2, text)


def _paths(paths):
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return [os.path.abspath(path) for path in paths]
