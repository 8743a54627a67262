/**
 * The panel's model: records from run results appended (50 kept), the server's history merged in on first open; each
 * task's newest known result (the per-task table, known leaderboards) and what the panel opens on.
 */
import * as assert from 'assert';
import { candidateCredit, HISTORY_MAX, PanelModel } from '../../src/extension/panelModel';
import type { RunResultParams } from '../../src/protocol/lsp';
import type { CandidateJson, PairJson, RunJson, RunRecord, TaskJson } from '../../src/protocol/results';

function rec(n: number): RunRecord {
  return {
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(), temperature: 'hot', cancelled: false,
    summary: { tasks: 1, solved: 1, candidates: 1, jobs: 1, ran: 0, cached: 1, skipped: 0, cancelled: 0, wallMs: n }, phases: [],
    cache: { inline: { hits: 1, misses: 0 }, validation: { hits: 1, misses: 0 } }, pool: { workers: 4, restarts: 0 },
  };
}

describe('panel model history', () => {
  it('appends the records of each result and keeps the last 50', () => {
    const m = new PanelModel();
    for (let i = 0; i < HISTORY_MAX + 3; i++) m.addRecords([rec(i)]);
    m.addRecords([rec(100), rec(101)]);
    assert.strictEqual(m.history.length, HISTORY_MAX);
    assert.deepStrictEqual(m.history.slice(-3), [rec(HISTORY_MAX + 2), rec(100), rec(101)]);
    assert.deepStrictEqual(m.state().history, m.history);
  });

  it('the server\'s history goes first; records that came meanwhile and it lacks stay after it, once', () => {
    const m = new PanelModel();
    m.addRecords([rec(3)]); // arrived while batt/history was on its way; the answer may or may not hold it
    m.addRecords([rec(4)]);
    m.loadHistory([rec(1), rec(2), rec(3)]);
    assert.deepStrictEqual(m.history, [rec(1), rec(2), rec(3), rec(4)]);
  });
});

function candidate(name: string, extra: Partial<CandidateJson> = {}): CandidateJson {
  return {
    name, file: '/ws/s.py', line: 1, hash: name, status: 'fail', solved: false, demo: { passed: 0, total: 2 }, test: { passed: 0, total: 1, unknown: 0 },
    ms: 1, length: 3, rank: 1, pairs: [], ...extra,
  };
}

function result(reason: RunResultParams['reason'], tasks: TaskJson[], at = '2026-01-01T00:00:00.000Z'): RunResultParams {
  const run = { startedAt: at, summary: { wallMs: 5 }, tasks } as unknown as RunJson;
  return { reason, taskId: reason === 'task' ? tasks[0].id : undefined, run };
}

function task(id: string, candidates: CandidateJson[]): TaskJson {
  return { id, file: `/ws/tasks/${id}.json`, solved: candidates.some((c) => c.solved && !c.duplicateOf), demoPairs: 2, testPairs: 1, candidates };
}

const fail = (credit: number): PairJson => ({ kind: 'demo', index: 0, status: 'fail', ms: 1, mismatch: { kind: 'cells', text: 'x', short: 'x', credit } });
const pass: PairJson = { kind: 'demo', index: 1, status: 'pass', ms: 1 };

describe('panel model: the per-task table and what the panel opens on', () => {
  it('a row per task: solved, best candidate, its pairs passed, the best partial credit (a pass counts 1)', () => {
    const m = new PanelModel();
    const good = candidate('solve_a', { status: 'pass', solved: true, demo: { passed: 2, total: 2 }, test: { passed: 1, total: 1, unknown: 0 }, pairs: [pass] });
    const near = candidate('solve_b_1', { demo: { passed: 1, total: 2 }, pairs: [fail(0.5), pass] });
    const far = candidate('solve_b_2', { pairs: [fail(0.25), { kind: 'demo', index: 1, status: 'error', ms: 1 }] });
    m.addResult(result('manual', [task('a', [good]), task('b', [far, near]), task('c', [])]));
    const rows = m.taskRows();
    assert.deepStrictEqual(rows.map((r) => [r.id, r.solved, r.candidates, r.best, `${r.passed}/${r.pairs}`, r.credit]), [
      ['a', true, 1, 'solve_a', '3/3', 1],
      ['b', false, 2, 'solve_b_1', '1/3', 0.75],
      ['c', false, 0, undefined, '0/3', undefined], // no candidate targets it: still a row, so the gap shows
    ]);
    assert.strictEqual(candidateCredit(candidate('x', { pairs: [{ kind: 'demo', index: 0, status: 'error', ms: 1 }] })), undefined, 'no mismatch said a credit, no pass');
    assert.strictEqual(m.state().tasks?.length, 3);
    assert.strictEqual(new PanelModel().state().tasks, undefined);
  });

  it('a save replaces the verdicts of the candidates it ran and keeps the others; a task run replaces the field', () => {
    const m = new PanelModel();
    m.addResult(result('manual', [task('a', [candidate('solve_a'), candidate('solve_a_2')])]));
    const fixed = candidate('solve_a_2', { status: 'pass', solved: true, demo: { passed: 2, total: 2 }, test: { passed: 1, total: 1, unknown: 0 } });
    m.addResult(result('save', [task('a', [fixed])], '2026-01-01T00:01:00.000Z'));
    const lb = m.knownLeaderboard('a')!;
    assert.deepStrictEqual(lb.run.tasks[0].candidates.map((c) => [c.name, c.rank, c.solved]), [['solve_a_2', 1, true], ['solve_a', 2, false]]);
    assert.deepStrictEqual(m.taskRows().map((r) => [r.solved, r.best, r.reason]), [[true, 'solve_a_2', 'save']]);
    m.addResult(result('task', [task('a', [candidate('batt:1')])]));
    assert.deepStrictEqual(m.knownLeaderboard('a')!.run.tasks[0].candidates.map((c) => c.name), ['batt:1']);
    assert.strictEqual(m.knownLeaderboard('zzz'), undefined);
  });

  it('"Run batt on task" keeps its full result (grids) as the known leaderboard and opens the panel on it', () => {
    const m = new PanelModel();
    const full = { ...result('task', [task('a', [candidate('solve_a')])]), task: { id: 'a', train: [], test: [] } };
    m.setLeaderboard(full);
    assert.strictEqual(m.knownLeaderboard('a'), full);
    const s1 = m.state();
    assert.strictEqual(s1.leaderboard, full);
    assert.deepStrictEqual(s1.show, { view: 'leaderboard', seq: 1 });
    m.open('tasks');
    assert.deepStrictEqual(m.state().show, { view: 'tasks', seq: 2 }, 'each request is a new seq, so the webview follows it once');
  });
});
