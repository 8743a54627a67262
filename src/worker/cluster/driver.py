"""batt on a Dask worker: runs one batch of jobs in batt's own scoring worker (scoring/main.py), so a solver that
segfaults, loops or eats memory takes down that process, never the Dask worker.

The coordinator (coordinator.py) ships this file and the scoring worker with every batch (content-addressed: the
Dask worker keeps them in memory after the first batch) and the workspace's Python files by content hash. Here they
are written once per version under <tmp>/batt-cluster-<uid>/{code,ws}/<key>/ (no shared file system is assumed), and
the batch runs in a scoring worker started with the workspace snapshot as its root: the same time limits (the
worker's CPU timer, the wall-clock backstop of src/engine/pool/limits.ts), memory cap, sandbox and crash handling as
the local pool. Scoring workers are kept between batches of the same workspace snapshot (one per Dask thread), so
the DSL is imported once per snapshot, not per batch.

Each job's answer has the local pool's PoolResult shape (src/engine/pool/types.ts) with paths mapped back from the
snapshot to the client's workspace. A batch whose future was cancelled stops between jobs and kills a running job.
Standard library only (plus distributed, which runs us); Python >= 3.8.
"""
# pyright: reportMissingImports=false
# (distributed is imported only where it runs: under the coordinator's interpreter and on the Dask workers)


import json
import os
import shutil
import signal
import select
import sys
import tempfile
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

# batt's cluster protocol version: the coordinator checks it against its own and against Node's (src/protocol/cluster.ts)
PROTOCOL = 1
IMPORT_FLOOR_MS = 10000.0
COMPUTING = 0.02
MAX_STRETCH = 10
STDERR_TAIL_LINES = 20
START_TIMEOUT_S = 60.0
POLL_S = 0.1
KEEP_SNAPSHOTS = 3
UNUSED_S = 600.0
# An idle scoring worker is kept this long for the next batch of its snapshot, then stopped.
IDLE_S = 30.0

_lock = threading.Lock()
_idle: Dict[Tuple[Any, ...], List["Proc"]] = {}
_reaper: List[threading.Thread] = []


def base_dir() -> str:
    d = os.path.join(tempfile.gettempdir(), "batt-cluster-%d" % os.getuid())
    for sub in ("code", "ws", "scratch"):
        os.makedirs(os.path.join(d, sub), mode=0o700, exist_ok=True)
    return d


def materialise(kind: str, key: str, files: Dict[str, bytes]) -> str:
    """The folder <base>/<kind>/<key> holding `files` (relative path -> bytes), written once (atomically)."""
    parent = os.path.join(base_dir(), kind)
    d = os.path.join(parent, key)
    if not os.path.isdir(d):
        tmp = tempfile.mkdtemp(prefix=".tmp-", dir=parent)
        for rel, data in files.items():
            parts = rel.split("/")
            if rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
                raise ValueError("batt cluster: refusing to write %r outside the snapshot" % rel)
            p = os.path.join(tmp, *parts)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as fh:
                fh.write(data)
        try:
            os.rename(tmp, d)
        except OSError:  # another thread or process wrote the same key first
            shutil.rmtree(tmp, ignore_errors=True)
    os.utime(d)
    return os.path.realpath(d)


def _prune_snapshots(kind: str, keep: str) -> None:
    """Removes the folders of `kind` beyond the KEEP_SNAPSHOTS most recently used, once unused for UNUSED_S (every
    batch touches its own: a snapshot another client still runs on stays)."""
    parent = os.path.join(base_dir(), kind)
    dated = []
    for n in os.listdir(parent):
        try:
            dated.append((os.stat(os.path.join(parent, n)).st_mtime, n))
        except OSError:
            continue  # removed meanwhile
    dated.sort(reverse=True)
    for mtime, n in dated[KEEP_SNAPSHOTS:]:
        if n != keep and not n.startswith(".") and time.time() - mtime > UNUSED_S:
            shutil.rmtree(os.path.join(parent, n), ignore_errors=True)


def _high_fd(fd: int) -> int:
    """The fd itself when >= 5, else a close-on-exec duplicate that is (the child's 3 and 4 are dup2 targets)."""
    if fd >= 5:
        return fd
    import fcntl
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class Exited(Exception):
    """The scoring worker's process is gone."""


