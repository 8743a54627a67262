/**
 * The result of a run: what `batt run --json` prints and what the language server sends to the extension and webview.
 * Plain data only (no node builtins, no vscode).
 */
import type { ClusterRunInfo } from './cluster';
import type { PairKind, WireError, WireGrid } from './worker';

/**
 * The verdict of a candidate on a pair, and of a candidate on its task (its worst pair). Two statuses say a pair did
 * not run and so has no verdict: 'skipped' (the engine chose not to run it: a transfer candidate's pairs after its
 * first failure, a candidate quarantined for timeouts) and 'cancelled' (the run was cancelled before it ran).
 */
export type CandidateStatus = 'pass' | 'fail' | 'error' | 'timeout' | 'crash' | 'skipped' | 'cancelled';

/** The scored result of one candidate on one pair (the engine's PairResult). */
export interface PairJson {
  kind: PairKind;
  index: number;
  /** 'unknown' only for test pairs whose expected output is missing */
  status: CandidateStatus | 'unknown';
  ms: number;
  message?: string;
  /**
   * for a timeout, the limit that fired: 'cpu' the solver's own CPU time (a final verdict), 'wall' the wall-clock
   * backstop (a sleep, a call blocked in C), 'import' the import of its module; the wall-clock ones are not cached
   */
  timedOutBy?: 'cpu' | 'wall' | 'import';
  /** the output grid of a mismatch (a valid grid that differs from the expected one) and of a test pair whose expected
   *  output is unknown ('unknown'); a pass's output is the expected one, not repeated (batt submit reads all three) */
  actual?: WireGrid;
  /** what a mismatch ('fail') is: its class, the sentence (also `message`) and the share of cells right */
  mismatch?: MismatchJson;
  error?: WireError;
  stdout?: string;
  stderr?: string;
  /** verdict taken from the validation cache */
  cached?: boolean;
}

/**
 * The class of a mismatch (src/engine/scoring/explain.ts): 'shape' a wrong shape (both sizes, their ratio, or the same
 * picture at another scale); the expected output is the actual one under a 'rotation' (90°/180°/270° clockwise), a
 * 'flip' (horizontal, vertical) or a 'transpose' (main or anti-diagonal); 'permutation' the colours swapped among
 * themselves, 'recolouring' some colours replaced; 'translation' the picture moved by (dy, dx); 'crop' the expected
 * is a part of the actual, 'padding' the actual is a part of the expected; else 'cells' (how many differ, where).
 */
export type MismatchKind = 'shape' | 'rotation' | 'flip' | 'transpose' | 'permutation' | 'recolouring' | 'translation' | 'crop' | 'padding' | 'cells';

export interface MismatchJson {
  kind: MismatchKind;
  /** e.g. "colours permuted (expected→actual): 2→4, 4→2; 7 of 9 cells right" */
  text: string;
  /** a few words for a narrow place (a thumbnail, a table cell), e.g. "colours 2→4, 4→2" */
  short: string;
  /** share of cells right, 0..1, when the shapes agree */
  credit?: number;
}

export interface CandidateJson {
  name: string;
  file: string;
  line: number;
  hash: string;
  /** name of the first candidate with the same canonical form; this one did not run */
  duplicateOf?: string;
  /** a batt entry whose source solver the generator mutated (an argument changed: `# - Arg change` in the module) */
  mutated?: true;
  status: CandidateStatus;
  solved: boolean;
  demo: { passed: number; total: number };
  test: { passed: number; total: number; unknown: number };
  ms: number;
  length: number;
  /** 1-based rank within the task */
  rank: number;
  pairs: PairJson[];
  /**
   * With the stability check (`batt run --check-stable`, RunOptions.checkStable; always for a submission): the candidate
   * passed its demo pairs, ran again under a second PYTHONHASHSEED and gave another output on these pairs (its result
   * depends on the iteration order of a set or dict of strings). Absent: stable, or not checked.
   */
  unstable?: true;
  /** with `unstable`: the pairs whose output differed (src/engine/scoring/stable.ts) */
  unstablePairs?: UnstablePair[];
}

