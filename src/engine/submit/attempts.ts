/**
 * Which two grids go in for each test input: the outputs of the two best candidates that give different grids.
 * Pure functions over a run's TaskJson and the task; no I/O.
 *
 * The ranking never looks at test verdicts (with solutions known they would give the answer away): candidates that
 * pass every demo pair first, among those stable ones before unstable ones; then demo pairs passed (more first),
 * program length (shorter first), time (faster first), name.
 */
import type { CandidateJson, TaskJson } from '../../protocol/results';
import { isGrid } from '../tasks/gridCheck';
import type { Grid, Task } from '../types';
import type { AttemptPair, SlotSource, TestReport } from './types';

/** The ranking in words (`batt submit --help`, the README). */
export const SUBMIT_RANKING =
  'candidates that pass every demo pair first (stable before unstable ones), then demo pairs passed, program length ' +
  '(shorter first), time (faster first); test verdicts are never used';

/** Whether the stability check found the candidate's outputs to differ under a second PYTHONHASHSEED. */
export function isUnstable(c: CandidateJson): boolean {
  return c.unstable === true;
}

function passesDemos(c: CandidateJson): boolean {
  return c.demo.total > 0 && c.demo.passed === c.demo.total;
}

/** The submission ranking (see the module comment); duplicates are left out (they gave their original's grids). */
export function rankForSubmission(candidates: CandidateJson[]): CandidateJson[] {
  return candidates
    .filter((c) => !c.duplicateOf)
    .sort(
      (a, b) =>
        Number(passesDemos(b)) - Number(passesDemos(a)) ||
        Number(isUnstable(a)) - Number(isUnstable(b)) ||
        b.demo.passed - a.demo.passed ||
        a.length - b.length ||
        a.ms - b.ms ||
        a.name.localeCompare(b.name, undefined, { numeric: true }),
    );
}

/**
 * A candidate's output grid on test input `index`, or undefined when it gave none (an exception, a timeout, a pair
 * that did not run, an invalid grid). A passing pair's output is the expected one (the worker sends no copy).
 */
export function testOutput(c: CandidateJson, task: Task, index: number): Grid | undefined {
  const p = c.pairs.find((x) => x.kind === 'test' && x.index === index);
  if (!p) return undefined;
  const grid = p.status === 'pass' ? task.test[index]?.output ?? undefined : p.status === 'fail' || p.status === 'unknown' ? p.actual : undefined;
  return grid !== undefined && isGrid(grid) ? grid : undefined;
}

export function sameGrid(a: Grid, b: Grid): boolean {
  return a.length === b.length && a.every((row, r) => row.length === b[r].length && row.every((v, c) => v === b[r][c]));
}

function source(c: CandidateJson, rank: number): SlotSource {
  return { kind: 'candidate', name: c.name, file: c.file, line: c.line, rank, demo: { ...c.demo }, ...(isUnstable(c) ? { unstable: true as const } : {}) };
}

/**
 * The attempts for every test input of a task: attempt_1 the best-ranked candidate's output, attempt_2 the output of
 * the best one whose grid differs; a slot no candidate fills holds the test input itself (the fallback). With the
 * expected output known, the report says which attempts and which candidates were right.
 */
export function selectAttempts(task: Task, tj: TaskJson | undefined): { attempts: AttemptPair[]; tests: TestReport[] } {
  const ranked = rankForSubmission(tj?.candidates ?? []);
  const attempts: AttemptPair[] = [];
  const tests: TestReport[] = [];
  task.test.forEach((pair, index) => {
    const outputs = ranked.map((c, i) => ({ c, rank: i + 1, grid: testOutput(c, task, index) })).filter((o): o is { c: CandidateJson; rank: number; grid: Grid } => !!o.grid);
    const distinct: Grid[] = [];
    for (const o of outputs) if (!distinct.some((g) => sameGrid(g, o.grid))) distinct.push(o.grid);
    const first = outputs[0];
    const second = first && outputs.find((o) => !sameGrid(o.grid, first.grid));
    const grids: [Grid, Grid] = [first?.grid ?? pair.input, second?.grid ?? pair.input];
    attempts.push({ attempt_1: grids[0], attempt_2: grids[1] });
    const t: TestReport = {
      task: task.id,
      index,
      attempts: [first ? source(first.c, first.rank) : { kind: 'fallback' }, second ? source(second.c, second.rank) : { kind: 'fallback' }],
      outputs: outputs.length,
      distinct: distinct.length,
    };
    const expected = pair.output;
    if (expected) {
      t.right = [sameGrid(grids[0], expected), sameGrid(grids[1], expected)];
      t.rightBy = outputs.filter((o) => sameGrid(o.grid, expected)).map((o) => o.c.name);
    }
    tests.push(t);
  });
  return { attempts, tests };
}
