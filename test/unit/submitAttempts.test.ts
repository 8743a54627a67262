/**
 * batt submit's pure parts on hand-built run results: the submission ranking (demo pairs, length, time; never test
 * verdicts; stable before unstable), two DIFFERENT grids per test input, the fallback, the score per test output and
 * the oracle gap.
 */
import * as assert from 'assert';
import { rankForSubmission, selectAttempts, testOutput } from '../../src/engine/submit/attempts';
import { oracleGap, scoreSubmission, scoreTests } from '../../src/engine/submit/score';
import { submitReport } from '../../src/engine/submit/submit';
import { submitText } from '../../src/engine/submit/text';
import type { CandidateJson, PairJson, RunJson, TaskJson } from '../../src/protocol/results';
import type { Grid, Task } from '../../src/engine/types';

const A: Grid = [[1]];
const B: Grid = [[2]];
const C: Grid = [[3]];
const INPUT: Grid = [[0, 0]];

function task(expected: Array<Grid | null>, demos = 2): Task {
  return {
    id: 't1',
    source: 't1.json',
    train: Array.from({ length: demos }, () => ({ input: [[5]], output: [[5]] })),
    test: expected.map((output) => ({ input: INPUT, output })),
    hash: 'h',
  };
}

/** A candidate with `demoPassed` of `t`'s demo pairs passed and, per test input, the grid it gave (null: an error). */
function cand(name: string, t: Task, demoPassed: number, outputs: Array<Grid | null>, extra: Partial<CandidateJson> = {}): CandidateJson {
  const pairs: PairJson[] = t.train.map((_, index) => ({ kind: 'demo', index, status: index < demoPassed ? 'pass' : 'fail', ms: 1 }));
  outputs.forEach((g, index) => {
    const expected = t.test[index].output;
    if (g === null) pairs.push({ kind: 'test', index, status: 'error', ms: 1, message: 'IndexError' });
    else if (expected === null) pairs.push({ kind: 'test', index, status: 'unknown', ms: 1, actual: g });
    else if (JSON.stringify(g) === JSON.stringify(expected)) pairs.push({ kind: 'test', index, status: 'pass', ms: 1 });
    else pairs.push({ kind: 'test', index, status: 'fail', ms: 1, actual: g });
  });
  const testPassed = pairs.filter((p) => p.kind === 'test' && p.status === 'pass').length;
  return {
    name,
    file: '/ws/solvers.py',
    line: 1,
    hash: name,
    status: 'pass',
    solved: false,
    demo: { passed: demoPassed, total: t.train.length },
    test: { passed: testPassed, total: outputs.length, unknown: 0 },
    ms: 1,
    length: 1,
    rank: 1,
    pairs,
    ...extra,
  };
}

function taskJson(t: Task, candidates: CandidateJson[]): TaskJson {
  return { id: t.id, file: t.source, solved: false, demoPairs: t.train.length, testPairs: t.test.length, candidates };
}

describe('batt submit: attempt selection', () => {
  it('ranks by demo pairs passed, then program length, then time — never by test verdicts', () => {
    const t = task([A]);
    const ranked = rankForSubmission([
      cand('right_on_test_but_fails_a_demo', t, 1, [A]),
      cand('slow', t, 2, [B], { length: 3, ms: 50 }),
      cand('long', t, 2, [C], { length: 5, ms: 1 }),
      cand('fast', t, 2, [B], { length: 3, ms: 2 }),
      cand('dup', t, 2, [B], { length: 1, duplicateOf: 'fast' }),
    ]);
    assert.deepStrictEqual(ranked.map((c) => c.name), ['fast', 'slow', 'long', 'right_on_test_but_fails_a_demo']);
  });

  it('puts stable candidates above unstable ones among those passing every demo pair', () => {
    const t = task([A]);
    const ranked = rankForSubmission([cand('unstable_short', t, 2, [A], { length: 1, ...({ unstable: true } as object) }), cand('stable_long', t, 2, [B], { length: 9 }), cand('fails', t, 1, [C])]);
    assert.deepStrictEqual(ranked.map((c) => c.name), ['stable_long', 'unstable_short', 'fails']);
  });

  it('takes a passing pair\'s output from the expected one and a mismatch\'s or unknown\'s from actual', () => {
    const known = task([A]);
    assert.deepStrictEqual(testOutput(cand('p', known, 2, [A]), known, 0), A);
    assert.deepStrictEqual(testOutput(cand('f', known, 2, [B]), known, 0), B);
    const unknown = task([null]);
    assert.deepStrictEqual(testOutput(cand('u', unknown, 2, [C]), unknown, 0), C);
    assert.strictEqual(testOutput(cand('e', known, 2, [null]), known, 0), undefined);
  });

  it('fills attempt_2 with the best candidate whose grid DIFFERS from attempt_1', () => {
    const t = task([C]);
    const s = selectAttempts(t, taskJson(t, [cand('first', t, 2, [A], { length: 1 }), cand('same_grid', t, 2, [A], { length: 2 }), cand('other', t, 2, [B], { length: 3 })]));
    assert.deepStrictEqual(s.attempts, [{ attempt_1: A, attempt_2: B }]);
    const names = s.tests[0].attempts.map((a) => (a.kind === 'candidate' ? a.name : a.kind));
    assert.deepStrictEqual(names, ['first', 'other']);
    assert.deepStrictEqual([s.tests[0].outputs, s.tests[0].distinct], [3, 2]);
  });

  it('lets a candidate failing a demo pair fill a slot only when nothing better gives another grid', () => {
    const t = task([C]);
    const s = selectAttempts(t, taskJson(t, [cand('fails', t, 1, [B]), cand('passes', t, 2, [A]), cand('passes_too', t, 2, [C], { length: 2 })]));
    assert.deepStrictEqual(s.attempts[0], { attempt_1: A, attempt_2: C });
    const only = selectAttempts(t, taskJson(t, [cand('fails', t, 1, [B]), cand('passes', t, 2, [A])]));
    assert.deepStrictEqual(only.attempts[0], { attempt_1: A, attempt_2: B });
  });

  it('falls back to the test input for a slot no candidate fills, per test input in order', () => {
    const t = task([A, B]);
    const s = selectAttempts(t, taskJson(t, [cand('only', t, 2, [A, null])]));
    assert.deepStrictEqual(s.attempts, [
      { attempt_1: A, attempt_2: INPUT },
      { attempt_1: INPUT, attempt_2: INPUT },
    ]);
    assert.deepStrictEqual(s.tests.map((x) => x.attempts.map((a) => a.kind)), [['candidate', 'fallback'], ['fallback', 'fallback']]);
    const none = selectAttempts(t, undefined);
    assert.deepStrictEqual(none.attempts, [{ attempt_1: INPUT, attempt_2: INPUT }, { attempt_1: INPUT, attempt_2: INPUT }]);
  });
});

