/**
 * Solver faults end to end: each fixture file of test/fixtures/faults/solvers runs through Engine.run() on a temp
 * workspace (the sample DSL), with the exact verdict text users see. After each case the same engine must still
 * serve a healthy run, the open fd count must be back to its baseline, and after dispose no worker or solver child
 * may be left.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import type { RunJson } from '../../src/protocol/results';
import {
  candidate, copyFixture, FAULT_TASK_ID, makeWorkspace, openFds, PidTracker, PYTHON, verdicts, disposeAndCheck } from './helpers';
import { until } from '../poll';

/** A CPU-bound solver: stopped by the worker at 1 s of its own CPU time (the worker lives on). */
const CPU_TIMEOUT = 'timeout: over 1 s of CPU time';
/** A solver that sleeps or blocks in C: stopped by the pool's wall-clock backstop, 3x the limit + 1 s (worker killed). */
const WALL_TIMEOUT = 'timeout: no result within 4 s wall time (worker killed)';
/**
 * Slack for the fd comparison: the count is taken with every worker idle (5 pipes each), but libuv may keep a
 * signal/async handle or a closing pipe a little longer after a respawn. A real leak grows with every case.
 */
const FD_SLACK = 4;

const has = (py: string): boolean => spawnSync(PYTHON, ['-c', `import ${py}`]).status === 0;

