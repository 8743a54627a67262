"""batt cluster coordinator: python3 coordinator.py --scheduler tcp://HOST:PORT --root DIR --limit-ms N --memory-mb N
--sandbox 0|1 [--connect-timeout S] [--hash-seed N]

The client side of a run on a Dask distributed cluster (a Node process cannot submit to Dask itself). Speaks the
NDJSON protocol of src/protocol/cluster.ts with the engine (Node -> here on fd 3, here -> Node on fd 4, as the
scoring worker does) and dask.distributed.Client to the scheduler:

- connect: reach the scheduler (a clear error within the connect timeout), wait for a worker, check that every
  worker runs the client's Python (major.minor), dask, distributed and cloudpickle, then answer `connected`;
- `files`: read the workspace's Python files and scatter each by content hash (`batt-file-<sha256>`), with batt's
  own scoring worker and driver.py (`batt-code-<sha256>`): workers on other machines import the same code;
- `task`: scatter the task once (`batt-task-<key>`) (shipped.py keeps what is scattered);
- `batch`: submit one Dask task running the batch through driver.run_batch on a worker; answer `batchDone` with the
  jobs' results and the batch's submit / queue / run / gather times, or `batchFailed`;
- `cancel`: cancel batches' futures (the driver stops a running batch between jobs and kills its running job).

A Dask worker that dies mid-batch has the batch rescheduled by the scheduler; a batch that keeps killing workers
(KilledWorker) is resubmitted at most twice. A batch whose scattered data died with a worker (the only copy) is dropped
by the scheduler (its future cancelled while the client is connected): it is resubmitted under a new key with that data
scattered again (it never returned, so no verdict is lost or doubled). A future cancelled while the client is not
connected, or a scheduler silent for LOST_S, is a lost scheduler: the batches fail. Runs under the interpreter that has distributed (Debian:
/usr/bin/python3); the workers need only distributed: batt's code travels with the batches.
"""
# pyright: reportMissingImports=false
# (distributed is imported only where it runs: under the coordinator's interpreter and on the Dask workers)


import json
import os
import sys
import threading
import time
import uuid
from typing import Any, Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER_DIR = os.path.dirname(HERE)
sys.path = [p for p in sys.path if os.path.realpath(p or ".") != os.path.realpath(HERE)]  # never shadow a package

PROTOCOL = 1  # driver.PROTOCOL and src/protocol/cluster.ts CLUSTER_PROTOCOL
RESUBMITS = 2
RESCATTERS = 5  # times a batch is resubmitted because its data died with a Dask worker
WORKERS_WAIT_S = 10.0
WATCH_S = 1.0
LOST_S = 10.0


def _batch(code_key: str, code: Dict[str, bytes], ws_key: str, ws: Dict[str, bytes], tasks: Dict[str, Any],
           jobs: List[Dict[str, Any]], opts: Dict[str, Any]) -> Dict[str, Any]:
    """Runs on a Dask worker (pickled by value): loads the shipped driver once per code version, runs the batch."""
    import sys
    import types
    name = "_batt_cluster_driver_" + code_key[:16]
    mod = sys.modules.get(name)
    if mod is None:
        mod = types.ModuleType(name)
        exec(compile(code["cluster/driver.py"], "<batt cluster driver %s>" % code_key[:12], "exec"), mod.__dict__)
        mod = sys.modules.setdefault(name, mod)
    return mod.run_batch(code_key, code, ws_key, ws, tasks, jobs, opts)


def _shipped() -> Any:
    """shipped.py, loaded by path (this folder is not on sys.path)."""
    import types
    path = os.path.join(HERE, "shipped.py")
    mod = types.ModuleType("_batt_cluster_shipped")
    with open(path, "rb") as fh:
        exec(compile(fh.read(), path, "exec"), mod.__dict__)
    return mod


