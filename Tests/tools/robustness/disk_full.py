#!/usr/bin/env python3
"""Disk full and read-only places: the worker answers -32002 naming the path and loses nothing.

    python3 Tests/tools/robustness/disk_full.py WORKER [--threads N] [--keep]

Mounts two small tmpfs (needs root or CAP_SYS_ADMIN; both are unmounted at the end): one
filled up to a few pages (with a filler file), one remounted read-only after earlier files were
put there. One worker process answers everything. It trains with `model_out` and checkpoints
there, segments and writes weight maps there. Expected for each: error -32002 with
`data.path` naming the file (or the folder) that could not be written, an earlier file at that
path byte-identical, no partial or temporary file, a checkpoint written before the disk filled
up still loadable and resumable, outputs of earlier inputs of the same segment request complete
(byte-identical to the reference) — and the same worker answering the next request correctly.
Without mount permission the mount-free checks run, the script says it skipped the rest, and
exits 0, or 1 when ROBUSTNESS_REQUIRE_MOUNT=1.
Prints TAP-like lines; exits 1 on any failure.
"""

import argparse
import errno
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from robustness_lib import (Checks, Worker, WorkerError, error_code, parse_temporary,  # noqa: E402
                            read_bytes, remove_folder, result_of, scratch_folder, snapshot, worker_binary)

TINY = {"base_channels": 4, "depth": 2}
PAGE = 4096


def main():
    parser = argparse.ArgumentParser(description="disk full and read-only output places")
    parser.add_argument("worker")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    options = parser.parse_args()
    binary = worker_binary(options.worker)
    started = time.monotonic()
    checks = Checks()
    folder = scratch_folder("unet-diskfull-")
    checks.note("scratch folder %s" % folder)
    worker = None
    run = None
    try:
        worker = Worker(binary, folder, options.threads, os.path.join(folder, "worker-stderr.log"))
        run = DiskRun(folder, checks, worker)
        run.prepare()
        run.mount_free_cases()
        if run.mount("full", "size=2m") and run.mount("ro", "size=2m"):
            run.full_disk_cases()
            run.read_only_cases()
        else:
            if os.environ.get("ROBUSTNESS_REQUIRE_MOUNT") == "1":
                checks.check(False, "tmpfs can be mounted (ROBUSTNESS_REQUIRE_MOUNT=1)", run.mount_error)
            else:
                checks.note("SKIP the disk-full and read-only cases: cannot mount tmpfs (%s); "
                            "set ROBUSTNESS_REQUIRE_MOUNT=1 to fail instead" % run.mount_error)
        checks.check(worker.alive(), "the worker is still up at the end")
        checks.check(worker.close() == 0, "the worker exits 0 at end of input")
    except WorkerError as error:
        checks.check(False, "the test ran to its end", error)
    finally:
        if worker is not None and worker.alive():
            worker.kill()
        if run is not None:
            run.unmount_all()
        if worker is not None and checks.failed:
            checks.note("worker stderr (end): " + worker.stderr_text()[-1500:])
        if options.keep:
            checks.note("kept %s" % folder)
        else:
            remove_folder(folder)
    return checks.finish(started)


