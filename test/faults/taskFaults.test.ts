/**
 * Task faults end to end (Engine.run on a tasks folder holding every kind of broken file beside a good one), Kaggle
 * bundles with missing or mismatched solutions, symlinked task files, and a property-based fuzz of the task reader:
 * any input gives a task or clear errors naming the file, never a throw or a hang.
 *
 * Symlinked task files are READ, wherever they point: tasks are data (parsed as JSON, validated, never executed,
 * nothing derived from their content becomes a path or a command), and the tasks folder itself is often outside the
 * workspace (--tasks /data/arc/training). What a link may not do is make the reader hang or read without end: a link
 * to /dev/zero, a named pipe or a folder is an error naming the file.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { Engine } from '../../src/engine/engine';
import { loadTasks, parseTask } from '../../src/engine/tasks/tasks';
import { gridProblem } from '../../src/engine/tasks/gridCheck';
import type { InputError } from '../../src/engine/types';
import {
  candidate, copyFixture, FAULT_TASK, FAULT_TASK_ID, makeTemp, makeWorkspace, openFds, PidTracker, PYTHON, verdicts, writeJson, disposeAndCheck } from './helpers';
import { until } from '../poll';

const GOOD = JSON.stringify(FAULT_TASK);
const pairWith = (patch: Record<string, unknown>) => ({ ...FAULT_TASK, train: [{ ...FAULT_TASK.train[0], ...patch }, FAULT_TASK.train[1]] });

describe('task faults through Engine.run', function () {
  this.timeout(120000);
  let ws: string;
  let tasks: string;
  let outside: string;
  let engine: Engine;
  const tracker = new PidTracker();

  let baselineFds = 0;

  before(async () => {
    ws = makeWorkspace('tasks');
    tasks = path.join(ws, 'tasks');
    outside = makeTemp('outside-tasks');
    copyFixture('solvers', 'healthy.py', ws);
    engine = new Engine({ workspace: ws, python: PYTHON, timeoutMs: 1000, workers: 2 });
    await engine.run(); // workers started: their pipes are part of the fd baseline
    await until('idle workers', () => engine.poolStatus()?.workers.every((w) => w.state === 'idle') ?? false);
    baselineFds = openFds();
  });

  after(() => disposeAndCheck(engine, tracker));

  it('every broken task file is one error naming the file and place; the good task still runs', async () => {
    const f = (name: string) => path.join(tasks, `${name}.json`);
    fs.writeFileSync(f('truncated'), GOOD.slice(0, 40));
    writeJson(f('ragged'), pairWith({ input: [[1, 2], [3]] }));
    writeJson(f('ten'), pairWith({ output: [[10, 0], [2, 1]] }));
    writeJson(f('negative'), pairWith({ output: [[-1, 0], [2, 1]] }));
    writeJson(f('string'), pairWith({ output: [['3', 0], [2, 1]] }));
    writeJson(f('nullcell'), pairWith({ output: [[null, 0], [2, 1]] }));
    writeJson(f('emptytrain'), { train: [], test: FAULT_TASK.test });
    writeJson(f('notest'), { train: FAULT_TASK.train, test: [{ input: [[1]] }] });
    // 50 MB of valid JSON (the task padded with spaces): refused by size before it is read.
    const fd = fs.openSync(f('big'), 'w');
    fs.writeSync(fd, GOOD);
    const pad = Buffer.alloc(1024 * 1024, 0x20);
    for (let i = 0; i < 50; i++) fs.writeSync(fd, pad);
    fs.closeSync(fd);
    fs.symlinkSync('/dev/zero', f('zero'));
    execFileSync('mkfifo', [f('fifo')]);
    fs.symlinkSync(path.join(outside, 'gone.json'), f('dangling'));
    writeJson(path.join(outside, 'fa000002.json'), FAULT_TASK);
    fs.symlinkSync(path.join(outside, 'fa000002.json'), f('fa000002'));

    const r = await engine.run();
    tracker.noteEngine(engine);
    const byFile = new Map<string, InputError[]>();
    for (const e of r.errors) byFile.set(path.basename(e.file), [...(byFile.get(path.basename(e.file)) ?? []), e]);
    const one = (name: string) => {
      const es = byFile.get(`${name}.json`) ?? [];
      assert.equal(es.length, 1, `${name}: ${JSON.stringify(es)}`);
      assert.equal(es[0].file, f(name));
      assert.equal(es[0].kind, 'task');
      return { place: es[0].place, line: es[0].line, col: es[0].col, message: es[0].message };
    };
    assert.deepEqual(one('truncated'), { place: undefined, line: 1, col: 41, message: 'invalid JSON at line 1, column 41: unterminated string' });
    assert.deepEqual(one('ragged'), { place: 'train[0].input', line: undefined, col: undefined, message: 'row 1 has 1 cells, expected 2' });
    assert.deepEqual(one('ten'), { place: 'train[0].output', line: undefined, col: undefined, message: 'value 10 at row 0, column 0 is not a colour 0-9' });
    assert.deepEqual(one('negative'), { place: 'train[0].output', line: undefined, col: undefined, message: 'value -1 at row 0, column 0 is not a colour 0-9' });
    assert.deepEqual(one('string'), { place: 'train[0].output', line: undefined, col: undefined, message: '"3" at row 0, column 0 is not an integer' });
    assert.deepEqual(one('nullcell'), { place: 'train[0].output', line: undefined, col: undefined, message: 'null at row 0, column 0 is not an integer' });
    assert.deepEqual(one('emptytrain'), { place: 'train', line: undefined, col: undefined, message: 'train is empty' });
    assert.deepEqual(one('notest'), { place: 'test[0].output', line: undefined, col: undefined, message: 'test[0].output is missing' });
    assert.deepEqual(one('big'), { place: undefined, line: undefined, col: undefined, message: 'file is 50.0 MiB, larger than the 16 MiB limit for a task file' });
    assert.deepEqual(one('zero'), { place: undefined, line: undefined, col: undefined, message: 'cannot read file: it is a character device, not a regular file' });
    assert.deepEqual(one('fifo'), { place: undefined, line: undefined, col: undefined, message: 'cannot read file: it is a named pipe, not a regular file' });
    assert.match(one('dangling').message, /^cannot read file: ENOENT: no such file or directory/);
    assert.equal(byFile.get('fa000002.json'), undefined, 'a symlinked task file is read (tasks are data)');
    assert.deepEqual(r.tasks.map((t) => t.id), [FAULT_TASK_ID, 'fa000002']);
    assert.deepEqual(verdicts(candidate(r, FAULT_TASK_ID, 'solve_fa000001')), [['pass', undefined], ['pass', undefined], ['pass', undefined]]);
    // No handle left open on the pipe, the device or anything else (slack: see solverFaults.test.ts).
    await until('fds back at baseline', () => openFds() <= baselineFds + 4, 5000).catch(() => undefined);
    assert.ok(openFds() <= baselineFds + 4, `open fds ${openFds()}, baseline ${baselineFds}`);
    for (const name of ['ragged', 'ten', 'negative', 'string', 'nullcell', 'emptytrain', 'notest', 'big', 'zero', 'fifo', 'dangling', 'truncated']) {
      fs.rmSync(f(name));
    }
  });

  it('Kaggle bundles: solutions file missing, an id missing, a count mismatch: test verdicts unknown, each with an error', async () => {
    const dir = makeTemp('kaggle');
    const ch = path.join(dir, 'arc_challenges.json');
    const sol = path.join(dir, 'arc_solutions.json');
    const challenge = { train: FAULT_TASK.train, test: FAULT_TASK.test.map((p) => ({ input: p.input })) };
    writeJson(ch, { fa000001: challenge, fa000003: challenge, fa000004: challenge });
    let load = await loadTasks(ch);
    assert.deepEqual(load.errors, [{ kind: 'config', file: ch, message: 'no solutions file arc_solutions.json beside it: test verdicts will be unknown', severity: 'warning' }]);
    assert.ok(load.tasks.every((t) => t.test.every((p) => p.output === null)));

    writeJson(sol, { fa000001: [FAULT_TASK.test[0].output], fa000004: [FAULT_TASK.test[0].output, [[1]]] });
    load = await loadTasks(ch);
    assert.deepEqual(load.errors, [
      { kind: 'task', file: sol, place: 'fa000003', message: 'no solutions for task "fa000003": test verdicts will be unknown' },
      { kind: 'task', file: sol, place: 'fa000004', message: 'task "fa000004" has 1 test input(s) but 2 solution(s): test verdicts will be unknown' },
    ]);
    fs.writeFileSync(sol, '{"fa000001": [[[8, 7], [6, 5]]');
    load = await loadTasks(ch);
    assert.deepEqual(load.errors.map((e) => [e.kind, e.file, e.line]), [['task', sol, 1]]);
    assert.match(load.errors[0].message, /^invalid JSON at line 1, column \d+: /);
    assert.ok(load.tasks.every((t) => t.test.every((p) => p.output === null)), 'unreadable solutions: outputs unknown');

    // End to end: a bundle without solutions runs, and its test pair is 'unknown', not a failure.
    fs.rmSync(sol);
    const bundleEngine = new Engine({ workspace: ws, python: PYTHON, tasksPath: ch, timeoutMs: 1000, workers: 1 });
    try {
      const r = await bundleEngine.run({ tasks: [FAULT_TASK_ID] });
      tracker.noteEngine(bundleEngine);
      const c = candidate(r, FAULT_TASK_ID, 'solve_fa000001');
      assert.deepEqual(c.pairs.map((p) => [p.status, p.message]), [['pass', undefined], ['pass', undefined], ['unknown', 'expected output unknown']]);
      assert.equal(c.solved, false);
    } finally {
      await bundleEngine.dispose();
    }
  });
});

/** Checks the reader's contract on one result: a task with valid grids, or clear errors naming the file. */
function checkResult(r: { task?: unknown; errors: InputError[] }, file: string): void {
  if (r.task) {
    const t = r.task as { train: Array<{ input: unknown; output: unknown }>; test: Array<{ input: unknown; output: unknown }> };
    assert.ok(t.train.length > 0 && t.test.length > 0);
    for (const p of [...t.train, ...t.test]) {
      assert.equal(gridProblem(p.input), undefined);
      if (p.output !== null) assert.equal(gridProblem(p.output), undefined);
    }
  } else {
    assert.ok(r.errors.length > 0, 'no task and no error');
  }
  for (const e of r.errors) {
    assert.equal(e.file, file);
    assert.ok(typeof e.message === 'string' && e.message.length > 0 && e.message.length < 500, `message: ${e.message}`);
    if (e.line !== undefined) assert.ok(e.line >= 1 && (e.col ?? 0) >= 1);
  }
}

