"""Per-module symbol tables for primitive-level invalidation (the engine resolves them: src/engine/workspace/depGraph.ts).

Each top-level binding (def, class, assigned name, import alias) gets a position-free AST hash (docstrings dropped, so
comment, blank-line and docstring edits change nothing) and the global names it reads ("x", "m.x" for an attribute of
a global, "m.*" for a getattr on one with a computed name). A module whose import-time behaviour the table cannot
describe (module-level statements other than plain definitions, assignments to names and imports; exec, eval,
globals(), vars(), __import__, sys.modules; `global` writes) is "opaque": the engine then falls back to its whole-module
hash. The table is built per top-level chunk (chunks.py), so a save re-hashes only the chunks that changed and a cold
parse is linear in the module size. Parse only: nothing is executed. Python >= 3.8, standard library only.
"""
import ast
import hashlib
from typing import Any, Dict, List, Optional, Set

from chunks import ChunkCache

Json = Dict[str, Any]

_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
# calls that reach module namespaces by computed names
_DYNAMIC_CALLS = {"exec", "eval", "globals", "vars", "__import__"}
_DYNAMIC_ATTRS = {("sys", "modules"), ("importlib", "import_module")}
_LOOKUPS = {"getattr", "setattr", "delattr", "hasattr"}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class _Scope:
    __slots__ = ("kind", "name", "bound", "loads", "globals", "children")

    def __init__(self, kind: str, name: str) -> None:
        self.kind = kind  # "module" (the statement's own level), "function" or "class"
        self.name = name
        self.bound: Set[str] = set()
        self.loads: List[str] = []
        self.globals: Set[str] = set()
        self.children: List["_Scope"] = []

    def child(self, kind: str, name: str) -> "_Scope":
        s = _Scope(kind, name)
        self.children.append(s)
        return s


def _is_docstring(s: ast.stmt) -> bool:
    return isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and isinstance(s.value.value, str)


class _Walker:
    """One pass over a top-level statement: an ast.dump-like encoding without positions or docstrings (for the hash),
    the scopes with their bindings and loads (for the global reads), and what defeats static analysis."""

    def __init__(self, line_base: int) -> None:
        self.out: List[str] = []
        self.dynamic: List[Json] = []  # {"name", "line"}: getattr & co. on a global with a computed name
        self.opaque: Optional[Json] = None
        self.line_base = line_base

    def _opaque(self, reason: str, node: Any) -> None:
        if self.opaque is None:
            self.opaque = {"reason": reason, "line": getattr(node, "lineno", 1) + self.line_base}

    def visit(self, node: Any, scope: _Scope) -> None:
        cls = node.__class__
        out = self.out
        out.append(cls.__name__)
        if cls is ast.Name:
            out.append(node.id)
            if node.ctx.__class__ is ast.Load:
                scope.loads.append(node.id)
            else:
                scope.bound.add(node.id)
                out.append("=")
            return
        if cls is ast.Attribute and node.value.__class__ is ast.Name and node.value.ctx.__class__ is ast.Load:
            base = node.value.id
            if (base, node.attr) in _DYNAMIC_ATTRS:
                self._opaque(f"{base}.{node.attr}", node)
            if node.attr == "__dict__":
                scope.loads.append(f"{base}.*")
                self.dynamic.append({"name": base, "line": node.lineno + self.line_base, "call": "__dict__"})
            else:
                scope.loads.append(f"{base}.{node.attr}")
            out.extend((base, node.attr, node.ctx.__class__.__name__))
            return
        if cls in _FUNCS or cls is ast.Lambda:
            self._function(node, scope)
            return
        if cls is ast.ClassDef:
            self._class(node, scope)
            return
        if cls in _COMPS:
            inner = scope.child("function", "<comprehension>")
            for field in cls._fields:
                self._field(getattr(node, field, None), inner)
            return
        if cls is ast.Call:
            self._call(node, scope)
        elif cls is ast.Global:
            scope.globals.update(node.names)
        elif cls is ast.Nonlocal:
            scope.bound.update(node.names)
        elif cls is ast.alias:
            if node.name == "*":
                self._opaque("a star import inside a function", node)
            scope.bound.add(node.asname or node.name.split(".")[0])
        elif cls is ast.ExceptHandler and node.name:
            scope.bound.add(node.name)
        elif cls.__name__ in ("MatchAs", "MatchStar") and getattr(node, "name", None):
            scope.bound.add(node.name)
        elif cls.__name__ == "MatchMapping" and getattr(node, "rest", None):
            scope.bound.add(node.rest)
        for field in cls._fields:
            self._field(getattr(node, field, None), scope)

    def _field(self, v: Any, scope: _Scope) -> None:
        if v.__class__ is list:
            self.out.append("[")
            for x in v:
                if isinstance(x, ast.AST):
                    self.visit(x, scope)
                else:
                    self.out.append(repr(x))
            self.out.append("]")
        elif isinstance(v, ast.AST):
            self.visit(v, scope)
        else:
            self.out.append(repr(v))

    def _body(self, body: List[ast.stmt], scope: _Scope) -> None:
        self._field(body[1:] if body and _is_docstring(body[0]) else body, scope)

    def _arguments(self, a: ast.arguments, outer: _Scope, inner: _Scope) -> None:
        """Defaults and annotations are evaluated where the def is; the parameters bind inside."""
        self.out.append("arguments")
        self._field(a.defaults, outer)
        self._field(a.kw_defaults, outer)
        params = list(getattr(a, "posonlyargs", [])) + list(a.args) + [a.vararg] + list(a.kwonlyargs) + [a.kwarg]
        for p in params:
            if p is None:
                self.out.append("-")
                continue
            self.out.extend(("arg", p.arg))
            inner.bound.add(p.arg)
            if p.annotation is not None:
                self.visit(p.annotation, outer)

    def _function(self, node: Any, scope: _Scope) -> None:
        name = getattr(node, "name", "<lambda>")
        inner = scope.child("function", name)
        if node.__class__ is not ast.Lambda:
            self.out.append(name)
            scope.bound.add(name)
            self._field(node.decorator_list, scope)
            if node.returns is not None:
                self.visit(node.returns, scope)
            self._arguments(node.args, scope, inner)
            self._body(node.body, inner)
        else:
            self._arguments(node.args, scope, inner)
            self.visit(node.body, inner)

    def _class(self, node: ast.ClassDef, scope: _Scope) -> None:
        self.out.append(node.name)
        scope.bound.add(node.name)
        self._field(node.decorator_list, scope)
        self._field(node.bases, scope)
        self._field(node.keywords, scope)
        self._body(node.body, scope.child("class", node.name))

    def _call(self, node: ast.Call, scope: _Scope) -> None:
        f = node.func
        if not isinstance(f, ast.Name):
            return
        if f.id in _DYNAMIC_CALLS and not (f.id == "vars" and node.args):
            self._opaque(f"{f.id}()", node)
        elif f.id == "vars" or (f.id in _LOOKUPS and len(node.args) >= 2):
            target = node.args[0]
            if not isinstance(target, ast.Name):
                return
            key = node.args[1] if f.id != "vars" else None
            if key is not None and isinstance(key, ast.Constant) and isinstance(key.value, str) and f.id in ("getattr", "hasattr"):
                scope.loads.append(f"{target.id}.{key.value}")
            else:
                scope.loads.append(f"{target.id}.*")
                self.dynamic.append({"name": target.id, "line": node.lineno + self.line_base, "call": f.id})


