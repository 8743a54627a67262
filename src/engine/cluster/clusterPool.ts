/**
 * The cluster backend: the same JobPool a run uses for the local Pool (pool/types.ts), with the jobs sent to a Dask
 * distributed scheduler through the coordinator process (coordinator.ts) instead of local workers.
 *
 * Jobs handed to run() in one turn of the event loop (a run's first jobs, or those a batch's results made due) are
 * packed into batches (batches.ts); each task is sent once; the workspace's files when they change. A job settles once:
 * results for a job already settled (cancelled, or answered by a batch the scheduler ran again after its worker died)
 * are dropped. Cancelling a job settles it 'cancelled' at once; a batch whose jobs are all cancelled is cancelled on
 * the cluster. Solver faults are results; a batch the cluster could not run rejects its jobs with an Error (a
 * ConfigError for a version mismatch), and so does every job after the coordinator died.
 */
import { EventEmitter } from 'node:events';
import { CLUSTER_PROTOCOL, type BatchDoneMessage, type ClusterRunInfo, type ClusterStatus, type ClusterWorker, type ClusterWorkerInfo, type FromCoordinator } from '../../protocol/cluster';
import type { FilesMessage, SandboxState, TaskMessage } from '../../protocol/worker';
import { AbortWatch } from '../pool/abortWatch';
import type { PoolStatus } from '../pool/status';
import type { JobPool, PoolJob, PoolResult } from '../pool/types';
import { makeBatches } from './batches';
import { ConnectError, Coordinator, type CoordinatorOptions } from './coordinator';

export interface ClusterPoolOptions extends Omit<CoordinatorOptions, 'onLog'> {
  /** a setup problem (unreachable scheduler, versions that differ) as the error the run throws: a ConfigError naming
   *  the setting the address came from */
  configError: (kind: 'start' | 'connect' | 'version', message: string) => Error;
  onLog?: (line: string) => void;
}

interface Pending {
  id: number;
  job: PoolJob;
  resolve: (r: PoolResult) => void;
  reject: (e: Error) => void;
  signal?: AbortSignal;
  settled: boolean;
  batch?: Batch;
}

interface Batch {
  id: number;
  jobs: Pending[];
  /** jobs not settled yet */
  live: number;
}

export declare interface ClusterPool {
  on(event: 'status', listener: (status: PoolStatus) => void): this;
}

export class ClusterPool extends EventEmitter implements JobPool {
  private readonly aborts = new AbortWatch<Pending>((jobs) => this.cancelMany(jobs));
  private coordinator?: Coordinator;
  private readonly queue: Pending[] = [];
  private flushing = false;
  private readonly jobs = new Map<number, Pending>();
  private readonly batches = new Map<number, Batch>();
  private readonly sentTasks = new Set<string>();
  private nextJob = 0;
  private nextBatch = 0;
  private info?: { scheduler: string; distributed: string };
  private workers: ClusterWorker[] = [];
  private readonly done = new Map<string, { batches: number; jobsDone: number }>();
  private run0 = { batches: 0, jobs: 0, submit: 0, queue: 0, run: 0, gather: 0 };
  private python?: string;
  private broken?: Error;
  private disposed = false;
  /** what the Dask workers' scoring workers reported of their sandbox (the engine's warning reads it) */
  readonly sandbox: { state: SandboxState | undefined; stale(): boolean } = { state: undefined, stale: () => false };

  constructor(private readonly opts: ClusterPoolOptions) {
    super();
  }

  /** Connects to the scheduler; rejects with opts.configError when it cannot, or the versions differ. */
  async start(): Promise<void> {
    const c = new Coordinator({ ...this.opts, onLog: this.opts.onLog });
    this.coordinator = c;
    c.on('message', (m) => this.onMessage(m));
    c.on('exit', (how) => this.onExit(how));
    let connected;
    try {
      connected = await c.connected;
    } catch (e) {
      await c.close();
      throw e instanceof ConnectError ? this.opts.configError(e.kind, e.message) : e;
    }
    if (connected.protocol !== CLUSTER_PROTOCOL) {
      await c.close();
      throw this.opts.configError('version', `the cluster coordinator speaks batt cluster protocol ${connected.protocol}, this batt ${CLUSTER_PROTOCOL}: reinstall batt`);
    }
    this.info = { scheduler: connected.scheduler, distributed: connected.distributed };
    this.workers = connected.workers;
    this.changed();
  }

  setFiles(files: FilesMessage['files']): void {
    const plain: FilesMessage['files'] = {};
    for (const [p, f] of Object.entries(files)) plain[p] = { sha: f.sha, deps: f.deps };
    this.coordinator?.send({ t: 'files', files: plain });
  }

