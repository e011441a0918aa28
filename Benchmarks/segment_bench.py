#!/usr/bin/env python3
"""End-to-end `segment` timings through the worker's protocol (standard-library Python only).

What it does, all through newline-delimited JSON-RPC with `unet-worker --threads N`
(Protocol/README.md):
  1. setup worker: `generate` (kind nuclei, fixed seeds) a 512x512 image, a 4096x4096 image and 4
     training images of 512x512 in --work; `train` the paper network (`iterations` 1, config
     base_channels 64, depth 4, tile_size 388, on one training image: its weights are untrained,
     which does not change the time of a forward pass, only the objects it finds) and the default
     model (default config, --default-iterations on the 4 training images, so that its objects are
     realistic: an untrained default model predicts millions of specks, not a representative load);
  2. per case (paper network on 512x512, default model on 512x512, default model on 4096x4096) a
     fresh worker process: the first `segment` request is cold (model load, first allocations),
     then --reps warm repetitions of the same request in the same process. Each request asks for
     every output a two-class model has (probabilities, mask, instances, classes, rois, table)
     with the worker's default tile size (`memory_mb` 1024); the time is request sent -> response
     read (progress notifications skipped).
Prints a table (cold seconds, warm median and min, megapixels per second at the warm median, the
tile size the worker chose, objects) and the goals; --json FILE writes one JSON line per case.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUTPUTS = ["probabilities", "mask", "instances", "classes", "rois", "table"]
PAPER_CONFIG = {"base_channels": 64, "depth": 4, "tile_size": 388}


def options(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", default=os.path.join(ROOT, ".build", "release", "unet-worker"))
    parser.add_argument("--work", help="folder for inputs, models and outputs (default: a new temporary folder)")
    parser.add_argument("--reps", type=int, default=3, help="warm repetitions per case (after the cold one)")
    parser.add_argument("--threads", type=int, default=2, help="worker compute threads (--threads)")
    parser.add_argument("--default-iterations", type=int, default=300,
                        help="training iterations of the default model")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated images and the training")
    parser.add_argument("--reuse-models", action="store_true",
                        help="keep paper.unet and default.unet already in --work instead of training them again")
    parser.add_argument("--json", help="write one JSON line per case (and one for the setup) here")
    return parser.parse_args(argv)


class Worker:
    """One unet-worker process; request() sends one request and waits for its response."""

    def __init__(self, path, threads, cwd, log):
        command = [path]
        if threads and "--threads" in subprocess.run([path, "--help"], capture_output=True, text=True).stdout:
            command += ["--threads", str(threads)]
        self.command = command
        self.log = open(log, "a")
        self.process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.log, text=True, bufsize=1)
        self.next_id = 1

    def cpu_seconds(self):
        """User + system CPU seconds of the worker so far (Linux /proc; None elsewhere)."""
        try:
            with open(f"/proc/{self.process.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return None

    def request(self, method, params=None):
        """(result, seconds from the request's line sent to its response's line read). Also sets
        self.tiles_s: seconds until the last `segment` progress with done == total (the tiles are
        through the network; the rest is instances, ROIs, table and writing), and self.cpu_util:
        the worker's CPU seconds per wall second during the request."""
        rid = self.next_id
        self.tiles_s = None
        cpu_before = self.cpu_seconds()
        self.next_id += 1
        message = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            message["params"] = params
        started = time.perf_counter()
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise SystemExit(f"segment_bench: the worker ended during {method} (log: {self.log.name})")
            reply = json.loads(line)
            progress = reply.get("params") or {}
            if (reply.get("method") == "progress" and progress.get("request") == rid
                    and progress.get("stage") == "segment" and progress.get("done") == progress.get("total")):
                self.tiles_s = time.perf_counter() - started
            if reply.get("id") == rid and ("result" in reply or "error" in reply):
                seconds = time.perf_counter() - started
                cpu_after = self.cpu_seconds()
                self.cpu_util = (None if cpu_before is None or cpu_after is None
                                 else (cpu_after - cpu_before) / seconds)
                if "error" in reply:
                    raise SystemExit(f"segment_bench: {method} failed: {json.dumps(reply['error'])[:600]}")
                return reply["result"], seconds

    def close(self):
        try:
            self.request("shutdown")
        except SystemExit:
            pass
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def setup(a, work, log):
    """Generates the images and trains the two models; returns (images, models, setup record)."""
    worker = Worker(a.worker, a.threads, work, log)
    info, _ = worker.request("initialize")
    gen = lambda folder, width, count, seed: worker.request(
        "generate", {"kind": "nuclei", "output_dir": folder, "width": width, "height": width,
                     "count": count, "seed": seed})[0]
    print(f"segment_bench: generating images in {work}", file=sys.stderr)
    small = gen("inputs", 512, 1, a.seed)["images"][0]
    large = gen("inputs", 4096, 1, a.seed + 1)["images"][0]
    training = gen("training", 512, 4, a.seed + 2)

    def train(name, what, params):
        if a.reuse_models and os.path.exists(os.path.join(work, name)):
            print(f"segment_bench: reusing {name}", file=sys.stderr)
            info, _ = worker.request("model_info", {"model": name})
            training = info.get("training") or {}
            return dict(reused=True, total_iterations=training.get("iterations"), loss=training.get("loss")), 0.0
        print(f"segment_bench: training {what}", file=sys.stderr, flush=True)
        return worker.request("train", dict(params, model_out=name))

    paper, paper_seconds = train("paper.unet", "the paper network (1 iteration)", {
        "images": training["images"][:1], "labels": training["labels"][:1],
        "iterations": 1, "config": dict(PAPER_CONFIG, seed=a.seed)})
    default, default_seconds = train("default.unet", f"the default model ({a.default_iterations} iterations)", {
        "images": training["images"], "labels": training["labels"],
        "iterations": a.default_iterations, "config": {"seed": a.seed}})
    worker.close()
    record = dict(kind="setup", worker_info=info, command=worker.command,
                  paper_train=dict(result=paper, seconds=round(paper_seconds, 3)),
                  default_train=dict(result=default, seconds=round(default_seconds, 3)))
    models = {"paper": os.path.join(work, "paper.unet"), "default": os.path.join(work, "default.unet")}
    return {"512": small, "4096": large}, models, record


