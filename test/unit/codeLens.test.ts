/**
 * CodeLens above each solver (issue 13): the verdict text (pass, mismatch short form, exception type, timeout,
 * duplicate, cached, not run yet), the lens ranges on the `def` lines of the current text, the actions and their
 * arguments, and which runs' verdicts a lens shows (own task only; cached ones never replace a run's).
 */
import * as assert from 'assert';
import { SHOW_PAIR_COMMAND } from '../../src/protocol/codeActions';
import { parseSolverRef, RUN_SOLVER_COMMAND, TRACE_SOLVER_COMMAND, TRY_EVERY_TASK_COMMAND } from '../../src/protocol/codeLens';
import type { CandidateJson, RunJson, TaskJson } from '../../src/protocol/results';
import { formatMs, LensVerdicts, solverDefs, solverLenses, verdictTitle, type LensState, type LensVerdict } from '../../src/server/codeLens';

const FILE = '/w/solvers.py';
const URI = 'file:///w/solvers.py';

function cand(over: Partial<CandidateJson>): CandidateJson {
  return {
    name: 'solve_aaaa0000', file: FILE, line: 1, hash: 'h', status: 'pass', solved: true,
    demo: { passed: 3, total: 3 }, test: { passed: 1, total: 1, unknown: 0 }, ms: 0.4, length: 2, rank: 1,
    pairs: [
      { kind: 'demo', index: 0, status: 'pass', ms: 0.1 },
      { kind: 'demo', index: 1, status: 'pass', ms: 0.1 },
      { kind: 'demo', index: 2, status: 'pass', ms: 0.1 },
      { kind: 'test', index: 0, status: 'pass', ms: 0.1 },
    ],
    ...over,
  };
}

function task(id: string, candidates: CandidateJson[]): TaskJson {
  return { id, file: `/w/tasks/${id}.json`, solved: candidates.some((c) => c.solved), demoPairs: 3, testPairs: 1, candidates };
}

function run(tasks: TaskJson[]): RunJson {
  return {
    version: 1, workspace: '/w', startedAt: '', temperature: 'cold', cancelled: false,
    summary: { tasks: tasks.length, solved: 0, candidates: 0, jobs: 0, ran: 0, cached: 0, skipped: 0, cancelled: 0, wallMs: 1 },
    tasks, phases: [], cache: { inline: { hits: 0, misses: 0, entries: 0, savedMs: 0 }, validation: { hits: 0, misses: 0, entries: 0, savedMs: 0 } },
    pool: { workers: 4, restarts: 0, started: true }, stored: [], errors: [],
  };
}

const rotated = cand({
  name: 'solve_aaaa0000_r', status: 'fail', solved: false, demo: { passed: 1, total: 3 }, test: { passed: 0, total: 1, unknown: 0 },
  pairs: [
    { kind: 'demo', index: 0, status: 'pass', ms: 0.1 },
    { kind: 'demo', index: 1, status: 'fail', ms: 0.1, message: 'the expected is the actual rotated 180°; 3 of 15 cells right', mismatch: { kind: 'rotation', text: 'rotated 180°', short: 'rotated 180°', credit: 0.2 } },
    { kind: 'demo', index: 2, status: 'fail', ms: 0.1, mismatch: { kind: 'cells', text: 'x', short: '2 of 9 cells differ' } },
    { kind: 'test', index: 0, status: 'fail', ms: 0.1 },
  ],
});
const raising = cand({
  name: 'solve_aaaa0000_e', status: 'error', solved: false, demo: { passed: 1, total: 3 }, test: { passed: 0, total: 1, unknown: 0 },
  pairs: [
    { kind: 'demo', index: 0, status: 'fail', ms: 0.1, mismatch: { kind: 'cells', text: 'x', short: '1 of 9 cells differ' } },
    { kind: 'demo', index: 1, status: 'pass', ms: 0.1 },
    { kind: 'demo', index: 2, status: 'error', ms: 0.1, error: { type: 'IndexError', message: 'tuple index out of range', dslFunc: 'first', traceback: '' } },
    { kind: 'test', index: 0, status: 'error', ms: 0.1, error: { type: 'IndexError', message: 'x', traceback: '' } },
  ],
});
const looping = cand({
  name: 'solve_aaaa0000_t', status: 'timeout', solved: false, demo: { passed: 0, total: 3 }, test: { passed: 0, total: 1, unknown: 0 }, ms: 8000,
  pairs: [
    { kind: 'demo', index: 0, status: 'timeout', ms: 2000, timedOutBy: 'cpu' },
    { kind: 'demo', index: 1, status: 'timeout', ms: 2000, timedOutBy: 'cpu' },
    { kind: 'demo', index: 2, status: 'timeout', ms: 2000, timedOutBy: 'cpu' },
    { kind: 'test', index: 0, status: 'timeout', ms: 2000, timedOutBy: 'cpu' },
  ],
});

