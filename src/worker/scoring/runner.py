"""Runs one candidate on one pair and builds the ResultMessage (see RunMessage in src/protocol/worker.ts)."""

import importlib
import os
import signal
import sys
import traceback
from time import perf_counter, process_time
from types import FrameType, TracebackType
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from grid_check import Grid, outcome, to_grid
from workspace import WORKER_DIR, Refused, Workspace

IMPORTLIB_DIR = os.path.dirname(os.path.abspath(importlib.__file__)) + os.sep
OUTPUT_LIMIT = 8 * 1024
TRACEBACK_LIMIT = 4 * 1024
MESSAGE_LIMIT = 500
# The per-pair limit counts the call's own CPU time (RunMessage.limitMs) where signal.setitimer exists (Linux, macOS);
# elsewhere (Windows) the engine's wall-clock timer is the only limit (ReadyMessage.cpuTimer says which).
CPU_TIMER = hasattr(signal, "setitimer") and hasattr(signal, "ITIMER_PROF") and hasattr(signal, "SIGPROF")
# Once the limit is used up, the timer fires again every TICK_S of CPU time until the call ends.
TICK_S = 0.01


class Capture:
    """A sys.stdout/sys.stderr stand-in that keeps the first 8 KiB and counts the rest."""

    encoding = "utf-8"
    errors = "strict"

    def __init__(self) -> None:
        self.parts: List[str] = []
        self.size = 0
        self.truncated = False

    def write(self, s: str) -> int:
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        room = OUTPUT_LIMIT - self.size
        if room > 0:
            piece = s[:room]
            self.parts.append(piece)
            self.size += len(piece)
        if len(s) > room:
            self.truncated = True
        return len(s)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def fileno(self) -> int:
        import io
        raise io.UnsupportedOperation("fileno")

    def value(self) -> str:
        text = "".join(self.parts)
        data = text.encode("utf-8", "replace")
        if len(data) > OUTPUT_LIMIT:
            self.truncated = True
            text = data[:OUTPUT_LIMIT].decode("utf-8", "ignore")
        return text


class _CpuLimit(BaseException):
    """Raised into a call that used up its CPU-time limit. Private and not an Exception: `except Exception` lets it
    through, and a bare `except:` that swallows it gets it again on the next tick."""


class CpuTimer:
    """Stops a call after limit_ms of CPU time (user + system, ITIMER_PROF): the handler raises _CpuLimit in the
    solver's code, never in the worker's own (so arming, disarming and reporting are never interrupted)."""

    def __init__(self) -> None:
        self.armed = False
        self.fired = False
        self.start = 0.0
        self.limit_s = 0.0
        self.cpu_ms = 0.0
        self._handler = self._tick  # one bound method, so getsignal() can tell whether it is still installed

    def _tick(self, signum: int, frame: Optional[FrameType]) -> None:
        if not self.armed:
            return
        if not self.fired and process_time() - self.start < self.limit_s:
            return  # the kernel's accounting ticks ran ahead of process_time(): the next tick checks again
        self.fired = True
        if frame is not None and frame.f_code.co_filename == _OWN_FILE:
            return  # in the worker's own code (the call is returning, or writing captured output): the next tick
        raise _CpuLimit()

    def call(self, fn: Callable[..., Any], args: Tuple[Any, ...], limit_ms: Any) -> Any:
        self.fired = False
        if not CPU_TIMER or not isinstance(limit_ms, (int, float)) or limit_ms <= 0:
            return fn(*args)
        if signal.getsignal(signal.SIGPROF) is not self._handler:
            signal.signal(signal.SIGPROF, self._handler)  # on first use, and again if a solver replaced it
        self.limit_s = limit_ms / 1000.0
        self.start = process_time()
        self.armed = True
        signal.setitimer(signal.ITIMER_PROF, self.limit_s, TICK_S)
        try:
            return fn(*args)
        finally:
            self.armed = False
            signal.setitimer(signal.ITIMER_PROF, 0, 0)
            self.cpu_ms = (process_time() - self.start) * 1000.0


class Task:
    __slots__ = ("S", "train", "test")

    def __init__(self, msg: Dict[str, Any]) -> None:
        self.train = tuple((to_grid(i), to_grid(o)) for i, o in msg["train"])
        self.test = tuple((to_grid(i), None if o is None else to_grid(o)) for i, o in msg["test"])
        self.S = self.train


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit - 3] + "..."


