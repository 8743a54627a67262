// The worker pool over real Python processes: verdicts per faulty fixture, timeouts, crashes, cancellation, cleanup.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Backstop } from '../../src/engine/pool/limits';
import { Pool, type PoolJob, type PoolOptions, type PoolResult } from '../../src/engine/pool/pool';
import { until } from '../poll';
import { FAULTY, isAlive, loadTask, PYTHON, SCRIPT } from '../workerFixtures';



const TASK = loadTask('68b16354');
/** CPU-bound, sleeping and slow-to-import solvers for the time limits. */
const TIMEOUTS = fs.realpathSync(path.join(__dirname, '..', 'fixtures', 'timeouts'));
const INPUT = TASK.train[0][0];

function job(file: string, fn: string, extra: Partial<PoolJob['run']> = {}, root = FAULTY): PoolJob {
  return { task: TASK, run: { file: path.join(root, file), fn, kind: 'I', taskId: '68b16354', pair: 'demo', index: 0, ...extra } };
}

/** 1-based line of the first line containing `text` in a fixture file. */
function lineOf(file: string, text: string): number {
  const i = fs.readFileSync(path.join(FAULTY, file), 'utf8').split('\n').findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `${text} not in ${file}`);
  return i + 1;
}


/** Every pool made here, and every worker pid it ever reported, for the no-process-left checks. */
const pools: Pool[] = [];
const pids = new Set<number>();
function makePool(opts: Partial<PoolOptions> = {}): Pool {
  const pool = new Pool({ python: PYTHON, workerScript: SCRIPT, roots: [FAULTY], workers: 2, timeoutMs: 10000, memoryMB: 1024, ...opts });
  pool.on('status', (s) => s.workers.forEach((w) => w.pid !== undefined && pids.add(w.pid)));
  pools.push(pool);
  return pool;
}

describe('the wall-clock backstop of a call (1 s limit: 3x + 1 s = 4 s)', () => {
  it('kills a call that is not computing at 4 s, and where the CPU time is unknown', () => {
    const b = new Backstop(1000);
    assert.deepEqual([b.firstMs, b.look(150, 1000)], [1000, { againInMs: 3000 }]);
    assert.deepEqual(b.look(160, 4000), { kill: { by: 'wall', limitMs: 4000 } }, 'a sleep: 10 ms of CPU in 3 s');
    const blind = new Backstop(1000);
    assert.deepEqual([blind.look(undefined, 1010), blind.look(undefined, 4000)], [{ againInMs: 2990 }, { kill: { by: 'wall', limitMs: 4000 } }]);
  });

  it('leaves a starved CPU-bound call to the worker\'s CPU timer, until it is a second past the limit in CPU time', () => {
    const b = new Backstop(1000);
    b.look(0, 1000);
    assert.deepEqual(b.look(600, 4000), { againInMs: 1000 }, 'a fifth of a core: still computing');
    assert.deepEqual(b.look(800, 5000), { againInMs: 1000 });
    assert.deepEqual(b.look(2001, 6000), { kill: { by: 'cpu', limitMs: 1000 } }, 'inside C, or swallowing every exception');
    const later = new Backstop(1000);
    later.look(0, 1000);
    later.look(900, 4000);
    assert.deepEqual(later.look(905, 5000), { kill: { by: 'wall', limitMs: 5000 } }, 'computed, then slept: the extended deadline');
    const poller = new Backstop(1000);
    let r = poller.look(0, 1000);
    let at = 1000;
    for (let n = 0; n < 100 && 'againInMs' in r; n++) {
      at += r.againInMs;
      r = poller.look(at * 0.03, at); // 3% of a core, forever: a sleep(0.01) loop
    }
    assert.deepEqual(r, { kill: { by: 'wall', limitMs: 40000 } }, 'stretched at most 10-fold');
  });
});

