"""Runs one candidate on one pair and builds the ResultMessage (see RunMessage in src/protocol/worker.ts)."""

import importlib
import os
import sys
import traceback
from time import perf_counter

from grid_check import outcome, to_grid
from workspace import WORKER_DIR, Refused

IMPORTLIB_DIR = os.path.dirname(os.path.abspath(importlib.__file__)) + os.sep
OUTPUT_LIMIT = 8 * 1024
TRACEBACK_LIMIT = 4 * 1024
MESSAGE_LIMIT = 500


class Capture(object):
    """A sys.stdout/sys.stderr stand-in that keeps the first 8 KiB and counts the rest."""

    encoding = "utf-8"
    errors = "strict"

    def __init__(self):
        self.parts = []
        self.size = 0
        self.truncated = False

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not %s" % type(s).__name__)
        room = OUTPUT_LIMIT - self.size
        if room > 0:
            piece = s[:room]
            self.parts.append(piece)
            self.size += len(piece)
        if len(s) > room:
            self.truncated = True
        return len(s)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        pass

    def isatty(self):
        return False

    def writable(self):
        return True

    def readable(self):
        return False

    def fileno(self):
        import io
        raise io.UnsupportedOperation("fileno")

    def value(self):
        text = "".join(self.parts)
        data = text.encode("utf-8", "replace")
        if len(data) > OUTPUT_LIMIT:
            self.truncated = True
            text = data[:OUTPUT_LIMIT].decode("utf-8", "ignore")
        return text


class Task(object):
    __slots__ = ("S", "train", "test")

    def __init__(self, msg):
        self.train = tuple((to_grid(i), to_grid(o)) for i, o in msg["train"])
        self.test = tuple((to_grid(i), None if o is None else to_grid(o)) for i, o in msg["test"])
        self.S = self.train


def _truncate(text, limit):
    if len(text) <= limit:
        return text
    return text[:limit - 3] + "..."


class Runner(object):
    def __init__(self, workspace):
        self.ws = workspace
        self.tasks = {}
        self.recursion_limit = sys.getrecursionlimit()
        self.stdin = sys.stdin

    def add_task(self, msg):
        self.tasks[msg["key"]] = Task(msg)

    def run(self, msg):
        rid = msg.get("id")
        task = self.tasks.get(msg.get("task"))
        if task is None:
            return _failure(rid, "WorkerError", "unknown task key %r (no task message was received)" % (msg.get("task"),))
        pairs = task.train if msg.get("pair") == "demo" else task.test
        index = msg.get("index")
        if not isinstance(index, int) or not 0 <= index < len(pairs):
            return _failure(rid, "WorkerError", "%s pair %r out of range (task has %d)" % (msg.get("pair"), index, len(pairs)))
        I, expected = pairs[index]
        kind = msg.get("kind")
        try:
            real = self.ws.realpath(msg["file"])
            self.ws.check(real)
        except Refused as exc:
            return _failure(rid, "ImportRefused", str(exc))

        out, err = Capture(), Capture()
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = out, err
        t0 = None
        value = error = module = None
        try:
            try:
                module = self.ws.load(real)
                fn = getattr(module, msg["fn"], None)
                if not callable(fn):
                    raise Refused("%s defines no function %r" % (real, msg["fn"]))
                if kind == "I":
                    t0 = perf_counter()
                    value = fn(I)
                elif kind == "SIC":
                    t0 = perf_counter()
                    value = fn(task.S, I, None)
                elif kind == "batt":
                    t0 = perf_counter()
                    value = fn(msg.get("taskId"), task.S, I, None, os.devnull)
                else:
                    raise ValueError("unknown call kind %r" % (kind,))
                t1 = perf_counter()
            except Refused as exc:
                t1 = perf_counter()
                error = {"type": "ImportRefused" if module is None else "MissingFunction", "message": str(exc),
                         "file": real, "traceback": ""}
            except BaseException as exc:  # SystemExit, KeyboardInterrupt, MemoryError included
                t1 = perf_counter()
                error = describe_error(exc, real, self.ws)
        finally:
            sys.stdout, sys.stderr = saved
            if sys.stdin is not self.stdin:
                sys.stdin = self.stdin
            if sys.getrecursionlimit() != self.recursion_limit:
                sys.setrecursionlimit(self.recursion_limit)
            self.ws.after_job()

        result = {"t": "result", "id": rid, "ok": error is None, "ms": (t1 - t0) * 1000.0 if t0 is not None else 0.0}
        if error is not None:
            result["error"] = error
        elif kind == "batt":
            batt, problem = batt_outcomes(value, expected)
            if problem is None:
                result["batt"] = batt
            else:
                result["ok"] = False
                result["error"] = {"type": "BadBattReturn", "message": problem, "traceback": ""}
        else:
            result["outcome"] = outcome(value, expected)
        value = None
        text = out.value()
        if text:
            result["stdout"] = text
        text = err.value()
        if text:
            result["stderr"] = text
        if out.truncated or err.truncated:
            result["truncated"] = True
        return result


