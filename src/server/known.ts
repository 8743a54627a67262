/**
 * What the workspace is known to solve: every run's verdicts merged per task and candidate, so the status bar says
 * "solved X of Y tasks" of the whole workspace, not of the last run's scope. A save ran only the candidates the saved
 * file affects: they replace their own earlier verdicts (a candidate gone from a file it ran goes), the others stay.
 * "Run batt on task" and "Run every task" ran a task's whole field and replace it; cached verdicts looked up at start
 * only fill tasks nothing newer is known for.
 */
import type { LastRunInfo, RunReason } from '../protocol/lsp';
import type { RunJson } from '../protocol/results';

export interface KnownState {
  /** tasks some known candidate solves */
  solved: number;
  /** the workspace's tasks (from its task list, else the tasks runs reported) */
  tasks: number;
}

interface Folder {
  /** every task id of the folder's tasks folder, once a run or the task list read it */
  ids?: Set<string>;
  /** by task id: candidate (file#name) -> solved */
  verdicts: Map<string, Map<string, boolean>>;
}

const key = (c: { file: string; name: string }) => `${c.file}#${c.name}`;

export class KnownVerdicts {
  private readonly folders = new Map<string, Folder>();
  /** the last state() by its roots, until the verdicts change (the pool's status asks for it on every event) */
  private memo?: { roots: string; state: KnownState | undefined };

  private folder(root: string): Folder {
    let f = this.folders.get(root);
    if (!f) {
      f = { verdicts: new Map() };
      this.folders.set(root, f);
    }
    return f;
  }

  noteTasks(root: string, ids: string[]): void {
    this.memo = undefined;
    this.folder(root).ids = new Set(ids);
  }

  /** A completed run of `root`; for a save, `saved` is the file saved. */
  add(root: string, run: RunJson, reason: RunReason, saved?: string): void {
    this.memo = undefined;
    const f = this.folder(root);
    if (reason === 'save') {
      const files = new Set(run.tasks.flatMap((t) => t.candidates.map((c) => c.file)));
      if (saved) files.add(saved);
      for (const m of f.verdicts.values()) for (const k of [...m.keys()]) if (files.has(k.slice(0, k.lastIndexOf('#')))) m.delete(k);
    }
    // a save and chosen candidates (batt/runCandidates) ran some of a task's candidates: the others keep theirs
    const merge = reason === 'save' || reason === 'candidates';
    for (const t of run.tasks) {
      if (reason === 'cache' && f.verdicts.has(t.id)) continue;
      const m = merge ? f.verdicts.get(t.id) ?? new Map<string, boolean>() : new Map<string, boolean>();
      if (merge && !t.candidates.length && !f.verdicts.has(t.id)) continue;
      for (const c of t.candidates) m.set(key(c), c.solved);
      f.verdicts.set(t.id, m);
    }
  }

  /** A task's verdict from everything known, undefined when no candidate of it has one. */
  verdict(root: string, taskId: string): 'solved' | 'unsolved' | undefined {
    const m = this.folders.get(root)?.verdicts.get(taskId);
    if (!m?.size) return undefined;
    return [...m.values()].some((s) => s) ? 'solved' : 'unsolved';
  }

  /** The folders' state, undefined when nothing is known yet. */
  state(roots: string[]): KnownState | undefined {
    const key = roots.join('\0');
    if (this.memo?.roots !== key) this.memo = { roots: key, state: this.count(roots) };
    return this.memo.state;
  }

  private count(roots: string[]): KnownState | undefined {
    let solved = 0;
    let tasks = 0;
    let any = false;
    for (const root of roots) {
      const f = this.folders.get(root);
      if (!f?.verdicts.size) continue;
      any = true;
      const ids = f.ids ?? new Set(f.verdicts.keys());
      tasks += ids.size;
      for (const id of ids) if (this.verdict(root, id) === 'solved') solved++;
    }
    return any ? { solved, tasks } : undefined;
  }

  forget(root: string): void {
    this.memo = undefined;
    this.folders.delete(root);
  }
}

/** The status bar's figures of one run: its scope's solved count, wall time and validation cache hits. */
export function lastRunInfo(run: RunJson, reason: RunReason): LastRunInfo {
  const v = run.cache.validation;
  const hitRate = v.hits + v.misses ? v.hits / (v.hits + v.misses) : null;
  return { reason, misses: v.misses, solved: run.summary.solved, tasks: run.summary.tasks, wallMs: run.summary.wallMs, hitRate, temperature: run.temperature, at: run.startedAt };
}
