#!/usr/bin/env python3
"""Quality on real data: train through the worker's protocol, evaluate on images it did not see.

Any folder of ``NAME.tif`` + ``NAME_labels.tif`` pairs is a data set; a folder whose sub-folders
hold such pairs gives one data set per sub-folder (``../shared/data/real`` has ``dsb2018/`` and
``isbi2012/``). Images are split into ``--folds`` folds by a hash of their file name (stable for
the same files, independent of their order on disk); for each fold asked for and each seed the
worker trains on the other folds with the same wall-clock budget (``max_seconds``), segments the
held-out fold and scores every image with its ``evaluate`` method (fg IoU, SEG, F1@0.5, Rand
error as scikit-image computes it, the peer's definition, pixel error; means over images). When the PyTorch peer is given (``--peer-python`` with
torch, scipy, scikit-image, tifffile, and ``--peer-script``), it trains on the same split for the
same budget right after ours, in the same sitting, and its ``grow_gaps`` metrics are reported.

Every run is one JSON line in ``--output`` (results.jsonl); the table printed at the end gives,
per data set and system, the mean and the spread (min-max) over folds and seeds.

Example (the README's table):
    python3 Benchmarks/quality.py --worker .build/release/unet-worker --data ../shared/data/real \
        --seconds 600 --folds 3 --use-folds 0 --seeds 1,2,3
"""
import argparse
import hashlib
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "Plugins" / "python"))
from unet_client import Worker  # noqa: E402

METRICS = ("fg_iou", "seg", "f1_50", "rand_error", "pixel_error")
LOWER_IS_BETTER = {"rand_error", "pixel_error"}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--worker", default=os.environ.get("UNET_WORKER", ".build/release/unet-worker"))
    p.add_argument("--data", default=str(HERE.parent.parent / "shared" / "data" / "real"),
                   help="folder of NAME.tif + NAME_labels.tif pairs, or of such folders")
    p.add_argument("--sets", default="", help="comma-separated data set names to run (default: all)")
    p.add_argument("--seconds", type=float, default=600, help="training budget of every run (max_seconds)")
    p.add_argument("--folds", type=int, default=3, help="folds over images (k of k-fold)")
    p.add_argument("--use-folds", default="", help="comma-separated folds to run (default: all)")
    p.add_argument("--seeds", default="1,2,3", help="comma-separated training seeds")
    p.add_argument("--threads", type=int, default=2, help="compute threads of the worker and the peer")
    p.add_argument("--config", default="{}", help="JSON object merged into train's config")
    p.add_argument("--train-options", default="{}", help="JSON object merged into train's params")
    p.add_argument("--segment-options", default="{}", help="JSON object merged into segment's params")
    p.add_argument("--segment-variants", default="",
                   help='JSON object {"name": {segment params}, ...}: every trained model is segmented and '
                        'scored once per variant (rows LABEL/name); default: one run with --segment-options')
    p.add_argument("--label", default="unet-worker", help="name of our rows in the table")
    p.add_argument("--peer-python", default="", help="python with torch etc. (e.g. /tmp/peer/bin/python)")
    p.add_argument("--peer-script", default=str(HERE.parent.parent / "shared" / "peers" / "quality_peer.py"))
    p.add_argument("--peer-only", action="store_true", help="run the peer rows only")
    p.add_argument("--work", default="quality-output", help="folder for splits, models and outputs")
    p.add_argument("--output", default="", help="JSON lines file (default: WORK/results.jsonl)")
    p.add_argument("--keep", action="store_true", help="keep models and segmentations")
    p.add_argument("--reuse-models", action="store_true",
                   help="segment and score models kept by an earlier --keep run instead of training again")
    return p.parse_args(argv)


