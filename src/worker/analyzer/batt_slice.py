"""Slices a generated batt module into one standalone program per (t, source) entry, as tokpidjin's track_solution does.

A generated `def batt(task_id, S, I, C, log_path)` interleaves the lines of ~32 solvers, each line a step
`tN = f(...)` (wrapped in `try: ... except (<types>): tN = <safe default>`), and emits `o.append((t, mutated,
'<source>', tN))` at each solver's output. An entry's program is the chain of steps its output depends on: backwards
data dependence over the body's names, from the definition of the appended name that reaches the o.append. Names
the body never binds (DSL functions, constants, `_get_safe_default`) stay free names of the program, resolved by
the module context it is stored with (solverStore.ts); S, I and C are its parameters.

Per entry (added to analyze.py's batt candidate):
- `program`: `def solve(I):` when the chain reads neither S nor C, else `def solve(S, I, C):` (the batt's own names
  for its 2nd to 4th parameters), then the chain's statements verbatim and in module order (each step with the
  comment lines just above it, e.g. `# - Arg change: ONE -> TWO`), then `return tN`. Steps keep their try/except, so
  the program computes exactly what the entry computed inside the module call (the batt's semantics, safe defaults
  included): a stored entry keeps passing where the entry passed.
- `hashes`: canonical hashes (canonical.py, the same encoding as hand-written solvers) of the *plain* chain, each
  wrapped step replaced by the assignment it guards: so an entry equal to a hand-written solver or to an entry of
  another module gets its hash. The two differ only on a pair where a step raises one of the caught exceptions (the
  plain program raises, the module goes on with a default); the engine lets the plain program's verdict win there
  (a hand-written solver represents its duplicates before any batt entry does). Canonical forms keep the signature,
  so a chain that reads only I has two: as `(I)` (arc-dsl solvers) and as `(S, I, C)` (tokpidjin's), in that
  order; the engine takes the first that some hand-written candidate has, else the first. A chain reading S or C
  has the `(S, I, C)` one only.
- `length`: statements of the plain chain plus its return (canonical.py's length, as for hand-written solvers).
- `reads`: the global names the plain chain reads, worded as deps.py words a solver's, for the engine's dependency
  fingerprint (depGraph.ts): with the hash, what an entry is folded by.
- `error` instead, when the entry cannot stand alone: its chain reads task_id or log_path, or a name bound by a
  statement that is not a step (a loop, an unpacking, a try of another shape), or read before it is assigned.

Linear in the module: one pass over the body resolves every step's dependencies to step indices; each entry then
costs the size of its own chain. Python >= 3.8, standard library only; parses only, never executes.
"""
import ast
import copy
from typing import Any, Dict, List, Optional, Set, Tuple

from canonical import canonical_of_def

Json = Dict[str, Any]

# Nodes whose bindings belong to an inner scope.
_INNER_SCOPES = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _binds(node: ast.AST) -> Set[str]:
    """Names a statement binds in the function's own scope (inner scopes left out)."""
    out: Set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Name):
            if not isinstance(n.ctx, ast.Load):
                out.add(n.id)
            continue
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(n.name)
            continue
        if isinstance(n, _INNER_SCOPES):
            continue
        if isinstance(n, ast.alias):
            out.add((n.asname or n.name).split(".")[0])
        for attr in ("name", "rest"):  # except ... as name; match patterns (MatchAs, MatchStar, MatchMapping)
            v = getattr(n, attr, None)
            if isinstance(v, str) and not isinstance(n, ast.alias):
                out.add(v)
        stack.extend(ast.iter_child_nodes(n))
    return out


def _reads(node: ast.AST) -> Set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _global_reads(node: ast.AST, local: Set[str], acc: Dict[str, None]) -> None:
    """The global names an expression reads, as deps.py words them ("x"; "m.x" for an attribute of a global), so the
    engine resolves an entry's reads as it does a hand-written solver's (depGraph.ts)."""
    inner: Set[str] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.arg):
            inner.add(n.arg)
        elif isinstance(n, ast.comprehension):
            inner |= _binds(n.target)
    skip: Set[int] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and isinstance(n.value.ctx, ast.Load):
            base = n.value.id
            if base not in local and base not in inner:
                acc[f"{base}.{n.attr}"] = None
            skip.add(id(n.value))
        elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and id(n) not in skip:
            if n.id not in local and n.id not in inner:
                acc[n.id] = None