def _free_reads(scope: _Scope, visible: Set[str], acc: Dict[str, None], walker: _Walker) -> None:
    """Loads that resolve to module globals: not bound in their scope or an enclosing function's (class scopes do not
    enclose), or declared global. A function scope that writes a declared global is module state: opaque."""
    local = set() if scope.kind == "module" else scope.bound - scope.globals
    if scope.kind != "module":
        written = scope.bound & scope.globals
        if written:
            walker.opaque = walker.opaque or {"reason": f"`global {sorted(written)[0]}` written in {scope.name}", "line": 0}
    for r in scope.loads:
        base = r.split(".", 1)[0]
        if base in scope.globals or (base not in local and base not in visible):
            acc[r] = None
    inner = visible if scope.kind != "function" else visible | local
    for c in scope.children:
        _free_reads(c, inner, acc, walker)


def _target_names(t: Any, out: List[str]) -> bool:
    """Names a plain assignment target binds; False when it stores into a subscript or attribute (module state)."""
    if isinstance(t, ast.Name):
        out.append(t.id)
        return True
    if isinstance(t, (ast.Tuple, ast.List)):
        return all(_target_names(e, out) for e in t.elts)
    if isinstance(t, ast.Starred):
        return _target_names(t.value, out)
    return False


def _is_main_guard(s: ast.stmt) -> bool:
    t = s.test if isinstance(s, ast.If) else None
    return (isinstance(t, ast.Compare) and isinstance(t.left, ast.Name) and t.left.id == "__name__" and len(t.comparators) == 1
            and isinstance(t.comparators[0], ast.Constant) and t.comparators[0].value == "__main__")


def _inert(s: ast.stmt) -> bool:
    """Docstrings, bare constants, `pass`, the __main__ block: nothing runs on import."""
    return isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)) or _is_main_guard(s)