def _failure(rid, kind, message):
    return {"t": "result", "id": rid, "ok": False, "ms": 0.0,
            "error": {"type": kind, "message": message, "traceback": ""}}


def batt_outcomes(value, expected):
    """(list of BattOutcome, None), or (None, problem) when batt did not return (o, s) with o of (t, mutated, source, grid)."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return None, "batt returned %s, expected a pair (o, s)" % type(value).__name__
    items = value[0]
    if not isinstance(items, (tuple, list)):
        return None, "batt returned o as %s, expected a list of (t, mutated, source, grid)" % type(items).__name__
    seen = set()
    outcomes = []
    for n, item in enumerate(items):
        if not isinstance(item, (tuple, list)) or len(item) != 4:
            return None, "batt o[%d] is %s, expected (t, mutated, source, grid)" % (n, type(item).__name__)
        t, mutated, source, grid = item
        if type(t) is not int:
            return None, "batt o[%d] has t = %r, expected an int" % (n, t)
        key = (t, str(source))
        if key in seen:
            continue
        seen.add(key)
        entry = {"t": t, "mutated": bool(mutated), "source": key[1]}
        entry.update(outcome(grid, expected))
        outcomes.append(entry)
    return outcomes, None


def describe_error(exc, candidate, ws):
    """WireError for an exception: where it surfaced in the candidate's file and in the DSL."""
    try:
        tb = exc.__traceback__
        summary = traceback.extract_tb(tb)
        traceback.clear_frames(tb)  # release a memory hog's locals before formatting
        tb = None
        frames = [f for f in summary if not f.filename.startswith("<frozen") and not f.filename.startswith(IMPORTLIB_DIR)
                  and not ws.realpath(f.filename).startswith(WORKER_DIR + os.sep)]
        error = {"type": type(exc).__name__, "message": _truncate(_safe_str(exc), MESSAGE_LIMIT)}
        for f in reversed(frames):
            if ws.realpath(f.filename) == candidate:
                error["file"] = candidate
                error["line"] = f.lineno
                break
        for f in reversed(frames):
            real = ws.realpath(f.filename)
            if real != candidate and ws.root_of(real) is not None:
                error["dslFunc"] = f.name
                error["dslFile"] = real
                error["dslLine"] = f.lineno
                break
        if isinstance(exc, SyntaxError) and isinstance(exc.filename, str) and exc.lineno:
            real = ws.realpath(exc.filename)
            if real == candidate:
                error["file"] = candidate
                error["line"] = exc.lineno
            elif ws.root_of(real) is not None:
                error["dslFile"] = real
                error["dslLine"] = exc.lineno
                error.pop("dslFunc", None)
        text = "".join(["Traceback (most recent call last):\n"] + traceback.StackSummary.from_list(frames).format()
                       + traceback.format_exception_only(type(exc), exc))
        if len(text) > TRACEBACK_LIMIT:
            text = "...(traceback truncated)\n" + text[-(TRACEBACK_LIMIT - 25):]
        error["traceback"] = text
        return error
    except BaseException as inner:  # MemoryError while describing: say what we can
        return {"type": type(exc).__name__, "message": "(could not describe the error: %s)" % type(inner).__name__,
                "traceback": ""}


def _safe_str(exc):
    try:
        return str(exc)
    except BaseException:
        return "(unprintable %s)" % type(exc).__name__
