/**
 * What the pool reports about itself: the status feed of Pool.status() and its 'status' event. Plain data, no node
 * builtins, so the language server can send it as is (src/protocol/lsp.ts re-exports WorkerState as WorkerInfo).
 */
import type { ClusterStatus } from '../../protocol/cluster';

/** One worker slot. */
export interface WorkerState {
  id: number;
  pid?: number;
  state: 'starting' | 'idle' | 'busy' | 'dead';
  /** what it runs now: "<fn> <pair>[<index>]" */
  job?: string;
  /** times this slot's worker was respawned (killed, crashed or failed to start) */
  restarts: number;
  jobsDone: number;
}

export interface PoolStatus {
  workers: WorkerState[];
  queued: number;
  running: number;
  restarts: number;
  /** the workers' Python version, once one is ready */
  python?: string;
  /** a cluster backend's scheduler and Dask workers (src/engine/cluster/clusterPool.ts); `workers` are then its Dask workers */
  cluster?: ClusterStatus;
}
