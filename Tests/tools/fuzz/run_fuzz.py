#!/usr/bin/env python3
"""Runs the libFuzzer targets of `unet-fuzz` (built by `make fuzz` with -sanitize=fuzzer,address)
for a given time each and prints what they did: executions, coverage, corpus, crashes.

Seeds: the TIFF fixtures (Tests/Fixtures/tiff), every line the protocol transcripts send
(Protocol/transcripts), a small checkpoint (Tests/Fixtures/fuzz/model); plus the regression
inputs of each target in Tests/Fixtures/fuzz/TARGET (every crash found becomes one). The
growing corpus stays in WORK/TARGET/corpus between runs. Standard library only.

  python3 Tests/tools/fuzz/run_fuzz.py --fuzzer .build-fuzz/release/unet-fuzz --seconds 60
Exit status 1 when a target crashed, leaked, timed out or ran out of memory; the input that did
it is in WORK/TARGET/ and the command to reproduce it is printed.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
TARGETS = ["tiff", "jsonrpc", "model"]


def transcript_lines(folder, out):
    """One seed file per line that a transcript sends to the worker."""
    os.makedirs(out, exist_ok=True)
    count = 0
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".jsonl"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as lines:
            for text in lines:
                if not text.strip():
                    continue
                step = json.loads(text)
                if "send" in step:
                    data = json.dumps(step["send"], separators=(",", ":")).encode()
                elif "send_raw" in step:
                    data = step["send_raw"].encode()
                elif "send_hex" in step:
                    data = bytes.fromhex(step["send_hex"])
                else:
                    continue
                count += 1
                with open(os.path.join(out, f"{count:04d}.jsonl"), "wb") as seed:
                    seed.write(data + b"\n")
    return count


def seed_folders(target, work):
    fixtures = os.path.join(ROOT, "Tests", "Fixtures")
    folders = []
    if target == "tiff":
        folders.append(os.path.join(fixtures, "tiff"))
    elif target == "jsonrpc":
        seeds = os.path.join(work, "jsonrpc", "seeds")
        shutil.rmtree(seeds, ignore_errors=True)
        transcript_lines(os.path.join(ROOT, "Protocol", "transcripts"), seeds)
        folders.append(seeds)
    regressions = os.path.join(fixtures, "fuzz", target)
    if os.path.isdir(regressions):
        folders.append(regressions)
    return folders


def final_stats(log):
    stats = {}
    for key in ("number_of_executed_units", "average_exec_per_sec", "peak_rss_mb", "new_units_added"):
        found = re.findall(rf"stat::{key}:\s*(\d+)", log)
        if found:
            stats[key] = int(found[-1])
    progress = re.findall(r"#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/(\S+)", log)
    if progress:
        _, cov, ft, corp, size = progress[-1]
        stats.update(coverage=int(cov), features=int(ft), corpus=int(corp), corpus_size=size)
    return stats


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fuzzer", required=True, help="unet-fuzz built with -sanitize=fuzzer,address -DFUZZING")
    parser.add_argument("--seconds", type=int, default=60, help="time per target")
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--work", default=os.path.join(ROOT, ".build-fuzz", "work"))
    parser.add_argument("--rss-limit-mb", type=int, default=2048,
                        help="libFuzzer's memory limit; also the largest single allocation allowed")
    args = parser.parse_args()
    failed = []
    rows = []
    for target in args.targets.split(","):
        if target not in TARGETS:
            sys.exit(f"run_fuzz.py: unknown target {target} (known: {', '.join(TARGETS)})")
        folder = os.path.join(args.work, target)
        corpus = os.path.join(folder, "corpus")
        os.makedirs(corpus, exist_ok=True)
        command = [args.fuzzer, f"-max_total_time={args.seconds}", f"-rss_limit_mb={args.rss_limit_mb}",
                   f"-malloc_limit_mb={args.rss_limit_mb}", "-timeout=20", "-max_len=65536",
                   "-print_final_stats=1", f"-artifact_prefix={folder}/", corpus] + seed_folders(target, args.work)
        # SWIFT_BACKTRACE off: on a crash Swift's backtracer (and its llvm-symbolizer) inherit the
        # output pipe and can hang there under ASan, so the run would never end; libFuzzer and
        # ASan print the stack. The timeout is a last resort against any other hang.
        env = dict(os.environ, UNET_FUZZ_TARGET=target, SWIFT_BACKTRACE="enable=no",
                   ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1")
        print(f"[fuzz] {target}: {args.seconds} s", flush=True)
        before = set(os.listdir(folder))
        try:
            run = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                 errors="replace", timeout=args.seconds + 300)
        except subprocess.TimeoutExpired as expired:
            output = expired.stdout if isinstance(expired.stdout, str) else (expired.stdout or b"").decode("utf-8", "replace")
            run = subprocess.CompletedProcess(command, -9, stdout=output + "\n[fuzz] killed: no end within the time limit\n")
        with open(os.path.join(folder, "last-run.log"), "w", encoding="utf-8") as log:
            log.write(run.stdout)
        stats = final_stats(run.stdout)
        artifacts = sorted(name for name in set(os.listdir(folder)) - before
                           if re.match(r"(crash|leak|timeout|oom|slow-unit)-", name))
        rows.append((target, stats, artifacts, run.returncode))
        if run.returncode != 0 or any(not name.startswith("slow-unit") for name in artifacts):
            failed.append(target)
            print(run.stdout[-4000:])
            for name in artifacts:
                path = os.path.join(folder, name)
                print(f"[fuzz] {target}: {name}; reproduce: UNET_FUZZ_TARGET={target} {args.fuzzer} {path}")
                print(f"[fuzz]   then keep it as a regression input: cp {path} Tests/Fixtures/fuzz/{target}/")
    print("| target | seconds | executions | exec/s | coverage (edges) | features | corpus | peak RSS MB | result |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for target, stats, artifacts, code in rows:
        result = "clean" if code == 0 and not artifacts else f"exit {code} {' '.join(artifacts)}"
        print(f"| {target} | {args.seconds} | {stats.get('number_of_executed_units', '?')} | "
              f"{stats.get('average_exec_per_sec', '?')} | {stats.get('coverage', '?')} | {stats.get('features', '?')} | "
              f"{stats.get('corpus', '?')} ({stats.get('corpus_size', '?')}) | {stats.get('peak_rss_mb', '?')} | {result} |")
    if failed:
        sys.exit(f"run_fuzz.py: {', '.join(failed)} failed")


if __name__ == "__main__":
    main()