/** A pair whose output differed under the stability check's second PYTHONHASHSEED. */
export interface UnstablePair {
  kind: PairKind;
  index: number;
  /** e.g. "test 0: another grid under PYTHONHASHSEED=1 than under 0 (1x10: 6 of 10 cells differ)" */
  message: string;
}

/**
 * In RunJson.summary with the stability check: candidates checked (unique ones that passed their demo pairs, per
 * task), those found unstable, and the check's own jobs (ran now, from the cache).
 */
export interface StabilitySummary {
  seeds: [number, number];
  checked: number;
  unstable: number;
  ran: number;
  cached: number;
}

export interface TaskJson {
  id: string;
  file: string;
  solved: boolean;
  demoPairs: number;
  testPairs: number;
  candidates: CandidateJson[];
}

/** A problem with an input file that is reported and skipped; the rest of the run goes on (the engine's InputError). */
export interface ErrorJson {
  kind: 'task' | 'syntax' | 'import' | 'config' | 'candidate';
  file: string;
  /** JSON place for tasks (e.g. "train[1].output"), or undefined */
  place?: string;
  line?: number; // 1-based
  col?: number; // 1-based
  message: string;
  /**
   * 'warning': the run is still what was asked for (e.g. the cache was skipped, a low memory cap, solvers not
   * sandboxed, test outputs unknown); absent = an error: an input was skipped (`--strict` exits 3 on any).
   */
  severity?: 'warning';
}

export interface CacheCounts {
  hits: number;
  misses: number;
  /** entries on disk after the run */
  entries: number;
  /** measured time the hits would have cost (sum of the durations recorded with the entries), ms */
  savedMs: number;
}

/**
 * In RunJson.summary when some of the run's tasks have unknown test outputs (a Kaggle bundle without solutions): how
 * many (`solved` counts only the others) and why, e.g. "no solutions file x_solutions.json beside x_challenges.json".
 */
export interface UnknownOutputs {
  tasks: number;
  reasons: string[];
}

export interface RunJson {
  version: 1;
  workspace: string;
  tasksPath?: string;
  startedAt: string;
  /** 'cold' = no cache hit, 'hot' = nothing ran, 'warm' = some of each */
  temperature: 'cold' | 'warm' | 'hot';
  cancelled: boolean;
  /**
   * Counts of (candidate, pair) verdicts over the candidates that run (duplicates excluded): `jobs` the verdicts the
   * run needed = `ran` (executed now) + `cached` (answered by the validation cache) + `cancelled` (needed, not run
   * because the run was cancelled); `skipped` pairs were not needed (see 'skipped') and are not jobs.
   */
  summary: { tasks: number; solved: number; candidates: number; jobs: number; ran: number; cached: number; skipped: number; cancelled: number; wallMs: number; unknownOutputs?: UnknownOutputs; stability?: StabilitySummary };
  tasks: TaskJson[];
  phases: Array<{ name: string; ms: number }>;
  cache: { inline: CacheCounts; validation: CacheCounts };
  /** `cluster`: the run went to a Dask cluster (batt run --cluster): its scheduler, workers, batches and phases */
  pool: { workers: number; restarts: number; started: boolean; python?: string; cluster?: ClusterRunInfo };
  stored: Array<{ task: string; name: string; path: string }>;
  errors: ErrorJson[];
}

/** One line of `.batt/runs.jsonl`. */
export interface RunRecord {
  at: string;
  temperature: RunJson['temperature'];
  cancelled: boolean;
  summary: RunJson['summary'];
  phases: RunJson['phases'];
  cache: { inline: { hits: number; misses: number }; validation: { hits: number; misses: number } };
  pool: { workers: number; restarts: number };
}