class Proc:
    """One scoring worker (scoring/main.py) in a session of its own, NDJSON on its fds 3 (to it) and 4 (from it)."""

    def __init__(self, main_py: str, wsdir: str, memory_mb: int, sandboxed: bool, hash_seed: Optional[str]) -> None:
        self.scratch = os.path.realpath(tempfile.mkdtemp(prefix="w-", dir=os.path.join(base_dir(), "scratch")))
        args = [main_py, "--root", wsdir, "--memory-mb", str(max(0, int(memory_mb)))]
        if sandboxed:
            policy = os.path.join(self.scratch, ".batt-sandbox.json")
            with open(policy, "w") as fh:
                json.dump({"enabled": True, "scratch": self.scratch, "read": [wsdir], "list": [], "hidden": []}, fh)
            args += ["--sandbox", policy]
        self.err_path = os.path.join(self.scratch, ".stderr")
        to_r, to_w = (_high_fd(fd) for fd in os.pipe())
        from_r, from_w = (_high_fd(fd) for fd in os.pipe())
        env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1", TMPDIR=self.scratch)
        if hash_seed is not None:
            env["PYTHONHASHSEED"] = str(hash_seed)  # as the local pool's workers (PoolOptions.hashSeed)
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, self.err_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600),
            (os.POSIX_SPAWN_DUP2, to_r, 3),
            (os.POSIX_SPAWN_DUP2, from_w, 4),
        ]
        try:
            # sh changes to the snapshot (solvers see the workspace root as their cwd, as locally), then execs Python
            self.pid = os.posix_spawn("/bin/sh", ["sh", "-c", 'cd "$0" && exec "$@"', wsdir, sys.executable] + args,
                                      env, file_actions=actions, setsid=True, setsigmask=())
        finally:
            os.close(to_r)
            os.close(from_w)
        self.out = to_w
        self.inp = from_r
        self.buf = b""
        self.tasks: set = set()
        self.exit: Optional[Dict[str, Any]] = None
        self.ready: Dict[str, Any] = {}
        self.idle_since = time.monotonic()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.ready:
            msg = self.recv(max(0.0, deadline - time.monotonic()))
            if msg is None:
                self.kill()
                raise RuntimeError("batt cluster: the scoring worker did not start within %d s" % START_TIMEOUT_S)
            if msg.get("t") == "ready":
                self.ready = msg

    @property
    def alive(self) -> bool:
        return self.exit is None

    def send(self, msg: Dict[str, Any]) -> None:
        data = (json.dumps(msg, separators=(",", ":")) + "\n").encode("ascii")
        try:
            while data:
                data = data[os.write(self.out, data):]
        except OSError:
            self._reap(block=True)
            raise Exited()

    def recv(self, timeout: float) -> Optional[Dict[str, Any]]:
        """The next message, None when none came within `timeout` s; raises Exited when the process is gone."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            if self.exit is not None:
                raise Exited()
            ready, _, _ = select.select([self.inp], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                return None
            chunk = os.read(self.inp, 1 << 16)
            if not chunk:
                self._reap(block=True)
                raise Exited()
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line) if line.strip() else {}

    def cpu_ms(self) -> Optional[float]:
        try:
            with open("/proc/%d/stat" % self.pid) as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return None

    def err_size(self) -> int:
        try:
            return os.path.getsize(self.err_path)
        except OSError:
            return 0

    def stderr_tail(self, since: int) -> str:
        try:
            with open(self.err_path, "rb") as fh:
                fh.seek(since)
                text = fh.read().decode("utf-8", "replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-STDERR_TAIL_LINES:])

    def _reap(self, block: bool) -> None:
        if self.exit is not None:
            return
        try:
            pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            pid, status = self.pid, 0
        if pid == 0:
            return
        if os.WIFSIGNALED(status):
            self.exit = {"code": None, "signal": signal.Signals(os.WTERMSIG(status)).name}
        else:
            self.exit = {"code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None, "signal": None}

    def kill(self) -> None:
        """Kills the worker's process group (solver children included) and removes its scratch folder."""
        if self.exit is None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except OSError:
                pass
            self._reap(block=True)
        for fd in (self.out, self.inp):
            try:
                os.close(fd)
            except OSError:
                pass
        self.out = self.inp = -1
        shutil.rmtree(self.scratch, ignore_errors=True)


