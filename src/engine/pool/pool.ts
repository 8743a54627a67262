/**
 * The pool of persistent Python scoring workers: a priority queue of (candidate, task, pair) jobs, per-job time limits
 * (the solver's CPU time, enforced by the worker; wall-clock backstops that kill and respawn it: see limits.ts), crash
 * recovery, cancellation and a status feed for the UI.
 * Solver faults never reject: they come back as PoolResult statuses.
 */
import { EventEmitter } from 'node:events';
import * as os from 'node:os';
import type { FilesMessage, PhaseMessage, ResultMessage } from '../../protocol/worker';
import { SETTINGS } from '../../protocol/settings';
import { AbortWatch } from './abortWatch';
import { type TimeoutInfo, watchPhase } from './limits';
import { JobQueue } from './queue';
import { PoolSandbox } from './sandbox';
import type { PoolStatus, WorkerState } from './status';
import { type PoolJob, type PoolOptions, type PoolResult, type PoolWorker } from './types';
import { WorkerProcess, type WorkerExit, type WorkerProcessOptions } from './workerProcess';

export type { PoolStatus, WorkerState } from './status';
export { type JobPool, type PoolJob, type PoolOptions, type PoolResult, type PoolStatusKind, type PoolWorker } from './types';

/** Consecutive failed starts of one worker slot before it is given up. */
const MAX_START_FAILURES = 3;
/**
 * While more than PREFETCH_FACTOR x workers jobs are queued, each busy worker also gets the next job written to its
 * pipe, so it starts that job the moment it answers the current one instead of waiting for the round trip through
 * Node. For the typical ARC job (well under a millisecond) that round trip is most of the cost. Near the end of a run
 * (short queue) nothing is prefetched, so no job waits behind a long one while another worker is idle.
 */
const PREFETCH_FACTOR = 2;
/**
 * Killed or crashed workers are respawned at most this many at a time: after a stale run is cancelled, four Python
 * processes starting at once on two cores all become ready late; staggered, the first is ready in about half the
 * time and takes the new run's first job.
 */
const PARALLEL_RESPAWNS = Math.max(1, Math.floor(os.cpus().length / 2));
/** How long dispose() lets workers exit on their own before killing them. */
const EXIT_GRACE_MS = 200;

interface Pending {
  job: PoolJob;
  resolve: (r: PoolResult) => void;
  reject: (e: Error) => void;
  signal?: AbortSignal;
  settled: boolean;
  slot?: Slot;
}

interface Active {
  pending: Pending;
  id: number;
  /** when the watch was (re)started: the job's start, the start of its module import, the start of the call */
  startedAt: number;
  stopWatch?: () => void;
  /** the wall-clock limit that fired */
  timedOut?: TimeoutInfo;
  killedFor?: 'timeout' | 'cancelled';
}

interface Slot {
  id: number;
  proc?: PoolWorker;
  state: WorkerState['state'];
  job?: Active;
  /** a job already written to the worker's pipe behind the running one (see PREFETCH_FACTOR) */
  next?: { pending: Pending; id: number };
  restarts: number;
  jobsDone: number;
  startFailures: number;
}

export declare interface Pool {
  on(event: 'status', listener: (status: PoolStatus) => void): this;
}

export class Pool extends EventEmitter {
  private readonly aborts = new AbortWatch<Pending>((jobs) => this.cancelMany(jobs));
  private readonly opts: PoolOptions;
  private readonly slots: Slot[] = [];
  private readonly queue = new JobQueue<Pending>((p) => p.job.expectedMs, (p) => p.job.stage);
  private files: FilesMessage | undefined;
  private nextId = 0;
  private restarts = 0;
  private python: string | undefined;
  private disposed = false;
  private broken: Error | undefined;
  private startWaiter: { resolve: () => void; reject: (e: Error) => void } | undefined;
  /** the workers' sandbox: what it grants in the workspace (fixed for the pool's life), what they reported */
  readonly sandbox: PoolSandbox;

  constructor(opts: PoolOptions) {
    super();
    this.opts = { ...opts, workers: Math.max(1, Math.floor(opts.workers || SETTINGS.workers.default)) };
    this.sandbox = new PoolSandbox(opts.roots, opts.sandbox ?? { enabled: true }, opts.pycacheDir);
    for (let id = 0; id < this.opts.workers; id++) {
      this.slots.push({ id, state: 'dead', restarts: 0, jobsDone: 0, startFailures: 0 });
    }
  }

