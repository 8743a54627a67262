/**
 * engine.trace() on a copy of the sample workspace with real workers: verdicts from scoring (a trace never makes
 * one), the trace cache (same key as the verdicts plus the solver's text), divergence, batt entries, clear errors.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import { UsageError } from '../../src/engine/errors';
import type { TraceJson } from '../../src/protocol/trace';
import '../cacheHome';

const SAMPLES = path.join(__dirname, '..', '..', 'samples');

const summaries = (t: TraceJson, name: string) => t.lines.find((l) => l.name === name)?.values.map((v) => v.summary);

describe('engine.trace', function () {
  this.timeout(120000);
  let ws: string;
  let engine: Engine;

  before(() => {
    ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-trace-')));
    fs.cpSync(SAMPLES, ws, { recursive: true, filter: (s) => !s.includes(`${path.sep}.batt`) && !s.includes('__pycache__') });
    engine = new Engine({ workspace: ws, timeoutMs: 500, cacheDir: path.join(ws, '.cache') });
  });
  after(async () => {
    await engine.dispose();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('traces every pair; statuses are the verdicts; the raising line and divergent lines are marked', async () => {
    const t = await engine.trace({ solver: 'solve_9fd2a6c3' });
    assert.equal(t.task, '9fd2a6c3');
    assert.equal(t.file, path.join(ws, 'solvers.py'));
    assert.deepEqual(t.pairs.map((p) => `${p.kind}${p.index}:${p.status}`), ['demo0:pass', 'demo1:error', 'demo2:pass', 'test0:error']);
    assert.equal(t.pairs[1].error?.type, 'IndexError');
    assert.ok(t.pairs.every((p) => Array.isArray(p.input)));
    assert.deepEqual(t.lines.map((l) => [l.line, l.name, !!l.divergent]), [[61, 'x1', false], [62, 'x2', true], [63, 'x3', true], [64, 'O', false]]);
    const x3 = t.lines[2];
    assert.deepEqual(x3.values.map((v) => [v.pair, v.error === undefined ? v.type : v.error]), [[0, 'object'], [1, 'IndexError: tuple index out of range'], [2, 'object'], [3, 'IndexError: tuple index out of range']]);
    assert.deepEqual(t.lines[3].values.map((v) => v.pair), [0, 2], 'the pairs that raised have no later values');
    assert.equal(t.cached, undefined);
  });

  it('a repeated trace comes from the cache and runs nothing', async () => {
    const before = engine.poolStatus()?.workers.reduce((n, w) => n + w.jobsDone, 0) ?? 0;
    const t = await engine.trace({ solver: 'solve_9fd2a6c3' });
    assert.equal(t.cached, true);
    assert.equal(engine.poolStatus()?.workers.reduce((n, w) => n + w.jobsDone, 0) ?? 0, before);
    assert.deepEqual(summaries(t, 'x2'), ['1 obj', '∅', '1 obj', '∅']);
    assert.equal(t.lines[1].divergent, true, 'divergence is marked on a cached trace too');
  });

  it('a rename of a variable (same canonical form) retraces with the new names; a move only shifts lines', async () => {
    const file = path.join(ws, 'solvers.py');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace('    x1 = objects(I, T, F, T)\n    x2 = sizefilter(x1, ONE)', '    objs = objects(I, T, F, T)\n    x2 = sizefilter(objs, ONE)'));
    const renamed = await engine.trace({ solver: 'solve_9fd2a6c3' });
    assert.equal(renamed.cached, undefined);
    assert.equal(renamed.lines[0].name, 'objs');
    fs.writeFileSync(file, '# one more line\n\n' + fs.readFileSync(file, 'utf8'));
    const moved = await engine.trace({ solver: 'solve_9fd2a6c3' });
    assert.equal(moved.cached, true);
    assert.deepEqual(moved.lines.map((l) => l.line), [63, 64, 65, 66]);
    fs.writeFileSync(file, text);
  });

  it('a trace made while an override differs from the file on disk (what the workers run) is not cached', async () => {
    const file = path.join(ws, 'solvers.py');
    const overrides = new Map([[file, fs.readFileSync(file, 'utf8').replace('x3 = first(x2)\n    O = subgrid', 'x3 = last(x2)\n    O = subgrid')]]);
    await engine.trace({ solver: 'solve_9fd2a6c3', overrides });
    const again = await engine.trace({ solver: 'solve_9fd2a6c3', overrides });
    assert.equal(again.cached, undefined);
    const same = new Map([[file, fs.readFileSync(file, 'utf8')]]);
    assert.equal((await engine.trace({ solver: 'solve_9fd2a6c3', overrides: same })).cached, true, 'an override equal to the disk is cached as usual');
  });

  it('an (S, I, C) solver and a batt entry (its sliced program, at the module lines)', async () => {
    const sic = await engine.trace({ solver: 'solve_63d5af2e_sic' });
    assert.deepEqual(sic.pairs.map((p) => p.status), ['pass', 'pass', 'pass', 'pass']);
    assert.deepEqual(summaries(sic, 'x3'), ['6', '6', '6', '6']);
    const entry = await engine.trace({ solver: 'batt:10:d1e84c5a' });
    assert.equal(entry.task, 'd1e84c5a');
    assert.equal(entry.file, path.join(ws, 'batt_sample.py'));
    assert.deepEqual(entry.pairs.map((p) => p.status), ['fail', 'fail', 'fail', 'fail']);
    const src = fs.readFileSync(entry.file, 'utf8').split('\n');
    assert.deepEqual(entry.lines.map((l) => l.name), ['t2', 't5', 't8', 't10']);
    for (const l of entry.lines) assert.equal(src[l.line - 1].trim(), l.source);
  });

  it('another task than the one in the name; a timeout; unknown solver or task are UsageErrors naming them', async () => {
    const other = await engine.trace({ solver: 'solve_a3f1c07e', task: '5e2b9d14' });
    assert.equal(other.task, '5e2b9d14');
    assert.deepEqual(other.pairs.map((p) => p.status), ['pass', 'pass', 'pass'], 'every pair runs (no first-failure stop)');
    const slow = await engine.trace({ solver: 'solve_2ab8e5f0' });
    assert.ok(slow.pairs.every((p) => p.status === 'timeout'));
    assert.ok(slow.lines[0].values.every((v) => /timed out/.test(v.error ?? '')), JSON.stringify(slow.lines[0]));
    await assert.rejects(engine.trace({ solver: 'solve_nothing' }), (e: Error) => e instanceof UsageError && /solver solve_nothing not found/.test(e.message));
    await assert.rejects(engine.trace({ solver: 'solve_a3f1c07e', task: 'ffffffff' }), (e: Error) => e instanceof UsageError && /task ffffffff not found/.test(e.message));
  });
});

describe('engine.trace cut short', function () {
  this.timeout(120000);
  let ws: string;
  let engine: Engine;
  const solver = 'solve_9fd2a6c3_slow';

  before(() => {
    ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-trace-cut-')));
    fs.cpSync(SAMPLES, ws, { recursive: true, filter: (s) => !s.includes(`${path.sep}.batt`) && !s.includes('__pycache__') });
    // About 0.1-0.3 s a pair, so a cancel lands while the trace jobs run (one worker: they run one after another).
    fs.appendFileSync(path.join(ws, 'solvers.py'), `\n\ndef ${solver}(I):\n    x1 = sum(range(4000000))\n    O = I\n    return O\n`);
    engine = new Engine({ workspace: ws, timeoutMs: 10000, workers: 1, cacheDir: path.join(ws, '.cache') });
  });
  after(async () => {
    await engine.dispose();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('a trace cancelled midway is not cached, and each pair it did not trace says why (the editor case)', async () => {
    const jobsDone = () => engine.poolStatus()?.workers.reduce((n, w) => n + w.jobsDone, 0) ?? 0;
    const cancel = new AbortController();
    const cut = engine.trace({ solver, signal: cancel.signal });
    // The 4 scoring jobs, then the first trace job: cancel while the others run or wait (a newer save does this).
    const deadline = Date.now() + 60000;
    while (jobsDone() < 5) {
      assert.ok(Date.now() < deadline, `the first trace job did not finish (jobs done: ${jobsDone()})`);
      await new Promise((r) => setTimeout(r, 5));
    }
    cancel.abort();
    const t = await cut;
    const traced = new Set(t.lines.flatMap((l) => l.values.map((v) => v.pair)));
    const untraced = t.pairs.filter((_, at) => !traced.has(at));
    assert.ok(traced.has(0), 'the first pair was traced');
    assert.ok(untraced.length > 0, `the cancel came too late: ${JSON.stringify(t.pairs.map((p) => p.status))}`);
    for (const p of untraced) {
      assert.equal(p.status, 'cancelled', `a pair without values says it was cancelled: ${JSON.stringify(p)}`);
      assert.equal(p.error?.type, 'TraceStopped');
      assert.match(p.error?.message ?? '', /cancelled/);
    }
    assert.ok(t.pairs.filter((_, at) => traced.has(at)).every((p) => p.status === 'fail'), 'traced pairs keep their verdicts');

    const again = await engine.trace({ solver });
    assert.equal(again.cached, undefined, 'the cut trace was not cached');
    assert.deepEqual(again.pairs.map((p) => p.status), ['fail', 'fail', 'fail', 'fail']);
    assert.deepEqual(again.lines.find((l) => l.name === 'x1')?.values.map((v) => v.pair), [0, 1, 2, 3]);
    const third = await engine.trace({ solver });
    assert.equal(third.cached, true, 'a complete trace is cached');
    assert.deepEqual(third.lines.find((l) => l.name === 'x1')?.values.map((v) => v.pair), [0, 1, 2, 3]);
  });
});
