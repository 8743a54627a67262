/**
 * Validating a submission file written by anyone against the challenges it answers: every task id present (and no
 * other), one attempt object per test input, both keys, and grids of integers 0-9 (rectangular, 1x1 to 30x30). Each
 * problem names the file and the JSON place, e.g. `$["007bbfb7"][0].attempt_2[3][1]: 12 is not a colour 0-9`. Pure.
 */
import { parseJson } from '../fsutil';
import { jsonTypeName, MAX_GRID_SIDE, showValue } from '../tasks/gridCheck';
import type { CheckProblem } from './types';

/** A JSON place: `$["id"]` for an object key, `[i]` for an index, `.key` for a plain key. */
export function keyPlace(base: string, key: string): string {
  return `${base}[${key.length > 64 ? `${JSON.stringify(key.slice(0, 60)).slice(0, -1)}…"` : JSON.stringify(key)}]`;
}

/** Why `v` is not a submission grid, with the place of the first problem under `place`, or undefined. */
export function gridProblemAt(v: unknown, place: string): { place: string; message: string } | undefined {
  if (!Array.isArray(v)) return { place, message: `expected a grid (a list of rows), got ${jsonTypeName(v)}` };
  const rows: unknown[] = v;
  if (!rows.length) return { place, message: 'the grid is empty (at least 1x1)' };
  if (rows.length > MAX_GRID_SIDE) return { place, message: `the grid has ${rows.length} rows (at most ${MAX_GRID_SIDE})` };
  let width = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const at = `${place}[${r}]`;
    if (!Array.isArray(row)) return { place: at, message: `expected a row (a list of integers 0-9), got ${jsonTypeName(row)}` };
    const cells: unknown[] = row;
    if (r === 0) {
      width = cells.length;
      if (!width) return { place: at, message: 'the row is empty (at least 1 cell)' };
      if (width > MAX_GRID_SIDE) return { place: at, message: `the row has ${width} cells (at most ${MAX_GRID_SIDE})` };
    } else if (cells.length !== width) {
      return { place: at, message: `the row has ${cells.length} cells, row 0 has ${width} (a grid is rectangular)` };
    }
    for (let c = 0; c < cells.length; c++) {
      const cell = cells[c];
      if (typeof cell !== 'number' || !Number.isInteger(cell)) return { place: `${at}[${c}]`, message: `${showValue(cell)} is not an integer` };
      if (cell < 0 || cell > 9) return { place: `${at}[${c}]`, message: `${cell} is not a colour 0-9` };
    }
  }
  return undefined;
}

/**
 * The problems of submission `text` (read from `file`) against the challenges' task ids and their test input counts;
 * none: the file is valid. Tasks are checked in the order of `expected`; ids the challenges lack come last.
 */
export function checkSubmission(text: string, file: string, expected: ReadonlyMap<string, number>): CheckProblem[] {
  const parsed = parseJson(text);
  if ('error' in parsed) {
    const { line, col, message } = parsed.error;
    return [{ file, line, col, message: message.replace(/^invalid JSON at line \d+, column \d+: /, 'invalid JSON: ') }];
  }
  const doc = parsed.value;
  const problems: CheckProblem[] = [];
  const fail = (place: string, message: string): void => void problems.push({ file, place, message });
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    fail('$', `expected an object of task id -> list of {"attempt_1", "attempt_2"}, got ${jsonTypeName(doc)}`);
    return problems;
  }
  const sub = doc as Record<string, unknown>;
  for (const [id, count] of expected) {
    const place = keyPlace('$', id);
    const per = `${count} test input${count === 1 ? '' : 's'}`;
    if (!Object.prototype.hasOwnProperty.call(sub, id)) {
      fail(place, `task "${id}" is missing (the challenges have it, with ${per})`);
      continue;
    }
    const list = sub[id];
    if (!Array.isArray(list)) {
      fail(place, `expected a list of ${count} {"attempt_1", "attempt_2"} object${count === 1 ? '' : 's'}, got ${jsonTypeName(list)}`);
      continue;
    }
    if (list.length !== count) fail(place, `${list.length} attempt object${list.length === 1 ? '' : 's'}, expected ${count} (the task has ${per}; one per test input, in order)`);
    list.forEach((entry: unknown, i) => {
      const at = `${place}[${i}]`;
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
        return fail(at, `expected an object with "attempt_1" and "attempt_2", got ${jsonTypeName(entry)}`);
      }
      const e = entry as Record<string, unknown>;
      for (const key of ['attempt_1', 'attempt_2']) {
        if (!Object.prototype.hasOwnProperty.call(e, key)) {
          fail(at, `"${key}" is missing (both attempts are required)`);
          continue;
        }
        const p = gridProblemAt(e[key], `${at}.${key}`);
        if (p) fail(p.place, p.message);
      }
    });
  }
  for (const id of Object.keys(sub)) {
    if (!expected.has(id)) fail(keyPlace('$', id), `task ${showValue(id)} is not in the challenges`);
  }
  return problems;
}

/** One line per problem: `submission.json: $["x"][0].attempt_2: ...`, or `submission.json:3:5: invalid JSON ...`. */
export function problemLine(p: CheckProblem): string {
  if (p.place === undefined) return `${p.file}${p.line ? `:${p.line}:${p.col ?? 1}` : ''}: ${p.message}`;
  return `${p.file}: ${p.place}: ${p.message}`;
}
