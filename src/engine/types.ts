/**
 * Core engine types shared by the engine modules, the CLI and the language server.
 * No node builtins, no vscode.
 */
import type { CallKind, PairKind, WireError, WireGrid } from '../protocol/worker';

export type Grid = WireGrid;

/** An ARC task after validation. */
export interface Task {
  id: string;
  /** where it was read from (file path; for Kaggle bundles the challenges file) */
  source: string;
  train: Array<{ input: Grid; output: Grid }>;
  /** output null = unknown (Kaggle bundle without solutions) */
  test: Array<{ input: Grid; output: Grid | null }>;
  /** sha256 hex of the canonical JSON of {train, test} */
  hash: string;
}

/** A problem with an input file that is reported and skipped; the rest of the run goes on. */
export interface InputError {
  kind: 'task' | 'syntax' | 'import' | 'config' | 'candidate';
  file: string;
  /** JSON place for tasks (e.g. "train[1].output"), or undefined */
  place?: string;
  line?: number; // 1-based
  col?: number; // 1-based
  message: string;
}

/** A Python function or batt entry that can be scored on a task. */
export interface Candidate {
  /** display name: function name, or for batt entries "batt:<t>:<sourceTaskId>" */
  name: string;
  file: string; // absolute path
  line: number; // 1-based line of the def (or of the o.append for batt entries)
  endLine: number;
  kind: CallKind;
  /** task id the name targets (solve_<taskId>...), or for batt entries the source task id */
  taskId: string;
  /** canonical hash (name dropped, variables renamed, docstrings ignored) */
  hash: string;
  /** what duplicates are folded by: the canonical hash plus the workspace modules the file imports (the same program
   *  against another DSL is another candidate) */
  dedupKey?: string;
  /** program length used for ranking (statements in the canonical form) */
  length: number;
  /** for batt entries */
  batt?: { fn: string; t: number; mutated: boolean; source: string };
}

export type Verdict = 'pass' | 'fail' | 'error' | 'timeout' | 'crash';

/** The scored result of one candidate on one pair. */
export interface PairResult {
  kind: PairKind;
  index: number;
  /** 'unknown' only for test pairs whose expected output is missing */
  status: Verdict | 'unknown';
  ms: number;
  message?: string;
  /** actual grid when the output was a valid grid that did not match */
  actual?: Grid;
  error?: WireError;
  stdout?: string;
  stderr?: string;
  cached?: boolean;
}
