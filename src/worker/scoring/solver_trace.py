"""Trace jobs: run one candidate on one pair statement by statement and summarise what each statement assigned.

A RunMessage with `trace: true` (src/protocol/worker.ts) comes here instead of Runner.run. The solver's function is
instrumented, not traced: its AST gets a call `__batt_rec__(k, value)` after each top-level statement that assigns a
name (arc-dsl's `x3 = f(x2)` lines, and any other statement that binds one: a try, an if, a loop), and after a
`return` of anything but a plain name. The instrumented code is compiled once per solver version and run as a
function over the solver module's own globals, so the statements compute exactly what the solver computes (never
sys.settrace). A batt entry is traced through its sliced program (RunMessage.program, batt_slice.py), run over the
batt module's globals, with each step placed at its line in the module.

Each value is summarised at once and bounded (summarise()): grids up to 30x30 in full, object and index cells up to
CELL_CAP, reprs up to REPR_CAP characters. An exception ends the pair's trace at the statement that raised (named on
that statement); a CPU timeout likewise. Same isolation as a scoring job: the Runner's CPU timer, captured output,
module-global restore and error description. Standard library only; Python >= 3.8.
"""

import ast
import linecache
import sys
import types
from time import perf_counter
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from runner import Capture, Runner, Refused, describe_error

GRID_CAP = 30
CELL_CAP = 900
REPR_CAP = 200
SUMMARY_CAP = 32
SOURCE_CAP = 200
CACHE_CAP = 256
REC = "__batt_rec__"
RET = "__batt_ret__"
_UNSET = object()


class Plan:
    """An instrumented solver: the code of the traced function and the statements it records."""

    __slots__ = ("code", "steps", "spans", "nargs")

    def __init__(self, code: types.CodeType, steps: List[Dict[str, Any]], spans: List[Tuple[int, int, int]], nargs: int) -> None:
        self.code = code
        self.steps = steps  # [{line, name, source}] of the recorded statements, in order
        self.spans = spans  # (first line, last line, step index or -1) of every top-level statement
        self.nargs = nargs


def _bound_names(node: ast.AST) -> List[str]:
    """Names a top-level statement binds in the function's own scope, in order (inner scopes left out)."""
    out: List[str] = []
    stack: List[ast.AST] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            if n.id not in out:
                out.append(n.id)
            continue
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if n.name not in out:
                out.append(n.name)
            continue
        if isinstance(n, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(n))))
    return out


def _first_assign(node: ast.stmt) -> ast.stmt:
    """The statement whose line stands for `node`: for a try (a batt step), the first statement of its body."""
    while isinstance(node, ast.Try) and node.body:
        node = node.body[0]
    return node


def _line_text(lines: List[str], line: int) -> str:
    text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return text[:SOURCE_CAP]


def _call(k: int, value: ast.expr, at: ast.AST) -> ast.stmt:
    call = ast.Expr(ast.Call(ast.Name(REC, ast.Load()), [ast.Constant(k), value], []))
    return ast.copy_location(ast.fix_missing_locations(ast.copy_location(call, at)), at)


