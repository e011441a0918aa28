#!/usr/bin/env python3
"""`make bench`: the standard U-Net benchmark cases, ours and the peers' alternately in one run.

Cases (2 threads unless said otherwise, 572x572 input tiles -> 388x388 output):
  * base 64 (the paper's network, 300.9 GFLOP per forward) and base 16: forward pass and
    training step (forward + weighted softmax cross-entropy + backward + SGD momentum), with the
    peak resident memory of the training process;
  * a 512x512 image through our overlap-tile segmenter with the base-64 network, against the
    peers' forward time for as many 572 tiles as the segmenter runs;
  * scaling of our forward pass and training step from 1 to 2 threads (base 64).

Engines: ours (.build/release/unet-bench), and, when the peer environment exists (PEER_PYTHON,
default /tmp/peer/bin/python; set up with `python3 -m venv /tmp/peer && /tmp/peer/bin/pip install
"torch==2.13.0+cpu" numpy threadpoolctl onnxruntime onnx`), PyTorch, PyTorch with jemalloc
(LD_PRELOAD; `apt-get install libjemalloc2`) and onnxruntime (forward only), all through
Benchmarks/unet_peer.py. Each engine runs in its own process; every round runs every engine once
per case, interleaved. The table shows each engine's median time over the rounds and, for the
ratios, the median over rounds of the ratio of the two runs made in that round (back to back,
under the same machine load), flagging rounds in which a run got clearly less CPU than it asked
for. Prints the table; --json writes every raw result.
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
JEMALLOC_CANDIDATES = ["/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2",
                       "/usr/lib64/libjemalloc.so.2", "/usr/local/lib/libjemalloc.so.2"]


def options():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", default=os.path.join(ROOT, ".build", "release", "unet-bench"))
    parser.add_argument("--peer-python", default=os.environ.get("PEER_PYTHON", "/tmp/peer/bin/python"))
    parser.add_argument("--jemalloc", default=os.environ.get("JEMALLOC", ""),
                        help="path of libjemalloc.so.2 (default: the usual library folders)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds (medians over rounds)")
    parser.add_argument("--reps", type=int, default=3, help="timed repetitions per run")
    parser.add_argument("--warmup", type=int, default=2, help="untimed repetitions per run")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--image", type=int, default=512, help="edge of the overlap-tile image")
    parser.add_argument("--cases", default="base64,base16,segment,scaling",
                        help="comma-separated subset of base64,base16,segment,scaling")
    parser.add_argument("--no-peers", action="store_true", help="time only our engine")
    parser.add_argument("--quick", action="store_true", help="1 round, 2 reps, 1 warm-up")
    parser.add_argument("--json", help="write every run's JSON result here")
    a = parser.parse_args()
    if a.quick:
        a.rounds, a.reps, a.warmup = 1, 2, 1
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
            if engine == "onnxruntime":
                command += ["--engine", "onnxruntime"]
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
        return names + (["onnxruntime"] if mode == "forward" else [])

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


def table(runner, cases):
    """Rows of the summary. Each ratio is the median over rounds of that round's ratio (the two
    runs were made back to back, under the same load), with its range; `busy` counts the rounds
    in which either run got clearly less CPU than it asked for (contended)."""
    a = runner.a
    peers = ["pytorch", "pytorch+jemalloc", "onnxruntime"]
    header = ["case", "ours", "PyTorch", "PyT+jemalloc", "onnxruntime", "ours/PyT", "ours/PyT+je", "ours/ORT",
              "target", "met", "busy"]
    rows = []

    def runs(case, engine, mode, threads=None):
        return runner.results.get((case, engine, mode, threads or a.threads), [])

    def field(result, mode, name):
        if name == "max_rss_mib":
            return result["max_rss_mib"]
        return result["segment" if mode == "segment" else ("forward" if mode == "forward" else "train_step")][name]

    def ratio_text(ratios):
        if not ratios:
            return "-"
        text = fmt(median(ratios), 3)
        return text + (f" ({min(ratios):.2f}-{max(ratios):.2f})" if len(ratios) > 1 else "")

    def per_round(ours_runs, other_runs, ours_mode, other_mode, name, scale=1.0):
        pairs = list(zip(ours_runs, other_runs))
        ratios = [field(o, ours_mode, name) / (scale * field(p, other_mode, name)) for o, p in pairs]
        busy = sum(1 for o, p in pairs if contended(o, ours_mode) or contended(p, other_mode))
        return ratios, busy

    def add(label, name, mode, case, target_peer, note=""):
        ours_runs = runs(case, "ours", mode)
        ours = median([field(r, mode, name) for r in ours_runs])
        others, ratio_cells, verdict, busy = [], [], "", 0
        for peer in peers:
            peer_runs = runs(case, peer, mode)
            others.append(median([field(r, mode, name) for r in peer_runs]))
            ratios, b = per_round(ours_runs, peer_runs, mode, mode, name)
            ratio_cells.append(ratio_text(ratios))
            if peer == target_peer and ratios:
                verdict = "yes" if median(ratios) <= 1.0 else "NO"
                busy = b
        timed = name != "max_rss_mib"
        rows.append([label, fmt(ours)] + [fmt(o) for o in others] + ratio_cells
                    + [f"<=1 vs {target_peer}" if target_peer else note, verdict,
                       f"{busy}/{len(ours_runs)}" if target_peer and timed else ""])

    for base, case in ((64, "base64"), (16, "base16")):
        if case not in cases:
            continue
        add(f"{case} forward (s)", "median_s", "forward", case, "onnxruntime")
        add(f"{case} train step (s)", "median_s", "train", case, "pytorch+jemalloc" if runner.jemalloc else "pytorch")
        add(f"{case} train peak RSS (MiB)", "max_rss_mib", "train", case, "pytorch")
        add(f"{case} forward peak RSS (MiB)", "max_rss_mib", "forward", case, None, "(info)")
    if "segment" in cases:
        seg_runs = runs("segment", "ours", "segment")
        if seg_runs:
            tiles = seg_runs[0]["segment"]["tiles"]
            others, cells, best = [], [], None
            for peer in peers:
                peer_runs = runs("base64", peer, "forward")
                others.append(None if not peer_runs else tiles * median([field(r, "forward", "median_s") for r in peer_runs]))
                ratios, _ = per_round(seg_runs, peer_runs, "segment", "forward", "median_s", scale=tiles)
                cells.append(ratio_text(ratios))
                # The target is the fastest peer: the largest ratio.
                if ratios and (best is None or median(ratios) > best[0]):
                    best = (median(ratios), peer_runs)
            verdict, busy = "", ""
            if best:
                verdict = "yes" if best[0] <= 1 else "NO"
                _, b = per_round(seg_runs, best[1], "segment", "forward", "median_s")
                busy = f"{b}/{len(seg_runs)}"
            rows.append([f"{a.image}x{a.image} overlap-tile, {tiles} tiles (s)", fmt(median([field(r, "segment", "median_s") for r in seg_runs]))]
                        + [fmt(o) for o in others] + cells + ["<=1 vs fastest peer", verdict, busy])
    if "scaling" in cases:
        for mode in ("forward", "train"):
            one, two = runs("base64", "ours", mode, threads=1), runs("base64", "ours", mode)
            pairs = list(zip(one, two))
            scalings = [field(p, mode, "median_s") / field(q, mode, "median_s") for p, q in pairs]
            busy = sum(1 for p, q in pairs if contended(p, mode) or contended(q, mode))
            verdict = "" if not scalings else ("yes" if median(scalings) >= 1.85 else "NO")
            rows.append([f"base64 {mode} scaling 1->{a.threads} threads", ratio_text(scalings), "", "", "", "", "", "",
                         ">=1.85x", verdict, f"{busy}/{len(pairs)}"])
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
             for r in [header] + rows]
    return "\n".join(lines)


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


def main():
    a = options()
    runner = Runner(a)
    if not os.access(a.bench, os.X_OK):
        raise SystemExit(f"run_bench: {a.bench} not found; run `make build` first")
    cases = set(a.cases.split(","))
    load_before = os.getloadavg()
    started = time.time()
    print(f"run_bench: {a.rounds} round(s), {a.reps} reps + {a.warmup} warm-up per run, {a.threads} threads; "
          f"peers: {'yes' if runner.peers else 'no (' + a.peer_python + ' missing)'}", file=sys.stderr)
    for r in range(a.rounds):
        print(f"round {r + 1}/{a.rounds}", file=sys.stderr)
        round_once(runner, cases)
    load_after = os.getloadavg()
    print()
    print(f"U-Net benchmark, {a.threads} threads, 572x572 tiles; medians over {a.rounds} alternating round(s) of "
          f"{a.reps}-rep medians ({time.time() - started:.0f} s; load average before {load_before[0]:.2f}, "
          f"after {load_after[0]:.2f})")
    print(table(runner, cases))
    print("ratios: median over rounds of the per-round ratio (range); busy: rounds in which one of the two runs "
          "got < 75% of the CPU it asked for (another process competed; such ratios are not meaningful)")
    kernels = next((r["result"].get("backend", {}).get("kernels") for r in runner.log if r["engine"] == "ours"), None)
    if kernels:
        print(f"ours: {kernels}")
    print("per-run medians (s) and CPU utilisation, in round order:")
    print(noise(runner))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(runner.log, f)


if __name__ == "__main__":
    main()
