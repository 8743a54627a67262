/**
 * The Testing view's data (issue 13), sent by the server (src/server/testItems*.ts) to the extension's TestController
 * (src/extension/testing/): the test tree from the analyzer's parse (task → candidate → pair, each candidate on its
 * own task only) and each run's verdicts as test results. Plain data: no vscode, no node builtins. Lines are 1-based.
 */
import type { RunReason } from './lsp';
import type { CandidateStatus } from './results';

/** A task with candidates: its file and where each pair starts in it (0: not found, e.g. a Kaggle bundle). */
export interface TestTask {
  id: string;
  uri: string;
  demoLines: number[];
  testLines: number[];
}

/** A `def solve_<task>...` or a batt entry (`batt:<t>:<task>`, at its line), as parsed. */
export interface TestCandidate {
  name: string;
  taskId: string;
  line: number;
  endLine: number;
}

export interface TestFile {
  uri: string;
  /** every candidate of the file, in file order ([]: none, or the file is gone) */
  candidates: TestCandidate[];
  /** the file does not parse: its candidates are those of its last parse */
  syntaxError?: string;
}

/**
 * `batt/testItems`: one folder's test tree. `full`: the folder's whole state (tasks and every candidate file; a file
 * not listed has no candidates); otherwise only the files whose candidates changed (an edit), and `tasks` when they did.
 */
export interface TestItemsParams {
  folder: string;
  full: boolean;
  tasks?: TestTask[];
  files: TestFile[];
}

/** A failing pair as the Testing view shows it. */
export interface TestPairResult {
  kind: 'demo' | 'test';
  index: number;
  status: CandidateStatus | 'unknown';
  ms: number;
  /** the explainer's sentence, the exception or the limit that fired */
  message?: string;
  /** a mismatch: the expected and actual grids as rows of digits, one row a line (the diff editor lines them up) */
  expected?: string;
  actual?: string;
  /** where the message points: the raising line for an exception, else the pair in its task file */
  location?: { uri: string; line: number };
  /** an exception's frames, innermost last: the solver's line, then the DSL function that raised */
  frames?: Array<{ label: string; uri: string; line: number }>;
}

export interface TestCandidateResult {
  uri: string;
  name: string;
  taskId: string;
  status: CandidateStatus;
  solved: boolean;
  ms: number;
  duplicateOf?: string;
  /** every pair came from the validation cache */
  cached: boolean;
  pairs: TestPairResult[];
}

/** `batt/testResults`: a completed run's verdicts of candidates on their own tasks (transfers are the leaderboard's). */
export interface TestResultsParams {
  /** the run's workspace folder (as in TestItemsParams) */
  folder: string;
  reason: RunReason;
  /** the run's scope, for the Test Results entry, e.g. "on save", "cached verdicts (nothing ran)" */
  label: string;
  results: TestCandidateResult[];
}