describe('solver faults through Engine.run (real workers, 1 s timeout, 512 MB cap)', function () {
  this.timeout(120000);
  let ws: string;
  let engine: Engine;
  let baselineFds = 0;
  const tracker = new PidTracker();
  const logs: string[] = [];
  let survived = 0;
  let maxFdDelta = 0;

  const all = (n: number, v: [string, string | undefined]): Array<[string, string | undefined]> => Array.from({ length: n }, () => v);

  async function runFile(file: string, noCache = true): Promise<RunJson> {
    const r = await engine.run({ files: [path.join(ws, file)], noCache });
    tracker.noteEngine(engine);
    return r;
  }

  async function idle(): Promise<void> {
    await until('all workers idle', () => engine.poolStatus()?.workers.every((w) => w.state === 'idle') ?? false);
    tracker.noteEngine(engine);
  }

  /** The pool still serves a healthy run, and no fd leaked. */
  async function stillServes(): Promise<void> {
    const r = await runFile('healthy.py');
    const c = candidate(r, FAULT_TASK_ID, 'solve_fa000001');
    assert.deepEqual(verdicts(c), all(3, ['pass', undefined]));
    assert.equal(r.summary.ran, 3, 'the healthy pairs really ran (no cache)');
    await idle();
    await until(`open fds back to ${baselineFds} (+${FD_SLACK})`, () => openFds() <= baselineFds + FD_SLACK, 5000).catch(() => undefined);
    const fds = openFds();
    assert.ok(fds <= baselineFds + FD_SLACK, `open fds ${fds}, baseline ${baselineFds}`);
    maxFdDelta = Math.max(maxFdDelta, openFds() - baselineFds);
    survived++;
  }

  before(async () => {
    ws = makeWorkspace('solvers');
    copyFixture('solvers', 'healthy.py', ws);
    engine = new Engine({
      workspace: ws, python: PYTHON, timeoutMs: 1000, memoryMB: 512, workers: 2,
      log: (line) => {
        logs.push(line.slice(0, 300));
        tracker.noteLog(line);
      },
    });
    const warm = await runFile('healthy.py');
    assert.deepEqual(warm.errors, []);
    await idle();
    baselineFds = openFds();
  });

  after(() => disposeAndCheck(engine, tracker, () => console.log(`      solver faults survived: ${survived}; pids checked: ${tracker.pids.size}; fds at baseline ${baselineFds}, largest fd difference after a case ${maxFdDelta}`)));

  it('a solver that loops forever: a CPU timeout on every pair, and the same workers serve the next job', async () => {
    copyFixture('solvers', 'loop.py', ws);
    await idle();
    const pids = () => engine.poolStatus()!.workers.map((w) => w.pid);
    const before = { pids: pids(), restarts: engine.poolStatus()!.restarts };
    const r = await runFile('loop.py');
    assert.deepEqual(verdicts(candidate(r, FAULT_TASK_ID, 'solve_fa000001_loop')), all(3, ['timeout', CPU_TIMEOUT]));
    assert.deepEqual({ pids: pids(), restarts: engine.poolStatus()!.restarts }, before, 'no worker was killed or respawned');
    await stillServes();
    assert.deepEqual(pids(), before.pids, 'the healthy run was served by the same worker processes');
  });

  it('sleeping inside C (time.sleep, a ctypes libc call): a wall-clock timeout, not cached (the next run reruns it)', async () => {
    copyFixture('solvers', 'sleep_c.py', ws);
    const sleepers = ['solve_fa000001_sleep', 'solve_fa000001_ctypes_sleep'];
    for (const round of [1, 2]) {
      const r = await runFile('sleep_c.py', false);
      for (const name of sleepers) {
        const c = candidate(r, FAULT_TASK_ID, name);
        assert.deepEqual(verdicts(c), all(3, ['timeout', WALL_TIMEOUT]), `${name}, run ${round}`);
        assert.ok(c.pairs.every((p) => !p.cached && p.timedOutBy === 'wall'), `${name}, run ${round}: ran, killed by the backstop`);
      }
      assert.equal(r.summary.ran, 6, `run ${round}: all six pairs ran (a wall-clock timeout is not a final verdict)`);
    }
    await stillServes();
  });

  it('os._exit(3) and a segfault: crash with the exit code / signal; SystemExit, KeyboardInterrupt, RecursionError: errors', async () => {
    copyFixture('solvers', 'exits.py', ws);
    const r = await runFile('exits.py');
    const v = (name: string) => verdicts(candidate(r, FAULT_TASK_ID, name));
    assert.deepEqual(v('solve_fa000001_exit3'), all(3, ['crash', 'crash: worker died (exit code 3)']));
    assert.deepEqual(v('solve_fa000001_segv'), all(3, ['crash', 'crash: worker died (signal SIGSEGV) — Fatal Python error: Segmentation fault']));
    assert.deepEqual(v('solve_fa000001_sysexit'), all(3, ['error', 'SystemExit: solver gave up']));
    assert.deepEqual(v('solve_fa000001_kbd'), all(3, ['error', 'KeyboardInterrupt']));
    assert.deepEqual(v('solve_fa000001_recursion'), all(3, ['error', 'RecursionError: maximum recursion depth exceeded']));
    const rec = candidate(r, FAULT_TASK_ID, 'solve_fa000001_recursion').pairs[0].error;
    const src = fs.readFileSync(path.join(ws, 'exits.py'), 'utf8').split('\n');
    assert.equal(src[(rec?.line ?? 0) - 1].trim(), 'return _down(n + 1)', 'the recursion error points at the recursive line');
    await stillServes();
  });

  it('allocating past the memory cap: MemoryError verdict, the worker lives on', async () => {
    copyFixture('solvers', 'hog.py', ws);
    const before = engine.poolStatus()!.restarts;
    const r = await runFile('hog.py');
    assert.deepEqual(verdicts(candidate(r, FAULT_TASK_ID, 'solve_fa000001_hog')), all(3, ['error', 'MemoryError: memory limit exceeded (512 MB per worker)']));
    assert.equal(engine.poolStatus()!.restarts, before, 'no worker had to be restarted');
    await stillServes();
  });

  it('printing megabytes to stdout and stderr: captured output truncated to 8 KiB, stray fd output logged in short lines', async () => {
    copyFixture('solvers', 'noisy.py', ws);
    const from = logs.length;
    const r = await runFile('noisy.py');
    const c = candidate(r, FAULT_TASK_ID, 'solve_fa000001_noisy');
    assert.deepEqual(verdicts(c), all(3, ['pass', undefined]));
    for (const p of c.pairs) {
      assert.equal(p.stdout?.length, 8192);
      assert.equal(p.stderr?.length, 8192);
      assert.ok(/^x{8192}$/.test(p.stdout ?? ''), 'the first 8 KiB of what was printed');
    }
    await until('stray output in the log', () => logs.slice(from).some((l) => /\[worker \d stdout\] o{100}/.test(l)) && logs.slice(from).some((l) => /\[worker \d stderr\] r{100}/.test(l)));
    await stillServes();
  });

  it('reading stdin gets end-of-file at once (stdin is /dev/null)', async () => {
    copyFixture('solvers', 'stdin.py', ws);
    const r = await runFile('stdin.py');
    assert.deepEqual(verdicts(candidate(r, FAULT_TASK_ID, 'solve_fa000001_stdin')), all(3, ['pass', undefined]));
    await stillServes();
  });

  it('child processes that outlive the solver die with the worker\'s process group', async () => {
    copyFixture('solvers', 'children.py', ws);
    const r = await runFile('children.py');
    assert.deepEqual(verdicts(candidate(r, FAULT_TASK_ID, 'solve_fa000001_orphan_loop')), all(3, ['timeout', CPU_TIMEOUT]));
    assert.deepEqual(verdicts(candidate(r, FAULT_TASK_ID, 'solve_fa000001_orphan_return')), all(3, ['pass', undefined]));
    await until('six child pids in the log', () => logs.filter((l) => /child pid \d+/.test(l)).length >= 6);
    // The workers live on after a CPU timeout, so all six children stay in their process groups until dispose (after()).
    await stillServes();
  });

  it('returning non-grids, ragged lists, a 1000x1000 grid, floats, sets: error verdicts that say what was returned', async () => {
    copyFixture('solvers', 'returns.py', ws);
    const r = await runFile('returns.py');
    const v = (name: string) => verdicts(candidate(r, FAULT_TASK_ID, `solve_fa000001_${name}`));
    assert.deepEqual(v('none'), all(3, ['error', 'returned NoneType']));
    assert.deepEqual(v('str'), all(3, ['error', "returned str 'grid'"]));
    assert.deepEqual(v('ragged'), all(3, ['error', 'returned a ragged grid: row 1 has 1 cells, expected 2']));
    assert.deepEqual(v('huge'), all(3, ['error', 'returned a 1000x1000 grid (largest allowed is 30x30)']));
    assert.deepEqual(v('value'), all(3, ['error', 'returned a grid with value 10 at row 0, column 0']));
    assert.deepEqual(v('float'), all(3, ['error', 'returned a grid with a float at row 0, column 0']));
    assert.deepEqual(v('set'), all(3, ['error', 'returned a frozenset of 2 items']));
    assert.deepEqual(v('lists'), all(3, ['pass', undefined]), 'a list of lists is a grid');
    await stillServes();
  });

  it('numpy arrays (when numpy is installed): an int array is a grid, floats and scalars are not', async function () {
    if (!has('numpy')) this.skip();
    copyFixture('solvers', 'numpy_ret.py', ws);
    const r = await runFile('numpy_ret.py');
    const v = (name: string) => verdicts(candidate(r, FAULT_TASK_ID, `solve_fa000001_${name}`));
    assert.deepEqual(v('np'), all(3, ['pass', undefined]));
    assert.deepEqual(v('np_float'), all(3, ['error', 'returned a grid with a float at row 0, column 0']));
    assert.deepEqual(v('np_scalar'), all(3, ['error', 'returned int 4']));
    await stillServes();
  });

  it('mutating the input fails (grids are tuples); rebinding DSL and constants globals does not leak into the next job', async () => {
    copyFixture('solvers', 'mutate.py', ws);
    for (const round of [1, 2]) {
      const r = await runFile('mutate.py');
      const v = (name: string) => verdicts(candidate(r, FAULT_TASK_ID, `solve_fa000001_${name}`));
      assert.deepEqual(v('mutate'), all(3, ['error', "TypeError: 'tuple' object does not support item assignment"]));
      // During its own job the rebound rot180 (identity) is what runs: every cell differs.
      assert.deepEqual(v('rebind').map((x) => x[0]), ['fail', 'fail', 'fail'], `round ${round}`);
      assert.deepEqual(v('after_rebind'), all(3, ['pass', undefined]), `round ${round}: the next job sees the original DSL`);
    }
    await stillServes();
  });

  it('a solver slow on one pair only: timeout on that pair, the others pass', async () => {
    copyFixture('solvers', 'slow_pair.py', ws);
    const r = await runFile('slow_pair.py');
    const c = candidate(r, FAULT_TASK_ID, 'solve_fa000001_slow');
    assert.deepEqual(verdicts(c), [['pass', undefined], ['timeout', WALL_TIMEOUT], ['pass', undefined]]);
    assert.equal(c.status, 'timeout');
    await stillServes();
  });

  it('every fixture at once (all faults mixed on 2 workers): each pair gets exactly one verdict', async () => {
    const r = await engine.run({ noCache: true });
    tracker.noteEngine(engine);
    const task = r.tasks.find((t) => t.id === FAULT_TASK_ID)!;
    const defs = fs.readdirSync(ws).filter((f) => f.endsWith('.py')).reduce((n, f) => n + (fs.readFileSync(path.join(ws, f), 'utf8').match(/^def solve_/gm) ?? []).length, 0);
    assert.equal(task.candidates.length, defs, 'one entry per solver defined');
    for (const c of task.candidates) {
      assert.equal(c.pairs.length, 3, c.name);
      assert.ok(c.pairs.every((p) => ['pass', 'fail', 'error', 'timeout', 'crash'].includes(p.status)), c.name);
    }
    assert.equal(r.summary.ran, r.summary.jobs);
    await stillServes();
  });
});
