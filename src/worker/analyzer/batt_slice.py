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
  has the `(S, I, C)` one only. Canonical forms are order-sensitive (variables are renamed in order of assignment)
  and the chain keeps the module's order, which is each solver's own except where the generator shared a call
  another solver emitted earlier: such a step moves up, and the entry folds only with a solver written that way.
- `length`: statements of the plain chain plus its return (canonical.py's length, as for hand-written solvers).
- `reads`: the global names the plain chain reads, worded as deps.py words a solver's, for the engine's dependency
  fingerprint (depGraph.ts): with the hash, what an entry is folded by.
- `error` instead, when the entry cannot stand alone: its chain reads task_id or log_path, or a name bound by a
  statement that is not a step (a loop, an unpacking, a try of another shape), or read before it is assigned.

Linear in the module: two passes over the body (one walk of each statement) resolve every step's dependencies to
step indices; each entry then costs the size of its own chain. Python >= 3.8, standard library only; parses only, never executes.
"""
import ast
import copy
from typing import Any, Dict, List, Optional, Set, Tuple

from canonical import canonical_of_def

Json = Dict[str, Any]

# Nodes whose bindings belong to an inner scope.
_INNER_SCOPES = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class _Scan:
    """One walk over a node: the names it binds in the function's own scope, the names it loads, the global-read words
    deps.py would give them ("x", or "m.x" for an attribute of a name), and names bound in inner scopes."""

    __slots__ = ("binds", "loads", "words", "inner")

    def __init__(self, node: Optional[ast.AST]) -> None:
        binds: Set[str] = set()
        loads: Set[str] = set()
        words: List[str] = []
        inner: Set[str] = set()
        stack: List[Tuple[Any, bool]] = [(node, False)] if node is not None else []
        name_cls, attr_cls, load_cls, const_cls, arg_cls, alias_cls, base = ast.Name, ast.Attribute, ast.Load, ast.Constant, ast.arg, ast.alias, ast.AST
        while stack:
            n, nested = stack.pop()
            cls = n.__class__
            if cls is name_cls:
                if n.ctx.__class__ is load_cls:
                    loads.add(n.id)
                    words.append(n.id)
                else:
                    (inner if nested else binds).add(n.id)
                continue
            if cls is const_cls:
                continue
            if cls is attr_cls and n.value.__class__ is name_cls and n.value.ctx.__class__ is load_cls:
                loads.add(n.value.id)
                words.append(f"{n.value.id}.{n.attr}")
                continue
            child_nested = nested
            if cls in _DEFS:
                (inner if nested else binds).add(n.name)
                child_nested = True
            elif cls in _INNER_SCOPES:
                child_nested = True
            elif cls is arg_cls:
                inner.add(n.arg)
            elif cls is alias_cls:
                (inner if nested else binds).add((n.asname or n.name).split(".")[0])
            else:
                for attr in ("name", "rest"):  # except ... as name; match patterns (MatchAs, MatchStar, MatchMapping)
                    bound = getattr(n, attr, None)
                    if isinstance(bound, str):
                        (inner if nested else binds).add(bound)
            for field in reversed(cls._fields):  # children pushed last first: words come out in source order
                v = getattr(n, field, None)
                if isinstance(v, list):
                    stack.extend((x, child_nested) for x in reversed(v) if isinstance(x, base))
                elif isinstance(v, base):
                    stack.append((v, child_nested))
        self.binds, self.loads, self.words, self.inner = binds, loads, words, inner


def _target(stmt: ast.stmt) -> Optional[str]:
    if type(stmt) is ast.Assign and len(stmt.targets) == 1 and type(stmt.targets[0]) is ast.Name:
        return stmt.targets[0].id
    return None


def _step(stmt: ast.stmt) -> Optional[Tuple[str, ast.Assign, Set[str], _Scan]]:
    """(name, plain assignment, names the statement loads, scan of the assigned value) of a step: `tN = f(...)`, or
    `try: tN = f(...)` with one bare-named handler whose body is `tN = <fallback>` and no else/finally; None for any
    other statement (one that binds anything else, a walrus say, included)."""
    name = _target(stmt)
    if name is not None:
        assert isinstance(stmt, ast.Assign)
        value = _Scan(stmt.value)
        return (name, stmt, value.loads, value) if not value.binds else None
    if type(stmt) is not ast.Try or len(stmt.body) != 1 or len(stmt.handlers) != 1 or stmt.orelse or stmt.finalbody:
        return None
    h = stmt.handlers[0]
    guarded = stmt.body[0]
    name = _target(guarded)
    if name is None or h.name is not None or len(h.body) != 1 or _target(h.body[0]) != name:
        return None
    assert isinstance(guarded, ast.Assign) and isinstance(h.body[0], ast.Assign)
    value, fallback, types = _Scan(guarded.value), _Scan(h.body[0].value), _Scan(h.type)
    if value.binds or fallback.binds or types.binds:
        return None
    return name, guarded, value.loads | fallback.loads | types.loads, value


def _cut(line: str, start: int, end: Optional[int]) -> str:
    """line[start:end] in AST byte offsets."""
    if line.isascii():
        return line[start:end]
    return line.encode("utf-8", "surrogatepass")[start:end].decode("utf-8", "surrogatepass")


def _indent(line: str) -> str:
    return line[:len(line) - len(line.lstrip(" \t"))]


class _Steps:
    """Two passes over the batt body, one walk per statement: every step's plain assignment and dependencies (step
    indices), every other statement's bindings; then entries resolve against the definitions that reach them."""

    def __init__(self, fn: ast.FunctionDef, lines: List[str]) -> None:
        self.lines = lines
        self.params = [a.arg for a in fn.args.args]
        self.body = fn.body
        self.def_line = fn.lineno
        self.indent = _indent(lines[self.body[0].lineno - 1]) if self.body else "    "
        self.steps: Dict[int, Tuple[str, ast.Assign, Set[str], _Scan]] = {}
        self.binds: Dict[int, Set[str]] = {}  # of the statements that are not steps
        local: Set[str] = set(self.params)
        for i, s in enumerate(self.body):
            step = _step(s)
            if step is not None:
                self.steps[i] = step
                local.add(step[0])
            else:
                self.binds[i] = _Scan(s).binds
                local |= self.binds[i]
        self.local = local
        # per step index: its dependencies, the parameters it reads, why it cannot stand alone, the globals it reads
        self.plain: Dict[int, ast.Assign] = {}
        self.deps: Dict[int, List[int]] = {}
        self.uses: Dict[int, Set[str]] = {}
        self.bad: Dict[int, str] = {}
        self.globals: Dict[int, List[str]] = {}
        # name -> index of the step whose definition reaches here; -1 for a parameter; (line,) for a non-step statement
        self.last: Dict[str, Any] = {p: -1 for p in self.params}

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
        step = self.steps.get(i)
        if step is None:
            for name in self.binds[i]:
                self.last[name] = (s.lineno,)
            return
        name, plain, loads, value = step
        deps: List[int] = []
        uses: Set[str] = set()
        for r in sorted(loads):
            where, problem = self.definition(r, s.lineno)
            if problem is not None:
                self.bad.setdefault(i, problem)
            elif where == -1:
                uses.add(r)
            elif where is not None:
                deps.append(where)
        local, inner = self.local, value.inner
        words = [w for w in dict.fromkeys(value.words) if w.split(".", 1)[0] not in local and w.split(".", 1)[0] not in inner]
        self.plain[i], self.deps[i], self.uses[i], self.globals[i] = plain, deps, uses, words
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


def _output_names(stmt: ast.stmt) -> Dict[Tuple[int, Any, Any], str]:
    """(line, t, source) -> appended name of the literal `o.append((t, mutated, 'source', name))` calls in stmt."""
    out: Dict[Tuple[int, Any, Any], str] = {}
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
            bound = steps.binds.get(i, set())
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
