/** The panel's model: records from run results appended (50 kept), the server's history merged in on first open. */
import * as assert from 'assert';
import { HISTORY_MAX, PanelModel } from '../../src/extension/panelModel';
import type { RunRecord } from '../../src/protocol/results';

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
