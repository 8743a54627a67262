/**
 * Core engine types shared by the engine modules, the CLI and the language server.
 * No node builtins, no vscode. The result types are the wire shapes of src/protocol/results.ts under engine names.
 */
import type { CandidateStatus, ErrorJson, PairJson } from '../protocol/results';
import type { CallKind, WireGrid } from '../protocol/worker';

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

/** A problem with an input file, reported and skipped: the ErrorJson a run lists. */
export type InputError = ErrorJson;

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
  /** for batt entries; `program`: the entry sliced into a standalone solver (absent when it cannot stand alone) */
  batt?: { fn: string; t: number; mutated: boolean; source: string; program?: string };
}

/** A candidate's verdict on a pair (or its worst over a task). */
export type Verdict = CandidateStatus;

/** The scored result of one candidate on one pair: the PairJson a run lists. */
export type PairResult = PairJson;
