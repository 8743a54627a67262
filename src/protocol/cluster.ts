/**
 * The wire protocol between the engine (Node) and the cluster coordinator (src/worker/cluster/coordinator.py), which
 * submits a run's jobs to a Dask distributed scheduler; and what a run reports about the cluster (RunJson.pool.cluster,
 * PoolStatus.cluster). Transport as for the scoring worker (src/protocol/worker.ts): NDJSON, Node -> coordinator on its
 * fd 3, coordinator -> Node on its fd 4; its stdout/stderr are only logged.
 */
import type { FilesMessage, ResultMessage, RunMessage, SandboxState, TaskMessage } from './worker';

/** batt's cluster protocol version: the coordinator's `connected` says its own; Node refuses another. */
export const CLUSTER_PROTOCOL = 1;

//#region Node -> coordinator

/** A job of a batch: a RunMessage without `t` and `limitMs` (the coordinator's --limit-ms applies to every job). */
export type ClusterJob = Omit<RunMessage, 't' | 'limitMs'>;

/**
 * Run these jobs, in this order, as one Dask task on one worker (their tasks were sent first). `priority`: higher first
 * in the scheduler's queue (the negated stage: every candidate's first pair before anyone's second).
 */
export interface BatchMessage {
  t: 'batch';
  id: number;
  jobs: ClusterJob[];
  priority: number;
}

/** Cancel these batches' futures: queued ones never start, a running one stops and kills its running job. */
export interface CancelMessage {
  t: 'cancel';
  ids: number[];
}

/** `files`: the workspace's Python files (the coordinator reads and ships them by content); `task`: scattered once. */
export type ToCoordinator = FilesMessage | TaskMessage | BatchMessage | CancelMessage | { t: 'exit' };

//#endregion

//#region coordinator -> Node

/** One Dask worker as the scheduler describes it. */
export interface ClusterWorker {
  address: string;
  name: string;
  nthreads: number;
  /** bytes; 0 = none */
  memoryLimit: number;
  /** this client's batches the scheduler has assigned to it (running or waiting there) */
  processing: number;
}

/** The first message: connected, the versions agree; the cluster's workers at that moment. */
export interface ConnectedMessage {
  t: 'connected';
  protocol: number;
  scheduler: string;
  distributed: string;
  python: string;
  workers: ClusterWorker[];
}

/** Connecting failed (`connect`: unreachable scheduler or no workers; `version`: a worker's versions differ); the
 *  coordinator exits after it. */
export interface ClusterErrorMessage {
  t: 'error';
  kind: 'connect' | 'version';
  message: string;
}

/** One job's answer: a PoolResult (src/engine/pool/types.ts) without the worker id, with the job's id. */
export interface ClusterResult {
  id: number;
  status: 'ok' | 'error' | 'timeout' | 'crash';
  result?: ResultMessage;
  ms: number;
  exit?: { code: number | null; signal: string | null };
  stderrTail?: string;
  /** which limit stopped it (TimeoutInfo of src/engine/pool/limits.ts) */
  timeout?: { by: 'cpu' | 'wall' | 'import'; limitMs: number };
}

/** A batch's times, ms: submitting it, waiting in the scheduler's queue, running on the worker, getting the result back. */
export interface BatchTiming {
  submitMs: number;
  queueMs: number;
  runMs: number;
  gatherMs: number;
}

export interface BatchDoneMessage {
  t: 'batchDone';
  id: number;
  results: ClusterResult[];
  /** the Dask worker's address */
  worker: string;
  sandbox?: SandboxState;
  python?: string;
  timing: BatchTiming;
}

/** A batch that could not run (`version`: the worker's versions differ; `cluster`: anything else): its jobs fail. */
export interface BatchFailedMessage {
  t: 'batchFailed';
  id: number;
  kind: 'version' | 'cluster';
  message: string;
}

/** The cluster's workers changed (one joined, left or died). */
export interface WorkersMessage {
  t: 'workers';
  workers: ClusterWorker[];
}

export interface CoordinatorLogMessage {
  t: 'log';
  level: 'info' | 'warn' | 'error';
  msg: string;
}

export type FromCoordinator = ConnectedMessage | ClusterErrorMessage | BatchDoneMessage | BatchFailedMessage | WorkersMessage | CoordinatorLogMessage;

//#endregion

//#region what runs and the status feed report

/** A Dask worker with what this client ran on it. */
export interface ClusterWorkerInfo extends ClusterWorker {
  /** batches of this client it ran, and their jobs */
  batches: number;
  jobsDone: number;
}

/** PoolStatus.cluster: the scheduler and its workers. */
export interface ClusterStatus {
  scheduler: string;
  distributed: string;
  workers: ClusterWorkerInfo[];
}

export type ClusterPhaseName = 'submit' | 'queue' | 'run' | 'gather';

/**
 * RunJson.pool.cluster: the run's batches and where their time went, each phase summed over the batches (so `run`
 * can exceed the wall time: batches run in parallel). Per-batch overhead = (submit + queue + gather) / batches.
 */
export interface ClusterRunInfo extends ClusterStatus {
  batches: number;
  jobs: number;
  phases: Array<{ name: ClusterPhaseName; ms: number }>;
}

//#endregion
