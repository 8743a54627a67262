/**
 * The panel's Trace tab (src/webview/traceView.ts, traceDiverge.ts) on hand-made TraceJson: where a failing pair first
 * differs from the passing ones, the lines × pairs table (thumbnails, masks, texts, the exception, the marks), a cell
 * opened full size, the messages it posts, the host's model, and what persists. Render functions in plain Node.
 */
import * as assert from 'assert';
import { PanelModel } from '../../src/extension/panelModel';
import type { TraceJson, TraceLine, TraceValue } from '../../src/protocol/trace';
import { parseFromWebview, type StateMessage } from '../../src/protocol/webview';
import { differs, firstDivergences } from '../../src/webview/traceDiverge';
import { decodeThumb, encodeThumb } from '../../src/webview/traceThumb';
import { NO_TRACE_TEXT, renderTrace, updateTraceCell } from '../../src/webview/traceView';
import { byId, findAll, hasClass, textOf, type VNode } from '../../src/webview/vdom';
import { activeTab, applyMessage, applyUi, renderPanel, restoreState, TRACE_HINT, type ViewState } from '../../src/webview/view';

const INPUTS = [
  [[0, 1, 1], [0, 1, 1], [2, 0, 0]],
  [[1, 1, 0], [1, 1, 0], [0, 0, 3]],
  [[4, 4], [4, 4]],
  [[0, 5, 5], [0, 5, 5], [0, 0, 0]],
];

const val = (pair: number, v: Omit<TraceValue, 'pair'>): TraceValue => ({ pair, ...v });

/** demo 0 and 1 pass; demo 2 fails (its x3 is empty); test 0 raises at x4. */
function sampleTrace(): TraceJson {
  const objects = (pair: number) => val(pair, { type: 'objects', size: 2, summary: '2 obj', ...(pair === 0 && { cells: [[0, 1, 1], [0, 2, 1], [1, 1, 1], [1, 2, 1], [2, 0, 2]] }) });
  const biggest = (pair: number, r: number, c: number, colour: number) =>
    val(pair, { type: 'object', shape: [2, 2], size: 4, summary: '4 cells', cells: [[r, c, colour], [r, c + 1, colour], [r + 1, c, colour], [r + 1, c + 1, colour]] });
  // as the worker gives them (solver_trace.py): an index set, or an empty frozenset as 'other'
  const zeros = (pair: number, cells: Array<[number, number]>) =>
    cells.length ? val(pair, { type: 'indices', shape: [2, 2], size: cells.length, summary: `${cells.length} idx`, cells: cells.map(([r, c]) => [r, c, -1]) }) : val(pair, { type: 'other', size: 0, summary: '∅', repr: 'frozenset()' });
  const lines: TraceLine[] = [
    { line: 11, name: 'x1', source: 'x1 = objects(I, T, F, T)', values: [0, 1, 2, 3].map(objects) },
    { line: 12, name: 'x2', source: 'x2 = argmax(x1, size)', values: [biggest(0, 0, 1, 1), biggest(1, 0, 0, 1), biggest(2, 0, 0, 4), biggest(3, 0, 1, 5)] },
    { line: 13, name: 'x3', source: 'x3 = ofcolor(I, ZERO)', divergent: true, values: [zeros(0, [[0, 0], [1, 0], [2, 1], [2, 2]]), zeros(1, [[0, 2], [1, 2], [2, 0], [2, 1]]), zeros(2, []), zeros(3, [[0, 0], [1, 0]])] },
    {
      line: 14,
      name: 'x4',
      source: 'x4 = first(x3)',
      divergent: true,
      values: [val(0, { type: 'tuple', size: 2, summary: '(0, 0)', repr: '(0, 0)' }), val(1, { type: 'tuple', size: 2, summary: '(0, 2)' }), val(2, { type: 'int', summary: '0' }), val(3, { type: 'other', summary: '', error: 'StopIteration: first of an empty set\n  at line 14' })],
    },
    { line: 15, name: 'O', source: 'O = crop(I, x2)', values: [val(0, { type: 'grid', shape: [2, 2], summary: '2x2', grid: [[1, 1], [1, 1]] }), val(1, { type: 'grid', shape: [2, 2], summary: '2x2', grid: [[1, 1], [1, 1]] }), val(2, { type: 'grid', shape: [1, 1], summary: '1x1', grid: [[4]] })] },
  ];
  return {
    solver: 'solve_t1',
    task: 't1',
    file: '/ws/solvers.py',
    pairs: [
      { kind: 'demo', index: 0, status: 'pass', input: INPUTS[0] },
      { kind: 'demo', index: 1, status: 'pass', input: INPUTS[1] },
      { kind: 'demo', index: 2, status: 'fail', input: INPUTS[2] },
      { kind: 'test', index: 0, status: 'error', input: INPUTS[3], error: { type: 'StopIteration', message: 'first of an empty set', line: 14, traceback: 'Traceback (most recent call last):\n  File "dsl.py", line 3, in first\n' } },
    ],
    lines,
    ms: 12,
  };
}