def instrument(fdef: ast.FunctionDef, filename: str, lines: List[str]) -> Plan:
    """Compile `fdef` (already placed at its lines in `filename`) with a record call after each assigning statement."""
    steps: List[Dict[str, Any]] = []
    spans: List[Tuple[int, int, int]] = []
    body: List[ast.stmt] = []
    for stmt in fdef.body:
        first, last = stmt.lineno, getattr(stmt, "end_lineno", None) or stmt.lineno
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
            spans.append((first, last, -1))  # a docstring
            body.append(stmt)
            continue
        if isinstance(stmt, ast.Return) and stmt.value is not None and not isinstance(stmt.value, ast.Name):
            k = len(steps)
            steps.append({"line": first, "name": "return", "source": _line_text(lines, first)})
            spans.append((first, last, k))
            keep = ast.copy_location(ast.Assign([ast.Name(RET, ast.Store())], stmt.value), stmt)
            body.extend([keep, _call(k, ast.Name(RET, ast.Load()), stmt),
                         ast.copy_location(ast.Return(ast.Name(RET, ast.Load())), stmt)])
            continue
        names = [n for n in _bound_names(stmt) if n != REC] if not isinstance(stmt, ast.Return) else []
        if not names:
            spans.append((first, last, -1))
            body.append(stmt)
            continue
        k = len(steps)
        shown = _first_assign(stmt)
        steps.append({"line": shown.lineno, "name": names[0], "source": _line_text(lines, shown.lineno)})
        spans.append((first, last, k))
        body.append(stmt)
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and (not isinstance(stmt, ast.AnnAssign) or stmt.value is not None):
            value: ast.expr = ast.Name(names[0], ast.Load())
        else:  # a compound statement may leave the name unbound (a branch not taken)
            value = ast.Call(ast.Attribute(ast.Call(ast.Name("locals", ast.Load()), [], []), "get", ast.Load()),
                             [ast.Constant(names[0]), ast.Name(RET, ast.Load())], [])
        body.append(_call(k, value, stmt))
    args = fdef.args
    kwonly = list(args.kwonlyargs) + [ast.arg(REC, None)]
    new_args = ast.arguments(posonlyargs=list(getattr(args, "posonlyargs", [])), args=list(args.args), vararg=args.vararg,
                             kwonlyargs=kwonly, kw_defaults=list(args.kw_defaults) + [None], kwarg=args.kwarg,
                             defaults=list(args.defaults))
    # RET doubles as the "unset" marker of a compound statement's name: bound to it as a keyword-only default.
    new_args.kwonlyargs.append(ast.arg(RET, None))
    new_args.kw_defaults.append(ast.Constant(None))
    fn = ast.FunctionDef(fdef.name, new_args, body, [], None)
    ast.copy_location(fn, fdef)
    module = ast.Module([fn], [])
    ast.fix_missing_locations(module)
    code = compile(module, filename, "exec", dont_inherit=True)
    fcode = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    return Plan(fcode, steps, spans, len(args.args))


def _top_level_end(lines: List[str], first: int) -> int:
    """The last line of the top-level def whose first line (a decorator or the def) is `first`: up to the next line
    that starts at column 0 (blank lines and comments do not count)."""
    header = 0 < first <= len(lines) and lines[first - 1].startswith("@")
    end = first
    for n in range(first, len(lines)):
        text = lines[n]
        if text.strip() and not text[0].isspace() and not text.startswith("#"):
            if not (header and text.startswith(("@", "def ", "async def "))):
                break
            header = text.startswith("@")
        end = n + 1
    return end


def def_source(lines: List[str], name: str, line: int) -> Optional[ast.FunctionDef]:
    """The def of `name` starting at `line` (its first decorator, or the def itself), parsed from its own lines only
    (a big solver file is not parsed whole for each of its solvers); None when they do not parse on their own."""
    end = _top_level_end(lines, line)
    try:
        tree = ast.parse("".join(lines[line - 1:end]))
    except SyntaxError:
        return None
    ast.increment_lineno(tree, line - 1)
    return _find_def(tree, name, line)


def _find_def(tree: ast.Module, name: str, line: int) -> Optional[ast.FunctionDef]:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            starts = [node.lineno] + [d.lineno for d in node.decorator_list]
            if line in starts:
                return node
    return None


def _same(a: ast.AST, b: ast.AST) -> bool:
    return ast.dump(a, annotate_fields=False) == ast.dump(b, annotate_fields=False)


def place_program(program: str, tree: ast.Module, filename: str) -> ast.FunctionDef:
    """The sliced program of a batt entry with each step moved to the line of the same statement in the batt def."""
    ptree = ast.parse(program, filename)
    fdef = ptree.body[0] if ptree.body else None
    batt = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "batt"), None)
    if not isinstance(fdef, ast.FunctionDef) or batt is None:
        raise Refused(f"{filename}: the batt entry's program is not a function, or the module has no batt def")
    at = 0
    for stmt in fdef.body:
        for j in range(at, len(batt.body)):
            if _same(stmt, batt.body[j]):
                ast.increment_lineno(stmt, batt.body[j].lineno - stmt.lineno)
                at = j + 1
                break
        else:  # the final return (not in the module): just below the last step placed
            ast.increment_lineno(stmt, (batt.body[at - 1].end_lineno or 0) + 1 - stmt.lineno if at else 0)
    return fdef


