/**
 * The inline values' text (src/server/traceValues.ts, used by src/extension/inlineValues.ts): one compact value per
 * pair, demo pairs then test (`5 obj · 5 obj · 7 obj | 6 obj`), divergent values marked `≠` (kind or emptiness
 * against a majority, or only the failing pair off what every passing pair agrees on), a pair's exception on the
 * line where it raised, `–` where a pair never got to; and the solver under the cursor (src/extension/inlineValuesSolver.ts).
 */
import * as assert from 'assert';
import type { TraceJson, TraceLine, TracePair, TraceValue } from '../../src/protocol/trace';
import { solverAt } from '../../src/extension/inlineValuesSolver';
import { lineHint, oddPairs, traceHints, valueText } from '../../src/server/traceValues';

const PAIRS: TracePair[] = [
  { kind: 'demo', index: 0, status: 'pass' },
  { kind: 'demo', index: 1, status: 'pass' },
  { kind: 'demo', index: 2, status: 'fail' },
  { kind: 'test', index: 0, status: 'pass' },
];

const objs = (pair: number, n: number): TraceValue => ({ pair, type: 'objects', size: n, summary: `${n} obj` });
const grid = (pair: number, h: number, w: number): TraceValue => ({ pair, type: 'grid', shape: [h, w], summary: `${h}x${w}` });
const line = (values: TraceValue[], extra: Partial<TraceLine> = {}): TraceLine => ({ line: 12, name: 'x2', source: 'x2 = objects(I, T, F, T)', values, ...extra });

