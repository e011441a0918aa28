#!/usr/bin/env python3
"""Shows that the transcript replay can fail: breaks transcripts and schemas on purpose.

    python3 Tests/tools/protocol/check_replay_catches_errors.py [WORKER]

Each case copies Protocol/transcripts and Protocol/schemas to a scratch folder, applies one
deliberate mistake (a wrong expected value, a missing expectation, a wrong order, a schema that
no longer fits the worker, ...) and replays the one transcript it touches: the replay must report
`0 passed, 1 failed` and exit 1. Each transcript used must first pass unchanged (else a
mutation could fail for another reason), so a failing baseline fails its cases. Closes with
`N passed, M failed` (a case passes when the replay behaved as required).
"""

import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
REPLAY = os.path.join(HERE, "replay_transcripts.py")


def replace(relative, old, new):
    """A mutation that replaces the first `old` by `new` in one file (which must contain it)."""
    def mutate(root):
        path = os.path.join(root, relative)
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        if old not in text:
            raise AssertionError("%s does not contain %r: update this case" % (relative, old))
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text.replace(old, new, 1))
    return mutate


def drop_line(relative, containing):
    def mutate(root):
        path = os.path.join(root, relative)
        with open(path, encoding="utf-8") as handle:
            lines = handle.readlines()
        index = next(i for i, line in enumerate(lines) if containing in line)
        del lines[index]
        with open(path, "w", encoding="utf-8") as handle:
            handle.writelines(lines)
    return mutate


T = "transcripts/"
S = "schemas/"
# (name, transcript replayed, mutation, whether the replay must fail)
CASES = [
    ("wrong literal in a result", "01-", replace(T + "01-initialize-status-shutdown.jsonl", '"threads": 1', '"threads": 2'), True),
    ("integer expected where the worker writes a float", "03-",
     replace(T + "03-train-segment-evaluate.jsonl", '"fg_iou": 1.0', '"fg_iou": 1'), True),
    ("number outside the expected range", "03-",
     replace(T + "03-train-segment-evaluate.jsonl", '"pages": 1}}}', '"pages": {"$int": {"min": 2}}}}}'), True),
    ("wrong last progress", "03-", replace(T + "03-train-segment-evaluate.jsonl", '"stage": "calibrate", "done": 1, "total": 1', '"stage": "calibrate", "done": 2, "total": 1'), True),
    ("missing member in a result", "02-",
     replace(T + "02-generate-weight-map.jsonl", '{"output": "weights/default.tif"}}}', '{"output": "weights/default.tif", "pages": 1}}}'), True),
    ("unexpected response (its expect removed)", "06-", drop_line(T + "06-error-codes.jsonl", '"id": 10, "result"'), True),
    ("the same response expected twice", "01-",
     replace(T + "01-initialize-status-shutdown.jsonl", '{"exit": 0}',
             '{"expect": {"jsonrpc": "2.0", "id": 3, "result": {}}, "timeout": 3}\n{"exit": 0}'), True),
    ("wrong answer order", "10-", replace(T + "10-eof-with-queued-work.jsonl", '"after": "segmented"', '"after": "evaluated"'), True),
    ("wrong error code", "08-", replace(T + "08-file-errors.jsonl", '"code": -32001', '"code": -32002'), True),
    ("wrong field in invalid params", "07-", replace(T + "07-invalid-params.jsonl", '"field": "config.sigma"', '"field": "sigma"'), True),
    ("too slow for a within limit", "04-", replace(T + "04-cancel-during-train.jsonl", '"within": 1}', '"within": 0.0}'), True),
    ("wrong exit code", "05-", replace(T + "05-shutdown-during-work.jsonl", '{"exit": 0', '{"exit": 1'), True),
    ("file expected that is not there", "05-", replace(T + "05-shutdown-during-work.jsonl", '"absent": ["weights.tif"]', '"exist": ["weights.tif"]'), True),
    ("an invalid line sent as valid", "09-", replace(T + "09-malformed-lines.jsonl", '"send_raw": "hello worker", "invalid": true', '"send_raw": "hello worker"'), True),
    ("a valid request marked invalid", "02-",
     replace(T + "02-generate-weight-map.jsonl", '"seed": 7}}}', '"seed": 7}}, "invalid": true}'), True),
    ("a result schema missing a member the worker sends", "03-",
     replace(S + "evaluate.result.schema.json", '"pages": {', '"pages_renamed": {'), True),
    ("a params schema refusing a valid request", "02-",
     replace(S + "generate.params.schema.json", '"maximum": 10000', '"maximum": 1'), True),
    ("a notification schema refusing the worker's progress", "03-",
     replace(S + "progress.schema.json", '"generate", "export"]', '"generate_renamed", "export"]'), True),
    ("an error schema requiring data the worker does not send", "04-",
     replace(S + "error.schema.json", '"required": ["code", "message"]', '"required": ["code", "message", "data"]'), True),
    ("Appose: a wrong response type expected", "18-",
     replace(T + "18-appose.jsonl", '"responseType": "CANCELATION"}', '"responseType": "FAILURE"}'), True),
    ("Appose: a task's end not expected (its expect removed)", "18-",
     drop_line(T + "18-appose.jsonl", '"task": "a3b4-status", "responseType": "COMPLETION"'), True),
    ("Appose: a response schema refusing UPDATE's current", "18-",
     replace(S + "appose.response.schema.json", '"current": {\n', '"current_renamed": {\n'), True),
    ("Appose: COMPLETION outputs checked against the method's result schema", "18-",
     replace(S + "generate.result.schema.json", '"required": ["images", "labels"]', '"required": ["images", "labels", "count"]'), True),
]


def no_change(root):
    pass


def run_case(worker, name, only, mutate, must_fail):
    scratch = tempfile.mkdtemp(prefix="unet-replay-check-")
    try:
        for folder in ("transcripts", "schemas"):
            shutil.copytree(os.path.join(REPOSITORY, "Protocol", folder), os.path.join(scratch, folder))
        mutate(scratch)
        result = subprocess.run(
            [sys.executable, REPLAY, worker, "--only", only,
             "--transcripts", os.path.join(scratch, "transcripts"), "--schemas", os.path.join(scratch, "schemas")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
        wanted, code = ("0 passed, 1 failed", 1) if must_fail else ("1 passed, 0 failed", 0)
        if last == wanted and result.returncode == code:
            return None
        return "expected %r and exit %d, got %r and exit %d:\n%s" % (wanted, code, last, result.returncode, result.stdout)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    worker = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("UNET_WORKER")
    if not worker:
        print("usage: check_replay_catches_errors.py WORKER (or set UNET_WORKER)")
        return 2
    worker = os.path.abspath(worker)
    passed = failed = 0
    baselines = {}
    for name, only, mutate, must_fail in CASES:
        if only not in baselines:
            baselines[only] = run_case(worker, "baseline", only, no_change, False)
        if baselines[only]:
            problem = "the unchanged transcript %s* does not pass, so this case proves nothing:\n%s" % (
                only, baselines[only])
        else:
            problem = run_case(worker, name, only, mutate, must_fail)
        if problem:
            failed += 1
            print("FAIL %s: %s" % (name, problem))
        else:
            passed += 1
            print("PASS %s" % name)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
