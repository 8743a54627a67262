/**
 * Custom LSP messages between the extension (client) and the batt language server.
 * Method names are `batt/<name>`; each constant's comment states direction and trigger.
 * Plain types only: no vscode, no node builtins.
 */
import type { RunJson, RunRecord } from './results';

export type { RunRecord } from './results';
import type { BattSettings } from './settings';

/** Sent as `initializationOptions` and again with `batt/settings` on every change. */
export interface ServerSettings extends BattSettings {
  /** resolved interpreter (Python extension's choice, else batt.pythonPath, else python3) */
  python: string;
  /** settings the user set explicitly; the others give way to the workspace's batt.json */
  explicit?: Array<keyof BattSettings>;
  /** false in an untrusted workspace: nothing of the workspace is executed, no worker is started */
  trusted: boolean;
}

export interface WorkerInfo {
  id: number;
  pid?: number;
  state: 'starting' | 'idle' | 'busy' | 'dead';
  job?: string;
  restarts: number;
  jobsDone: number;
}

export type PoolState = 'stopped' | 'starting' | 'idle' | 'busy' | 'error' | 'untrusted';

export interface LastRunInfo {
  solved: number;
  tasks: number;
  wallMs: number;
  /** validation cache hit rate of the run, 0..1; null when there were no lookups */
  hitRate: number | null;
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

export type RunReason = 'save' | 'task' | 'manual';

export interface RunResultParams {
  reason: RunReason;
  /** for reason 'task': the task whose leaderboard this is */
  taskId?: string;
  run: RunJson;
  /** data of the leaderboard task, for expected-vs-actual grids */
  task?: TaskData;
}

export const Methods = {
  /** server -> client notification, on every pool state change and after each run */
  poolStatus: 'batt/poolStatus',
  /** server -> client notification, after each completed (not cancelled) run */
  runResult: 'batt/runResult',
  /** server -> client notification while a run goes: jobs done of total */
  progress: 'batt/progress',
  /** client -> server notification: settings changed (full ServerSettings) */
  settings: 'batt/settings',
  /** client -> server request: the workspace's tasks for the quick pick */
  listTasks: 'batt/listTasks',
  /** client -> server request: the whole battery (workspace + solver store) on one task; cancellable */
  runTask: 'batt/runTask',
  /** client -> server request: run every task's own candidates now */
  runAll: 'batt/runAll',
  /** client -> server request: kill and respawn the workers */
  restartWorkers: 'batt/restartWorkers',
  /** client -> server request: clear the caches */
  clearCache: 'batt/clearCache',
  /** client -> server request: recent records of .batt/runs.jsonl */
  history: 'batt/history',
} as const;

export interface ProgressParams {
  runId: number;
  reason: RunReason;
  done: number;
  total: number;
}

export interface RunTaskParams {
  taskId: string;
}

export interface HistoryParams {
  limit: number;
}
