#!/usr/bin/env python3
"""`make bench`: the standard U-Net benchmark cases, ours and the peers' alternately in one run,
then the worker's end-to-end segment timings and a per-layer profile of our forward pass.

Cases (--cases, default all; 2 threads unless said otherwise, 572x572 input tiles -> 388x388):
  * base64 / base16: the paper's network (base 64, 300.9 GFLOP per forward) and base 16: forward
    pass and training step (forward + weighted softmax cross-entropy + backward + SGD momentum),
    with the peak resident memory of each process. Forward: ours, PyTorch, PyTorch+jemalloc,
    onnxruntime and OpenVINO; training: ours, PyTorch, PyTorch+jemalloc;
  * segment: a 512x512 (--image) image through our overlap-tile segmenter (unet-bench --mode
    segment) with the base-64 network, against the peers' forward time for as many 572 tiles as
    the segmenter runs; and, as `segment_e2e`, the worker end to end;
  * segment_e2e: Benchmarks/segment_bench.py (also runs alone): `segment` requests through the
    worker's protocol (.build/release/unet-worker, --worker), the paper network (untrained) on
    512x512 and a default model trained --default-iterations on 512x512 and 4096x4096, cold and
    warm, with every output (probabilities, mask, instances, classes, ROIs, table);
  * scaling: our forward pass and training step (base 64) on 1 and on 2 threads;
  * profile: one `unet-bench --profile` run of the base-64 forward pass (572 tile, --threads),
    printed as a per-layer table (output shape, ms, effective GFLOP/s, share of the pass).

Engines: ours (.build/release/unet-bench, --bench), and, when the peer environment exists
(PEER_PYTHON, default /tmp/peer/bin/python; set up with `python3 -m venv /tmp/peer &&
/tmp/peer/bin/pip install "torch==2.13.0+cpu" numpy threadpoolctl onnxruntime onnx openvino`),
PyTorch, PyTorch with jemalloc (LD_PRELOAD; `apt-get install libjemalloc2`), onnxruntime and
OpenVINO (forward only; skipped when openvino does not import), all through
Benchmarks/unet_peer.py. Without the peer environment (or with --no-peers) only ours runs. Each
engine runs in its own process, one process at a time; every round runs every engine once per
case, interleaved. The table shows each engine's median time over the rounds and, for the ratios,
the median over rounds of the ratio of the two runs made in that round (back to back, under the
same machine load), flagging rounds in which a run got clearly less CPU than it asked for. Then
the goals of the issue, each with its measured ratio and met / not met: forward <= 0.5x OpenVINO
and onnxruntime, training step <= 0.5x PyTorch with jemalloc, training peak memory <= 0.8x
PyTorch's, scaling from 1 to 2 threads >= 1.9x (and the overlap-tile segmenter <= 1x the fastest
peer's time for its tiles). --quick: 1 round, 2 reps, 1 warm-up, 2 warm segment repetitions.
--json writes every raw result.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CASES = ["base64", "base16", "segment", "segment_e2e", "scaling", "profile"]
PEERS = ["pytorch", "pytorch+jemalloc", "onnxruntime", "openvino"]
JEMALLOC_CANDIDATES = ["/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2",
                       "/usr/lib64/libjemalloc.so.2", "/usr/local/lib/libjemalloc.so.2"]


def options():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", default=os.path.join(ROOT, ".build", "release", "unet-bench"))
    parser.add_argument("--worker", default=os.path.join(ROOT, ".build", "release", "unet-worker"),
                        help="the worker of the segment_e2e case")
    parser.add_argument("--peer-python", default=os.environ.get("PEER_PYTHON", "/tmp/peer/bin/python"))
    parser.add_argument("--jemalloc", default=os.environ.get("JEMALLOC", ""),
                        help="path of libjemalloc.so.2 (default: the usual library folders)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds (medians over rounds)")
    parser.add_argument("--reps", type=int, default=3, help="timed repetitions per run")
    parser.add_argument("--warmup", type=int, default=2, help="untimed repetitions per run")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--image", type=int, default=512, help="edge of the overlap-tile image")
    parser.add_argument("--cases", default=",".join(CASES),
                        help="comma-separated subset of " + ",".join(CASES) + " (segment includes segment_e2e)")
    parser.add_argument("--segment-reps", type=int, default=3, help="segment_e2e: warm repetitions per case")
    parser.add_argument("--default-iterations", type=int, default=300,
                        help="segment_e2e: training iterations of the default model")
    parser.add_argument("--work", help="segment_e2e: folder for its images, models and outputs (default: temporary)")
    parser.add_argument("--no-peers", action="store_true", help="time only our engine")
    parser.add_argument("--quick", action="store_true", help="1 round, 2 reps, 1 warm-up")
    parser.add_argument("--json", help="write every run's JSON result here")
    a = parser.parse_args()
    if a.quick:
        a.rounds, a.reps, a.warmup, a.segment_reps = 1, 2, 1, 2
    unknown = set(a.cases.split(",")) - set(CASES)
    if unknown:
        parser.error(f"unknown cases {','.join(sorted(unknown))}; known: {','.join(CASES)}")
    return a


class Runner:
    """Runs one engine once and remembers its JSON line under (case, engine, mode)."""

    def __init__(self, a):
        self.a = a
        self.results = {}
        self.log = []
        self.peers = not a.no_peers and os.access(a.peer_python, os.X_OK)
        self.jemalloc = a.jemalloc or next((p for p in JEMALLOC_CANDIDATES if os.path.exists(p)), "")
        if self.peers and not self.jemalloc:
            print("run_bench: libjemalloc.so.2 not found; PyTorch+jemalloc skipped", file=sys.stderr)
        self.openvino = self.peers and subprocess.run([a.peer_python, "-c", "import openvino"],
                                                      capture_output=True).returncode == 0
        if self.peers and not self.openvino:
            print(f"run_bench: openvino does not import in {a.peer_python}; OpenVINO skipped", file=sys.stderr)

    def run(self, case, engine, mode, base, threads=None, extra=()):
        a = self.a
        threads = threads or a.threads
        common = ["--base", str(base), "--tile", "572", "--threads", str(threads),
                  "--reps", str(a.reps), "--warmup", str(a.warmup)] + list(extra)
        env = dict(os.environ)
        if engine == "ours":
            command = [a.bench, "--mode", mode] + common
        else:
            command = [a.peer_python, os.path.join(HERE, "unet_peer.py"), "--mode", mode] + common
            if engine in ("onnxruntime", "openvino"):
                command += ["--engine", engine]
            if engine == "pytorch+jemalloc":
                env["LD_PRELOAD"] = self.jemalloc
        print(f"  {case:8} {engine:17} {mode:8} threads {threads} ...", end="", file=sys.stderr, flush=True)
        started = time.time()
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode != 0 or not lines:
            print(f" failed ({done.returncode}): {done.stderr.strip()[-400:]}", file=sys.stderr)
            return None
        result = json.loads(lines[-1])
        key = "segment" if mode == "segment" else ("forward" if mode == "forward" else "train_step")
        print(f" {result[key]['median_s']:.3f} s ({time.time() - started:.0f} s)", file=sys.stderr)
        self.results.setdefault((case, engine, mode, threads), []).append(result)
        self.log.append(dict(case=case, engine=engine, mode=mode, threads=threads, result=result))
        return result

    def engines(self, mode):
        if not self.peers:
            return ["ours"]
        names = ["ours", "pytorch"] + (["pytorch+jemalloc"] if self.jemalloc else [])
        return names + ((["onnxruntime"] + (["openvino"] if self.openvino else [])) if mode == "forward" else [])

    def values(self, case, engine, mode, field, threads=None):
        runs = self.results.get((case, engine, mode, threads or self.a.threads), [])
        out = []
        for r in runs:
            if field == "max_rss_mib":
                out.append(r["max_rss_mib"])
            else:
                out.append(r["segment" if mode == "segment" else ("forward" if mode == "forward" else "train_step")][field])
        return out


def median(values):
    return statistics.median(values) if values else None


def spread(values):
    if len(values) < 2:
        return ""
    return f"{min(values):.3g}-{max(values):.3g}"


def round_once(runner, cases):
    a = runner.a
    for base, case in ((64, "base64"), (16, "base16")):
        if case not in cases and not (base == 64 and "segment" in cases):
            continue
        for mode in ("forward", "train") if case in cases else ("forward",):
            for engine in runner.engines(mode):
                runner.run(case, engine, mode, base)
            if base == 64 and mode == "forward" and "segment" in cases:
                # Right after the peers' forward passes it is compared with.
                runner.run("segment", "ours", "segment", 64, extra=["--image", str(a.image)])
        if base == 64 and "scaling" in cases:
            for mode in ("forward", "train"):
                runner.run(case, "ours", mode, base, threads=1)


def fmt(value, digits=3):
    if value is None:
        return "-"
    return f"{value:.{digits}g}" if abs(value) < 1000 else f"{value:.0f}"


def contended(result, mode):
    """Whether a run got clearly less CPU than its threads (another process was running)."""
    key = "segment" if mode == "segment" else ("forward" if mode == "forward" else "train_step")
    return result[key].get("cpu_util", 0) < 0.75 * result["config"]["threads"]


def result_field(result, mode, name):
    if name == "max_rss_mib":
        return result["max_rss_mib"]
    return result["segment" if mode == "segment" else ("forward" if mode == "forward" else "train_step")][name]


def paired(ours_runs, other_runs, ours_mode, other_mode, name, scale=1.0):
    """Per-round ratios ours / (scale * other) of the runs made in the same round, and the rounds
    in which either run was contended."""
    pairs = list(zip(ours_runs, other_runs))
    ratios = [result_field(o, ours_mode, name) / (scale * result_field(p, other_mode, name)) for o, p in pairs]
    busy = sum(1 for o, p in pairs if contended(o, ours_mode) or contended(p, other_mode))
    return ratios, busy


def ratio_text(ratios):
    if not ratios:
        return "-"
    text = fmt(median(ratios), 3)
    return text + (f" ({min(ratios):.2f}-{max(ratios):.2f})" if len(ratios) > 1 else "")


def render(header, rows, left=1):
    """Aligned text table; the first `left` columns left-aligned, the others right-aligned."""
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    return "\n".join("  ".join(str(c).ljust(w) if i < left else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
                     for r in [header] + rows)


def table(runner, cases):
    """Rows of the summary. Each ratio is the median over rounds of that round's ratio (the two
    runs were made back to back, under the same load), with its range; `busy` counts the rounds
    in which our run got clearly less CPU than it asked for (contended)."""
    a = runner.a
    header = ["case", "ours", "PyTorch", "PyT+jemalloc", "onnxruntime", "OpenVINO",
              "ours/PyT", "ours/PyT+je", "ours/ORT", "ours/OV", "busy"]
    rows = []

    def runs(case, engine, mode, threads=None):
        return runner.results.get((case, engine, mode, threads or a.threads), [])

    def add(label, name, mode, case):
        ours_runs = runs(case, "ours", mode)
        if not ours_runs:
            return
        others, cells = [], []
        for peer in PEERS:
            peer_runs = runs(case, peer, mode)
            others.append(median([result_field(r, mode, name) for r in peer_runs]))
            cells.append(ratio_text(paired(ours_runs, peer_runs, mode, mode, name)[0]))
        busy = sum(1 for r in ours_runs if contended(r, mode))
        rows.append([label, fmt(median([result_field(r, mode, name) for r in ours_runs]))]
                    + [fmt(o) for o in others] + cells
                    + [f"{busy}/{len(ours_runs)}" if name != "max_rss_mib" else ""])

    for case in ("base64", "base16"):
        if case not in cases:
            continue
        add(f"{case} forward (s)", "median_s", "forward", case)
        add(f"{case} train step (s)", "median_s", "train", case)
        add(f"{case} train peak RSS (MiB)", "max_rss_mib", "train", case)
        add(f"{case} forward peak RSS (MiB)", "max_rss_mib", "forward", case)
    seg_runs = runs("segment", "ours", "segment")
    if seg_runs:
        tiles = seg_runs[0]["segment"]["tiles"]
        others, cells = [], []
        for peer in PEERS:
            peer_runs = runs("base64", peer, "forward")
            others.append(None if not peer_runs else tiles * median([result_field(r, "forward", "median_s") for r in peer_runs]))
            cells.append(ratio_text(paired(seg_runs, peer_runs, "segment", "forward", "median_s", scale=tiles)[0]))
        busy = sum(1 for r in seg_runs if contended(r, "segment"))
        rows.append([f"{a.image}x{a.image} overlap-tile, {tiles} tiles (s)",
                     fmt(median([result_field(r, "segment", "median_s") for r in seg_runs]))]
                    + [fmt(o) for o in others] + cells + [f"{busy}/{len(seg_runs)}"])
    for mode in ("forward", "train"):
        one, two = runs("base64", "ours", mode, threads=1), runs("base64", "ours", mode)
        if "scaling" not in cases or not one:
            continue
        pairs = list(zip(one, two))
        scalings = [result_field(p, mode, "median_s") / result_field(q, mode, "median_s") for p, q in pairs]
        busy = sum(1 for p, q in pairs if contended(p, mode) or contended(q, mode))
        rows.append([f"base64 {mode} scaling 1->{a.threads} threads (x)", ratio_text(scalings)]
                    + [""] * 8 + [f"{busy}/{len(pairs)}"])
    return render(header, rows)


def goals(runner, cases):
    """The issue's goals, each with the measured ratio (median over rounds of the per-round
    ratio), met / not met, and the rounds in which either run was contended."""
    a = runner.a
    lines = []

    def runs(case, engine, mode, threads=None):
        return runner.results.get((case, engine, mode, threads or a.threads), [])

    def goal(text, ratios, busy, limit, at_most=True, unit=""):
        if not ratios:
            lines.append([text, "not measured" + ("" if runner.peers else " (no peers)"), "", ""])
            return
        value = median(ratios)
        met = value <= limit if at_most else value >= limit
        lines.append([text, f"{value:.3f}{unit}" + (f" ({min(ratios):.2f}-{max(ratios):.2f})" if len(ratios) > 1 else ""),
                      ("met" if met else "not met") + ("?" if busy and 2 * busy >= len(ratios) else ""),
                      f"{busy}/{len(ratios)}" if busy is not None else ""])

    for case in ("base64", "base16"):
        if case not in cases:
            continue
        ours_f, ours_t = runs(case, "ours", "forward"), runs(case, "ours", "train")
        for peer, name in (("openvino", "OpenVINO"), ("onnxruntime", "onnxruntime")):
            ratios, busy = paired(ours_f, runs(case, peer, "forward"), "forward", "forward", "median_s")
            goal(f"{case} forward <= 0.5x {name}", ratios, busy, 0.5, unit="x")
        train_peer = "pytorch+jemalloc" if runner.jemalloc else "pytorch"
        ratios, busy = paired(ours_t, runs(case, train_peer, "train"), "train", "train", "median_s")
        goal(f"{case} training step <= 0.5x {'PyTorch+jemalloc' if runner.jemalloc else 'PyTorch (no jemalloc)'}",
             ratios, busy, 0.5, unit="x")
        ratios, _ = paired(ours_t, runs(case, "pytorch", "train"), "train", "train", "max_rss_mib")
        goal(f"{case} training peak memory <= 0.8x PyTorch's", ratios, None, 0.8, unit="x")
    if "scaling" in cases:
        for mode in ("forward", "train"):
            one, two = runs("base64", "ours", mode, threads=1), runs("base64", "ours", mode)
            pairs = list(zip(one, two))
            scalings = [result_field(p, mode, "median_s") / result_field(q, mode, "median_s") for p, q in pairs]
            busy = sum(1 for p, q in pairs if contended(p, mode) or contended(q, mode))
            goal(f"base64 {mode} scaling 1->{a.threads} threads >= 1.9x", scalings, busy, 1.9, at_most=False, unit="x")
    seg_runs = runs("segment", "ours", "segment")
    if seg_runs and runner.peers:
        tiles = seg_runs[0]["segment"]["tiles"]
        best = None  # the fastest peer: the largest ratio
        for peer in PEERS:
            ratios, busy = paired(seg_runs, runs("base64", peer, "forward"), "segment", "forward", "median_s", scale=tiles)
            if ratios and (best is None or median(ratios) > median(best[0])):
                best = (ratios, busy, peer)
        if best:
            goal(f"overlap-tile {a.image}x{a.image} <= 1x fastest peer ({best[2]}) x {tiles} tiles",
                 best[0], best[1], 1.0, unit="x")
    return render(["goal", "measured", "verdict", "busy"], lines, left=1)


def profile(runner):
    """One `unet-bench --profile` run of the base-64 forward pass; its per-layer table."""
    a = runner.a
    command = [a.bench, "--mode", "forward", "--base", "64", "--tile", "572", "--threads", str(a.threads),
               "--reps", str(a.reps), "--warmup", str(a.warmup), "--profile"]
    print(f"  profile  ours              forward  threads {a.threads} ...", end="", file=sys.stderr, flush=True)
    done = subprocess.run(command, capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        print(f" failed ({done.returncode}): {done.stderr.strip()[-400:]}", file=sys.stderr)
        return None, None
    result = json.loads(lines[-1])
    print(f" {result['forward']['median_s']:.3f} s", file=sys.stderr)
    runner.log.append(dict(case="profile", engine="ours", mode="forward", threads=a.threads, result=result))
    shapes = layer_shapes(572, 64, 4, 1, 2)
    layers = result["profile"]["forward"]["layers"]
    total = sum(layer["seconds"] for layer in layers)
    rows = []
    for layer in layers:
        gflops = layer.get("gflops")
        rows.append([layer["layer"], layer["kind"], shapes.get(layer["layer"], ""), f"{1000 * layer['seconds']:.1f}",
                     "" if gflops is None else f"{gflops:.0f}", f"{100 * layer['seconds'] / total:.1f}%"])
    for kind in result["profile"]["forward"]["by_kind"]:
        gflops = kind.get("gflops")
        rows.append([f"all {kind['kind']}", "", "", f"{1000 * kind['seconds']:.1f}",
                     "" if gflops is None else f"{gflops:.0f}", f"{100 * kind['seconds'] / total:.1f}%"])
    rows.append(["total (profiled)", "", "", f"{1000 * total:.1f}", f"{result['forward_gflop'] / total:.0f}", "100%"])
    text = render(["layer", "kind", "shape (in -> out)", "ms", "GFLOP/s", "share"], rows, left=2)
    head = (f"Per-layer profile, ours, base 64 forward, 572 tile, {a.threads} threads: mean of {a.reps} profiled passes "
            f"(timed median of the same run {result['forward']['median_s']:.3f} s; peak "
            f"{result['profile']['forward']['peak_gflops']:.0f} GFLOP/s for {a.threads} threads as unet-bench assumes). "
            "GFLOP/s are effective: direct-convolution FLOPs / time (Winograd layers do fewer "
            "multiplications, so they can pass the FMA peak).")
    return head, text


def layer_shapes(tile, base, depth, in_ch, classes):
    """'Cin x H x W -> Cout x H' x W'' per layer name, as unet-bench names them."""
    shapes, skips = {}, []
    size, channels = tile, in_ch

    def conv(name, cin, cout, shrink):
        nonlocal size
        shapes[name] = f"{cin}x{size}^2 -> {cout}x{size - shrink}^2"
        size -= shrink

    for level in range(depth + 1):
        width = base << level
        conv(f"down{level}.conv0", channels, width, 2)
        conv(f"down{level}.conv1", width, width, 2)
        channels = width
        if level < depth:
            skips.append(channels)
            shapes[f"down{level}.pool"] = f"{channels}x{size}^2 -> {channels}x{size // 2}^2"
            size //= 2
    for level in reversed(range(depth)):
        width = base << level
        shapes[f"up{level}.upconv"] = f"{channels}x{size}^2 -> {width}x{2 * size}^2"
        size *= 2
        conv(f"up{level}.conv0", skips[level] + width, width, 2)
        conv(f"up{level}.conv1", width, width, 2)
        channels = width
    conv("final", channels, classes, 0)
    return shapes


def segment_e2e(runner):
    """Benchmarks/segment_bench.py in its own process; returns its printed report."""
    a = runner.a
    command = [sys.executable, os.path.join(HERE, "segment_bench.py"), "--worker", a.worker,
               "--threads", str(a.threads), "--reps", str(a.segment_reps),
               "--default-iterations", str(a.default_iterations)]
    if a.work:
        command += ["--work", a.work]
    if a.json:
        command += ["--json", a.json + ".segment.jsonl"]
    print("segment_e2e: " + " ".join(command), file=sys.stderr, flush=True)
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        return f"segment_e2e failed ({done.returncode}); see the messages above\n" + done.stdout
    return done.stdout.strip()


def noise(runner):
    """Spread of each engine's per-run medians over the rounds (a measure of the machine's noise)."""
    out = []
    for (case, engine, mode, threads), runs in sorted(runner.results.items()):
        key = "segment" if mode == "segment" else ("forward" if mode == "forward" else "train_step")
        medians = [r[key]["median_s"] for r in runs]
        cpu = [r[key].get("cpu_util", 0) for r in runs]
        out.append(f"  {case:8} {engine:17} {mode:8} t{threads}: medians {', '.join(f'{m:.3f}' for m in medians)}"
                   f"  cpu_util {', '.join(f'{c:.2f}' for c in cpu)}")
    return "\n".join(out)


def peer_text(runner):
    if not runner.peers:
        return "none (" + ("--no-peers" if runner.a.no_peers else runner.a.peer_python + " missing") + ")"
    return ", ".join(["PyTorch"] + (["PyTorch+jemalloc"] if runner.jemalloc else [])
                     + ["onnxruntime"] + (["OpenVINO"] if runner.openvino else []))


def main():
    a = options()
    cases = set(a.cases.split(","))
    if cases - {"segment_e2e"} and not os.access(a.bench, os.X_OK):
        raise SystemExit(f"run_bench: {a.bench} not found; run `make build` first")
    runner = Runner(a)
    load_before = os.getloadavg()
    started = time.time()
    print(f"run_bench: {a.rounds} round(s), {a.reps} reps + {a.warmup} warm-up per run, {a.threads} threads; "
          f"cases {','.join(c for c in CASES if c in cases)}; peers: {peer_text(runner)}", file=sys.stderr)
    if cases & {"base64", "base16", "segment", "scaling"}:
        for r in range(a.rounds):
            print(f"round {r + 1}/{a.rounds}", file=sys.stderr)
            round_once(runner, cases)
    load_after = os.getloadavg()
    rounds_seconds = time.time() - started
    profile_head, profile_text = profile(runner) if "profile" in cases else (None, None)
    e2e = None
    if cases & {"segment", "segment_e2e"}:
        if os.access(a.worker, os.X_OK):
            e2e = segment_e2e(runner)
        else:
            e2e = f"segment_e2e: {a.worker} not found; run `make build` first"
    print()
    if runner.results:
        print(f"U-Net benchmark, {a.threads} threads, 572x572 tiles; medians over {a.rounds} alternating round(s) of "
              f"{a.reps}-rep medians ({rounds_seconds:.0f} s; load average before {load_before[0]:.2f}, "
              f"after {load_after[0]:.2f}); peers: {peer_text(runner)}")
        print(table(runner, cases))
        print("ratios: median over rounds of the per-round ratio (range); busy: rounds in which our run "
              "got < 75% of the CPU it asked for (another process competed; such ratios are not meaningful)")
        print()
        print("Goals (ratios as above; busy: rounds in which either run of the pair got < 75% of its CPU; "
              "a verdict with ? rests on busy rounds for at least half of them and says little):")
        print(goals(runner, cases))
        kernels = next((r["result"].get("backend", {}).get("kernels") for r in runner.log if r["engine"] == "ours"), None)
        if kernels:
            print(f"ours: {kernels}")
        versions = {r["engine"]: r["result"].get("version") for r in runner.log if r["engine"] != "ours"}
        if versions:
            print("peers: " + ", ".join(f"{engine} {version}" for engine, version in versions.items()))
        print("per-run medians (s) and CPU utilisation, in round order:")
        print(noise(runner))
    if profile_text:
        print()
        print(profile_head)
        print(profile_text)
    if e2e:
        print()
        print(e2e)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(runner.log, f)


if __name__ == "__main__":
    main()
