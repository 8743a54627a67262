/**
 * Unstable candidates and the written submission in the panel, rendered in plain Node: the leaderboard's status
 * says "unstable" (its pairs in the tooltip, a filter option of its own), the panel model ranks it below a stable
 * candidate, and a written submission opens the Submission tab with the summary, the oracle gap, the unstable
 * candidates and the report's text.
 */
import * as assert from 'assert';
import type { RunResultParams } from '../../src/protocol/lsp';
import type { CandidateJson, RunJson } from '../../src/protocol/results';
import { submissionSummary, type SubmissionResult } from '../../src/protocol/submission';
import { PanelModel } from '../../src/extension/panelModel';
import { renderLeaderboard } from '../../src/webview/leaderboard';
import { byId, findAll, textOf } from '../../src/webview/vdom';
import { applyMessage, renderPanel } from '../../src/webview/view';

function cand(name: string, rank: number, extra: Partial<CandidateJson> = {}): CandidateJson {
  return {
    name,
    file: '/ws/solvers.py',
    line: rank,
    hash: name,
    status: 'pass',
    solved: true,
    demo: { passed: 2, total: 2 },
    test: { passed: 1, total: 1, unknown: 0 },
    ms: 1,
    length: 3,
    rank,
    pairs: [],
    ...extra,
  };
}

const UNSTABLE = cand('solve_t', 1, { unstable: true, unstablePairs: [{ kind: 'test', index: 0, message: 'test 0: another grid under PYTHONHASHSEED=1 than under 0 (1x10: 6 of 10 cells differ)' }] });
const STABLE = cand('solve_t_sorted', 2, { solved: false, status: 'fail', test: { passed: 0, total: 1, unknown: 0 } });

function run(candidates: CandidateJson[]): RunJson {
  return {
    version: 1,
    workspace: '/ws',
    startedAt: '2026-12-02T06:00:00.000Z',
    temperature: 'cold',
    cancelled: false,
    summary: { tasks: 1, solved: 1, candidates: candidates.length, jobs: 6, ran: 6, cached: 0, skipped: 0, cancelled: 0, wallMs: 10 },
    tasks: [{ id: 't', file: '/ws/tasks/t.json', solved: true, demoPairs: 2, testPairs: 1, candidates }],
    phases: [],
    cache: { inline: { hits: 0, misses: 0, entries: 0, savedMs: 0 }, validation: { hits: 0, misses: 0, entries: 0, savedMs: 0 } },
    pool: { workers: 2, restarts: 0, started: true },
    stored: [],
    errors: [],
  };
}

const SUBMISSION: SubmissionResult = {
  folder: '/ws',
  at: '2026-12-02T06:30:00.000Z',
  text: 'score: 1/2 test outputs right (50.0%); 0 of 2 tasks all right\n…',
  report: {
    version: 1,
    out: '/ws/submission.json',
    cancelled: false,
    tasks: 2,
    testInputs: 2,
    tests: [],
    fallbackSlots: 1,
    noOutput: 0,
    score: { right: 1, total: 2, score: 0.5, tasksRight: 0, tasks: 2, unknown: 0 },
    oracleGap: [{ task: 'u', tests: [{ index: 0, candidates: ['solve_u_3'] }] }],
    demoFailing: [],
    unstable: [{ task: 't', name: 'solve_t' }],
    summary: run([]).summary,
    errors: [],
  },
};

describe('panel: unstable candidates and the Submission tab', () => {
  it('the leaderboard says unstable, with its pairs in the tooltip and a filter option', () => {
    const lb: RunResultParams = { reason: 'task', taskId: 't', run: run([UNSTABLE, STABLE]) };
    const tree = renderLeaderboard(lb, undefined);
    const row = findAll(tree, (n) => n.attrs['data-key'] === 'row:solve_t')[0];
    assert.ok(row, 'the row');
    assert.match(String(row.attrs.class), /status-unstable/);
    const cell = row.children.filter((c) => typeof c !== 'string')[3];
    assert.ok(typeof cell !== 'string');
    assert.strictEqual(textOf(cell), 'unstable');
    assert.match(String(cell.attrs.title), /^test 0: another grid under PYTHONHASHSEED=1/);
    const options = findAll(tree, (n) => n.tag === 'option').map(textOf);
    assert.ok(options.some((o) => o.startsWith('unstable')), options.join(', '));
  });

  it('the panel model ranks an unstable candidate below a stable one with fewer test passes', () => {
    const m = new PanelModel();
    m.addResult({ reason: 'manual', run: run([UNSTABLE, STABLE]) });
    assert.strictEqual(m.taskRows()[0].best, 'solve_t_sorted');
  });

  it('a written submission opens the Submission tab: summary, oracle gap, unstable candidates, the text', () => {
    assert.strictEqual(submissionSummary(SUBMISSION), 'score 1/2 test outputs right (50.0%), oracle gap 1 test output, 1 unstable candidate');
    const m = new PanelModel();
    m.addResult({ reason: 'manual', run: run([UNSTABLE]) });
    m.submission = SUBMISSION;
    m.open('submission');
    const state = applyMessage({}, m.state());
    assert.strictEqual(state.tab, 'submission');
    const tree = renderPanel(state);
    const section = byId(tree, 'submission');
    assert.ok(section, 'the Submission section');
    const text = textOf(section);
    assert.ok(text.includes('/ws/submission.json — 2 tasks, 2 test inputs'), text);
    assert.ok(text.includes('score 1/2 test outputs right (50.0%), oracle gap 1 test output, 1 unstable candidate'), text);
    assert.ok(text.includes('u test 0: right by solve_u_3'), text);
    const link = findAll(section, (n) => n.attrs['data-key'] === 'unstable:t:solve_t')[0];
    assert.ok(link && textOf(link) === 't solve_t', 'the unstable candidate, a link');
    assert.deepStrictEqual(link.on, { kind: 'post', msg: { type: 'runTask', taskId: 't' } }, 'it opens its task\'s leaderboard');
    assert.strictEqual(textOf(findAll(section, (n) => n.tag === 'pre')[0]), SUBMISSION.text);
    assert.ok(findAll(tree, (n) => n.attrs['data-key'] === 'tab:submission').length, 'a tab of its own');
  });
});