describe('worker pool (real Python workers)', function () {
  this.timeout(90000);

  after(async () => {
    await Promise.all(pools.map((p) => p.dispose()));
  });

  it('gives the exact verdict and message for every faulty fixture (4 workers, all at once)', async () => {
    const pool = makePool({ workers: 4, memoryMB: 512 });
    await pool.start();
    const flipped = INPUT.map((r) => [...r].reverse());
    const solvers = path.join(FAULTY, 'solvers.py');
    const dsl = path.join(FAULTY, 'dsl.py');
    const cases: Array<[PoolJob, (r: PoolResult) => void]> = [
      [job('solvers.py', 'solve_68b16354'), (r) => assert.deepEqual(r.result?.outcome, { match: true })],
      [job('solvers.py', 'solve_68b16354', { pair: 'test', index: 0 }), (r) => assert.deepEqual(r.result?.outcome, { match: true })],
      [job('solvers.py', 'solve_68b16354_lists'), (r) => assert.deepEqual(r.result?.outcome, { match: true })],
      [job('solvers.py', 'solve_68b16354_array'), (r) => assert.deepEqual(r.result?.outcome, { match: true })],
      [job('solvers.py', 'solve_68b16354_sic', { kind: 'SIC' }), (r) => assert.deepEqual(r.result?.outcome, { match: true })],
      [job('solvers.py', 'solve_68b16354_wrong'), (r) => assert.deepEqual(r.result?.outcome, { match: false, output: flipped })],
      [job('solvers.py', 'solve_68b16354_shape'), (r) => assert.deepEqual(r.result?.outcome, { match: false, output: INPUT.slice(0, 2).map((row) => row.slice(0, 2)) })],
      [job('solvers.py', 'solve_none'), (r) => assert.deepEqual(r.result?.outcome, { match: false, invalid: 'returned NoneType' })],
      [job('solvers.py', 'solve_int'), (r) => assert.deepEqual(r.result?.outcome, { match: false, invalid: 'returned int 5' })],
      [job('solvers.py', 'solve_empty'), (r) => assert.deepEqual(r.result?.outcome, { match: false, invalid: 'returned an empty grid' })],
      [job('solvers.py', 'solve_ragged'), (r) => assert.deepEqual(r.result?.outcome, { match: false, invalid: 'returned a ragged grid: row 2 has 3 cells, expected 4' })],
      [job('solvers.py', 'solve_huge'), (r) => assert.deepEqual(r.result?.outcome, { match: false, invalid: 'returned a 1000x1000 grid (largest allowed is 30x30)' })],
      [job('solvers.py', 'solve_bool'), (r) => assert.deepEqual(r.result?.outcome, { match: false, invalid: 'returned a grid with a bool at row 0, column 0' })],
      [job('solvers.py', 'solve_value10'), (r) => assert.deepEqual(r.result?.outcome, { match: false, invalid: 'returned a grid with value 10 at row 0, column 3' })],
      [job('solvers.py', 'solve_str'), (r) => assert.deepEqual(r.result?.outcome, { match: false, invalid: 'returned a grid with a str at row 1, column 0' })],
      [job('solvers.py', 'solve_stdin'), (r) => assert.deepEqual(r.result?.outcome, { match: false, output: [[0]] })],
      [job('solvers.py', 'solve_68b16354_deep'), (r) => {
        const e = r.result?.error;
        assert.equal(r.status, 'error');
        assert.deepEqual({ ...e, traceback: undefined }, {
          type: 'StopIteration', message: '', file: solvers, line: lineOf('solvers.py', 'O = leastcolor_first(x1)'),
          dslFunc: 'first', dslFile: dsl, dslLine: lineOf('dsl.py', 'return next(iter(container))'), traceback: undefined,
        });
        assert.match(e?.traceback ?? '', /in leastcolor_first[\s\S]*in first/);
      }],
      [job('solvers.py', 'solve_mutate'), (r) => {
        assert.equal(r.result?.error?.type, 'TypeError');
        assert.equal(r.result?.error?.message, "'tuple' object does not support item assignment");
        assert.equal(r.result?.error?.line, lineOf('solvers.py', 'I[0][0] = 5'));
      }],
      [job('solvers.py', 'solve_exit'), (r) => assert.deepEqual([r.status, r.result?.error?.type, r.result?.error?.message], ['error', 'SystemExit', '2'])],
      [job('solvers.py', 'solve_kbd'), (r) => assert.deepEqual([r.status, r.result?.error?.type], ['error', 'KeyboardInterrupt'])],
      [job('solvers.py', 'solve_recursion'), (r) => {
        assert.equal(r.result?.error?.type, 'RecursionError');
        assert.equal(r.result?.error?.line, lineOf('solvers.py', 'return _down(n + 1)'));
        assert.ok((r.result?.error?.traceback.length ?? 0) <= 4096);
      }],
      [job('solvers.py', 'solve_68b16354_print'), (r) => {
        assert.deepEqual(r.result?.outcome, { match: true });
        assert.equal(r.result?.stdout, 'x'.repeat(8192));
        assert.equal(r.result?.stderr, 'e'.repeat(8192));
        assert.equal(r.result?.truncated, true);
      }],
      [job('hog.py', 'solve_hog'), (r) => assert.deepEqual([r.status, r.result?.error?.type, r.result?.error?.line], ['error', 'MemoryError', 2])],
      [job('broken.py', 'solve_broken'), (r) => {
        assert.deepEqual([r.status, r.result?.error?.type, r.result?.error?.file, r.result?.error?.line], ['error', 'SyntaxError', path.join(FAULTY, 'broken.py'), 2]);
      }],
      [job('baddsl_user.py', 'solve_x'), (r) => {
        const e = r.result?.error;
        assert.deepEqual([e?.type, e?.file, e?.line, e?.dslFile, e?.dslLine], ['ZeroDivisionError', path.join(FAULTY, 'baddsl_user.py'), 1, path.join(FAULTY, 'baddsl.py'), 2]);
      }],
      [job('solvers.py', 'solve_missing'), (r) => assert.deepEqual([r.status, r.result?.error?.type], ['error', 'MissingFunction'])],
      [{ ...job('x.py', 'solve'), run: { ...job('x.py', 'solve').run, file: SCRIPT } }, (r) => assert.equal(r.result?.error?.type, 'ImportRefused')],
    ];
    const results = await Promise.all(cases.map(([j]) => pool.run(j)));
    results.forEach((r, i) => {
      const name = cases[i][0].run.fn;
      assert.ok(r.status === 'ok' || r.status === 'error', `${name}: ${r.status}`);
      assert.ok(r.workerId >= 0 && r.workerId < 4);
      try {
        cases[i][1](r);
      } catch (err) {
        throw new Error(`${name}: ${(err as Error).message}\n${JSON.stringify(r.result)}`);
      }
    });
  });

  it('kills a job at the wall-clock backstop, respawns, and serves the next job; a solver\'s child process dies too', async () => {
    const lines: string[] = [];
    const pool = makePool({ workers: 1, timeoutMs: 1500, roots: [FAULTY, TIMEOUTS], onLog: (_id, _s, l) => lines.push(l) });
    await pool.start();
    const firstPid = pool.status().workers[0].pid;
    const r = await pool.run(job('sleepy.py', 'solve_fa000001_orphan_sleep', {}, TIMEOUTS));
    assert.equal(r.status, 'timeout');
    assert.deepEqual(r.timeout, { by: 'wall', limitMs: 3 * 1500 + 1000 }, 'a sleep uses no CPU time: the backstop (3x the limit + 1 s) fires');
    assert.ok(r.ms >= 1400, `elapsed ${r.ms}`);
    const childPid = Number(/orphan child pid (\d+)/.exec(lines.join('\n'))?.[1]);
    assert.ok(childPid > 0);
    await until('the solver\'s child process to be gone', () => !isAlive(childPid), 15_000);
    const next = await pool.run(job('solvers.py', 'solve_68b16354'));
    assert.equal(next.status, 'ok');
    assert.notEqual(pool.status().workers[0].pid, firstPid);
    assert.equal(pool.status().restarts, 1);
  });

  it('stops a CPU-bound job at the CPU-time limit without killing the worker: the same process serves the next job', async () => {
    const pool = makePool({ workers: 1, timeoutMs: 500, roots: [FAULTY, TIMEOUTS] });
    await pool.start();
    const pid = pool.status().workers[0].pid;
    for (const fn of ['solve_fa000001_burn', 'solve_fa000001_swallow', 'solve_fa000001_swallow_exception']) {
      const r = await pool.run(job('burn.py', fn, {}, TIMEOUTS));
      assert.equal(r.status, 'timeout', `${fn}: ${JSON.stringify(r)}`);
      assert.deepEqual([r.timeout, r.result?.timedOut], [{ by: 'cpu', limitMs: 500 }, true], fn);
      assert.ok((r.result?.cpuMs ?? 0) >= 500, `${fn}: cpuMs ${r.result?.cpuMs}`);
    }
    const next = await pool.run(job('solvers.py', 'solve_68b16354'));
    assert.deepEqual(next.result?.outcome, { match: true });
    assert.deepEqual([pool.status().workers[0].pid, pool.status().restarts], [pid, 0], 'no respawn');
  });

  it('does not count a module import against the job: a second of CPU at import passes under a 0.5 s limit', async () => {
    const pool = makePool({ workers: 1, timeoutMs: 500, roots: [FAULTY, TIMEOUTS] });
    await pool.start();
    const r = await pool.run(job('slowlib_user.py', 'solve_fa000001_slowlib', {}, TIMEOUTS));
    assert.equal(r.status, 'ok', JSON.stringify(r));
    assert.equal(pool.status().restarts, 0);
  });

  it('reports crashes with exit code 3 and SIGSEGV, and loses no other job', async () => {
    const pool = makePool({ workers: 2 });
    await pool.start();
    const [exit3, segv, ...rest] = await Promise.all([
      pool.run(job('crash.py', 'solve_exit3')),
      pool.run(job('crash.py', 'solve_segv')),
      ...Array.from({ length: 10 }, () => pool.run(job('solvers.py', 'solve_68b16354'))),
    ]);
    assert.equal(exit3.status, 'crash');
    assert.deepEqual(exit3.exit, { code: 3, signal: null });
    assert.equal(segv.status, 'crash');
    assert.deepEqual(segv.exit, { code: null, signal: 'SIGSEGV' });
    assert.match(segv.stderrTail ?? '', /Segmentation fault/);
    assert.deepEqual(rest.map((r) => r.status), Array(10).fill('ok'));
    await until('respawned workers', () => pool.status().workers.every((w) => w.state === 'idle'), 15_000);
  });

  it('respawns a worker that dies while idle', async () => {
    const pool = makePool({ workers: 2 });
    await pool.start();
    const victim = pool.status().workers[1].pid as number;
    process.kill(victim, 'SIGKILL');
    await until('the respawned worker', () => pool.status().workers[1].state === 'idle' && pool.status().workers[1].pid !== victim, 15_000);
    assert.equal(pool.status().workers[1].restarts, 1);
    const rs = await Promise.all([0, 1, 2, 3].map(() => pool.run(job('solvers.py', 'solve_68b16354'))));
    assert.deepEqual(rs.map((r) => r.status), ['ok', 'ok', 'ok', 'ok']);
  });

  it('cancels queued and running jobs (AbortSignal and cancelAll) and keeps working', async () => {
    const pool = makePool({ workers: 2 });
    await pool.start();
    const ac = new AbortController();
    const running = pool.run(job('hang.py', 'solve_hang'), ac.signal);
    const other = pool.run(job('hang.py', 'solve_hang'));
    const queuedAc = new AbortController();
    const queued = pool.run(job('solvers.py', 'solve_68b16354'), queuedAc.signal);
    const queued2 = pool.run(job('solvers.py', 'solve_68b16354'));
    await until('two running, two queued', () => pool.status().running === 2 && pool.status().queued === 2, 15_000);
    queuedAc.abort();
    assert.deepEqual(await queued, { status: 'cancelled', ms: 0, workerId: -1 });
    ac.abort();
    const r = await running;
    assert.equal(r.status, 'cancelled');
    assert.equal((await queued2).status, 'ok', 'the freed worker slot serves the queue');
    pool.cancelAll();
    assert.equal((await other).status, 'cancelled');
    assert.equal((await pool.run(job('solvers.py', 'solve_68b16354'))).status, 'ok');
    const pre = new AbortController();
    pre.abort();
    assert.equal((await pool.run(job('solvers.py', 'solve_68b16354'), pre.signal)).status, 'cancelled');
  });

  it('runs unknown-timing jobs first, then the longest expected first', async () => {
    const pool = makePool({ workers: 1 });
    await pool.start();
    const order: string[] = [];
    const tag = (name: string, expectedMs?: number): Promise<void> =>
      pool.run({ ...job('solvers.py', 'solve_68b16354'), expectedMs }).then(() => void order.push(name));
    await Promise.all([tag('first'), tag('short', 1), tag('long', 50), tag('unknown'), tag('mid', 10), tag('unknown2')]);
    assert.deepEqual(order, ['first', 'unknown', 'unknown2', 'long', 'mid', 'short']);
  });

  it('does not leak a rebound DSL global into the next job', async () => {
    const pool = makePool({ workers: 1 });
    await pool.start();
    const a = await pool.run(job('solvers.py', 'solve_rebind'));
    assert.deepEqual(a.result?.outcome?.output, [[5, 7, 1, 0]], 'the rebinding was visible during the job');
    const b = await pool.run(job('solvers.py', 'solve_after_rebind'));
    assert.deepEqual(b.result?.outcome?.output, [[0, 5, 0, 1]]);
  });

  it('re-imports an edited dsl.py after setFiles with a changed sha', async () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-pool-')));
    try {
      for (const f of ['dsl.py', 'solvers.py']) fs.copyFileSync(path.join(FAULTY, f), path.join(dir, f));
      const pool = makePool({ workers: 2, roots: [dir] });
      await pool.start();
      const dsl = path.join(dir, 'dsl.py');
      const files = (sha: string) => ({ [dsl]: { sha, deps: [] }, [path.join(dir, 'solvers.py')]: { sha: 's', deps: [dsl] } });
      pool.setFiles(files('v1'));
      const before = await Promise.all([0, 1].map(() => pool.run(job('solvers.py', 'solve_68b16354_wrong', {}, dir))));
      before.forEach((r) => assert.equal(r.result?.outcome?.match, false));
      const src = fs.readFileSync(dsl, 'utf8').replace('return tuple(row[::-1] for row in grid)', 'return grid[::-1]');
      fs.writeFileSync(dsl, src);
      pool.setFiles(files('v2'));
      const after = await Promise.all([0, 1, 2, 3].map(() => pool.run(job('solvers.py', 'solve_68b16354_wrong', {}, dir))));
      after.forEach((r) => assert.deepEqual(r.result?.outcome, { match: true }));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives 2000 trivial jobs exactly one result each', async () => {
    const pool = makePool({ workers: 4 });
    await pool.start();
    const t0 = Date.now();
    const results = await Promise.all(
      Array.from({ length: 2000 }, (_, i) => pool.run(job('solvers.py', 'solve_68b16354', { pair: i % 2 ? 'demo' : 'test', index: 0 }))),
    );
    const ids = new Set(results.map((r) => r.result?.id));
    assert.equal(ids.size, 2000);
    assert.ok(results.every((r) => r.status === 'ok' && r.result?.outcome?.match === true));
    assert.equal(pool.status().workers.reduce((n, w) => n + w.jobsDone, 0), 2000);
    console.log(`      2000 jobs on 4 workers in ${Date.now() - t0} ms`);
  });

  it('rejects start() clearly for a missing interpreter or a failing script', async () => {
    await assert.rejects(makePool({ python: 'no-such-python-batt' }).start(), /Python interpreter 'no-such-python-batt' not found/);
    await assert.rejects(makePool({ workerScript: path.join(FAULTY, 'missing_main.py') }).start(), /exited with code 2 before it was ready/);
  });

  it('stops respawning a worker that keeps failing to start and fails the queued jobs', async () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-script-')));
    try {
      for (const f of fs.readdirSync(path.dirname(SCRIPT)).filter((f) => f.endsWith('.py'))) {
        fs.copyFileSync(path.join(path.dirname(SCRIPT), f), path.join(dir, f));
      }
      const pool = makePool({ workers: 1, workerScript: path.join(dir, 'main.py') });
      await pool.start();
      fs.rmSync(path.join(dir, 'main.py'));
      const crash = pool.run(job('crash.py', 'solve_exit3'));
      const queued = pool.run(job('solvers.py', 'solve_68b16354'));
      assert.equal((await crash).status, 'crash');
      await assert.rejects(queued, /failed to start 3 times in a row/);
      await assert.rejects(pool.run(job('solvers.py', 'solve_68b16354')), /failed to start/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prefetches behind busy workers on a long queue and still gives every job exactly its own verdict', async () => {
    // 2 workers, 60 jobs: the queue is long, so jobs wait in the workers' pipes behind running ones. A crash and a
    // timeout among them must requeue the job waiting behind them, not lose it or give it their verdict.
    const pool = makePool({ workers: 2, timeoutMs: 500, roots: [FAULTY, TIMEOUTS] });
    await pool.start();
    const kinds = Array.from({ length: 60 }, (_, i) => (i === 20 ? 'crash' : i === 35 ? 'hang' : 'ok'));
    const results = await Promise.all(
      kinds.map((k) =>
        pool.run(k === 'crash' ? job('crash.py', 'solve_exit3') : k === 'hang' ? job('sleepy.py', 'solve_fa000001_sleep', {}, TIMEOUTS) : job('solvers.py', 'solve_68b16354')),
      ),
    );
    results.forEach((r, i) => {
      const want = kinds[i] === 'crash' ? 'crash' : kinds[i] === 'hang' ? 'timeout' : 'ok';
      assert.equal(r.status, want, `job ${i}`);
      if (want === 'ok') assert.equal(r.result?.outcome?.match, true, `job ${i} matched`);
    });
    assert.equal(results[20].exit?.code, 3);
    assert.equal(results[35].timeout?.by, 'wall', 'the sleeping job was killed at the backstop');
    assert.equal(pool.status().queued, 0);
  });

  it('dispose leaves no worker process behind', async () => {
    const pool = makePool({ workers: 3 });
    await pool.start();
    const hanging = pool.run(job('hang.py', 'solve_hang'));
    await until('a running job', () => pool.status().running === 1, 15_000);
    await Promise.all(pools.map((p) => p.dispose()));
    assert.equal((await hanging).status, 'cancelled');
    assert.ok(pids.size >= 10, `saw ${pids.size} pids`);
    for (const pid of pids) assert.equal(isAlive(pid), false, `worker ${pid} is still alive`);
  });
});
