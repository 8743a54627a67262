"""Workspace modules in a persistent worker: import by path, invalidate on change, undo per-job global edits.

A workspace module is any module in sys.modules whose file is under a root. The DSL is imported once and stays
imported until its content hash changes (FilesMessage); a job that rebinds, adds or deletes a module global has
the module's __dict__ restored from the snapshot taken right after its import.
"""

import ast
import hashlib
import importlib
import importlib.machinery
import importlib.util
import linecache
import os
import sys
import types
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

WORKER_DIR = os.path.realpath(os.path.dirname(os.path.abspath(__file__)))


def _shift_code(code: types.CodeType, delta: int) -> types.CodeType:
    """The same code object (and nested ones) with every line number moved by delta (line tables are relative)."""
    consts = tuple(_shift_code(c, delta) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_firstlineno=code.co_firstlineno + delta, co_consts=consts)


class Refused(Exception):
    """A run that must not happen (file outside the roots, module name taken by another file)."""


class _Tracked:
    __slots__ = ("name", "path", "module", "sha", "snapshot", "keys", "values")

    def __init__(self, name: str, path: str, module: types.ModuleType, sha: Optional[str]) -> None:
        self.name = name
        self.path = path
        self.module = module
        self.sha = sha
        self.take_snapshot()

    def take_snapshot(self) -> None:
        d = self.module.__dict__
        self.snapshot = dict(d)
        self.keys = list(d)
        self.values = list(d.values())

    def restore_if_changed(self) -> bool:
        """Cheap check (length, then identity/equality of the value list in C); restore in place if needed."""
        d = self.module.__dict__
        if len(d) == len(self.keys):
            try:
                if list(d.values()) == self.values and list(d) == self.keys:
                    return False
            except Exception:  # a value whose __eq__ raises (numpy arrays): treat as changed
                pass
        d.clear()
        d.update(self.snapshot)
        return True


class _RootGuard:
    """sys.meta_path entry just before PathFinder: a module file found under a workspace root (e.g. <root>/dsl.py) is
    imported only if it still lies under a root after resolving symlinks, so a symlink cannot pull in outside code."""

    def __init__(self, ws: "Workspace") -> None:
        self.ws = ws

    def find_spec(self, name: str, path: Optional[Sequence[str]] = None,
                  target: Optional[types.ModuleType] = None) -> Optional[importlib.machinery.ModuleSpec]:
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is None:
            return None
        places = [spec.origin] if spec.has_location and isinstance(spec.origin, str) else []
        places.extend(spec.submodule_search_locations or [])
        for place in places:
            place = os.path.abspath(place)
            if any(place.startswith(r + os.sep) for r in self.ws.roots):
                real = os.path.realpath(place)
                if self.ws.root_of(real) is None:
                    raise ImportError(f"batt: not importing {place}: it resolves to {real}, outside the workspace folders "
                                      f"({', '.join(self.ws.roots)})", name=name, path=place)
        return spec


