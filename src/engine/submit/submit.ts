/**
 * `batt submit` on the engine: one run (caches, pool and all), then the two attempts per test input, the file, the
 * score and oracle gap when the test outputs are known; and the check of any submission file against the challenges.
 */
import { promises as fsp } from 'fs';
import * as path from 'path';
import type { Engine } from '../engine';
import { writeFileAtomic } from '../fsutil';
import { loadTasks } from '../tasks/tasks';
import type { RunJson } from '../../protocol/results';
import type { InputError, Task } from '../types';
import { isUnstable, selectAttempts } from './attempts';
import { checkSubmission } from './check';
import { submissionText } from './format';
import { oracleGap, scoreSubmission, scoreTests } from './score';
import type { CheckProblem, Submission, SubmitReport, SubmitScore, TestReport } from './types';

export interface SubmitOptions {
  /** the file to write (relative to the current folder); absent: nothing is written (the report holds the submission) */
  out?: string;
  /** every candidate of the workspace and of the solver store is a candidate for every task */
  battery?: boolean;
  /** run every pair: a transfer candidate that fails a demo pair still gives its test outputs (a test pair never stops
   *  a candidate in a submission, with or without this) */
  allPairs?: boolean;
  /** also run the solver store's candidates (default: with battery) */
  includeStore?: boolean;
  noCache?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs the engine's candidates on its configured tasks, with the stability check (a candidate passing its demo pairs
 * runs under a second PYTHONHASHSEED too; an unstable one ranks below the stable ones), and makes the submission.
 * Every test pair of a candidate still running after its demo pairs runs (allTests): a transfer candidate wrong on
 * one test input still answers the next, so the file is the same whether the test outputs are known or not. A
 * cancelled run writes no file (the report says what ran). Throws what Engine.run throws (a UsageError for bad setup)
 * and a failed write.
 */
export async function submit(engine: Engine, o: SubmitOptions = {}): Promise<SubmitReport> {
  let tasks: Task[] = [];
  const run = await engine.run({
    battery: o.battery,
    includeStore: o.includeStore ?? o.battery,
    allPairs: o.allPairs,
    allTests: true,
    checkStable: true,
    noCache: o.noCache,
    signal: o.signal,
    onProgress: o.onProgress,
    onTasks: (t) => (tasks = t),
  });
  const report = submitReport(run, tasks);
  if (o.out && !run.cancelled) {
    const out = path.resolve(o.out);
    await writeFileAtomic(out, submissionText(report.submission));
    report.out = out;
  }
  return report;
}

/** The submission and its report from a run and every task it loaded (pure). */
export function submitReport(run: RunJson, tasks: Task[]): SubmitReport {
  const byId = new Map(run.tasks.map((t) => [t.id, t]));
  const submission: Submission = {};
  const tests: TestReport[] = [];
  for (const task of tasks) {
    const s = selectAttempts(task, byId.get(task.id));
    submission[task.id] = s.attempts;
    tests.push(...s.tests);
  }
  const demoFailing: SubmitReport['demoFailing'] = [];
  for (const t of tests) {
    t.attempts.forEach((a, i) => {
      if (a.kind === 'candidate' && a.demo.passed < a.demo.total) demoFailing.push({ task: t.task, index: t.index, slot: (i + 1) as 1 | 2, name: a.name, demo: a.demo });
    });
  }
  const unstable = run.tasks.flatMap((t) => t.candidates.filter((c) => !c.duplicateOf && isUnstable(c)).map((c) => ({ task: t.id, name: c.name })));
  const score = scoreTests(tests);
  return {
    version: 1,
    tasksPath: run.tasksPath,
    cancelled: run.cancelled,
    tasks: tasks.length,
    testInputs: tests.length,
    tests,
    fallbackSlots: tests.reduce((n, t) => n + t.attempts.filter((a) => a.kind === 'fallback').length, 0),
    noOutput: tests.filter((t) => t.outputs === 0).length,
    ...(score ? { score } : {}),
    oracleGap: oracleGap(tests),
    demoFailing,
    unstable,
    summary: run.summary,
    errors: run.errors,
    submission,
  };
}

export interface CheckResult {
  /** problems of the submission file; none: valid */
  problems: CheckProblem[];
  /** the challenges' task ids and test input counts */
  tasks: number;
  testInputs: number;
  /** problems reading the challenges (a task the reader skipped is not expected in the file) */
  challengeErrors: InputError[];
  /** the file's score when it is valid and test outputs are known */
  score?: SubmitScore;
}

/**
 * Checks the submission file `file` against the challenges at `tasksPath` (a Kaggle `*_challenges.json`, a folder of
 * task files or of bundles). A file that cannot be read is one problem.
 */
export async function checkSubmissionFile(file: string, tasksPath: string): Promise<CheckResult> {
  const load = await loadTasks(tasksPath);
  const expected = new Map(load.tasks.map((t) => [t.id, t.test.length]));
  const base = { tasks: load.tasks.length, testInputs: load.tasks.reduce((n, t) => n + t.test.length, 0), challengeErrors: load.errors };
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    return { ...base, problems: [{ file, message: `cannot read the file: ${(e as Error).message}` }] };
  }
  const problems = checkSubmission(text, file, expected);
  if (problems.length) return { ...base, problems };
  const score = scoreSubmission(JSON.parse(text.replace(/^\uFEFF/, '')) as Submission, load.tasks);
  return { ...base, problems, ...(score ? { score } : {}) };
}
