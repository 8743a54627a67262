/**
 * The code actions on batt diagnostics, shared by the server (which offers them, src/server/codeActions.ts) and the
 * extension (which runs their commands and validates the arguments). No vscode, no node builtins.
 */

/** What a `batt` verdict diagnostic carries in its `data`: the task, the candidate and the pair its message names. */
export interface PairRef {
  taskId: string;
  candidate: string;
  kind: 'demo' | 'test';
  index: number;
}

/** "Show pair N in the batt panel": the panel's leaderboard of the task, the candidate selected, the pair in view. */
export const SHOW_PAIR_COMMAND = 'batt.showPair';

const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The pair fields of `v` (a candidate name of 1 to 500 characters, demo or test, an index from 0 to 9999), copied. */
export function pairFields(v: Record<string, unknown>): Omit<PairRef, 'taskId'> | undefined {
  const { candidate, kind, index } = v;
  if (typeof candidate !== 'string' || !candidate.length || candidate.length > 500) return undefined;
  if (kind !== 'demo' && kind !== 'test') return undefined;
  if (!Number.isInteger(index) || (index as number) < 0 || (index as number) > 9999) return undefined;
  return { candidate, kind, index: index as number };
}

/**
 * A copy of `v` when it is exactly a PairRef (a task id and the pair fields), else undefined: a diagnostic's data and
 * a command's arguments both come from outside.
 */
export function parsePairRef(v: unknown): PairRef | undefined {
  if (!isObj(v) || !Object.keys(v).every((k) => ['taskId', 'candidate', 'kind', 'index'].includes(k))) return undefined;
  const { taskId } = v;
  if (typeof taskId !== 'string' || !TASK_ID.test(taskId) || taskId.includes('..')) return undefined;
  const pair = pairFields(v);
  return pair && { taskId, ...pair };
}