  /** Spawns all workers; resolves when all are ready, rejects (and stops the pool) if one cannot start. */
  start(): Promise<void> {
    const started = new Promise<void>((resolve, reject) => (this.startWaiter = { resolve, reject }));
    for (const slot of this.slots) this.spawn(slot);
    return started;
  }

  /** Broadcast to live workers now and remember for respawned ones. */
  setFiles(files: FilesMessage['files']): void {
    this.files = { t: 'files', files: this.sandbox.withSources(files) };
    for (const slot of this.slots) if (slot.state === 'idle' || slot.state === 'busy') slot.proc?.send(this.files);
  }

  run(job: PoolJob, signal?: AbortSignal): Promise<PoolResult> {
    if (this.broken) return Promise.reject(this.broken);
    if (this.disposed || signal?.aborted) return Promise.resolve(cancelled());
    return new Promise<PoolResult>((resolve, reject) => {
      const pending: Pending = { job, resolve, reject, signal, settled: false };
      if (signal) this.aborts.add(signal, pending);
      this.queue.push(pending);
      this.dispatch();
      this.changed();
    });
  }

  /** Drops queued jobs and kills running ones (all resolve 'cancelled'); killed workers are respawned. */
  cancelAll(): void {
    this.cancelEverything();
    this.changed();
  }

  status(): PoolStatus {
    let running = 0;
    const workers = this.slots.map((s): WorkerState => {
      if (s.job) running++;
      const w: WorkerState = { id: s.id, pid: s.proc?.pid, state: s.state, restarts: s.restarts, jobsDone: s.jobsDone };
      if (s.job) w.job = describe(s.job.pending.job);
      return w;
    });
    return { workers, queued: this.queue.length, running, restarts: this.restarts, python: this.python };
  }