class DiskRun:
    def __init__(self, folder, checks, worker):
        self.folder = folder
        self.checks = checks
        self.worker = worker
        self.mounted = []
        self.mount_error = None
        self.alive_round = 0

    def path(self, *parts):
        return os.path.join(self.folder, *parts)

    # --- setup ---

    def prepare(self):
        w = self.worker
        data = result_of(w.call("generate", {
            "kind": "nuclei", "output_dir": "data", "count": 3, "width": 96, "height": 96, "seed": 4}))
        self.images = [os.path.relpath(p, self.folder) for p in data["images"]]
        self.labels = [os.path.relpath(p, self.folder) for p in data["labels"]]
        self.train_request = {"images": self.images[:2], "labels": self.labels[:2], "iterations": 4,
                              "config": dict(TINY, checkpoint_every=1)}
        result_of(w.call("train", dict(self.train_request, model_out="base.unet", iterations=10)))
        # An earlier model with other weights (another seed): what must survive a failed write.
        result_of(w.call("train", dict(self.train_request, model_out="earlier.unet", iterations=10,
                                       config=dict(TINY, seed=2))))
        self.model_size = os.path.getsize(self.path("base.unet"))
        self.segment_images = self.images[:2]
        result_of(w.call("segment", {"model": "base.unet", "images": self.segment_images, "output_dir": "ref_seg"}))
        self.segment_reference = snapshot(self.path("ref_seg"))
        result_of(w.call("segment", {"model": "earlier.unet", "images": self.segment_images,
                                     "output_dir": "earlier_seg", "threshold": 0.3}))
        self.earlier_segment = snapshot(self.path("earlier_seg"))
        self.checks.check(len(self.segment_reference) == 6 and all(
            self.earlier_segment[n] != self.segment_reference[n] for n in self.segment_reference),
            "setup: 6 reference segment outputs, and 6 different earlier ones")
        os.makedirs(self.path("ref_wm"))
        result_of(w.call("weight_map", {"labels": self.labels[0], "output": "ref_wm/weights.tif"}))
        self.weight_map_reference = read_bytes(self.path("ref_wm", "weights.tif"))
        result_of(w.call("weight_map", {"labels": self.labels[0], "output": "ref_wm/earlier.tif", "sigma": 3}))
        self.earlier_weight_map = read_bytes(self.path("ref_wm", "earlier.tif"))
        # The request that shows the worker still works: segment one image, compare bytes.
        self.alive_reference = {n: b for n, b in self.segment_reference.items()
                                if n.startswith(os.path.splitext(os.path.basename(self.images[0]))[0] + "_")}
        self.checks.note("model file %d bytes, reference outputs %s" % (
            self.model_size, ", ".join("%s %d" % (n, len(b)) for n, b in sorted(self.segment_reference.items()))))

    def still_works(self, after):
        """The next request (a segment in a normal folder) answers correctly."""
        self.alive_round += 1
        out = "alive_%d" % self.alive_round
        answer = self.worker.call("segment", {"model": "base.unet", "images": [self.images[0]], "output_dir": out})
        self.checks.check("result" in answer and snapshot(self.path(out)) == self.alive_reference,
                          "after %s: the same worker (pid %d) answers the next segment correctly"
                          % (after, self.worker.pid), answer.get("error"))

    def expect_unwritable(self, label, answer, paths):
        """Checks error -32002 whose data.path is one of `paths` (compared as real paths)."""
        error = answer.get("error") or {}
        data = error.get("data") or {}
        reported = data.get("path")
        wanted = {os.path.realpath(self.path(p)) for p in paths}
        good = (error_code(answer) == -32002 and isinstance(reported, str)
                and os.path.realpath(self.path(reported)) in wanted)
        self.checks.check(good, "%s: error -32002 naming %s" % (label, reported if good else " or ".join(paths)),
                          json.dumps(answer)[:600])
        if good:
            message = error.get("message", "")
            self.checks.check(reported in message or os.path.basename(reported) in message,
                              "%s: the message names the file (%s)" % (label, message[:160]))

    def no_temporaries(self, label, folder):
        names = sorted(os.listdir(self.path(folder))) if os.path.isdir(self.path(folder)) else []
        left = [n for n in names if parse_temporary(n) or n.startswith(".")]
        self.checks.check(not left, "%s: no temporary or partial file left in %s" % (label, folder), left)

    # --- without mounts ---

    def mount_free_cases(self):
        w = self.worker
        os.makedirs(self.path("plain", "a_folder"))
        answer = w.call("train", dict(self.train_request, model_out="plain/a_folder"))
        self.expect_unwritable("train, model_out is a folder", answer, ["plain/a_folder"])
        answer = w.call("weight_map", {"labels": self.labels[0], "output": "plain/a_folder"})
        self.expect_unwritable("weight_map, output is a folder", answer, ["plain/a_folder"])
        answer = w.call("weight_map", {"labels": self.labels[0], "output": "plain/missing/weights.tif"})
        self.expect_unwritable("weight_map, the output's folder is missing", answer,
                               ["plain/missing/weights.tif", "plain/missing"])
        with open(self.path("plain", "a_file"), "wb") as f:
            f.write(b"not a folder")
        answer = w.call("segment", {"model": "base.unet", "images": [self.images[0]], "output_dir": "plain/a_file"})
        self.expect_unwritable("segment, output_dir is a file", answer, ["plain/a_file"])
        self.checks.check(read_bytes(self.path("plain", "a_file")) == b"not a folder",
                          "segment, output_dir is a file: the file is untouched")
        self.no_temporaries("mount-free cases", "plain")
        self.still_works("the mount-free cases")

    # --- mounts ---

    def mount(self, name, options):
        target = self.path(name)
        os.makedirs(target, exist_ok=True)
        if shutil.which("mount") is None:
            self.mount_error = "no mount command"
            return False
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", target],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if done.returncode != 0:
            self.mount_error = done.stdout.decode("utf-8", "replace").strip() or "mount exit %d" % done.returncode
            return False
        self.mounted.append(target)
        return True

    def remount_read_only(self, name):
        done = subprocess.run(["mount", "-o", "remount,ro", self.path(name)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return done.returncode == 0, done.stdout.decode("utf-8", "replace").strip()

    def unmount_all(self):
        for target in reversed(self.mounted):
            done = subprocess.run(["umount", target], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if done.returncode != 0:
                subprocess.run(["umount", "-l", target])
        self.mounted = []

    def unfill(self, mount):
        try:
            os.remove(self.path(mount, "filler.bin"))
        except FileNotFoundError:
            pass

    def fill(self, mount, leave_pages):
        """Fills `mount` with a filler file, then frees `leave_pages` pages; returns the bytes free."""
        filler = self.path(mount, "filler.bin")
        self.unfill(mount)
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            for chunk in (1 << 16, PAGE):
                block = b"\xa5" * chunk
                while True:
                    try:
                        os.write(fd, block)
                    except OSError as error:
                        if error.errno != errno.ENOSPC:
                            raise
                        break
        finally:
            os.close(fd)
        size = os.path.getsize(filler)
        os.truncate(filler, max(0, size - leave_pages * PAGE))
        stat = os.statvfs(self.path(mount))
        return stat.f_bavail * stat.f_frsize

    # --- a full disk ---

    def full_disk_cases(self):
        c, w = self.checks, self.worker

        # A: an earlier model at model_out, 2 pages free: the first checkpoint cannot be written.
        os.makedirs(self.path("full", "a"))
        shutil.copyfile(self.path("earlier.unet"), self.path("full", "a", "model.unet"))
        earlier = read_bytes(self.path("full", "a", "model.unet"))
        free = self.fill("full", 2)
        c.note("full disk A: %d bytes free, model %d bytes" % (free, self.model_size))
        answer = w.call("train", dict(self.train_request, model_out="full/a/model.unet"))
        self.expect_unwritable("train on a full disk", answer, ["full/a/model.unet"])
        c.check(read_bytes(self.path("full", "a", "model.unet")) == earlier,
                "train on a full disk: the earlier model is byte-identical")
        self.no_temporaries("train on a full disk", "full/a")
        self.still_works("train on a full disk")

        # B: no earlier model; room for one checkpoint but not for the temporary of the next.
        self.unfill("full")
        os.makedirs(self.path("full", "b"))
        free = self.fill("full", (self.model_size * 3 // 2) // PAGE)
        c.note("full disk B: %d bytes free, model %d bytes" % (free, self.model_size))
        c.check(self.model_size + PAGE < free < 2 * self.model_size, "full disk B: room for one checkpoint only")
        answer = w.call("train", dict(self.train_request, model_out="full/b/model.unet"))
        self.expect_unwritable("train running out of space at its second checkpoint", answer, ["full/b/model.unet"])
        self.no_temporaries("train running out of space", "full/b")
        answer = w.call("model_info", {"model": "full/b/model.unet"})
        iterations = answer.get("result", {}).get("training", {}).get("iterations")
        c.check(iterations == 1, "train running out of space: model_out holds the first checkpoint, loadable "
                "(iterations %s)" % iterations, answer)
        answer = w.call("train", dict(self.train_request, init_model="full/b/model.unet",
                                      model_out="resumed.unet", iterations=3))
        c.check(answer.get("result", {}).get("total_iterations") == 4,
                "train running out of space: the checkpoint resumes elsewhere (1 + 3 = 4 iterations)", answer)
        self.still_works("train running out of space")

        # C: earlier outputs in output_dir, 2 pages free: nothing is replaced.
        self.unfill("full")
        os.makedirs(self.path("full", "c"))
        for name, data in self.earlier_segment.items():
            with open(self.path("full", "c", name), "wb") as f:
                f.write(data)
        free = self.fill("full", 2)
        c.note("full disk C: %d bytes free" % free)
        answer = w.call("segment", {"model": "base.unet", "images": self.segment_images, "output_dir": "full/c"})
        self.expect_unwritable("segment on a full disk", answer,
                               ["full/c/" + n for n in self.segment_reference])
        after = snapshot(self.path("full", "c"))
        c.check(after == self.earlier_segment, "segment on a full disk: the earlier outputs are byte-identical",
                sorted(n for n in after if after[n] != self.earlier_segment.get(n)))
        self.no_temporaries("segment on a full disk", "full/c")
        self.still_works("segment on a full disk")

        # D: room for the first image's outputs but not the second's.
        self.unfill("full")
        os.makedirs(self.path("full", "d"))
        stems = [os.path.splitext(os.path.basename(p))[0] + "_" for p in self.segment_images]
        pages = [sum(-(-len(b) // PAGE) for n, b in self.segment_reference.items() if n.startswith(s)) for s in stems]
        free = self.fill("full", pages[0] + pages[1] // 2)
        c.note("full disk D: %d bytes free, outputs need %d + %d pages" % (free, pages[0], pages[1]))
        answer = w.call("segment", {"model": "base.unet", "images": self.segment_images, "output_dir": "full/d"})
        second = ["full/d/" + n for n in self.segment_reference if n.startswith(stems[1])]
        self.expect_unwritable("segment running out of space at its second image", answer, second)
        after = snapshot(self.path("full", "d"))
        first = {n: b for n, b in self.segment_reference.items() if n.startswith(stems[0])}
        c.check(after == first, "segment running out of space: the first image's outputs are complete "
                "(byte-identical), the second's absent", sorted(after))
        self.no_temporaries("segment running out of space", "full/d")
        self.still_works("segment running out of space")

        # E: weight_map over an earlier file, 1 page free.
        self.unfill("full")
        os.makedirs(self.path("full", "e"))
        with open(self.path("full", "e", "weights.tif"), "wb") as f:
            f.write(self.earlier_weight_map)
        free = self.fill("full", 1)
        c.note("full disk E: %d bytes free, weight map %d bytes" % (free, len(self.weight_map_reference)))
        answer = w.call("weight_map", {"labels": self.labels[0], "output": "full/e/weights.tif"})
        self.expect_unwritable("weight_map on a full disk", answer, ["full/e/weights.tif"])
        c.check(read_bytes(self.path("full", "e", "weights.tif")) == self.earlier_weight_map,
                "weight_map on a full disk: the earlier file is byte-identical")
        self.no_temporaries("weight_map on a full disk", "full/e")
        self.still_works("weight_map on a full disk")

        # With space again, the same requests succeed in the same place.
        self.unfill("full")
        answer = w.call("weight_map", {"labels": self.labels[0], "output": "full/e/weights.tif"})
        c.check("result" in answer and read_bytes(self.path("full", "e", "weights.tif")) == self.weight_map_reference,
                "with space freed, weight_map writes the reference there", answer.get("error"))
        answer = w.call("segment", {"model": "base.unet", "images": self.segment_images, "output_dir": "full/c"})
        c.check("result" in answer and snapshot(self.path("full", "c")) == self.segment_reference,
                "with space freed, segment replaces the earlier outputs with the reference", answer.get("error"))

    # --- a read-only place ---

    def read_only_cases(self):
        c, w = self.checks, self.worker
        shutil.copyfile(self.path("earlier.unet"), self.path("ro", "model.unet"))
        os.makedirs(self.path("ro", "out"))
        for name, data in self.earlier_segment.items():
            with open(self.path("ro", "out", name), "wb") as f:
                f.write(data)
        with open(self.path("ro", "weights.tif"), "wb") as f:
            f.write(self.earlier_weight_map)
        before = {folder: snapshot(self.path(*folder)) for folder in (("ro",), ("ro", "out"))}
        done, message = self.remount_read_only("ro")
        if not c.check(done, "the second tmpfs is remounted read-only", message):
            return
        try:
            with open(self.path("ro", "probe"), "wb"):
                pass
            c.check(False, "the read-only mount refuses a new file (even to root)")
        except OSError as error:
            c.check(error.errno == errno.EROFS, "the read-only mount refuses a new file (even to root)", error)

        answer = w.call("train", dict(self.train_request, model_out="ro/model.unet"))
        self.expect_unwritable("train onto a read-only model_out", answer, ["ro/model.unet"])
        self.still_works("train onto a read-only model_out")
        answer = w.call("train", dict(self.train_request, model_out="ro/new/model.unet"))
        self.expect_unwritable("train into a missing folder on a read-only mount", answer,
                               ["ro/new/model.unet", "ro/new"])
        self.still_works("train into a missing folder on a read-only mount")
        answer = w.call("segment", {"model": "base.unet", "images": self.segment_images, "output_dir": "ro/out"})
        self.expect_unwritable("segment into a read-only folder", answer, ["ro/out/" + n for n in self.segment_reference])
        self.still_works("segment into a read-only folder")
        answer = w.call("segment", {"model": "base.unet", "images": self.segment_images, "output_dir": "ro/missing"})
        self.expect_unwritable("segment into a missing folder on a read-only mount", answer, ["ro/missing"])
        self.still_works("segment into a missing folder on a read-only mount")
        answer = w.call("weight_map", {"labels": self.labels[0], "output": "ro/weights.tif"})
        self.expect_unwritable("weight_map onto a read-only file", answer, ["ro/weights.tif"])
        self.still_works("weight_map onto a read-only file")
        answer = w.call("generate", {"kind": "nuclei", "output_dir": "ro/gen", "width": 64, "height": 64})
        self.expect_unwritable("generate into a read-only mount", answer, ["ro/gen"])
        after = {folder: snapshot(self.path(*folder)) for folder in (("ro",), ("ro", "out"))}
        c.check(after == before and sorted(os.listdir(self.path("ro"))) == ["model.unet", "out", "weights.tif"],
                "read-only mount: every earlier file byte-identical, nothing added")
        # Reading from the read-only place still works.
        answer = w.call("model_info", {"model": "ro/model.unet"})
        c.check("result" in answer, "read-only mount: model_info reads the model there", answer.get("error"))
        answer = w.call("segment", {"model": "ro/model.unet", "images": [self.images[0]], "output_dir": "from_ro",
                                    "threshold": 0.3})
        stem = os.path.splitext(os.path.basename(self.images[0]))[0] + "_"
        c.check("result" in answer and snapshot(self.path("from_ro")) == {
            n: b for n, b in self.earlier_segment.items() if n.startswith(stem)},
            "read-only mount: segment with the model there gives the earlier outputs", answer.get("error"))


if __name__ == "__main__":
    sys.exit(main())