def _text(exc: BaseException) -> str:
    return "%s: %s" % (type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")


def _args(argv: List[str]) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for i in range(0, len(argv) - 1, 2):
        if not argv[i].startswith("--"):
            raise SystemExit("batt coordinator: unexpected argument %r" % argv[i])
        out[argv[i][2:]] = argv[i + 1]
    return out


def _code() -> Dict[str, bytes]:
    """batt's own Python that runs on the workers: the scoring worker and the driver, by relative path."""
    files: Dict[str, bytes] = {}
    for sub, names in (("scoring", None), ("cluster", ["driver.py"])):
        folder = os.path.join(WORKER_DIR, sub)
        for n in sorted(names or os.listdir(folder)):
            if n.endswith(".py"):
                with open(os.path.join(folder, n), "rb") as fh:
                    files[sub + "/" + n] = fh.read()
    return files


def _reachable(address: str, timeout: float) -> Optional[str]:
    """Why nothing answers at tcp://HOST:PORT (refused, unknown host: at once, rather than after Dask's retries), or None."""
    import socket
    rest = address.split("://", 1)[-1]
    host, _, port = rest.rpartition(":")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except (OSError, ValueError) as exc:
        return "%s (%s)" % (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__, type(exc).__name__)
    return None


def _version_problems(versions: Dict[str, Any]) -> List[str]:
    """Each worker whose Python (major.minor), dask, distributed or cloudpickle differs from the client's."""
    def pick(info: Dict[str, Any]) -> Dict[str, str]:
        p = info.get("packages") or {}
        py = str(p.get("python") or info.get("host", {}).get("python") or "")
        return {"python": ".".join(py.split(".")[:2]), "dask": str(p.get("dask")),
                "distributed": str(p.get("distributed")), "cloudpickle": str(p.get("cloudpickle"))}
    mine = pick(versions["client"])
    out = []
    for addr, info in sorted((versions.get("workers") or {}).items()):
        theirs = pick(info) if isinstance(info, dict) else {}
        diff = ["%s %s (client %s)" % (k, theirs.get(k), v) for k, v in mine.items() if theirs.get(k) != v]
        if diff:
            out.append("worker %s runs %s" % (addr, ", ".join(diff)))
    return out


class Coordinator:
    def __init__(self, opts: Dict[str, str], out: Any) -> None:
        self.opts = opts
        self.out = out
        self.out_lock = threading.Lock()
        self.lock = threading.Lock()
        self.session = uuid.uuid4().hex[:12]
        self.client: Any = None
        self.futures: Dict[int, Any] = {}  # batch id -> future
        # batch id -> {jobs, priority, submitted, submitMs, tries, lost, n (submissions)}
        self.batches: Dict[int, Dict[str, Any]] = {}
        self.shipped: Any = None  # shipped.Shipped once connected
        self.workers_seen: Optional[List[Dict[str, Any]]] = None
        self.closing = False

    def send(self, msg: Dict[str, Any]) -> None:
        data = (json.dumps(msg, separators=(",", ":")) + "\n").encode("ascii")
        with self.out_lock:
            self.out.write(data)
            self.out.flush()

    def connect(self) -> bool:
        import distributed
        address = self.opts["scheduler"]
        timeout = float(self.opts.get("connect-timeout", "5"))
        problem = _reachable(address, timeout)
        if problem:
            self.send({"t": "error", "kind": "connect", "message": "cannot reach the Dask scheduler at %s: %s" % (address, problem)})
            return False
        try:
            self.client = distributed.Client(address, timeout=timeout, set_as_default=False)
        except BaseException as exc:  # OSError (timed out, refused), ValueError (address), ...
            self.send({"t": "error", "kind": "connect", "message": "cannot reach the Dask scheduler at %s within %g s: %s"
                       % (address, timeout, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)})
            return False
        try:
            self.client.wait_for_workers(1, timeout=WORKERS_WAIT_S)
        except BaseException:
            self.send({"t": "error", "kind": "connect",
                       "message": "the Dask scheduler at %s has no workers (waited %g s)" % (address, WORKERS_WAIT_S)})
            return False
        problems = _version_problems(self.client.get_versions())
        if problems:
            self.send({"t": "error", "kind": "version", "message": "version mismatch between this client and the "
                       "cluster: %s; install the same versions on every machine" % "; ".join(problems)})
            return False
        self.shipped = _shipped().Shipped(self.client, _code())
        self.workers_seen = self.workers()
        self.send({"t": "connected", "protocol": PROTOCOL, "scheduler": address, "distributed": distributed.__version__,
                   "python": "%d.%d.%d" % sys.version_info[:3], "workers": self.workers_seen})
        threading.Thread(target=self.watch, daemon=True).start()
        return True

    def workers(self) -> List[Dict[str, Any]]:
        info = self.client.scheduler_info().get("workers") or {}
        processing = self.client.processing()
        mine = "batt-batch-%s-" % self.session
        return [{"address": a, "name": str(w.get("name", a)), "nthreads": int(w.get("nthreads") or 0),
                 "memoryLimit": int(w.get("memory_limit") or 0),
                 "processing": sum(1 for k in processing.get(a, ()) if str(k).startswith(mine))}
                for a, w in sorted(info.items())]

    def watch(self) -> None:
        """Tells Node when the cluster's workers change (one joined, left or died); fails the batches out when the
        scheduler stops answering for LOST_S."""
        silent = 0.0
        while not self.closing:
            time.sleep(WATCH_S)
            try:
                now = self.workers()
                silent = 0.0
            except BaseException as exc:
                silent += WATCH_S
                if silent >= LOST_S:
                    silent = 0.0
                    with self.lock:
                        out = list(self.batches.items())
                        self.batches.clear()
                        self.futures.clear()
                    for bid, _b in out:
                        self.send({"t": "batchFailed", "id": bid, "kind": "cluster",
                                   "message": "lost the connection to the scheduler: %s" % (str(exc) or type(exc).__name__)})
                continue
            if now != self.workers_seen:
                self.workers_seen = now
                self.send({"t": "workers", "workers": now})

    def on_files(self, msg: Dict[str, Any]) -> None:
        root = self.opts["root"]
        data: Dict[str, bytes] = {}
        for path in msg.get("files") or {}:
            rel = os.path.relpath(path, root)
            if rel.startswith("..") or os.path.isabs(rel):
                continue
            try:
                with open(path, "rb") as fh:
                    data[rel.replace(os.sep, "/")] = fh.read()
            except OSError:
                continue  # deleted since: its jobs report the missing module, as locally
        self.shipped.files(data)

    def on_task(self, msg: Dict[str, Any]) -> None:
        self.shipped.task(msg)

    def on_batch(self, msg: Dict[str, Any]) -> None:
        t0 = time.time()
        bid = msg["id"]
        with self.lock:
            self.batches[bid] = {"jobs": msg["jobs"], "priority": msg.get("priority", 0), "tries": 0, "lost": 0, "n": 0}
        try:
            self.submit(bid, t0)
        except BaseException as exc:
            self.fail(bid, exc)

    def submit(self, bid: int, t0: float) -> None:
        import distributed
        with self.lock:
            b = self.batches.get(bid)
        if b is None:
            return
        keys = sorted({j["task"] for j in b["jobs"]})
        opts = {"root": self.opts["root"], "limitMs": float(self.opts["limit-ms"]),
                "memoryMB": int(self.opts["memory-mb"]), "sandbox": self.opts.get("sandbox") == "1",
                "protocol": PROTOCOL, "distributed": distributed.__version__, "hashSeed": self.opts.get("hash-seed")}
        fut = self.client.submit(_batch, *self.shipped.args(keys), b["jobs"], opts,
                                 key="batt-batch-%s-%d-%d" % (self.session, bid, b["n"]), priority=b["priority"])
        b["n"] += 1  # a resubmission needs a new key: the client keeps the cancelled future of the old one
        with self.lock:
            if bid not in self.batches:  # cancelled meanwhile
                fut.cancel()
                return
            b["submitted"] = time.time()
            b["submitMs"] = b.get("submitMs", 0.0) + (b["submitted"] - t0) * 1000.0
            self.futures[bid] = fut
        fut.add_done_callback(lambda f, bid=bid: self.done(bid, f))

    def done(self, bid: int, fut: Any) -> None:
        """A batch's future settled (in the client's callback thread)."""
        with self.lock:
            b = self.batches.get(bid)
            if b is None or self.futures.get(bid) is not fut:
                return
        if fut.status == "cancelled":  # not by us (on_cancel forgets the batch first): the scheduler dropped it
            if self.client.status == "running" and b["lost"] < RESCATTERS:  # connected: its data died with a worker
                b["lost"] += 1
                self.resubmit(bid, "batch %d lost its data with a Dask worker; scattered again, resubmitted" % bid)
            else:
                self.fail(bid, RuntimeError("the scheduler dropped the batch (lost the connection to it?)"))
            return
        try:
            r = fut.result()
        except BaseException as exc:
            self.failed(bid, b, exc)
            return
        received = time.time()
        with self.lock:
            self.batches.pop(bid, None)
            self.futures.pop(bid, None)
        ms = lambda a, z: max(0.0, (z - a) * 1000.0)  # noqa: E731  (clocks of other machines may be off)
        self.send({"t": "batchDone", "id": bid, "results": r["results"], "worker": r.get("worker", ""),
                   "sandbox": r.get("sandbox"), "python": r.get("python"),
                   "timing": {"submitMs": b["submitMs"], "queueMs": ms(b["submitted"], r["started"]),
                              "runMs": ms(r["started"], r["ended"]), "gatherMs": ms(r["ended"], received)}})

    def failed(self, bid: int, b: Dict[str, Any], exc: BaseException) -> None:
        if type(exc).__name__ == "KilledWorker" and b["tries"] < RESUBMITS:
            b["tries"] += 1
            self.resubmit(bid, "batch %d killed its workers; resubmitted (%s)" % (bid, _text(exc)))
        else:
            self.fail(bid, exc)

    def resubmit(self, bid: int, why: str) -> None:
        self.send({"t": "log", "level": "warn", "msg": why})
        try:
            self.submit(bid, time.time())
        except BaseException as exc:
            self.fail(bid, exc)

    def fail(self, bid: int, exc: BaseException) -> None:
        text = _text(exc)
        with self.lock:
            self.batches.pop(bid, None)
            self.futures.pop(bid, None)
        kind = "version" if "version mismatch" in text else "cluster"
        self.send({"t": "batchFailed", "id": bid, "kind": kind, "message": text})

    def on_cancel(self, msg: Dict[str, Any]) -> None:
        futs = []
        with self.lock:
            for bid in msg.get("ids") or []:
                self.batches.pop(bid, None)
                f = self.futures.pop(bid, None)
                if f is not None:
                    futs.append(f)
        if futs:
            self.client.cancel(futs)

    def serve(self, inp: Any) -> None:
        handlers = {"files": self.on_files, "task": self.on_task, "batch": self.on_batch, "cancel": self.on_cancel}
        for raw in inp:
            msg = None
            try:
                msg = json.loads(raw)
                t = msg.get("t") if isinstance(msg, dict) else None
                if t == "exit":
                    break
                handler = handlers.get(t) if isinstance(t, str) else None
                if handler is None:
                    self.send({"t": "log", "level": "warn", "msg": "unknown message type %r" % (t,)})
                else:
                    handler(msg)
            except BaseException as exc:
                text = "coordinator failed on a %r message: %s: %s" % (
                    msg.get("t") if isinstance(msg, dict) else None, type(exc).__name__, str(exc)[:500])
                if isinstance(msg, dict) and msg.get("t") == "batch":
                    self.send({"t": "batchFailed", "id": msg.get("id"), "kind": "cluster", "message": text})
                else:
                    self.send({"t": "log", "level": "error", "msg": text})

    def close(self) -> None:
        self.closing = True
        if self.client is not None:
            with self.lock:
                futs = list(self.futures.values())
                self.futures.clear()
                self.batches.clear()
            try:
                if futs:
                    self.client.cancel(futs)
                self.client.close(timeout=2)
            except BaseException:
                pass


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal
            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
            if os.getppid() == 1:
                os._exit(0)
        except Exception:
            pass


def main(argv: List[str]) -> None:
    opts = _args(argv)
    _die_with_parent()
    inp = os.fdopen(3, "rb")
    out = os.fdopen(4, "wb")
    co = Coordinator(opts, out)
    try:
        if co.connect():
            co.serve(inp)
    finally:
        co.close()
        out.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
