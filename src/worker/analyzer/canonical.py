"""Canonical hash of a solver function: equal for solvers that differ only in name, decorators, docstring, comments,
parameter names and local variable names; different for any other change.

Part of the analyzer (analyze.py). Python >= 3.8, standard library only (no ast.unparse). The hash is of
an ast.dump-like encoding of the tree, whose shape may change between Python versions, so compare hashes
made by one interpreter version.
"""
import ast
import hashlib
import textwrap
from typing import Any, Dict, List, Set, Tuple

from lint import FunctionNode, docstring_skipped

_CACHE: Dict[str, Dict[str, Any]] = {}
_CACHE_MAX = 50000


_NAME_FIELDS = {
    (ast.Name, "id"), (ast.arg, "arg"), (ast.alias, "asname"), (ast.ExceptHandler, "name"),
    (ast.FunctionDef, "name"), (ast.AsyncFunctionDef, "name"), (ast.ClassDef, "name"),
}


def canonical_of_def(fn: FunctionNode) -> Tuple[str, int]:
    """(hash, length) of a parsed def: one pre-order pass (field order, i.e. roughly source order) that writes an
    ast.dump-like encoding (no field names, no positions) with every binding name left as a slot; the slots are
    filled once all bindings are known, so a name read before its first assignment is renamed too. Mutates fn."""
    fn.name = ""
    fn.decorator_list = []
    fn.body = docstring_skipped(fn.body)
    a = fn.args
    params = list(getattr(a, "posonlyargs", [])) + list(a.args)
    if a.vararg:
        params.append(a.vararg)
    params.extend(a.kwonlyargs)
    if a.kwarg:
        params.append(a.kwarg)
    mapping: Dict[str, str] = {}
    for i, p in enumerate(params):
        mapping.setdefault(p.arg, f"p{i}")
    top_params = set(id(p) for p in params)
    declared_global: Set[str] = set()
    counter = [0]
    out: List[str] = []
    slots: List[Tuple[int, str]] = []  # (index in out, original name)
    load = ast.Load
    name_fields = _NAME_FIELDS
    AST = ast.AST

    def local(name: str) -> None:
        if name not in mapping and name not in declared_global:
            mapping[name] = f"v{counter[0]}"
            counter[0] += 1

    def visit(node: Any) -> None:
        cls = node.__class__
        out.append(cls.__name__)
        if cls is ast.Name:
            if node.ctx.__class__ is not load:
                local(node.id)
        elif cls is ast.arg:
            if id(node) not in top_params:
                local(node.arg)
        elif cls is ast.Global:
            declared_global.update(node.names)
        elif cls is ast.ExceptHandler or cls is ast.alias:
            bound = node.name if cls is ast.ExceptHandler else node.asname
            if bound:
                local(bound)
        elif (cls is ast.FunctionDef or cls is ast.AsyncFunctionDef or cls is ast.ClassDef) and node is not fn:
            local(node.name)
        for field in cls._fields:
            v: Any = getattr(node, field, None)
            if v.__class__ is list:
                out.append("[")
                for x in v:
                    if isinstance(x, AST):
                        visit(x)
                    elif cls is ast.Nonlocal:
                        slots.append((len(out), x))
                        out.append(x)
                    else:
                        out.append(repr(x))
                out.append("]")
            elif isinstance(v, AST):
                visit(v)
            elif v.__class__ is str and (cls, field) in name_fields:
                slots.append((len(out), v))
                out.append(v)
            else:
                out.append(repr(v))

    visit(fn)
    for i, name in slots:
        renamed = mapping.get(name)
        out[i] = "%" + renamed if renamed is not None else "$" + name
    digest = hashlib.sha256("\x1f".join(out).encode("utf-8", "surrogatepass")).hexdigest()
    return digest, len(fn.body)


def canonical_item(source: str) -> Dict[str, Any]:
    """{"hash","length"} or {"hash":"","length":0,"error"} for the source text of one def."""
    cache_key = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()
    hit = _CACHE.get(cache_key)
    if hit is not None:
        return dict(hit)
    text = source
    if text[:1] in (" ", "\t"):
        text = textwrap.dedent(text)
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError) as e:
        lineno = getattr(e, "lineno", None)
        where = f" (line {lineno})" if lineno else ""
        return {"hash": "", "length": 0, "error": f"SyntaxError: {getattr(e, 'msg', None) or e}{where}"}
    except (RecursionError, MemoryError):
        return {"hash": "", "length": 0, "error": "source is too deeply nested to analyse"}
    defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if len(tree.body) != 1 or len(defs) != 1:
        return {"hash": "", "length": 0, "error": "expected the source of exactly one function definition"}
    try:
        digest, length = canonical_of_def(defs[0])
    except RecursionError:
        return {"hash": "", "length": 0, "error": "source is too deeply nested to analyse"}
    result = {"hash": digest, "length": length}
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.clear()
    _CACHE[cache_key] = result
    return dict(result)
