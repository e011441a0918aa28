"""Shared parts of the robustness tests: the worker as a child process, TAP-like checks, the
worker's temporary-file names, and small file helpers. Python 3 standard library only.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time


class Checks:
    """Numbered TAP-like lines ("ok 3 - ..." / "not ok 4 - ... # detail") and a summary."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []

    def check(self, condition, description, detail=""):
        number = self.passed + self.failed + 1
        if condition:
            self.passed += 1
            print("ok %d - %s" % (number, description), flush=True)
        else:
            self.failed += 1
            self.failures.append(description)
            line = "not ok %d - %s" % (number, description)
            if detail:
                line += " # " + str(detail).replace("\n", " ")[:2000]
            print(line, flush=True)
        return bool(condition)

    def note(self, text):
        print("# " + text, flush=True)

    def finish(self, started):
        print("1..%d" % (self.passed + self.failed))
        print("# %d passed, %d failed, %.1f s" % (self.passed, self.failed, time.monotonic() - started),
              flush=True)
        for description in self.failures:
            print("# FAILED: " + description)
        return 1 if self.failed else 0


class WorkerError(Exception):
    pass


class Worker:
    """One unet-worker process: requests with fresh ids, a reader thread that files responses
    by id and keeps notifications, stderr in a file."""

    def __init__(self, binary, cwd, threads=1, stderr_path=None):
        self.cwd = cwd
        self.stderr_path = stderr_path or os.path.join(cwd, "worker-stderr-%d.log" % time.monotonic_ns())
        self._stderr = open(self.stderr_path, "wb")
        self.process = subprocess.Popen(
            [binary, "--threads", str(threads)], cwd=cwd, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._stderr)
        self.pid = self.process.pid
        self._lock = threading.Condition()
        self._responses = {}   # id -> list of response messages
        self.notifications = []
        self.bad_lines = []    # stdout lines that are not JSON objects
        self.eof = False
        self._next_id = 1
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for raw in iter(self.process.stdout.readline, b""):
            try:
                message = json.loads(raw)
            except ValueError:
                message = None
            with self._lock:
                if not isinstance(message, dict):
                    self.bad_lines.append(raw)
                elif "id" in message:
                    self._responses.setdefault(_key(message["id"]), []).append(message)
                else:
                    self.notifications.append(message)
                self._lock.notify_all()
        with self._lock:
            self.eof = True
            self._lock.notify_all()

    def send_raw(self, data):
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def request(self, method, params=None):
        """Sends a request; returns its id."""
        with self._lock:
            request_id = self._next_id
            self._next_id += 1
        message = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send_raw((json.dumps(message) + "\n").encode())
        return request_id

    def response(self, request_id, timeout=120):
        """The response to `request_id` (waits for it); raises WorkerError on timeout or EOF."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                got = self._responses.get(_key(request_id))
                if got:
                    return got[0]
                if self.eof:
                    raise WorkerError("the worker closed stdout before answering %r" % request_id)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise WorkerError("no answer to %r within %s s" % (request_id, timeout))
                self._lock.wait(left)

    def answered(self, request_id):
        with self._lock:
            return bool(self._responses.get(_key(request_id)))

    def response_count(self, request_id):
        with self._lock:
            return len(self._responses.get(_key(request_id), []))

    def progress_of(self, request_id):
        with self._lock:
            return [n for n in self.notifications
                    if n.get("method") == "progress" and n.get("params", {}).get("request") == request_id]

    def call(self, method, params=None, timeout=120):
        return self.response(self.request(method, params), timeout)

    def alive(self):
        return self.process.poll() is None

    def kill(self):
        """SIGKILL and reap; returns the exit status."""
        if self.process.poll() is None:
            self.process.kill()
        status = self.process.wait()
        self._close_pipes()
        return status

    def close(self, timeout=60):
        """Ends input and waits for the exit status (kills after `timeout`)."""
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            status = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
        self._close_pipes()
        return status

    def _close_pipes(self):
        self._reader.join(timeout=5)
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self._stderr.close()

    def stderr_text(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""


def _key(request_id):
    # 1 and "1" are different ids; bool never comes back from the worker.
    return (type(request_id).__name__, request_id)


def result_of(response):
    """The result of a response, or raises WorkerError with the error."""
    if "result" not in response:
        raise WorkerError("error answer: %s" % json.dumps(response.get("error"))[:1000])
    return response["result"]


def error_code(response):
    error = response.get("error")
    return error.get("code") if isinstance(error, dict) else None


# The worker's temporary names (Sources/TIFFSupport/TemporarySibling.swift, the one rule for
# every file it writes): hidden, in the destination folder, `.NAME.PID-RANDOM.tmp`.
_TEMPORARY_PATTERNS = [
    re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-(?P<random>[0-9a-z]+)\.tmp$"),
]


def parse_temporary(file_name):
    """(destination name, pid) when `file_name` is one of the worker's temporaries, else None."""
    for pattern in _TEMPORARY_PATTERNS:
        match = pattern.match(file_name)
        if match:
            return match.group("name"), int(match.group("pid"))
    return None


def read_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def snapshot(folder):
    """{name: bytes} of the plain files in `folder` (empty when it does not exist)."""
    if not os.path.isdir(folder):
        return {}
    return {name: read_bytes(os.path.join(folder, name)) for name in sorted(os.listdir(folder))
            if os.path.isfile(os.path.join(folder, name))}


def scratch_folder(prefix):
    return tempfile.mkdtemp(prefix=prefix)


def remove_folder(path):
    shutil.rmtree(path, ignore_errors=True)


def worker_binary(argument):
    binary = os.path.abspath(argument)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print("not an executable file: %s" % binary)
        sys.exit(2)
    return binary


def rss_kib(pid):
    """(VmRSS, VmHWM) in KiB from /proc/PID/status, or (None, None)."""
    values = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":", 1)
                    values[key] = int(value.split()[0])
    except OSError:
        return None, None
    return values.get("VmRSS"), values.get("VmHWM")


def fd_targets(pid):
    """{fd: target} of the open file descriptors of `pid`."""
    folder = "/proc/%d/fd" % pid
    targets = {}
    try:
        names = os.listdir(folder)
    except OSError:
        return targets
    for name in names:
        try:
            targets[int(name)] = os.readlink(os.path.join(folder, name))
        except OSError:
            pass
    return targets


class DirectoryWatch:
    """inotify on one folder (Linux, through ctypes): which files are created, written to and
    renamed away, as they happen, so a test can act the moment a temporary file appears."""

    CREATE = 0x100
    MODIFY = 0x2
    MOVED_FROM = 0x40

    def __init__(self, folder):
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        mask = self.CREATE | self.MODIFY | self.MOVED_FROM
        if libc.inotify_add_watch(self.fd, os.fsencode(folder), mask) < 0:
            error = ctypes.get_errno()
            os.close(self.fd)
            raise OSError(error, "inotify_add_watch %s failed" % folder)

    def events(self, timeout):
        """[(mask, file name)] that arrived within `timeout` seconds (maybe none)."""
        import select
        import struct
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return []
        try:
            data = os.read(self.fd, 1 << 16)
        except BlockingIOError:
            return []
        events, offset = [], 0
        while offset + 16 <= len(data):
            _, mask, _, length = struct.unpack_from("iIII", data, offset)
            name = data[offset + 16:offset + 16 + length].split(b"\0", 1)[0].decode("utf-8", "replace")
            events.append((mask, name))
            offset += 16 + length
        return events

    def close(self):
        os.close(self.fd)
