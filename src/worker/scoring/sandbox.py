"""The scoring worker's sandbox (Landlock, landlock.py): what solvers may touch, and the note a refused action gets.

The engine writes the policy (src/engine/pool/sandbox.ts) as JSON: {"enabled", "scratch", "read", "list", "hidden",
"pycache"}. Solvers may read (and execute where needed) the interpreter and its libraries, the system folders and the
worker's own folder; read the workspace paths in "read" (the whole workspace, or, when the tasks folder is inside it,
each entry on the way down to it except the tasks folder: "list" are the folders on that way, listable only); write
only in "scratch" (their temp folder) and /dev/null; never open TCP connections. "hidden" are the task files.
"""

import errno
import importlib.machinery
import linecache
import os
import sys
import types
from typing import Any, Dict, List, Optional, Sequence, Tuple

import landlock

_SYSTEM_READ_EXEC = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_SYSTEM_READ = ("/etc", "/proc", "/sys")

NOTE_WORKSPACE = "(batt sandbox: the workspace is read-only to solvers)"
NOTE_TASKS = "(batt sandbox: task files are not readable by solvers)"
NOTE_NETWORK = "(batt sandbox: solvers may not open network connections)"


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


class Sandbox:
    def __init__(self, policy: Dict[str, Any], roots: List[str], worker_dir: str) -> None:
        self.enabled = bool(policy.get("enabled"))
        self.scratch: str = os.path.realpath(policy.get("scratch") or "")
        self.read: List[str] = [os.path.realpath(p) for p in policy.get("read") or []]
        self.list: List[str] = [os.path.realpath(p) for p in policy.get("list") or []]
        self.hidden: List[str] = [os.path.realpath(p) for p in policy.get("hidden") or []]
        pycache = policy.get("pycache")
        self.pycache: Optional[str] = os.path.realpath(pycache) if isinstance(pycache, str) else None
        self.roots = roots
        self.worker_dir = worker_dir
        self.applied = False
        self.network = False  # TCP bind/connect refused (ABI >= 4)
        self.sources: Dict[str, str] = {}  # real path -> text, of workspace files the sandbox does not let us read

    def rules(self) -> List[Tuple[str, int]]:
        """Every path solvers may reach, with its rights. Interpreter folders and sys.path entries that hold a task
        file (e.g. a PYTHONPATH of the home folder) are left out: they would make the task files readable."""
        interp = [sys.prefix, sys.base_prefix, sys.exec_prefix, getattr(sys, "base_exec_prefix", sys.exec_prefix),
                  os.path.dirname(os.path.realpath(sys.executable))]
        interp += [p for p in sys.path if p and not any(_under(os.path.realpath(p), r) for r in self.roots)]
        rules = [(p, landlock.READ_EXEC) for p in list(_SYSTEM_READ_EXEC) + interp + [self.worker_dir]]
        rules += [(p, landlock.READ) for p in _SYSTEM_READ]
        rules.append(("/dev", landlock.READ | landlock.IOCTL_DEV))
        rules = [(os.path.realpath(p), r) for p, r in rules]
        rules = [(p, r) for p, r in rules if not any(_under(h, p) for h in self.hidden)]
        rules += [(p, landlock.READ) for p in self.read]
        rules += [(p, landlock.READ_DIR) for p in self.list]
        if self.pycache:
            rules.append((self.pycache, landlock.READ))
        rules.append(("/dev/null", landlock.READ_FILE | landlock.WRITE_FILE | landlock.TRUNCATE))
        rules.append((self.scratch, landlock.WRITE))
        return rules

    def apply(self) -> Dict[str, Any]:
        """Restricts this process (when enabled and Landlock is there); the ReadyMessage's `sandbox` field."""
        if not self.enabled:
            return {"applied": False, "reason": "turned off (batt.sandbox: false, or --no-sandbox)"}
        version, why, skipped = landlock.restrict(self.rules(), no_network=True)
        if not version:
            return {"applied": False, "reason": why}
        self.applied = True
        self.network = version >= 4
        info: Dict[str, Any] = {"applied": True, "abi": version}
        caveats = [] if self.network else ["TCP connections are not refused (Landlock ABI < 4)"]
        if skipped:
            caveats.append("paths not granted: " + "; ".join(skipped)[:500])
        if caveats:
            info["reason"] = "; ".join(caveats)
        return info

    def serve(self, files: Dict[str, Dict[str, Any]]) -> None:
        """Takes the text of files the sandbox cannot read from a FilesMessage (`source`): they are imported from it."""
        self.sources = {os.path.realpath(p): f["source"] for p, f in files.items() if isinstance(f.get("source"), str)}
        for path, text in self.sources.items():
            linecache.cache[path] = (len(text), None, text.splitlines(True), path)  # tracebacks show its lines
        if self.sources and not any(isinstance(f, _Served) for f in sys.meta_path):
            sys.meta_path.insert(0, _Served(self))

    def note(self, exc: BaseException) -> str:
        """' (batt sandbox: ...)' for an error the sandbox caused, else ''."""
        if not self.applied or not isinstance(exc, OSError) or exc.errno not in (errno.EACCES, errno.EPERM):
            return ""
        names = [n for n in (exc.filename, getattr(exc, "filename2", None)) if isinstance(n, (str, bytes))]
        if not names:
            return " " + NOTE_NETWORK if self.network and exc.errno == errno.EACCES else ""
        for name in names:
            real = os.path.realpath(os.fsdecode(name))
            if any(_under(real, h) for h in self.hidden):
                return " " + NOTE_TASKS
            if any(_under(real, r) for r in self.roots) and _writable_by_permissions(real):
                return " " + NOTE_WORKSPACE
        real = os.path.realpath(os.fsdecode(names[0]))
        if _under(real, self.scratch):
            return ""
        return (f" (batt sandbox: solvers may read only the workspace, the interpreter and system folders, and write "
                f"only in their temp folder {self.scratch})")


def _writable_by_permissions(path: str) -> bool:
    """Whether file permissions alone would let this process write there (so the refusal was the sandbox's)."""
    while path and not os.path.exists(path):
        path = os.path.dirname(path)
    return bool(path) and os.access(path, os.W_OK)


class _ServedLoader(importlib.machinery.SourceFileLoader):
    def __init__(self, name: str, path: str, text: str) -> None:
        super().__init__(name, path)
        self.text = text

    def get_data(self, path: str) -> bytes:
        return self.text.encode("utf-8") if path == self.path else super().get_data(path)


class _Served:
    """sys.meta_path entry: a workspace module whose file the sandbox does not let us read, from its served text."""

    def __init__(self, box: Sandbox) -> None:
        self.box = box

    def find_spec(self, name: str, path: Optional[Sequence[str]] = None,
                  target: Optional[types.ModuleType] = None) -> Optional[importlib.machinery.ModuleSpec]:
        if not self.box.sources:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        origin = spec.origin if spec is not None else None
        if spec is None or not isinstance(origin, str) or origin not in self.box.sources:
            return None
        spec.loader = _ServedLoader(name, origin, self.box.sources[origin])
        return spec