  /** Sends exit, waits 200 ms, then SIGKILLs every worker's process group; resolves when none is left. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.startWaiter?.reject(new Error('worker pool disposed before it started'));
    this.startWaiter = undefined;
    const procs = this.slots.map((s) => s.proc).filter((p): p is PoolWorker => p !== undefined);
    this.cancelEverything();
    for (const proc of procs) proc.send({ t: 'exit' });
    const all = Promise.all(procs.map((p) => p.exited));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, EXIT_GRACE_MS)))]);
    clearTimeout(timer);
    await Promise.all(procs.map((p) => p.kill()));
    this.changed();
  }

  private cancelEverything(): void {
    for (const p of this.queue.drain()) this.settle(p, cancelled());
    for (const slot of this.slots) {
      if (slot.next) this.settle(slot.next.pending, cancelled());
      if (slot.job) this.killJob(slot, 'cancelled');
    }
  }

  private spawn(slot: Slot): void {
    const create = this.opts.createWorker ?? ((o: WorkerProcessOptions) => new WorkerProcess(o));
    const proc = create({
      id: slot.id,
      python: this.opts.python,
      script: this.opts.workerScript,
      roots: this.opts.roots,
      memoryMB: this.opts.memoryMB,
      pycacheDir: this.opts.pycacheDir,
      sandbox: this.sandbox.workerPolicy(),
      hashSeed: this.opts.hashSeed,
      onLog: this.opts.onLog,
    });
    slot.proc = proc;
    slot.state = 'starting';
    proc.on('message', (msg) => {
      if (msg.t === 'result') this.onResult(slot, proc, msg);
      else if (msg.t === 'phase') this.onPhase(slot, proc, msg);
    });
    proc.on('exit', (exit) => this.onExit(slot, proc, exit));
    proc.ready.then(
      (ready) => {
        if (slot.proc !== proc || this.disposed) return;
        this.python = ready.python;
        this.sandbox.reported(ready.sandbox, (line) => this.opts.onLog?.(slot.id, 'worker', line));
        slot.startFailures = 0;
        slot.state = 'idle';
        if (this.files) proc.send(this.files);
        this.startQueued();
        if (this.startWaiter && this.slots.every((s) => s.state === 'idle' || s.state === 'busy')) {
          this.startWaiter.resolve();
          this.startWaiter = undefined;
        }
        this.dispatch();
        this.changed();
      },
      (err: Error) => this.onStartFailure(slot, proc, err),
    );
    this.changed();
  }

  private onStartFailure(slot: Slot, proc: PoolWorker, err: Error): void {
    if (slot.proc !== proc || this.disposed) return;
    slot.state = 'dead';
    this.startQueued();
    slot.startFailures++;
    this.opts.onLog?.(slot.id, 'worker', `worker failed to start: ${err.message}`);
    if (this.startWaiter) {
      this.startWaiter.reject(err);
      this.startWaiter = undefined;
      void this.dispose();
      return;
    }
    if (slot.startFailures < MAX_START_FAILURES) {
      slot.restarts++;
      this.restarts++;
      this.respawn(slot);
      return;
    }
    if (this.slots.every((s) => s.state === 'dead')) {
      this.broken = new Error(`batt workers stopped: a worker failed to start ${MAX_START_FAILURES} times in a row: ${err.message}`);
      for (const p of this.queue.drain()) this.settle(p, this.broken);
    }
    this.changed();
  }

  private onResult(slot: Slot, proc: PoolWorker, msg: ResultMessage): void {
    const active = slot.job;
    if (slot.proc !== proc || !active || active.id !== msg.id || active.killedFor) return;
    active.stopWatch?.();
    slot.job = undefined;
    slot.state = 'idle';
    slot.jobsDone++;
    const r: PoolResult = { status: msg.ok ? 'ok' : 'error', result: msg, ms: msg.ms, workerId: slot.id };
    this.settle(active.pending, msg.timedOut ? { ...r, status: 'timeout', timeout: { by: 'cpu', limitMs: this.opts.timeoutMs } } : r);
    const next = slot.next;
    if (next) {
      // The worker has already started the prefetched job.
      slot.next = undefined;
      proc.clearStderrTail();
      this.activate(slot, next.pending, next.id);
      if (next.pending.settled) this.killJob(slot, 'cancelled'); // cancelled while it waited in the pipe
    }
    this.dispatch();
    this.changed();
  }

  private onExit(slot: Slot, proc: PoolWorker, exit: WorkerExit): void {
    if (slot.proc !== proc || !proc.readyMessage) return; // start failures are handled by onStartFailure
    const active = slot.job;
    slot.job = undefined;
    slot.state = 'dead';
    const next = slot.next;
    slot.next = undefined;
    if (next && !next.pending.settled) {
      next.pending.slot = undefined;
      if (this.broken) this.settle(next.pending, this.broken);
      else if (this.disposed) this.settle(next.pending, cancelled());
      else this.queue.pushFront(next.pending); // never started: back to the front of the queue for another worker
    }
    if (active) {
      active.stopWatch?.();
      const ms = Date.now() - active.startedAt;
      if (active.killedFor === 'timeout') {
        this.settle(active.pending, { status: 'timeout', ms, workerId: slot.id, timeout: active.timedOut });
      } else if (active.killedFor) {
        this.settle(active.pending, { status: active.killedFor, ms, workerId: slot.id });
      } else {
        const tail = proc.stderrTail();
        this.settle(active.pending, { status: 'crash', ms, exit, workerId: slot.id, stderrTail: tail || undefined });
      }
    }
    if (!this.disposed && !this.broken) {
      slot.restarts++;
      this.restarts++;
      this.respawn(slot);
    }
    this.changed();
  }

  private readonly respawnQueue: Slot[] = [];

  private respawn(slot: Slot): void {
    if (this.slots.filter((s) => s.state === 'starting').length < PARALLEL_RESPAWNS) this.spawn(slot);
    else if (!this.respawnQueue.includes(slot)) this.respawnQueue.push(slot);
  }

  /** A worker finished starting (or failed to): start the next queued respawn. */
  private startQueued(): void {
    while (this.respawnQueue.length && !this.disposed && !this.broken && this.slots.filter((s) => s.state === 'starting').length < PARALLEL_RESPAWNS) {
      this.spawn(this.respawnQueue.shift() as Slot);
    }
  }

