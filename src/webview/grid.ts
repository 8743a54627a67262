/**
 * ARC grids as blocks of coloured cells, in the standard ARC palette (media/panel.css `.c0`–`.c9`), and what differs
 * between an expected and an actual grid.
 */
import type { TaskData } from '../protocol/lsp';
import type { PairJson } from '../protocol/results';
import { h, withStyle, type VNode } from './vdom';

export type Grid = number[][];

/** The ARC palette's colour names, by value. */
export const COLOUR_NAMES = ['black', 'blue', 'red', 'green', 'yellow', 'grey', 'magenta', 'orange', 'azure', 'maroon'];

export function shapeOf(g: Grid): string {
  return `${g.length}x${g[0]?.length ?? 0}`;
}

/** Columns of the widest row. */
export function width(g: Grid): number {
  return g.reduce((m, row) => Math.max(m, row.length), 0);
}

export function sameShape(a: Grid, b: Grid): boolean {
  return a.length === b.length && a.every((row, i) => row.length === b[i].length);
}

/** Cells of `actual` that differ from `expected` ([row, col]); undefined when the shapes differ. */
export function diffCells(expected: Grid, actual: Grid): Array<[number, number]> | undefined {
  if (!sameShape(expected, actual)) return undefined;
  const out: Array<[number, number]> = [];
  actual.forEach((row, i) => row.forEach((v, j) => v !== expected[i][j] && out.push([i, j])));
  return out;
}

export function cellKey(i: number, j: number): string {
  return `${i},${j}`;
}

function isColour(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 9;
}

/** "3 green", "12 (not an ARC colour)", "none" (outside the grid). */
export function colourName(v: number | undefined): string {
  if (v === undefined) return 'none';
  return isColour(v) ? `${v} ${COLOUR_NAMES[v]}` : `${v} (not an ARC colour)`;
}

export interface GridOptions {
  /** cells ("r,c" keys) that get `markClass` */
  marked?: ReadonlySet<string>;
  /** 'diff' on the actual grid, 'diff-ref' on the expected grid's counterpart cells */
  markClass?: string;
  /** hover text of a cell; no title when absent (thumbnails) */
  title?: (i: number, j: number) => string;
  extraClass?: string;
}

/** One grid, cells row by row; its columns are set through the CSSOM (`--cell` is the cell size). */
export function renderGrid(g: Grid, label: string, opts: GridOptions = {}): VNode {
  const w = width(g);
  const cells: VNode[] = [];
  g.forEach((row, i) => {
    for (let j = 0; j < w; j++) {
      const v = row[j];
      const mark = opts.marked?.has(cellKey(i, j)) ? ` ${opts.markClass ?? 'diff'}` : '';
      const cls = v === undefined ? 'cell missing' : `cell ${isColour(v) ? `c${v}` : 'cx'}${mark}`;
      cells.push(h('div', { class: cls, title: opts.title?.(i, j) }));
    }
  });
  const grid = h('div', { class: `grid ${opts.extraClass ?? ''}`.trim(), role: 'img', 'aria-label': `${label}, ${g.length}x${w}` }, ...cells);
  return withStyle(grid, { 'grid-template-columns': `repeat(${Math.max(w, 1)}, var(--cell))` });
}

function pairOf(task: TaskData | undefined, p: Pick<PairJson, 'kind' | 'index'>): TaskData['test'][number] | undefined {
  if (!task) return undefined;
  return (p.kind === 'demo' ? task.train : task.test)[p.index];
}

/** The expected output of a pair, null when unknown (test outputs may be withheld) or the task lacks the pair. */
export function expectedOf(task: TaskData | undefined, p: Pick<PairJson, 'kind' | 'index'>): Grid | null {
  return pairOf(task, p)?.output ?? null;
}

/** The input of a pair, null when the task lacks the pair (no task data: a run of another kind). */
export function inputOf(task: TaskData | undefined, p: Pick<PairJson, 'kind' | 'index'>): Grid | null {
  return pairOf(task, p)?.input ?? null;
}
