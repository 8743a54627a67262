/** ARC grids as coloured cell blocks, and one pair's expected-vs-actual view with the differing cells marked. */
import type { TaskData } from '../protocol/lsp';
import type { PairJson } from '../protocol/results';
import { h, withStyle, type VNode } from './vdom';

export type Grid = number[][];

export function shapeOf(g: Grid): string {
  return `${g.length}x${g[0]?.length ?? 0}`;
}

function width(g: Grid): number {
  return g.reduce((m, row) => Math.max(m, row.length), 0);
}

function sameShape(a: Grid, b: Grid): boolean {
  return a.length === b.length && a.every((row, i) => row.length === b[i].length);
}

/** Cells of `actual` that differ from `expected` ([row, col]); undefined when the shapes differ. */
export function diffCells(expected: Grid, actual: Grid): Array<[number, number]> | undefined {
  if (!sameShape(expected, actual)) return undefined;
  const out: Array<[number, number]> = [];
  actual.forEach((row, i) => row.forEach((v, j) => v !== expected[i][j] && out.push([i, j])));
  return out;
}

function colourClass(v: number): string {
  return Number.isInteger(v) && v >= 0 && v <= 9 ? `c${v}` : 'cx';
}

/** One grid; cells in `marked` (keys "r,c") get the `diff` class. Columns are set through the CSSOM. */
export function renderGrid(g: Grid, label: string, marked: ReadonlySet<string> = new Set(), extraClass = ''): VNode {
  const w = width(g);
  const cells: VNode[] = [];
  g.forEach((row, i) => {
    for (let j = 0; j < w; j++) {
      const v = row[j];
      const cls = v === undefined ? 'cell missing' : `cell ${colourClass(v)}${marked.has(`${i},${j}`) ? ' diff' : ''}`;
      cells.push(h('div', { class: cls }));
    }
  });
  const grid = withStyle(h('div', { class: `grid ${extraClass}`.trim(), role: 'img', 'aria-label': `${label}, ${g.length}x${w}` }, ...cells), {
    'grid-template-columns': `repeat(${Math.max(w, 1)}, var(--cell))`,
  });
  return h('figure', { class: 'grid-figure' }, grid, h('figcaption', {}, `${label} ${g.length}x${w}`));
}

/** The expected output of a pair, null when unknown (test outputs may be withheld) or the task lacks the pair. */
export function expectedOf(task: TaskData | undefined, p: Pick<PairJson, 'kind' | 'index'>): Grid | null {
  if (!task) return null;
  const list = p.kind === 'demo' ? task.train : task.test;
  return list[p.index]?.output ?? null;
}

function pairMessage(p: PairJson, expected: Grid | null): string {
  if (p.status === 'pass') return 'matches';
  if (p.message) return p.message;
  if (p.error) return p.error.message ? `${p.error.type}: ${p.error.message}` : p.error.type;
  if (p.actual && expected && !sameShape(expected, p.actual)) return `expected ${shapeOf(expected)}, got ${shapeOf(p.actual)}`;
  return p.status;
}

/** One pair of one candidate: heading, message, expected grid and (when there is one) the actual grid. */
export function renderPair(p: PairJson, task: TaskData | undefined): VNode {
  const expected = expectedOf(task, p);
  const grids: VNode[] = [];
  let shapeNote: VNode | null = null;
  if (expected) grids.push(renderGrid(expected, 'expected'));
  else grids.push(h('p', { class: 'muted' }, 'expected output unknown'));
  if (p.actual && p.status !== 'pass') {
    const diffs = expected ? diffCells(expected, p.actual) : [];
    const marked = new Set((diffs ?? []).map(([i, j]) => `${i},${j}`));
    grids.push(renderGrid(p.actual, 'actual', marked, diffs ? '' : 'shape-mismatch'));
    if (expected && !diffs) shapeNote = h('p', { class: 'shape-note' }, `shape differs: expected ${shapeOf(expected)}, got ${shapeOf(p.actual)}`);
    else if (diffs && diffs.length) shapeNote = h('p', { class: 'diff-note' }, `${diffs.length} of ${p.actual.length * width(p.actual)} cells differ`);
  }
  const where = p.error?.line ? ` (line ${p.error.line})` : '';
  return h(
    'div',
    { class: `pair pair-${p.status}` },
    h('h4', {}, `${p.kind} ${p.index} — ${p.status}${p.cached ? ' (cached)' : ''}, ${p.ms.toFixed(1)} ms`),
    h('p', { class: 'pair-message' }, pairMessage(p, expected) + where),
    shapeNote,
    h('div', { class: 'grids' }, ...grids),
    p.stderr ? h('pre', { class: 'stderr' }, p.stderr) : null,
    p.stdout ? h('pre', { class: 'stdout' }, p.stdout) : null,
  );
}
