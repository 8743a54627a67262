/**
 * The status bar's model (src/extension/statusView.ts): the workspace's solved count from the merged verdicts, not
 * the last run's scope; "cache 100%" only when nothing missed; a tooltip that says what the label says.
 */
import * as assert from 'assert';
import type { LastRunInfo, PoolStatusParams } from '../../src/protocol/lsp';
import { cacheText, statusView } from '../../src/extension/statusView';

const last = (over: Partial<LastRunInfo> = {}): LastRunInfo => ({ reason: 'save', solved: 0, tasks: 12, wallMs: 420, hitRate: 1, misses: 0, temperature: 'hot', at: '2026-12-02T04:00:00.000Z', ...over });
const status = (over: Partial<PoolStatusParams> = {}): PoolStatusParams => ({ state: 'idle', busy: 0, workers: 4, queued: 0, restarts: 0, detail: [], ...over });

describe('status bar model', () => {
  it('solved X of Y is the workspace\'s, not the last run\'s', () => {
    const v = statusView(status({ lastRun: last({ solved: 0, tasks: 12 }), known: { solved: 399, tasks: 400 } }));
    assert.strictEqual(v.text, '$(check) batt: idle 4/4 · solved 399/400 · 0.42 s · cache 100%');
    assert.match(v.tooltip, /Workspace: solved 399 of 400 tasks/);
    assert.match(v.tooltip, /Last run \(save, hot, .*\): solved 0 of its 12 tasks/);
  });

  it('cache 100% only when nothing missed', () => {
    assert.strictEqual(cacheText(last({ hitRate: 0.996, misses: 1 })), '99%');
    assert.strictEqual(cacheText(last({ hitRate: 1, misses: 0 })), '100%');
    assert.strictEqual(cacheText(last({ hitRate: 0.5, misses: 4 })), '50%');
    assert.strictEqual(cacheText(last({ hitRate: null, misses: 0 })), '–');
  });

  it('the tooltip never contradicts the label', () => {
    for (const state of ['stopped', 'starting', 'idle', 'busy', 'error'] as const) {
      const v = statusView(status({ state, busy: state === 'busy' ? 2 : 0, detail: state === 'idle' ? [1, 2, 3, 4].map((id) => ({ id, state: 'idle', restarts: 0, jobsDone: 0 })) : [] }));
      const word = /batt: (\w+)/.exec(v.text)![1];
      assert.match(v.tooltip, new RegExp(`^\\*\\*batt\\*\\* — ${word}`), `${state}: "${v.text}" above "${v.tooltip.split('\n')[0]}"`);
      assert.doesNotMatch(v.tooltip, /stopped/);
    }
  });

  it('verdicts from the cache say so, with their time, and show no run figures', () => {
    const v = statusView(status({ state: 'stopped', lastRun: last({ reason: 'cache', misses: 3, hitRate: 0.9 }), known: { solved: 7, tasks: 12 } }));
    assert.strictEqual(v.text, '$(circle-outline) batt: ready · solved 7/12 · from the cache');
    assert.match(v.tooltip, /Verdicts from the cache, [^:]+:\d\d:\d\d.*: nothing ran; 3 verdicts not in the cache are not shown/);
  });
});
