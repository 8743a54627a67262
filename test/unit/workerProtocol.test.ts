// src/worker/protocol.py must mirror src/protocol/worker.ts: same message types, same fields, same records.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FromWorker, ToWorker } from '../../src/protocol/worker';

const PYTHON = process.env.BATT_PYTHON ?? 'python3';
const REPO = path.resolve(__dirname, '../..');
const PROTOCOL_PY = path.join(REPO, 'src/worker/scoring/protocol.py');
const WORKER_TS = path.join(REPO, 'src/protocol/worker.ts');
/** The worker files this test holds to Python 3.8 (analyze.py and its helpers have their own tests). */
const OWN_PY = ['main.py', 'runner.py', 'protocol.py', 'workspace.py', 'grid_check.py', 'landlock.py', 'sandbox.py', 'solver_trace.py'];

type Table = Record<string, string[]>;
interface PyTables {
  toWorker: Table;
  fromWorker: Table;
  records: Table;
  required: Table;
}

function python(args: string[], input?: string): string {
  const r = spawnSync(PYTHON, args, { input, encoding: 'utf8' });
  assert.equal(r.status, 0, `${PYTHON} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** Interfaces of worker.ts: name -> { fields, required, extends, tag (the literal `t`) }. */
function parseInterfaces(): Map<string, { fields: string[]; required: string[]; parent?: string; tag?: string }> {
  const src = fs.readFileSync(WORKER_TS, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const out = new Map<string, { fields: string[]; required: string[]; parent?: string; tag?: string }>();
  for (const m of src.matchAll(/export interface (\w+)(?: extends (\w+))? \{([\s\S]*?)\n\}/g)) {
    const fields: string[] = [];
    const required: string[] = [];
    let tag: string | undefined;
    for (const f of m[3].matchAll(/^\s*(\w+)(\??):\s*([^;]+);/gm)) {
      const tagMatch = f[1] === 't' ? /^'(\w+)'$/.exec(f[3].trim()) : null;
      if (tagMatch) {
        tag = tagMatch[1];
        continue;
      }
      fields.push(f[1]);
      if (f[2] !== '?') required.push(f[1]);
    }
    out.set(m[1], { fields, required, parent: m[2], tag });
  }
  return out;
}

function unionMembers(name: string): string[] {
  const src = fs.readFileSync(WORKER_TS, 'utf8');
  const m = new RegExp(`export type ${name} = ([^;]+);`).exec(src);
  assert.ok(m, `${name} not found in worker.ts`);
  return m[1].split('|').map((s) => s.trim());
}

const sorted = (t: Table): Table => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, [...v].sort()]).sort());

describe('worker protocol mirror (protocol.py <-> worker.ts)', () => {
  const py = JSON.parse(python([PROTOCOL_PY])) as PyTables;
  const ifaces = parseInterfaces();

  it('protocol.py has the expected message types and fields (the list here)', () => {
    assert.deepEqual(sorted(py.toWorker), sorted({
      files: ['files'],
      task: ['key', 'train', 'test'],
      run: ['id', 'file', 'fn', 'kind', 'task', 'taskId', 'pair', 'index', 'limitMs', 'trace', 'program'],
      exit: [],
    }));
    assert.deepEqual(sorted(py.fromWorker), sorted({
      ready: ['pid', 'python', 'cpuTimer', 'sandbox'],
      phase: ['id', 'phase'],
      result: ['id', 'ok', 'ms', 'timedOut', 'cpuMs', 'outcome', 'batt', 'error', 'stdout', 'stderr', 'truncated', 'trace'],
      log: ['level', 'msg'],
    }));
  });

  it('message types, fields and required fields match the TypeScript interfaces', () => {
    for (const [union, table] of [['ToWorker', py.toWorker], ['FromWorker', py.fromWorker]] as const) {
      const fromTs: Table = {};
      const requiredTs: Table = {};
      for (const member of unionMembers(union)) {
        const i = ifaces.get(member);
        assert.ok(i?.tag, `${member} has no literal t`);
        fromTs[i.tag] = i.fields;
        requiredTs[i.tag] = i.required;
      }
      assert.deepEqual(sorted(table), sorted(fromTs), union);
      for (const t of Object.keys(fromTs)) assert.deepEqual([...py.required[t]].sort(), [...requiredTs[t]].sort(), `required fields of ${t}`);
    }
  });

  it('nested records (WireError, WireOutcome, BattOutcome) match', () => {
    for (const [name, fields] of Object.entries(py.records)) {
      const i = ifaces.get(name);
      assert.ok(i, `${name} not in worker.ts`);
      const all = [...i.fields, ...(i.parent ? ifaces.get(i.parent)?.fields ?? [] : [])];
      assert.deepEqual([...fields].sort(), all.sort(), name);
    }
  });

  it('round-trips sample messages of every type through protocol.py', () => {
    const samples: Array<ToWorker | FromWorker> = [
      { t: 'files', files: { '/w/dsl.py': { sha: 'ab', deps: [] }, '/w/solvers.py': { sha: 'cd', deps: ['/w/dsl.py'] } } },
      { t: 'task', key: 'k1', train: [[[[1, 2]], [[2, 1]]]], test: [[[[3]], null]] },
      { t: 'run', id: 7, file: '/w/solvers.py', fn: 'solve_x', kind: 'SIC', task: 'k1', taskId: '00576224', pair: 'test', index: 0 },
      { t: 'run', id: 8, file: '/w/solvers.py', fn: 'solve_x', kind: 'I', task: 'k1', taskId: '00576224', pair: 'demo', index: 1, limitMs: 500 },
      { t: 'exit' },
      { t: 'ready', pid: 123, python: '3.11.7' },
      { t: 'ready', pid: 124, python: '3.8.10', cpuTimer: true },
      { t: 'phase', id: 8, phase: 'import' },
      { t: 'phase', id: 8, phase: 'call' },
      { t: 'result', id: 8, ok: false, ms: 512.5, timedOut: true, cpuMs: 501.25, stdout: 'partial' },
      { t: 'result', id: 7, ok: true, ms: 0.25, outcome: { match: false, output: [[1]] }, stdout: 'hé \u2603', truncated: true },
      { t: 'result', id: 8, ok: true, ms: 1, batt: [{ t: 3, mutated: true, source: 'abc', match: null, invalid: 'returned NoneType' }] },
      { t: 'result', id: 9, ok: false, ms: 0, error: { type: 'StopIteration', message: '', file: '/w/s.py', line: 4, dslFunc: 'first', dslFile: '/w/dsl.py', dslLine: 9, traceback: 'Traceback' } },
      { t: 'log', level: 'warn', msg: 'hello' },
      { t: 'run', id: 10, file: '/w/batt.py', fn: 'batt', kind: 'batt', task: 'k1', taskId: 'x', pair: 'demo', index: 0, trace: true, program: 'def solve(I):\n    return I\n' },
      { t: 'result', id: 10, ok: false, ms: 2, trace: { steps: [{ line: 3, name: 'x1', source: 'x1 = f(I)' }], values: [{ step: 0, type: 'grid', shape: [1, 1], summary: '1x1', grid: [[1]], palette: [1] }], error: { step: 0, line: 3, text: 'IndexError: x' } } },
    ];
    const out = python([PROTOCOL_PY, 'check'], samples.map((s) => JSON.stringify(s)).join('\n') + '\n').trim().split('\n');
    assert.equal(out.length, samples.length);
    out.forEach((line, i) => {
      const { problems, echo } = JSON.parse(line) as { problems: string[]; echo: string };
      assert.deepEqual(problems, [], JSON.stringify(samples[i]));
      assert.deepEqual(JSON.parse(echo), samples[i]);
    });
  });

  it('check_message names what is wrong with a bad message', () => {
    const bad = [{ t: 'run', id: 1, kind: 'X' }, { t: 'nope' }, { t: 'log', level: 'loud', msg: 'x', extra: 1 }, { t: 'phase', id: 1, phase: 'load' }];
    const out = python([PROTOCOL_PY, 'check'], bad.map((s) => JSON.stringify(s)).join('\n') + '\n').trim().split('\n');
    const problems = out.map((l) => (JSON.parse(l) as { problems: string[] }).problems.join('; '));
    assert.match(problems[0], /missing field 'file'.*bad kind 'X'/);
    assert.match(problems[1], /unknown message type 'nope'/);
    assert.match(problems[2], /unexpected field 'extra'.*bad level 'loud'/);
    assert.match(problems[3], /bad phase 'load'/);
  });

  it('the worker sources parse as Python 3.8 and avoid newer APIs', () => {
    const files = OWN_PY.map((f) => path.join(REPO, 'src/worker/scoring', f));
    python(['-c', 'import ast, sys\nfor f in sys.argv[1:]:\n    ast.parse(open(f).read(), f, feature_version=(3, 8))', ...files]);
    for (const f of files) {
      const src = fs.readFileSync(f, 'utf8');
      for (const banned of [/\.removeprefix\(/, /\.removesuffix\(/, /ast\.unparse/, /:\s*(list|dict|tuple|set)\[/, /^\s*match\s+\w+.*:$/m]) {
        assert.ok(!banned.test(src), `${path.basename(f)} uses ${banned}`);
      }
    }
  });
});