describe('inline values: the hint text', () => {
  it('one value per pair, demo pairs joined by " · ", then " | " and the test pairs', () => {
    const h = lineHint(line([objs(0, 5), objs(1, 5), objs(2, 7), objs(3, 6)]), PAIRS);
    assert.strictEqual(h.text, '5 obj · 5 obj · 7 obj | 6 obj');
    assert.strictEqual(h.kind, 'plain');
    assert.deepStrictEqual([h.line, h.source], [12, 'x2 = objects(I, T, F, T)']);
    const g = lineHint(line([grid(0, 3, 3), grid(1, 3, 3), grid(2, 4, 2), grid(3, 3, 3)], { name: 'x5', source: 'x5 = crop(I, x4)' }), PAIRS);
    assert.strictEqual(g.text, '3x3 · 3x3 · ≠4x2 | 3x3', 'only the failing pair differs from the agreeing passing pairs');
    assert.strictEqual(g.kind, 'divergent');
  });

  it('pairs in trace order whatever the values array order; a pair that never reached the line is "–"', () => {
    const h = lineHint(line([objs(3, 6), objs(0, 5), objs(2, 5)]), PAIRS);
    assert.strictEqual(h.text, '5 obj · – · 5 obj | 6 obj');
    const noTest = lineHint(line([objs(0, 1)]), PAIRS.slice(0, 1));
    assert.strictEqual(noTest.text, '1 obj');
  });

  it('the line where a pair raised shows that pair\'s exception, and is an error hint', () => {
    const h = lineHint(line([objs(0, 5), { pair: 1, type: 'other', summary: '', error: 'IndexError: tuple index out of range' }, objs(2, 5), objs(3, 5)]), PAIRS);
    assert.strictEqual(h.text, '5 obj · ✗ IndexError: tuple index out of range · 5 obj | 5 obj');
    assert.strictEqual(h.kind, 'error');
    const long = valueText({ pair: 0, type: 'other', summary: '', error: `ValueError: ${'x'.repeat(100)}\nmore` }, false);
    assert.ok(long.length <= 42 && long.endsWith('…') && !long.includes('\n'), long);
  });

  it('marks the value whose kind or emptiness differs from a strict majority', () => {
    const empty: TraceValue = { pair: 1, type: 'objects', size: 0, summary: '0 obj' };
    assert.deepStrictEqual([...oddPairs(line([objs(0, 5), empty, objs(2, 7), objs(3, 6)]), PAIRS)], [1], 'empty only on demo 1');
    assert.strictEqual(lineHint(line([objs(0, 5), empty, objs(2, 7), objs(3, 6)]), PAIRS).text, '5 obj · ≠0 obj · 7 obj | 6 obj');
    const kind: TraceValue = { pair: 3, type: 'int', summary: '2' };
    assert.deepStrictEqual([...oddPairs(line([grid(0, 2, 2), grid(1, 3, 3), grid(2, 3, 3), kind]), PAIRS)], [3]);
    const emptyGrid: TraceValue = { pair: 0, type: 'grid', shape: [0, 0], summary: '0x0' };
    assert.deepStrictEqual([...oddPairs(line([emptyGrid, grid(1, 3, 3), grid(2, 1, 3), grid(3, 3, 3)]), PAIRS)], [0]);
  });

  it('sizes that differ among passing pairs are not divergent; nor are exceptions, nor lone values', () => {
    assert.strictEqual(oddPairs(line([objs(0, 5), objs(1, 6), objs(2, 9), objs(3, 6)]), PAIRS).size, 0);
    assert.strictEqual(oddPairs(line([objs(0, 5), { pair: 1, type: 'other', summary: '', error: 'E' }]), PAIRS).size, 0);
    assert.strictEqual(oddPairs(line([objs(2, 5)]), PAIRS).size, 0);
    // a test pair with no expected output ('unknown') is not a failing pair
    const unknown: TracePair[] = [...PAIRS.slice(0, 2), { kind: 'test', index: 0, status: 'unknown' }];
    assert.strictEqual(oddPairs(line([grid(0, 3, 3), grid(1, 3, 3), grid(2, 4, 4)]), unknown).size, 0);
  });

  it('a line the trace flags divergent is a divergent hint even when no single value stands out', () => {
    const h = lineHint(line([objs(0, 5), objs(1, 6), objs(2, 9), objs(3, 6)], { divergent: true }), PAIRS);
    assert.strictEqual(h.kind, 'divergent');
    assert.ok(!h.text.includes('≠'));
  });

  it('every traced line gets its hint; long summaries are cut', () => {
    const t: TraceJson = { solver: 'solve_x', task: 'x', file: '/w/s.py', pairs: PAIRS.slice(0, 2), lines: [line([objs(0, 1), objs(1, 2)]), line([{ pair: 0, type: 'tuple', size: 2, summary: `(${'1, '.repeat(30)}2)` }], { line: 13 })] };
    const hs = traceHints(t);
    assert.deepStrictEqual(hs.map((h) => h.line), [12, 13]);
    assert.ok(hs[1].text.split(' · ')[0].length <= 24 && hs[1].text.includes('…'), hs[1].text);
  });
});

describe('inline values: the solver under the cursor', () => {
  const text = [
    'from dsl import *',
    '',
    'def solve_abc(I):',
    '    x1 = objects(I, T, F, T)',
    '    O = x1',
    '    return O',
    '',
    'def helper(x):',
    '    return x',
    '',
    'def solve_def_2(S, I, C):',
    '    x1 = rot90(I)',
    '',
    '    return x1',
    'X = 1',
  ].join('\n');

  it('the top-level solve_* function whose def or body holds the line', () => {
    assert.strictEqual(solverAt(text, 2), 'solve_abc');
    assert.strictEqual(solverAt(text, 4), 'solve_abc');
    assert.strictEqual(solverAt(text, 6), 'solve_abc', 'a blank line after the body still belongs to it');
    assert.strictEqual(solverAt(text, 8), undefined, 'not a solver');
    assert.strictEqual(solverAt(text, 12), 'solve_def_2');
    assert.strictEqual(solverAt(text, 13), 'solve_def_2');
    assert.strictEqual(solverAt(text, 14), undefined, 'module code after it');
    assert.strictEqual(solverAt(text, 0), undefined);
  });
});
