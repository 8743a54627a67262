/** Candidate names wrap between their words in narrow tables: a <wbr> after each "_" and ":", the text unchanged. */
import * as assert from 'assert';
import { breakable, type VNode } from '../../src/webview/vdom';

function text(n: VNode): string {
  return n.text ?? n.children.map((c) => (c.tag === 'wbr' ? '' : c.tag === '#text' ? (c.text ?? '') : text(c))).join('');
}

describe('breakable names', () => {
  it('puts a <wbr> after every "_" and ":" and keeps the text', () => {
    const n = breakable('batt:12:solve_0d9e3b72_triple');
    assert.strictEqual(text(n), 'batt:12:solve_0d9e3b72_triple');
    const pieces = n.children.filter((c) => c.tag === '#text').map((c) => c.text);
    assert.deepStrictEqual(pieces, ['batt:', '12:', 'solve_', '0d9e3b72_', 'triple']);
    assert.strictEqual(n.children.filter((c) => c.tag === 'wbr').length, 4);
  });

  it('leaves a name without separators whole', () => {
    const n = breakable('O');
    assert.strictEqual(n.text, 'O');
    assert.strictEqual(n.children.length, 0);
  });
});
