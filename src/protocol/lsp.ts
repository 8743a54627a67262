/**
 * Custom LSP messages between the extension (client) and the batt language server.
 * Each `batt/<name>` method is a const with its `method` string and typed `type` (vscode-eslint's customMessages,
 * rust-analyzer's lsp_ext), so `client.sendRequest(X.type, p)` and `connection.onRequest(X.type, h)` need no casts; each
 * const's comment states direction and trigger. No vscode, no node builtins: the webview imports these types with
 * `import type` only, so no JSON-RPC code reaches its bundle.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { RunJson, RunRecord } from './results';
import type { TraceJson } from './trace';
import type { SubmissionProgressParams, SubmissionResult, WriteSubmissionParams } from './submission';

export type { RunRecord } from './results';
import type { BattSettings } from './settings';
import type { TestItemsParams, TestResultsParams } from './testItems';

/** Sent as `initializationOptions` and again with `batt/settings` on every change. */
export interface ServerSettings extends BattSettings {
  /** the editor's interpreter (batt.pythonPath, else the Python extension's); '' = none: batt.json "python", $BATT_PYTHON, python3 decide */
  python: string;
  /** settings the user set explicitly; the others give way to the workspace's batt.json */
  explicit?: Array<keyof BattSettings>;
  /** false in an untrusted workspace: nothing of the workspace is executed, no worker is started */
  trusted: boolean;
}

/** One worker as the pool reports it: the engine's type (plain data). */
import type { WorkerState as WorkerInfo } from '../engine/pool/status';
export type { WorkerInfo };

export type PoolState = 'stopped' | 'starting' | 'idle' | 'busy' | 'error' | 'untrusted';

export interface LastRunInfo {
  /** 'cache': verdicts looked up in the cache when the workspace opened; nothing ran */
  reason: RunReason;
  solved: number;
  tasks: number;
  wallMs: number;
  /** validation cache hit rate of the run, 0..1; null when there were no lookups */
  hitRate: number | null;
  /** validation cache lookups that missed (0: everything the run needed came from the cache) */
  misses: number;
  temperature: RunJson['temperature'];
  at: string;
}

export interface PoolStatusParams {
  state: PoolState;
  busy: number;
  workers: number;
  queued: number;
  restarts: number;
  message?: string;
  python?: string;
  detail: WorkerInfo[];
  lastRun?: LastRunInfo;
  /** the workspace's tasks and those solved, from every run's verdicts merged per task and candidate */
  known?: { solved: number; tasks: number };
}


export interface TaskInfo {
  id: string;
  file: string;
  demo: number;
  test: number;
  /** verdict of the last run that included the task, if any */
  last?: 'solved' | 'unsolved';
}

export interface TaskData {
  id: string;
  train: Array<{ input: number[][]; output: number[][] }>;
  test: Array<{ input: number[][]; output: number[][] | null }>;
}

/**
 * 'cache': the cached verdicts reported when the workspace opens (a cache-only run: nothing runs, no worker starts);
 * 'candidates': chosen candidates (batt/runCandidates: the Testing view, CodeLens)
 */
export type RunReason = 'save' | 'task' | 'manual' | 'cache' | 'candidates';

export interface RunResultParams {
  reason: RunReason;
  /** for reason 'task': the task whose leaderboard this is */
  taskId?: string;
  run: RunJson;
  /** data of the leaderboard task, for expected-vs-actual grids */
  task?: TaskData;
}

/**
 * `batt/runResult`: a completed run as the client shows it (every verdict, message and error place; no actual grids,
 * stdout or stderr, and no task grids: the "Run batt on task" response has those) and the history records the client
 * appends to its panel's history.
 */
export interface RunResultNotificationParams extends RunResultParams {
  /** the run's line of `.batt/runs.jsonl` (none for reason 'cache': nothing ran) */
  record?: RunRecord;
  /** lines of runs that ended without a result since the last one (cancelled or superseded saves), oldest first */
  earlier: RunRecord[];
}


export interface ProgressParams {
  runId: number;
  reason: RunReason;
  done: number;
  total: number;
  /** the run is over (completed, cancelled, superseded or failed): its last message */
  end?: true;
}

export interface CancelRunParams {
  runId: number;
}

export interface RunTaskParams {
  taskId: string;
}

/** A candidate: its file and name (a `solve_*` function, or a batt entry `batt:<t>:<task>`). */
export interface SolverRef {
  uri: string;
  solver: string;
}

export interface RunCandidatesParams {
  solvers: SolverRef[];
  /** every task of the workspace, not only each candidate's own ("Try on every task": the candidates' battery) */
  battery?: boolean;
}