  run(job: PoolJob, signal?: AbortSignal): Promise<PoolResult> {
    if (this.broken) return Promise.reject(this.broken);
    if (this.disposed || signal?.aborted) return Promise.resolve(cancelled());
    return new Promise<PoolResult>((resolve, reject) => {
      const p: Pending = { id: ++this.nextJob, job, resolve, reject, signal, settled: false };
      if (signal) this.aborts.add(signal, p);
      this.jobs.set(p.id, p);
      this.queue.push(p);
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => this.flush());
      }
    });
  }

  cancelAll(): void {
    this.cancelMany(new Set(this.jobs.values()));
  }

  status(): PoolStatus {
    const workers = this.clusterWorkers().map((w, id) => ({
      id,
      state: w.processing > 0 ? ('busy' as const) : ('idle' as const),
      restarts: 0,
      jobsDone: w.jobsDone,
    }));
    const inBatches = [...this.batches.values()].reduce((n, b) => n + b.live, 0);
    return { workers, queued: this.queue.length, running: inBatches, restarts: 0, python: this.python, cluster: this.clusterStatus() };
  }

  /** The scheduler and its workers, with what this client ran on each. */
  clusterStatus(): ClusterStatus {
    return { scheduler: this.info?.scheduler ?? this.opts.scheduler, distributed: this.info?.distributed ?? '', workers: this.clusterWorkers() };
  }

  /** The cluster part of a run's report: batches and phase times since the last call (the last run's). */
  takeRunInfo(): ClusterRunInfo {
    const r = this.run0;
    this.run0 = { batches: 0, jobs: 0, submit: 0, queue: 0, run: 0, gather: 0 };
    const ms = (x: number) => Math.round(x * 1000) / 1000;
    const phases = (['submit', 'queue', 'run', 'gather'] as const).map((name) => ({ name, ms: ms(r[name]) }));
    return { ...this.clusterStatus(), batches: r.batches, jobs: r.jobs, phases };
  }

  /** RunJson.pool's cluster part: its Dask threads as the workers, and takeRunInfo() */
  runPoolInfo(): { workers: number; cluster: ClusterRunInfo } {
    return { workers: this.threads(), cluster: this.takeRunInfo() };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.cancelAll();
    await this.coordinator?.close();
    this.changed();
  }

  private clusterWorkers(): ClusterWorkerInfo[] {
    return this.workers.map((w) => ({ ...w, ...(this.done.get(w.address) ?? { batches: 0, jobsDone: 0 }) }));
  }

  private threads(): number {
    return Math.max(1, this.workers.reduce((n, w) => n + w.nthreads, 0));
  }

  /** Sends the jobs queued in this turn of the event loop as batches (their tasks first, once). */
  private flush(): void {
    this.flushing = false;
    const todo = this.queue.splice(0).filter((p) => !p.settled);
    if (!todo.length || !this.coordinator) return;
    for (const jobs of makeBatches(todo, this.threads(), (p) => ({ stage: p.job.stage ?? 0, expectedMs: p.job.expectedMs }))) {
      const batch: Batch = { id: ++this.nextBatch, jobs, live: jobs.length };
      this.batches.set(batch.id, batch);
      for (const p of jobs) {
        p.batch = batch;
        this.sendTask(p.job.task);
      }
      const wire = jobs.map((p) => ({ ...p.job.run, id: p.id, task: p.job.task.key }));
      this.coordinator.send({ t: 'batch', id: batch.id, jobs: wire, priority: -(jobs[0].job.stage ?? 0) });
    }
    this.changed();
  }

  private sendTask(task: TaskMessage): void {
    if (this.sentTasks.has(task.key)) return;
    this.sentTasks.add(task.key);
    this.coordinator?.send(task);
  }

  private onMessage(m: FromCoordinator): void {
    if (m.t === 'batchDone') this.onBatchDone(m);
    else if (m.t === 'batchFailed') {
      const batch = this.batches.get(m.id);
      this.batches.delete(m.id);
      const error = m.kind === 'version' ? this.opts.configError('version', m.message) : new Error(`the cluster could not run a batch: ${m.message}`);
      if (m.kind === 'version') this.fail(error);
      for (const p of batch?.jobs ?? []) this.settle(p, error);
      this.changed();
    } else if (m.t === 'workers') {
      this.workers = m.workers;
      this.changed();
    }
  }

  private onBatchDone(m: BatchDoneMessage): void {
    const batch = this.batches.get(m.id);
    if (!batch) return; // cancelled
    this.batches.delete(m.id);
    const workerId = this.workers.findIndex((w) => w.address === m.worker);
    for (const r of m.results) {
      const p = this.jobs.get(r.id);
      if (p) this.settle(p, { ...r, workerId });
    }
    for (const p of batch.jobs) this.settle(p, cancelled()); // none, unless the batch stopped early
    if (m.sandbox) this.sandbox.state = m.sandbox;
    if (m.python) this.python = m.python;
    const d = this.done.get(m.worker) ?? { batches: 0, jobsDone: 0 };
    this.done.set(m.worker, { batches: d.batches + 1, jobsDone: d.jobsDone + m.results.length });
    const t = m.timing;
    const r = this.run0;
    this.run0 = { batches: r.batches + 1, jobs: r.jobs + m.results.length, submit: r.submit + t.submitMs, queue: r.queue + t.queueMs, run: r.run + t.runMs, gather: r.gather + t.gatherMs };
    this.changed();
  }

  private onExit(how: string): void {
    if (this.disposed) return;
    this.fail(new Error(`the cluster coordinator ${how}`));
  }

  /** The pool is broken: every job still out rejects, and so does every later run(). */
  private fail(e: Error): void {
    this.broken ??= e;
    for (const p of [...this.jobs.values()]) this.settle(p, this.broken);
    this.batches.clear();
    this.changed();
  }

  private cancelMany(jobs: Set<Pending>): void {
    const emptied: number[] = [];
    for (const p of jobs) {
      if (p.settled) continue;
      const b = p.batch;
      this.settle(p, cancelled());
      if (b && b.live === 0 && this.batches.delete(b.id)) emptied.push(b.id);
    }
    if (emptied.length) this.coordinator?.send({ t: 'cancel', ids: emptied });
    this.changed();
  }

  private settle(p: Pending, r: PoolResult | Error): void {
    if (p.settled) return;
    p.settled = true;
    this.jobs.delete(p.id);
    if (p.batch) p.batch.live--;
    if (p.signal) this.aborts.delete(p.signal, p);
    if (r instanceof Error) p.reject(r);
    else p.resolve(r);
  }

  private changed(): void {
    if (this.listenerCount('status') > 0) this.emit('status', this.status());
  }
}

function cancelled(): PoolResult {
  return { status: 'cancelled', ms: 0, workerId: -1 };
}
