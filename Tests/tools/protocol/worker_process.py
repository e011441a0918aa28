"""The worker as a child process: bytes in, timestamped stdout lines out, stderr kept.

Two reader threads drain stdout and stderr continuously, so the worker never blocks on a full
pipe while the replay waits for something else.
"""

import queue
import subprocess
import threading
import time


class WorkerGone(Exception):
    """The worker closed its stdin (it exited) while the replay was still writing."""


class WorkerProcess:
    def __init__(self, argv, cwd):
        self.process = subprocess.Popen(
            argv, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._lines = queue.Queue()
        self._stderr = bytearray()
        self.stdout_closed = False
        threading.Thread(target=self._read_stdout, daemon=True).start()
        self._stderr_thread = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr_thread.start()

    def _read_stdout(self):
        for line in iter(self.process.stdout.readline, b""):
            self._lines.put((time.monotonic(), line))
        self._lines.put((time.monotonic(), None))

    def _read_stderr(self):
        for chunk in iter(lambda: self.process.stderr.read1(65536), b""):
            self._stderr.extend(chunk)

    def send(self, data):
        """Writes bytes to the worker's stdin and flushes; returns the time writing began (an
        answer can be read before the write call returns)."""
        began = time.monotonic()
        try:
            self.process.stdin.write(data)
            self.process.stdin.flush()
        except (BrokenPipeError, ValueError) as error:
            raise WorkerGone("the worker stopped reading its input (%s)" % error) from None
        return began

    def close_input(self):
        try:
            self.process.stdin.close()
        except BrokenPipeError:
            pass

    def next_line(self, timeout):
        """(arrival time, raw line with its newline), (time, None) at end of stdout, or None
        when nothing arrived within `timeout` seconds."""
        if self.stdout_closed:
            return None
        try:
            arrival, line = self._lines.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None
        if line is None:
            self.stdout_closed = True
        return arrival, line

    def wait(self, timeout):
        """The exit code, or None when the worker is still running after `timeout` seconds."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        """Ends the worker if it still runs (a failed replay), and closes the pipes."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.close_input()
        self._stderr_thread.join(timeout=2)

    @property
    def stderr_text(self):
        return bytes(self._stderr).decode("utf-8", "replace")
