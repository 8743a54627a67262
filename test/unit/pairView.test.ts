/**
 * The pair view (src/webview/pairView.ts): input | expected | actual per pair, diff marks on exactly the differing
 * cells of the actual grid, passing pairs as thumbnails, the view state (zoom, diff only, expanded), the fitted
 * cell size's column count, and the "Copy as ARC JSON" message and its validation. Render functions in plain Node.
 */
import * as assert from 'assert';
import type { RunResultParams, TaskData } from '../../src/protocol/lsp';
import type { CandidateJson, PairJson } from '../../src/protocol/results';
import { parseFromWebview } from '../../src/protocol/webview';
import { DEFAULT_PAIR_VIEW, pairColumns, pairKey, renderCandidatePairs, renderPair, restorePairView, updatePairView, ZOOMS, type PairViewState } from '../../src/webview/pairView';
import { findAll, hasClass, textOf, type VNode } from '../../src/webview/vdom';
import { applyUi, restoreState } from '../../src/webview/view';

const TASK: TaskData = {
  id: 't1',
  train: [
    { input: [[1, 0], [0, 1]], output: [[2, 0, 0], [0, 2, 0], [0, 0, 2]] },
    { input: [[3]], output: [[4, 4], [4, 4]] },
    { input: [[5, 5]], output: [[6]] },
  ],
  test: [{ input: [[7, 8, 9]], output: [[9, 8, 7]] }],
};

function pair(kind: 'demo' | 'test', index: number, extra: Partial<PairJson> = {}): PairJson {
  return { kind, index, status: 'pass', ms: 2, ...extra };
}

/** demo 0: two cells wrong; demo 1: wrong shape; demo 2: an exception; test 0: pass. */
function candidate(): CandidateJson {
  return {
    name: 'solve_t1',
    file: '/ws/s.py',
    line: 3,
    hash: 'h',
    status: 'fail',
    solved: false,
    demo: { passed: 0, total: 3 },
    test: { passed: 1, total: 1, unknown: 0 },
    ms: 9,
    length: 4,
    rank: 1,
    pairs: [
      pair('demo', 0, { status: 'fail', actual: [[2, 0, 0], [0, 3, 0], [0, 0, 0]], message: '2 of 9 cells differ (first at row 1, column 1)' }),
      pair('demo', 1, { status: 'fail', actual: [[4, 4, 4, 4], [4, 4, 4, 4]], message: 'actual is 2x as wide as the expected' }),
      pair('demo', 2, { status: 'error', message: 'IndexError: tuple index out of range', error: { type: 'IndexError', message: 'tuple index out of range', line: 7, traceback: '' }, stdout: 'x1 = 3\n', stderr: 'warn\n' }),
      pair('test', 0),
    ],
  };
}

function board(): RunResultParams {
  return { reason: 'task', taskId: 't1', run: {} as RunResultParams['run'], task: TASK };
}

const gridsOf = (n: VNode) => findAll(n, (x) => hasClass(x, 'grid'));
const pairsOf = (n: VNode) => findAll(n, (x) => hasClass(x, 'pair'));
/** Indexes of the cells of a grid node that carry `cls`. */
const markedCells = (grid: VNode, cls: string) => grid.children.map((c, k) => (hasClass(c, cls) ? k : -1)).filter((k) => k >= 0);

