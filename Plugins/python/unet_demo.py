#!/usr/bin/env python3
"""The U-Net worker's demo (`make demo`): train on synthetic touching nuclei and segment a
held-out set, all through the worker's JSON-RPC protocol, then print metrics and timings.

Steps: `generate` a training set, a validation image and a test set (different seeds), `train`
with the default settings (progress: iteration, loss, ETA; validation loss and foreground IoU),
`segment` the test set, `evaluate` each result against its ground truth, print a table.

    python3 Plugins/python/unet_demo.py [--kind nuclei] [--output demo-output] [--json]

Only the Python standard library and `unet_client` (beside this file) are used. `--json`
prints one summary line (used by `unet_ablation.py`); `--config` passes training options.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import unet_client  # noqa: E402

METRICS = [("fg_iou", "foreground IoU"), ("seg", "SEG"), ("f1_50", "F1 @ IoU 0.5"),
           ("rand_error", "Rand error"), ("pixel_error", "pixel error")]


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", help="unet-worker binary (default: UNET_WORKER, then PATH)")
    parser.add_argument("--kind", default="nuclei", choices=["nuclei", "cells", "membranes"])
    parser.add_argument("--output", default="demo-output", help="folder for data, model and results")
    parser.add_argument("--size", type=int, default=256, help="edge of the synthetic images")
    parser.add_argument("--train-count", type=int, default=4, help="training images")
    parser.add_argument("--test-count", type=int, default=4, help="held-out test images")
    parser.add_argument("--seed", type=int, default=1, help="data seed (test and validation use others)")
    parser.add_argument("--iterations", type=int, help="training iterations (default: the worker's)")
    parser.add_argument("--max-seconds", type=float, help="training time budget")
    parser.add_argument("--config", default="{}", help="train config object as JSON, e.g. '{\"w0\":0}'")
    parser.add_argument("--no-validation", action="store_true", help="train without a validation image")
    parser.add_argument("--tta", action="store_true", help="test-time augmentation when segmenting")
    parser.add_argument("--json", action="store_true", help="print one JSON summary line only")
    return parser.parse_args(argv)


def generate(worker, kind, folder, count, size, seed):
    result = worker.generate(kind, folder, count=count, width=size, height=size, seed=seed)
    return result["images"], result["labels"]


class TrainingDisplay:
    """Prints training progress (iteration, loss, ETA) and validation results: one line updated
    in place on a terminal, else a line per tenth of the run."""

    def __init__(self, quiet):
        self.quiet = quiet
        self.in_place = sys.stdout.isatty()
        self.next_line = 0

    def __call__(self, progress):
        if self.quiet:
            return
        p = progress.raw
        if p.get("stage") == "train" and p.get("loss") is not None:
            eta = p.get("eta_s") or 0
            line = (f"  iteration {p['done']:>5}/{p['total']:<5} loss {p['loss']:.4f}"
                    f"  ETA {int(eta) // 60}:{int(eta) % 60:02d}")
            if self.in_place:
                print("\r" + line, end="", flush=True)
            elif p["done"] >= self.next_line:
                print(line, flush=True)
                self.next_line = p["done"] + max(1, p["total"] // 10)
        elif p.get("stage") == "validate":
            print(("\r" if self.in_place else "")
                  + f"  iteration {p['done']:>5}: validation loss {p['validation_loss']:.4f}, "
                  f"foreground IoU {p['validation_fg_iou']:.3f}, F1 {p['validation_f1_50']:.3f}"
                  f"{'  (best so far)' if p.get('best') else ''}" + (" " * 10 if self.in_place else ""),
                  flush=True)


def run(arguments):
    output = os.path.abspath(arguments.output)
    os.makedirs(output, exist_ok=True)
    say = (lambda *a, **k: None) if arguments.json else print
    timings = {}
    with unet_client.Worker(arguments.worker) as worker:
        info = worker.initialize()
        say(f"unet-worker {info.get('version', '?')} ({info.get('threads', '?')} threads)")

        start = time.monotonic()
        train_images, train_labels = generate(worker, arguments.kind, os.path.join(output, "train"),
                                              arguments.train_count, arguments.size, arguments.seed)
        test_images, test_labels = generate(worker, arguments.kind, os.path.join(output, "test"),
                                            arguments.test_count, arguments.size, arguments.seed + 1000)
        validation = None
        if not arguments.no_validation:
            images, labels = generate(worker, arguments.kind, os.path.join(output, "validation"),
                                      1, arguments.size, arguments.seed + 2000)
            validation = {"images": images, "labels": labels}
        timings["generate_s"] = time.monotonic() - start
        say(f"Generated {len(train_images)} training, {len(test_images)} test"
            f"{' and 1 validation' if validation else ''} {arguments.kind} images of "
            f"{arguments.size}x{arguments.size} in {output}")

        model = os.path.join(output, f"{arguments.kind}.unet")
        options = {"config": json.loads(arguments.config)}
        if arguments.iterations:
            options["iterations"] = arguments.iterations
        if arguments.max_seconds:
            options["max_seconds"] = arguments.max_seconds
        if validation:
            options["validation"] = validation
        say("Training (the paper's weighted loss and elastic augmentation):")
        start = time.monotonic()
        call = worker.train(train_images, train_labels, model, **options)
        display = TrainingDisplay(arguments.json)
        for progress in call.progress():
            display(progress)
        trained = call.result()
        timings["train_s"] = time.monotonic() - start
        say(f"\n  {trained['iterations']} iterations in {trained['seconds']:.1f} s, "
            f"final loss {trained['loss']:.4f}; model {model}")

        start = time.monotonic()
        results = os.path.join(output, "results")
        segmented = worker.segment(model, test_images, results, tta=arguments.tta).result()
        timings["segment_s"] = time.monotonic() - start

        start = time.monotonic()
        per_image = [worker.evaluate(entry["instances"], truth)
                     for entry, truth in zip(segmented["outputs"], test_labels)]
        timings["evaluate_s"] = time.monotonic() - start

    means = {key: sum(m[key] for m in per_image) / len(per_image) for key, _ in METRICS}
    summary = {"kind": arguments.kind, "seed": arguments.seed, "config": options["config"],
               "iterations": trained["iterations"], "train_loss": trained["loss"],
               "metrics": means, "timings": timings, "model": model, "results": results}
    if not arguments.json:
        print_table(means, per_image, timings, arguments, results, model)
    return summary


def print_table(means, per_image, timings, arguments, results, model):
    print(f"\nHeld-out {arguments.kind} test set ({len(per_image)} images of "
          f"{arguments.size}x{arguments.size}), instances from `segment`:")
    print(f"  {'metric':<16}{'mean':>8}   per image")
    for key, name in METRICS:
        values = " ".join(f"{m[key]:.3f}" for m in per_image)
        print(f"  {name:<16}{means[key]:>8.3f}   {values}")
    objects = sum(m["truth_objects"] for m in per_image)
    found = sum(m["predicted_objects"] for m in per_image)
    print(f"  objects: {objects} in the ground truth, {found} segmented")
    print("\nTimings: " + ", ".join(f"{k[:-2]} {v:.1f} s" for k, v in timings.items()))
    print(f"Outputs: {results} (probabilities, masks, instances), model {model}")


if __name__ == "__main__":
    try:
        arguments = parse_arguments()
        summary = run(arguments)
        if arguments.json:
            print(json.dumps(summary))
    except unet_client.WorkerError as error:
        print(f"unet_demo: {error}", file=sys.stderr)
        sys.exit(1)
