/**
 * `#grid-diff`, the pair view: every pair of the leaderboard's selected candidate as input | expected | actual in the
 * ARC palette, cells sized to fit the panel (CSS: `--cols` and `--zoom`, set here), differing cells of the actual grid
 * marked without hiding their colour, passing pairs collapsed to thumbnails, and a "Copy as ARC JSON" per grid.
 */
import type { RunResultParams, TaskData } from '../protocol/lsp';
import type { CandidateJson, PairJson } from '../protocol/results';
import { cellKey, colourName, diffCells, expectedOf, inputOf, renderGrid, sameShape, shapeOf, width, type Grid } from './grid';
import { button, h, withAction, withStyle, type Action, type VNode } from './vdom';

//#region view state

/** What the pair view remembers (in the webview state): zoom, "diff only", the collapsed pairs the user expanded. */
export interface PairViewState {
  /** cell size as a factor of the size that fits the panel (1 = fit), one of ZOOMS */
  zoom: number;
  diffOnly: boolean;
  /** expanded collapsed pairs, as pairKey()s */
  expanded: string[];
}

export const ZOOMS = [0.5, 0.75, 1, 1.5, 2, 3, 4];
const MAX_EXPANDED = 200;

export const DEFAULT_PAIR_VIEW: PairViewState = { zoom: 1, diffOnly: false, expanded: [] };

/** The `ui` action key of the pair view's controls; the value says what to change (see updatePairView). */
export const PAIR_VIEW_UI = 'pairView';

export function pairKey(candidate: string, p: Pick<PairJson, 'kind' | 'index'>): string {
  return `${candidate}/${p.kind}:${p.index}`;
}

/**
 * The state after a control: 'zoom:in' | 'zoom:out' | 'zoom:fit', 'diffOnly:on' | 'diffOnly:off', or
 * 'toggle:<pairKey>' (expand or collapse a collapsed pair); anything else changes nothing.
 */
export function updatePairView(state: PairViewState | undefined, value: string): PairViewState {
  const s = state ?? DEFAULT_PAIR_VIEW;
  if (value === 'zoom:fit') return { ...s, zoom: 1 };
  if (value === 'zoom:in' || value === 'zoom:out') {
    const i = Math.max(0, ZOOMS.indexOf(s.zoom));
    return { ...s, zoom: ZOOMS[Math.min(ZOOMS.length - 1, Math.max(0, i + (value === 'zoom:in' ? 1 : -1)))] };
  }
  if (value === 'diffOnly:on' || value === 'diffOnly:off') return { ...s, diffOnly: value === 'diffOnly:on' };
  if (value.startsWith('toggle:')) {
    const key = value.slice('toggle:'.length);
    const expanded = s.expanded.includes(key) ? s.expanded.filter((k) => k !== key) : [...s.expanded, key].slice(-MAX_EXPANDED);
    return { ...s, expanded };
  }
  return s;
}

/** The pair view state restored from getState(), undefined when it is missing or not ours. */
export function restorePairView(saved: unknown): PairViewState | undefined {
  if (typeof saved !== 'object' || saved === null) return undefined;
  const v = saved as Partial<Record<keyof PairViewState, unknown>>;
  if (typeof v.zoom !== 'number' || !ZOOMS.includes(v.zoom) || typeof v.diffOnly !== 'boolean' || !Array.isArray(v.expanded)) return undefined;
  const expanded = v.expanded.filter((k): k is string => typeof k === 'string').slice(-MAX_EXPANDED);
  return { zoom: v.zoom, diffOnly: v.diffOnly, expanded };
}

function ui(value: string): Action {
  return { kind: 'ui', key: PAIR_VIEW_UI, value };
}

//#endregion

//#region one pair

/** Pairs that did not fail: shown as thumbnails until expanded. */
export function isCollapsed(p: PairJson): boolean {
  return p.status === 'pass' || p.status === 'skipped' || p.status === 'cancelled';
}

