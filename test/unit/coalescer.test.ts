/** Status and progress coalescing on a fake clock: rate, leading and trailing edge, only changes, flush. */
import * as assert from 'assert';
import { Coalescer } from '../../src/server/coalescer';
import { fakeClock } from '../fakeClock';

function setup() {
  const { clock, advance, pending } = fakeClock();
  const sent: Array<{ at: number; v: number }> = [];
  const c = new Coalescer<number>((v) => sent.push({ at: clock.now(), v }), 100, clock);
  return { c, sent, advance, pending };
}

describe('coalescer', () => {
  it('sends the first state at once and the latest one at the end of the interval', () => {
    const { c, sent, advance } = setup();
    c.push(1);
    assert.deepStrictEqual(sent, [{ at: 0, v: 1 }]);
    for (let i = 2; i <= 50; i++) {
      advance(2);
      c.push(i);
    }
    advance(1);
    assert.strictEqual(sent.length, 1, 'nothing more inside the interval (t = 99)');
    advance(1);
    assert.deepStrictEqual(sent, [{ at: 0, v: 1 }, { at: 100, v: 50 }], 'the final state is not lost');
  });

  it('sends at most one state per interval under a steady stream', () => {
    const { c, sent, advance } = setup();
    for (let t = 0; t < 1000; t++) {
      c.push(t);
      advance(1);
    }
    advance(200);
    assert.ok(sent.length <= 11, `${sent.length} sends in 1 s`);
    assert.strictEqual(sent.at(-1)!.v, 999);
    for (let i = 1; i < sent.length; i++) assert.ok(sent[i].at - sent[i - 1].at >= 100, 'spaced by the interval');
  });

  it('sends only what differs from the last state sent', () => {
    const { c, sent, advance, pending } = setup();
    c.push(1);
    c.push(2);
    c.push(1); // back to what was sent: nothing to say
    advance(100);
    assert.deepStrictEqual(sent.map((s) => s.v), [1]);
    advance(500);
    c.push(1);
    assert.deepStrictEqual(sent.map((s) => s.v), [1]);
    assert.strictEqual(pending(), 0);
    c.push(3);
    assert.deepStrictEqual(sent.map((s) => s.v), [1, 3], 'after a quiet interval a change goes at once');
  });

  it('flush sends the pending state now; dispose drops it', () => {
    const { c, sent, advance, pending } = setup();
    c.push(1);
    c.push(2);
    c.flush();
    assert.deepStrictEqual(sent.map((s) => s.v), [1, 2]);
    assert.strictEqual(pending(), 0);
    c.push(3);
    c.dispose();
    advance(1000);
    assert.deepStrictEqual(sent.map((s) => s.v), [1, 2]);
  });
});