class Workspace:
    def __init__(self, roots: List[str]) -> None:
        self.roots: List[str] = []
        for r in roots:
            real = os.path.realpath(r)
            if real not in self.roots:
                self.roots.append(real)
        self.files: Dict[str, Tuple[Optional[str], List[str]]] = {}  # real path -> (sha, deps)
        self.tracked: Dict[str, _Tracked] = {}  # module name -> _Tracked
        self._not_ws: Set[str] = set()  # module names known not to be workspace modules
        self._seen = -1  # len(sys.modules) at the last scan
        self._real: Dict[str, str] = {}  # path -> realpath cache

    def install_paths(self) -> None:
        for r in reversed(self.roots):
            sys.path.insert(0, r)
        finders = sys.meta_path
        at = next((i for i, f in enumerate(finders) if f is importlib.machinery.PathFinder), len(finders))
        finders.insert(at, _RootGuard(self))

    def realpath(self, path: str) -> str:
        real = self._real.get(path)
        if real is None:
            real = os.path.realpath(path)
            self._real[path] = real
        return real

    def root_of(self, real: str) -> Optional[str]:
        """The root that contains real path, or None (the worker's own files never count)."""
        if real.startswith(WORKER_DIR + os.sep):
            return None
        for r in self.roots:
            if real.startswith(r + os.sep):
                return r
        return None

    def check(self, real: str) -> None:
        """Refuse anything but a .py file under a workspace root (after resolving symlinks)."""
        if self.root_of(real) is None or not real.endswith(".py"):
            raise Refused(f"{real} is not a .py file under a workspace root ({', '.join(self.roots)})")

    def module_name(self, real: str) -> str:
        root = self.root_of(real)
        if root is None or not real.endswith(".py"):
            raise Refused(f"{real} is not a .py file under a workspace root ({', '.join(self.roots)})")
        rel = real[len(root) + 1:-3]
        parts = rel.split(os.sep)
        if parts[-1] == "__init__":
            parts.pop()
        if not parts or any(not p or "." in p for p in parts):
            raise Refused(f"{real} cannot be imported as a module (its relative path is {rel})")
        return ".".join(parts)

    def _file_of(self, module: types.ModuleType) -> Optional[str]:
        f = getattr(module, "__file__", None)
        return self.realpath(f) if isinstance(f, str) else None

    def _load_by_location(self, real: str, importing: Callable[[], None]) -> types.ModuleType:
        """A workspace file whose path is not a dotted module name (e.g. the solver store's .batt/solvers/<hash>.py):
        imported from its location under a private name."""
        name = "_batt_file_" + hashlib.sha1(real.encode("utf-8")).hexdigest()[:16]
        module = sys.modules.get(name)
        if module is None:
            importing()
            spec = importlib.util.spec_from_file_location(name, real)
            assert spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader)  # a .py path
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                sys.modules.pop(name, None)
                raise
            self.scan()
        return module

    def load(self, path: str, importing: Callable[[], None] = lambda: None) -> types.ModuleType:
        """Import the module of a candidate file (already imported and unchanged: reuse it); `importing()` is called
        right before an import."""
        real = self.realpath(path)
        try:
            name = self.module_name(real)
        except Refused:
            if self.root_of(real) is None or not real.endswith(".py"):
                raise
            return self._load_by_location(real, importing)
        module = sys.modules.get(name)
        if module is None:
            importing()
            module = importlib.import_module(name)
            self.scan()
        found = self._file_of(module)
        if found != real:
            raise Refused(f"module name {name!r} of {real} is already taken by {found or 'a built-in module'}")
        return module

    def scan(self) -> None:
        """Track (and snapshot) workspace modules imported since the last scan."""
        modules = sys.modules
        if len(modules) == self._seen:
            return
        for name, module in list(modules.items()):
            if name in self.tracked or name in self._not_ws:
                continue
            real = self._file_of(module) if module is not None else None
            if real is None or self.root_of(real) is None:
                self._not_ws.add(name)
                continue
            entry = self.files.get(real)
            self.tracked[name] = _Tracked(name, real, module, entry[0] if entry else None)
        self._seen = len(modules)

    def after_job(self) -> None:
        """Undo the job's edits of module globals; track modules the job itself imported."""
        for tr in self.tracked.values():
            tr.restore_if_changed()
        self.scan()

    def _apply_patch(self, real: str, sha: Optional[str], patch: Dict[str, Any],
                     new: Dict[str, Tuple[Optional[str], List[str]]]) -> bool:
        """Re-execute changed solve_* functions of an imported module in place (see FilePatch in worker.ts).
        False (the caller re-imports the module) unless everything applied."""
        trs = [tr for tr in self.tracked.values() if tr.path == real]
        if not trs or any(tr.sha != patch.get("base") for tr in trs):
            return False
        for other in self.tracked.values():
            if other.path != real and real in new.get(other.path, (None, ()))[1]:
                return False  # a loaded module imports it: its copies of the functions would go stale
        try:
            codes: List[types.CodeType] = []
            for fn in patch.get("fns") or []:
                tree = ast.parse(fn["source"], real)
                if len(tree.body) != 1 or not isinstance(tree.body[0], ast.FunctionDef) or tree.body[0].name != fn["name"]:
                    return False
                ast.increment_lineno(tree, int(fn["line"]) - 1)
                codes.append(compile(tree, real, "exec"))
            moves: List[Tuple[str, types.CodeType]] = []
            for mv in patch.get("moves") or []:
                f = trs[0].module.__dict__.get(mv["name"])
                if not isinstance(f, types.FunctionType):
                    return False
                moves.append((mv["name"], _shift_code(f.__code__, int(mv["delta"]))))
        except Exception:
            return False
        for tr in trs:
            d = tr.module.__dict__
            for code in codes:
                exec(code, d)
            for name, code in moves:
                d[name].__code__ = code
            tr.sha = sha
            tr.take_snapshot()
        linecache.checkcache(real)
        return True

    def set_files(self, files: Dict[str, Dict[str, Any]]) -> List[str]:
        """Apply a FilesMessage: drop every module whose file changed or transitively imports a changed file."""
        old = self.files
        new: Dict[str, Tuple[Optional[str], List[str]]] = {}
        for path, info in files.items():
            new[self.realpath(path)] = (info.get("sha"), [self.realpath(d) for d in info.get("deps") or []])
        patched: Set[str] = set()
        for path, info in files.items():
            if info.get("patch"):
                real = self.realpath(path)
                if self._apply_patch(real, info.get("sha"), info["patch"], new):
                    patched.add(real)
        changed = set(p for p in set(old) | set(new) if old.get(p, (None,))[0] != new.get(p, (None,))[0]) - patched
        for tr in self.tracked.values():
            entry = new.get(tr.path)
            if tr.sha is None or entry is None or entry[0] != tr.sha:
                changed.add(tr.path)
        importers: Dict[str, Set[str]] = {}
        for table in (old, new):
            for path, (_sha, deps) in table.items():
                for dep in deps:
                    importers.setdefault(dep, set()).add(path)
        stale: Set[str] = set()
        todo = list(changed)
        while todo:
            p = todo.pop()
            if p in stale:
                continue
            stale.add(p)
            todo.extend(importers.get(p, ()))
        for name in [n for n, tr in self.tracked.items() if tr.path in stale]:
            del self.tracked[name]
            if sys.modules.get(name) is not None and self._file_of(sys.modules[name]) in stale:
                del sys.modules[name]
        self.files = new
        self._real.clear()
        self._not_ws.clear()
        self._seen = -1
        importlib.invalidate_caches()
        return sorted(stale)
