#!/usr/bin/env python3
"""Crash consistency: SIGKILL the worker at seeded random moments while it writes files.

    python3 Tests/tools/robustness/crash_consistency.py WORKER [--seed S] [--threads N]
        [--train-kills 8] [--segment-kills 8] [--weight-map-kills 6] [--keep]

Three requests are each run uninterrupted twice (the outputs must be byte-identical: the
reference), then repeatedly in a fresh worker that is killed with SIGKILL, half of the time
after a random delay within the request's reference duration, half of the time (watching the
folder with inotify) the moment a random one of its files is created, after one or two writes
to it, or right after its rename (that is, while it writes):
  train      (checkpoint_every 2, 30 iterations) writing train/model.unet
  segment    (6 images, all outputs) writing 18 files into seg/
  weight_map writing wm/weights.tif
Outputs must only ever appear by a rename (inotify sees no output created or written in
place). After every kill: each output path is absent or complete (TIFFs byte-identical to the
reference; the model loadable by model_info, saved at a checkpoint); anything else in the
folder is one of the worker's hidden temporaries of a killed worker (counted and reported); the
same request then succeeds in another worker with those leftovers present and gives the
reference outputs; a killed train resumes from its checkpoint (`init_model` = the killed run's
model_out) with the iteration count continuing, and ends with the same network as the
uninterrupted run (its segmentation is byte-identical).
Prints TAP-like lines; exits 1 on any failure.
"""

import argparse
import os
import random
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from robustness_lib import (Checks, DirectoryWatch, Worker, WorkerError, parse_temporary,  # noqa: E402
                            remove_folder, result_of, scratch_folder, snapshot, worker_binary)

TINY = {"base_channels": 4, "depth": 2}
TRAIN_ITERATIONS = 30
CHECKPOINT_EVERY = 2
SEGMENT_OUTPUTS = ("probabilities", "mask", "instances")