def time_case(a, work, log, name, model, image, edge):
    """A fresh worker: one cold and a.reps warm segment requests of the same image."""
    worker = Worker(a.worker, a.threads, work, log)
    worker.request("initialize")
    folder = os.path.join("out", name.replace(" ", "_"))
    params = {"model": model, "images": [image], "output_dir": folder, "outputs": OUTPUTS}
    times, tiles, cpu, results = [], [], [], []
    for rep in range(1 + a.reps):
        print(f"  {name:22} {'cold' if rep == 0 else f'warm {rep}'} ...", end="", file=sys.stderr, flush=True)
        result, seconds = worker.request("segment", params)
        print(f" {seconds:.3f} s (tiles done at {worker.tiles_s or 0:.3f} s, cpu {worker.cpu_util or 0:.2f})",
              file=sys.stderr, flush=True)
        times.append(seconds)
        tiles.append(worker.tiles_s)
        cpu.append(worker.cpu_util)
        results.append(result)
    worker.close()
    warm = times[1:]
    entry = results[-1]["outputs"][0]
    pixels = edge * edge
    median = statistics.median(warm) if warm else times[0]
    return dict(kind="case", case=name, model=os.path.basename(model), image=f"{edge}x{edge}", pixels=pixels,
                cold_s=round(times[0], 4), warm_s=[round(t, 4) for t in warm],
                warm_median_s=round(median, 4), warm_min_s=round(min(warm) if warm else times[0], 4),
                mp_per_s=round(pixels / 1e6 / median, 3), tile_size=entry.get("tile_size"),
                tiles_done_s=[None if t is None else round(t, 4) for t in tiles],
                warm_tiles_median_s=(round(statistics.median([t for t in tiles[1:] if t is not None]), 4)
                                     if any(t is not None for t in tiles[1:]) else None),
                cpu_util=[None if c is None else round(c, 3) for c in cpu],
                warm_cpu_util=(round(statistics.median([c for c in cpu[1:] if c is not None]), 3)
                               if any(c is not None for c in cpu[1:]) else None),
                objects=entry.get("objects"), objects_per_rep=[r["outputs"][0].get("objects") for r in results],
                outputs=OUTPUTS, threads=a.threads)