def _assigned(stmt: ast.stmt) -> Optional[str]:
    """The target of `name = expr` that binds nothing else (no walrus), else None."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        name = stmt.targets[0].id
        if _binds(stmt) == {name}:
            return name
    return None


def _step(stmt: ast.stmt) -> Optional[Tuple[str, ast.Assign]]:
    """(name, plain assignment) of a step: `tN = f(...)`, or `try: tN = f(...)` with one bare-named handler whose
    body is `tN = <fallback>` and no else/finally; None for any other statement."""
    name = _assigned(stmt)
    if name is not None:
        assert isinstance(stmt, ast.Assign)
        return name, stmt
    if type(stmt) is not ast.Try or len(stmt.body) != 1 or len(stmt.handlers) != 1 or stmt.orelse or stmt.finalbody:
        return None
    h = stmt.handlers[0]
    guarded = stmt.body[0]
    name = _assigned(guarded)
    if name is None or h.name is not None or len(h.body) != 1 or _assigned(h.body[0]) != name or _binds(h) != {name}:
        return None
    assert isinstance(guarded, ast.Assign)
    return name, guarded


def _cut(line: str, start: int, end: Optional[int]) -> str:
    """line[start:end] in AST byte offsets."""
    if line.isascii():
        return line[start:end]
    return line.encode("utf-8", "surrogatepass")[start:end].decode("utf-8", "surrogatepass")


def _indent(line: str) -> str:
    return line[:len(line) - len(line.lstrip(" \t"))]


class _Steps:
    """One pass over the batt body: every step's plain assignment, text, and dependencies (step indices)."""

    def __init__(self, fn: ast.FunctionDef, lines: List[str]) -> None:
        self.lines = lines
        self.params = [a.arg for a in fn.args.args]
        self.body = fn.body
        self.indent = _indent(lines[self.body[0].lineno - 1]) if self.body else "    "
        local: Set[str] = set(self.params)
        for s in self.body:
            local |= _binds(s)
        self.local = local
        # per body index: (name, plain) of a step, its dependencies, the parameters it reads, why it cannot stand alone
        self.plain: Dict[int, ast.Assign] = {}
        self.deps: Dict[int, List[int]] = {}
        self.uses: Dict[int, Set[str]] = {}
        self.bad: Dict[int, str] = {}
        self.globals: Dict[int, List[str]] = {}  # global names the plain assignment reads
        # name -> index of the step whose definition reaches here; -1 for a parameter; (line,) for a non-step statement
        self.last: Dict[str, Any] = {p: -1 for p in self.params}
        self.def_line = fn.lineno

    def definition(self, name: str, at_line: int) -> Tuple[Any, Optional[str]]:
        """(where `name`'s reaching definition is, problem): a step index, -1 (parameter), None (a free name)."""
        where = self.last.get(name)
        if isinstance(where, tuple):
            return None, f"{name} is assigned on line {where[0]} by a statement that is not a tN = f(...) step"
        if where is None and name in self.local:
            return None, f"{name} is read on line {at_line} before it is assigned"
        return where, None

    def add(self, i: int) -> None:
        """Records body statement i: a step's dependencies, or a non-step's bindings as opaque definitions."""
        s = self.body[i]
        step = _step(s)
        if step is None:
            for name in _binds(s):
                self.last[name] = (s.lineno,)
            return
        name, plain = step
        deps: List[int] = []
        uses: Set[str] = set()
        for r in sorted(_reads(s)):
            where, problem = self.definition(r, s.lineno)
            if problem is not None:
                self.bad[i] = problem
            elif where == -1:
                uses.add(r)
            elif where is not None:
                deps.append(where)
        globals_: Dict[str, None] = {}
        _global_reads(plain.value, self.local, globals_)
        self.plain[i], self.deps[i], self.uses[i], self.globals[i] = plain, deps, uses, list(globals_)
        self.last[name] = i

    def chain(self, start: int) -> Tuple[List[int], Set[str], Optional[str]]:
        """(step indices in module order, parameters read, problem) of the chain ending at step `start`."""
        seen = {start}
        stack = [start]
        uses: Set[str] = set()
        while stack:
            i = stack.pop()
            if i in self.bad:
                return [], uses, self.bad[i]
            uses |= self.uses[i]
            for d in self.deps[i]:
                if d not in seen:
                    seen.add(d)
                    stack.append(d)
        return sorted(seen), uses, None

    def text(self, i: int) -> List[str]:
        """Statement i as program lines: the comment lines just above it, then the statement at the body's indent."""
        s = self.body[i]
        assert s.end_lineno is not None and s.end_col_offset is not None  # ast.parse sets both
        above = self.body[i - 1].end_lineno if i else self.def_line
        out = [ln.rstrip("\r\n") for ln in self.lines[(above or 0):s.lineno - 1] if ln.lstrip(" \t").startswith("#")]
        seg = [ln.rstrip("\r\n") for ln in self.lines[s.lineno - 1:s.end_lineno]]
        if len(seg) == 1:
            seg[0] = _cut(seg[0], s.col_offset, s.end_col_offset)
        else:
            seg[0] = _cut(seg[0], s.col_offset, None)
            seg[-1] = _cut(seg[-1], 0, s.end_col_offset)
        seg[0] = self.indent + seg[0]
        return out + seg