/** The grids of a pair: input, expected (null = unknown), actual (a pass's actual is its expected output). */
interface PairGrids {
  input: Grid | null;
  expected: Grid | null;
  actual: Grid | null;
}

function gridsOf(p: PairJson, task: TaskData | undefined): PairGrids {
  const expected = expectedOf(task, p);
  return { input: inputOf(task, p), expected, actual: p.actual ?? (p.status === 'pass' ? expected : null) };
}

/** Cell columns of a pair's input, expected and actual side by side: the width the fitted cell size divides. */
export function pairColumns(p: PairJson, task: TaskData | undefined): number {
  const g = gridsOf(p, task);
  return [g.input, g.expected, g.actual].reduce((n, x) => n + (x ? width(x) : 0), 0);
}

function copyButton(grid: Grid, what: string): VNode {
  return button('Copy', { kind: 'post', msg: { type: 'copyGrid', grid } }, { class: 'copy-grid', title: 'Copy as ARC JSON', 'aria-label': `Copy ${what} as ARC JSON`, 'data-key': `copy:${what}` });
}

function figure(kind: 'input' | 'expected' | 'actual', pairName: string, grid: VNode, g: Grid, caption: Array<VNode | string>): VNode {
  return h('figure', { class: `grid-figure figure-${kind}` }, h('figcaption', {}, ...caption, ' ', copyButton(g, `${kind} of ${pairName}`)), grid);
}

function placeholder(kind: 'expected' | 'actual', text: string): VNode {
  return h('figure', { class: `grid-figure figure-${kind} no-grid` }, h('figcaption', {}, kind), h('p', { class: 'muted' }, text));
}

function cellTitle(i: number, j: number, what: Array<[string, Grid | null]>): string {
  const parts = what.flatMap(([name, g]) => (g ? [`${name} ${colourName(g[i]?.[j])}`] : []));
  return `row ${i}, col ${j}: ${parts.join(', ')}`;
}

/** The line that says what happened, once: the explainer's class when there is one, else the verdict's message. */
function pairMessage(p: PairJson): string {
  if (p.status === 'pass') return 'matches';
  if (p.mismatch) return p.mismatch.text;
  if (p.message) return p.message;
  if (p.error) return p.error.message ? `${p.error.type}: ${p.error.message}` : p.error.type;
  return p.status;
}

/** Why a pair shows no actual grid. */
function actualMissing(p: PairJson): string {
  if (p.status === 'skipped' || p.status === 'cancelled') return `did not run (${p.status})`;
  // a mismatch always has its grid; only a result without grids (batt/runResult) lacks it
  if (p.status === 'fail' || p.status === 'unknown') return 'not in this result';
  return `no output (${p.status})`;
}

/** Up to this many differing cells are listed in text (the keyboard and screen reader view of the marks). */
const LISTED_CELLS = 100;

function diffList(diffs: Array<[number, number]>, expected: Grid, actual: Grid): VNode | null {
  if (!diffs.length) return null;
  const items = diffs.slice(0, LISTED_CELLS).map(([i, j]) => h('li', {}, `row ${i}, col ${j}: expected ${colourName(expected[i][j])}, actual ${colourName(actual[i][j])}`));
  const more = diffs.length > LISTED_CELLS ? h('li', { class: 'muted' }, `… and ${diffs.length - LISTED_CELLS} more`) : null;
  return h('details', { class: 'diff-list' }, h('summary', {}, `List the ${diffs.length} differing cell${diffs.length === 1 ? '' : 's'}`), h('ol', {}, ...items, more));
}