describe('pair view', () => {
  it('shows input | expected | actual for every failed pair, in the ARC colours', () => {
    const tree = renderCandidatePairs(board(), candidate());
    const [p0, p1, p2] = pairsOf(tree);
    assert.strictEqual(pairsOf(tree).length, 3, 'the passing pair is collapsed');
    const g0 = gridsOf(p0);
    assert.deepStrictEqual(g0.map((g) => g.attrs.class), ['grid grid-input', 'grid grid-expected', 'grid grid-actual']);
    assert.deepStrictEqual(g0[0].children.map((c) => c.attrs.class), ['cell c1', 'cell c0', 'cell c0', 'cell c1']);
    assert.deepStrictEqual(g0[1].children.map((c) => c.attrs.class.split(' ')[1]), ['c2', 'c0', 'c0', 'c0', 'c2', 'c0', 'c0', 'c0', 'c2']);
    assert.strictEqual(g0[2].style?.['grid-template-columns'], 'repeat(3, var(--cell))');
    // an exception: input and expected, and a place that says there is no output; the solver's prints stay
    assert.deepStrictEqual(gridsOf(p2).map((g) => g.attrs.class), ['grid grid-input', 'grid grid-expected']);
    assert.match(textOf(findAll(p2, (n) => hasClass(n, 'figure-actual'))[0]), /no output \(error\)/);
    assert.strictEqual(textOf(findAll(p2, (n) => n.tag === 'pre' && hasClass(n, 'stdout'))[0]), 'x1 = 3\n');
    assert.strictEqual(textOf(findAll(p2, (n) => n.tag === 'pre' && hasClass(n, 'stderr'))[0]), 'warn\n');
    assert.strictEqual(gridsOf(p1).length, 3);
  });

  it('marks exactly the differing cells of the actual grid, without hiding their colour', () => {
    const [p0] = pairsOf(renderCandidatePairs(board(), candidate()));
    const [input, expected, actual] = gridsOf(p0);
    assert.deepStrictEqual(markedCells(actual, 'diff'), [4, 8]);
    assert.deepStrictEqual([actual.children[4].attrs.class, actual.children[8].attrs.class], ['cell c3 diff', 'cell c0 diff']);
    assert.deepStrictEqual(markedCells(expected, 'diff'), []);
    assert.deepStrictEqual(markedCells(expected, 'diff-ref'), [4, 8], 'the counterparts, for "diff only"');
    assert.deepStrictEqual(pairsOf(renderCandidatePairs(board(), candidate())).map((p) => hasClass(p, 'cell-diff')), [true, false, false], '"diff only" fades cells of demo 0 only');
    assert.deepStrictEqual(markedCells(input, 'diff').concat(markedCells(input, 'diff-ref')), []);
    assert.strictEqual(actual.children[4].attrs.title, 'row 1, col 1: expected 2 red, actual 3 green');
    assert.strictEqual(expected.children[0].attrs.title, 'row 0, col 0: expected 2 red, actual 2 red');
    assert.strictEqual(input.children[1].attrs.title, 'row 0, col 1: input 0 black');
    // the keyboard's and screen reader's view of the marks
    const list = findAll(p0, (n) => hasClass(n, 'diff-list'))[0];
    assert.deepStrictEqual(findAll(list, (n) => n.tag === 'li').map(textOf), ['row 1, col 1: expected 2 red, actual 3 green', 'row 2, col 2: expected 2 red, actual 0 black']);
  });

  it('a wrong shape marks no cell and shows both sizes once', () => {
    const [, p1] = pairsOf(renderCandidatePairs(board(), candidate()));
    const actual = gridsOf(p1)[2];
    assert.ok(hasClass(actual, 'shape-mismatch'));
    assert.deepStrictEqual(markedCells(actual, 'diff'), []);
    assert.strictEqual(textOf(findAll(p1, (n) => hasClass(n, 'shape-note'))[0]), 'expected 2x2, actual 2x4');
    assert.strictEqual(actual.children[3].attrs.title, 'row 0, col 3: expected none, actual 4 yellow');
    // when the message already names both shapes, they are not said again
    const said = renderPair(pair('demo', 1, { status: 'fail', actual: [[4]], message: 'expected 2x2, got 1x1' }), TASK);
    assert.deepStrictEqual(findAll(said, (n) => hasClass(n, 'shape-note')), []);
    assert.strictEqual(textOf(said).split('2x2').length - 1, 2, 'once in the message, once in the caption');
  });

  it('says the message once per pair, with the line of an exception', () => {
    const pairs = pairsOf(renderCandidatePairs(board(), candidate()));
    const messages = pairs.map((p) => findAll(p, (n) => hasClass(n, 'pair-message')).map(textOf));
    assert.deepStrictEqual(messages, [['2 of 9 cells differ (first at row 1, column 1)'], ['actual is 2x as wide as the expected'], ['IndexError: tuple index out of range (line 7)']]);
    for (const [k, p] of pairs.entries()) {
      const m = messages[k][0].replace(/ \(line 7\)$/, '');
      assert.strictEqual(textOf(p).split(m).length - 1, 1, `pair ${k}: "${m}" once`);
    }
  });

  it("shows the explainer's class and partial credit when the pair has one, its text once", () => {
    const text = 'colours permuted (expected→actual): 2→3; 7 of 9 cells right';
    const p = pair('demo', 0, { status: 'fail', actual: [[3, 0, 0], [0, 3, 0], [0, 0, 3]], message: text, mismatch: { kind: 'permutation', text, short: 'colours 2→3', credit: 7 / 9 } });
    const tree = renderPair(p, TASK);
    assert.strictEqual(textOf(findAll(tree, (n) => hasClass(n, 'pair-message'))[0]), text);
    assert.strictEqual(textOf(tree).split(text).length - 1, 1);
    assert.strictEqual(textOf(findAll(tree, (n) => hasClass(n, 'mismatch-kind'))[0]), 'permutation');
    assert.strictEqual(textOf(findAll(tree, (n) => hasClass(n, 'pair-credit'))[0]), 'partial credit 77.8%');
    // a shape class: no credit, and its sentence (not the older message) is the one line
    const shape = renderPair(pair('demo', 1, { status: 'fail', actual: [[4]], message: 'old', mismatch: { kind: 'shape', text: 'expected 2x2, got 1x1: actual is half', short: '1x1, not 2x2' } }), TASK);
    assert.deepStrictEqual(findAll(shape, (n) => hasClass(n, 'pair-message')).map(textOf), ['expected 2x2, got 1x1: actual is half']);
    assert.ok(!textOf(shape).includes('old'));
    assert.deepStrictEqual(findAll(shape, (n) => hasClass(n, 'pair-credit') || hasClass(n, 'shape-note')), []);
  });

  it('passing pairs are thumbnails that expand and collapse by keyboard or click', () => {
    const c = candidate();
    const tree = renderCandidatePairs(board(), c);
    const thumbs = findAll(tree, (n) => hasClass(n, 'thumb'));
    assert.strictEqual(thumbs.length, 1);
    const key = pairKey('solve_t1', { kind: 'test', index: 0 });
    assert.deepStrictEqual([thumbs[0].attrs.role, thumbs[0].attrs.tabindex, thumbs[0].attrs['aria-expanded']], ['button', '0', 'false']);
    assert.deepStrictEqual(thumbs[0].on, { kind: 'ui', key: 'pairView', value: `toggle:${key}` });
    assert.deepStrictEqual(gridsOf(thumbs[0]).map((g) => g.attrs['aria-label']), ['test 0, 1x3', 'test 0, 1x3']);
    assert.match(textOf(thumbs[0]), /test 0 ✓ pass/);

    const open = updatePairView(undefined, `toggle:${key}`);
    assert.deepStrictEqual(open.expanded, [key]);
    const expanded = renderCandidatePairs(board(), c, open);
    const full = pairsOf(expanded);
    assert.strictEqual(full.length, 4);
    assert.deepStrictEqual(gridsOf(full[3]).map((g) => g.attrs.class), ['grid grid-input', 'grid grid-expected', 'grid grid-actual']);
    assert.match(textOf(full[3]), /actual = expected/);
    assert.strictEqual(findAll(expanded, (n) => hasClass(n, 'thumb'))[0].attrs['aria-expanded'], 'true');
    assert.deepStrictEqual(updatePairView(open, `toggle:${key}`).expanded, []);
    // the same pair of another candidate stays collapsed
    assert.strictEqual(pairsOf(renderCandidatePairs(board(), { ...c, name: 'other' }, open)).length, 3);
  });

  it('zoom steps, fit, diff only, and the state survives a reload only when it is ours', () => {
    let s: PairViewState = DEFAULT_PAIR_VIEW;
    const seen: number[] = [];
    for (let k = 0; k < ZOOMS.length + 1; k++) seen.push((s = updatePairView(s, 'zoom:in')).zoom);
    assert.deepStrictEqual(seen, [1.5, 2, 3, 4, 4, 4, 4, 4]);
    assert.strictEqual(updatePairView(updatePairView(DEFAULT_PAIR_VIEW, 'zoom:out'), 'zoom:out').zoom, 0.5);
    assert.strictEqual(updatePairView(s, 'zoom:fit').zoom, 1);
    assert.strictEqual(updatePairView(s, 'bogus'), s);
    s = updatePairView(s, 'diffOnly:on');
    const tree = renderCandidatePairs(board(), candidate(), s);
    assert.ok(hasClass(tree, 'diff-only'));
    assert.strictEqual(tree.style?.['--zoom'], '4');
    assert.strictEqual(textOf(findAll(tree, (n) => hasClass(n, 'zoom-level'))[0]), '400%');
    const buttons = findAll(tree, (n) => n.tag === 'button' && !hasClass(n, 'copy-grid'));
    assert.deepStrictEqual(buttons.map((b) => [b.attrs['data-key'], b.on]), [
      ['zoom:out', { kind: 'ui', key: 'pairView', value: 'zoom:out' }],
      ['zoom:in', { kind: 'ui', key: 'pairView', value: 'zoom:in' }],
      ['zoom:fit', { kind: 'ui', key: 'pairView', value: 'zoom:fit' }],
      ['diff-only', { kind: 'ui', key: 'pairView', value: 'diffOnly:off' }],
    ]);
    assert.strictEqual(buttons[3].attrs['aria-pressed'], 'true');
    // through the panel's state: applyUi and restoreState
    const state = applyUi(applyUi({}, 'pairView', 'zoom:in'), 'pairView', 'diffOnly:on');
    assert.deepStrictEqual(state.pairView, { zoom: 1.5, diffOnly: true, expanded: [] });
    assert.deepStrictEqual(restoreState(JSON.parse(JSON.stringify(state))).pairView, state.pairView);
    for (const bad of [{ zoom: 7, diffOnly: false, expanded: [] }, { zoom: 1, diffOnly: 'yes', expanded: [] }, { zoom: 1, diffOnly: false }, 'x']) {
      assert.strictEqual(restorePairView(bad), undefined, JSON.stringify(bad));
    }
    assert.deepStrictEqual(restorePairView({ zoom: 2, diffOnly: false, expanded: ['a', 3, 'b'] }), { zoom: 2, diffOnly: false, expanded: ['a', 'b'] });
  });

  it('the fitted cell size divides the widest shown pair: its columns side by side', () => {
    const c = candidate();
    assert.deepStrictEqual(c.pairs.map((p) => pairColumns(p, TASK)), [2 + 3 + 3, 1 + 2 + 4, 2 + 1, 3 + 3 + 3]);
    assert.strictEqual(renderCandidatePairs(board(), c).style?.['--cols'], '8', 'test 0 is collapsed: not counted');
    const key = pairKey(c.name, c.pairs[3]);
    assert.strictEqual(renderCandidatePairs(board(), c, { ...DEFAULT_PAIR_VIEW, expanded: [key] }).style?.['--cols'], '9');
    const big: TaskData = { id: 'b', train: [{ input: grid(30, 30, 1), output: grid(30, 30, 2) }], test: [] };
    const wide = renderCandidatePairs({ ...board(), task: big }, { ...c, pairs: [pair('demo', 0, { status: 'fail', actual: grid(30, 30, 3) })] });
    assert.strictEqual(wide.style?.['--cols'], '90');
    assert.strictEqual(findAll(wide, (n) => hasClass(n, 'diff')).length, 900);
  });

  it('every shown grid has a "Copy as ARC JSON" button posting a copyGrid message the host accepts', () => {
    const tree = renderCandidatePairs(board(), candidate());
    const copies = findAll(tree, (n) => hasClass(n, 'copy-grid'));
    assert.strictEqual(copies.length, 3 + 3 + 2);
    const [p0] = pairsOf(tree);
    const posted = findAll(p0, (n) => hasClass(n, 'copy-grid')).map((b) => (b.on?.kind === 'post' ? b.on.msg : undefined));
    assert.deepStrictEqual(posted, [
      { type: 'copyGrid', grid: TASK.train[0].input },
      { type: 'copyGrid', grid: TASK.train[0].output },
      { type: 'copyGrid', grid: candidate().pairs[0].actual },
    ]);
    assert.strictEqual(copies[0].attrs['aria-label'], 'Copy input of demo 0 as ARC JSON');
    for (const m of posted) assert.deepStrictEqual(parseFromWebview(JSON.parse(JSON.stringify(m))), m);
  });

  it('copyGrid validation: rows of integers within bounds, nothing else', () => {
    assert.deepStrictEqual(parseFromWebview({ type: 'copyGrid', grid: [[0, 12], [3]] }), { type: 'copyGrid', grid: [[0, 12], [3]] });
    const bad: unknown[] = [
      { type: 'copyGrid' },
      { type: 'copyGrid', grid: 'x' },
      { type: 'copyGrid', grid: [1, 2] },
      { type: 'copyGrid', grid: [[1.5]] },
      { type: 'copyGrid', grid: [['1']] },
      { type: 'copyGrid', grid: [[null]] },
      { type: 'copyGrid', grid: [[1]], extra: 1 },
      { type: 'copyGrid', grid: grid(1001, 1, 0) },
      { type: 'copyGrid', grid: grid(600, 600, 0) },
    ];
    for (const v of bad) assert.strictEqual(parseFromWebview(v), undefined, JSON.stringify(v).slice(0, 80));
  });

  it('no candidate, a duplicate, no pairs', () => {
    assert.match(textOf(renderCandidatePairs(board(), undefined)), /Select a candidate/);
    const dup = renderCandidatePairs(board(), { ...candidate(), duplicateOf: 'solve_a', pairs: [] });
    assert.match(textOf(dup), /Same program as solve_a/);
    assert.match(textOf(dup), /No pair results/);
    // without the task's grids (a run of another kind) a failed pair still shows its actual grid
    const bare = renderPair(candidate().pairs[0], undefined);
    assert.deepStrictEqual(gridsOf(bare).map((g) => g.attrs.class), ['grid grid-actual']);
    assert.match(textOf(bare), /expected\s*not in this result/);
    // a result without grids (batt/runResult: no task data, no actual grids) says so instead of "unknown"
    const { actual: _dropped, ...stripped } = candidate().pairs[0];
    const verdictsOnly = renderCandidatePairs({ ...board(), task: undefined }, { ...candidate(), pairs: [stripped] });
    assert.match(textOf(verdictsOnly), /verdicts only: “Run again” shows the grids/);
    assert.deepStrictEqual(findAll(verdictsOnly, (n) => hasClass(n, 'no-grid')).map(textOf), ['expectednot in this result', 'actualnot in this result']);
    const unknown = renderPair(pair('test', 0, { status: 'unknown', actual: [[1]] }), { ...TASK, test: [{ input: [[1]], output: null }] });
    assert.match(textOf(unknown), /expected\s*expected output unknown/);
  });
});

function grid(h: number, w: number, v: number): number[][] {
  return Array.from({ length: h }, () => Array.from({ length: w }, () => v));
}