const rowsOf = (n: VNode) => findAll(n, (x) => x.tag === 'tr' && hasClass(x, 'trace-row'));
const cellsOf = (row: VNode) => row.children.filter((c) => c.tag === 'td');
/** A cell's thumbnail: a canvas with its cells as a code (traceThumb.ts encodeThumb). */
const thumbOf = (n: VNode) => findAll(n, (x) => x.tag === 'canvas')[0];
const classes = (grid: VNode) => grid.children.map((c) => c.attrs.class);
const byKey = (n: VNode, key: string) => findAll(n, (x) => x.attrs['data-key'] === key)[0];

describe('trace: the first divergence of a failing pair', () => {
  it('is the first line whose value differs in kind, size or emptiness from the passing pairs\' (or that raised)', () => {
    // demo 2 (fail): x3 is empty where the passing pairs' are not; test 0 (error): x4 raised
    assert.deepStrictEqual(firstDivergences(sampleTrace()), [
      { pair: 2, line: 2 },
      { pair: 3, line: 3 },
    ]);
  });

  it('counts a kind, an emptiness, a missing value and an exception; a size only when two passing pairs share it', () => {
    const grid = (h: number, w: number): TraceValue => ({ pair: 0, type: 'grid', shape: [h, w], summary: `${h}x${w}` });
    const set = (n: number): TraceValue => ({ pair: 0, type: 'indices', size: n, summary: `${n} idx` });
    assert.strictEqual(differs(grid(3, 3), [grid(3, 3), grid(3, 3)]), false);
    assert.strictEqual(differs(grid(4, 3), [grid(3, 3), grid(3, 3)]), true, 'two passing pairs agree on 3x3');
    assert.strictEqual(differs(grid(4, 3), [grid(3, 3)]), false, 'one pair\'s size is no pattern');
    assert.strictEqual(differs(grid(4, 3), [grid(3, 3), grid(5, 5)]), false, 'the passing pairs differ in size themselves');
    assert.strictEqual(differs(set(0), [set(4)]), true, 'empty where the passing pair is not');
    assert.strictEqual(differs(set(3), [set(4), set(7)]), false);
    assert.strictEqual(differs({ pair: 0, type: 'int', summary: '3' }, [set(4)]), true, 'another kind');
    assert.strictEqual(differs(undefined, [set(4)]), true, 'no value where the passing pairs have one (timed out before)');
    assert.strictEqual(differs({ ...set(1), error: 'ValueError' }, []), true, 'an exception counts with no passing pair');
    assert.strictEqual(differs(set(0), []), false, 'nothing to compare with');
    // the passing pairs that did not reach the line are not references; a pair that passes is never highlighted
    const t = sampleTrace();
    t.pairs[2].status = 'pass';
    assert.deepStrictEqual(firstDivergences(t), [{ pair: 3, line: 3 }]);
  });
});

