// The pool's scheduling with in-process fake workers (PoolOptions.createWorker): which worker gets which job when,
// prefetch, and cancellation of queued, prefetched and running jobs. No Python; the test decides when a job ends.
import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import { Pool, type PoolJob, type PoolResult, type PoolWorker } from '../../src/engine/pool/pool';
import type { WorkerExit } from '../../src/engine/pool/workerProcess';
import type { ReadyMessage, RunMessage, TaskMessage, ToWorker } from '../../src/protocol/worker';
import { until } from '../poll';

/** A worker that records what it is sent and answers its runs in pipe order when told to. */
class FakeWorker extends EventEmitter implements PoolWorker {
  private static nextPid = 1000;
  readonly pid = FakeWorker.nextPid++;
  readonly readyMessage: ReadyMessage = { t: 'ready', pid: this.pid, python: '3.11.0' };
  readonly ready = Promise.resolve(this.readyMessage);
  readonly exited: Promise<WorkerExit>;
  alive = true;
  killed = false;
  /** task keys received */
  readonly tasks: string[] = [];
  /** run messages received, in order */
  readonly runs: RunMessage[] = [];
  private answered = 0;
  private resolveExit!: (e: WorkerExit) => void;

  constructor(readonly slot: number) {
    super();
    this.exited = new Promise((r) => (this.resolveExit = r));
  }

  /** fn names of the runs received */
  get fns(): string[] {
    return this.runs.map((r) => r.fn);
  }

  send(msg: ToWorker): void {
    if (!this.alive) return;
    if (msg.t === 'task') this.tasks.push(msg.key);
    else if (msg.t === 'run') this.runs.push(msg);
    else if (msg.t === 'exit') this.die({ code: 0, signal: null });
  }

  hasTask(key: string): boolean {
    return this.tasks.includes(key);
  }

  clearStderrTail(): void {}

  stderrTail(): string {
    return '';
  }

  kill(): Promise<WorkerExit> {
    this.killed = true;
    this.die({ code: null, signal: 'SIGKILL' });
    return this.exited;
  }

  /** Answers the oldest unanswered run (the one the worker is running): ok, with its fn as stdout. */
  finish(): void {
    const run = this.runs[this.answered++];
    assert.ok(run, `worker ${this.slot} has no run to finish`);
    this.emit('message', { t: 'result', id: run.id, ok: true, ms: 1, outcome: { match: true }, stdout: run.fn });
  }

  private die(exit: WorkerExit): void {
    if (!this.alive) return;
    this.alive = false;
    setImmediate(() => {
      this.emit('exit', exit);
      this.resolveExit(exit);
    });
  }
}

const task = (key: string): TaskMessage => ({ t: 'task', key, train: [[[[1]], [[1]]]], test: [] });
const T1 = task('k1');

function job(fn: string, expectedMs?: number, t = T1): PoolJob {
  return { task: t, expectedMs, run: { file: '/w/solvers.py', fn, kind: 'I', taskId: 't', pair: 'demo', index: 0 } };
}