class Watch:
    """The wall-clock limits of one phase of a job, as src/engine/pool/limits.ts (watchPhase, Backstop) keeps them."""

    def __init__(self, phase: str, limit_ms: float, proc: Proc) -> None:
        self.limit = limit_ms
        self.proc = proc
        self.start = time.monotonic()
        self.fixed: Optional[Dict[str, Any]] = None
        if phase == "import":
            self.fixed = {"by": "import", "limitMs": max(IMPORT_FLOOR_MS, 3 * limit_ms + 1000)}
        elif not proc.ready.get("cpuTimer"):
            self.fixed = {"by": "wall", "limitMs": limit_ms}
        self.next_at = self.fixed["limitMs"] if self.fixed else limit_ms  # ms after start
        self.deadline = 3 * limit_ms + 1000
        self.looks = 0
        self.first: Optional[float] = None
        self.last = (0.0, 0.0)

    def due_in(self) -> float:
        return max(0.0, self.next_at / 1000.0 - (time.monotonic() - self.start))

    def look(self) -> Optional[Dict[str, Any]]:
        """At a due look: the timeout to kill with, or None (the next look is later)."""
        if self.fixed:
            return self.fixed
        at = (time.monotonic() - self.start) * 1000.0
        cpu = self.proc.cpu_ms()
        self.looks += 1
        if self.looks == 1:
            self.first = cpu
            if cpu is not None:
                self.last = (cpu, at)
            self.next_at = max(at, self.deadline)
            return None
        if cpu is None or self.first is None:
            return {"by": "wall", "limitMs": self.deadline}
        if cpu - self.first > self.limit + 1000:
            return {"by": "cpu", "limitMs": self.limit}
        again = max(1000.0, self.limit)
        computing = cpu - self.last[0] >= COMPUTING * (at - self.last[1])
        if not computing or self.deadline + again > MAX_STRETCH * (3 * self.limit + 1000):
            return {"by": "wall", "limitMs": self.deadline}
        self.last = (cpu, at)
        self.deadline += again
        self.next_at = at + again
        return None


