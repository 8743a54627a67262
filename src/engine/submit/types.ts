/**
 * `batt submit`'s data: the competition's submission file and the report about how it was made. Plain data only.
 *
 * The file (ARC Prize on Kaggle, ARC-AGI-1 and ARC-AGI-2 alike): an object with every task id of the challenges, each
 * a list with one `{"attempt_1": grid, "attempt_2": grid}` per test input in order; a grid is a list of rows of
 * integers 0-9 (1x1 to 30x30).
 */
import type { ErrorJson, RunJson } from '../../protocol/results';
import type { Grid } from '../types';

export interface AttemptPair {
  attempt_1: Grid;
  attempt_2: Grid;
}

export type Submission = Record<string, AttemptPair[]>;

/** What filled one slot: a candidate's output on the test input, or the fallback (the test input itself). */
export type SlotSource =
  | {
      kind: 'candidate';
      name: string;
      file: string;
      line: number;
      /** 1-based place in the submission ranking of the task (SUBMIT_RANKING) */
      rank: number;
      demo: { passed: number; total: number };
      /** its outputs changed under a second PYTHONHASHSEED */
      unstable?: true;
    }
  | { kind: 'fallback' };

/** One test input of a task: where its two attempts came from and, with the expected output known, what was right. */
export interface TestReport {
  task: string;
  /** 0-based index of the test input */
  index: number;
  attempts: [SlotSource, SlotSource];
  /** candidates that gave an output grid for this input, and how many different grids they gave */
  outputs: number;
  distinct: number;
  /** the expected output is known: whether attempt_1 / attempt_2 equals it */
  right?: [boolean, boolean];
  /** the expected output is known: the candidates whose output equals it (in ranking order) */
  rightBy?: string[];
}

/** The competition's score: per test output, 1 when either attempt equals it; averaged over the test outputs. */
export interface SubmitScore {
  /** test outputs either attempt got right, of those whose expected output is known */
  right: number;
  total: number;
  /** right / total (0 when total is 0) */
  score: number;
  /** tasks all of whose (known) test outputs were right, of the tasks with known test outputs */
  tasksRight: number;
  tasks: number;
  /** test outputs whose expected output is unknown (not scored) */
  unknown: number;
}

/** Test outputs some candidate got right that neither attempt holds: what the ranking lost, by task. */
export interface OracleGap {
  task: string;
  tests: Array<{ index: number; candidates: string[] }>;
}

export interface SubmitReport {
  version: 1;
  /** the tasks path the run used */
  tasksPath?: string;
  /** the file written (absolute), absent when none was (no --out, or the run was cancelled) */
  out?: string;
  cancelled: boolean;
  tasks: number;
  testInputs: number;
  tests: TestReport[];
  /** slots holding the fallback (the test input itself): no candidate gave another output for them */
  fallbackSlots: number;
  /** test inputs for which no candidate gave any output (both slots are the fallback) */
  noOutput: number;
  /** absent when no expected test output is known (a Kaggle bundle without solutions) */
  score?: SubmitScore;
  oracleGap: OracleGap[];
  /** slots filled by a candidate that fails a demo pair (nothing better gave another output) */
  demoFailing: Array<{ task: string; index: number; slot: 1 | 2; name: string; demo: { passed: number; total: number } }>;
  /** candidates found unstable (outputs differ under a second PYTHONHASHSEED), by task */
  unstable: Array<{ task: string; name: string }>;
  /** the run's summary and its input problems */
  summary: RunJson['summary'];
  errors: ErrorJson[];
  /** the submission itself (what `out` holds) */
  submission: Submission;
}

/** A problem `batt submit --check` finds: in the file, at a JSON place (`$["007bbfb7"][0].attempt_2[3][1]`). */
export interface CheckProblem {
  file: string;
  /** JSONPath-like place; absent for a file that is not JSON (then line and col) */
  place?: string;
  line?: number;
  col?: number;
  message: string;
}
