"""Matching the worker's messages against the patterns of a transcript.

A pattern is JSON. Literals match themselves with the same JSON type (1 is not 1.0, true is
not 1); strings have `${NAME}` replaced by the replay's variables (`${TMP}`: the scratch
folder). Objects match objects with exactly the pattern's keys, unless the pattern holds
`"$more": true`; a key written `"name?"` may be absent. Matchers (Protocol/transcripts/README.md):

  "$any" "$number" "$int" "$string" "$bool" "$array" "$object"    any value of that type
  {"$number": {"min": a, "max": b}}   {"$int": {"min": a, "max": b}}   a number in [a, b]
  {"$regex": "..."}                   a string that re.search finds the expression in
  {"$oneof": [p, q, ...]}             matches one of the patterns
  {"$array": {"each": p, "min": m, "max": n}}   an array of m..n elements, each matching p
  {"$literal": v}                     v exactly, even when it looks like a matcher
"""

import json
import re

TYPE_WORDS = {
    "$any": lambda v: True,
    "$number": lambda v: type(v) in (int, float),
    "$int": lambda v: type(v) is int,
    "$string": lambda v: type(v) is str,
    "$bool": lambda v: type(v) is bool,
    "$array": lambda v: type(v) is list,
    "$object": lambda v: type(v) is dict,
}

MATCHERS = {"$number", "$int", "$regex", "$oneof", "$array", "$literal"}


def substitute(value, variables):
    """`value` with `${NAME}` replaced in every string (keys included)."""
    if isinstance(value, str):
        for name, replacement in variables.items():
            value = value.replace("${%s}" % name, replacement)
        return value
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    if isinstance(value, dict):
        return {substitute(k, variables): substitute(v, variables) for k, v in value.items()}
    return value


def show(value, limit=160):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def mismatch(pattern, value, variables, path="$"):
    """None when `value` matches `pattern`, else a sentence naming the first difference."""
    if isinstance(pattern, dict) and len(pattern) == 1 and next(iter(pattern)) in MATCHERS:
        return _matcher(pattern, value, variables, path)
    if isinstance(pattern, dict):
        return _object(pattern, value, variables, path)
    if isinstance(pattern, list):
        if type(value) is not list:
            return "%s: expected an array, got %s" % (path, show(value))
        if len(value) != len(pattern):
            return "%s: expected %d elements, got %d: %s" % (path, len(pattern), len(value), show(value))
        for i, (p, v) in enumerate(zip(pattern, value)):
            problem = mismatch(p, v, variables, "%s[%d]" % (path, i))
            if problem:
                return problem
        return None
    if isinstance(pattern, str) and pattern in TYPE_WORDS:
        if TYPE_WORDS[pattern](value):
            return None
        return "%s: expected %s, got %s" % (path, pattern[1:], show(value))
    if isinstance(pattern, str):
        pattern = substitute(pattern, variables)
    if type(value) is type(pattern) and value == pattern:
        return None
    return "%s: expected %s, got %s" % (path, show(pattern), show(value))


def _object(pattern, value, variables, path):
    if type(value) is not dict:
        return "%s: expected an object, got %s" % (path, show(value))
    allowed = set()
    for key, sub in pattern.items():
        if key == "$more":
            continue
        name = key[:-1] if key.endswith("?") else key
        allowed.add(name)
        if name not in value:
            if key.endswith("?"):
                continue
            return "%s: missing member %s in %s" % (path, show(name), show(value))
        problem = mismatch(sub, value[name], variables, "%s.%s" % (path, name))
        if problem:
            return problem
    if pattern.get("$more") is not True:
        extra = sorted(set(value) - allowed)
        if extra:
            return "%s: unexpected member %s in %s" % (path, show(extra[0]), show(value))
    return None


def _range(value, bounds, path, kind):
    low, high = bounds.get("min"), bounds.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        return "%s: expected %s in [%s, %s], got %s" % (path, kind, low, high, show(value))
    return None


def _matcher(pattern, value, variables, path):
    (name, argument), = pattern.items()
    if name == "$number":
        if type(value) not in (int, float):
            return "%s: expected a number, got %s" % (path, show(value))
        return _range(value, argument, path, "a number")
    if name == "$int":
        if type(value) is not int:
            return "%s: expected an integer, got %s" % (path, show(value))
        return _range(value, argument, path, "an integer")
    if name == "$regex":
        expression = argument
        for variable, replacement in variables.items():
            expression = expression.replace("${%s}" % variable, re.escape(replacement))
        if type(value) is str and re.search(expression, value):
            return None
        return "%s: expected a string matching /%s/, got %s" % (path, argument, show(value))
    if name == "$oneof":
        problems = [mismatch(p, value, variables, path) for p in argument]
        if all(problems):
            return "%s: no alternative matches (%s)" % (path, "; ".join(problems))
        return None
    if name == "$array":
        if type(value) is not list:
            return "%s: expected an array, got %s" % (path, show(value))
        problem = _range(len(value), argument, path + ".length", "a length")
        if problem:
            return problem
        for i, element in enumerate(value):
            problem = mismatch(argument.get("each", "$any"), element, variables, "%s[%d]" % (path, i))
            if problem:
                return problem
        return None
    # $literal
    if type(value) is type(argument) and value == argument:
        return None
    return "%s: expected %s, got %s" % (path, show(argument), show(value))
