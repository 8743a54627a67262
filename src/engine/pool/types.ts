/**
 * The pool's public types: its options, a job, a job's result, and what it needs of a worker process.
 */
import type { FilesMessage, FromWorker, ReadyMessage, ResultMessage, RunMessage, SandboxState, TaskMessage, ToWorker } from '../../protocol/worker';
import type { TimeoutInfo } from './limits';
import type { PoolStatus } from './status';
import type { WorkerExit, WorkerLog, WorkerProcessOptions } from './workerProcess';

/** The PYTHONHASHSEED of the scoring workers unless PoolOptions.hashSeed says otherwise. */
export const RUN_HASH_SEED = 0;

export interface PoolOptions {
  python: string; // interpreter path or name
  workerScript: string; // absolute path of main.py
  roots: string[]; // workspace roots (absolute, real paths)
  workers: number; // default: src/protocol/settings.ts
  timeoutMs: number; // per job: CPU time of the call (see limits.ts)
  memoryMB: number; // per worker; 0 = unlimited
  pycacheDir?: string; // precompiled hash-checked .pyc files the workers read (Analyzer.precompile writes them)
  /** the workers' sandbox (sandbox.ts; default on): the tasks path is kept unreadable to solvers */
  sandbox?: { enabled: boolean; tasksPath?: string };
  /** the workers' PYTHONHASHSEED (default RUN_HASH_SEED): fixed, so string hashes, and so set and dict order, are the
   *  same in every run; the stability check starts a second pool under another seed (scoring/stable.ts) */
  hashSeed?: number;
  onLog?: WorkerLog;
  /** starts one worker (default: a WorkerProcess; tests pass in-process fakes) */
  createWorker?: (opts: WorkerProcessOptions) => PoolWorker;
}

/** What the pool uses of a worker process (WorkerProcess; see it for the meaning of each member). */
export interface PoolWorker {
  readonly pid: number | undefined;
  readonly ready: Promise<ReadyMessage>;
  readonly exited: Promise<WorkerExit>;
  readonly readyMessage: ReadyMessage | undefined;
  readonly alive: boolean;
  send(msg: ToWorker): void;
  hasTask(key: string): boolean;
  clearStderrTail(): void;
  stderrTail(): string;
  /** CPU time the process has used, ms, where the platform says (see limits.ts: Backstop) */
  cpuMs?(): number | undefined;
  kill(): Promise<WorkerExit>;
  on(event: 'message', listener: (msg: FromWorker) => void): unknown;
  on(event: 'exit', listener: (exit: WorkerExit) => void): unknown;
}

export interface PoolJob {
  run: Omit<RunMessage, 't' | 'id' | 'task'>; // file, fn, kind, taskId, pair, index
  task: TaskMessage; // sent to the chosen worker first if it has not got that key yet
  /** Scheduling priority (see JobQueue): unknown first (FIFO), then longest expected first. */
  expectedMs?: number;
  /** Scheduling stage (see JobQueue): every job of a lower stage first; default 0. */
  stage?: number;
}

export type PoolStatusKind = 'ok' | 'error' | 'timeout' | 'crash' | 'cancelled';

export interface PoolResult {
  status: PoolStatusKind;
  result?: ResultMessage; // present for ok/error, and for a CPU timeout (what the call printed)
  ms: number; // the worker's own call time for ok/error; elapsed wall time otherwise
  exit?: { code: number | null; signal: string | null }; // for crash
  workerId: number; // -1 when the job never reached a worker
  stderrTail?: string; // for crash
  timeout?: TimeoutInfo; // for timeout: which limit fired
}

/**
 * What a run uses of the pool its jobs go to: the local Pool, or a Dask cluster (src/engine/cluster/clusterPool.ts).
 * Solver faults never reject run(): they are PoolResult statuses.
 */
export interface JobPool {
  start(): Promise<void>;
  run(job: PoolJob, signal?: AbortSignal): Promise<PoolResult>;
  /** the workspace's Python files (broadcast now, remembered for workers started later) */
  setFiles(files: FilesMessage['files']): void;
  /** drops queued jobs and kills running ones (all resolve 'cancelled') */
  cancelAll(): void;
  status(): PoolStatus;
  /** what the workers reported of their sandbox; stale(): the engine should restart them (see sandbox.ts) */
  readonly sandbox: { readonly state: SandboxState | undefined; stale(): boolean };
  on(event: 'status', listener: (status: PoolStatus) => void): unknown;
  dispose(): Promise<void>;
}