def table(rows):
    header = ["case", "cold s", "warm median s", "warm min s", "MP/s", "tiles s", "after s", "cpu", "tile",
              "objects"]
    opt = lambda v, d=3: "-" if v is None else f"{v:.{d}f}"
    body = [[r["case"], f"{r['cold_s']:.3f}", f"{r['warm_median_s']:.3f}", f"{r['warm_min_s']:.3f}",
             f"{r['mp_per_s']:.2f}", opt(r["warm_tiles_median_s"]),
             opt(None if r["warm_tiles_median_s"] is None else r["warm_median_s"] - r["warm_tiles_median_s"]),
             opt(r["warm_cpu_util"], 2), str(r["tile_size"]), str(r["objects"])] for r in rows]
    widths = [max(len(row[i]) for row in [header] + body) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
                     for row in [header] + body)


def goals(rows):
    by = {r["case"]: r for r in rows}
    out = []
    paper = by.get("paper net 512x512")
    if paper:
        ok = paper["warm_median_s"] < 1.0
        out.append(f"  paper network 512x512 under 1 s (warm median): {paper['warm_median_s']:.3f} s "
                   f"(cold {paper['cold_s']:.3f} s; worker CPU {paper['warm_cpu_util']} of {paper['threads']}) "
                   f"-> {'met' if ok else 'not met'}")
    large = by.get("default 4096x4096")
    if large:
        ok = large["mp_per_s"] >= 5.0
        out.append(f"  default model 4096x4096 >= 5 MP/s (warm median): {large['mp_per_s']:.2f} MP/s "
                   f"({large['warm_median_s']:.3f} s; worker CPU {large['warm_cpu_util']} of {large['threads']}) "
                   f"-> {'met' if ok else 'not met'}")
    return "\n".join(out)


def main(argv=None):
    a = options(argv)
    if not os.access(a.worker, os.X_OK):
        raise SystemExit(f"segment_bench: {a.worker} not found; run `make build` first")
    work = os.path.abspath(a.work or tempfile.mkdtemp(prefix="unet_segment_bench_"))
    os.makedirs(work, exist_ok=True)
    log = os.path.join(work, "worker.log")
    started = time.time()
    load_before = os.getloadavg()
    images, models, record = setup(a, work, log)
    rows = []
    for name, model, size in (("paper net 512x512", "paper", "512"), ("default 512x512", "default", "512"),
                              ("default 4096x4096", "default", "4096")):
        rows.append(time_case(a, work, log, name, models[model], images[size], int(size)))
    load_after = os.getloadavg()
    train = record["default_train"]["result"]
    print()
    print(f"Worker segment end to end ({a.threads} threads, {a.reps} warm reps after 1 cold, a fresh worker per "
          f"case; outputs {','.join(OUTPUTS)}; {time.time() - started:.0f} s; load average before "
          f"{load_before[0]:.2f}, after {load_after[0]:.2f})")
    print(f"paper net: base 64, depth 4, tile 388, UNTRAINED (1 iteration: the time is that of the trained "
          f"network, the object count is not); default model: {train.get('total_iterations')} iterations "
          f"(loss {train.get('loss')}, " + ("reused from --work)" if train.get("reused") else
                                           f"{record['default_train']['seconds']:.0f} s to train)"))
    print(table(rows))
    print("cold: the first request of a new worker process (model load); MP/s: image pixels / warm median; "
          "tiles s: warm median time until the last tile's progress (network); after s: the rest (instances, "
          "ROIs, table, writing); cpu: the worker's CPU seconds per wall second (warm median; "
          f"{a.threads} = both threads busy all the time, much less under contention or in serial parts)")
    print("goals:")
    print(goals(rows))
    if a.json:
        with open(a.json, "w") as f:
            for r in [dict(record, host=platform.node(), work=work)] + rows:
                f.write(json.dumps(r) + "\n")
    return rows


if __name__ == "__main__":
    main()