describe('trace view', () => {
  it('thumbnail codes: a colour a cell, faded, ringed, none, or no ARC colour, and back', () => {
    const holes: number[][] = [[1, 12], new Array<number>(2)];
    holes[1][1] = 4;
    assert.strictEqual(encodeThumb(holes), '1x/.4');
    assert.strictEqual(encodeThumb([[0, 9], [3, 12]], 'over', new Set(['0,1'])), 'a9/dy');
    assert.strictEqual(encodeThumb([[0, 9]], 'mask', new Set(['0,0'])), 'Aj');
    assert.deepStrictEqual(decodeThumb('a9/.x/Jy'), [
      [{ colour: 0, faded: true }, { colour: 9 }],
      [{}, { colour: -1 }],
      [{ colour: 9, ringed: true }, { colour: -1, faded: true }],
    ]);
  });

  it('lines × pairs: the source and line in the first column, pairs as columns with their verdicts', () => {
    const tree = renderTrace(sampleTrace());
    const head = findAll(tree, (n) => n.tag === 'thead')[0];
    assert.deepStrictEqual(findAll(head, (n) => n.tag === 'th').map(textOf), ['line', 'demo 0✓ pass', 'demo 1✓ pass', 'demo 2✗ fail', 'test 0✗ error']);
    const rows = rowsOf(tree);
    assert.deepStrictEqual(rows.map((r) => textOf(r.children[0])), ['11x1 = objects(I, T, F, T)', '12x2 = argmax(x1, size)', '13≠x3 = ofcolor(I, ZERO)', '14≠x4 = first(x3)', '15O = crop(I, x2)']);
    assert.deepStrictEqual(rows.map((r) => hasClass(r, 'divergent')), [false, false, true, true, false]);
    assert.ok(rows.every((r) => r.children[0].tag === 'th' && r.children[0].attrs.scope === 'row' && hasClass(r.children[0], 'trace-src')), 'the sticky first column');
    assert.ok(rows.every((r) => cellsOf(r).length === 4));
    assert.strictEqual(textOf(byId(tree, 'trace-h')!), 'Trace of solve_t1 on task t1');
    // the line number goes to the line
    assert.deepStrictEqual(byKey(tree, 'trace-open:13').on, { kind: 'post', msg: { type: 'openLocation', file: '/ws/solvers.py', line: 13 } });
  });

  it('cells: grids and objects as thumbnails, index sets as a mask over the input, texts, the exception, nothing after it', () => {
    const rows = rowsOf(renderTrace(sampleTrace()));
    // x1: objects over the input, the rest of it faded (their cells, when the worker sent them), else a short text
    assert.deepStrictEqual(cellsOf(rows[0]).map(textOf), ['2 obj', '2 obj', '2 obj', '2 obj']);
    const objs = thumbOf(cellsOf(rows[0])[0]);
    assert.deepStrictEqual([objs.attrs.class, objs.attrs['data-thumb']], ['trace-thumb trace-over', 'a11/a11/2aa'], 'the objects\' cells, the rest faded');
    assert.strictEqual(objs.attrs['aria-label'], 'x1 on demo 0, 3x3');
    assert.strictEqual(thumbOf(cellsOf(rows[0])[1]), undefined);
    // x2: one object cut out to its 2x2 box, in its own colour, 8 px a cell
    const obj = thumbOf(cellsOf(rows[1])[0]);
    assert.deepStrictEqual([obj.attrs.class, obj.attrs['data-thumb'], obj.attrs['data-cell'], obj.attrs.width], ['trace-thumb', '11/11', '8', '16']);
    // x3 on demo 0: the whole 3x3 input, the four cells of the set ringed (they have no colour of their own), the rest faded
    const mask = thumbOf(cellsOf(rows[2])[0]);
    assert.deepStrictEqual([mask.attrs.class, mask.attrs['data-thumb']], ['trace-thumb trace-mask', 'Abb/Abb/cAA']);
    assert.strictEqual(textOf(cellsOf(rows[2])[0]), '4 idx');
    // x4: tuples and an int as text; test 0 shows the exception's first line, and has no value after it
    const x4 = cellsOf(rows[3]);
    assert.deepStrictEqual(x4.map(textOf), ['(0, 0)', '(0, 2)', '0', 'StopIteration: first of an empty setfirst difference']);
    assert.ok(hasClass(x4[3], 'trace-raised'));
    assert.match(findAll(x4[3], (n) => n.attrs.role === 'button')[0].attrs.title, /x4 on test 0: raised StopIteration: first of an empty set/);
    const out = cellsOf(rows[4]);
    assert.strictEqual(thumbOf(out[0]).attrs['data-thumb'], '11/11');
    assert.strictEqual(textOf(out[3]), '—');
    assert.ok(hasClass(out[3], 'trace-none'));
  });

  it('highlights exactly the first diverging cell of each failing pair', () => {
    const rows = rowsOf(renderTrace(sampleTrace()));
    const marked = rows.flatMap((r, li) => cellsOf(r).flatMap((c, pi) => (hasClass(c, 'first-divergence') ? [[li, pi]] : [])));
    assert.deepStrictEqual(marked, [
      [2, 2],
      [3, 3],
    ]);
    const cell = cellsOf(rows[2])[2];
    assert.strictEqual(textOf(cell), '∅first difference');
    assert.match(findAll(cell, (n) => n.attrs.role === 'button')[0].attrs['aria-label'], /the first line where this failing pair differs from the passing pairs/);
  });

  it('activating a cell opens its value full size under its line, with the input; Copy and Close post and close', () => {
    const trace = sampleTrace();
    let s: ViewState = applyMessage({}, { type: 'state', history: [], trace, show: { view: 'trace', seq: 1 } });
    assert.strictEqual(activeTab(s), 'trace');
    let tree = renderPanel(s);
    const cell = byKey(tree, 'trace:15:2');
    assert.deepStrictEqual(cell.on, { kind: 'ui', key: 'trace', value: 'cell:15:2' });
    assert.strictEqual(cell.attrs.tabindex, '0', 'keyboard reachable');
    s = applyUi(s, 'trace', 'cell:15:2');
    tree = renderPanel(s);
    const body = findAll(tree, (n) => n.tag === 'tbody')[0];
    assert.deepStrictEqual(body.children.map((r) => r.attrs.class), ['trace-row', 'trace-row', 'trace-row divergent', 'trace-row divergent', 'trace-row', 'trace-detail-row'], 'right under its line');
    assert.strictEqual(byKey(tree, 'trace:15:2').attrs['aria-expanded'], 'true');
    const detail = byId(tree, 'trace-pair')!;
    assert.match(textOf(detail), /^O on demo 2 — fail/);
    const grids = findAll(detail, (n) => hasClass(n, 'grid'));
    assert.deepStrictEqual(grids.map((g) => g.attrs.class), ['grid grid-input', 'grid grid-actual']);
    assert.deepStrictEqual(classes(grids[0]), ['cell c4', 'cell c4', 'cell c4', 'cell c4']);
    assert.deepStrictEqual(classes(grids[1]), ['cell c4']);
    assert.strictEqual(grids[1].children[0].attrs.title, 'row 0, col 0: O 4 yellow');
    assert.strictEqual(detail.style?.['--cols'], '3', 'the fitted cell size divides input and value columns');
    const copies = findAll(detail, (n) => hasClass(n, 'copy-grid') && n.text === 'Copy');
    assert.deepStrictEqual(copies.map((b) => b.on), [
      { kind: 'post', msg: { type: 'copyGrid', grid: INPUTS[2] } },
      { kind: 'post', msg: { type: 'copyGrid', grid: [[4]] } },
    ]);
    assert.deepStrictEqual(parseFromWebview(JSON.parse(JSON.stringify((copies[1].on as { msg: unknown }).msg))), { type: 'copyGrid', grid: [[4]] });
    // an index set opens as the mask over the input; the exception opens as its text
    s = applyUi(s, 'trace', 'cell:13:0');
    const mask = findAll(byId(renderPanel(s), 'trace-pair')!, (n) => hasClass(n, 'trace-mask'))[0];
    assert.strictEqual(mask.children.filter((c) => hasClass(c, 'in-set')).length, 4);
    assert.strictEqual(mask.children[0].attrs.title, 'row 0, col 0: in x3, 0 black');
    s = applyUi(s, 'trace', 'cell:14:3');
    const raised = byId(renderPanel(s), 'trace-pair')!;
    assert.match(textOf(raised), /StopIteration: first of an empty set/);
    assert.strictEqual(textOf(findAll(raised, (n) => n.tag === 'details')[0]), 'TracebackTraceback (most recent call last):\n  File "dsl.py", line 3, in first\n');
    // the same cell again, or Close, closes it
    assert.strictEqual(applyUi(s, 'trace', 'cell:14:3').traceCell, undefined);
    assert.deepStrictEqual(byKey(renderPanel(s), 'trace-close').on, { kind: 'ui', key: 'trace', value: 'close' });
    assert.strictEqual(applyUi(s, 'trace', 'close').traceCell, undefined);
    assert.deepStrictEqual(updateTraceCell({ line: 1, pair: 0 }, 'junk'), { line: 1, pair: 0 });
  });

  it('with no trace: the empty panel and the Trace tab say how to get one', () => {
    assert.ok(textOf(byId(renderPanel({}), 'empty')!).includes(TRACE_HINT));
    assert.ok(textOf(renderTrace(undefined)).includes(NO_TRACE_TEXT));
    // a window reload keeps the tab (webview state), not the trace (the host's): the tab stays and says what to do
    const row = { id: 't1', solved: false, candidates: 1, passed: 2, pairs: 4, at: '2026-12-02T05:00:00.000Z', reason: 'save' as const };
    const board: StateMessage = { type: 'state', history: [], tasks: [row] };
    const s = applyMessage(restoreState({ tab: 'trace' }), board);
    assert.strictEqual(activeTab(s), 'trace');
    const tree = renderPanel(s);
    assert.deepStrictEqual(findAll(tree, (n) => n.attrs.role === 'tab').map(textOf), ['Tasks (1)', 'Trace']);
    assert.ok(textOf(byId(tree, 'trace')!).includes(NO_TRACE_TEXT));
    // without such a choice, no Trace tab before a trace
    assert.deepStrictEqual(findAll(renderPanel(applyMessage({}, board)), (n) => n.attrs.role === 'tab').length, 0);
  });
});

