/**
 * Workspace faults and the security rules, end to end through Engine.run(): solver files that do not parse, DSL
 * modules that fail, loop or import each other at import time, symlinks out of the workspace (never imported, by
 * discovery nor by the worker), task ids that try to climb out of a folder.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import { Pool } from '../../src/engine/pool/pool';
import { taskMessage } from '../../src/engine/scoring/jobs';
import { loadTasks } from '../../src/engine/tasks/tasks';
import { UsageError } from '../../src/engine/errors';
import {
  candidate, copyFixture, FAULT_TASK, FAULT_TASK_ID, makeTemp, makeWorkspace, openFds, PidTracker, PYTHON, REPO,
  verdicts, writeJson, disposeAndCheck } from './helpers';
import { until } from '../poll';

const TIMEOUT = 'timeout: importing the module took over 10 s (worker killed)';
const FD_SLACK = 4; // see solverFaults.test.ts

describe('workspace faults and security through Engine.run', function () {
  this.timeout(120000);
  let ws: string;
  let outside: string;
  let engine: Engine;
  let baselineFds = 0;
  const tracker = new PidTracker();
  const logs: string[] = [];
  let survived = 0;
  let maxFdDelta = 0;
  const all = (v: [string, string | undefined]) => [v, v, v];

  async function stillServes(): Promise<void> {
    const r = await engine.run({ files: [path.join(ws, 'healthy.py')], noCache: true });
    assert.deepEqual(verdicts(candidate(r, FAULT_TASK_ID, 'solve_fa000001')), all(['pass', undefined]));
    await until('idle workers', () => engine.poolStatus()?.workers.every((w) => w.state === 'idle') ?? false);
    tracker.noteEngine(engine);
    await until('fds back at baseline', () => openFds() <= baselineFds + FD_SLACK, 5000).catch(() => undefined);
    assert.ok(openFds() <= baselineFds + FD_SLACK, `open fds ${openFds()}, baseline ${baselineFds}`);
    maxFdDelta = Math.max(maxFdDelta, openFds() - baselineFds);
    survived++;
  }

  before(async () => {
    ws = makeWorkspace('workspace');
    outside = makeTemp('outside');
    copyFixture('solvers', 'healthy.py', ws);
    engine = new Engine({ workspace: ws, python: PYTHON, timeoutMs: 1000, workers: 2, log: (l) => logs.push(l.slice(0, 300)) });
    await engine.run({ files: [path.join(ws, 'healthy.py')] });
    await until('idle workers', () => engine.poolStatus()?.workers.every((w) => w.state === 'idle') ?? false);
    tracker.noteEngine(engine);
    baselineFds = openFds();
  });

  after(() => disposeAndCheck(engine, tracker, () => console.log(`      workspace faults survived: ${survived}; largest fd difference after a case ${maxFdDelta}`)));

  it('a solver file with a syntax error or NUL bytes: a syntax error naming file, line and column; no candidate from it', async () => {
    copyFixture('workspace', 'syntax.py', ws);
    fs.writeFileSync(path.join(ws, 'nul.py'), 'from dsl import *\n\n\ndef solve_fa000001_nul(I):\n    O = rot180(I)\x00\n    return O\n');
    const r = await engine.run({ files: [path.join(ws, 'syntax.py'), path.join(ws, 'nul.py')] });
    const syntax = r.errors.find((e) => e.file === path.join(ws, 'syntax.py'));
    assert.deepEqual(syntax, { kind: 'syntax', file: path.join(ws, 'syntax.py'), line: 5, col: 18, message: "SyntaxError: unmatched ')'" });
    const nul = r.errors.find((e) => e.file === path.join(ws, 'nul.py'));
    assert.equal(nul?.kind, 'syntax');
    assert.match(nul?.message ?? '', /^SyntaxError: source code (string )?cannot contain null bytes$/);
    assert.deepEqual(r.tasks.find((t) => t.id === FAULT_TASK_ID)?.candidates ?? [], []);
    await stillServes();
  });

  it('a DSL module that fails to import: the error and where it was raised, on every pair', async () => {
    copyFixture('workspace', 'baddsl.py', ws);
    copyFixture('workspace', 'baddsl_user.py', ws);
    const r = await engine.run({ files: [path.join(ws, 'baddsl_user.py')] });
    const c = candidate(r, FAULT_TASK_ID, 'solve_fa000001_baddsl');
    assert.deepEqual(verdicts(c), all(['error', 'ZeroDivisionError: division by zero (in <module>, baddsl.py:3)']));
    assert.equal(c.pairs[0].error?.dslFile, path.join(ws, 'baddsl.py'));
    await stillServes();
  });

  it('circular imports: Python\'s ImportError as the verdict; discovery does not loop', async () => {
    copyFixture('workspace', 'circ_a.py', ws);
    copyFixture('workspace', 'circ_b.py', ws);
    const r = await engine.run({ files: [path.join(ws, 'circ_a.py')] });
    const msg =
      `ImportError: cannot import name 'A_VALUE' from partially initialized module 'circ_a' (most likely due to a circular import) ` +
      `(${path.join(ws, 'circ_a.py')}) (in <module>, circ_b.py:1)`;
    assert.deepEqual(verdicts(candidate(r, FAULT_TASK_ID, 'solve_fa000001_circ')), all(['error', msg]));
    // A save of circ_b.py affects circ_a.py's candidates through the cycle.
    const again = await engine.run({ changed: [path.join(ws, 'circ_b.py')], noCache: true });
    assert.deepEqual(again.tasks[0].candidates.map((x) => x.name), ['solve_fa000001_circ']);
    await stillServes();
  });

  it('a module that runs heavy code at import: timeout on every pair, and the next run is served', async () => {
    copyFixture('workspace', 'heavy.py', ws);
    copyFixture('workspace', 'heavy_user.py', ws);
    const r = await engine.run({ files: [path.join(ws, 'heavy_user.py')] });
    assert.deepEqual(verdicts(candidate(r, FAULT_TASK_ID, 'solve_fa000001_heavy')), all(['timeout', TIMEOUT]));
    await stillServes();
  });

  it('a solver file symlinked from outside the workspace is not imported: a discovery error names it', async () => {
    fs.writeFileSync(path.join(outside, 'outside_solver.py'), 'import os\nos.write(1, b"OUTSIDE SOLVER IMPORTED\\n")\n\n\ndef solve_fa000001_outside(I):\n    return I\n');
    fs.symlinkSync(path.join(outside, 'outside_solver.py'), path.join(ws, 'linked.py'));
    const r = await engine.run();
    assert.deepEqual(r.errors.find((e) => e.file === path.join(ws, 'linked.py')), {
      kind: 'candidate',
      file: path.join(ws, 'linked.py'),
      message: `not imported: a symlink to ${path.join(outside, 'outside_solver.py')}, outside the workspace folder`,
    });
    assert.ok(!r.tasks[0].candidates.some((c) => c.name === 'solve_fa000001_outside'));
    // Straight to a worker (as a stale or forged job would): refused after resolving the symlink.
    const pool = new Pool({ python: PYTHON, workerScript: path.join(REPO, 'src', 'worker', 'scoring', 'main.py'), roots: [ws], workers: 1, timeoutMs: 5000, memoryMB: 0 });
    try {
      await pool.start();
      const task = { id: FAULT_TASK_ID, source: '', hash: 'k', train: FAULT_TASK.train, test: FAULT_TASK.test };
      const res = await pool.run({ task: taskMessage(task), run: { file: path.join(ws, 'linked.py'), fn: 'solve_fa000001_outside', kind: 'I', taskId: FAULT_TASK_ID, pair: 'demo', index: 0 } });
      assert.equal(res.result?.error?.type, 'ImportRefused');
      assert.equal(res.result?.error?.message, `${path.join(outside, 'outside_solver.py')} is not a .py file under a workspace root (${ws})`);
      tracker.noteEngine({ poolStatus: () => pool.status() });
    } finally {
      await pool.dispose();
    }
    assert.ok(!logs.some((l) => l.includes('OUTSIDE SOLVER IMPORTED')));
    fs.rmSync(path.join(ws, 'linked.py'));
    await stillServes();
  });

  it('a DSL module symlinked from outside is not imported by the worker (ImportError), nor reported as a candidate file', async () => {
    fs.writeFileSync(path.join(outside, 'evil.py'), 'import os\nos.write(1, b"EVIL IMPORTED\\n")\n\n\ndef rot180(g):\n    return g\n');
    fs.symlinkSync(path.join(outside, 'evil.py'), path.join(ws, 'evil.py'));
    fs.writeFileSync(path.join(ws, 'evil_user.py'), 'from evil import *\n\n\ndef solve_fa000001_evil(I):\n    x1 = rot180(I)\n    O = rot180(x1)\n    O2 = O\n    return O2\n');
    const r = await engine.run({ files: [path.join(ws, 'evil_user.py')] });
    const msg = `ImportError: batt: not importing ${path.join(ws, 'evil.py')}: it resolves to ${path.join(outside, 'evil.py')}, outside the workspace folders (${ws})`;
    assert.deepEqual(verdicts(candidate(r, FAULT_TASK_ID, 'solve_fa000001_evil')), all(['error', msg]));
    assert.ok(r.errors.some((e) => e.file === path.join(ws, 'evil.py') && /outside the workspace folder/.test(e.message)));
    assert.ok(!logs.some((l) => l.includes('EVIL IMPORTED')), 'the outside module never ran');
    fs.rmSync(path.join(ws, 'evil.py'));
    fs.rmSync(path.join(ws, 'evil_user.py'));
    await stillServes();
  });

  it('task ids that climb out of a folder are rejected: -i ../../x, a bundle key, and nothing is written outside', async () => {
    await assert.rejects(engine.run({ tasks: ['../../x'] }), (e: Error) => e instanceof UsageError && /task \.\.\/\.\.\/x not found in /.test(e.message));
    const bundleDir = makeTemp('bundle');
    const good = { train: FAULT_TASK.train, test: FAULT_TASK.test.map((p) => ({ input: p.input })) };
    writeJson(path.join(bundleDir, 'x_challenges.json'), { '../../x': good, 'a/b': good, ok1: good, '': good });
    const load = await loadTasks(path.join(bundleDir, 'x_challenges.json'));
    assert.deepEqual(load.tasks.map((t) => t.id), ['ok1']);
    const bad = load.errors.filter((e) => e.message.startsWith('invalid task id')).map((e) => e.place);
    assert.deepEqual(bad.sort(), ['', '../../x', 'a/b'].sort());
    const r = await engine.run({ tasks: [FAULT_TASK_ID], store: true });
    for (const s of r.stored) assert.ok(s.path.startsWith(path.join(ws, '.batt', 'solvers') + path.sep), s.path);
    assert.ok(!fs.existsSync(path.resolve(ws, '..', '..', 'x')));
    await stillServes();
  });
});