/** One pair in full: heading, its message once, input | expected | actual, the differing cells, the solver's prints. */
export function renderPair(p: PairJson, task: TaskData | undefined, candidate = ''): VNode {
  const { input, expected, actual } = gridsOf(p, task);
  const name = `${p.kind} ${p.index}`;
  const diffs = expected && actual ? diffCells(expected, actual) : undefined;
  const marked = new Set((diffs ?? []).map(([i, j]) => cellKey(i, j)));
  const both: Array<[string, Grid | null]> = [['expected', expected], ['actual', actual]];
  const figures: VNode[] = [];
  if (input) figures.push(figure('input', name, renderGrid(input, `input of ${name}`, { title: (i, j) => cellTitle(i, j, [['input', input]]), extraClass: 'grid-input' }), input, [`input ${shapeOf(input)}`]));
  if (expected) {
    const grid = renderGrid(expected, `expected output of ${name}`, { marked, markClass: 'diff-ref', title: (i, j) => cellTitle(i, j, both), extraClass: 'grid-expected' });
    figures.push(figure('expected', name, grid, expected, [`expected ${shapeOf(expected)}`]));
  } else figures.push(placeholder('expected', task ? 'expected output unknown' : 'not in this result'));
  if (actual) {
    const wrongShape = !!expected && !diffs;
    const cls = `grid-actual${wrongShape ? ' shape-mismatch' : ''}`;
    const grid = renderGrid(actual, `actual output of ${name}`, { marked, markClass: 'diff', title: (i, j) => cellTitle(i, j, both), extraClass: cls });
    const caption: Array<VNode | string> = [p.status === 'pass' ? 'actual = expected' : `actual ${shapeOf(actual)}`];
    figures.push(figure('actual', name, grid, actual, caption));
  } else figures.push(placeholder('actual', actualMissing(p)));
  const message = pairMessage(p) + (p.error?.line ? ` (line ${p.error.line})` : '');
  const shapes = expected && actual && !sameShape(expected, actual) ? `expected ${shapeOf(expected)}, actual ${shapeOf(actual)}` : undefined;
  // the shapes once: not when the message already says both
  const shapeNote = shapes && !(message.includes(shapeOf(expected!)) && message.includes(shapeOf(actual!))) ? h('p', { class: 'shape-note' }, shapes) : null;
  return h(
    'div',
    { class: `pair pair-${p.status}${diffs?.length ? ' cell-diff' : ''}`, 'data-key': candidate ? `pair:${pairKey(candidate, p)}` : undefined },
    h(
      'h4',
      {},
      `${name} — ${p.status}${p.cached ? ' (cached)' : ''}, ${p.ms.toFixed(1)} ms`,
      p.mismatch ? h('span', { class: 'mismatch-kind' }, p.mismatch.kind) : null,
      p.mismatch?.credit !== undefined ? h('span', { class: 'pair-credit', title: 'share of cells right' }, `partial credit ${(p.mismatch.credit * 100).toFixed(1)}%`) : null,
    ),
    h('p', { class: 'pair-message' }, message),
    shapeNote,
    h('div', { class: 'grids' }, ...figures),
    // mouse only (cellStatus.ts fills it); the keyboard has the list of differing cells and each cell's title
    h('p', { class: 'cell-status', 'aria-hidden': 'true' }, 'Hover a cell for its row, column and colours.'),
    diffs && expected && actual ? diffList(diffs, expected, actual) : null,
    p.stderr ? h('pre', { class: 'stderr', 'aria-label': `stderr of ${name}` }, p.stderr) : null,
    p.stdout ? h('pre', { class: 'stdout', 'aria-label': `stdout of ${name}` }, p.stdout) : null,
  );
}

//#endregion

const MARK: Partial<Record<PairJson['status'], string>> = { pass: '✓', skipped: '·', cancelled: '-' };