class Runner:
    def __init__(self, workspace: Workspace, phase: Callable[[Any, str], None],
                 note: Callable[[BaseException], str] = lambda exc: "") -> None:
        self.ws = workspace
        self.phase = phase  # sends a PhaseMessage (see worker.ts)
        self.note = note  # what the sandbox says about an error it caused (Sandbox.note), appended to the message
        self.cpu = CpuTimer()
        self.tasks: Dict[Any, Task] = {}  # task key (a string on the wire) -> Task
        self.recursion_limit = sys.getrecursionlimit()
        self.stdin = sys.stdin

    def add_task(self, msg: Dict[str, Any]) -> None:
        self.tasks[msg["key"]] = Task(msg)

    def run(self, msg: Dict[str, Any]) -> Dict[str, Any]:
        rid = msg.get("id")
        task = self.tasks.get(msg.get("task"))
        if task is None:
            return _failure(rid, "WorkerError", f"unknown task key {msg.get('task')!r} (no task message was received)")
        pairs = task.train if msg.get("pair") == "demo" else task.test
        index = msg.get("index")
        if not isinstance(index, int) or not 0 <= index < len(pairs):
            return _failure(rid, "WorkerError", f"{msg.get('pair')} pair {index!r} out of range (task has {len(pairs)})")
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
        value: Any = None
        error: Optional[Dict[str, Any]] = None
        module = None
        imported: List[bool] = []

        def importing() -> None:
            imported.append(True)
            self.phase(rid, "import")

        try:
            try:
                module = self.ws.load(real, importing)
                fn = getattr(module, msg["fn"], None)
                if not callable(fn):
                    raise Refused(f"{real} defines no function {msg['fn']!r}")
                if kind == "I":
                    args: Tuple[Any, ...] = (I,)
                elif kind == "SIC":
                    args = (task.S, I, None)
                elif kind == "batt":
                    args = (msg.get("taskId"), task.S, I, None, os.devnull)
                else:
                    raise ValueError(f"unknown call kind {kind!r}")
                if imported:
                    self.phase(rid, "call")
                t0 = perf_counter()
                value = self.cpu.call(fn, args, msg.get("limitMs"))
                t1 = perf_counter()
            except Refused as exc:
                t1 = perf_counter()
                error = {"type": "ImportRefused" if module is None else "MissingFunction", "message": str(exc),
                         "file": real, "traceback": ""}
            except BaseException as exc:  # SystemExit, KeyboardInterrupt, MemoryError, _CpuLimit included
                t1 = perf_counter()
                if t0 is None or not self.cpu.fired:
                    error = describe_error(exc, real, self.ws, self.note)
        finally:
            self.end_job(saved)

        result: Dict[str, Any] = {"t": "result", "id": rid, "ok": error is None, "ms": (t1 - t0) * 1000.0 if t0 is not None else 0.0}
        if t0 is not None and self.cpu.fired:
            # Over the limit, whatever the call did after (returned a value, swallowed _CpuLimit, raised another error).
            result["ok"] = False
            result["timedOut"] = True
            result["cpuMs"] = self.cpu.cpu_ms
        elif error is not None:
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

    def end_job(self, saved: Any) -> None:
        """What every job (a scoring call, a trace) puts back: the streams, stdin, the recursion limit, the DSL's globals."""
        sys.stdout, sys.stderr = saved
        if sys.stdin is not self.stdin:
            sys.stdin = self.stdin
        if sys.getrecursionlimit() != self.recursion_limit:
            sys.setrecursionlimit(self.recursion_limit)
        self.ws.after_job()


def _failure(rid: Any, kind: str, message: str) -> Dict[str, Any]:
    return {"t": "result", "id": rid, "ok": False, "ms": 0.0,
            "error": {"type": kind, "message": message, "traceback": ""}}


def batt_outcomes(value: Any, expected: Optional[Grid]) -> Tuple[Optional[List[Dict[str, Any]]], Optional[str]]:
    """(list of BattOutcome, None), or (None, problem) when batt did not return (o, s) with o of (t, mutated, source, grid)."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return None, f"batt returned {type(value).__name__}, expected a pair (o, s)"
    items = value[0]
    if not isinstance(items, (tuple, list)):
        return None, f"batt returned o as {type(items).__name__}, expected a list of (t, mutated, source, grid)"
    seen = set()
    outcomes: List[Dict[str, Any]] = []
    for n, item in enumerate(items):
        if not isinstance(item, (tuple, list)) or len(item) != 4:
            return None, f"batt o[{n}] is {type(item).__name__}, expected (t, mutated, source, grid)"
        t, mutated, source, grid = item
        if type(t) is not int:
            return None, f"batt o[{n}] has t = {t!r}, expected an int"
        key = (t, str(source))
        if key in seen:
            continue
        seen.add(key)
        entry = {"t": t, "mutated": bool(mutated), "source": key[1]}
        entry.update(outcome(grid, expected))
        outcomes.append(entry)
    return outcomes, None


def describe_error(exc: BaseException, candidate: str, ws: Workspace,
                   note: Callable[[BaseException], str] = lambda exc: "") -> Dict[str, Any]:
    """WireError for an exception: where it surfaced in the candidate's file and in the DSL; `note(exc)` (the sandbox's
    word on an action it refused) is appended to the message and to the traceback's last line."""
    try:
        tb: Optional[TracebackType] = exc.__traceback__
        summary = traceback.extract_tb(tb)
        traceback.clear_frames(tb)  # release a memory hog's locals before formatting
        tb = None
        frames = [f for f in summary if not f.filename.startswith("<frozen") and not f.filename.startswith(IMPORTLIB_DIR)
                  and not ws.realpath(f.filename).startswith(WORKER_DIR + os.sep)]
        said = note(exc)
        error: Dict[str, Any] = {"type": type(exc).__name__, "message": _truncate(_safe_str(exc), MESSAGE_LIMIT - len(said)) + said}
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
                       + traceback.format_exception_only(type(exc), exc)).rstrip("\n") + said + "\n"
        if len(text) > TRACEBACK_LIMIT:
            text = "...(traceback truncated)\n" + text[-(TRACEBACK_LIMIT - 25):]
        error["traceback"] = text
        return error
    except BaseException as inner:  # MemoryError while describing: say what we can
        return {"type": type(exc).__name__, "message": f"(could not describe the error: {type(inner).__name__})",
                "traceback": ""}


_OWN_FILE = Runner.run.__code__.co_filename


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except BaseException:
        return f"(unprintable {type(exc).__name__})"
