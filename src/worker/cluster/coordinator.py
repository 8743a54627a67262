"""batt cluster coordinator: python3 coordinator.py --scheduler tcp://HOST:PORT --root DIR --limit-ms N --memory-mb N
--sandbox 0|1 [--connect-timeout S] [--hash-seed N]

The client side of a run on a Dask distributed cluster (a Node process cannot submit to Dask itself). Speaks the
NDJSON protocol of src/protocol/cluster.ts with the engine (Node -> here on fd 3, here -> Node on fd 4, as the
scoring worker does) and dask.distributed.Client to the scheduler:

- connect: reach the scheduler (a clear error within the connect timeout), wait for a worker, check that every
  worker runs the client's Python (major.minor), dask, distributed and cloudpickle, then answer `connected`;
- `files`: read the workspace's Python files and scatter each by content hash (`batt-file-<sha256>`), with batt's
  own scoring worker and driver.py (`batt-code-<sha256>`): workers on other machines import the same code;
- `task`: scatter the task once (`batt-task-<key>`);
- `batch`: submit one Dask task running the batch through driver.run_batch on a worker; answer `batchDone` with the
  jobs' results and the batch's submit / queue / run / gather times, or `batchFailed`;
- `cancel`: cancel batches' futures (the driver stops a running batch between jobs and kills its running job).

A Dask worker that dies mid-batch has the batch rescheduled by the scheduler; a batch that keeps killing workers
(KilledWorker) is resubmitted at most twice. Runs under the interpreter that has distributed (Debian:
/usr/bin/python3); the workers need only distributed: batt's code travels with the batches.
"""
# pyright: reportMissingImports=false
# (distributed is imported only where it runs: under the coordinator's interpreter and on the Dask workers)


import hashlib
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


def _manifest_key(shas: Dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(sorted(shas.items())).encode("utf-8")).hexdigest()


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
        self.batches: Dict[int, Dict[str, Any]] = {}  # batch id -> {jobs, priority, submitted, submitMs, tries}
        self.tasks: Dict[str, Any] = {}  # task key -> future
        self.blobs: Dict[str, Any] = {}  # sha -> future (workspace files)
        self.ws: Dict[str, Any] = {}  # relative path -> future
        self.ws_key = _manifest_key({})
        code = _code()
        shas = {rel: hashlib.sha256(data).hexdigest() for rel, data in code.items()}
        self.code_key = _manifest_key(shas)
        self.code_data = code
        self.code: Dict[str, Any] = {}
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
        futs = self.client.scatter({"batt-code-" + hashlib.sha256(d).hexdigest(): d for d in self.code_data.values()},
                                   broadcast=False)
        self.code = {rel: futs["batt-code-" + hashlib.sha256(d).hexdigest()] for rel, d in self.code_data.items()}
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
        shas = {rel: hashlib.sha256(d).hexdigest() for rel, d in data.items()}
        new = {sha: d for rel, d in data.items() for sha in [shas[rel]] if sha not in self.blobs}
        if new:
            futs = self.client.scatter({"batt-file-" + sha: d for sha, d in new.items()}, broadcast=False)
            for sha in new:
                self.blobs[sha] = futs["batt-file-" + sha]
        live = set(shas.values())
        self.blobs = {sha: f for sha, f in self.blobs.items() if sha in live}  # the others are released
        self.ws = {rel: self.blobs[sha] for rel, sha in shas.items()}
        self.ws_key = _manifest_key(shas)

    def on_task(self, msg: Dict[str, Any]) -> None:
        key = msg["key"]
        if key not in self.tasks:
            self.tasks[key] = self.client.scatter({"batt-task-" + key: msg}, broadcast=False)["batt-task-" + key]

    def on_batch(self, msg: Dict[str, Any]) -> None:
        t0 = time.time()
        bid = msg["id"]
        with self.lock:
            self.batches[bid] = {"jobs": msg["jobs"], "priority": msg.get("priority", 0), "tries": 0}
        self.submit(bid, t0)

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
        fut = self.client.submit(_batch, self.code_key, self.code, self.ws_key, dict(self.ws),
                                 {k: self.tasks[k] for k in keys}, b["jobs"], opts,
                                 key="batt-batch-%s-%d-%d" % (self.session, bid, b["tries"]), priority=b["priority"])
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
            self.failed(bid, b, RuntimeError("the scheduler dropped the batch (lost the connection to it?)"))
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
        text = "%s: %s" % (type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")
        if type(exc).__name__ == "KilledWorker" and b["tries"] < RESUBMITS:
            b["tries"] += 1
            self.send({"t": "log", "level": "warn", "msg": "batch %d killed its workers; resubmitted (%s)" % (bid, text)})
            self.submit(bid, time.time())
            return
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