const v = (candidate: CandidateJson, cached = false): LensVerdict => ({ taskId: 'aaaa0000', candidate, cached });
const verdictOf = (s: LensState): LensVerdict | undefined => (s && s !== 'no task' ? s : undefined);

describe('CodeLens: verdict text', () => {
  it('a pass: pair counts and time', () => {
    assert.strictEqual(verdictTitle(v(cand({}))), '$(pass) demo 3/3 · test 1/1 · 0.4 ms');
  });
  it("a mismatch: its first failing pair and the explainer's short form", () => {
    assert.strictEqual(verdictTitle(v(rotated)), '$(error) demo 1/3 · test 0/1 · demo 1: rotated 180°');
  });
  it('an exception: the pair that raised (not an earlier mismatch), its type and DSL function', () => {
    assert.strictEqual(verdictTitle(v(raising)), '$(error) demo 1/3 · test 0/1 · demo 2: IndexError in first');
  });
  it('a timeout, and a wall-clock one', () => {
    assert.strictEqual(verdictTitle(v(looping)), '$(error) demo 0/3 · test 0/1 · demo 0: timeout');
    const wall = cand({ ...looping, pairs: looping.pairs.map((p) => ({ ...p, timedOutBy: 'wall' as const })) });
    assert.strictEqual(verdictTitle(v(wall)), '$(error) demo 0/3 · test 0/1 · demo 0: timeout (wall clock)');
  });
  it('a duplicate names its twin; a cached verdict says so', () => {
    assert.strictEqual(verdictTitle(v(cand({ duplicateOf: 'solve_aaaa0000_b' }), true)), '$(pass) demo 3/3 · test 1/1 · 0.4 ms · same as solve_aaaa0000_b · cached');
  });
  it('an unknown test output, and pairs the cache did not have', () => {
    const unknown = cand({ solved: false, test: { passed: 0, total: 1, unknown: 1 }, pairs: [...cand({}).pairs.slice(0, 3), { kind: 'test', index: 0, status: 'unknown', ms: 0.1 }] });
    assert.strictEqual(verdictTitle(v(unknown)), 'demo 3/3 · test 0/1 (1 unknown) · 0.4 ms');
    const partial = cand({ status: 'cancelled', solved: false, test: { passed: 0, total: 1, unknown: 0 }, pairs: [...cand({}).pairs.slice(0, 3), { kind: 'test', index: 0, status: 'cancelled', ms: 0, message: 'not in the cache (nothing ran)' }] });
    assert.strictEqual(verdictTitle(v(partial, true)), 'demo 3/3 · test 0/1 · 1 pair not run · cached');
  });
  it('nothing known: not run yet; no task of its own in the tasks folder: so', () => {
    assert.strictEqual(verdictTitle(undefined), 'batt: not run yet');
    assert.strictEqual(verdictTitle('no task'), 'batt: its task is not in the tasks folder');
  });
  it('durations', () => {
    assert.deepStrictEqual([0.01, 0.4, 9.96, 12.4, 999, 2100].map(formatMs), ['< 0.1 ms', '0.4 ms', '10.0 ms', '12 ms', '999 ms', '2.1 s']);
  });
});

const TEXT = [
  'from dsl import *', // 0
  '', // 1
  'def solve_aaaa0000(I):', // 2
  '    def solve_inner(x):', // 3: nested, no lens
  '        return x', // 4
  '    return I', // 5
  '# def solve_commented(I):', // 6
  'def solve_aaaa0000_r (I):', // 7
  '    return I',
  'def helper(I):',
  '    return I',
].join('\r\n');

