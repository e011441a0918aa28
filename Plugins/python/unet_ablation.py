#!/usr/bin/env python3
"""The paper's claims, measured on the synthetic sets through the worker (README "Ablation").

1. Weighted loss (w0 = 10, sigma = 5, Eq. 2) against plain cross-entropy (w0 = 0) on touching
   nuclei: instance F1 at IoU 0.5 and SEG.
2. Elastic deformation on or off when training on a single small image.
3. The default recipe on all three synthetic sets (nuclei, cells, membranes).

Every cell is the mean (and the spread, min-max) over `--seeds` data/initialisation seeds.
Prints a Markdown table; `--json FILE` also keeps every run. Takes about half an hour on
2 cores with the defaults (each run is `unet_demo.py` with the worker's default training).

    python3 Plugins/python/unet_ablation.py --worker .build/release/unet-worker [--seeds 3]
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import unet_demo  # noqa: E402

KEYS = [("fg_iou", "fg IoU"), ("seg", "SEG"), ("f1_50", "F1@0.5")]


def experiments(single_image_iterations):
    """(table, row label, demo arguments) of every experiment."""
    yield from [("loss", "weighted (w0 10, sigma 5)", ["--config", "{}"]),
                ("loss", "plain cross-entropy (w0 0)", ["--config", '{"w0":0}'])]
    single = ["--train-count", "1", "--size", "128", "--iterations", str(single_image_iterations)]
    yield from [("elastic", "elastic deformation on", single + ["--config", "{}"]),
                ("elastic", "elastic deformation off", single + ["--config", '{"augment":{"elastic":false}}'])]
    for kind in ["cells", "membranes"]:
        yield ("kinds", kind, ["--kind", kind, "--config", "{}"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", help="unet-worker binary (default: UNET_WORKER, then PATH)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--output", default="ablation-output")
    parser.add_argument("--single-image-iterations", type=int, default=1000)
    parser.add_argument("--only", choices=["loss", "elastic", "kinds"], help="run one table only")
    parser.add_argument("--json", help="also write every run's summary to this file")
    arguments = parser.parse_args()

    rows = {}
    runs = []
    for table, label, extra in experiments(arguments.single_image_iterations):
        if arguments.only and table != arguments.only:
            continue
        for seed in range(1, arguments.seeds + 1):
            folder = os.path.join(arguments.output, table, label.split(" (")[0].replace(" ", "-"), str(seed))
            demo_arguments = ["--output", folder, "--seed", str(seed), "--json"] + extra
            if arguments.worker:
                demo_arguments += ["--worker", arguments.worker]
            summary = unet_demo.run(unet_demo.parse_arguments(demo_arguments))
            runs.append(dict(summary, table=table, label=label))
            rows.setdefault((table, label), []).append(summary)
            metrics = " ".join(f"{name} {summary['metrics'][key]:.3f}" for key, name in KEYS)
            print(f"{table:8} {label:30} seed {seed}: {metrics}  "
                  f"(train {summary['timings']['train_s']:.0f} s)", file=sys.stderr, flush=True)
    # The default recipe on nuclei is the weighted-loss row.
    if ("loss", "weighted (w0 10, sigma 5)") in rows:
        rows[("kinds", "nuclei")] = rows[("loss", "weighted (w0 10, sigma 5)")]
    if arguments.json:
        with open(arguments.json, "w") as handle:
            json.dump(runs, handle, indent=1)
    print_tables(rows, arguments.seeds, arguments.single_image_iterations)


def cell(summaries, key):
    values = [s["metrics"][key] for s in summaries]
    return f"{sum(values) / len(values):.3f} ({min(values):.2f}-{max(values):.2f})"


def print_tables(rows, seeds, single_image_iterations):
    titles = {"loss": "Weighted loss vs plain cross-entropy, touching nuclei (4 images 256x256)",
              "elastic": f"Elastic deformation, trained on a single 128x128 nuclei image "
                         f"({single_image_iterations} iterations)",
              "kinds": "Default recipe on the three synthetic sets"}
    for table, title in titles.items():
        if not any(t == table for t, _ in rows):
            continue
        print(f"\n{title}; mean (min-max) over {seeds} seeds:\n")
        print("| setting | " + " | ".join(name for _, name in KEYS) + " |")
        print("| --- |" + " --- |" * len(KEYS))
        labels = [label for (t, label) in rows if t == table]
        if table == "kinds":
            labels = [kind for kind in ["nuclei", "cells", "membranes"] if kind in labels]
        for label in labels:
            print(f"| {label} | " + " | ".join(cell(rows[(table, label)], key) for key, _ in KEYS) + " |")


if __name__ == "__main__":
    main()