describe('task reader fuzz (fast-check)', function () {
  this.timeout(120000);
  const cell = fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.integer(), fc.double(), fc.string(), fc.constant(null), fc.boolean());
  const row = fc.oneof(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 4 }), fc.array(cell, { maxLength: 4 }), fc.anything());
  const grid = fc.oneof(fc.array(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 3 }), fc.array(row, { maxLength: 4 }), fc.anything());
  const pair = fc.oneof(fc.record({ input: grid, output: grid }, { requiredKeys: [] }), fc.anything());
  const taskLike = fc.oneof(fc.record({ train: fc.array(pair, { maxLength: 3 }), test: fc.array(pair, { maxLength: 2 }) }, { requiredKeys: [] }), fc.anything());
  const timed = <T>(fn: () => T): T => {
    const t0 = performance.now();
    const out = fn();
    assert.ok(performance.now() - t0 < 2000, 'one parse took over 2 s');
    return out;
  };

  it('any text (unicode, random bytes, mangled task JSON) gives a task or an error, never a throw', () => {
    const mangled = fc.tuple(fc.nat(GOOD.length), fc.nat(GOOD.length), fc.string({ maxLength: 5 })).map(([a, b, s]) => GOOD.slice(0, Math.min(a, b)) + s + GOOD.slice(Math.max(a, b)));
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 200 }), mangled, fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'));
    fc.assert(fc.property(text, (t) => checkResult(timed(() => parseTask(t, '/fz/t.json', 'fz0001')), '/fz/t.json')), { numRuns: 3000 });
  });

  it('any task-shaped value gives a task with valid grids or errors whose places are JSON paths', () => {
    fc.assert(
      fc.property(taskLike, (v) => {
        let text: string;
        try {
          text = JSON.stringify(v) ?? 'null';
        } catch {
          return; // BigInt and the like cannot be JSON
        }
        const r = timed(() => parseTask(text, '/fz/t.json', 'fz0001'));
        checkResult(r, '/fz/t.json');
        for (const e of r.errors) if (e.place) assert.match(e.place, /^(train|test)(\[\d+\](\.(input|output))?)?$/);
      }),
      { numRuns: 3000 },
    );
  });

  it('deep nesting and huge numbers do not overflow the stack', () => {
    for (const t of ['['.repeat(200000), '{"train":' + '['.repeat(100000) + ']'.repeat(100000) + '}', '{"train":[{"input":[[1e400]]}]}', '\uFEFF' + GOOD]) {
      checkResult(timed(() => parseTask(t, '/fz/t.json', 'fz0001')), '/fz/t.json');
    }
  });

  it('random folders and bundles on disk: every file a task or an error naming it (loadTasks never throws)', async () => {
    const name = fc.stringMatching(/^[A-Za-z0-9._ -]{1,12}$/);
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.tuple(name, taskLike), { maxLength: 5, selector: ([n]) => n.toLowerCase() }), fc.boolean(), async (files, bundle) => {
        const dir = makeTemp('fuzz');
        try {
          const written: string[] = [];
          if (bundle) {
            const ch: Record<string, unknown> = {};
            const sol: Record<string, unknown> = {};
            for (const [n, v] of files) {
              ch[n] = v;
              sol[n] = [v];
            }
            fs.writeFileSync(path.join(dir, 'z_challenges.json'), JSON.stringify(ch) ?? 'null');
            fs.writeFileSync(path.join(dir, 'z_solutions.json'), JSON.stringify(sol) ?? 'null');
            written.push(path.join(dir, 'z_challenges.json'), path.join(dir, 'z_solutions.json'));
          } else {
            for (const [n, v] of files) {
              const p = path.join(dir, `${n}.json`);
              let text: string;
              try {
                text = JSON.stringify(v) ?? 'undefined';
              } catch {
                text = '{';
              }
              fs.writeFileSync(p, text);
              written.push(p);
            }
          }
          const load = await loadTasks(dir);
          for (const e of load.errors) assert.ok(written.includes(e.file) || e.file === dir, `error names ${e.file}`);
          for (const t of load.tasks) checkResult({ task: t, errors: [] }, t.source);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 150 },
    );
  });
});
