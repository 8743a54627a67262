/**
 * `#trace`, the Trace tab ("Batt: Trace solver"): the solver's lines × the task's pairs (demo, then test), each cell a
 * thumbnail (grids, objects; index sets as a mask over the pair's input) or a short text, divergent lines marked, the
 * line that raised showing the exception on its pair, and where each failing pair first differs from the passing ones
 * highlighted (traceDiverge.ts). Activating a cell opens its value full size under its line, drawn as the pair view
 * draws grids (grid.ts; the same `.pair` figures, hover line and "Copy as ARC JSON").
 */
import type { TraceJson, TraceLine, TracePair, TraceValue } from '../protocol/trace';
import { colourName, renderGrid, shapeOf, width, type Grid } from './grid';
import { firstDivergences, isFailing, type Divergence } from './traceDiverge';
import { thumbNode } from './traceThumb';
import { button, h, withAction, withStyle, type Action, type VNode } from './vdom';

//#region view state

/** The cell opened full size: a line (its 1-based `line` in the file) and a pair (an index into `pairs`). */
export interface TraceCell {
  line: number;
  pair: number;
}

/** The `ui` action key of the Trace view: 'cell:<line>:<pair>' opens that cell (or closes it, when open), 'close'. */
export const TRACE_UI = 'trace';

export const NO_TRACE_TEXT = 'No trace yet. Put the cursor in a solver (a “def solve_…”) and run “Batt: Trace solver”: the value each of its lines takes on every pair shows here.';

export function updateTraceCell(open: TraceCell | undefined, value: string): TraceCell | undefined {
  const m = /^cell:(\d+):(\d+)$/.exec(value);
  if (!m) return value === 'close' ? undefined : open;
  const cell = { line: Number(m[1]), pair: Number(m[2]) };
  return open?.line === cell.line && open.pair === cell.pair ? undefined : cell;
}

/** The open cell restored from getState(), undefined when it is missing or not ours. */
export function restoreTraceCell(saved: unknown): TraceCell | undefined {
  if (typeof saved !== 'object' || saved === null) return undefined;
  const { line, pair } = saved as { line?: unknown; pair?: unknown };
  return Number.isSafeInteger(line) && Number.isSafeInteger(pair) && (line as number) >= 0 && (pair as number) >= 0 ? { line: line as number, pair: pair as number } : undefined;
}

function ui(value: string): Action {
  return { kind: 'ui', key: TRACE_UI, value };
}

//#endregion

//#region values as grids

function pairName(p: TracePair): string {
  return `${p.kind} ${p.index}`;
}

/** A value's cells as a grid: an object cropped to its bounding box (cells outside it left out), or undefined. */
function cropped(v: TraceValue): Grid | undefined {
  if (!v.cells?.length) return undefined;
  const rows = v.cells.map((c) => c[0]);
  const cols = v.cells.map((c) => c[1]);
  const r0 = Math.min(...rows);
  const c0 = Math.min(...cols);
  const g: Grid = Array.from({ length: Math.max(...rows) - r0 + 1 }, () => new Array<number>(Math.max(...cols) - c0 + 1));
  // an index set's cells have no colour (-1): hatched, as a cell of no ARC colour is
  for (const [r, c, colour] of v.cells) g[r - r0][c - c0] = colour;
  return g;
}

/** A value's cells in place over the pair's input: the input with the cells' own colours on top, and which cells. */
function inPlace(v: TraceValue, input: Grid | undefined): { grid: Grid; marked: Set<string> } | undefined {
  if (!v.cells?.length || !input?.length) return undefined;
  const grid = input.map((row) => [...row]);
  const marked = new Set<string>();
  for (const [r, c, colour] of v.cells) {
    if (r < 0 || c < 0 || r >= grid.length || c >= (grid[r]?.length ?? 0)) return undefined; // not over this input
    if (colour >= 0) grid[r][c] = colour;
    marked.add(`${r},${c}`);
  }
  return { grid, marked };
}

