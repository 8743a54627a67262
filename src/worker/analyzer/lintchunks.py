"""Lint and names as you type on big files: the module's top-level chunks (chunks.py) are kept per path, and each
chunk's lint is kept with the answers to the global-name questions it asked, so an edit re-lints only the chunks it
changed (and those whose questions now get other answers). The answers equal op_lint / op_names on the whole module.

A chunk holds at most one def (chunks.py), so duplicate definitions are a module-wide pass over the chunks' solver
names. Line numbers inside a chunk are relative to it: problems (and the `line N` their messages cite, always a line
of the same solver) are shifted by the chunk's first line. Part of the analyzer (analyze.py). Python >= 3.8, stdlib only.
"""
import ast
import re
from typing import Any, Dict, List, Optional, Set, Tuple

from chunks import ChunkCache
from lint import Problem, SourceText, duplicate_definition, lint_solvers, module_names, position, solver_defs

_LINE_REF = re.compile(r"\bline (\d+)")


class _Known:
    """A set of names that remembers every membership question asked and its answer."""

    __slots__ = ("names", "asked")

    def __init__(self, names: Set[str]) -> None:
        self.names = names
        self.asked: Dict[str, bool] = {}

    def __contains__(self, name: object) -> bool:
        found = name in self.names
        self.asked[str(name)] = found
        return found


class _Chunk:
    __slots__ = ("text", "names", "stars", "solvers", "lint")

    def __init__(self, text: str, tree: ast.Module) -> None:
        self.text = text
        self.names, self.stars = module_names(tree)
        src = SourceText(text)
        self.solvers = [(n.name, position(src, n)) for n in solver_defs(tree)]
        self.lint: Optional[Tuple[bool, Dict[str, bool], List[Problem]]] = None  # (check_globals, asked, problems)

    def problems(self, known: Set[str], check_globals: bool) -> List[Problem]:
        """This chunk's lint (lines relative to it), reused while every name it looked up gets the same answer."""
        last = self.lint
        if last is not None and last[0] == check_globals and all((n in known) == was for n, was in last[1].items()):
            return last[2]
        recorder = _Known(known)
        found = lint_solvers(ast.parse(self.text), SourceText(self.text), recorder, check_globals)
        self.lint = (check_globals, recorder.asked, found)
        return found


def _parse_chunk(text: str) -> Optional[_Chunk]:
    try:
        return _Chunk(text, ast.parse(text))
    except Exception:  # noqa: BLE001 - SyntaxError, ValueError, RecursionError, MemoryError: the full parse decides
        return None


def _shifted(p: Problem, off: int) -> Problem:
    if not off:
        return p
    message = _LINE_REF.sub(lambda m: f"line {int(m.group(1)) + off}", p["message"])
    return dict(p, line=p["line"] + off, message=message)


class LintChunks:
    """op_names / op_lint answers from the chunks of `path`; None when the module must be parsed whole (a syntax error)."""

    def __init__(self, max_paths: int = 16) -> None:
        self._cache = ChunkCache(_parse_chunk, max_paths=max_paths)

    def _chunks(self, path: str, source: str) -> Optional[List[Tuple[int, Any]]]:
        if source.startswith("\ufeff"):
            source = source[1:]
        if "\0" in source or "barry_as_FLUFL" in source:  # as parse_incremental: the full parse words these
            self._cache.forget(path)
            return None
        return self._cache.parse(path, source)

    def names(self, path: str, source: str) -> Optional[Tuple[List[str], List[Dict[str, Any]]]]:
        parts = self._chunks(path, source)
        if parts is None:
            return None
        names: List[str] = []
        stars: List[Dict[str, Any]] = []
        for _off, chunk in parts:
            names.extend(chunk.names)
            stars.extend(chunk.stars)
        return list(dict.fromkeys(names)), stars

    def lint(self, path: str, source: str, dsl_names: List[str]) -> Optional[List[Problem]]:
        parts = self._chunks(path, source)
        if parts is None:
            return None
        known = set(dsl_names)
        for _off, chunk in parts:
            known.update(chunk.names)
        check_globals = bool(dsl_names)
        seen: Dict[str, int] = {}
        problems: List[Problem] = []
        for off, chunk in parts:
            for name, (line, col, end_col) in chunk.solvers:
                at = (line + off, col, end_col)
                if name in seen:
                    problems.append(duplicate_definition(at, name, seen[name]))
                seen.setdefault(name, at[0])
        # Duplicates first, then the solvers' own problems, as lint_module orders them before its stable sort.
        for off, chunk in parts:
            problems.extend(_shifted(p, off) for p in chunk.problems(known, check_globals))
        problems.sort(key=lambda p: (p["line"], p["col"]))
        return problems
