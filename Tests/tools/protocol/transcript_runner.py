"""Runs one transcript (Protocol/transcripts/README.md) against the worker.

Steps run in order: lines are sent, expected messages are waited for (in any order among the
lines received so far, since notifications and the answers of queued requests interleave),
files are checked. The first failing step ends the run; when every step passed, the checks
of the whole session follow (session_checks.py).
"""

import json
import os
import shutil
import tempfile
import time
from collections import Counter, defaultdict

import session_checks
import wire_rules
from transcript_patterns import mismatch, show, substitute
from worker_process import WorkerGone, WorkerProcess

DEFAULT_TIMEOUT = 20.0

# Each step has one of these keys, plus some of the modifiers listed with it.
STEP_KINDS = {
    "comment": set(), "start": set(),
    "send": {"invalid"}, "send_raw": {"invalid", "newline"}, "send_hex": {"invalid"}, "send_big": {"invalid"},
    "expect": {"timeout", "within", "label", "after"},
    "progress": set(), "close": set(), "exit": {"timeout"},
    "write_file": set(), "mkdir": set(), "files": set(),
}


class StepFailure(Exception):
    pass


class Received:
    """One line the worker wrote, in arrival order."""

    def __init__(self, index, arrival, raw, value):
        self.index, self.arrival, self.raw, self.value = index, arrival, raw, value
        self.consumed = False


def load_steps(path):
    """The transcript's steps as (line number, step); raises ValueError on a malformed file."""
    steps = []
    with open(path, encoding="utf-8") as handle:
        for number, text in enumerate(handle, 1):
            if not text.strip():
                continue
            step = json.loads(text)
            kinds = [k for k in step if k in STEP_KINDS] if isinstance(step, dict) else []
            if len(kinds) != 1:
                raise ValueError("line %d: a step needs exactly one of %s" % (number, sorted(STEP_KINDS)))
            unknown = set(step) - {kinds[0]} - STEP_KINDS[kinds[0]]
            if unknown:
                raise ValueError("line %d: %s does not take %s" % (number, kinds[0], sorted(unknown)))
            steps.append((number, kinds[0], step))
    actions = [s for s in steps if s[1] != "comment"]
    exits = [i for i, s in enumerate(actions) if s[1] == "exit"]
    if len(exits) != 1 or any(s[1] != "files" for s in actions[exits[0] + 1:]):
        raise ValueError("one {\"exit\": code} step must end the session (only \"files\" may follow)")
    if any(kind == "start" for _, kind, _ in actions[1:]):
        raise ValueError("\"start\" may only be the first step")
    return steps


