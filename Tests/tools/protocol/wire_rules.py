"""The protocol's rules for one line (Protocol/README.md, "Framing"), as the replay needs them.

A line is a message when it is at most 16 MiB, UTF-8 without a byte-order mark, one strict JSON
value (no NaN, no single quotes, no lone surrogate escapes) nested at most 64 levels deep. A
request's id is an integer that fits 64 bits (1.0 counts as 1) or a string. The replay uses
these rules to know which of the lines it sends the worker must answer, and with which id, and
to check every line the worker writes.
"""

import json

MAX_LINE_BYTES = 16 << 20
MAX_DEPTH = 64


def _reject_constant(name):
    raise ValueError("%s is not JSON" % name)


def _depth(value):
    """Nesting levels of arrays and objects (a scalar is 0, [] is 1)."""
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _has_lone_surrogate(value):
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return False
        except UnicodeEncodeError:
            return True
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def parse_line(raw):
    """Classifies one line (bytes, with or without its line break).

    Returns (kind, value, problem): kind "blank" (ignored by the worker), "message" (value is
    the parsed JSON) or "garbage" (problem says why the worker answers -32700).
    """
    line = raw[:-1] if raw.endswith(b"\n") else raw
    if line.endswith(b"\r"):
        line = line[:-1]
    if not line.strip(b" \t\r"):
        return "blank", None, None
    if len(line) > MAX_LINE_BYTES:
        return "garbage", None, "the line is longer than 16 MiB"
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        return "garbage", None, "invalid UTF-8 (%s)" % error.reason
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as error:
        return "garbage", None, "not JSON (%s)" % error
    if _depth(value) > MAX_DEPTH:
        return "garbage", None, "nested deeper than %d levels" % MAX_DEPTH
    if _has_lone_surrogate(value):
        return "garbage", None, "a \\u escape of a lone surrogate"
    return "message", value, None


def id_key(value):
    """A hashable key for a usable request id (typed, so 1 and "1" differ), else None."""
    if type(value) is str:
        return ("string", value)
    if type(value) is float and value.is_integer():
        value = int(value)
    if type(value) is int and -(1 << 63) <= value < (1 << 63):
        return ("int", value)
    return None


def show_key(key):
    return json.dumps(key[1])
