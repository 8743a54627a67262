/**
 * batt/runCandidates (the Testing view's Run, the CodeLens actions): which runs chosen candidates need, one per
 * workspace folder, and the one result several folders' runs make. Pure: Runs (runs.ts) runs the plans.
 */
import * as path from 'path';
import type { RunOptions } from '../engine/engine';
import type { RunCandidatesParams } from '../protocol/lsp';
import type { RunJson } from '../protocol/results';
import { realPath, toPath } from './paths';

/** One folder's run: its candidates, on their own tasks (`tasks`) or, with `battery`, on every task. */
export interface CandidatePlan {
  root: string;
  options: Pick<RunOptions, 'candidates' | 'tasks' | 'battery'>;
  /** the run's scope in the log, e.g. "solve_a3f1c07e" or "3 candidates on every task" */
  what: string;
}

/** The task a candidate is written for: solve_<task>[_suffix] (analyzer/lint.py's rule), a batt entry's source task. */
export function ownTaskOf(name: string): string | undefined {
  const solver = /^solve_([^_]+)(?:_.*)?$/.exec(name);
  if (solver) return solver[1];
  const entry = /^batt:\d+:(.+)$/.exec(name);
  return entry?.[1];
}

/** The innermost of `roots` holding `file`. */
export function rootOf(file: string, roots: string[]): string | undefined {
  return roots.filter((r) => file === r || file.startsWith(r + path.sep)).sort((a, b) => b.length - a.length)[0];
}

/**
 * The runs a request needs, in the order of `roots`. Candidates outside every folder, and (without battery) names that
 * target no task, are left out; `resolve` maps a file to the path the engine knows it by (its real path).
 */
export function candidatePlans(p: RunCandidatesParams, roots: string[], resolve: (file: string) => string = realPath): CandidatePlan[] {
  const byRoot = new Map<string, { candidates: Array<{ file: string; name: string }>; tasks: Set<string> }>();
  for (const s of p.solvers ?? []) {
    const file = typeof s?.uri === 'string' ? toPath(s.uri) : undefined;
    if (!file || typeof s.solver !== 'string' || !s.solver) continue;
    const task = ownTaskOf(s.solver);
    if (!p.battery && !task) continue;
    const real = resolve(file);
    const root = rootOf(real, roots);
    if (!root) continue;
    const plan = byRoot.get(root) ?? { candidates: [], tasks: new Set<string>() };
    if (!plan.candidates.some((c) => c.file === real && c.name === s.solver)) plan.candidates.push({ file: real, name: s.solver });
    if (task) plan.tasks.add(task);
    byRoot.set(root, plan);
  }
  const out: CandidatePlan[] = [];
  for (const root of roots) {
    const plan = byRoot.get(root);
    if (!plan) continue;
    const n = plan.candidates.length;
    const names = n === 1 ? plan.candidates[0].name : `${n} candidates`;
    out.push({
      root,
      options: p.battery ? { candidates: plan.candidates, battery: true } : { candidates: plan.candidates, tasks: [...plan.tasks].sort() },
      what: p.battery ? `${names} on every task` : names,
    });
  }
  return out;
}

/** Several folders' runs as one result: the first run's figures, every run's tasks and errors. */
export function joinRuns(runs: RunJson[]): RunJson {
  if (runs.length === 1) return runs[0];
  const [first, ...rest] = runs;
  return { ...first, tasks: runs.flatMap((r) => r.tasks), errors: runs.flatMap((r) => r.errors), cancelled: runs.some((r) => r.cancelled), stored: rest.reduce((s, r) => [...s, ...r.stored], first.stored) };
}
