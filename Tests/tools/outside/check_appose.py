#!/usr/bin/env python3
"""Outside check of `unet-worker --appose` with the Appose client from PyPI.

Usage: check_appose.py WORKER_BINARY

Creates (once) the venv .build/appose-venv with appose 0.12.0 (the Appose version whose worker
protocol the worker implements, Protocol/README.md "Appose mode"), then drives the worker
through appose's own Python service API, appose.service.Service(cwd, env_vars, binary,
"--appose"), as Appose clients such as DeepImageJ 3 do: quick tasks, a tiny generate + train with
UPDATE events seen by a task listener, model_info, a segment whose outputs exist, failures
raised as TaskException with the worker's message, a cancelled train, and closing the service,
after which the worker exits 0. Prints TAP lines; exits 1 when a check fails.
"""
import os
import subprocess
import sys
import tempfile
import threading
import venv

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
VENV = os.path.join(ROOT, ".build", "appose-venv")
APPOSE_VERSION = "0.12.0"
TINY = {"base_channels": 4, "depth": 2, "tile_size": 20, "seed": 5}
WATCHDOG_SECONDS = 600


def ensure_venv():
    """Re-runs this script inside the venv, creating it and installing appose if missing."""
    python = os.path.join(VENV, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    if not os.path.exists(python):
        venv.create(VENV, with_pip=True)
    probe = f"import appose, sys; sys.exit(appose.__version__ != '{APPOSE_VERSION}')"
    if subprocess.run([python, "-c", probe], capture_output=True).returncode != 0:
        subprocess.run([python, "-m", "pip", "install", "--quiet", f"appose=={APPOSE_VERSION}"], check=True)
    os.execv(python, [python] + sys.argv)


class Checks:
    """TAP-like reporting: `ok N - what` or `not ok N - what: why`."""

    def __init__(self):
        self.count = 0
        self.failed = 0

    def check(self, what, condition, detail=""):
        self.count += 1
        if condition:
            print(f"ok {self.count} - {what}", flush=True)
        else:
            self.failed += 1
            print(f"not ok {self.count} - {what}: {detail}", flush=True)
        return condition


def run(service, script, inputs=None, events=None):
    """Runs a task to its end; returns (task, TaskException or None). `events` collects its events."""
    import appose
    task = service.task(script, inputs)
    if events is not None:
        task.listen(events.append)
    try:
        task.wait_for()
        return task, None
    except appose.TaskException as failure:
        return task, failure


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    ensure_venv()
    import appose
    from appose.service import ResponseType, Service, TaskStatus

    checks = Checks()
    check = checks.check
    with tempfile.TemporaryDirectory() as folder:
        service = Service(folder, None, binary, "--appose")
        seen = []
        service.debug(seen.append)
        service.start()
        # If the worker hung, killing it crashes every waiting task, so the checks fail, not hang.
        watchdog = threading.Timer(WATCHDOG_SECONDS, service.kill)
        watchdog.start()
        try:
            task, failure = run(service, "initialize")
            check("initialize completes with the worker's name", failure is None
                  and task.outputs.get("name") == "unet-worker", f"{failure} {task.outputs}")
            check("the HELLO line reached the service and was skipped as a task-less line",
                  any('"responseType":"HELLO"' in line and '"implementation":"unet-worker"' in line for line in seen)
                  and not service.invalid_lines(), f"{seen[:3]} {service.invalid_lines()}")

            events = []
            task, failure = run(service, "generate", {"kind": "nuclei", "output_dir": "data", "width": 96,
                                                      "height": 96, "seed": 7}, events)
            images = task.outputs.get("images") or []
            labels = task.outputs.get("labels") or []
            check("generate completes; its image and labels exist", failure is None and len(images) == 1
                  and all(os.path.exists(path) for path in images + labels), f"{failure} {task.outputs}")
            types = [event.response_type for event in events]
            check("the listener saw LAUNCH first and COMPLETION last",
                  types[:1] == [ResponseType.LAUNCH] and types[-1:] == [ResponseType.COMPLETION], types)

            events = []
            task, failure = run(service, "train", {"images": images, "labels": labels, "model_out": "model.unet",
                                                   "iterations": 3, "config": TINY}, events)
            model = task.outputs.get("model")
            check("a short train completes and writes its model", failure is None and model == "model.unet"
                  and os.path.exists(os.path.join(folder, model)), f"{failure} {task.outputs}")
            updates = [event for event in events if event.response_type == ResponseType.UPDATE]
            train = [event for event in updates if (event.info or {}).get("stage") == "train"]
            check("the listener got UPDATE events of the training with message, current and maximum",
                  bool(train) and all(isinstance(event.message, str) and event.message.startswith("train")
                                      and event.current == event.info["done"]
                                      and event.maximum == event.info["total"] for event in train)
                  and train[-1].current == train[-1].maximum == 3,
                  [(event.message, event.current, event.maximum, event.info) for event in updates])

            task, failure = run(service, "model_info", {"model": "model.unet"})
            check("model_info describes the trained model", failure is None and task.outputs.get("depth") == 2
                  and task.outputs.get("base_channels") == 4, f"{failure} {task.outputs}")

            task, failure = run(service, "segment", {"model": "model.unet", "images": images,
                                                     "output_dir": "out",
                                                     "outputs": ["probabilities", "mask", "instances", "rois",
                                                                 "table"]})
            entries = task.outputs.get("outputs") or []
            files = [entry.get(key) for entry in entries
                     for key in ("probabilities", "mask", "instances", "rois", "table")]
            check("segment completes and every output file it names exists", failure is None and len(entries) == 1
                  and all(path and os.path.isabs(path) and os.path.exists(path) for path in files),
                  f"{failure} {task.outputs}")

            task, failure = run(service, "generate", {"kind": "zebras", "output_dir": "data"})
            check("bad inputs: TaskException with the worker's message and error code",
                  failure is not None and task.status == TaskStatus.FAILED and "kind" in str(failure)
                  and "-32602" in str(failure), f"{failure} {task.status} {task.error}")

            task, failure = run(service, "print('hello')")
            check("a script that is code: TaskException naming the methods",
                  failure is not None and "runs no code" in str(failure) and "segment" in str(failure)
                  and "train" in str(failure), f"{failure}")

            task, failure = run(service, "fly")
            check("an unknown method: TaskException with the worker's method-not-found message",
                  failure is not None and 'unknown method "fly"' in str(failure), f"{failure}")

            training = threading.Event()

            def on_event(event):
                if event.response_type == ResponseType.UPDATE and (event.info or {}).get("stage") == "train":
                    training.set()

            task = service.task("train", {"images": images, "labels": labels, "model_out": "long.unet",
                                          "iterations": 1000000,
                                          "config": dict(TINY, checkpoint_every=1000000)})
            task.listen(on_event)
            task.start()
            started = training.wait(120)
            task.cancel()
            try:
                task.wait_for()
                failure = None
            except appose.TaskException as raised:
                failure = raised
            check("a cancelled train ends CANCELED (TaskException 'Task was canceled')",
                  started and failure is not None and task.status == TaskStatus.CANCELED
                  and "canceled" in str(failure), f"{started} {failure} {task.status}")

            task, failure = run(service, "status")
            check("the worker still serves after the cancel; nothing left running",
                  failure is None and task.outputs.get("requests") == [], f"{failure} {task.outputs}")
        finally:
            service.close()
            code = service.wait_for()
            watchdog.cancel()
        check("closing the service ends the worker with exit code 0", code == 0, code)
        check("the worker wrote nothing on stderr", not service.error_lines(), service.error_lines())
        check("no worker line was unreadable for appose", not service.invalid_lines(), service.invalid_lines())
    print(f"1..{checks.count}")
    if checks.failed:
        print(f"appose: {checks.failed} of {checks.count} checks failed", file=sys.stderr)
        sys.exit(1)
    print(f"appose {appose.__version__}: all {checks.count} checks of unet-worker --appose passed")


if __name__ == "__main__":
    main()