/** Cells without a colour of their own (an index set's): ringed where they are, over the input. */
function colourless(v: TraceValue): boolean {
  return !!v.cells?.length && v.cells.every((c) => c[2] < 0);
}

/** The classes of a value drawn over the input, full size: the rest of the input faded; colourless cells ringed. */
function maskClass(v: TraceValue): string {
  return colourless(v) ? 'trace-mask trace-indices' : 'trace-mask';
}

/** Thumbnail cells: the grid's longer side fits THUMB_PX, each cell 2–8 px. */
const THUMB_PX = 64;

function thumbCell(g: Grid): number {
  return Math.max(2, Math.min(8, Math.floor(THUMB_PX / Math.max(g.length, width(g), 1))));
}

/** A cell's thumbnail: the grid; one object cut out to its box; index sets and sets of objects over the input. */
function thumbOf(v: TraceValue, input: Grid | undefined, label: string): VNode | null {
  const placed = !v.grid && v.type !== 'object' ? inPlace(v, input) : undefined;
  const cut = !v.grid && !placed ? cropped(v) : undefined;
  const g = v.grid ?? placed?.grid ?? cut;
  if (!g) return null;
  return thumbNode(g, label, thumbCell(g), placed ? (colourless(v) ? 'mask' : 'over') : 'plain', placed?.marked);
}

//#endregion

//#region the table

function statusMark(s: TracePair['status']): string {
  return s === 'pass' ? '✓ pass' : isFailing(s) ? `✗ ${s}` : s;
}

/** The first line of an exception, cut for a cell. */
function shortError(e: string): string {
  const first = e.split('\n')[0];
  return first.length > 60 ? `${first.slice(0, 59)}…` : first;
}

function cellText(v: TraceValue): string {
  return v.truncated ? `${v.summary} (cut)` : v.summary;
}

/** What a cell says to a screen reader and in its tooltip. */
function cellTitle(line: TraceLine, p: TracePair, v: TraceValue | undefined, first: boolean): string {
  const what = !v ? 'did not reach this line' : v.error ? `raised ${v.error}` : `${v.type} ${cellText(v)}${v.repr && v.repr !== v.summary ? `: ${v.repr}` : ''}`;
  return `${line.name} on ${pairName(p)}: ${what}${first ? ' — the first line where this failing pair differs from the passing pairs' : ''}`;
}

function cellBody(v: TraceValue | undefined, p: TracePair, label: string): Array<VNode | null> {
  if (!v) return [h('span', { class: 'muted' }, '—')];
  if (v.error) return [h('span', { class: 'trace-exc' }, shortError(v.error))];
  const thumb = thumbOf(v, p.input, label);
  return [thumb, h('span', { class: thumb ? 'trace-sum' : 'trace-text' }, cellText(v))];
}

function traceCell(trace: TraceJson, line: TraceLine, pi: number, open: boolean, first: boolean): VNode {
  const p = trace.pairs[pi];
  const v = line.values.find((x) => x.pair === pi);
  const key = `${line.line}:${pi}`;
  const cls = ['trace-cell', v?.error ? 'trace-raised' : '', !v ? 'trace-none' : '', first ? 'first-divergence' : '', open ? 'open' : ''].filter(Boolean).join(' ');
  const title = cellTitle(line, p, v, first);
  const inner = h(
    'div',
    { class: 'trace-cell-btn', role: 'button', tabindex: 0, 'aria-expanded': open ? 'true' : 'false', title, 'aria-label': title, 'data-key': `trace:${key}` },
    ...cellBody(v, p, `${line.name} on ${pairName(p)}`),
    first ? h('span', { class: 'trace-first' }, 'first difference') : null,
  );
  return h('td', { class: cls }, withAction(inner, ui(`cell:${key}`)));
}