describe('trace in the panel host and its state', () => {
  it('showTrace\'s model: the trace in the state, the panel opened on it; a quiet update keeps the user\'s tab', () => {
    const m = new PanelModel();
    m.setTrace(sampleTrace());
    const first = m.state();
    assert.strictEqual(first.trace?.solver, 'solve_t1');
    assert.strictEqual(first.show?.view, 'trace');
    let s = applyMessage({ tab: 'timing', traceCell: { line: 15, pair: 2 } }, first);
    assert.deepStrictEqual([activeTab(s), s.traceCell], ['trace', undefined], 'a new trace opens its tab, no cell open');
    s = applyUi(applyUi(s, 'tab', 'timing'), 'trace', 'cell:13:1');
    const retraced = { ...sampleTrace(), ms: 3 };
    m.setTrace(retraced, false);
    s = applyMessage(s, m.state());
    assert.deepStrictEqual([s.tab, s.traceCell, s.data?.trace?.ms], ['timing', { line: 13, pair: 1 }, 3]);
    // what persists across hide/show (getState): the trace, the tab, the open cell; junk does not
    const back = restoreState(JSON.parse(JSON.stringify(applyUi(s, 'tab', 'trace'))));
    assert.deepStrictEqual([back.tab, back.traceCell, back.data?.trace?.lines.length], ['trace', { line: 13, pair: 1 }, 5]);
    assert.strictEqual(restoreState({ traceCell: { line: -1, pair: 'x' } }).traceCell, undefined);
    assert.ok(byId(renderPanel(back), 'trace-pair'));
  });
});
