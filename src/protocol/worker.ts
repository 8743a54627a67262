/**
 * The wire protocol between the engine (Node) and a Python scoring worker.
 * Mirrored by src/worker/scoring/protocol.py — change both together (test/unit/workerProtocol.test.ts round-trips them).
 *
 * Transport: newline-delimited JSON (one object per line, UTF-8).
 *   Node -> worker on the worker's fd 3, worker -> Node on the worker's fd 4.
 *   The worker's stdin is /dev/null; its stdout/stderr (fd 1/2) carry only stray output
 *   (C-level prints, interpreter warnings) which the engine logs line by line and never parses.
 * No file paths or ids are ever interpolated into a shell: the worker is spawned with an argv.
 */

/** A grid on the wire: list of rows of integers 0-9. */
export type WireGrid = number[][];

/** How a candidate is called. `I`: solve(I); `SIC`: solve(S, I, C) with C=None; `batt`: batt(task_id, S, I, C, log_path). */
export type CallKind = 'I' | 'SIC' | 'batt';

export type PairKind = 'demo' | 'test';

//#region Node -> worker

/**
 * Sent once per worker before its first run and again whenever any workspace Python file changed.
 * `files` maps absolute real paths of workspace .py files to their content hash and the absolute paths of the
 * workspace files they import directly. The worker drops from sys.modules every module whose file's hash changed,
 * or that (transitively) imports such a file, so the next run re-imports exactly those.
 */
export interface FilesMessage {
  t: 'files';
  /** `source`: the file's text, for a file the worker's sandbox cannot read (added at the workspace's top level after
   *  the worker started, while the tasks folder is inside the workspace: see src/engine/pool/sandbox.ts) */
  files: Record<string, { sha: string; deps: string[]; patch?: FilePatch; source?: string }>;
}

/**
 * An edit confined to solve_* function bodies of a file no other workspace file imports: a worker that has the module
 * imported at sha `base` re-executes just the changed functions (compiled at their new lines) and shifts the line
 * numbers of functions that only moved, instead of re-importing the whole module. Any doubt: the worker re-imports.
 */
export interface FilePatch {
  base: string;
  fns: Array<{ name: string; line: number; source: string }>;
  moves: Array<{ name: string; delta: number }>;
}

/**
 * Task data, sent to a worker at most once per task content hash (the engine remembers what each worker has).
 * `test[i][1]` is null when the expected output is unknown (Kaggle bundle without solutions).
 */
export interface TaskMessage {
  t: 'task';
  key: string;
  train: Array<[WireGrid, WireGrid]>;
  test: Array<[WireGrid, WireGrid | null]>;
}

/** Run one candidate on one pair. The worker answers with exactly one ResultMessage with the same id. */
export interface RunMessage {
  t: 'run';
  id: number;
  /** absolute real path of the candidate's file (must be under a workspace root) */
  file: string;
  /** function name: solve_<id>[_suffix] or batt */
  fn: string;
  kind: CallKind;
  /** task content hash (TaskMessage.key) */
  task: string;
  /** the task id, passed as batt's task_id argument */
  taskId: string;
  pair: PairKind;
  index: number;
  /**
   * The per-pair limit, ms of the call's own CPU time (user + system; module imports excluded): a call that uses it up
   * is stopped and answered with `timedOut` (the worker lives on). Absent: no limit. Enforced only where
   * ReadyMessage.cpuTimer is true.
   */
  limitMs?: number;
  /**
   * A trace job (src/worker/scoring/solver_trace.py): the candidate's statements run one by one, and the result carries
   * `trace` (what each assigning statement assigned) instead of an outcome. Same limits, isolation and errors.
   */
  trace?: boolean;
  /** with trace, for a batt entry: its sliced program (Candidate.batt.program), run over the batt module's globals */
  program?: string;
}

/** Ask the worker to exit cleanly (it answers nothing and exits 0). */
export interface ExitMessage {
  t: 'exit';
}

export type ToWorker = FilesMessage | TaskMessage | RunMessage | ExitMessage;

//#endregion

//#region worker -> Node

/** First message of a started worker. */
export interface ReadyMessage {
  t: 'ready';
  pid: number;
  python: string; // e.g. "3.11.7"
  /** whether the worker enforces RunMessage.limitMs (signal.setitimer: Linux, macOS); if not, the engine's wall-clock timer is the limit */
  cpuTimer?: boolean;
  /** whether solvers run sandboxed (src/worker/scoring/sandbox.py) */
  sandbox?: SandboxState;
}

