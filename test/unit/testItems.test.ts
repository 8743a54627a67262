/**
 * The Testing view's pure logic: candidates from a parse, pair lines in a task file, the tree (task → candidate → pair,
 * own tasks only) and what an edit changes in it, the results (a mismatch's grids as rows of digits, an exception's
 * frames, the pair's place), the state each status reports. The discovery of the samples, through the real analyzer.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { Engine } from '../../src/engine/engine';
import { firstProblem, stateOf, summary } from '../../src/extension/testing/outcome';
import { TestTree } from '../../src/extension/testing/tree';
import type { RunJson } from '../../src/protocol/results';
import type { TestItemsParams, TestTask } from '../../src/protocol/testItems';
import { candidatesOf, pairLines, TestItems } from '../../src/server/testItems';
import { gridText, testResults } from '../../src/server/testItemsResults';
import '../cacheHome';

const task = (id: string, demo = 2, test = 1): TestTask => ({ id, uri: `file:///w/tasks/${id}.json`, demoLines: Array.from({ length: demo }, (_, i) => 3 + i), testLines: Array.from({ length: test }, (_, i) => 10 + i) });
const cand = (name: string, line: number) => ({ name, taskId: name.replace(/^solve_([^_]+).*$/, '$1'), line, endLine: line + 3 });

describe('testing: candidates and pair lines', () => {
  it('a parse gives its solvers with a supported signature and its distinct batt entries, in line order', () => {
    const fn = (name: string, line: number, kind: 'I' | 'SIC' | null) => ({ name, taskId: name.split('_')[1], line, endLine: line + 2, kind, params: ['I'], segHash: 'h' });
    const entry = (t: number, source: string, line: number) => ({ t, source, line, mutated: false, hashes: ['x'], length: 1, reads: [] });
    const got = candidatesOf({
      functions: [fn('solve_aaaa', 10, 'I'), fn('solve_bbbb', 3, 'SIC'), fn('solve_cccc', 20, null)],
      batt: { line: 30, endLine: 50, segHash: 'b', candidates: [entry(1, 'aaaa', 40), entry(1, 'aaaa', 44), entry(2, 'dddd', 35)] },
    });
    assert.deepStrictEqual(got, [
      { name: 'solve_bbbb', taskId: 'bbbb', line: 3, endLine: 5 },
      { name: 'solve_aaaa', taskId: 'aaaa', line: 10, endLine: 12 },
      { name: 'batt:2:dddd', taskId: 'dddd', line: 35, endLine: 35 },
      { name: 'batt:1:aaaa', taskId: 'aaaa', line: 40, endLine: 40 },
    ]);
  });

  it('finds where each train and test pair starts in a task file', () => {
    const json = '{\n  "train": [\n    {"input": [[1]], "output": [[2]]},\n    {\n      "input": [[3]], "output": [[4]]}\n  ],\n  "test": [{"input": [[5]], "output": [[6]]}],\n  "name": "x [{"\n}\n';
    assert.deepStrictEqual(pairLines(json), { train: [3, 4], test: [7] });
    assert.deepStrictEqual(pairLines('{"train":[{"input":[[1]],"output":[[1]]}],"test":[]}'), { train: [1], test: [] });
  });
});

describe('testing: the tree', () => {
  const full = (files: TestItemsParams['files'], tasks = [task('aaaa'), task('bbbb', 1, 0)]): TestItemsParams => ({ folder: 'file:///w', full: true, tasks, files });

  it('task → candidate → pair, each candidate under its own task; a task no candidate targets is no item', () => {
    const tree = new TestTree();
    tree.apply(full([{ uri: 'file:///w/s.py', candidates: [cand('solve_aaaa', 1), cand('solve_bbbb', 6), cand('solve_zzzz', 12), cand('solve_aaaa_2', 20)] }], [task('aaaa'), task('bbbb', 1, 0), task('cccc')]));
    assert.deepStrictEqual(tree.paths(), [
      'file:///w|aaaa',
      'file:///w|aaaa/file:///w/s.py#solve_aaaa',
      'file:///w|aaaa/file:///w/s.py#solve_aaaa/demo:0',
      'file:///w|aaaa/file:///w/s.py#solve_aaaa/demo:1',
      'file:///w|aaaa/file:///w/s.py#solve_aaaa/test:0',
      'file:///w|aaaa/file:///w/s.py#solve_aaaa_2',
      'file:///w|aaaa/file:///w/s.py#solve_aaaa_2/demo:0',
      'file:///w|aaaa/file:///w/s.py#solve_aaaa_2/demo:1',
      'file:///w|aaaa/file:///w/s.py#solve_aaaa_2/test:0',
      'file:///w|bbbb',
      'file:///w|bbbb/file:///w/s.py#solve_bbbb',
      'file:///w|bbbb/file:///w/s.py#solve_bbbb/demo:0',
    ]);
  });

  it('an edit changes only what it changed: a moved solver is moved, a renamed one removed and added, an unchanged file nothing', () => {
    const tree = new TestTree();
    const many = Array.from({ length: 400 }, (_, i) => ({ name: `solve_t${i}`, taskId: `t${i}`, line: 1 + i * 5, endLine: 4 + i * 5 }));
    const tasks = many.map((c) => task(c.taskId));
    const first = tree.apply(full([{ uri: 'file:///w/s.py', candidates: many }], tasks));
    assert.strictEqual(first.filter((o) => o.op === 'addCandidate').length, 400);
    const edit = (candidates: typeof many) => tree.apply({ folder: 'file:///w', full: false, files: [{ uri: 'file:///w/s.py', candidates }] });
    assert.deepStrictEqual(edit(many), [], 'the same candidates: no change');
    const moved = many.map((c, i) => (i === 7 ? { ...c, line: c.line + 1, endLine: c.endLine + 1 } : c));
    assert.deepStrictEqual(edit(moved).map((o) => o.op), ['moveCandidate']);
    const renamed = moved.map((c, i) => (i === 9 ? { ...c, name: 'solve_t9_v2' } : c));
    const ops = edit(renamed);
    assert.deepStrictEqual(ops.map((o) => [o.op, 'id' in o ? o.id : o.op === 'addCandidate' ? o.candidate.id : '']), [
      ['removeCandidate', 'file:///w/s.py#solve_t9'],
      ['addCandidate', 'file:///w/s.py#solve_t9_v2'],
    ]);
    const gone = edit(renamed.filter((_, i) => i !== 0));
    assert.deepStrictEqual(gone, [{ op: 'removeTask', id: 'file:///w|t0' }], 'a task left without candidates goes');
    assert.deepStrictEqual(tree.apply({ folder: 'file:///w', full: true, tasks: [], files: [] }).length, 399, 'a removed folder: every task goes');
  });
});

function run(): RunJson {
  const c = (name: string, file: string, status: 'pass' | 'fail' | 'error', pairs: RunJson['tasks'][0]['candidates'][0]['pairs']) => ({
    name, file, line: 4, hash: 'h', status, solved: status === 'pass', demo: { passed: 0, total: 2 }, test: { passed: 0, total: 0, unknown: 0 }, ms: 2, length: 3, rank: 1, pairs,
  });
  return {
    version: 1, workspace: '/w', startedAt: 'x', temperature: 'cold', cancelled: false,
    summary: { tasks: 1, solved: 0, candidates: 2, jobs: 4, ran: 4, cached: 0, skipped: 0, cancelled: 0, wallMs: 5 },
    tasks: [{
      id: 'aaaa', file: '/w/tasks/aaaa.json', solved: false, demoPairs: 2, testPairs: 0,
      candidates: [
        c('solve_aaaa', '/w/s.py', 'fail', [
          { kind: 'demo', index: 0, status: 'pass', ms: 1 },
          { kind: 'demo', index: 1, status: 'fail', ms: 1, message: 'short', mismatch: { kind: 'rotation', text: 'rotated 90° clockwise', short: 'rot' }, actual: [[3, 1], [4, 2]] },
        ]),
        c('solve_aaaa_x', '/w/s.py', 'error', [
          { kind: 'demo', index: 0, status: 'error', ms: 1, message: 'IndexError: x', error: { type: 'IndexError', message: 'x', traceback: 'tb', file: '/w/s.py', line: 6, dslFunc: 'first', dslFile: '/w/dsl.py', dslLine: 93 } },
          { kind: 'demo', index: 1, status: 'cancelled', ms: 0 },
        ]),
        c('solve_bbbb', '/w/s.py', 'pass', []), // a transfer (battery): not its own task
      ],
    }],
    phases: [], cache: { inline: { hits: 0, misses: 0, entries: 0, savedMs: 0 }, validation: { hits: 0, misses: 0, entries: 0, savedMs: 0 } },
    pool: { workers: 1, restarts: 0, started: true }, stored: [], errors: [],
  };
}

describe('testing: results', () => {
  const tasks = (id: string) => (id === 'aaaa' ? { item: task('aaaa'), train: [{ output: [[1, 2], [3, 4]] }, { output: [[1, 2], [3, 4]] }], test: [{ output: null }] } : undefined);

  it('grids are rows of digits, one row a line', () => {
    assert.strictEqual(gridText([[0, 1, 2], [3, 4, 5]]), '012\n345');
  });

  it('a mismatch has the expected and actual rows and the pair’s line in its task file; an exception its raising line and DSL frame', () => {
    const r = testResults(run(), 'candidates', tasks);
    assert.deepStrictEqual(r.results.map((x) => x.name), ['solve_aaaa', 'solve_aaaa_x'], 'own-task candidates only');
    assert.strictEqual(r.folder, pathToFileURL('/w').toString());
    const fail = r.results[0].pairs[1];
    assert.deepStrictEqual(fail, { kind: 'demo', index: 1, status: 'fail', ms: 1, message: 'rotated 90° clockwise', expected: '12\n34', actual: '31\n42', location: { uri: 'file:///w/tasks/aaaa.json', line: 4 } });
    const err = r.results[1].pairs[0];
    assert.strictEqual(err.message, 'IndexError: x\nraised in first (/w/dsl.py:93)');
    assert.deepStrictEqual(err.location, { uri: pathToFileURL('/w/s.py').toString(), line: 6 });
    assert.deepStrictEqual(err.frames, [{ label: 'solve_aaaa_x', uri: pathToFileURL('/w/s.py').toString(), line: 6 }, { label: 'first', uri: pathToFileURL('/w/dsl.py').toString(), line: 93 }]);
  });

  it('cached verdicts say so', () => {
    const cached = run();
    for (const c of cached.tasks[0].candidates) for (const p of c.pairs) p.cached = p.status !== 'cancelled';
    const r = testResults(cached, 'cache', tasks);
    assert.strictEqual(r.label, 'batt: cached verdicts (nothing ran)');
    assert.ok(r.results.every((x) => x.cached));
    assert.strictEqual(r.results[0].pairs[1].message, 'rotated 90° clockwise (from the cache)');
    assert.strictEqual(summary(r.results[0]), 'demo 1/2 · test 0/0 · from the cache');
  });

  it('states: pass passed, mismatch failed, exception/timeout/crash errored, not run skipped', () => {
    assert.deepStrictEqual((['pass', 'fail', 'error', 'timeout', 'crash', 'skipped', 'cancelled', 'unknown'] as const).map(stateOf), ['passed', 'failed', 'errored', 'errored', 'errored', 'skipped', 'skipped', 'skipped']);
    const r = testResults(run(), 'save', tasks);
    assert.deepStrictEqual([firstProblem(r.results[0])?.index, firstProblem(r.results[1])?.status], [1, 'error']);
  });
});

describe('testing: discovery of the samples (the real analyzer)', function () {
  this.timeout(60000);
  let ws: string;
  let engine: Engine;
  before(() => {
    ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-testitems-')));
    fs.cpSync(path.join(__dirname, '..', '..', 'samples'), ws, { recursive: true, filter: (s) => !s.includes(`${path.sep}.batt`) && !s.includes('__pycache__') });
    engine = new Engine({ workspace: ws });
  });
  after(async () => {
    await engine.dispose();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('sends every candidate file and the tasks they target; an edit sends its file only when its candidates change', async () => {
    const sent: TestItemsParams[] = [];
    const items = new TestItems({ engine: () => engine, send: (p) => sent.push(p), log: () => undefined });
    await items.discover(ws, () => undefined);
    assert.strictEqual(sent.length, 1);
    const tree = new TestTree();
    tree.apply(sent[0]);
    const names = tree.paths().filter((p) => p.split('/').length === 2 || (p.includes('#') && !/:\d+$/.test(p))).map((p) => p.replace(/^.*\|/, '').replace(/\/.*#/, ' '));
    assert.ok(names.includes('a3f1c07e batt:1:a3f1c07e'), names.join(', '));
    assert.ok(names.includes('b70e19d4 solve_b70e19d4'));
    assert.ok(!names.some((n) => n.startsWith('5e2b9d14')), 'a task with no candidate of its own is no item');
    const solvers = path.join(ws, 'solvers.py');
    const text = fs.readFileSync(solvers, 'utf8');
    await items.edit(ws, solvers, text.replace('# ', '#  '));
    assert.strictEqual(sent.length, 1, 'a comment edit changes no candidate');
    await items.edit(ws, solvers, text.replace('def solve_b70e19d4(', 'def solve_b70e19d4_v2('));
    assert.strictEqual(sent.length, 2);
    assert.deepStrictEqual([sent[1].full, sent[1].files.map((f) => path.basename(f.uri)), sent[1].tasks], [false, ['solvers.py'], undefined]);
    const ops = tree.apply(sent[1]);
    assert.deepStrictEqual(ops.map((o) => o.op), ['removeCandidate', 'addCandidate']);
  });
});