def find_sets(root):
    """{name: [(image, labels)]} for root itself or each of its sub-folders that holds pairs."""
    def pairs(folder):
        out = []
        for labels in sorted(folder.glob("*_labels.tif")):
            image = labels.with_name(labels.name[: -len("_labels.tif")] + ".tif")
            if image.exists():
                out.append((image, labels))
        return out

    root = pathlib.Path(root)
    if not root.is_dir():
        raise SystemExit(f"quality: {root} is not a folder")
    direct = pairs(root)
    if direct:
        return {root.name: direct}
    sets = {d.name: pairs(d) for d in sorted(root.iterdir()) if d.is_dir()}
    sets = {k: v for k, v in sets.items() if v}
    if not sets:
        raise SystemExit(f"quality: no NAME.tif + NAME_labels.tif pairs in {root} or its sub-folders")
    return sets


def fold_of(path, folds):
    """A fold from the file name alone: the same for the same file wherever it is listed."""
    return int(hashlib.sha256(path.name.encode()).hexdigest(), 16) % folds


def split_folder(work, pairs, test_fold, folds):
    """Symlinks of the training and test pairs in work/train and work/test (the peer takes globs)."""
    for part in ("train", "test"):
        folder = work / part
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    split = {"train": [], "test": []}
    for image, labels in pairs:
        part = "test" if fold_of(image, folds) == test_fold else "train"
        for f in (image, labels):
            (work / part / f.name).symlink_to(f.resolve())
        split[part].append((work / part / image.name, work / part / labels.name))
    return split


def run_ours(args, worker, work, split, seed):
    config = dict(json.loads(args.config), seed=seed)
    model = work / f"model_seed{seed}.unet"
    images = [str(i) for i, _ in split["train"]]
    labels = [str(lab) for _, lab in split["train"]]
    record = model.with_suffix(".train.json")
    if args.reuse_models and model.exists() and record.exists():
        trained, train_seconds = json.loads(record.read_text()), 0.0
    else:
        started = time.time()
        call = worker.train(images, labels, str(model), max_seconds=args.seconds, config=config,
                            **json.loads(args.train_options))
        last = 0.0
        for progress in call.progress():
            if time.time() - last > 30:
                last = time.time()
                print(f"  [ours seed {seed}] {progress.describe()}", file=sys.stderr, flush=True)
        trained = call.result()
        train_seconds = time.time() - started
        record.write_text(json.dumps(trained))
    variants = json.loads(args.segment_variants) if args.segment_variants else {"": {}}
    rows = {}
    for name, options in variants.items():
        out_dir = work / f"segment_seed{seed}_{name or 'default'}"
        started = time.time()
        seg = worker.segment(str(model), [str(i) for i, _ in split["test"]], str(out_dir), outputs=["instances"],
                             **dict(json.loads(args.segment_options), **options)).result()
        segment_seconds = time.time() - started
        per_image = [worker.evaluate(entry["instances"], str(truth))
                     for entry, (_, truth) in zip(seg["outputs"], split["test"])]
        if not args.keep:
            shutil.rmtree(out_dir, ignore_errors=True)
        # The table's Rand error is scikit-image's adapted one, the peer's definition;
        # the ISBI challenge's foreground-restricted one is kept as rand_error_isbi.
        for r in per_image:
            r["rand_error_isbi"], r["rand_error"] = r["rand_error"], r["adapted_rand_error"]
        metrics = {m: statistics.fmean(r[m] for r in per_image) for m in METRICS + ("rand_error_isbi",)}
        rows[name] = dict(metrics, iterations=trained["iterations"], train_seconds=round(train_seconds, 1),
                          segment_seconds=round(segment_seconds, 1), tile_size=trained.get("tile_size"),
                          truth_objects=sum(r["truth_objects"] for r in per_image),
                          predicted_objects=sum(r["predicted_objects"] for r in per_image),
                          segment_options=dict(json.loads(args.segment_options), **options),
                          result={k: v for k, v in trained.items() if k != "model"})
    if not args.keep:
        model.unlink(missing_ok=True)
        record.unlink(missing_ok=True)
    return rows


