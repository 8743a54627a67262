// Trace jobs in one real Python worker (src/worker/scoring/solver_trace.py) on the sample DSL: every value kind, an exception
// midway on one pair, a CPU timeout, values too big to send whole, an (S, I, C) solver and a batt entry's program.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResultMessage, RunMessage, TaskMessage, WireTrace, WireTraceValue } from '../../src/protocol/worker';
import { WorkerProcess } from '../../src/engine/pool/workerProcess';
import { PYTHON, REPO, SCRIPT } from '../workerFixtures';

const SAMPLES = fs.realpathSync(path.join(REPO, 'samples'));
const FIXTURE = fs.realpathSync(path.join(REPO, 'test/fixtures/trace'));

function sampleTask(id: string): TaskMessage {
  const raw = JSON.parse(fs.readFileSync(path.join(SAMPLES, 'tasks', `${id}.json`), 'utf8')) as {
    train: Array<{ input: number[][]; output: number[][] }>;
    test: Array<{ input: number[][]; output: number[][] }>;
  };
  return { t: 'task', key: `k-${id}`, train: raw.train.map((p) => [p.input, p.output]), test: raw.test.map((p) => [p.input, p.output]) };
}

describe('trace jobs (Python worker)', function () {
  this.timeout(60000);
  let proc: WorkerProcess;
  let nextId = 0;
  const waiting = new Map<number, (r: ResultMessage) => void>();
  const tasks = new Map<string, TaskMessage>();

  function run(fields: Partial<RunMessage> & { file: string; fn: string; taskId: string }): Promise<ResultMessage> {
    let task = tasks.get(fields.taskId);
    if (!task) {
      task = sampleTask(fields.taskId);
      tasks.set(fields.taskId, task);
      proc.send(task);
    }
    const id = ++nextId;
    const msg: RunMessage = { t: 'run', id, kind: 'I', pair: 'demo', index: 0, trace: true, limitMs: 2000, ...fields, task: task.key };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no result for ${fields.fn}`)), 20000);
      waiting.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      proc.send(msg);
    });
  }
  const byName = (t: WireTrace) => new Map(t.values.map((v) => [t.steps[v.step].name, v]));
  const fixture = path.join(FIXTURE, 'trace_solvers.py');

  before(async () => {
    proc = new WorkerProcess({ id: 1, python: PYTHON, script: SCRIPT, roots: [SAMPLES, FIXTURE], memoryMB: 1024 });
    proc.on('message', (m) => {
      if (m.t === 'result') waiting.get(m.id)?.(m);
    });
    await proc.ready;
    proc.send({ t: 'files', files: {} });
  });
  after(async () => {
    await proc.kill();
  });

  it('classifies every kind of value, each statement at its own line', async () => {
    const r = await run({ file: fixture, fn: 'solve_types', taskId: 'e6a05f38' });
    assert.equal(r.ok, true, JSON.stringify(r.error));
    const t = r.trace!;
    assert.deepEqual(t.steps.map((s) => s.name), ['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8', 'O']);
    const src = fs.readFileSync(fixture, 'utf8').split('\n');
    for (const s of t.steps) assert.equal(src[s.line - 1].trim(), s.source);
    const v = byName(t);
    const types = Object.fromEntries([...v].map(([n, x]) => [n, x.type]));
    assert.deepEqual(types, { x1: 'objects', x2: 'object', x3: 'indices', x4: 'int', x5: 'bool', x6: 'tuple', x7: 'function', x8: 'other', O: 'grid' });
    const o = v.get('O')!;
    assert.deepEqual(o.shape, [o.grid!.length, o.grid![0].length]);
    assert.equal(o.summary, `${o.shape[0]}x${o.shape[1]}`);
    assert.match(v.get('x1')!.summary, /^\d+ obj$/);
    const x2 = v.get('x2')!;
    assert.equal(x2.cells!.length, x2.size);
    assert.ok(x2.cells!.every((c) => c[2] >= 0), 'object cells carry their colour');
    assert.equal(v.get('x3')!.size, x2.size);
    assert.ok(v.get('x3')!.cells!.every((c) => c[2] === -1), 'index cells carry no colour');
    assert.equal(v.get('x4')!.summary, String(x2.size));
    assert.equal(v.get('x5')!.summary, x2.size! > 1 ? 'True' : 'False');
    assert.equal(v.get('x7')!.summary, '<lambda>'); // compose returns a lambda
    assert.match(v.get('x8')!.repr!, /^\{\d(, \d)*\}$/);
  });

  it('an exception midway ends that pair at the raising line; the other pairs run to the end', async () => {
    const file = path.join(SAMPLES, 'solvers.py');
    const demo1 = await run({ file, fn: 'solve_9fd2a6c3', taskId: '9fd2a6c3', index: 1 });
    assert.equal(demo1.ok, false);
    assert.equal(demo1.error?.type, 'IndexError');
    const t = demo1.trace!;
    assert.deepEqual(t.values.map((v) => t.steps[v.step].name), ['x1', 'x2']);
    assert.deepEqual([byName(t).get('x2')!.summary, byName(t).get('x2')!.repr, byName(t).get('x2')!.size], ['\u2205', 'frozenset()', 0]);
    assert.equal(t.steps[t.error!.step].name, 'x3');
    assert.match(t.error!.text, /^IndexError: /);
    assert.equal(t.error!.line, demo1.error?.line);
    const demo0 = await run({ file, fn: 'solve_9fd2a6c3', taskId: '9fd2a6c3', index: 0 });
    assert.equal(demo0.ok, true);
    assert.deepEqual(demo0.trace!.values.map((v) => demo0.trace!.steps[v.step].name), ['x1', 'x2', 'x3', 'O']);
    assert.equal(demo0.trace!.error, undefined);
  });

  it('a CPU timeout stops the trace at the running statement and the worker lives on', async () => {
    const r = await run({ file: fixture, fn: 'solve_spin', taskId: 'e6a05f38', limitMs: 200 });
    assert.equal(r.timedOut, true);
    const t = r.trace!;
    assert.deepEqual(t.values.map((v) => t.steps[v.step].name), ['x1']);
    assert.equal(t.steps[t.error!.step].name, 'x2');
    assert.match(t.error!.text, /timed out after \d+ ms of CPU time/);
    const again = await run({ file: fixture, fn: 'solve_types', taskId: 'e6a05f38' });
    assert.equal(again.ok, true);
  });

  it('bounds what a huge value sends: no grid over 30x30, cells capped, the repr cut', async () => {
    const r = await run({ file: fixture, fn: 'solve_huge', taskId: 'e6a05f38' });
    assert.equal(r.ok, true, JSON.stringify(r.error));
    const v = byName(r.trace!);
    const big = v.get('x1')!;
    assert.equal(big.type, 'grid');
    assert.ok(big.shape![0] > 30 && big.grid === undefined && big.truncated === true);
    const idx = v.get('x2')!;
    assert.equal(idx.type, 'indices');
    assert.ok(idx.size! > 900 && idx.cells!.length === 900 && idx.truncated === true);
    const tup: WireTraceValue = v.get('x3')!;
    assert.equal(tup.type, 'tuple');
    assert.equal(tup.size, 10000);
    assert.ok(tup.repr!.length <= 200 && tup.repr!.endsWith('...') && tup.truncated === true);
    assert.ok(JSON.stringify(r).length < 40000, `result of ${JSON.stringify(r).length} bytes`);
  });

  it('traces every top-level statement that binds a name in a free-form solver, and a computed return', async () => {
    const r = await run({ file: fixture, fn: 'solve_free', taskId: 'e6a05f38' });
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal(r.stdout?.trim().length ? true : false, true, 'the print is captured as usual');
    const t = r.trace!;
    assert.deepEqual(t.steps.map((s) => s.name), ['y', 'k', 'a', 'return']);
    assert.deepEqual(t.values.map((v) => v.type), ['grid', 'int', 'int', 'grid']);
    assert.equal(t.steps[3].source, 'return rot180(y)');
  });

  it('runs (S, I, C) solvers with S, the input and no C', async () => {
    const r = await run({ file: path.join(SAMPLES, 'solvers.py'), fn: 'solve_63d5af2e_sic', kind: 'SIC', taskId: '63d5af2e' });
    assert.equal(r.ok, true, JSON.stringify(r.error));
    const v = byName(r.trace!);
    assert.equal(v.get('x1')!.type, 'tuple'); // the first demo pair (input, output)
    assert.equal(v.get('x2')!.type, 'grid'); // its output
    assert.equal(v.get('x3')!.summary, '6');
    assert.equal(v.get('O')!.type, 'grid');
  });

  it('traces a batt entry through its sliced program, each step at its line in the batt module', async () => {
    const file = path.join(SAMPLES, 'batt_sample.py');
    const program = [
      'def solve(I):',
      '    try:',
      '        t2 = objects(I, T, F, T)',
      '    except (TypeError, AttributeError, ValueError, IndexError, KeyError):',
      '        t2 = _get_safe_default(objects)',
      '    try:',
      '        t4 = argmax(t2, size)',
      '    except (TypeError, AttributeError, ValueError, IndexError, KeyError):',
      '        t4 = _get_safe_default(argmax)',
      '    try:',
      '        t7 = subgrid(t4, I)',
      '    except (TypeError, AttributeError, ValueError, IndexError, KeyError):',
      '        t7 = _get_safe_default(subgrid)',
      '    return t7',
      '',
    ].join('\n');
    const r = await run({ file, fn: 'batt', kind: 'batt', program, taskId: 'e6a05f38' });
    assert.equal(r.ok, true, JSON.stringify(r.error));
    const t = r.trace!;
    const src = fs.readFileSync(file, 'utf8').split('\n');
    assert.deepEqual(t.steps.map((s) => [s.name, s.source]), [['t2', 't2 = objects(I, T, F, T)'], ['t4', 't4 = argmax(t2, size)'], ['t7', 't7 = subgrid(t4, I)']]);
    for (const s of t.steps) assert.equal(src[s.line - 1].trim(), s.source);
    assert.deepEqual(t.values.map((v) => v.type), ['objects', 'object', 'grid']);
  });
});