def _statement(s: ast.stmt, base: int, defs: List[Json], stars: List[Json], dynamic: List[Json], hashes: List[str]) -> Optional[Json]:
    """Adds the statement's bindings to `defs` (lines offset by `base`) and its hash to `hashes` (unless it is
    inert); returns why it makes the module opaque, or None."""
    if _inert(s):
        return None
    line = s.lineno + base
    end = (s.end_lineno or s.lineno) + base
    walker = _Walker(base)
    scope = _Scope("module", "<module>")
    walker.visit(s, scope)
    h = _sha("\x1f".join(walker.out))
    hashes.append(h)
    if isinstance(s, (ast.Import, ast.ImportFrom)):
        for a in s.names:
            if isinstance(s, ast.ImportFrom):
                if s.module == "__future__":
                    continue
                if a.name == "*":
                    stars.append({"module": s.module or "", "level": s.level or 0})
                    continue
                d = {"name": a.asname or a.name, "module": s.module or "", "level": s.level or 0, "imported": a.name}
            else:
                d = {"name": a.asname or a.name.split(".")[0], "module": a.name, "level": 0}
            d.update(hash=_sha(repr(sorted(d.items()))), reads=[], line=line, endLine=end)
            defs.append(d)
        return None
    names: List[str] = []
    if isinstance(s, (*_FUNCS, ast.ClassDef)):
        names.append(s.name)
    elif isinstance(s, ast.Assign):
        if not all(_target_names(t, names) for t in s.targets):
            return {"reason": "a module-level assignment into a subscript or attribute", "line": line}
    elif isinstance(s, (ast.AnnAssign, ast.AugAssign)):
        if not _target_names(s.target, names):
            return {"reason": "a module-level assignment into a subscript or attribute", "line": line}
        if isinstance(s, ast.AnnAssign) and s.value is None:
            return None
    else:
        return {"reason": f"a module-level `{type(s).__name__.lower()}` statement", "line": line}
    reads: Dict[str, None] = {}
    _free_reads(scope, set(), reads, walker)
    if walker.opaque is not None:
        walker.opaque["line"] = walker.opaque["line"] or line
        return walker.opaque
    for n in dict.fromkeys(names):
        defs.append({"name": n, "hash": h, "reads": list(reads), "line": line, "endLine": end})
    dynamic.extend(walker.dynamic)
    return None


def _record(tree: ast.Module, base: int = 0) -> Json:
    """The table of a parsed module or chunk (lines offset by `base`): defs, stars, dynamic, opaque, statement hashes."""
    defs: List[Json] = []
    stars: List[Json] = []
    dynamic: List[Json] = []
    hashes: List[str] = []
    opaque: Optional[Json] = None
    for s in tree.body:
        try:
            why = _statement(s, base, defs, stars, dynamic, hashes)
        except RecursionError:
            why = {"reason": "code too deeply nested to analyse", "line": s.lineno + base}
            hashes.append("?")  # unhashable: the module hash falls back to the text
        if why is not None and opaque is None:
            opaque = why
    return {"defs": defs, "stars": stars, "dynamic": dynamic, "opaque": opaque, "hashes": hashes}


def _shift(rec: Json, off: int) -> Json:
    if not off:
        return rec
    op = rec["opaque"]
    return {"defs": [dict(d, line=d["line"] + off, endLine=d["endLine"] + off) for d in rec["defs"]], "stars": rec["stars"],
            "dynamic": [dict(d, line=d["line"] + off) for d in rec["dynamic"]],
            "opaque": dict(op, line=op["line"] + off) if op else None, "hashes": rec["hashes"]}


def _module_hash(recs: List[Json], source: str) -> str:
    """Position-free hash of the whole module, every statement that runs on import in order (the fallback for opaque
    modules); the text's hash when a statement could not be hashed."""
    hashes = [h for r in recs for h in r["hashes"]]
    return _sha(source) if "?" in hashes else _sha("\n".join(hashes))


# chunk text -> table, from the trees analyze.py's parse already built (note_chunk); emptied by each module_symbols
_FRESH: Dict[str, Json] = {}


def note_chunk(text: str, tree: ast.Module) -> None:
    """analyze.py hands over each chunk it parsed, so the table of a changed chunk costs no second ast.parse."""
    _FRESH[text] = _record(tree)


def _parse_chunk(text: str) -> Optional[Json]:
    rec = _FRESH.pop(text, None)
    if rec is not None:
        return rec
    try:
        tree = ast.parse(text)
    except Exception:  # noqa: BLE001 - SyntaxError, ValueError, RecursionError, MemoryError: the full parse decides
        return None
    return _record(tree)


_CHUNKS = ChunkCache(_parse_chunk, max_paths=64)


def module_symbols(path: Optional[str], source: str) -> Json:
    """The ModuleSymbols of a module, incremental per `path` (None: parsed whole). A module that does not parse is
    opaque, hashed by its text."""
    if source.startswith("\ufeff"):
        source = source[1:]
    parts = None
    if isinstance(path, str) and "\0" not in source and "barry_as_FLUFL" not in source:
        parts = _CHUNKS.parse(path, source)
    _FRESH.clear()
    if parts is not None:
        recs = [_shift(rec, off) for off, rec in parts]
    else:
        try:
            tree: Optional[ast.Module] = ast.parse(source)
        except Exception:  # noqa: BLE001 - SyntaxError, ValueError, RecursionError, MemoryError
            tree = None
        if tree is None:
            why = {"reason": "the module does not parse", "line": 1}
            return {"hash": _sha(source), "defs": [], "starImports": [], "opaque": why, "dynamic": []}
        recs = [_record(tree)]
    defs = [d for r in recs for d in r["defs"]]
    stars = [s for r in recs for s in r["stars"]]
    dynamic = [d for r in recs for d in r["dynamic"]]
    opaque = next((r["opaque"] for r in recs if r["opaque"] is not None), None)
    return {"hash": _module_hash(recs, source), "defs": defs, "starImports": stars, "opaque": opaque,
            "dynamic": dynamic}
