/**
 * Timeouts that measure the solver, not the machine (issue 9, item 3), through Engine.run and the CLI with real
 * workers: the limit counts the solver's own CPU time, module imports never count against a pair, a solver that
 * swallows every exception still stops, and a CPU timeout is cached with its limit (a larger limit reruns it).
 * Fixtures: test/fixtures/timeouts. The wall-clock backstop's cases (sleeps, calls blocked in C) are in
 * solverFaults.test.ts.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import type { RunJson } from '../../src/protocol/results';
import { candidate, disposeAndCheck, FAULT_TASK_ID, makeWorkspace, PidTracker, PYTHON, REPO, verdicts } from './helpers';

const FIXTURES = path.join(REPO, 'test', 'fixtures', 'timeouts');
const all = (v: [string, string | undefined]): Array<[string, string | undefined]> => [v, v, v];

function copy(ws: string, ...names: string[]): void {
  for (const name of names) fs.copyFileSync(path.join(FIXTURES, name), path.join(ws, name));
}

describe('timeouts: the solver\'s CPU time, not the machine\'s load (real workers)', function () {
  this.timeout(120000);
  const tracker = new PidTracker();
  const engines: Engine[] = [];
  let ws: string;

  function engine(timeoutMs: number): Engine {
    const e = new Engine({ workspace: ws, python: PYTHON, timeoutMs, workers: 2, log: (l) => tracker.noteLog(l) });
    engines.push(e);
    return e;
  }

  async function run(e: Engine, file: string, noCache = true): Promise<RunJson> {
    const r = await e.run({ files: [path.join(ws, file)], noCache });
    tracker.noteEngine(e);
    assert.deepEqual(r.errors, []);
    return r;
  }

  before(() => {
    ws = makeWorkspace('timeouts');
    copy(ws, 'burn.py', 'burn_a_while.py', 'slowlib.py', 'slowlib_user.py');
  });

  after(async () => {
    const last = engines.pop();
    await Promise.all(engines.map((e) => e.dispose()));
    await disposeAndCheck(last, tracker);
  });

  it('a module that burns a second of CPU at import (numpy stand-in) passes under a 0.5 s limit on fresh workers', async () => {
    const e = engine(500);
    for (const round of [1, 2]) {
      const r = await run(e, 'slowlib_user.py');
      assert.deepEqual(verdicts(candidate(r, FAULT_TASK_ID, 'solve_fa000001_slowlib')), all(['pass', undefined]), `round ${round}`);
      assert.equal(r.summary.ran, 3);
      await e.restartPool(); // fresh workers again: the import happens inside the next run's first jobs
    }
  });

  it('a CPU-bound solver and solvers that catch every exception around every step: a CPU timeout, workers kept', async () => {
    const e = engine(500);
    await e.startWorkers();
    const pids = e.poolStatus()!.workers.map((w) => w.pid);
    const r = await run(e, 'burn.py');
    for (const name of ['solve_fa000001_burn', 'solve_fa000001_swallow', 'solve_fa000001_swallow_exception']) {
      const c = candidate(r, FAULT_TASK_ID, name);
      assert.deepEqual(verdicts(c), all(['timeout', 'timeout: over 0.5 s of CPU time']), name);
      assert.ok(c.pairs.every((p) => p.timedOutBy === 'cpu'), name);
    }
    assert.deepEqual([e.poolStatus()!.workers.map((w) => w.pid), e.poolStatus()!.restarts], [pids, 0], 'no worker killed');
  });

  it('a CPU timeout is cached with its limit: a rerun reuses it, a larger limit reruns it (and the solver passes)', async () => {
    const small = engine(500);
    const first = await run(small, 'burn_a_while.py', false);
    const name = 'solve_fa000001_burn_a_while';
    assert.deepEqual(verdicts(candidate(first, FAULT_TASK_ID, name)), all(['timeout', 'timeout: over 0.5 s of CPU time']));
    const again = await run(small, 'burn_a_while.py', false);
    assert.deepEqual(verdicts(candidate(again, FAULT_TASK_ID, name)), all(['timeout', 'timeout: over 0.5 s of CPU time']));
    assert.ok(candidate(again, FAULT_TASK_ID, name).pairs.every((p) => p.cached), 'a CPU timeout is a final verdict: cached');
    await small.dispose();
    const large = engine(2000);
    const rerun = await run(large, 'burn_a_while.py', false);
    const c = candidate(rerun, FAULT_TASK_ID, name);
    assert.deepEqual(verdicts(c), all(['pass', undefined]), 'rerun under the 2 s limit');
    assert.ok(c.pairs.every((p) => !p.cached));
  });

  it('end to end: `batt run --timeout 0.5` reports a CPU-bound solver as over its CPU time', () => {
    const cli = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(REPO, 'src/cli/main.ts'), 'run', '--workspace', ws, '--timeout', '0.5', '--no-cache', '-v'], {
      cwd: REPO, encoding: 'utf8', timeout: 100000,
    });
    assert.equal(cli.status, 0, cli.stderr);
    const problems = cli.stdout.split('\n').filter((l) => l.includes('timeout:'));
    assert.equal(problems.length, 4, `burn, swallow, swallow_exception, burn_a_while:\n${cli.stdout}`);
    for (const l of problems) assert.match(l, /demo 0: timeout: over 0\.5 s of CPU time$/, cli.stdout);
  });
});
