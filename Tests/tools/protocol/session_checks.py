"""Checks of a whole replayed session, after the worker exited.

- Every stdout line is a protocol message valid against message.schema.json (checked as lines
  arrive; collected here).
- Every request is answered exactly once: per id, as many responses as requests sent.
- Every result is valid against its method's result schema.
- Every response was expected by the transcript (no unexpected answers, none to notifications).
- Notifications name a request that was sent and come before its response.
- Progress: 0 <= done <= total, done never goes back within a stage, at most about 10 per
  second (15 in any one-second window, which leaves room for the always-sent first and last),
  and each transcript `progress` rule: allowed stages, count, first and last params.
- Appose mode (`--appose`): HELLO is the first line; every EXECUTE gets one LAUNCH first, then
  UPDATEs, then exactly one COMPLETION, CANCELATION or FAILURE, each expected by the transcript;
  a COMPLETION's outputs are valid against its method's result schema.
"""

from collections import defaultdict

import wire_rules
from transcript_patterns import mismatch, show

MAX_PROGRESS_PER_SECOND = 15


def check(run):
    if run.appose:
        return list(run.line_problems) + _appose_tasks(run)
    problems = list(run.line_problems)
    messages = [e for e in run.received if isinstance(e.value, dict)]
    responses = [e for e in messages if "id" in e.value]
    notifications = [e for e in messages if "id" not in e.value and isinstance(e.value.get("params"), dict)]
    problems += _answers(run, responses)
    problems += _notification_order(run, responses, notifications)
    progress = defaultdict(list)
    for entry in notifications:
        if entry.value.get("method") == "progress":
            progress[wire_rules.id_key(entry.value["params"].get("request"))].append(entry)
    for key, entries in progress.items():
        problems += _progress_invariants(key, entries)
    for key, rule in run.progress_rules.items():
        problems += _progress_rule(run, key, rule, progress.get(key, []))
    return problems


def _answers(run, responses):
    problems = []
    answered = defaultdict(int)
    for entry in responses:
        key = wire_rules.id_key(entry.value["id"])
        if key is not None:
            answered[key] += 1
        if not entry.consumed:
            problems.append("unexpected response: %s" % show(entry.value, 300))
        if key is not None and "result" in entry.value:
            problems += _result_schema(run, key, entry.value)
    for key in sorted(set(answered) | set(run.expected_answers)):
        if answered[key] != run.expected_answers[key]:
            problems.append("id %s: %d request(s) sent, %d response(s) received" % (
                wire_rules.show_key(key), run.expected_answers[key], answered[key]))
    return problems


def _result_schema(run, key, message, member="result"):
    """The result schema problems of `message[member]` (a JSON-RPC result, or an Appose
    COMPLETION's `outputs`), checked against the schemas of the methods sent with this id."""
    names = ["%s.result.schema.json" % m for m in run.methods_by_id.get(key, [])]
    names = [n for n in names if run.schemas.has(n)]
    if not names:
        return ["a %s for %s, which names no known method: %s" % (member, wire_rules.show_key(key), show(message))]
    found = [run.schemas.problem(n, message[member]) for n in names]
    if all(found):
        return ["%s in %s" % (found[-1], show(message, 300))]
    return []


def _notification_order(run, responses, notifications):
    problems = []
    last_answer = {}
    for entry in responses:
        key = wire_rules.id_key(entry.value["id"])
        if key is not None:
            last_answer[key] = entry.index
    for entry in notifications:
        key = wire_rules.id_key(entry.value["params"].get("request"))
        if key not in run.expected_answers:
            problems.append("notification for a request never sent: %s" % show(entry.value))
        elif key not in last_answer or entry.index > last_answer[key]:
            problems.append("notification after the request's response: %s" % show(entry.value))
    return problems


def _progress_invariants(key, entries):
    problems = []
    last_done = {}
    for entry in entries:
        params = entry.value["params"]
        done, total, stage = params.get("done"), params.get("total"), params.get("stage")
        if not (isinstance(done, int) and isinstance(total, int) and 0 <= done <= total):
            problems.append("progress with done outside [0, total]: %s" % show(entry.value))
        elif done < last_done.get(stage, 0):
            problems.append("progress went back from %d to %d: %s" % (last_done[stage], done, show(entry.value)))
        else:
            last_done[stage] = done
    start = 0
    for end, entry in enumerate(entries):
        while entry.arrival - entries[start].arrival > 1.0:
            start += 1
        if end - start + 1 > MAX_PROGRESS_PER_SECOND:
            problems.append("request %s: %d progress notifications within one second" % (
                wire_rules.show_key(key), end - start + 1))
            break
    return problems


def _progress_rule(run, key, rule, entries):
    name = "progress rule for request %s" % wire_rules.show_key(key)
    problems = []
    stages = rule.get("stages")
    for entry in entries:
        if stages is not None and entry.value["params"].get("stage") not in stages:
            problems.append("%s: stage not in %s: %s" % (name, stages, show(entry.value)))
    if len(entries) < rule.get("min", 1):
        problems.append("%s: %d notifications, expected at least %d" % (name, len(entries), rule.get("min", 1)))
    if "max" in rule and len(entries) > rule["max"]:
        problems.append("%s: %d notifications, expected at most %d" % (name, len(entries), rule["max"]))
    for which, index in (("first", 0), ("last", -1)):
        if which in rule and entries:
            problem = mismatch(rule[which], entries[index].value["params"], run.variables, "params")
            if problem:
                problems.append("%s: the %s one does not match: %s" % (name, which, problem))
    return problems


TERMINAL_RESPONSES = ("COMPLETION", "CANCELATION", "FAILURE")


def _appose_tasks(run):
    problems = []
    messages = [e for e in run.received if isinstance(e.value, dict)]
    if not messages or messages[0].value.get("responseType") != "HELLO":
        problems.append("the first line is not HELLO: %s" % (show(messages[0].value) if messages else "nothing"))
    by_task = defaultdict(list)
    for entry in messages:
        if entry.value.get("responseType") != "HELLO":
            by_task[wire_rules.id_key(entry.value.get("task"))].append(entry)
    for key in sorted(set(by_task) | set(run.expected_answers), key=str):
        entries = by_task.get(key, [])
        kinds = [e.value.get("responseType") for e in entries]
        name = "task %s" % wire_rules.show_key(key)
        if key not in run.expected_answers:
            problems.append("%s was never sent: %s" % (name, show(entries[0].value)))
            continue
        terminal = [e for e in entries if e.value.get("responseType") in TERMINAL_RESPONSES]
        if len(terminal) != run.expected_answers[key]:
            problems.append("%s: %d EXECUTE sent, %d COMPLETION/CANCELATION/FAILURE received" % (
                name, run.expected_answers[key], len(terminal)))
        if kinds.count("LAUNCH") != run.expected_answers[key] or (kinds and kinds[0] != "LAUNCH"):
            problems.append("%s: LAUNCH must come first, once per EXECUTE: %s" % (name, kinds))
        if terminal and entries[-1] is not terminal[-1]:
            problems.append("%s: a line after its end: %s" % (name, show(entries[-1].value)))
        for entry in terminal:
            if not entry.consumed:
                problems.append("unexpected response: %s" % show(entry.value, 300))
            if entry.value.get("responseType") == "COMPLETION":
                problems += _result_schema(run, key, entry.value, "outputs")
    return problems