function lineHeader(trace: TraceJson, line: TraceLine): VNode {
  const src = line.source.startsWith(line.name) ? line.source : `${line.name}: ${line.source}`;
  return h(
    'th',
    { scope: 'row', class: 'trace-src' },
    button(String(line.line), { kind: 'post', msg: { type: 'openLocation', file: trace.file, line: line.line } }, { class: 'link trace-lineno', title: `Go to line ${line.line}`, 'data-key': `trace-open:${line.line}` }),
    line.divergent ? h('span', { class: 'trace-divergent', title: 'Its value differs in kind, size or emptiness across pairs', 'aria-label': 'divergent' }, '≠') : null,
    h('code', {}, src),
  );
}

//#endregion

//#region the open cell, full size

function copyButton(grid: Grid, what: string): VNode {
  return button('Copy', { kind: 'post', msg: { type: 'copyGrid', grid } }, { class: 'copy-grid', title: 'Copy as ARC JSON', 'aria-label': `Copy ${what} as ARC JSON`, 'data-key': `trace-copy:${what}` });
}

function figure(cls: string, caption: string, grid: VNode, copy: Grid | undefined, what: string): VNode {
  return h('figure', { class: `grid-figure ${cls}` }, h('figcaption', {}, caption, ' ', copy ? copyButton(copy, what) : null), grid);
}

function gridTitle(name: string, g: Grid): (i: number, j: number) => string {
  return (i, j) => `row ${i}, col ${j}: ${name} ${colourName(g[i]?.[j])}`;
}

/** The value as a full-size figure: a grid, an object or index set in place over the input (else cut out), or null. */
function valueFigure(v: TraceValue, input: Grid | undefined, name: string): { fig: VNode; cols: number } | null {
  if (v.grid) {
    const grid = renderGrid(v.grid, `${name}`, { title: gridTitle(name, v.grid), extraClass: 'grid-actual' });
    return { fig: figure('figure-actual', `${name} ${shapeOf(v.grid)}`, grid, v.grid, name), cols: width(v.grid) };
  }
  const placed = inPlace(v, input);
  if (placed) {
    const title = (i: number, j: number) => `row ${i}, col ${j}: ${placed.marked.has(`${i},${j}`) ? `in ${name}` : 'not in it'}, ${colourName(placed.grid[i]?.[j])}`;
    const grid = renderGrid(placed.grid, `${name} over the input`, { marked: placed.marked, markClass: 'in-set', title, extraClass: `grid-actual ${maskClass(v)}` });
    return { fig: figure('figure-actual', `${name}: ${cellText(v)}, over the input`, grid, undefined, name), cols: width(placed.grid) };
  }
  const g = cropped(v);
  if (!g) return null;
  const grid = renderGrid(g, name, { title: gridTitle(name, g), extraClass: 'grid-actual trace-cut' });
  return { fig: figure('figure-actual', `${name}: ${cellText(v)}`, grid, undefined, name), cols: width(g) };
}

/** `#trace-pair`: the open cell's value full size beside the pair's input, its text, and Close. */
function renderTracePair(trace: TraceJson, line: TraceLine, pi: number): VNode {
  const p = trace.pairs[pi];
  const v = line.values.find((x) => x.pair === pi);
  const input = p.input;
  const figures: VNode[] = [];
  let cols = 0;
  if (input?.length) {
    figures.push(figure('figure-input', `input ${shapeOf(input)}`, renderGrid(input, `input of ${pairName(p)}`, { title: gridTitle('input', input), extraClass: 'grid-input' }), input, `input of ${pairName(p)}`));
    cols += width(input);
  }
  const value = v && !v.error ? valueFigure(v, input, line.name) : null;
  if (value) {
    figures.push(value.fig);
    cols += value.cols;
  }
  const message = !v ? `${pairName(p)} did not reach this line (${p.status})` : v.error ? v.error : `${v.type}: ${cellText(v)}${v.truncated ? ' (cut at the size cap)' : ''}`;
  const tree = h(
    'div',
    { id: 'trace-pair', class: `pair ${v?.error ? 'pair-error' : 'trace-value'}`, 'aria-labelledby': 'trace-pair-h' },
    h('h4', { id: 'trace-pair-h' }, `${line.name} on ${pairName(p)} — ${p.status}`, h('span', { class: 'pair-credit' }, `line ${line.line}`), ' ', button('Close', ui('close'), { class: 'copy-grid', 'data-key': 'trace-close' })),
    h('p', { class: 'pair-message' }, message),
    figures.length ? h('div', { class: 'grids' }, ...figures) : null,
    figures.length ? h('p', { class: 'cell-status', 'aria-hidden': 'true' }, 'Hover a cell for its row, column and colour.') : null,
    v?.repr && !v.error ? h('pre', { class: 'trace-repr', 'aria-label': `value of ${line.name} on ${pairName(p)}` }, v.repr) : null,
    // where inside the DSL it raised
    v?.error && p.error?.traceback ? h('details', { class: 'diff-list' }, h('summary', {}, 'Traceback'), h('pre', { class: 'stderr' }, p.error.traceback)) : null,
  );
  return withStyle(tree, { '--cols': String(Math.max(cols, 1)) });
}

