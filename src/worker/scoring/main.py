"""batt scoring worker: python3 main.py --root <abs dir> [--root ...] --memory-mb <N> [--pycache <dir>] [--sandbox <file>]

Reads ToWorker messages (NDJSON) on fd 3 and writes FromWorker messages on fd 4 (protocol.py mirrors
src/protocol/worker.ts). Persistent: the DSL is imported once and kept until its file changes.
The sandbox (sandbox.py) is applied once the worker's own setup is done and before it reads its first message, so
every workspace module (the DSL included) is imported, and every solver runs, inside it. Standard library only;
Python >= 3.8.
"""

import os
import sys
from typing import Any, Dict, List, Optional, Tuple

sys.dont_write_bytecode = True  # before our own imports: never leave __pycache__ in the extension or workspace

# Our sibling modules are imported under private names so that workspace files called runner.py,
# protocol.py, ... import the workspace's own module, not ours.
_HERE = os.path.dirname(os.path.abspath(__file__))
_OWN = ("protocol", "grid_check", "workspace", "runner", "solver_trace", "landlock", "sandbox")
for _name in _OWN:
    if _name in sys.modules:
        raise SystemExit(f"batt worker: module {_name!r} already imported")
import protocol  # noqa: E402
import workspace  # noqa: E402
import runner  # noqa: E402
import solver_trace  # noqa: E402
import sandbox  # noqa: E402

for _name in _OWN:
    sys.modules["_batt_worker_" + _name] = sys.modules.pop(_name)
while _HERE in sys.path:
    sys.path.remove(_HERE)
if "" in sys.path:
    sys.path.remove("")


def _parse_args(argv: List[str]) -> Tuple[List[str], int, Optional[str], Optional[str]]:
    roots: List[str] = []
    memory_mb = 0
    pycache: Optional[str] = None
    policy: Optional[str] = None
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("--root", "--memory-mb", "--pycache", "--sandbox") and i + 1 < len(argv):
            if arg == "--root":
                roots.append(argv[i + 1])
            elif arg == "--pycache":
                pycache = argv[i + 1]
            elif arg == "--sandbox":
                policy = argv[i + 1]
            else:
                memory_mb = int(argv[i + 1])
            i += 2
        else:
            raise SystemExit(f"batt worker: unexpected argument {arg!r} (usage: main.py --root DIR ... --memory-mb N "
                             "[--pycache DIR] [--sandbox FILE])")
    return roots, memory_mb, pycache, policy


def _sandbox(policy_file: Optional[str], roots: List[str]) -> sandbox.Sandbox:
    """The policy the engine wrote (the file is removed once read); without one, a sandbox that is turned off."""
    policy: Dict[str, Any] = {}
    if policy_file:
        with open(policy_file, "rb") as fh:
            policy = protocol.json.loads(fh.read())
        os.remove(policy_file)
    scratch = policy.get("scratch")
    if isinstance(scratch, str) and scratch:
        import tempfile
        tempfile.tempdir = scratch  # solvers' temp files go to the one folder they may write
        os.environ["TMPDIR"] = scratch
    return sandbox.Sandbox(policy, roots, _HERE)


def _limit_memory(memory_mb: int) -> None:
    if memory_mb <= 0:
        return
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    want = memory_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY and hard < want:
        want = hard
    resource.setrlimit(resource.RLIMIT_AS, (want, hard))


def _die_with_parent() -> None:
    """Linux: get SIGKILL when the engine dies, even while a solver is looping and fd 3 is never read."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:
            os._exit(0)
    except Exception:
        pass


def main(argv: List[str]) -> None:
    roots, memory_mb, pycache, policy = _parse_args(argv)
    if pycache:
        # Read (never write: dont_write_bytecode) the hash-checked .pyc files the analyzer precompiles there, so a
        # respawned worker does not recompile a big solver module. A .pyc whose source hash differs is ignored.
        sys.pycache_prefix = pycache
    import faulthandler
    faulthandler.enable()  # a segfault leaves a Python stack on stderr for the engine's crash report
    _die_with_parent()
    sys.stdin = open(os.devnull, "r")
    ws = workspace.Workspace(roots)
    ws.install_paths()
    inp = os.fdopen(3, "rb")
    out = os.fdopen(4, "wb")
    encode = protocol.encode

    def send(msg: Dict[str, Any]) -> None:
        out.write(encode(msg))
        out.flush()

    def log(level: str, text: str) -> None:
        send({"t": "log", "level": level, "msg": text[:2000]})

    box = _sandbox(policy, ws.roots)
    run = runner.Runner(ws, lambda rid, phase: send({"t": "phase", "id": rid, "phase": phase}), box.note)
    tracer = solver_trace.Tracer(run)
    _limit_memory(memory_mb)
    state = box.apply()
    send({"t": "ready", "pid": os.getpid(), "python": ".".join(str(n) for n in sys.version_info[:3]),
          "cpuTimer": runner.CPU_TIMER, "sandbox": state})
    loads = protocol.json.loads
    msg = None
    for raw in inp:
        try:
            msg = loads(raw)
            t = msg.get("t") if isinstance(msg, dict) else None
            if t == "run":
                send(tracer.run(msg) if msg.get("trace") else run.run(msg))
            elif t == "task":
                try:
                    run.add_task(msg)
                except Exception as exc:
                    log("error", f"bad task message {msg.get('key')!r}: {type(exc).__name__}: {exc}")
            elif t == "files":
                box.serve(msg.get("files") or {})
                ws.set_files(msg.get("files") or {})
            elif t == "exit":
                break
            else:
                log("warn", f"unknown message type {t!r}")
        except BaseException as exc:  # a malformed line or a failure outside any candidate call
            try:
                rid = msg.get("id") if isinstance(msg, dict) and msg.get("t") == "run" else None
            except BaseException:
                rid = None
            text = f"worker failed on a message: {type(exc).__name__}: {str(exc)[:500]}"
            if rid is not None:
                send({"t": "result", "id": rid, "ok": False, "ms": 0.0,
                      "error": {"type": "WorkerError", "message": text, "traceback": ""}})
            else:
                log("error", text)
        msg = None
    out.flush()
    os._exit(0)  # skip atexit handlers and finalizers a solver may have registered


if __name__ == "__main__":
    main(sys.argv[1:])