def main():
    parser = argparse.ArgumentParser(description="SIGKILL the worker while it writes files")
    parser.add_argument("worker")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("ROBUSTNESS_SEED", "17")))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--train-kills", type=int, default=8)
    parser.add_argument("--segment-kills", type=int, default=8)
    parser.add_argument("--weight-map-kills", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    options = parser.parse_args()
    binary = worker_binary(options.worker)
    started = time.monotonic()
    checks = Checks()
    folder = scratch_folder("unet-crash-")
    checks.note("scratch folder %s, seed %d" % (folder, options.seed))
    checker = None
    try:
        checker = Worker(binary, folder, options.threads, os.path.join(folder, "checker-stderr.log"))
        run = CrashRun(binary, folder, options, checks, checker)
        run.prepare()
        run.train_kills(options.train_kills)
        run.segment_kills(options.segment_kills)
        run.weight_map_kills(options.weight_map_kills)
        run.summary()
        checks.check(checker.alive(), "the checking worker is still up")
        checks.check(checker.close() == 0, "the checking worker exits 0 at end of input")
    except WorkerError as error:
        checks.check(False, "the test ran to its end", error)
        if checker is not None:
            checks.note("checker stderr: " + checker.stderr_text()[-2000:])
    finally:
        if checker is not None and checker.alive():
            checker.kill()
        if options.keep:
            checks.note("kept %s" % folder)
        else:
            remove_folder(folder)
    return checks.finish(started)


class CrashRun:
    def __init__(self, binary, folder, options, checks, checker):
        self.binary = binary
        self.folder = folder
        self.options = options
        self.checks = checks
        self.checker = checker
        self.random = random.Random(options.seed)
        self.victim_pids = set()
        self.kill_points = []   # (kind, mode, answered before the kill, temporaries it left)
        self.victim_number = 0

    def path(self, *parts):
        return os.path.join(self.folder, *parts)

    # --- setup and references ---

    def prepare(self):
        c = self.checks
        data = result_of(self.checker.call("generate", {
            "kind": "nuclei", "output_dir": "data", "count": 6, "width": 128, "height": 128, "seed": 3}))
        self.images = [os.path.relpath(p, self.folder) for p in data["images"]]
        self.labels = [os.path.relpath(p, self.folder) for p in data["labels"]]
        result_of(self.checker.call("train", {
            "images": self.images[:2], "labels": self.labels[:2], "model_out": "base.unet",
            "iterations": 10, "config": TINY}))

        self.train_request = {
            "images": self.images[:2], "labels": self.labels[:2], "model_out": "train/model.unet",
            "iterations": TRAIN_ITERATIONS,
            "config": dict(TINY, checkpoint_every=CHECKPOINT_EVERY, seed=5)}
        self.segment_request = {"model": "base.unet", "images": self.images, "output_dir": "seg"}
        self.weight_map_request = {"labels": self.labels[0], "output": "wm/weights.tif"}

        # train: two uninterrupted runs must end with the same network (their segmentations
        # of a probe image are byte-identical; the model files differ in date and seconds).
        probes = []
        for name in ("ref_train_a", "ref_train_b"):
            request = dict(self.train_request, model_out="%s/model.unet" % name)
            os.makedirs(self.path(name), exist_ok=True)
            result = result_of(self.checker.call("train", request))
            c.check(result["total_iterations"] == TRAIN_ITERATIONS,
                    "reference train %s: %d iterations" % (name, TRAIN_ITERATIONS), result)
            probes.append(self.probe_segmentation("%s/model.unet" % name, name + "_probe"))
        c.check(probes[0] == probes[1] and len(probes[0]) == 3,
                "train is deterministic: two uninterrupted runs segment the probe image identically")
        self.train_probe = probes[0]
        info = result_of(self.checker.call("model_info", {"model": "ref_train_a/model.unet"}))
        c.check(info["training"]["iterations"] == TRAIN_ITERATIONS and info["post_processing"] is not None,
                "the reference model has %d iterations and a calibration" % TRAIN_ITERATIONS, info)

        # segment and weight_map: two runs, byte-identical outputs.
        references = []
        for name in ("ref_seg_a", "ref_seg_b"):
            result_of(self.checker.call("segment", dict(self.segment_request, output_dir=name)))
            references.append(snapshot(self.path(name)))
        c.check(references[0] == references[1] and len(references[0]) == 3 * len(self.images),
                "segment is deterministic: two runs write the same %d files" % (3 * len(self.images)))
        self.segment_reference = references[0]
        references = []
        for name in ("ref_wm_a", "ref_wm_b"):
            os.makedirs(self.path(name), exist_ok=True)
            result_of(self.checker.call("weight_map", dict(self.weight_map_request, output=name + "/weights.tif")))
            references.append(snapshot(self.path(name)))
        c.check(references[0] == references[1] and list(references[0]) == ["weights.tif"],
                "weight_map is deterministic: two runs write the same file")
        self.weight_map_reference = references[0]

        # The references are loadable TIFFs: labels and masks by evaluate, float images as
        # segment inputs.
        stem = os.path.splitext(os.path.basename(self.images[0]))[0]
        for kind in ("instances", "mask"):
            path = "ref_seg_a/%s_%s.tif" % (stem, kind)
            answer = self.checker.call("evaluate", {"prediction": path, "truth": path})
            c.check("result" in answer and answer["result"].get("fg_iou") == 1.0,
                    "the reference %s TIFF reads back (evaluate against itself)" % kind, answer)
        for path in ("ref_seg_a/%s_probabilities.tif" % stem, "ref_wm_a/weights.tif"):
            answer = self.checker.call("segment", {
                "model": "base.unet", "images": [path], "output_dir": "readback", "outputs": ["mask"]})
            c.check("result" in answer, "the reference %s reads back (as a segment input)" % path, answer)

        # Reference durations in a fresh worker, the window of the timed kills.
        self.durations = {}
        for kind, method, request, out in (
                ("train", "train", dict(self.train_request, model_out="ref_time/model.unet"), "ref_time"),
                ("segment", "segment", dict(self.segment_request, output_dir="ref_time"), "ref_time"),
                ("weight_map", "weight_map", dict(self.weight_map_request, output="ref_time/weights.tif"),
                 "ref_time")):
            os.makedirs(self.path(out), exist_ok=True)
            worker = Worker(self.binary, self.folder, self.options.threads, self.path("time-stderr.log"))
            try:
                result_of(worker.call("initialize"))
                began = time.monotonic()
                result_of(worker.call(method, request))
                self.durations[kind] = time.monotonic() - began
            finally:
                worker.close()
        c.note("reference durations: " + ", ".join(
            "%s %.3f s" % (k, v) for k, v in sorted(self.durations.items())))

    def probe_segmentation(self, model, output_dir, outputs=SEGMENT_OUTPUTS):
        """The bytes of `model`'s segmentation of the probe image (the last generated one)."""
        result_of(self.checker.call("segment", {
            "model": model, "images": [self.images[-1]], "output_dir": output_dir, "outputs": list(outputs)}))
        return snapshot(self.path(output_dir))

    # --- one killed run ---

    def kill_during(self, kind, method, request, watch_folder, mode, expected_names):
        """Runs `request` in a fresh worker and SIGKILLs it: after a random delay ("time") or
        when a random one of the files it writes appears in `watch_folder` ("write"). Checks
        through inotify that the outputs (`expected_names`) only ever appear by a rename, never
        by being created or written in place. Returns (pid, answered before the kill)."""
        self.victim_number += 1
        victim = Worker(self.binary, self.folder, self.options.threads,
                        self.path("victim-%d-stderr.log" % self.victim_number))
        self.victim_pids.add(victim.pid)
        result_of(victim.call("initialize"))
        in_place = set()

        def note(mask, name):
            if name in expected_names and mask & (DirectoryWatch.CREATE | DirectoryWatch.MODIFY):
                in_place.add(name)

        watch = DirectoryWatch(self.path(watch_folder))
        try:
            if mode == "time":
                delay = self.random.uniform(0, 1.1 * self.durations[kind])
                request_id = victim.request(method, request)
                time.sleep(delay)
                victim.process.kill()
                detail = "after %.1f ms" % (delay * 1000)
            else:
                # The moment the request's j-th file (j random) is created, or after 1 or 2
                # more writes to it, or right after its rename: a kill while it writes.
                wanted = self.random.randint(1, self.temporaries_per_run(kind))
                writes = self.random.choice([0, 0, 1, 2, "rename"])
                request_id = victim.request(method, request)
                created, target, written, hit = 0, None, 0, None
                deadline = time.monotonic() + 60 * max(1.0, self.durations[kind])
                while hit is None and not victim.answered(request_id) and time.monotonic() < deadline:
                    for mask, name in watch.events(0.02):
                        note(mask, name)
                        being_written = parse_temporary(name) or name in expected_names
                        if mask & DirectoryWatch.CREATE and being_written and target is None:
                            created += 1
                            if created == wanted:
                                target = name
                                if writes == 0:
                                    hit = "at the creation of"
                        elif name == target and mask & DirectoryWatch.MODIFY and writes not in (0, "rename"):
                            written += 1
                            if written >= writes:
                                hit = "after %d write(s) to" % written
                        elif name == target and mask & DirectoryWatch.MOVED_FROM:
                            hit = "at the rename of"
                        if hit:
                            victim.process.kill()
                            break
                detail = "%s file %d of %d (%s)" % (
                    hit or "without reaching", wanted, self.temporaries_per_run(kind), target or "%d created" % created)
            answered = victim.answered(request_id)
            status = victim.kill()
            for mask, name in watch.events(0):
                note(mask, name)
        finally:
            watch.close()
        self.checks.check(status == -signal.SIGKILL, "%s %s: worker %d killed %s%s" % (
            kind, mode, victim.pid, detail, ", after its answer" if answered else ""), status)
        self.checks.check(not in_place, "%s: outputs appeared only by rename, none was created or written in place"
                          % kind, sorted(in_place))
        return victim.pid, answered

    def temporaries_per_run(self, kind):
        if kind == "train":
            return TRAIN_ITERATIONS // CHECKPOINT_EVERY + 1
        if kind == "segment":
            return 3 * len(self.images)
        return 1

    def inspect_leftovers(self, kind, pid, watch_folder, expected_names):
        """Checks that everything in `watch_folder` besides `expected_names` is a temporary of
        a killed worker; returns the temporaries of `pid` (this kill)."""
        mine, foreign = [], []
        folder = self.path(watch_folder)
        names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
        for name in names:
            if name in expected_names:
                continue
            parsed = parse_temporary(name)
            if parsed and parsed[0] in expected_names and parsed[1] in self.victim_pids:
                if parsed[1] == pid:
                    mine.append(name)
            else:
                foreign.append(name)
        self.checks.check(not foreign, "%s: the folder holds only outputs and hidden temporaries of killed workers"
                          % kind, foreign)
        return mine

    def clear_outputs(self, watch_folder, expected_names):
        """Removes the outputs of the previous round (not the leftover temporaries)."""
        for name in expected_names:
            try:
                os.remove(self.path(watch_folder, name))
            except FileNotFoundError:
                pass

    def modes(self, count):
        modes = ["time", "write"] * ((count + 1) // 2)
        return modes[:count]

    # --- train ---

    def train_kills(self, count):
        c = self.checks
        os.makedirs(self.path("train"), exist_ok=True)
        names = {"model.unet"}
        for round_number, mode in enumerate(self.modes(count)):
            self.clear_outputs("train", names)
            pid, answered = self.kill_during("train", "train", self.train_request, "train", mode, names)
            left = self.inspect_leftovers("train", pid, "train", names)
            self.kill_points.append(("train", mode, answered, len(left)))
            model = self.path("train", "model.unet")
            probe_dir = "train_probe_%d" % round_number
            if not os.path.exists(model):
                c.check(not answered, "train: model_out absent after the kill (killed before the first checkpoint)")
                result = result_of(self.checker.call("train", self.train_request))
                c.check(result["total_iterations"] == TRAIN_ITERATIONS,
                        "train: a fresh run succeeds with the leftovers present", result)
                probe = self.probe_segmentation("train/model.unet", probe_dir)
                c.check(probe == self.train_probe, "train: the fresh run's model equals the reference")
                continue
            answer = self.checker.call("model_info", {"model": "train/model.unet"})
            if not c.check("result" in answer, "train: model_out after the kill is a loadable model", answer):
                continue
            info = answer["result"]
            done = info["training"]["iterations"]
            final = info["post_processing"] is not None
            c.check(1 <= done <= TRAIN_ITERATIONS and (done % CHECKPOINT_EVERY == 0 or done == TRAIN_ITERATIONS),
                    "train: model_out holds the checkpoint of iteration %d (%s)" % (
                        done, "final, calibrated" if final else "checkpoint"), info["training"])
            if final or done == TRAIN_ITERATIONS:
                c.check(done == TRAIN_ITERATIONS, "train: a calibrated model_out is the finished model")
                # A checkpoint of the last iteration (killed while calibrating) has the final
                # network but the default post-processing: compare the probabilities then.
                outputs = SEGMENT_OUTPUTS if final else ("probabilities",)
                probe = self.probe_segmentation("train/model.unet", probe_dir, outputs)
                expected = {k: v for k, v in self.train_probe.items() if any(k.endswith("_%s.tif" % o) for o in outputs)}
                c.check(probe == expected, "train: the killed run's finished network equals the reference")
                continue
            resume = dict(self.train_request, init_model="train/model.unet", iterations=TRAIN_ITERATIONS - done)
            answer = self.checker.call("train", resume)
            if not c.check("result" in answer, "train: resuming from the checkpoint (init_model = model_out, "
                           "%d more iterations) succeeds" % (TRAIN_ITERATIONS - done), answer):
                continue
            result = answer["result"]
            c.check(result["iterations"] == TRAIN_ITERATIONS - done and result["total_iterations"] == TRAIN_ITERATIONS,
                    "train: the resumed run continues the count (%d + %d = %d)" % (
                        done, result["iterations"], result["total_iterations"]), result)
            info = result_of(self.checker.call("model_info", {"model": "train/model.unet"}))
            c.check(info["training"]["iterations"] == TRAIN_ITERATIONS,
                    "train: model_info of the resumed model counts %d iterations" % TRAIN_ITERATIONS, info["training"])
            probe = self.probe_segmentation("train/model.unet", probe_dir)
            c.check(probe == self.train_probe,
                    "train: the resumed model equals the uninterrupted one (byte-identical segmentation)")
            self.inspect_leftovers("train (after resuming)", -1, "train", names)

    # --- segment ---

    def segment_kills(self, count):
        c = self.checks
        names = set(self.segment_reference)
        os.makedirs(self.path("seg"), exist_ok=True)
        for mode in self.modes(count):
            self.clear_outputs("seg", names)
            pid, answered = self.kill_during("segment", "segment", self.segment_request, "seg", mode, names)
            left = self.inspect_leftovers("segment", pid, "seg", names)
            self.kill_points.append(("segment", mode, answered, len(left)))
            present = {n: b for n, b in snapshot(self.path("seg")).items() if n in names}
            wrong = [n for n, b in present.items() if b != self.segment_reference[n]]
            c.check(not wrong, "segment: the %d outputs present after the kill are complete (byte-identical)"
                    % len(present), wrong)
            if answered:
                c.check(len(present) == len(names), "segment: answered before the kill, so all outputs are there")
            answer = self.checker.call("segment", self.segment_request)
            c.check("result" in answer, "segment: the next run of the request succeeds", answer)
            after = {n: b for n, b in snapshot(self.path("seg")).items() if n in names}
            c.check(after == self.segment_reference, "segment: the next run writes the reference outputs")
            self.inspect_leftovers("segment (after the next run)", -1, "seg", names)

    # --- weight_map ---

    def weight_map_kills(self, count):
        c = self.checks
        names = {"weights.tif"}
        os.makedirs(self.path("wm"), exist_ok=True)
        for mode in self.modes(count):
            self.clear_outputs("wm", names)
            pid, answered = self.kill_during("weight_map", "weight_map", self.weight_map_request, "wm", mode, names)
            left = self.inspect_leftovers("weight_map", pid, "wm", names)
            self.kill_points.append(("weight_map", mode, answered, len(left)))
            present = {n: b for n, b in snapshot(self.path("wm")).items() if n in names}
            c.check(all(b == self.weight_map_reference[n] for n, b in present.items()),
                    "weight_map: the output is %s after the kill" % ("complete" if present else "absent"))
            answer = self.checker.call("weight_map", self.weight_map_request)
            c.check("result" in answer, "weight_map: the next run of the request succeeds", answer)
            after = {n: b for n, b in snapshot(self.path("wm")).items() if n in names}
            c.check(after == self.weight_map_reference, "weight_map: the next run writes the reference output")

    def summary(self):
        total = len(self.kill_points)
        during = sum(1 for p in self.kill_points if not p[2])
        left = sum(p[3] for p in self.kill_points)
        by_kind = {}
        for kind, _, answered, leftovers in self.kill_points:
            entry = by_kind.setdefault(kind, [0, 0, 0])
            entry[0] += 1
            entry[1] += 0 if answered else 1
            entry[2] += leftovers
        self.checks.note("kill points: %d (%d before the answer); leftover temporaries: %d" % (total, during, left))
        for kind, (n, d, l) in sorted(by_kind.items()):
            self.checks.note("  %-10s %2d kills, %2d before the answer, %2d leftover temporaries" % (kind, n, d, l))
        leftover_bytes = 0
        for folder in ("train", "seg", "wm"):
            for name in os.listdir(self.path(folder)):
                if parse_temporary(name):
                    leftover_bytes += os.path.getsize(self.path(folder, name))
        self.checks.note("leftover temporaries take %d bytes" % leftover_bytes)
        self.checks.check(total >= 20, "at least 20 kill points (%d)" % total)
        # The kills are meant to interrupt work: a third at least must land before the answer.
        self.checks.check(3 * during >= total, "kills before the answer: %d of %d" % (during, total))


if __name__ == "__main__":
    sys.exit(main())