describe('pool scheduling (fake workers)', () => {
  let pool: Pool;
  let fakes: FakeWorker[];
  /** the current worker of a slot */
  const worker = (slot: number): FakeWorker => fakes.filter((f) => f.slot === slot).pop() as FakeWorker;

  async function start(workers: number): Promise<void> {
    fakes = [];
    pool = new Pool({
      python: 'python3',
      workerScript: '/nonexistent/main.py',
      roots: ['/w'],
      workers,
      timeoutMs: 60_000,
      memoryMB: 0,
      createWorker: (o) => {
        const w = new FakeWorker(o.id);
        fakes.push(w);
        return w;
      },
    });
    await pool.start();
  }

  afterEach(async () => {
    await pool.dispose();
  });

  /** What each job got: 'ok:<fn>' (its own answer), or the status. */
  const outcome = (r: PoolResult): string => (r.status === 'ok' ? `ok:${r.result?.stdout}` : r.status);

  it('runs unknown-duration jobs first in arrival order, then the longest expected first', async () => {
    await start(3);
    const blockers = [0, 1, 2].map((i) => pool.run(job(`b${i}`)));
    assert.deepEqual([0, 1, 2].map((i) => worker(i).fns), [['b0'], ['b1'], ['b2']]);
    const queued = [job('short', 1), job('long', 50), job('u1'), job('mid', 10), job('u2')].map((j) => pool.run(j));
    assert.equal(pool.status().queued, 5, 'below 2 x workers queued: nothing prefetched');
    for (let i = 0; i < 6; i++) worker(0).finish();
    assert.deepEqual(worker(0).fns, ['b0', 'u1', 'u2', 'long', 'mid', 'short']);
    assert.deepEqual([worker(1).fns, worker(2).fns], [['b1'], ['b2']]);
    worker(1).finish();
    worker(2).finish();
    assert.deepEqual((await Promise.all([...blockers, ...queued])).map(outcome), ['ok:b0', 'ok:b1', 'ok:b2', 'ok:short', 'ok:long', 'ok:u1', 'ok:mid', 'ok:u2']);
  });

  it('hands out stage by stage: a later-queued stage-0 job runs before queued stage-1 jobs, LPT within a stage', async () => {
    await start(1);
    const staged = (fn: string, stage: number, ms?: number): PoolJob => ({ ...job(fn, ms), stage });
    const blocker = pool.run(job('b'));
    const queued = [staged('s1-long', 1, 50), staged('s1-short', 1, 1), staged('s0-a', 0, 5), staged('s2', 2)].map((j) => pool.run(j));
    const late = pool.run(staged('s0-late', 0, 9));
    for (let i = 0; i < 6; i++) worker(0).finish();
    await Promise.all([blocker, ...queued, late]);
    // s0-a was prefetched behind b (5 queued > 2 x 1 worker) before s0-late came; s0-late still beats stage 1.
    assert.deepEqual(worker(0).fns, ['b', 's0-a', 's0-late', 's1-long', 's1-short', 's2']);
  });

  it('gives a job to an idle worker that already has its task, and sends each task once per worker', async () => {
    await start(2);
    const T2 = task('k2');
    const first = [pool.run(job('a', undefined, T1)), pool.run(job('b', undefined, T2))];
    assert.deepEqual([worker(0).tasks, worker(1).tasks], [['k1'], ['k2']]);
    worker(0).finish();
    worker(1).finish();
    await Promise.all(first);
    const c = pool.run(job('c', undefined, T2));
    assert.deepEqual([worker(0).fns, worker(1).fns], [['a'], ['b', 'c']], 'worker 1 has k2, although worker 0 is idle too');
    const d = pool.run(job('d', undefined, T2));
    assert.deepEqual(worker(0).fns, ['a', 'd'], 'the busy one cannot take it: the other worker does, after receiving the task');
    assert.deepEqual([worker(0).tasks, worker(1).tasks], [['k1', 'k2'], ['k2']]);
    worker(0).finish();
    worker(1).finish();
    assert.deepEqual((await Promise.all([c, d])).map(outcome), ['ok:c', 'ok:d']);
  });

  it('prefetches behind a busy worker only while the queue is longer than 2 x workers', async () => {
    await start(1);
    const jobs = [pool.run(job('running')), pool.run(job('q1')), pool.run(job('q2'))];
    assert.deepEqual(worker(0).fns, ['running'], 'a short queue: nothing prefetched');
    jobs.push(pool.run(job('q3')));
    assert.deepEqual(worker(0).fns, ['running', 'q1'], 'q1 written to the pipe behind the running job');
    assert.equal(pool.status().queued, 2);
    worker(0).finish();
    assert.deepEqual(worker(0).fns, ['running', 'q1'], 'q1 runs at once, without being sent again; the queue is short again');
    assert.equal(pool.status().workers[0].job, 'q1 demo[0]');
    worker(0).finish();
    assert.deepEqual(worker(0).fns, ['running', 'q1', 'q2']);
    worker(0).finish();
    worker(0).finish();
    assert.deepEqual((await Promise.all(jobs)).map(outcome), ['ok:running', 'ok:q1', 'ok:q2', 'ok:q3']);
  });

  it('cancels a queued job (never sent), a prefetched one (killed if it starts) and a running one (killed, respawned)', async () => {
    await start(1);
    const [acR, acA, acB, acC] = [0, 1, 2, 3].map(() => new AbortController());
    const r = pool.run(job('R'), acR.signal);
    const a = pool.run(job('A'), acA.signal);
    const b = pool.run(job('B'), acB.signal);
    const c = pool.run(job('C'), acC.signal);
    const first = worker(0);
    assert.deepEqual(first.fns, ['R', 'A'], 'A prefetched');

    acB.abort();
    assert.deepEqual(await b, { status: 'cancelled', ms: 0, workerId: -1 });
    assert.equal(pool.status().queued, 1);
    acA.abort();
    assert.deepEqual(await a, { status: 'cancelled', ms: 0, workerId: -1 });
    assert.equal(first.killed, false, 'a prefetched job is only killed if it starts');

    first.finish();
    assert.equal(outcome(await r), 'ok:R');
    assert.equal(first.killed, true, 'the cancelled prefetched job started: the worker is killed');
    await until('a respawned worker running C', () => worker(0) !== first && worker(0).fns.length === 1, 5_000, 1);
    assert.deepEqual(worker(0).fns, ['C']);
    acR.abort(); // settled already: nothing happens

    const second = worker(0);
    acC.abort();
    const rc = await c;
    assert.deepEqual([rc.status, rc.workerId, second.killed], ['cancelled', 0, true]);
    await until('the worker respawned again', () => worker(0) !== second && pool.status().workers[0].state === 'idle', 5_000, 1);
    const after = pool.run(job('after'));
    worker(0).finish();
    assert.equal(outcome(await after), 'ok:after');
    assert.ok(!fakes.some((f) => f.fns.includes('B')), 'B never reached a worker');
    assert.equal(pool.status().restarts, 2);
  });

  it('one abort cancels every job of its signal: running, prefetched and queued, and nothing else', async () => {
    await start(1);
    const ac = new AbortController();
    const mine = [0, 1, 2, 3, 4].map((i) => pool.run(job(`m${i}`, i === 0 ? undefined : i), ac.signal));
    const other = pool.run(job('other', 0.5));
    const first = worker(0);
    assert.deepEqual(first.fns, ['m0', 'm3'], 'm0 running; m3 prefetched, the longest queued once the queue grew long');
    ac.abort();
    assert.deepEqual((await Promise.all(mine)).map((x) => x.status), ['cancelled', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
    assert.equal(first.killed, true);
    await until('the respawned worker takes the other job', () => worker(0) !== first && worker(0).fns.length === 1, 5_000, 1);
    assert.deepEqual(worker(0).fns, ['other']);
    worker(0).finish();
    assert.equal(outcome(await other), 'ok:other');
  });
});