def run_peer(args, work, seed):
    command = [args.peer_python, args.peer_script, "--train-seconds", str(args.seconds),
               "--threads", str(args.threads), "--seed", str(seed),
               "--train-list", str(work / "train" / "*.tif"), "--test-list", str(work / "test" / "*.tif")]
    started = time.time()
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"peer failed ({done.returncode}): {done.stderr[-2000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    metrics = report["metrics"][report.get("metrics_headline", "grow_gaps")]
    return dict({m: metrics[m] for m in METRICS}, iterations=report["iterations"],
                train_seconds=round(time.time() - started, 1), settings=report.get("settings"))


def table(rows):
    """Markdown: one line per (set, system), mean and min-max over runs."""
    groups = {}
    for r in rows:
        groups.setdefault((r["set"], r["system"]), []).append(r)
    lines = ["| data set | system | runs | " + " | ".join(METRICS) + " | iterations |",
             "| --- | --- | --- | " + " | ".join("---" for _ in METRICS) + " | --- |"]
    for (name, system), rs in sorted(groups.items()):
        cells = []
        for m in METRICS:
            values = [r[m] for r in rs]
            mean = statistics.fmean(values)
            cells.append(f"{mean:.3f}" if len(values) == 1 else f"{mean:.3f} ({min(values):.3f}-{max(values):.3f})")
        iterations = statistics.fmean(r["iterations"] for r in rs)
        lines.append(f"| {name} | {system} | {len(rs)} | " + " | ".join(cells) + f" | {iterations:.0f} |")
    return "\n".join(lines)


def main():
    args = parse_args()
    sets = find_sets(args.data)
    if args.sets:
        wanted = args.sets.split(",")
        missing = [s for s in wanted if s not in sets]
        if missing:
            raise SystemExit(f"quality: no data set {missing} in {args.data} (have {sorted(sets)})")
        sets = {k: sets[k] for k in wanted}
    folds = [int(f) for f in args.use_folds.split(",")] if args.use_folds else list(range(args.folds))
    seeds = [int(s) for s in args.seeds.split(",")]
    peer = bool(args.peer_python) and pathlib.Path(args.peer_script).exists()
    if args.peer_python and not peer:
        print(f"quality: peer script {args.peer_script} not found; our rows only", file=sys.stderr)
    work_root = pathlib.Path(args.work).resolve()
    work_root.mkdir(parents=True, exist_ok=True)
    output = pathlib.Path(args.output or work_root / "results.jsonl")
    rows = []
    worker = None if args.peer_only else Worker(os.path.abspath(args.worker), cwd=str(work_root),
                                                arguments=["--threads", str(args.threads)])
    try:
        if worker:
            worker.initialize()
        for name, pairs in sets.items():
            for fold in folds:
                work = work_root / name / f"fold{fold}"
                split = split_folder(work, pairs, fold, args.folds)
                if not split["train"] or not split["test"]:
                    raise SystemExit(f"quality: fold {fold} of {name} leaves no training or no test image")
                for seed in seeds:
                    base = dict(set=name, fold=fold, folds=args.folds, seed=seed, seconds=args.seconds,
                                n_train=len(split["train"]), n_test=len(split["test"]))
                    runs = [] if args.peer_only else [(args.label, lambda: run_ours(args, worker, work, split, seed))]
                    if peer:
                        runs.append(("pytorch-peer", lambda: {"": run_peer(args, work, seed)}))
                    for system, run in runs:
                        print(f"[quality] {name} fold {fold} seed {seed}: {system} "
                              f"({base['n_train']} train / {base['n_test']} test images, {args.seconds:.0f} s)",
                              file=sys.stderr, flush=True)
                        for variant, measured in run().items():
                            row = dict(base, system=system + (f"/{variant}" if variant else ""), **measured)
                            if system == args.label:
                                row.update(config=json.loads(args.config), threads=args.threads)
                            rows.append(row)
                            with open(output, "a") as f:
                                f.write(json.dumps(row) + "\n")
                            print(f"[quality]   {row['system']}: " + " ".join(f"{m} {row[m]:.3f}" for m in METRICS)
                                  + f" iterations {row['iterations']}", file=sys.stderr, flush=True)
    finally:
        if worker:
            worker.close()
    print(table(rows))
    print(f"(rows appended to {output})")


if __name__ == "__main__":
    main()
