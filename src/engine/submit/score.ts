/**
 * The competition's score of a submission and the oracle gap, from the per-test reports (attempts.ts) or from any
 * submission against known test outputs. Pure.
 */
import type { Grid, Task } from '../types';
import { sameGrid } from './attempts';
import type { OracleGap, Submission, SubmitScore, TestReport } from './types';

/**
 * Per test output: 1 when attempt_1 or attempt_2 equals it, else 0; the score is the mean over the test outputs whose
 * expected output is known (the competition averages per test output, not per task). Undefined when none is known.
 */
export function scoreTests(tests: TestReport[]): SubmitScore | undefined {
  const known = tests.filter((t) => t.right);
  if (!known.length) return undefined;
  const right = known.filter((t) => t.right![0] || t.right![1]).length;
  const byTask = new Map<string, boolean>();
  for (const t of known) byTask.set(t.task, (byTask.get(t.task) ?? true) && (t.right![0] || t.right![1]));
  return {
    right,
    total: known.length,
    score: right / known.length,
    tasksRight: [...byTask.values()].filter(Boolean).length,
    tasks: byTask.size,
    unknown: tests.length - known.length,
  };
}

/** Test outputs some candidate got right while neither attempt did, grouped by task (in the order of `tests`). */
export function oracleGap(tests: TestReport[]): OracleGap[] {
  const out: OracleGap[] = [];
  for (const t of tests) {
    if (!t.right || t.right[0] || t.right[1] || !t.rightBy?.length) continue;
    let g = out.find((x) => x.task === t.task);
    if (!g) out.push((g = { task: t.task, tests: [] }));
    g.tests.push({ index: t.index, candidates: t.rightBy });
  }
  return out;
}

/** The score of any submission (e.g. one `--check` validated) against the tasks' known test outputs. */
export function scoreSubmission(sub: Submission, tasks: Task[]): SubmitScore | undefined {
  const tests: TestReport[] = [];
  for (const task of tasks) {
    task.test.forEach((p, index) => {
      const a = sub[task.id]?.[index];
      const t: TestReport = { task: task.id, index, attempts: [{ kind: 'fallback' }, { kind: 'fallback' }], outputs: 0, distinct: 0 };
      const expected: Grid | null = p.output;
      if (expected) t.right = [!!a && sameGrid(a.attempt_1, expected), !!a && sameGrid(a.attempt_2, expected)];
      tests.push(t);
    });
  }
  return scoreTests(tests);
}
