/**
 * Messages between the extension host (panel.ts) and the timing panel webview (src/webview).
 * The host validates every inbound message with `parseFromWebview`; anything else is dropped and logged.
 */
import { pairFields, type PairRef } from './codeActions';
import type { PoolStatusParams, RunReason, RunRecord, RunResultParams } from './lsp';
import type { TraceJson } from './trace';
import type { SubmissionResult } from './submission';

//#region host -> webview

/** The full state: sent in answer to `ready` and whenever something changes. */
export interface StateMessage {
  type: 'state';
  /** last run of any kind (its phases, cache and per-task results) */
  last?: RunResultParams;
  /** last "Run batt on task" result: the leaderboard */
  leaderboard?: RunResultParams;
  history: RunRecord[];
  pool?: PoolStatusParams;
  /** every task with known results (the workspace as a whole, newest result per task): the per-task table */
  tasks?: TaskRow[];
  /** the run going on now, if any */
  progress?: RunProgress;
  /** the last "Batt: Trace solver" result: the Trace tab */
  trace?: TraceJson;
  /** the last "Batt: Write submission" result: the Submission tab */
  submission?: SubmissionResult;
  /** what the panel opens on: set by a command ("Run batt on task": the leaderboard, "Run every task": the tasks,
   *  "Show pair N in the batt panel": the leaderboard with that pair's candidate selected and the pair in view,
   *  "Batt: Trace solver": the trace);
   *  the webview follows a `seq` it has not followed yet, and otherwise keeps the user's choice */
  show?: { view: PanelView; seq: number; pair?: PairFocus };
}

export type PanelView = 'leaderboard' | 'tasks' | 'trace' | 'submission';

/** A pair of a candidate of the leaderboard's task. */
export type PairFocus = Pick<PairRef, 'candidate' | 'kind' | 'index'>;

/** One task of the per-task table, from the newest result that included it. */
export interface TaskRow {
  id: string;
  solved: boolean;
  candidates: number;
  /** the best ranked candidate (duplicates aside) */
  best?: string;
  /** pairs the best candidate passed, of its pairs (demo and test) */
  passed: number;
  pairs: number;
  /** the best share of cells right over a candidate's pairs (a pass counts 1), 0..1; absent when no mismatch said */
  credit?: number;
  /** start of the run the row comes from, and why it ran */
  at: string;
  reason: RunReason;
}

/** Jobs done of total of the run going on. */
export interface RunProgress {
  reason: RunReason;
  /** for "Run batt on task" */
  taskId?: string;
  done: number;
  total: number;
}

/** Pool status only (frequent). */
export interface PoolMessage {
  type: 'pool';
  pool: PoolStatusParams;
}

/** Progress of the run going on (frequent); absent = no run any more. */
export interface ProgressMessage {
  type: 'progress';
  progress?: RunProgress;
}

export type ToWebview = StateMessage | PoolMessage | ProgressMessage;

//#endregion

//#region webview -> host

export type FromWebview =
  | { type: 'ready' }
  | { type: 'openLocation'; file: string; line: number }
  | { type: 'restartWorkers' }
  | { type: 'clearCache' }
  | { type: 'runTask'; taskId: string }
  /** a row of the per-task table: its leaderboard, from the known results or by running it */
  | { type: 'openTask'; taskId: string }
  | { type: 'showLog' }
  /** "Copy as ARC JSON" on a grid of the pair view: the host puts `JSON.stringify(grid)` on the clipboard */
  | { type: 'copyGrid'; grid: number[][] }
  /** the webview followed a `show` with a pair: that pair is in view, or (found false) not in the leaderboard */
  | ({ type: 'pairShown'; found: boolean } & PairFocus);

//#endregion

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Bounds of a copied grid: a solver's wrong output may be larger than ARC's 30x30, not unboundedly so. */
const GRID_MAX_SIDE = 1000;
const GRID_MAX_CELLS = 250_000;

/** A copy of `v` when it is a grid (rows of integers, within the bounds), else undefined. */
function parseGrid(v: unknown): number[][] | undefined {
  if (!Array.isArray(v) || v.length > GRID_MAX_SIDE) return undefined;
  let cells = 0;
  const out: number[][] = [];
  for (const row of v as unknown[]) {
    if (!Array.isArray(row) || row.length > GRID_MAX_SIDE || (cells += row.length) > GRID_MAX_CELLS) return undefined;
    if (!row.every((c) => Number.isSafeInteger(c))) return undefined;
    out.push([...(row as number[])]);
  }
  return out;
}

/** Returns the message when it is exactly one of FromWebview, else undefined. */
export function parseFromWebview(v: unknown): FromWebview | undefined {
  if (!isObj(v) || typeof v.type !== 'string') return undefined;
  const keys = Object.keys(v);
  const only = (...allowed: string[]) => keys.every((k) => k === 'type' || allowed.includes(k));
  switch (v.type) {
    case 'ready':
    case 'restartWorkers':
    case 'clearCache':
    case 'showLog':
      return only() ? { type: v.type } : undefined;
    case 'openLocation':
      return only('file', 'line') && typeof v.file === 'string' && v.file.length < 4096 && Number.isInteger(v.line) && (v.line as number) >= 1
        ? { type: 'openLocation', file: v.file, line: v.line as number }
        : undefined;
    case 'runTask':
    case 'openTask':
      return only('taskId') && typeof v.taskId === 'string' && TASK_ID.test(v.taskId) && !v.taskId.includes('..') ? { type: v.type, taskId: v.taskId } : undefined;
    case 'copyGrid': {
      const grid = only('grid') ? parseGrid(v.grid) : undefined;
      return grid ? { type: 'copyGrid', grid } : undefined;
    }
    case 'pairShown': {
      const pair = only('found', 'candidate', 'kind', 'index') && typeof v.found === 'boolean' ? pairFields(v) : undefined;
      return pair ? { type: 'pairShown', found: v.found as boolean, ...pair } : undefined;
    }
    default:
      return undefined;
  }
}
