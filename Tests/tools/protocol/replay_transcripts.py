#!/usr/bin/env python3
"""Replays every transcript of Protocol/transcripts against a worker binary.

    python3 Tests/tools/protocol/replay_transcripts.py [WORKER] [--only TEXT] [--verbose] [--keep]

WORKER defaults to $UNET_WORKER. Each transcript runs in a fresh scratch folder (the worker's
working directory, `${TMP}` in the transcript). Every line sent and received is validated against
Protocol/schemas with python3-jsonschema (draft 7). Prints one line per transcript and closes with
`N passed, M failed`; exits 1 when any failed, 2 on a usage error.

Needs only the Python standard library and jsonschema (Debian: python3-jsonschema).
"""

import argparse
import glob
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from protocol_schemas import SchemaSet  # noqa: E402
from transcript_runner import TranscriptRun  # noqa: E402

REPOSITORY = os.path.normpath(os.path.join(HERE, "..", "..", ".."))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("worker", nargs="?", default=os.environ.get("UNET_WORKER"),
                        help="the unet-worker binary (default: $UNET_WORKER)")
    parser.add_argument("--transcripts", default=os.path.join(REPOSITORY, "Protocol", "transcripts"))
    parser.add_argument("--schemas", default=os.path.join(REPOSITORY, "Protocol", "schemas"))
    parser.add_argument("--only", help="replay only transcripts whose file name contains this text")
    parser.add_argument("--verbose", action="store_true", help="print every line sent and received")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folders")
    options = parser.parse_args()
    if not options.worker:
        parser.error("give the worker binary as an argument or in UNET_WORKER")
    worker = os.path.abspath(options.worker)
    if not os.access(worker, os.X_OK):
        parser.error("%s is not an executable file" % worker)

    paths = sorted(glob.glob(os.path.join(options.transcripts, "*.jsonl")))
    if options.only:
        paths = [p for p in paths if options.only in os.path.basename(p)]
    if not paths:
        parser.error("no transcripts (*.jsonl) in %s" % options.transcripts)
    try:
        schemas = SchemaSet(options.schemas)
    except (OSError, ValueError) as error:  # jsonschema's SchemaError is a ValueError too
        print("cannot load the schemas: %s" % error)
        print("0 passed, %d failed" % len(paths))
        return 1

    passed = failed = 0
    started = time.monotonic()
    for path in paths:
        name = os.path.basename(path)
        if options.verbose:
            print("%s:" % name)
        began = time.monotonic()
        failures = TranscriptRun(path, worker, schemas, keep=options.keep, verbose=options.verbose).run()
        seconds = time.monotonic() - began
        if failures:
            failed += 1
            print("FAIL %s (%.1f s)" % (name, seconds))
            for failure in failures:
                print("    " + failure)
        else:
            passed += 1
            print("PASS %s (%.1f s)" % (name, seconds))
        sys.stdout.flush()
    print("replayed %d transcripts in %.1f s" % (len(paths), time.monotonic() - started))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
