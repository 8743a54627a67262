/**
 * The panel and what persists: cached verdicts shown at start are marked as from the cache and never replace a run's
 * results; with nothing cached, recorded runs are not under a "No run yet".
 */
import * as assert from 'assert';
import { PanelModel } from '../../src/extension/panelModel';
import type { RunRecord, RunResultParams } from '../../src/protocol/lsp';
import type { RunJson } from '../../src/protocol/results';
import { runCaption } from '../../src/webview/phases';
import { renderLeaderboard } from '../../src/webview/leaderboard';
import { byId, textOf } from '../../src/webview/vdom';
import { EMPTY_HISTORY_TEXT, EMPTY_TEXT, renderPanel } from '../../src/webview/view';

function run(solved: boolean, startedAt: string): RunJson {
  const c = { name: 'solve_a', file: '/w/s.py', line: 1, hash: 'h', status: solved ? 'pass' : 'fail', solved, demo: { passed: solved ? 1 : 0, total: 1 }, test: { passed: solved ? 1 : 0, total: 1, unknown: 0 }, ms: 1, length: 1, rank: 1, pairs: [] };
  return {
    version: 1, workspace: '/w', startedAt, temperature: 'hot', cancelled: false,
    summary: { tasks: 1, solved: solved ? 1 : 0, candidates: 1, jobs: 2, ran: 0, cached: 2, skipped: 0, cancelled: 0, wallMs: 50 },
    tasks: [{ id: 'a', file: '/w/tasks/a.json', solved, demoPairs: 1, testPairs: 1, candidates: [c] }],
    phases: [], cache: { inline: { hits: 1, misses: 0, entries: 1, savedMs: 0 }, validation: { hits: 2, misses: 0, entries: 2, savedMs: 0 } },
    pool: { workers: 4, restarts: 0, started: false }, stored: [], errors: [],
  } as RunJson;
}

describe('panel: results that persist', () => {
  it('cached verdicts say so in the caption and the leaderboard, and never replace a run\'s', () => {
    const cached: RunResultParams = { reason: 'cache', run: run(true, '2026-12-02T04:00:00.000Z') };
    assert.match(runCaption(cached), /^From the cache, .* \(nothing ran\) — 1 tasks, solved 1/);
    assert.match(textOf(renderLeaderboard({ ...cached, taskId: 'a' }, undefined)), /\(from the cache at [^;]+; Run again for the grids\)/);
    const m = new PanelModel();
    m.addResult({ reason: 'save', run: run(false, '2026-12-02T04:01:00.000Z') });
    m.addResult(cached);
    assert.deepStrictEqual(m.taskRows().map((r) => [r.id, r.solved, r.reason]), [['a', false, 'save']], 'the save came first and stays');
    const fresh = new PanelModel();
    fresh.addResult(cached);
    assert.deepStrictEqual(fresh.taskRows().map((r) => [r.id, r.solved, r.reason]), [['a', true, 'cache']]);
  });

  it('with nothing cached, recorded runs are introduced as such, not under "No run yet"', () => {
    const rec = { at: '2026-12-01T10:00:00.000Z', temperature: 'cold', cancelled: false, summary: run(true, 'x').summary, phases: [], cache: { inline: { hits: 0, misses: 0 }, validation: { hits: 0, misses: 0 } }, pool: { workers: 4, restarts: 0 } } as RunRecord;
    const withHistory = renderPanel({ data: { type: 'state', history: [rec] } });
    assert.ok(textOf(byId(withHistory, 'empty')!).includes(EMPTY_HISTORY_TEXT));
    assert.ok(!textOf(withHistory).includes(EMPTY_TEXT));
    assert.ok(textOf(byId(renderPanel({}), 'empty')!).includes(EMPTY_TEXT));
  });
});