def _remap(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new) if old in value else value
    if isinstance(value, list):
        return [_remap(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _remap(v, old, new) for k, v in value.items()}
    return value


def _cancel_check() -> Callable[[], bool]:
    """Whether this batch's future was cancelled (or released): the Dask worker's own view of its task, no network."""
    try:
        from distributed.worker import get_worker, thread_state
        worker = get_worker()
        key = thread_state.key
    except Exception:
        return lambda: False

    def cancelled() -> bool:
        ts = worker.state.tasks.get(key)
        return ts is None or ts.state in ("cancelled", "released", "forgotten")
    return cancelled


def _run_job(proc: Proc, job: Dict[str, Any], tasks: Dict[str, Any], opts: Dict[str, Any], wsdir: str,
             cancelled: Callable[[], bool]) -> Optional[Dict[str, Any]]:
    """One job's PoolResult-shaped answer (None: the batch was cancelled while it ran; the worker is killed)."""
    root = opts["root"]
    jid = job["id"]
    if job["task"] not in proc.tasks:
        proc.send(tasks[job["task"]])
        proc.tasks.add(job["task"])
    msg = dict(job, t="run", file=wsdir + job["file"][len(root):], limitMs=opts["limitMs"])
    since = proc.err_size()
    t0 = time.monotonic()
    watch = Watch("call", opts["limitMs"], proc)
    elapsed = lambda: (time.monotonic() - t0) * 1000.0  # noqa: E731
    try:
        proc.send(msg)
        while True:
            m = proc.recv(min(POLL_S, watch.due_in()))
            if m is None:
                if cancelled():
                    proc.kill()
                    return None
                if watch.due_in() <= 0:
                    fired = watch.look()
                    if fired is not None:
                        proc.kill()
                        return {"id": jid, "status": "timeout", "ms": elapsed(), "timeout": fired}
                continue
            if m.get("id") != job["id"]:
                continue  # a log line
            if m.get("t") == "phase":
                watch = Watch(m.get("phase", "call"), opts["limitMs"], proc)
            elif m.get("t") == "result":
                r = _remap(m, wsdir, root)
                r["id"] = jid
                if m.get("timedOut"):
                    return {"id": jid, "status": "timeout", "result": r, "ms": m.get("ms", 0.0),
                            "timeout": {"by": "cpu", "limitMs": opts["limitMs"]}}
                return {"id": jid, "status": "ok" if m.get("ok") else "error", "result": r, "ms": m.get("ms", 0.0)}
    except Exited:
        tail = _remap(proc.stderr_tail(since), wsdir, root)
        out = {"id": jid, "status": "crash", "ms": elapsed(), "exit": proc.exit or {"code": None, "signal": None}}
        if tail:
            out["stderrTail"] = tail
        proc.kill()
        return out


def stop_idle(keep_snapshot: Optional[str] = None, idle_for: Optional[float] = None) -> None:
    """Stops idle scoring workers: those of other snapshots than `keep_snapshot`, those idle for over `idle_for` s, or
    (no argument) all."""
    now = time.monotonic()
    old: List[Proc] = []
    with _lock:
        for k in list(_idle):
            procs = _idle.pop(k)
            if keep_snapshot is not None:
                stop = procs if k[1] != keep_snapshot else []
            elif idle_for is not None:
                stop = [p for p in procs if now - p.idle_since > idle_for]
            else:
                stop = procs
            keep = [p for p in procs if p not in stop]
            if keep:
                _idle[k] = keep
            old.extend(stop)
    for p in old:
        p.kill()


def _reap() -> None:
    while True:
        time.sleep(IDLE_S / 3)
        stop_idle(idle_for=IDLE_S)


def _take(key: Tuple[Any, ...]) -> Optional[Proc]:
    stop_idle(keep_snapshot=key[1])  # another workspace snapshot: a newer one replaced it
    with _lock:
        procs = _idle.get(key) or []
        proc = procs.pop() if procs else None
        if not _reaper:
            _reaper.append(threading.Thread(target=_reap, name="batt-idle-reaper", daemon=True))
            _reaper[0].start()
    for name, mod in list(sys.modules.items()):  # batt's code changed: the older driver's workers are not needed
        stop = getattr(mod, "stop_idle", None) if name.startswith("_batt_cluster_driver_") else None
        if callable(stop) and stop is not stop_idle:
            stop()
    return proc


def _give_back(key: Tuple[Any, ...], proc: Optional[Proc]) -> None:
    if proc is None or not proc.alive:
        return
    proc.idle_since = time.monotonic()
    with _lock:
        _idle.setdefault(key, []).append(proc)


def run_batch(code_key: str, code: Dict[str, bytes], ws_key: str, ws: Dict[str, bytes], tasks: Dict[str, Any],
              jobs: List[Dict[str, Any]], opts: Dict[str, Any]) -> Dict[str, Any]:
    """Runs `jobs` (RunMessage fields with the client's paths; `task` keys of `tasks`, TaskMessages) in order; answers
    {"results": [PoolResult-shaped], "started", "ended" (epoch s), "worker" (address), "sandbox", "python"}."""
    started = time.time()
    import distributed
    if opts.get("protocol") != PROTOCOL or opts.get("distributed") != distributed.__version__:
        raise RuntimeError("batt cluster: version mismatch: this Dask worker runs distributed %s and batt cluster protocol %d, "
                           "the client distributed %s and protocol %s"
                           % (distributed.__version__, PROTOCOL, opts.get("distributed"), opts.get("protocol")))
    cancelled = _cancel_check()
    codedir = materialise("code", code_key, code)
    wsdir = materialise("ws", ws_key, ws)
    _prune_snapshots("ws", ws_key)
    _prune_snapshots("code", code_key)
    key = (code_key, ws_key, opts["memoryMB"], opts["sandbox"], opts.get("hashSeed"))
    proc = _take(key)
    results: List[Dict[str, Any]] = []
    state: Dict[str, Any] = {}
    try:
        for job in jobs:
            if cancelled():
                break
            if proc is None or not proc.alive:
                proc = Proc(os.path.join(codedir, "scoring", "main.py"), wsdir, opts["memoryMB"], opts["sandbox"], opts.get("hashSeed"))
            state = proc.ready
            r = _run_job(proc, job, tasks, opts, wsdir, cancelled)
            if r is None:
                break
            results.append(r)
    except BaseException:
        if proc is not None:
            proc.kill()
        raise
    _give_back(key, proc)
    try:
        from distributed.worker import get_worker
        address = get_worker().address
    except Exception:
        address = ""
    return {"results": results, "started": started, "ended": time.time(), "worker": address,
            "sandbox": state.get("sandbox"), "python": state.get("python")}