//#endregion

function caption(trace: TraceJson): VNode {
  const name = trace.file.split(/[\\/]/).pop() || trace.file;
  const first = trace.lines[0]?.line ?? 1;
  const facts = [`${trace.lines.length} line${trace.lines.length === 1 ? '' : 's'} × ${trace.pairs.length} pair${trace.pairs.length === 1 ? '' : 's'}`];
  if (trace.cached) facts.push('from the trace cache');
  else if (trace.ms !== undefined) facts.push(`traced in ${trace.ms.toFixed(0)} ms`);
  return h(
    'p',
    { class: 'muted trace-caption' },
    button(`${name}:${first}`, { kind: 'post', msg: { type: 'openLocation', file: trace.file, line: first } }, { class: 'link', title: trace.file, 'data-key': 'trace-file' }),
    ` — ${facts.join(', ')}. ≠ marks a line whose value differs in kind, size or emptiness across pairs; an outlined cell is where a failing pair first differs from the passing ones. Activate a cell for its value full size.`,
  );
}

/** The Trace tab: the hint when there is no trace yet, else the table (and the open cell under its line). */
export function renderTrace(trace: TraceJson | undefined, open?: TraceCell): VNode {
  const attrs = { id: 'trace', 'aria-labelledby': 'trace-h' };
  if (!trace) return h('section', attrs, h('h2', { id: 'trace-h' }, 'Trace'), h('p', { class: 'empty-trace' }, NO_TRACE_TEXT));
  const head = h('h2', { id: 'trace-h' }, `Trace of ${trace.solver} on task ${trace.task}`);
  if (!trace.lines.length) return h('section', attrs, head, caption(trace), h('p', { class: 'muted' }, 'No line assigns a name: nothing to trace.'));
  const first = new Set(firstDivergences(trace).map((d: Divergence) => `${d.line}:${d.pair}`));
  const cols = trace.pairs.length + 1;
  const rows = trace.lines.flatMap((line, li) => {
    const isOpen = open?.line === line.line && open.pair < trace.pairs.length;
    const row = h('tr', { class: `trace-row${line.divergent ? ' divergent' : ''}` }, lineHeader(trace, line), ...trace.pairs.map((_, pi) => traceCell(trace, line, pi, isOpen && open.pair === pi, first.has(`${li}:${pi}`))));
    return isOpen ? [row, h('tr', { class: 'trace-detail-row' }, h('td', { colspan: cols }, renderTracePair(trace, line, open.pair)))] : [row];
  });
  const header = h(
    'tr',
    {},
    h('th', { scope: 'col', class: 'trace-src' }, 'line'),
    ...trace.pairs.map((p) => h('th', { scope: 'col', class: `trace-pair-h status-${p.status}`, title: p.error ? `${p.error.type}: ${p.error.message}` : undefined }, pairName(p), h('span', { class: 'trace-status' }, statusMark(p.status)))),
  );
  const table = h('table', { class: 'trace-table' }, h('thead', {}, header), h('tbody', {}, ...rows));
  return h('section', attrs, head, caption(trace), h('div', { class: 'table-scroll trace-scroll' }, table));
}