describe('CodeLens: ranges and actions', () => {
  it('finds the top-level solver definitions of the current text (CRLF too)', () => {
    assert.deepStrictEqual(solverDefs(TEXT), [
      { name: 'solve_aaaa0000', line: 2, end: 18 },
      { name: 'solve_aaaa0000_r', line: 7, end: 20 },
    ]);
  });

  it('puts the verdict, Run, Trace and Try on every task above each solver, on its def line', () => {
    const verdicts = new Map([['solve_aaaa0000_r', v(rotated)]]);
    const lenses = solverLenses(URI, TEXT, (n) => verdicts.get(n));
    assert.deepStrictEqual(
      lenses.map((l) => [l.range.start.line, l.range.start.character, l.range.end.line, l.range.end.character, l.command?.title, l.command?.command]),
      [
        [2, 0, 2, 18, 'batt: not run yet', ''],
        [2, 0, 2, 18, 'Run', RUN_SOLVER_COMMAND],
        [2, 0, 2, 18, 'Trace', TRACE_SOLVER_COMMAND],
        [2, 0, 2, 18, 'Try on every task', TRY_EVERY_TASK_COMMAND],
        [7, 0, 7, 20, '$(error) demo 1/3 · test 0/1 · demo 1: rotated 180°', SHOW_PAIR_COMMAND],
        [7, 0, 7, 20, 'Run', RUN_SOLVER_COMMAND],
        [7, 0, 7, 20, 'Trace', TRACE_SOLVER_COMMAND],
        [7, 0, 7, 20, 'Try on every task', TRY_EVERY_TASK_COMMAND],
      ],
    );
    assert.deepStrictEqual(lenses[4].command?.arguments, [{ taskId: 'aaaa0000', candidate: 'solve_aaaa0000_r', kind: 'demo', index: 1 }]);
    for (const l of lenses.filter((x) => x.command?.command !== SHOW_PAIR_COMMAND && x.command?.command !== '')) {
      const [arg] = l.command!.arguments!;
      assert.deepStrictEqual(parseSolverRef(arg), arg);
      assert.strictEqual((arg as { uri: string }).uri, URI);
    }
  });

  it('validates a solver argument that comes back from the client', () => {
    assert.deepStrictEqual(parseSolverRef({ uri: URI, solver: 'solve_a' }), { uri: URI, solver: 'solve_a' });
    for (const bad of [null, [], 'x', { uri: URI }, { uri: 'untitled:1', solver: 'solve_a' }, { uri: URI, solver: 'solve a' }, { uri: URI, solver: 'solve_a', extra: 1 }]) {
      assert.strictEqual(parseSolverRef(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe('CodeLens: which verdicts a lens shows', () => {
  it("keeps each solver's own-task verdict; a battery's transfers to other tasks are not one", () => {
    const lv = new LensVerdicts();
    const transfer = cand({ name: 'solve_aaaa0000', status: 'fail', solved: false, demo: { passed: 0, total: 3 } });
    assert.ok(lv.add(run([task('aaaa0000', [cand({})]), task('bbbb1111', [transfer])]), 'task'));
    assert.strictEqual(verdictOf(lv.get(FILE, 'solve_aaaa0000'))?.candidate.solved, true);
    assert.strictEqual(verdictOf(lv.get(FILE, 'solve_aaaa0000'))?.taskId, 'aaaa0000');
    assert.strictEqual(lv.get('/w/other.py', 'solve_aaaa0000'), undefined);
  });

  it('cached verdicts fill only what no run told; a newer run replaces the old text', () => {
    const lv = new LensVerdicts();
    assert.ok(lv.add(run([task('aaaa0000', [rotated])]), 'save'));
    assert.ok(!lv.add(run([task('aaaa0000', [{ ...rotated, status: 'pass', solved: true }])]), 'cache'));
    assert.strictEqual(verdictTitle(lv.get(FILE, rotated.name)), '$(error) demo 1/3 · test 0/1 · demo 1: rotated 180°');
    const fixed = cand({ name: rotated.name });
    assert.ok(lv.add(run([task('aaaa0000', [fixed])]), 'save'));
    assert.strictEqual(verdictTitle(lv.get(FILE, rotated.name)), '$(pass) demo 3/3 · test 1/1 · 0.4 ms');
    const fresh = new LensVerdicts();
    fresh.add(run([task('aaaa0000', [fixed])]), 'cache');
    assert.strictEqual(verdictOf(fresh.get(FILE, rotated.name))?.cached, true);
  });

  it("says a solver has no task once a run loaded the folder's tasks and none is its own", () => {
    const lv = new LensVerdicts();
    assert.strictEqual(lv.get(FILE, 'solve_cccc2222'), undefined, 'tasks not known yet');
    lv.add(run([task('aaaa0000', []), task('bbbb1111', [])]), 'cache');
    assert.strictEqual(lv.get(FILE, 'solve_cccc2222'), undefined, 'a cache lookup leaves tasks out');
    assert.ok(lv.add(run([task('aaaa0000', []), task('bbbb1111', [])]), 'save'), 'the lenses refresh');
    assert.strictEqual(lv.get(FILE, 'solve_cccc2222'), 'no task');
    assert.ok(!lv.add(run([task('aaaa0000', []), task('bbbb1111', [])]), 'save'), 'nothing new');
    assert.strictEqual(lv.get(FILE, 'solve_bbbb1111_x'), undefined, 'its task exists: not run yet');
    assert.strictEqual(lv.get('/elsewhere/s.py', 'solve_cccc2222'), undefined, 'another folder');
  });
});
