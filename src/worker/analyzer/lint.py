"""arc-dsl solver formatting rules (domain.md section 7) on an already parsed module, plus source-position helpers.

Part of the analyzer (analyze.py): parse only, never executes workspace code. Python >= 3.8, standard library only.
"""
import ast
import re
from typing import Any, Container, Dict, Iterable, List, Optional, Set, Tuple, Union

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]
Problem = Dict[str, Any]

_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
SOLVER_RE = re.compile(r"^solve_([^_]+)(?:_(.*))?$")


class SourceText:
    """The module text split the way the tokenizer splits it (\\n, \\r\\n, \\r), with AST byte columns -> editor columns."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: List[str] = _LINE_RE.findall(source)

    def line(self, lineno: int) -> str:
        if 1 <= lineno <= len(self.lines):
            return self.lines[lineno - 1].rstrip("\r\n")
        return ""

    def col(self, lineno: int, byte_col: int) -> int:
        """1-based column in UTF-16 code units (what editors count) for an AST byte offset on a line."""
        text = self.line(lineno)
        if text.isascii():
            return min(byte_col, len(text)) + 1
        prefix = text.encode("utf-8", "surrogatepass")[:byte_col].decode("utf-8", "replace")
        return len(prefix.encode("utf-16-le", "surrogatepass")) // 2 + 1

    def end_col(self, lineno: int) -> int:
        """1-based column just past the end of a line (exclusive end)."""
        text = self.line(lineno)
        if text.isascii():
            return len(text) + 1
        return len(text.encode("utf-16-le", "surrogatepass")) // 2 + 1

    def segment(self, first_line: int, last_line: int, end_byte_col: int) -> str:
        """Lines first..last (1-based, whole lines) with the last one cut at an AST byte offset."""
        chunk = self.lines[first_line - 1:last_line]
        if not chunk:
            return ""
        last = chunk[-1]
        if last.isascii():
            chunk[-1] = last[:end_byte_col]
        else:
            chunk[-1] = last.encode("utf-8", "surrogatepass")[:end_byte_col].decode("utf-8", "surrogatepass")
        return "".join(chunk)


def position(text: SourceText, node: Any) -> Tuple[int, int, int]:
    """(line, col, endCol) of a node as problems report it: its first line, to the node's end or that line's end."""
    line = node.lineno
    col = text.col(line, node.col_offset)
    end_line = getattr(node, "end_lineno", None) or line
    end_col = text.col(line, node.end_col_offset) if end_line == line and node.end_col_offset is not None else text.end_col(line)
    return line, col, max(end_col, col + 1)


def problem(at: Tuple[int, int, int], severity: str, code: str, message: str) -> Problem:
    return {"line": at[0], "col": at[1], "endCol": at[2], "severity": severity, "code": code, "message": message}


def duplicate_definition(at: Tuple[int, int, int], name: str, first_line: int) -> Problem:
    return problem(at, "warning", "duplicate-definition", f"`{name}` is defined again (first on line {first_line}); only this one runs")


def solver_defs(tree: ast.Module) -> List[FunctionNode]:
    """The module's (or chunk's) top-level solve_* defs, in source order."""
    return [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and SOLVER_RE.match(n.name)]


def signature(fn: FunctionNode) -> Tuple[List[str], Optional[str]]:
    """(params, kind): kind "I" for one positional parameter, "SIC" for exactly (S, I, C), None otherwise."""
    a = fn.args
    positional = [x.arg for x in getattr(a, "posonlyargs", [])] + [x.arg for x in a.args]
    params = list(positional)
    if a.vararg:
        params.append("*" + a.vararg.arg)
    params.extend(x.arg for x in a.kwonlyargs)
    if a.kwarg:
        params.append("**" + a.kwarg.arg)
    kind = None
    if isinstance(fn, ast.FunctionDef) and len(params) == len(positional):
        if len(positional) == 1:
            kind = "I"
        elif positional == ["S", "I", "C"]:
            kind = "SIC"
    return params, kind


def docstring_skipped(body: List[ast.stmt]) -> List[ast.stmt]:
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        return body[1:]
    return body


class _Linter:
    def __init__(self, text: SourceText, known: Container[str], check_globals: bool) -> None:
        self.text = text
        self.known = known
        self.check_globals = check_globals
        self.problems: List[Problem] = []
        self.params: Set[str] = set()
        self.defined: Dict[str, int] = {}  # name -> line of its first assignment
        self.uses: Dict[str, int] = {}
        self.later: Dict[str, int] = {}  # every single-name assignment target -> first line, to tell "used too early" from "unknown"

    def add(self, node: Any, severity: str, code: str, message: str) -> None:
        self.problems.append(problem(position(self.text, node), severity, code, message))

    def solver(self, fn: FunctionNode, params: List[str]) -> None:
        body = docstring_skipped(fn.body)
        self.params = set(p.lstrip("*") for p in params)
        self.defined = {}
        self.uses = {}
        self.later = {}
        for st in body:
            if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
                self.later.setdefault(st.targets[0].id, st.lineno)
        calls: Dict[str, int] = {}
        targets: List[ast.Name] = []
        for i, st in enumerate(body):
            last = i == len(body) - 1
            if isinstance(st, ast.Return):
                if not last:
                    self.add(st, "warning", "unreachable-code", "statements after `return` never run")
                if isinstance(st.value, ast.Name) and st.value.id == "O":
                    self.name(st.value, "variable")
                elif last:
                    self.add(st, "error", "missing-return-O", "a solver must end with `return O`")
                continue
            if not (isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name)):
                self.add(st, "error", "not-an-assignment", "each solver line must be `x = primitive(args)`")
                self.loose_uses(st)
                continue
            value, target = st.value, st.targets[0]
            if isinstance(value, ast.Call):
                self.call(value)
                key = ast.dump(value)
                if key in calls:
                    self.add(value, "warning", "duplicate-call", f"same call as on line {calls[key]}")
                else:
                    calls[key] = st.lineno
            elif isinstance(value, ast.Constant):
                self.add(value, "warning", "literal-argument", "a literal value: use a constant from constants.py through a DSL call")
            else:
                self.add(value, "warning", "not-a-call", "the right side must be one call `primitive(args)`")
                self.loose_uses(value)
            name = target.id
            if name in self.defined or name in self.params:
                where = "a parameter" if name in self.params else f"already assigned on line {self.defined[name]}"
                self.add(target, "warning", "reassigned", f"`{name}` is {where}; use a new variable")
            elif self.check_globals and name in self.known:
                self.add(target, "warning", "shadows-primitive", f"`{name}` hides the DSL name of the same name")
            self.defined.setdefault(name, st.lineno)
            targets.append(target)
        if not body or not isinstance(body[-1], ast.Return):
            node: ast.AST = body[-1] if body else fn
            self.add(node, "error", "missing-return-O", "a solver must end with `return O`")
        for target in targets:
            if target.id != "O" and not self.uses.get(target.id) and self.defined.get(target.id) == target.lineno:
                self.add(target, "warning", "unused-variable", f"`{target.id}` is never used")

    def call(self, call: ast.Call) -> None:
        func = call.func
        if isinstance(func, ast.Name):
            self.name(func, "callee")
        elif isinstance(func, ast.Call):
            self.add(func, "warning", "nested-call", "a call inside a call: give the inner call its own line")
            self.call(func)
        else:
            self.add(func, "warning", "complex-callee", "the callee must be a DSL primitive or an earlier variable")
            self.loose_uses(func)
        for kw in call.keywords:
            node = kw if hasattr(kw, "lineno") else kw.value  # keyword nodes have positions from 3.9
            self.add(node, "warning", "keyword-argument", "keyword arguments are not allowed in solver lines")
            self.argument(kw.value)
        for arg in call.args:
            if isinstance(arg, ast.Starred):
                self.add(arg, "warning", "starred-argument", "starred arguments are not allowed in solver lines")
                arg = arg.value
            self.argument(arg)

    def argument(self, arg: ast.expr) -> None:
        if isinstance(arg, ast.Name):
            self.name(arg, "argument")
        elif isinstance(arg, ast.Call):
            self.add(arg, "warning", "nested-call", "a call inside a call: give the inner call its own line")
            self.call(arg)
        elif isinstance(arg, ast.Constant):
            self.add(arg, "warning", "literal-argument", "a literal argument: use a constant from constants.py")
        else:
            self.add(arg, "warning", "complex-argument", "arguments must be variables, DSL names or constants")
            self.loose_uses(arg)

    def name(self, node: ast.Name, role: str) -> None:
        n = node.id
        if n in self.defined or n in self.params:
            self.uses[n] = self.uses.get(n, 0) + 1
        elif n in self.later:
            self.add(node, "error", "undefined-name", f"`{n}` is used before it is assigned (line {self.later[n]})")
        elif self.check_globals and n not in self.known:
            if role == "callee":
                self.add(node, "error", "unknown-primitive", f"`{n}` is not a DSL primitive or an earlier variable")
            else:
                self.add(node, "error", "undefined-name", f"`{n}` is not defined (not a variable, DSL name or constant)")

    def loose_uses(self, node: ast.AST) -> None:
        """Count uses of known variables inside an expression the rules already reject, without more reports."""
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and (sub.id in self.defined or sub.id in self.params):
                self.uses[sub.id] = self.uses.get(sub.id, 0) + 1


def lint_solvers(tree: ast.Module, text: SourceText, known: Container[str], check_globals: bool) -> List[Problem]:
    """Problems of every top-level solver of kind I or SIC, unsorted, without duplicate-definition (a module-wide rule)."""
    linter = _Linter(text, known, check_globals)
    for node in solver_defs(tree):
        params, kind = signature(node)
        if kind is not None:
            linter.solver(node, params)
    return linter.problems


def lint_module(tree: ast.Module, text: SourceText, dsl_names: Iterable[str], module_names: Iterable[str]) -> List[Problem]:
    """Problems for every top-level solve_* function of kind I or SIC. Without dslNames, global names are not checked."""
    seen: Dict[str, int] = {}
    problems: List[Problem] = []
    for node in solver_defs(tree):
        if node.name in seen:
            problems.append(duplicate_definition(position(text, node), node.name, seen[node.name]))
        seen.setdefault(node.name, node.lineno)
    # Duplicates first, then the solvers' own problems: the stable sort keeps that order on a shared position.
    problems.extend(lint_solvers(tree, text, set(dsl_names) | set(module_names), bool(dsl_names)))
    problems.sort(key=lambda p: (p["line"], p["col"]))
    return problems


def _target_names(t: ast.AST, out: List[str]) -> None:
    if isinstance(t, ast.Name):
        out.append(t.id)
    elif isinstance(t, (ast.Tuple, ast.List)):
        for e in t.elts:
            _target_names(e, out)
    elif isinstance(t, ast.Starred):
        _target_names(t.value, out)


def module_names(tree: ast.Module) -> Tuple[List[str], List[Dict[str, Any]]]:
    """(names, star imports) a module defines at top level, including inside top-level if/try/with/for blocks."""
    names: List[str] = []
    stars: List[Dict[str, Any]] = []
    stack = list(reversed(tree.body))
    while stack:
        s = stack.pop()
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(s.name)
            continue
        if isinstance(s, ast.Assign):
            for t in s.targets:
                _target_names(t, names)
        elif isinstance(s, (ast.AnnAssign, ast.AugAssign)):
            _target_names(s.target, names)
        elif isinstance(s, ast.Import):
            names.extend(a.asname or a.name.split(".")[0] for a in s.names)
        elif isinstance(s, ast.ImportFrom):
            for a in s.names:
                if a.name == "*":
                    stars.append({"module": s.module or "", "level": s.level or 0})
                else:
                    names.append(a.asname or a.name)
        elif isinstance(s, (ast.For, ast.AsyncFor)):
            _target_names(s.target, names)
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            for item in s.items:
                if item.optional_vars is not None:
                    _target_names(item.optional_vars, names)
        children: List[Any] = []
        for field in ("body", "handlers", "orelse", "finalbody"):
            v = getattr(s, field, None)
            if isinstance(v, list):
                children.extend(c for c in v if isinstance(c, ast.stmt) or isinstance(c, ast.excepthandler))
        children.reverse()
        stack.extend(children)
    return list(dict.fromkeys(names)), stars
