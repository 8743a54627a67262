"""The batt analyzer: a persistent helper process that parses (never executes) workspace Python.

Protocol (protocol.py, mirroring src/protocol/analyzer.ts; engine side: src/engine/workspace/analyzer.ts): one JSON
request per stdin line, one JSON response per stdout line, matched by `id`. Ops: parse, canonical, lint, names,
precompile, parseStats. A bad request gets `{"id", "ok": false, "error"}`; the process keeps serving. parse is
incremental per `path` (chunks.py): a save re-parses only the top-level chunks whose text changed, with an answer
identical to the whole-module parse. It runs no user code, so stdout carries nothing but responses.
Python >= 3.8, standard library only.
"""
import ast
import hashlib
import io
import json
import os
import signal
import sys
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from batt_slice import slice_candidates  # noqa: E402
from canonical import canonical_item  # noqa: E402
from chunks import ChunkCache  # noqa: E402
from deps import module_symbols, note_chunk  # noqa: E402
from lint import SOLVER_RE, FunctionNode, SourceText, lint_module, module_names, signature  # noqa: E402
from lintchunks import LintChunks  # noqa: E402
from pyc import precompile  # noqa: E402
from protocol import REQUIRED_REQUEST, error_answer, ok_answer  # noqa: E402

Json = Dict[str, Any]
# _extract's record of a module or chunk: (functions, batt, imports, kept text).
Record = Tuple[List[Json], Optional[Json], List[Json], str]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _nul_error(source: str) -> Json:
    at = source.index("\0")
    line = source.count("\n", 0, at) + 1
    col = at - (source.rfind("\n", 0, at) + 1) + 1
    return {"message": "source code cannot contain null bytes", "line": line, "col": col}


def parse_module(source: str) -> Tuple[Optional[ast.Module], SourceText, Optional[Json]]:
    """(tree, SourceText, syntaxError-or-None). A leading BOM is dropped (editors keep it, ast rejects it in a str)."""
    if source.startswith("\ufeff"):
        source = source[1:]
    text = SourceText(source)
    if "\0" in source:
        return None, text, _nul_error(source)
    try:
        return ast.parse(source), text, None
    except SyntaxError as e:
        line = e.lineno or 1
        return None, text, {"message": e.msg or "invalid syntax", "line": line, "col": max(1, e.offset or 1)}
    except ValueError as e:  # NUL bytes on some versions; already handled above
        return None, text, {"message": str(e), "line": 1, "col": 1}
    except (RecursionError, MemoryError):
        return None, text, {"message": "source is too deeply nested to parse", "line": 1, "col": 1}


