/**
 * "Show pair N in the batt panel", the webview's part (issue 11 §5): a `show` with a pair opens the leaderboard with
 * its candidate selected on its page (filters cleared, sort kept), a collapsed pair expanded, and the pair to reveal;
 * the webview's answer (pairShown) passes the host's message gate exactly.
 */
import * as assert from 'assert';
import type { RunResultParams } from '../../src/protocol/lsp';
import type { CandidateJson, RunJson } from '../../src/protocol/results';
import { parseFromWebview, type StateMessage } from '../../src/protocol/webview';
import { findAll, textOf } from '../../src/webview/vdom';
import { applyMessage, renderPanel, type ViewState } from '../../src/webview/view';

function cand(i: number, over: Partial<CandidateJson> = {}): CandidateJson {
  return {
    name: `solve_aaaa0000_${String(i).padStart(3, '0')}`, file: '/w/s.py', line: i, hash: `h${i}`, status: 'fail', solved: false,
    demo: { passed: 0, total: 2 }, test: { passed: 0, total: 1, unknown: 0 }, ms: i, length: 2, rank: i + 1,
    pairs: [
      { kind: 'demo', index: 0, status: 'pass', ms: 1 },
      { kind: 'demo', index: 1, status: 'fail', ms: 1, message: '2 cells differ' },
      { kind: 'test', index: 0, status: 'fail', ms: 1, message: '1 cell differs' },
    ],
    ...over,
  };
}

function leaderboard(n: number): RunResultParams {
  const run: RunJson = {
    version: 1, workspace: '/w', startedAt: '2026-12-02T04:00:00.000Z', temperature: 'hot', cancelled: false,
    summary: { tasks: 1, solved: 0, candidates: n, jobs: 0, ran: 0, cached: 0, skipped: 0, cancelled: 0, wallMs: 1 },
    tasks: [{ id: 'aaaa0000', file: '/w/tasks/aaaa0000.json', solved: false, demoPairs: 2, testPairs: 1, candidates: Array.from({ length: n }, (_, i) => cand(i)) }],
    phases: [], cache: { inline: { hits: 0, misses: 0, entries: 0, savedMs: 0 }, validation: { hits: 0, misses: 0, entries: 0, savedMs: 0 } },
    pool: { workers: 4, restarts: 0, started: true }, stored: [], errors: [],
  };
  const grid = [[1, 2], [3, 4]];
  return { reason: 'task', taskId: 'aaaa0000', run, task: { id: 'aaaa0000', train: [{ input: grid, output: grid }, { input: grid, output: grid }], test: [{ input: grid, output: grid }] } };
}

function state(show: StateMessage['show'], n = 120): StateMessage {
  return { type: 'state', history: [], leaderboard: leaderboard(n), show };
}

describe('show pair: the webview', () => {
  const before: ViewState = { tab: 'timing', shownSeq: 1, lb: { sort: 'ms', desc: true, text: 'zzz', status: 'error', page: 0 } };

  it('opens the leaderboard on the pair\'s candidate, on its page, with the filters cleared and the sort kept', () => {
    const pair = { candidate: 'solve_aaaa0000_010', kind: 'test' as const, index: 0 };
    const s = applyMessage(before, state({ view: 'leaderboard', seq: 2, pair }));
    // sorted by ms descending: 119 … 0, so candidate 10 is row 110, on the third page of 50
    assert.deepStrictEqual([s.tab, s.selected, s.lb, s.reveal], ['leaderboard', pair.candidate, { sort: 'ms', desc: true, page: 2 }, pair]);
    assert.deepStrictEqual(s.pairView, undefined, 'a failing pair shows in full: nothing to expand');
    const tree = renderPanel(s);
    const keys = findAll(tree, (x) => x.attrs['data-key'] === 'pair:solve_aaaa0000_010/test:0');
    assert.strictEqual(keys.length, 1, 'the pair is on the rendered page');
    assert.match(textOf(findAll(tree, (x) => x.attrs.id === 'grid-diff-h')[0]), /Pairs of solve_aaaa0000_010/);
  });

  it('expands a pair shown collapsed (a pass) so that it can be revealed', () => {
    const pair = { candidate: 'solve_aaaa0000_003', kind: 'demo' as const, index: 0 };
    const s = applyMessage({}, state({ view: 'leaderboard', seq: 1, pair }));
    assert.deepStrictEqual(s.pairView?.expanded, ['solve_aaaa0000_003/demo:0']);
    assert.strictEqual(findAll(renderPanel(s), (x) => x.attrs['data-key'] === 'pair:solve_aaaa0000_003/demo:0').length, 1);
    const again = applyMessage(s, state({ view: 'leaderboard', seq: 2, pair }));
    assert.deepStrictEqual(again.pairView?.expanded, ['solve_aaaa0000_003/demo:0'], 'not toggled closed by a second show');
  });

  it('a show already followed, or one without a pair, reveals nothing', () => {
    const pair = { candidate: 'solve_aaaa0000_001', kind: 'demo' as const, index: 1 };
    const s = applyMessage({ shownSeq: 4 }, state({ view: 'leaderboard', seq: 4, pair }));
    assert.strictEqual(s.reveal, undefined);
    const plain = applyMessage(before, state({ view: 'leaderboard', seq: 2 }));
    assert.deepStrictEqual([plain.selected, plain.reveal, plain.lb?.page], [undefined, undefined, 0]);
  });

  it('a candidate not on the leaderboard still asks to reveal (the webview then answers found: false)', () => {
    const pair = { candidate: 'solve_gone', kind: 'demo' as const, index: 1 };
    const s = applyMessage({}, state({ view: 'leaderboard', seq: 1, pair }, 3));
    assert.deepStrictEqual([s.selected, s.lb?.page, s.reveal], ['solve_gone', 0, pair]);
  });

  it('the host accepts exactly a pairShown answer', () => {
    const ok = { type: 'pairShown', found: true, candidate: 'batt:1:a3f1c07e', kind: 'demo', index: 2 };
    assert.deepStrictEqual(parseFromWebview(ok), ok);
    for (const bad of [{ ...ok, found: 'yes' }, { ...ok, taskId: 'x' }, { ...ok, kind: 'train' }, { ...ok, index: -1 }, { ...ok, candidate: '' }, { type: 'pairShown', found: false }]) {
      assert.strictEqual(parseFromWebview(bad), undefined, JSON.stringify(bad));
    }
  });
});