describe('batt submit: score and oracle gap', () => {
  it('scores per test output (either attempt right), counts tasks all right, and lists what the ranking lost', () => {
    const t1 = task([A, B]); // test 0 right by attempt_1, test 1 right only by a third candidate
    const t2 = { ...task([C]), id: 't2' }; // right by attempt_2
    const t3 = { ...task([null]), id: 't3' }; // unknown: not scored
    const j1 = taskJson(t1, [cand('x', t1, 2, [A, A], { length: 1 }), cand('y', t1, 2, [C, C], { length: 2 }), cand('z', t1, 2, [A, B], { length: 3 })]);
    const j2 = { ...taskJson(t2, [cand('p', t2, 2, [A], { length: 1 }), cand('q', t2, 2, [C], { length: 2 })]), id: 't2' };
    const j3 = { ...taskJson(t3, [cand('u', t3, 2, [A])]), id: 't3' };
    const tests = [selectAttempts(t1, j1), selectAttempts(t2, j2), selectAttempts(t3, j3)].flatMap((s) => s.tests);
    assert.deepStrictEqual(scoreTests(tests), { right: 2, total: 3, score: 2 / 3, tasksRight: 1, tasks: 2, unknown: 1 });
    assert.deepStrictEqual(oracleGap(tests), [{ task: 't1', tests: [{ index: 1, candidates: ['z'] }] }]);
  });

  it('has no score when no expected output is known', () => {
    const t = task([null]);
    assert.strictEqual(scoreTests(selectAttempts(t, taskJson(t, [cand('u', t, 2, [A])])).tests), undefined);
  });

  it('scores any submission against known outputs', () => {
    const t = task([A, B]);
    assert.deepStrictEqual(scoreSubmission({ t1: [{ attempt_1: C, attempt_2: A }, { attempt_1: C, attempt_2: C }] }, [t]), { right: 1, total: 2, score: 0.5, tasksRight: 0, tasks: 1, unknown: 0 });
  });

  it('builds the report: every task in the file, demo-failing slots and unstable candidates named', () => {
    const t1 = task([A]);
    const t2 = { ...task([B]), id: 't2' };
    const run = {
      tasks: [taskJson(t1, [cand('ok', t1, 2, [A]), cand('bad', t1, 0, [B]), cand('shaky', t1, 2, [A], { length: 4, ...({ unstable: true } as object) })])],
      summary: { tasks: 2, solved: 1, candidates: 3, jobs: 9, ran: 9, cached: 0, skipped: 0, cancelled: 0, wallMs: 1 },
      errors: [],
      cancelled: false,
    } as unknown as RunJson;
    const r = submitReport(run, [t1, t2]);
    assert.deepStrictEqual(Object.keys(r.submission), ['t1', 't2']);
    assert.deepStrictEqual(r.submission.t2, [{ attempt_1: INPUT, attempt_2: INPUT }]);
    assert.deepStrictEqual(r.demoFailing, [{ task: 't1', index: 0, slot: 2, name: 'bad', demo: { passed: 0, total: 2 } }]);
    assert.deepStrictEqual(r.unstable, [{ task: 't1', name: 'shaky' }]);
    assert.deepStrictEqual([r.tasks, r.testInputs, r.fallbackSlots, r.noOutput], [2, 2, 2, 1]);
    const text = submitText({ ...r, out: '/tmp/x/submission.json' }, { cwd: '/tmp/x' }).split('\n');
    assert.strictEqual(text[0], 'wrote submission.json: 2 tasks, 2 test inputs, 4 attempts (2 from candidates, 2 the test input as fallback)');
    assert.strictEqual(text[1], 'score: 1/2 test outputs right (50.0%); 1 of 2 tasks all right');
    assert.ok(text.includes('1 unstable candidate (outputs differ under another PYTHONHASHSEED; ranked below stable ones):'), text.join('\n'));
    const cancelled = submitText({ ...r, cancelled: true, summary: { ...r.summary, ran: 4, cancelled: 5 } });
    assert.strictEqual(cancelled.split('\n')[0], 'cancelled after 4 of 9 jobs: no submission written'); // no score of a partial run
  });
});
