/**
 * "Try on every task" answered (src/extension/codeLensTry.ts): the tasks the one candidate solves, its own first, the
 * leaderboard the panel opens on (a task it transfers to, else its own) with the candidate in view, and the summary.
 */
import * as assert from 'assert';
import type { RunResultParams } from '../../src/protocol/lsp';
import type { CandidateJson, RunJson, TaskJson } from '../../src/protocol/results';
import { tryOutcome } from '../../src/extension/codeLensTry';

function cand(name: string, solved: boolean): CandidateJson {
  return {
    name, file: '/w/solvers.py', line: 1, hash: 'h', status: solved ? 'pass' : 'fail', solved,
    demo: { passed: solved ? 2 : 0, total: 2 }, test: { passed: solved ? 1 : 0, total: 1, unknown: 0 }, ms: 1, length: 1, rank: 1,
    pairs: [{ kind: 'demo', index: 0, status: solved ? 'pass' : 'fail', ms: 1 }],
  };
}

function result(tasks: Array<[string, boolean]>, solver = 'solve_aaaa'): RunResultParams {
  const ts: TaskJson[] = tasks.map(([id, solved]) => ({ id, file: `/w/tasks/${id}.json`, solved, demoPairs: 2, testPairs: 1, candidates: [cand(solver, solved)] }));
  const run = { tasks: ts } as unknown as RunJson;
  return { reason: 'candidates', run };
}

describe('Try on every task: the outcome', () => {
  it('opens the leaderboard of a task the candidate transfers to, and lists its own first', () => {
    const o = tryOutcome(result([['bbbb', true], ['aaaa', true], ['cccc', false]]), 'solve_aaaa');
    assert.deepStrictEqual(o.solves, ['aaaa', 'bbbb']);
    assert.strictEqual(o.taskId, 'bbbb');
    assert.deepStrictEqual(o.focus, { candidate: 'solve_aaaa', kind: 'demo', index: 0 });
    assert.strictEqual(o.summary, 'solve_aaaa on 3 tasks: solves aaaa (its own) and bbbb');
  });

  it('without a transfer, its own task; a suffixed solver has the same own task', () => {
    const o = tryOutcome(result([['bbbb', false], ['aaaa', false]], 'solve_aaaa_x'), 'solve_aaaa_x');
    assert.deepStrictEqual(o.solves, []);
    assert.strictEqual(o.taskId, 'aaaa');
    assert.strictEqual(o.summary, 'solve_aaaa_x on 2 tasks: solves none of them');
  });
});