_TEMPLATES: Dict[Tuple[str, ...], ast.FunctionDef] = {}


def _plain_def(params: Tuple[str, ...], body: List[ast.stmt]) -> ast.FunctionDef:
    """A `def solve(<params>):` node with this body, shaped exactly as ast.parse shapes a hand-written def."""
    tmpl = _TEMPLATES.get(params)
    if tmpl is None:
        node = ast.parse(f"def solve({', '.join(params)}):\n    pass\n").body[0]
        assert isinstance(node, ast.FunctionDef)
        tmpl = _TEMPLATES[params] = node
    fn = copy.copy(tmpl)
    fn.body = body
    fn.decorator_list = []
    return fn


def _output_names(stmt: ast.stmt) -> Dict[Tuple[int, int, str], str]:
    """(line, t, source) -> appended name of the literal `o.append((t, mutated, 'source', name))` calls in stmt."""
    out: Dict[Tuple[int, int, str], str] = {}
    for n in ast.walk(stmt):
        if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "append"
                and len(n.args) == 1 and isinstance(n.args[0], ast.Tuple) and len(n.args[0].elts) == 4):
            continue
        t, _m, src, name = n.args[0].elts
        if isinstance(t, ast.Constant) and isinstance(src, ast.Constant) and isinstance(name, ast.Name):
            out.setdefault((n.lineno, t.value, src.value), name.id)
    return out


def slice_candidates(fn: ast.FunctionDef, candidates: List[Json], lines: List[str]) -> List[Json]:
    """The candidates (analyze.py's, in line order) with hashes, length and program, or error; lines: the text's."""
    steps = _Steps(fn, lines)
    out: List[Json] = []
    pending = sorted(range(len(candidates)), key=lambda k: candidates[k]["line"])
    results: Dict[int, Json] = {}
    k = 0
    for i, s in enumerate(steps.body):
        assert s.end_lineno is not None
        if k < len(pending) and candidates[pending[k]]["line"] <= s.end_lineno:
            names = _output_names(s)
            bound = _binds(s)
            while k < len(pending) and candidates[pending[k]]["line"] <= s.end_lineno:
                c = candidates[pending[k]]
                name = names.get((c["line"], c["t"], c["source"]))
                results[pending[k]] = _entry(steps, name, bound, c["line"])
                k += 1
        steps.add(i)
    for n, c in enumerate(candidates):
        out.append(dict(c, **results.get(n, _failed("o.append outside the batt body"))))
    return out


def _failed(reason: str) -> Json:
    return {"hashes": [], "length": 0, "reads": [], "error": reason}


def _entry(steps: _Steps, name: Optional[str], bound: Set[str], line: int) -> Json:
    """The slice of the entry appending `name` on `line` (resolved against the definitions before its statement)."""
    if name is None:
        return _failed("no literal o.append of a name")
    if name in bound:
        return _failed(f"{name} is assigned in the statement holding the o.append (line {line})")
    where, problem = steps.definition(name, line)
    order: List[int] = []
    uses: Set[str] = set()
    if problem is None and where == -1:
        uses = {name}
    elif problem is None and where is not None:
        order, uses, problem = steps.chain(where)
    if problem is not None:
        return _failed(problem)
    p = steps.params
    if p[0] in uses or p[4] in uses:
        return _failed(f"its chain reads {p[0] if p[0] in uses else p[4]}, which a standalone solver has no value for")
    sic = p[1] in uses or p[3] in uses
    forms = [(p[1], p[2], p[3])] if sic else [(p[2],), (p[1], p[2], p[3])]
    ret = ast.Return(value=ast.Name(id=name, ctx=ast.Load()))
    plain: List[ast.stmt] = [steps.plain[i] for i in order]
    hashes: List[str] = []
    length = 0
    try:
        for params in forms:
            digest, length = canonical_of_def(_plain_def(params, plain + [ret]))
            hashes.append(digest)
    except RecursionError:
        return _failed("a step is too deeply nested to analyse")
    body: List[str] = []
    reads: Dict[str, None] = {}
    for i in order:
        body.extend(steps.text(i))
        reads.update((r, None) for r in steps.globals[i])
    if where is None:
        reads[name] = None
    program = "\n".join([f"def solve({', '.join(forms[0])}):", *body, f"{steps.indent}return {name}", ""])
    return {"hashes": hashes, "length": length, "reads": list(reads), "program": program}
