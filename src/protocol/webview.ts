/**
 * Messages between the extension host (panel.ts) and the timing panel webview (src/webview).
 * The host validates every inbound message with `parseFromWebview`; anything else is dropped and logged.
 */
import type { PoolStatusParams, RunRecord, RunResultParams } from './lsp';

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
}

/** Pool status only (frequent). */
export interface PoolMessage {
  type: 'pool';
  pool: PoolStatusParams;
}

export type ToWebview = StateMessage | PoolMessage;

//#endregion

//#region webview -> host

export type FromWebview =
  | { type: 'ready' }
  | { type: 'openLocation'; file: string; line: number }
  | { type: 'restartWorkers' }
  | { type: 'clearCache' }
  | { type: 'runTask'; taskId: string }
  | { type: 'showLog' };

//#endregion

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

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
      return only('taskId') && typeof v.taskId === 'string' && TASK_ID.test(v.taskId) && !v.taskId.includes('..') ? { type: 'runTask', taskId: v.taskId } : undefined;
    default:
      return undefined;
  }
}