class TranscriptRun:
    def __init__(self, path, worker, schemas, keep=False, verbose=False):
        self.path, self.worker_binary, self.schemas = path, worker, schemas
        self.keep, self.verbose = keep, verbose
        self.received = []
        self.line_problems = []
        self.expected_answers = Counter()
        self.methods_by_id = defaultdict(list)
        self.progress_rules = {}
        self.labels = {}
        self.last_send = time.monotonic()

    def run(self):
        """The failures of this transcript (empty when it passed)."""
        try:
            steps = load_steps(self.path)
        except (ValueError, OSError) as error:
            return ["cannot read the transcript: %s" % error]
        args = next((step["start"].get("args", []) for _, kind, step in steps if kind == "start"), [])
        # `--appose`: the worker speaks the Appose worker protocol (Protocol/README.md, "Appose
        # mode"); lines are checked against the appose.* schemas and answers counted per task.
        self.appose = "--appose" in args
        self.request_schema = "appose.request.schema.json" if self.appose else "request.schema.json"
        self.message_schema = "appose.response.schema.json" if self.appose else "message.schema.json"
        try:
            for number, kind, step in steps:
                if kind == "progress":
                    self._register_rule(number, step["progress"])
        except (StepFailure, AttributeError) as error:
            return ["malformed progress rule: %s" % error]
        self.scratch = os.path.realpath(tempfile.mkdtemp(prefix="unet-transcript-"))
        self.variables = {"TMP": self.scratch}
        self.worker = WorkerProcess([self.worker_binary] + args, cwd=self.scratch)
        failures = []
        try:
            for number, kind, step in steps:
                try:
                    getattr(self, "_step_" + kind)(step)
                except (StepFailure, WorkerGone) as error:
                    failures.append("line %d (%s): %s" % (number, kind, error))
                    break
                except (KeyError, TypeError, ValueError, AttributeError, OSError) as error:
                    failures.append("line %d (%s): malformed step (%s: %s)" % (
                        number, kind, type(error).__name__, error))
                    break
            if not failures:
                failures = session_checks.check(self)
        finally:
            self.worker.stop()
            if self.keep:
                print("  scratch folder kept: %s" % self.scratch)
            else:
                shutil.rmtree(self.scratch, ignore_errors=True)
        if failures and self.worker.stderr_text.strip():
            failures.append("worker stderr (last lines):\n      " +
                            "\n      ".join(self.worker.stderr_text.strip().splitlines()[-8:]))
        return failures

    # MARK: - Sending

    def _send(self, raw, invalid, display, newline=True):
        if b"\n" in raw:
            raise StepFailure("a sent line may not contain a raw newline")
        kind, value, problem = wire_rules.parse_line(raw)
        schema_problem = None
        if kind == "message":
            schema_problem = self.schemas.problem(self.request_schema, value)
        elif kind == "garbage":
            schema_problem = problem
        if invalid and kind != "blank" and schema_problem is None:
            raise StepFailure("marked invalid, but %s accepts it: %s" % (self.request_schema, display))
        if not invalid and schema_problem is not None:
            raise StepFailure("%s rejects a line sent as valid: %s (%s)" % (self.request_schema, schema_problem, display))
        if self.appose:
            if kind == "message" and isinstance(value, dict) and value.get("requestType") == "EXECUTE":
                key = wire_rules.id_key(value.get("task"))
                if key is not None:
                    self.expected_answers[key] += 1
                    script = value.get("script")
                    self.methods_by_id[key].append(script.strip() if isinstance(script, str) else None)
        elif kind == "message" and isinstance(value, dict) and "id" in value:
            key = wire_rules.id_key(value["id"])
            if key is not None:
                self.expected_answers[key] += 1
                self.methods_by_id[key].append(value.get("method"))
        if self.verbose:
            print("    -> %s" % display)
        self.last_send = self.worker.send(raw + b"\n" if newline else raw)

    def _step_send(self, step):
        message = substitute(step["send"], self.variables)
        text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
        self._send(text.encode("utf-8"), step.get("invalid", False), text[:200])

    def _step_send_raw(self, step):
        text = substitute(step["send_raw"], self.variables)
        self._send(text.encode("utf-8"), step.get("invalid", False), repr(text[:200]), step.get("newline", True))

    def _step_send_hex(self, step):
        raw = bytes.fromhex(step["send_hex"].replace(" ", ""))
        self._send(raw, step.get("invalid", False), "hex " + step["send_hex"][:200])

    def _step_send_big(self, step):
        spec = step["send_big"]
        fill = spec.get("fill", "x").encode("utf-8")
        prefix, suffix = spec.get("prefix", "").encode("utf-8"), spec.get("suffix", "").encode("utf-8")
        room = spec["length"] - len(prefix) - len(suffix)
        if room < 0 or room % len(fill):
            raise StepFailure("send_big: length %d cannot be filled with %r" % (spec["length"], fill))
        raw = prefix + fill * (room // len(fill)) + suffix
        self._send(raw, step.get("invalid", False), "%d bytes: %s...%s" % (len(raw), prefix[:60], suffix[-40:]))

    def _step_close(self, step):
        self.worker.close_input()

    # MARK: - Receiving

    def _receive(self, arrival, raw):
        if not raw.endswith(b"\n"):
            self.line_problems.append("stdout ends with a line without \\n: %r" % raw[:200])
        kind, value, problem = wire_rules.parse_line(raw)
        if kind != "message":
            self.line_problems.append("stdout line is not a protocol message (%s): %r" % (problem or kind, raw[:200]))
            value = None
        elif self.schemas.problem(self.message_schema, value):
            self.line_problems.append("%s in %s" % (self.schemas.problem(self.message_schema, value), show(value)))
        if self.verbose:
            print("    <- %s" % raw.decode("utf-8", "replace").rstrip()[:200])
        self.received.append(Received(len(self.received), arrival, raw, value))

    def _pump(self, timeout):
        """Receives one line, waiting up to `timeout`; False on timeout or end of stdout."""
        item = self.worker.next_line(timeout)
        if item is None or item[1] is None:
            return False
        self._receive(*item)
        return True

    def _step_expect(self, step):
        pattern = step["expect"]
        deadline = time.monotonic() + step.get("timeout", DEFAULT_TIMEOUT)
        while True:
            for entry in self.received:
                if not entry.consumed and entry.value is not None and \
                        mismatch(pattern, entry.value, self.variables) is None:
                    return self._matched(step, entry)
            if self._all_answered(pattern):
                raise StepFailure("every request with this id is answered already; expected %s%s" % (
                    show(pattern, 300), self._near_misses(pattern)))
            if not self._pump(deadline - time.monotonic()):
                reason = "the worker closed stdout" if self.worker.stdout_closed else \
                    "nothing matched within %.1f s" % step.get("timeout", DEFAULT_TIMEOUT)
                raise StepFailure("%s; expected %s%s" % (reason, show(pattern, 300), self._near_misses(pattern)))

    def _matched(self, step, entry):
        entry.consumed = True
        if "within" in step and entry.arrival - self.last_send > step["within"]:
            raise StepFailure("arrived %.2f s after the last line sent (limit %.2f s): %s" % (
                entry.arrival - self.last_send, step["within"], show(entry.value)))
        after = step.get("after", [])
        for label in [after] if isinstance(after, str) else after:
            if label not in self.labels:
                raise StepFailure("\"after\": no earlier expect is labelled %r" % label)
            if entry.index < self.labels[label]:
                raise StepFailure("arrived before the message labelled %r: %s" % (label, show(entry.value)))
        if "label" in step:
            self.labels[step["label"]] = entry.index

    def _all_answered(self, pattern):
        """True when the pattern is a response whose id got all its answers (so none can come)."""
        if not isinstance(pattern, dict) or "id" not in pattern or isinstance(pattern["id"], dict) \
                or (isinstance(pattern["id"], str) and pattern["id"].startswith("$")):
            return False  # no literal id
        key = wire_rules.id_key(substitute(pattern["id"], self.variables))
        if key is None:
            return False
        answers = sum(1 for e in self.received if isinstance(e.value, dict) and "id" in e.value
                      and wire_rules.id_key(e.value["id"]) == key)
        return answers >= self.expected_answers[key]

    def _near_misses(self, pattern):
        key = next((k for k in ("id", "task") if isinstance(pattern, dict) and k in pattern), "method")
        wanted = pattern.get(key) if isinstance(pattern, dict) else None
        near = [e for e in self.received if not e.consumed and e.value is not None and
                isinstance(e.value, dict) and e.value.get(key) == wanted]
        lines = ["\n      near miss: %s" % mismatch(pattern, e.value, self.variables) for e in near[:3]]
        return "".join(lines)

    def _step_exit(self, step):
        code = self.worker.wait(step.get("timeout", DEFAULT_TIMEOUT))
        if code is None:
            raise StepFailure("the worker did not exit within %.1f s" % step.get("timeout", DEFAULT_TIMEOUT))
        while self._pump(5.0):
            pass
        if code != step["exit"]:
            raise StepFailure("the worker exited with %d, expected %d" % (code, step["exit"]))

    # MARK: - Rules and files

    def _register_rule(self, number, rule):
        key = wire_rules.id_key(rule.get("request"))
        if key is None or key in self.progress_rules:
            raise StepFailure("line %d: a progress rule needs a request id, once per id" % number)
        self.progress_rules[key] = rule

    def _step_progress(self, step):
        pass  # registered before the run; checked at the end (session_checks)

    def _step_start(self, step):
        pass  # the worker was started with these arguments

    def _step_comment(self, step):
        pass

    def _path(self, relative):
        path = substitute(relative, self.variables)
        return path if os.path.isabs(path) else os.path.join(self.scratch, path)

    def _step_write_file(self, step):
        spec = step["write_file"]
        data = bytes.fromhex(spec["hex"].replace(" ", "")) if "hex" in spec else spec["text"].encode("utf-8")
        path = self._path(spec["path"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(data)

    def _step_mkdir(self, step):
        os.makedirs(self._path(step["mkdir"]), exist_ok=True)

    def _step_files(self, step):
        spec = step["files"]
        for name in spec.get("exist", []):
            if not os.path.isfile(self._path(name)):
                raise StepFailure("expected the file %s to exist" % name)
        for name in spec.get("absent", []):
            if os.path.exists(self._path(name)):
                raise StepFailure("expected no file %s" % name)
        for folder in spec.get("no_temp_in", []):
            leftovers = [n for n in os.listdir(self._path(folder)) if n.startswith(".") or ".tmp" in n]
            if leftovers:
                raise StepFailure("temporary files left in %s: %s" % (folder, leftovers))
