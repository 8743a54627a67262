/**
 * A solver trace: the value each statement of one solver assigned, on every pair of a task (demo pairs, then test).
 * What `batt trace --json` prints, what the `batt/trace` LSP request returns and what the panel's Trace view shows.
 * Plain data only (no node builtins, no vscode).
 */
import type { CandidateStatus } from './results';
import type { PairKind, WireError, WireGrid } from './worker';

/** The kind of a traced value (the worker classifies it; see src/worker/scoring/solver_trace.py). */
export type TraceValueType = 'grid' | 'object' | 'objects' | 'indices' | 'int' | 'bool' | 'tuple' | 'function' | 'other';

/** One value a line assigned on one pair (or the exception the line raised there). */
export interface TraceValue {
  /** index into TraceJson.pairs */
  pair: number;
  type: TraceValueType;
  /** [height, width] for a grid (also for an object / indices: its bounding box) */
  shape?: [number, number];
  /** number of elements of a container (objects, object cells, indices, tuple) */
  size?: number;
  /** a compact text: "3x3", "5 obj", "7 cells", "2", "True", "(1, 2)" */
  summary: string;
  /** the grid itself for grid values up to 30x30 */
  grid?: WireGrid;
  /** the colours present, ascending: of a grid (any size), an object, the union of objects */
  palette?: number[];
  /** cells of an object (row, col, colour) or of an index set (row, col, -1), capped; `truncated` says when */
  cells?: Array<[number, number, number]>;
  /** the value's repr, truncated */
  repr?: string;
  /** the container or repr was cut at the cap */
  truncated?: boolean;
  /** the exception this line raised on this pair (the pair's later lines have no value) */
  error?: string;
}

/** One traced statement: a top-level assignment of the solver body. */
export interface TraceLine {
  /** 1-based line of the statement in `file` */
  line: number;
  /** the assigned name (the first target for a tuple assignment); `return` for a `return <expression>` line; '' for a
   *  statement that assigns nothing, listed only because a pair raised there */
  name: string;
  /** the statement's source text (first line, trimmed) */
  source: string;
  /** one per pair that reached this line (a pair that raised earlier, or timed out, has none here) */
  values: TraceValue[];
  /** some pair's value differs in kind, size or emptiness from the others (or only the failing pair's does) */
  divergent?: boolean;
}

export interface TracePair {
  kind: PairKind;
  index: number;
  /** the pair's verdict as scoring gives it (a trace never changes a verdict) */
  status: CandidateStatus | 'unknown';
  /** the pair's input grid (the hover shows index sets as a mask over it) */
  input?: WireGrid;
  error?: WireError;
  ms?: number;
}

export interface TraceJson {
  solver: string;
  task: string;
  /** absolute path of the file that defines the solver */
  file: string;
  pairs: TracePair[];
  lines: TraceLine[];
  /** the trace came from the trace cache (same key as the verdicts) */
  cached?: boolean;
  /** wall time of the trace beyond the cache lookup, ms */
  ms?: number;
}