/** A collapsed pair: its input and expected output as small grids; activating it expands (or collapses) it. */
function thumbnail(p: PairJson, task: TaskData | undefined, candidate: string, expanded: boolean): VNode {
  const { input, expected } = gridsOf(p, task);
  const name = `${p.kind} ${p.index}`;
  const grids = [input, expected].filter((g): g is Grid => !!g).map((g) => renderGrid(g, name, { extraClass: 'thumb-grid' }));
  const label = `${name} ${MARK[p.status] ?? ''} ${p.status}`;
  const thumb = h(
    'div',
    { class: `thumb pair-${p.status}${expanded ? ' expanded' : ''}`, role: 'button', tabindex: 0, 'aria-expanded': expanded ? 'true' : 'false', title: `${label}: ${expanded ? 'collapse' : 'expand'}`, 'data-key': `thumb:${pairKey(candidate, p)}` },
    h('span', { class: 'thumb-label' }, label),
    h('span', { class: 'thumb-grids', 'aria-hidden': 'true' }, ...grids),
  );
  return withAction(thumb, ui(`toggle:${pairKey(candidate, p)}`));
}

function tools(view: PairViewState): VNode {
  const level = `${Math.round(view.zoom * 100)}%`;
  return h(
    'div',
    { class: 'pair-tools', role: 'toolbar', 'aria-label': 'Pair view' },
    button('−', ui('zoom:out'), { 'aria-label': 'Zoom out', title: 'Smaller cells', 'data-key': 'zoom:out' }),
    h('span', { class: 'zoom-level', 'aria-live': 'polite', 'aria-label': `cell size ${level} of the fitted size` }, level),
    button('+', ui('zoom:in'), { 'aria-label': 'Zoom in', title: 'Larger cells', 'data-key': 'zoom:in' }),
    button('Fit width', ui('zoom:fit'), { title: 'Cells that fit the panel width (100%)', 'aria-pressed': view.zoom === 1 ? 'true' : 'false', 'data-key': 'zoom:fit' }),
    button('Diff only', ui(view.diffOnly ? 'diffOnly:off' : 'diffOnly:on'), { title: 'Dim the cells that are right', 'aria-pressed': view.diffOnly ? 'true' : 'false', 'data-key': 'diff-only' }),
  );
}

/** The selected candidate's pairs: failures in full, the others as thumbnails (expanded ones in full too). */
export function renderCandidatePairs(lb: RunResultParams, c: CandidateJson | undefined, view: PairViewState = DEFAULT_PAIR_VIEW): VNode {
  const head = h('h3', { id: 'grid-diff-h' }, c ? `Pairs of ${c.name}` : 'Pairs');
  const attrs = { id: 'grid-diff', class: view.diffOnly ? 'diff-only' : undefined, 'aria-labelledby': 'grid-diff-h' };
  if (!c) return h('div', attrs, head, h('p', { class: 'muted' }, 'Select a candidate.'));
  const dup = c.duplicateOf ? h('p', { class: 'muted' }, `Same program as ${c.duplicateOf}; it did not run again.`) : null;
  // a result of a save or of "Run every task" carries verdicts, not grids or prints
  const bare = lb.task ? null : h('p', { class: 'muted no-grids' }, 'This result has the verdicts only: “Run again” shows the grids and the solver’s prints.');
  const note = dup ?? bare;
  if (!c.pairs.length) return h('div', attrs, head, note, h('p', { class: 'muted' }, 'No pair results.'));
  const expanded = new Set(view.expanded);
  const collapsed = c.pairs.filter(isCollapsed);
  const full = c.pairs.filter((p) => !isCollapsed(p) || expanded.has(pairKey(c.name, p)));
  const thumbs = collapsed.length
    ? h('div', { class: 'pair-thumbs', role: 'group', 'aria-label': 'Pairs that did not fail (activate to expand)' }, ...collapsed.map((p) => thumbnail(p, lb.task, c.name, expanded.has(pairKey(c.name, p)))))
    : null;
  const cols = Math.max(1, ...full.map((p) => pairColumns(p, lb.task)));
  const tree = h('div', attrs, head, note, tools(view), thumbs, ...full.map((p) => renderPair(p, lb.task, c.name)));
  return withStyle(tree, { '--cols': String(cols), '--zoom': String(view.zoom) });
}