  private dispatch(): void {
    if (this.disposed) return;
    for (;;) {
      const idle = this.slots.filter((s) => s.state === 'idle' && s.proc?.alive);
      const next = this.queue.peek();
      if (!next) return;
      if (idle.length === 0) return this.prefetch();
      this.queue.shift();
      const key = next.job.task.key;
      this.assign(idle.find((s) => s.proc?.hasTask(key)) ?? idle[0], next);
    }
  }

  private prefetch(): void {
    for (const slot of this.slots) {
      if (this.queue.length <= PREFETCH_FACTOR * this.slots.length) return;
      if (slot.state !== 'busy' || slot.next || !slot.job || slot.job.killedFor || !slot.proc?.alive) continue;
      this.assign(slot, this.queue.shift() as Pending, true);
    }
  }

  private assign(slot: Slot, pending: Pending, prefetched = false): void {
    const proc = slot.proc as PoolWorker;
    const { task, run } = pending.job;
    if (!proc.hasTask(task.key)) proc.send(task);
    const id = ++this.nextId;
    pending.slot = slot;
    if (prefetched) {
      proc.send({ ...run, t: 'run', id, task: task.key, limitMs: this.opts.timeoutMs });
      slot.next = { pending, id };
      return;
    }
    proc.clearStderrTail();
    proc.send({ ...run, t: 'run', id, task: task.key, limitMs: this.opts.timeoutMs });
    this.activate(slot, pending, id);
  }

  /** The job the worker is running now: its wall-clock backstop starts here. */
  private activate(slot: Slot, pending: Pending, id: number): void {
    slot.state = 'busy';
    slot.job = { pending, id, startedAt: 0 };
    this.arm(slot, slot.job, 'call');
  }

  /** The running job imports its module (its own wall-clock budget), then calls (the backstop starts afresh). */
  private onPhase(slot: Slot, proc: PoolWorker, msg: PhaseMessage): void {
    const active = slot.job;
    if (slot.proc !== proc || !active || active.id !== msg.id || active.killedFor) return;
    this.arm(slot, active, msg.phase);
  }

  /** (Re)starts the job's wall-clock watch from now, for its module import or its call (see limits.ts). */
  private arm(slot: Slot, active: Active, phase: 'import' | 'call'): void {
    active.stopWatch?.();
    active.startedAt = Date.now();
    active.stopWatch = watchPhase(phase, this.opts.timeoutMs, slot.proc as PoolWorker, (t) => {
      active.timedOut = t;
      if (slot.job === active) this.killJob(slot, 'timeout');
    });
  }

  private killJob(slot: Slot, reason: 'timeout' | 'cancelled'): void {
    const active = slot.job;
    if (!active || active.killedFor) return;
    active.killedFor = reason;
    active.stopWatch?.();
    void slot.proc?.kill(); // settled in onExit
  }

  private cancel(pending: Pending): void {
    if (pending.settled) return;
    if (this.queue.remove(pending)) {
      this.settle(pending, cancelled());
      this.changed();
      return;
    }
    const slot = pending.slot;
    if (slot?.job?.pending === pending) this.killJob(slot, 'cancelled');
    else if (slot?.next?.pending === pending) this.settle(pending, cancelled()); // killed if it ever starts
  }

  /** Cancels many jobs at once (a run's abort): one pass over the queues instead of a search per job. */
  private cancelMany(jobs: Set<Pending>): void {
    for (const p of this.queue.removeAll(jobs)) this.settle(p, cancelled());
    for (const p of jobs) if (!p.settled) this.cancel(p);
    this.changed();
  }

  /** Resolves a job with its result, or rejects it with an Error (the pool is broken); once. */
  private settle(p: Pending, r: PoolResult | Error): void {
    if (p.settled) return;
    p.settled = true;
    if (p.signal) this.aborts.delete(p.signal, p);
    if (r instanceof Error) p.reject(r);
    else p.resolve(r);
  }

  private changed(): void {
    if (this.listenerCount('status') > 0) this.emit('status', this.status());
  }
}

function describe(job: PoolJob): string {
  return `${job.run.fn} ${job.run.pair}[${job.run.index}]`;
}

/** The result of a job cancelled before it reached a worker (or while it waited in a worker's pipe). */
function cancelled(): PoolResult {
  return { status: 'cancelled', ms: 0, workerId: -1 };
}
