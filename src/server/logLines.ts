/** The lines the "Batt" log gets for each run and each pool restart. Pure. */
import * as path from 'path';
import type { RunReason } from '../protocol/lsp';
import type { RunJson } from '../protocol/results';

/** What a run covered, e.g. "save of solvers.py", "task 5e2b9d14 (battery)", "every task", "cached verdicts". */
export function runScope(root: string, reason: RunReason, what?: string): string {
  switch (reason) {
    case 'save':
      return `save of ${what ? path.relative(root, what) || what : '?'}`;
    case 'task':
      return `task ${what ?? '?'} (battery)`;
    case 'manual':
      return 'every task';
    case 'cache':
      return 'cached verdicts (nothing runs)';
    case 'candidates':
      return what ?? 'chosen candidates';
  }
}

/**
 * One line per run: its scope, tasks and candidates, jobs (ran, cached, cancelled; skipped pairs apart), solved, wall
 * time and the pool restarts during it, e.g.
 * "run 3, save of solvers.py: 5 tasks, 9 candidates, 40 jobs (4 ran, 36 cached, 0 cancelled; 2 skipped), solved 3, 0.412 s, 0 restarts".
 */
export function runLine(id: number, scope: string, run: RunJson, restarts: number): string {
  const s = run.summary;
  const head = `run ${id}, ${scope}${run.cancelled ? ' (cancelled)' : ''}`;
  const jobs = `${s.jobs} jobs (${s.ran} ran, ${s.cached} cached, ${s.cancelled} cancelled; ${s.skipped} skipped)`;
  return `${head}: ${s.tasks} tasks, ${s.candidates} candidates, ${jobs}, solved ${s.solved}, ${(s.wallMs / 1000).toFixed(3)} s, ${restarts} restart${restarts === 1 ? '' : 's'}`;
}

export function failedLine(id: number, scope: string, wallMs: number, message: string): string {
  return `run ${id}, ${scope}: failed after ${(wallMs / 1000).toFixed(3)} s: ${message}`;
}

/** A pool restart seen in its status: which workers were respawned and the folder's total. */
export function restartLine(root: string, workers: Array<{ id: number; restarts: number }>, before: Map<number, number>, total: number): string {
  const again = workers.filter((w) => w.restarts > (before.get(w.id) ?? 0)).map((w) => w.id);
  const who = again.length ? `worker${again.length === 1 ? '' : 's'} ${again.join(', ')} respawned` : 'a worker respawned';
  return `pool of ${path.basename(root)}: ${who} (${total} restart${total === 1 ? '' : 's'} so far)`;
}
