"""What a cluster run ships to the Dask workers besides the jobs: batt's own code, the workspace's Python files (by
content hash) and the tasks, each scattered once (coordinator.py loads this file; it runs only on the client).

Scattered data has one copy on one Dask worker until a batch elsewhere fetches it; when that worker dies first, the
data is lost (the scheduler cannot compute scattered data again) and the scheduler drops the batches needing it. So
the coordinator keeps the data it scattered, and `args` scatters again whatever the cluster lost before it hands a
batch its arguments. Standard library only (plus distributed's Client, passed in); Python >= 3.8.
"""
# pyright: reportMissingImports=false


import hashlib
import json
import threading
from typing import Any, Dict, List, Tuple


def manifest_key(shas: Dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(sorted(shas.items())).encode("utf-8")).hexdigest()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _lost(fut: Any) -> bool:
    """A scattered future is "finished" while the cluster holds its data ("lost", then "cancelled", once it does not)."""
    return fut.status != "finished"


class Shipped:
    """The scattered futures and the data behind them; thread-safe (the serve thread adds, callbacks resubmit)."""

    def __init__(self, client: Any, code: Dict[str, bytes]) -> None:
        self.client = client
        self.lock = threading.RLock()
        self.code_data = code  # relative path (scoring/main.py, cluster/driver.py) -> bytes
        self.code_key = manifest_key({rel: _sha(d) for rel, d in code.items()})
        self.code: Dict[str, Any] = {}  # relative path -> future
        self.blobs: Dict[str, Any] = {}  # sha -> future (workspace files)
        self.blob_data: Dict[str, bytes] = {}  # sha -> the file's content
        self.ws: Dict[str, str] = {}  # relative path -> sha
        self.ws_key = manifest_key({})
        self.tasks: Dict[str, Any] = {}  # task key -> future
        self.task_msgs: Dict[str, Dict[str, Any]] = {}  # task key -> the task message
        with self.lock:
            self._scatter_code()

    def _scatter(self, prefix: str, data: Dict[str, Any]) -> Dict[str, Any]:
        futs = self.client.scatter({prefix + k: v for k, v in data.items()}, broadcast=False)
        return {k: futs[prefix + k] for k in data}

    def _scatter_code(self) -> None:
        futs = self._scatter("batt-code-", {_sha(d): d for d in self.code_data.values()})
        self.code = {rel: futs[_sha(d)] for rel, d in self.code_data.items()}

    def files(self, data: Dict[str, bytes]) -> None:
        """The workspace's Python files now (relative path -> bytes): scatters the new contents, releases the old."""
        shas = {rel: _sha(d) for rel, d in data.items()}
        with self.lock:
            new = {shas[rel]: d for rel, d in data.items() if shas[rel] not in self.blobs}
            if new:
                self.blobs.update(self._scatter("batt-file-", new))
                self.blob_data.update(new)
            live = set(shas.values())
            self.blobs = {sha: f for sha, f in self.blobs.items() if sha in live}  # the others are released
            self.blob_data = {sha: d for sha, d in self.blob_data.items() if sha in live}
            self.ws = shas
            self.ws_key = manifest_key(shas)

    def task(self, msg: Dict[str, Any]) -> None:
        key = msg["key"]
        with self.lock:
            if key not in self.tasks:
                self.tasks.update(self._scatter("batt-task-", {key: msg}))
                self.task_msgs[key] = msg

    def args(self, keys: List[str]) -> Tuple[str, Dict[str, Any], str, Dict[str, Any], Dict[str, Any]]:
        """A batch's (code key, code, workspace key, workspace files, tasks `keys`), all held by the cluster: what it
        lost is scattered again first. Raises when the client is not connected to the scheduler."""
        with self.lock:
            if self.client.status != "running":
                raise RuntimeError("lost the connection to the scheduler (the Dask client is %s)" % self.client.status)
            if any(_lost(f) for f in self.code.values()):
                self._scatter_code()
            files = {sha: self.blob_data[sha] for sha, f in self.blobs.items() if _lost(f)}
            if files:
                self.blobs.update(self._scatter("batt-file-", files))
            tasks = {k: self.task_msgs[k] for k in keys if _lost(self.tasks[k])}
            if tasks:
                self.tasks.update(self._scatter("batt-task-", tasks))
            return (self.code_key, dict(self.code), self.ws_key, {rel: self.blobs[sha] for rel, sha in self.ws.items()},
                    {k: self.tasks[k] for k in keys})
