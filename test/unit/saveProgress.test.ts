/** A save run's progress notification (src/extension/saveProgress.ts): only after the delay, jobs done of total, Cancel. */
import * as assert from 'assert';
import type { ProgressParams } from '../../src/protocol/lsp';
import { SaveProgress } from '../../src/extension/saveProgress';

/** A hand-driven timer: `fire()` runs what is due (the delay has passed). */
function timers() {
  const due = new Set<() => void>();
  return {
    schedule: (fn: () => void) => {
      due.add(fn);
      return () => due.delete(fn);
    },
    fire: () => [...due].forEach((fn) => (due.delete(fn), fn())),
    pending: () => due.size,
  };
}

function setup() {
  const t = timers();
  const opened: Array<{ messages: string[]; closed: boolean; cancel: () => void }> = [];
  const cancelled: number[] = [];
  const sp = new SaveProgress(
    (onCancel) => {
      const n = { messages: [] as string[], closed: false, cancel: onCancel };
      opened.push(n);
      return { report: (m) => n.messages.push(m), close: () => (n.closed = true) };
    },
    (id) => cancelled.push(id),
    1000,
    t.schedule,
  );
  const p = (runId: number, done: number, total: number, end?: true): ProgressParams => ({ runId, reason: 'save', done, total, ...(end ? { end } : {}) });
  return { sp, opened, cancelled, p, t };
}

describe('save progress notification', () => {
  it('a run that ends before the delay shows nothing', () => {
    const s = setup();
    s.sp.onProgress(s.p(1, 0, 10));
    assert.strictEqual(s.t.pending(), 1);
    s.sp.onProgress(s.p(1, 10, 10, true));
    assert.strictEqual(s.t.pending(), 0, 'its timer is cancelled');
    s.t.fire();
    assert.strictEqual(s.opened.length, 0);
  });

  it('a longer run opens one notification with its jobs, Cancel cancels that run, its end closes it', () => {
    const s = setup();
    s.sp.onProgress(s.p(2, 0, 8));
    s.sp.onProgress(s.p(2, 3, 8));
    s.sp.onProgress({ runId: 3, reason: 'task', done: 1, total: 2 }); // not a save: its own notification elsewhere
    assert.strictEqual(s.opened.length, 0, 'not before the delay');
    s.t.fire();
    assert.strictEqual(s.opened.length, 1);
    assert.deepStrictEqual(s.opened[0].messages, ['3/8 jobs']);
    s.sp.onProgress(s.p(2, 5, 8));
    assert.deepStrictEqual(s.opened[0].messages, ['3/8 jobs', '5/8 jobs']);
    assert.deepStrictEqual(s.sp.shown, [2]);
    s.opened[0].cancel();
    assert.deepStrictEqual(s.cancelled, [2]);
    s.sp.onProgress(s.p(2, 5, 8, true));
    assert.strictEqual(s.opened[0].closed, true);
    assert.deepStrictEqual(s.sp.shown, []);
    assert.strictEqual(s.opened.length, 1);
  });
});
