"""Wire protocol of the scoring worker: mirrors src/protocol/worker.ts (change both together).

NDJSON, one object per line: Node -> worker on fd 3, worker -> Node on fd 4.
test/unit/workerProtocol.test.ts compares these tables with the TypeScript interfaces and
round-trips sample messages through check_message().
"""

import json
from typing import Any, Dict, List

# Node -> worker: message type -> field names (besides "t").
TO_WORKER: Dict[str, List[str]] = {
    "files": ["files"],
    "task": ["key", "train", "test"],
    "run": ["id", "file", "fn", "kind", "task", "taskId", "pair", "index", "limitMs", "trace", "program"],
    "exit": [],
}

# worker -> Node: message type -> field names (besides "t").
FROM_WORKER: Dict[str, List[str]] = {
    "ready": ["pid", "python", "cpuTimer", "sandbox"],
    "phase": ["id", "phase"],
    "result": ["id", "ok", "ms", "timedOut", "cpuMs", "outcome", "batt", "error", "stdout", "stderr", "truncated", "trace"],
    "log": ["level", "msg"],
}

# Nested records (TypeScript interface name -> field names).
RECORDS: Dict[str, List[str]] = {
    "WireError": ["type", "message", "file", "line", "dslFunc", "dslFile", "dslLine", "traceback"],
    "WireOutcome": ["match", "output", "invalid"],
    "BattOutcome": ["match", "output", "invalid", "t", "mutated", "source"],
    "FilePatch": ["base", "fns", "moves"],
    "SandboxState": ["applied", "abi", "reason"],
    "WireTrace": ["steps", "values", "error"],
    "TraceStep": ["line", "name", "source"],
    "WireTraceValue": ["step", "type", "shape", "size", "summary", "grid", "cells", "palette", "repr", "truncated"],
    "TraceStop": ["step", "line", "text"],
}

# Fields a message must carry (the rest are optional in worker.ts).
REQUIRED: Dict[str, List[str]] = {
    "files": ["files"],
    "task": ["key", "train", "test"],
    "run": ["id", "file", "fn", "kind", "task", "taskId", "pair", "index"],
    "exit": [],
    "ready": ["pid", "python"],
    "phase": ["id", "phase"],
    "result": ["id", "ok", "ms"],
    "log": ["level", "msg"],
}

CALL_KINDS = ("I", "SIC", "batt")
PAIR_KINDS = ("demo", "test")
LOG_LEVELS = ("info", "warn", "error")
PHASES = ("import", "call")


def check_message(msg: Any) -> List[str]:
    """Return a list of problems with a decoded message (empty when it conforms)."""
    if not isinstance(msg, dict):
        return [f"message is a {type(msg).__name__}, expected an object"]
    t = msg.get("t")
    fields = TO_WORKER.get(t, FROM_WORKER.get(t)) if isinstance(t, str) else None
    if fields is None or not isinstance(t, str):
        return [f"unknown message type {t!r}"]
    problems: List[str] = []
    for name in REQUIRED[t]:
        if name not in msg:
            problems.append(f"{t}: missing field {name!r}")
    for name in msg:
        if name != "t" and name not in fields:
            problems.append(f"{t}: unexpected field {name!r}")
    if t == "run":
        if msg.get("kind") not in CALL_KINDS:
            problems.append(f"run: bad kind {msg.get('kind')!r}")
        if msg.get("pair") not in PAIR_KINDS:
            problems.append(f"run: bad pair {msg.get('pair')!r}")
    if t == "phase" and msg.get("phase") not in PHASES:
        problems.append(f"phase: bad phase {msg.get('phase')!r}")
    if t == "log" and msg.get("level") not in LOG_LEVELS:
        problems.append(f"log: bad level {msg.get('level')!r}")
    if t == "result":
        for rec, value in (("WireError", msg.get("error")), ("WireOutcome", msg.get("outcome"))):
            if value is not None:
                problems.extend(_check_record(rec, value))
        for item in msg.get("batt") or []:
            problems.extend(_check_record("BattOutcome", item))
        trace = msg.get("trace")
        if trace is not None:
            problems.extend(_check_record("WireTrace", trace))
            if isinstance(trace, dict):
                for rec, items in (("TraceStep", trace.get("steps")), ("WireTraceValue", trace.get("values"))):
                    for item in items or []:
                        problems.extend(_check_record(rec, item))
                if trace.get("error") is not None:
                    problems.extend(_check_record("TraceStop", trace["error"]))
    return problems


def _check_record(name: str, value: Any) -> List[str]:
    if not isinstance(value, dict):
        return [f"{name} is a {type(value).__name__}, expected an object"]
    return [f"{name}: unexpected field {k!r}" for k in value if k not in RECORDS[name]]


def encode(msg: Dict[str, Any]) -> bytes:
    """One NDJSON line (bytes, newline-terminated); ASCII-escaped so lone surrogates cannot break it."""
    return (json.dumps(msg, separators=(",", ":")) + "\n").encode("ascii")


if __name__ == "__main__":
    # `python3 protocol.py` prints the tables (used by the TypeScript mirror test);
    # `python3 protocol.py check` reads JSON lines on stdin and, for each, prints its problems and its re-encoding.
    import sys

    if len(sys.argv) > 1 and sys.argv[1] == "check":
        for raw in sys.stdin:
            if raw.strip():
                msg = json.loads(raw)
                print(json.dumps({"problems": check_message(msg), "echo": encode(msg).decode("ascii").rstrip("\n")}))
    else:
        print(json.dumps({"toWorker": TO_WORKER, "fromWorker": FROM_WORKER, "records": RECORDS,
                          "required": REQUIRED}))
