/**
 * Validation of ARC grids read from JSON. Each check returns the first problem as a short message
 * (indices are 0-based: "row 3" is rows[3]), so a task error can say exactly where it is.
 */
import type { Grid } from '../types';
import { escapeNonPrintable } from './printable';

export const MAX_GRID_SIDE = 30;

/** A short name for the JSON type of a value, for "expected X, got Y" messages. */
export function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** A value as it would appear in the JSON file, shortened and made printable for messages. */
export function showValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return escapeNonPrintable(text.length > 20 ? `${text.slice(0, 17)}...` : text);
}

function cellProblem(cell: unknown, r: number, c: number): string | undefined {
  const where = `row ${r}, column ${c}`;
  if (typeof cell !== 'number' || !Number.isInteger(cell)) {
    return `${showValue(cell)} at ${where} is not an integer`;
  }
  if (cell < 0 || cell > 9) return `value ${cell} at ${where} is not a colour 0-9`;
  return undefined;
}

/** Why `value` is not a valid grid (rectangular list of lists of integers 0-9, 1x1..30x30), or undefined if it is one. */
export function gridProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return `expected a list of rows, got ${jsonTypeName(value)}`;
  const rows: unknown[] = value;
  if (rows.length === 0) return 'grid is empty';
  if (rows.length > MAX_GRID_SIDE) return `grid has ${rows.length} rows (at most ${MAX_GRID_SIDE})`;
  let width = -1;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!Array.isArray(row)) return `row ${r} is not a list of cells, got ${jsonTypeName(row)}`;
    const cells: unknown[] = row;
    if (r === 0) {
      width = cells.length;
      if (width === 0) return 'row 0 has no cells';
      if (width > MAX_GRID_SIDE) return `grid has ${width} columns (at most ${MAX_GRID_SIDE})`;
    } else if (cells.length !== width) {
      return `row ${r} has ${cells.length} cells, expected ${width}`;
    }
    for (let c = 0; c < cells.length; c++) {
      const problem = cellProblem(cells[c], r, c);
      if (problem) return problem;
    }
  }
  return undefined;
}

export function isGrid(value: unknown): value is Grid {
  return gridProblem(value) === undefined;
}