export interface HistoryParams {
  limit: number;
}

/** `batt/trace`: one solver of an open file (`uri`), on its own task or `task`. */
export interface TraceParams {
  uri: string;
  solver: string;
  task?: string;
}

// One const per method: its `method` string and its typed `type` for sendRequest/onRequest and the notifications.
function notification<P>(method: string) {
  return { method, type: new NotificationType<P>(method) } as const;
}
function request<P, R, E>(method: string) {
  return { method, type: new RequestType<P, R, E>(method) } as const;
}
function request0<R, E>(method: string) {
  return { method, type: new RequestType0<R, E>(method) } as const;
}

/** server -> client notification: the pool's state when it changes (at most ~10 a second, the last state always sent). */
export const PoolStatusNotification = notification<PoolStatusParams>('batt/poolStatus');

/** server -> client notification: after each completed (not cancelled) run, with its history record. */
export const RunResultNotification = notification<RunResultNotificationParams>('batt/runResult');

/** server -> client notification while a run goes: jobs done of total (at most ~10 a second, the last always sent). */
export const ProgressNotification = notification<ProgressParams>('batt/progress');

/** client -> server notification, from a save run's progress notification's Cancel: cancel that run (a save run only). */
export const CancelRunNotification = notification<CancelRunParams>('batt/cancelRun');

/** client -> server notification: settings changed (full ServerSettings), and on a workspace trust grant. */
export const SettingsNotification = notification<ServerSettings>('batt/settings');

/** client -> server request, from "Run batt on task" without a task id: the workspace's tasks for the quick pick. */
export const ListTasksRequest = request0<TaskInfo[], void>('batt/listTasks');

/** client -> server request, from "Run batt on task": the whole battery (workspace + solver store) on one task, with
 *  the full pairs (actual grids, prints) and the task's grids for the leaderboard; cancellable; null when cancelled. */
export const RunTaskRequest = request<RunTaskParams, RunResultParams | null, void>('batt/runTask');

/**
 * client -> server request, from the Testing view's Run and the CodeLens actions: the chosen candidates on their own
 * tasks (with `battery`, on every task), through the same runs as the rest (diagnostics, panel, status bar get it);
 * the result with the full pairs (actual grids, prints); cancellable (queued jobs dropped, running ones killed); null
 * when cancelled. Candidates of several folders: one run per folder, their tasks in one result.
 */
export const RunCandidatesRequest = request<RunCandidatesParams, RunResultParams | null, void>('batt/runCandidates');

/** server -> client notification: a folder's test tree (the analyzer's parse), whole at start, then what edits change. */
export const TestItemsNotification = notification<TestItemsParams>('batt/testItems');

/** server -> client notification: after each completed run, its verdicts for the Testing view (before batt/runResult). */
export const TestResultsNotification = notification<TestResultsParams>('batt/testResults');

/** client -> server notification: a continuous run started (on) or ended in the Testing view: saves run while one is
 *  on, even with batt.runOnSave off (the same save runs: one runner). */
export const ContinuousRunNotification = notification<{ on: boolean }>('batt/continuousRun');

/** client -> server request, from "Run every task": every task's own candidates now; the number of runs completed. */
export const RunAllRequest = request0<number, void>('batt/runAll');

/** client -> server request, from "Restart workers": kill and respawn the workers. */
export const RestartWorkersRequest = request0<void, void>('batt/restartWorkers');

/** client -> server request, from "Clear cache": clear the caches; the number of entries removed. */
export const ClearCacheRequest = request0<number, void>('batt/clearCache');

/** client -> server request, when the timing panel first opens: recent records of .batt/runs.jsonl. */
export const HistoryRequest = request<HistoryParams, RunRecord[], void>('batt/history');

/** client -> server request, after a save, on a cursor move into another solver, and from "Trace solver": the
 *  solver's per-line values on every pair (unsaved documents as the editor has them); fails with a message, never a
 *  made-up trace; cancellable. */
export const TraceRequest = request<TraceParams, TraceJson, void>('batt/trace');

/** client -> server request, from "Batt: Write submission": `batt submit` with the stability check on a folder's
 *  configured tasks, the file written to `out`; cancellable (then nothing is written, and the answer is null). */
export const WriteSubmissionRequest = request<WriteSubmissionParams, SubmissionResult | null, void>('batt/writeSubmission');

/** server -> client notification while a submission runs: jobs done of total (at most ~10 a second, the last always sent). */
export const SubmissionProgressNotification = notification<SubmissionProgressParams>('batt/submissionProgress');