/** The worker's sandbox: applied with the kernel's Landlock ABI, or not, and why (or which paths could not be granted). */
export interface SandboxState {
  applied: boolean;
  abi?: number;
  reason?: string;
}

/**
 * Sent during a run only when the candidate's module must be imported first (a fresh or respawned worker, an edited
 * file): `import` right before the import, `call` right before the call. The engine gives the import a wall-clock
 * budget of its own and starts the call's wall-clock backstop afresh, so an import never counts against the pair.
 */
export interface PhaseMessage {
  t: 'phase';
  id: number;
  phase: 'import' | 'call';
}

/** Where an exception surfaced. */
export interface WireError {
  type: string; // e.g. "ZeroDivisionError"
  message: string;
  /** innermost traceback frame inside the candidate's own file */
  file?: string;
  line?: number;
  /** innermost frame in another workspace file (the DSL function that raised), if any */
  dslFunc?: string;
  dslFile?: string;
  dslLine?: number;
  /** formatted traceback, truncated */
  traceback: string;
}

/**
 * The checked value a call returned. `match` is true when it equals the expected output exactly, false when it
 * does not, null when the expected output is unknown. When `match` is not true, `output` carries the returned
 * grid if it is a valid grid, else `invalid` says what was returned
 * (e.g. "returned NoneType", "returned a ragged grid: row 2 has 3 cells, expected 4").
 */
export interface WireOutcome {
  match: boolean | null;
  output?: WireGrid;
  invalid?: string;
}

/** One candidate of a batt module: its outcome on this pair. */
export interface BattOutcome extends WireOutcome {
  t: number;
  mutated: boolean;
  source: string;
}

export interface ResultMessage {
  t: 'result';
  id: number;
  /** false when the call raised (including SystemExit, KeyboardInterrupt, MemoryError, RecursionError) */
  ok: boolean;
  /** wall time of the call itself, milliseconds (time.perf_counter) */
  ms: number;
  /** the call used up RunMessage.limitMs of CPU time (ok is false; no outcome, batt or error) */
  timedOut?: boolean;
  /** with timedOut: the CPU time the call used, milliseconds */
  cpuMs?: number;
  /** for kind I / SIC */
  outcome?: WireOutcome;
  /** for kind batt: one entry per distinct (t, source) the call returned */
  batt?: BattOutcome[];
  error?: WireError;
  /** what the solver printed through sys.stdout / sys.stderr during the call, each truncated to 8 KiB */
  stdout?: string;
  stderr?: string;
  truncated?: boolean;
  /** for a trace job (RunMessage.trace): the statements and the values they assigned, up to where the call stopped */
  trace?: WireTrace;
}

/** What a trace job saw: the candidate's recorded statements and, in order, the value of each that ran. */
export interface WireTrace {
  steps: TraceStep[];
  values: WireTraceValue[];
  /** the statement the call stopped at (an exception, or the CPU limit) */
  error?: TraceStop;
}

/** A top-level statement of the solver that assigns a name (or returns something other than a name: `return`). */
export interface TraceStep {
  /** 1-based line in RunMessage.file */
  line: number;
  name: string;
  source: string;
}

/** The bounded summary of one value (TraceValue in src/protocol/trace.ts, by step instead of by pair). */
export interface WireTraceValue {
  /** index into WireTrace.steps */
  step: number;
  type: string;
  shape?: [number, number];
  size?: number;
  summary: string;
  grid?: WireGrid;
  cells?: Array<[number, number, number]>;
  palette?: number[];
  repr?: string;
  truncated?: boolean;
}

/** Where a traced call stopped: `step` indexes WireTrace.steps, -1 for a statement that assigns nothing. */
export interface TraceStop {
  step: number;
  /** first line of the statement */
  line: number;
  text: string;
}

/** A problem that is not a run result (e.g. a module that failed to import during files sync). */
export interface LogMessage {
  t: 'log';
  level: 'info' | 'warn' | 'error';
  msg: string;
}

export type FromWorker = ReadyMessage | PhaseMessage | ResultMessage | LogMessage;

//#endregion
