/**
 * "Try on every task" (a CodeLens action) answered: what the one candidate's battery found, and which task's
 * leaderboard the panel opens on. No vscode: unit-tested.
 */
import type { RunResultParams } from '../protocol/lsp';
import type { CandidateJson, TaskJson } from '../protocol/results';
import type { PairFocus } from '../protocol/webview';

export interface TryOutcome {
  /** the tasks the candidate solves, its own first */
  solves: string[];
  /** the leaderboard to open: the first task other than its own that it solves, else its own, else the first task */
  taskId?: string;
  /** the candidate on that task, in view */
  focus?: PairFocus;
  /** one line for a message, e.g. "solve_a3f1c07e on 12 tasks: solves a3f1c07e (its own) and 5e2b9d14" */
  summary: string;
}

function entry(t: TaskJson, solver: string): CandidateJson | undefined {
  return t.candidates.find((c) => c.name === solver);
}

/** Is `solver` written for task `id` (solve_<id>[_suffix])? */
const isOwn = (solver: string, id: string) => solver === `solve_${id}` || solver.startsWith(`solve_${id}_`);

export function tryOutcome(r: RunResultParams, solver: string): TryOutcome {
  const tried = r.run.tasks.filter((t) => entry(t, solver));
  const own = tried.find((t) => isOwn(solver, t.id))?.id;
  const solved = tried.filter((t) => entry(t, solver)!.solved).map((t) => t.id);
  const solves = [...solved.filter((id) => id === own), ...solved.filter((id) => id !== own)];
  const other = solves.find((id) => id !== own);
  const taskId = other ?? own ?? tried[0]?.id;
  const c = taskId ? entry(tried.find((t) => t.id === taskId)!, solver) : undefined;
  const first = c?.pairs[0];
  const names = solves.map((id) => (id === own ? `${id} (its own)` : id));
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0] ?? 'none of them';
  return {
    solves,
    taskId,
    focus: first && { candidate: solver, kind: first.kind, index: first.index },
    summary: `${solver} on ${tried.length} task${tried.length === 1 ? '' : 's'}: solves ${list}`,
  };
}