def _statements(stmts: List[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement at any depth (function, class, if/try/with/for/match bodies), in source order."""
    stack = list(reversed(stmts))
    while stack:
        s = stack.pop()
        yield s
        children: List[ast.stmt] = []
        for field in ("body", "handlers", "orelse", "finalbody", "cases"):
            v = getattr(s, field, None)
            if isinstance(v, list):
                children.extend(v)
        children.reverse()
        stack.extend(children)


def _imports(tree: ast.Module) -> List[Json]:
    out: List[Json] = []
    for s in _statements(tree.body):
        if isinstance(s, ast.Import):
            for a in s.names:
                out.append({"module": a.name, "level": 0, "line": s.lineno})
        elif isinstance(s, ast.ImportFrom):
            names = [a.name for a in s.names]
            out.append({"module": s.module or "", "level": s.level or 0, "line": s.lineno, "names": names})
    out.sort(key=lambda i: i["line"])
    return out


def _batt_candidates(fn: FunctionNode) -> List[Json]:
    """Literal `o.append((<int>, <bool>, '<str>', <name>))` calls; distinct (t, source), first wins."""
    found: List[Json] = []
    for s in _statements(fn.body):
        if not isinstance(s, ast.Expr) or not isinstance(s.value, ast.Call):
            continue
        call = s.value
        f = call.func
        if not (isinstance(f, ast.Attribute) and f.attr == "append" and isinstance(f.value, ast.Name) and f.value.id == "o"):
            continue
        if len(call.args) != 1 or call.keywords or not isinstance(call.args[0], ast.Tuple) or len(call.args[0].elts) != 4:
            continue
        t, mutated, src, name = call.args[0].elts
        if not (isinstance(t, ast.Constant) and type(t.value) is int and isinstance(mutated, ast.Constant)
                and type(mutated.value) is bool and isinstance(src, ast.Constant) and isinstance(src.value, str)
                and isinstance(name, ast.Name)):
            continue
        found.append({"t": t.value, "mutated": mutated.value, "source": src.value, "line": s.lineno})
    found.sort(key=lambda c: c["line"])
    seen = set()
    out: List[Json] = []
    for c in found:
        key = (c["t"], c["source"])
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def _start_line(node: FunctionNode) -> int:
    return min([d.lineno for d in node.decorator_list] + [node.lineno])


def _extract(tree: ast.Module, text: SourceText) -> Record:
    """(functions, batt, imports, kept text) of a parsed module or chunk; lines are relative to `text`."""
    functions: List[Json] = []
    batt: Optional[Json] = None
    removed: List[Tuple[int, int]] = []  # (first, last) line ranges left out of the context hash
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        m = SOLVER_RE.match(node.name)
        is_batt = node.name == "batt" and isinstance(node, ast.FunctionDef) and len(node.args.args) == 5
        if not m and not is_batt:
            continue
        first = _start_line(node)
        assert node.end_lineno is not None and node.end_col_offset is not None  # ast.parse sets both
        removed.append((first, node.end_lineno))
        segment = text.segment(first, node.end_lineno, node.end_col_offset)
        if is_batt and isinstance(node, ast.FunctionDef):  # (is_batt implies it; the isinstance tells pyright)
            cands = slice_candidates(node, _batt_candidates(node), text.lines)
            batt = {"line": node.lineno, "endLine": node.end_lineno, "segHash": _sha(segment), "candidates": cands}
            continue
        assert m is not None
        params, kind = signature(node)
        functions.append({
            "name": node.name, "taskId": m.group(1), "suffix": m.group(2), "line": node.lineno,
            "col": text.col(node.lineno, node.col_offset), "endLine": node.end_lineno, "params": params, "kind": kind,
            "segHash": _sha(segment), "source": segment,
        })
    kept: List[str] = []
    prev = 0
    for first, last in removed:
        kept.extend(text.lines[prev:first - 1])
        prev = max(prev, last)
    kept.extend(text.lines[prev:])
    return functions, batt, _imports(tree), "".join(kept)


def parse_full(source: str) -> Json:
    """op_parse's answer from one ast.parse of the whole module (the reference the incremental path must equal)."""
    tree, text, syntax_error = parse_module(source)
    if tree is None:
        return {"functions": [], "batt": None, "imports": [], "contextHash": _sha(text.source), "syntaxError": syntax_error}
    functions, batt, imports, kept = _extract(tree, text)
    return {"functions": functions, "batt": batt, "imports": imports, "contextHash": _sha(kept), "syntaxError": None}


class _Chunk:
    """A chunk's _extract record (lines relative to the chunk) and its last shifted copy, reused while it stays put."""

    __slots__ = ("record", "off", "shifted")

    def __init__(self, record: Record) -> None:
        self.record = record
        self.off = 0
        self.shifted = record

    def at(self, off: int) -> Record:
        """The record with line numbers moved down by `off` (new dicts: the cached ones are never mutated)."""
        if off != self.off:
            functions, batt, imports, kept = self.record
            functions = [dict(f, line=f["line"] + off, endLine=f["endLine"] + off) for f in functions]
            if batt is not None:
                cands = [dict(c, line=c["line"] + off) for c in batt["candidates"]]
                batt = dict(batt, line=batt["line"] + off, endLine=batt["endLine"] + off, candidates=cands)
            imports = [dict(i, line=i["line"] + off) for i in imports]
            self.off, self.shifted = off, (functions, batt, imports, kept)
        return self.shifted


def _parse_chunk(text: str) -> Optional[_Chunk]:
    """A chunk's record, or None when it does not parse on its own (the full parse then reports why)."""
    try:
        tree = ast.parse(text)
    except Exception:  # noqa: BLE001 - SyntaxError, ValueError (surrogates), RecursionError, MemoryError
        return None
    note_chunk(text, tree)
    return _Chunk(_extract(tree, SourceText(text)))


_CHUNKS = ChunkCache(_parse_chunk, max_paths=64)


def parse_incremental(path: str, source: str) -> Optional[Json]:
    """The same answer as parse_full, re-parsing only the chunks of `path` that changed; None means "use parse_full"."""
    if source.startswith("\ufeff"):
        source = source[1:]
    if "\0" in source or "barry_as_FLUFL" in source:  # NUL: the full parse words the error; the future import changes the grammar
        _CHUNKS.forget(path)
        _CHUNKS.last = {"mode": "full"}
        return None
    parts = _CHUNKS.parse(path, source)
    if parts is None:
        return None
    functions: List[Json] = []
    batt = None
    imports: List[Json] = []
    kept: List[str] = []
    for off, chunk in parts:
        f, b, i, k = chunk.at(off)
        functions.extend(f)
        imports.extend(i)
        kept.append(k)
        if b is not None:
            batt = b
    return {"functions": functions, "batt": batt, "imports": imports, "contextHash": _sha("".join(kept)), "syntaxError": None}


def op_parse(req: Json) -> Json:
    """`"incremental": false` forces the whole-module parse (tests compare the two); `"sources": false` leaves each
    function's `source` out of the answer (the engine slices it from its own copy of the text when needed). The
    module's symbol table (deps.py) rides along, incremental per path like the rest."""
    incremental = req.get("incremental", True) is not False
    resp = dict(_parse(req), symbols=module_symbols(req.get("path") if incremental else None, req["source"]))
    if req.get("sources", True) is False:
        resp = dict(resp, functions=[dict((k, v) for k, v in f.items() if k != "source") for f in resp["functions"]])
    return resp


def _parse(req: Json) -> Json:
    path = req.get("path")
    if req.get("incremental", True) is not False and isinstance(path, str):
        resp = parse_incremental(path, req["source"])
        if resp is not None:
            return resp
    else:
        _CHUNKS.last = {"mode": "forced"}
    return parse_full(req["source"])


def op_parse_stats(_req: Json) -> Json:
    """What the last parse did: mode incremental/full/forced, chunks, parsed, reused, merged; and the cached paths."""
    return {"last": _CHUNKS.last, "paths": _CHUNKS.paths()}


# Lint as you type re-lints only what an edit changed (a 5 MB solver file costs a whole parse otherwise, per keystroke).
_LINT = LintChunks()


def _incremental_path(req: Json) -> Optional[str]:
    path = req.get("path")
    return path if isinstance(path, str) and path and req.get("incremental", True) is not False else None  # "" keys nothing


def op_names(req: Json) -> Json:
    path = _incremental_path(req)
    found = _LINT.names(path, req["source"]) if path is not None else None
    if found is not None:
        return {"names": found[0], "starImports": found[1], "syntaxError": None}
    tree, _text, syntax_error = parse_module(req["source"])
    if tree is None:
        return {"names": [], "starImports": [], "syntaxError": syntax_error}
    names, stars = module_names(tree)
    return {"names": names, "starImports": stars, "syntaxError": None}


def op_lint(req: Json) -> Json:
    dsl = req.get("dslNames") or []
    if not isinstance(dsl, list) or not all(isinstance(n, str) for n in dsl):
        raise ValueError("dslNames must be a list of strings")
    path = _incremental_path(req)
    problems = _LINT.lint(path, req["source"], dsl) if path is not None else None
    if problems is not None:
        return {"problems": problems, "syntaxError": None}
    tree, text, syntax_error = parse_module(req["source"])
    if tree is None:
        return {"problems": [], "syntaxError": syntax_error}
    names, _stars = module_names(tree)
    return {"problems": lint_module(tree, text, dsl, names), "syntaxError": None}


def op_canonical(req: Json) -> Json:
    items = req.get("items")
    if not isinstance(items, list):
        raise ValueError("items must be a list")
    out = []
    for it in items:
        if not isinstance(it, dict) or not isinstance(it.get("source"), str):
            raise ValueError("each item needs a string source")
        r = canonical_item(it["source"])
        r["key"] = it.get("key")
        out.append(r)
    return {"items": out}


def op_precompile(req: Json) -> Json:
    """Writes hash-checked .pyc files for workspace sources under `prefix` (pyc.precompile). Compiles only; runs nothing."""
    prefix = req.get("prefix")
    if not isinstance(prefix, str) or not prefix:
        raise ValueError("precompile needs a prefix")
    return {"written": precompile(prefix, req.get("files") or [])}


OPS: Dict[Any, Callable[[Json], Json]] = {"parse": op_parse, "canonical": op_canonical, "lint": op_lint, "names": op_names, "parseStats": op_parse_stats,
       "precompile": op_precompile}


def handle(line: str) -> Json:
    rid = None
    try:
        req = json.loads(line)
        if not isinstance(req, dict):
            raise ValueError("request must be a JSON object")
        rid = req.get("id")
        op = OPS.get(req.get("op"))
        if op is None:
            raise ValueError(f"unknown op {req.get('op')!r}")
        if "source" in REQUIRED_REQUEST[req["op"]] and not isinstance(req.get("source"), str):
            raise ValueError("source must be a string")
        return ok_answer(rid, req["op"], op(req))
    except Exception as e:  # noqa: BLE001 - a bad request must never stop the process
        return error_answer(rid, f"{type(e).__name__}: {e}")


def _detach_from_ctrl_c() -> None:
    """The engine cancels by killing this process: a Ctrl-C sent to the terminal's process group must not kill it
    first (its pending answer would look like a crash), and on Linux it dies with the engine even mid-request."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:
            os._exit(0)
    except Exception:  # noqa: BLE001 - best effort: stdin EOF still ends the process
        pass


def _sandbox(argv: List[str]) -> None:
    """`--read DIR ... --write DIR`: Landlock (../scoring/landlock.py, where the kernel has it) lets this process read the
    interpreter, the system folders and the workspace, write only the .pyc folder, and open no network connection.
    Best effort: without Landlock it runs as it is (it runs no user code)."""
    read = [argv[i + 1] for i in range(len(argv) - 1) if argv[i] == "--read"]
    write = [argv[i + 1] for i in range(len(argv) - 1) if argv[i] == "--write"]
    if not read and not write:
        return
    import importlib.machinery
    import importlib.util
    here = os.path.dirname(os.path.abspath(__file__))
    loader = importlib.machinery.SourceFileLoader("_batt_landlock", os.path.join(os.path.dirname(here), "scoring", "landlock.py"))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    if spec is None:
        return
    landlock = importlib.util.module_from_spec(spec)
    saved, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # no __pycache__ in the scoring worker's folder
    try:
        loader.exec_module(landlock)
    finally:
        sys.dont_write_bytecode = saved
    for folder in write:
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            pass  # a read-only cache: precompile fails alone, the engine goes on without it
    rules = [(p, landlock.READ_EXEC) for p in ("/usr", "/bin", "/lib", "/lib32", "/lib64", "/libx32", sys.prefix,
                                               sys.base_prefix, sys.exec_prefix, here, *sys.path) if p]
    rules += [(p, landlock.READ) for p in ["/etc", "/proc", "/dev", *read]]
    rules += [("/dev/null", landlock.READ_FILE | landlock.WRITE_FILE | landlock.TRUNCATE)]
    rules += [(p, landlock.WRITE) for p in write]
    landlock.restrict(rules, no_network=True)


def main() -> None:
    _detach_from_ctrl_c()
    _sandbox(sys.argv[1:])
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="surrogateescape")
    out = sys.stdout
    for line in stdin:
        if not line.strip():
            continue
        resp = handle(line)
        try:
            data = json.dumps(resp)
        except (TypeError, ValueError) as e:
            data = json.dumps(error_answer(resp.get("id"), f"cannot encode response: {e}"))
        out.write(data + "\n")
        out.flush()


if __name__ == "__main__":
    main()