class Tracer:
    """Trace jobs on top of a Runner (its tasks, workspace, CPU timer, phase messages and sandbox notes)."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.plans: Dict[Tuple[Any, ...], Plan] = {}

    def plan(self, module: types.ModuleType, real: str, msg: Dict[str, Any]) -> Tuple[Plan, str]:
        """The instrumented solver (compiled on first use per solver version) and its call kind."""
        sha = self.runner.ws.files.get(real, (None, []))[0]
        program = msg.get("program")
        if isinstance(program, str):
            key: Tuple[Any, ...] = (real, sha, id(module), program)
        else:
            fn = getattr(module, msg["fn"], None)
            if not isinstance(fn, types.FunctionType):
                raise Refused(f"{real} defines no function {msg['fn']!r}")
            key = (real, sha, id(module), msg["fn"], fn.__code__.co_firstlineno, fn.__code__)
        plan = self.plans.get(key)
        if plan is None:
            linecache.checkcache(real)
            lines = linecache.getlines(real, module.__dict__)  # (the module's loader serves a file the sandbox hides)
            if isinstance(program, str):
                fdef: Optional[ast.FunctionDef] = place_program(program, ast.parse("".join(lines), real), real)
            else:
                first = fn.__code__.co_firstlineno
                fdef = def_source(lines, msg["fn"], first) or _find_def(ast.parse("".join(lines), real), msg["fn"], first)
                if fdef is None:
                    raise Refused(f"cannot trace {msg['fn']}: its source in {real} is not the code the worker imported")
            assert fdef is not None
            plan = instrument(fdef, real, lines)
            if len(self.plans) >= CACHE_CAP:
                self.plans.clear()
            self.plans[key] = plan
        kind = msg.get("kind")
        if isinstance(program, str):
            kind = "SIC" if plan.nargs == 3 else "I"
        return plan, str(kind)

    def run(self, msg: Dict[str, Any]) -> Dict[str, Any]:
        r = self.runner
        rid = msg.get("id")
        task = r.tasks.get(msg.get("task"))
        if task is None:
            return _failure(rid, "WorkerError", f"unknown task key {msg.get('task')!r} (no task message was received)")
        pairs = task.train if msg.get("pair") == "demo" else task.test
        index = msg.get("index")
        if not isinstance(index, int) or not 0 <= index < len(pairs):
            return _failure(rid, "WorkerError", f"{msg.get('pair')} pair {index!r} out of range (task has {len(pairs)})")
        I = pairs[index][0]
        try:
            real = r.ws.realpath(msg["file"])
            r.ws.check(real)
        except Refused as exc:
            return _failure(rid, "ImportRefused", str(exc))
        out, err = Capture(), Capture()
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = out, err
        values: List[Dict[str, Any]] = []
        plan: Optional[Plan] = None
        module: Optional[types.ModuleType] = None
        error: Optional[Dict[str, Any]] = None
        failed: Optional[BaseException] = None
        t0: Optional[float] = None
        t1 = 0.0
        imported: List[bool] = []

        def importing() -> None:
            imported.append(True)
            r.phase(rid, "import")

        def rec(k: int, value: Any) -> None:
            if value is not _UNSET:  # (a compound statement that left its name unbound records nothing)
                values.append(summarise(value, k))

        try:
            try:
                module = r.ws.load(real, importing)
                plan, kind = self.plan(module, real, msg)
                fn = types.FunctionType(plan.code, module.__dict__, plan.code.co_name)
                args: Tuple[Any, ...] = (task.S, I, None) if kind == "SIC" else (I,)
                call: Callable[..., Any] = lambda *a: fn(*a, **{REC: rec, RET: _UNSET})
                if imported:
                    r.phase(rid, "call")
                t0 = perf_counter()
                r.cpu.call(call, args, msg.get("limitMs"))
                t1 = perf_counter()
            except Refused as exc:
                t1 = perf_counter()
                error = {"type": "ImportRefused" if module is None else "MissingFunction", "message": str(exc),
                         "file": real, "traceback": ""}
            except BaseException as exc:  # the solver's exception, _CpuLimit, MemoryError, SystemExit ...
                t1 = perf_counter()
                failed = exc
                if t0 is None or not r.cpu.fired:
                    error = describe_error(exc, real, r.ws, r.note)
        finally:
            r.end_job(saved)
        ms = (t1 - t0) * 1000.0 if t0 is not None else 0.0
        result: Dict[str, Any] = {"t": "result", "id": rid, "ok": error is None and not (t0 is not None and r.cpu.fired), "ms": ms}
        if t0 is not None and r.cpu.fired:
            result["timedOut"] = True
            result["cpuMs"] = r.cpu.cpu_ms
        elif error is not None:
            result["error"] = error
        if plan is not None:
            trace: Dict[str, Any] = {"steps": plan.steps, "values": values}
            if failed is not None and t0 is not None:
                trace.update(self._raised(plan, failed, r.cpu.fired, r.cpu.cpu_ms))
            result["trace"] = trace
        failed = None
        for name, cap in (("stdout", out), ("stderr", err)):
            text = cap.value()
            if text:
                result[name] = text
        if out.truncated or err.truncated:
            result["truncated"] = True
        return result

    @staticmethod
    def _raised(plan: Plan, exc: BaseException, timed_out: bool, cpu_ms: float) -> Dict[str, Any]:
        """Where the call stopped: the top-level statement of the traced code the exception passed through."""
        line = 0
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code is plan.code:
                line = tb.tb_lineno
            tb = tb.tb_next
        text = f"timed out after {cpu_ms:.0f} ms of CPU time" if timed_out else f"{type(exc).__name__}: {_safe_str(exc)}"
        for first, last, k in plan.spans:
            if first <= line <= last:
                return {"error": {"step": k, "line": first, "text": text[:REPR_CAP]}}
        return {"error": {"step": -1, "line": line, "text": text[:REPR_CAP]}}


def _failure(rid: Any, kind: str, message: str) -> Dict[str, Any]:
    return {"t": "result", "id": rid, "ok": False, "ms": 0.0, "error": {"type": kind, "message": message, "traceback": ""}}


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except BaseException:
        return f"(unprintable {type(exc).__name__})"


# ---- value summaries (TraceValue in src/protocol/trace.ts, without `pair`) ----

def _is_int(v: Any) -> bool:
    return type(v) is int


def _grid_shape(v: Any) -> Optional[Tuple[int, int]]:
    if type(v) is not tuple or not v:
        return None
    width = -1
    for row in v:
        if type(row) is not tuple or not row or (width >= 0 and len(row) != width):
            return None
        width = len(row)
    for row in v:
        for c in row:
            if type(c) is not int:
                return None
    return len(v), width


def _is_index(e: Any) -> bool:
    return type(e) is tuple and len(e) == 2 and _is_int(e[0]) and _is_int(e[1])


def _is_cell(e: Any) -> bool:
    return type(e) is tuple and len(e) == 2 and _is_int(e[0]) and _is_index(e[1])


def _is_object(v: Any) -> bool:
    return isinstance(v, (frozenset, set)) and len(v) > 0 and all(_is_cell(e) for e in v)


def _bbox(cells: List[Tuple[int, int, int]]) -> List[int]:
    rows = [c[0] for c in cells]
    cols = [c[1] for c in cells]
    return [max(rows) - min(rows) + 1, max(cols) - min(cols) + 1]


def _cells(v: Any, out: Dict[str, Any], coloured: bool) -> None:
    """cells (row, col, colour or -1), capped; shape = bounding box; palette of an object."""
    cells: List[Tuple[int, int, int]] = []
    colours: Set[int] = set()
    for e in v:
        if coloured:
            cells.append((e[1][0], e[1][1], e[0]))
            colours.add(e[0])
        else:
            cells.append((e[0], e[1], -1))
    if cells:
        out["shape"] = _bbox(cells)
    cells.sort()
    if len(cells) > CELL_CAP:
        cells = cells[:CELL_CAP]
        out["truncated"] = True
    out["cells"] = [list(c) for c in cells]
    if coloured:
        out["palette"] = sorted(colours)


def short_repr(v: Any, budget: int = REPR_CAP) -> Tuple[str, bool]:
    """repr(v) cut at `budget` characters without building the repr of a huge container; (text, truncated)."""
    parts: List[str] = []
    size = [0]

    def put(s: str) -> bool:
        parts.append(s)
        size[0] += len(s)
        return size[0] < budget

    def walk(x: Any, depth: int) -> bool:
        if isinstance(x, (tuple, list, frozenset, set)) and depth < 8:
            items = sorted(x, key=_order) if isinstance(x, (frozenset, set)) and len(x) <= 256 else x
            opener, closer = {tuple: ("(", ")"), list: ("[", "]")}.get(type(x), ("{", "}"))
            if isinstance(x, (frozenset, set)) and not x:
                return put(f"{type(x).__name__}()")
            if not put(opener):
                return False
            for n, item in enumerate(items):
                if (n and not put(", ")) or not walk(item, depth + 1):
                    return False
            if type(x) is tuple and len(x) == 1 and not put(","):
                return False
            return put(closer)
        try:
            text = repr(x) if not callable(x) else f"<function {getattr(x, '__name__', type(x).__name__)}>"
        except Exception as exc:
            text = f"<unprintable {type(x).__name__}: {type(exc).__name__}>"
        return put(text[:budget])

    walk(v, 0)
    text = "".join(parts)
    if len(text) > budget:
        return text[:budget - 3] + "...", True
    return text, size[0] >= budget


def _order(x: Any) -> Any:
    return (type(x).__name__, x) if isinstance(x, (int, tuple, str)) else (type(x).__name__, 0)


def summarise(v: Any, step: int) -> Dict[str, Any]:
    """The bounded summary of one assigned value: {step, type, summary, shape?, size?, grid?, cells?, palette?, repr?, truncated?}."""
    out: Dict[str, Any] = {"step": step}
    try:
        _classify(v, out)
    except Exception as exc:  # a hostile __len__/__iter__/__repr__
        out.clear()
        out.update({"step": step, "type": "other", "summary": f"<{type(v).__name__}>",
                    "repr": f"(could not summarise: {type(exc).__name__})"})
    return out


def _classify(v: Any, out: Dict[str, Any]) -> None:
    if type(v) is bool:
        out.update(type="bool", summary=str(v))
        return
    if _is_int(v):
        out.update(type="int", summary=str(v))
        return
    shape = _grid_shape(v)
    if shape is not None:
        h, w = shape
        out.update(type="grid", shape=[h, w], summary=f"{h}x{w}", palette=sorted({c for row in v for c in row}))
        if h <= GRID_CAP and w <= GRID_CAP:
            out["grid"] = [list(row) for row in v]
        else:
            out["truncated"] = True
        return
    if isinstance(v, (frozenset, set)) and v:
        n = len(v)
        if all(_is_cell(e) for e in v):
            out.update(type="object", size=n, summary=f"{n} cell{'' if n == 1 else 's'}")
            _cells(v, out, True)
            return
        if all(_is_index(e) for e in v):
            out.update(type="indices", size=n, summary=f"{n} idx")
            _cells(v, out, False)
            return
        if all(_is_object(e) for e in v):
            out.update(type="objects", size=n, summary=f"{n} obj")
            _cells([c for o in v for c in o], out, True)
            return
    if callable(v) and not isinstance(v, type):
        out.update(type="function", summary=str(getattr(v, "__name__", type(v).__name__))[:SUMMARY_CAP])
        return
    if isinstance(v, (frozenset, set)) and not v:
        out.update(type="other", summary="\u2205", size=0, repr=f"{type(v).__name__}()")
        return
    text, cut = short_repr(v)
    kind = "tuple" if type(v) is tuple else "other"
    out.update(type=kind, summary=text if len(text) <= SUMMARY_CAP else text[:SUMMARY_CAP - 3] + "...", repr=text)
    if isinstance(v, (tuple, list, frozenset, set, dict, str)):
        out["size"] = len(v)
    if cut:
        out["truncated"] = True
