/** Which candidates run on which task (with duplicates folded), and the per-task report with ranking. */
import type { CandidateJson, TaskJson } from '../../protocol/results';
import { aggregate, compareRank, mismatchFields } from './verdicts';
import { resultKey } from './jobs';
import { expectedOf } from './pairs';
import type { Candidate, PairResult, Task } from '../types';
import type { UnstableMap } from './stable';

export interface TaskSelection {
  task: Task;
  /** every candidate for the task, in file/line order */
  all: Candidate[];
  /** one per canonical hash: these run */
  unique: Candidate[];
  /** candidate name@file -> name of the first candidate with the same canonical hash */
  duplicateOf: Map<Candidate, Candidate>;
}

export interface SelectOptions {
  battery: boolean;
  files?: string[];
}

/** Default: a task's candidates are solve_<task>* functions and batt entries whose source is the task. */
export function selectCandidates(tasks: Task[], candidates: Candidate[], o: SelectOptions): TaskSelection[] {
  // Workspace candidates come before the solver store's, so a stored copy is reported as the duplicate; batt entries
  // come last, so where an entry equals a plain program that program's verdicts are the ones both share (the entry
  // ran inside its module, where a step that raises falls back to a safe default: batt_slice.py).
  const order = (c: Candidate) => (c.batt ? 2 : /[\\/]\.batt[\\/]solvers[\\/]/.test(c.file) ? 1 : 0);
  const sorted = [...candidates].sort((a, b) => order(a) - order(b) || a.file.localeCompare(b.file) || a.line - b.line);
  const fileSet = o.files ? new Set(o.files) : undefined;
  const pool = fileSet ? sorted.filter((c) => fileSet.has(c.file)) : sorted;
  return tasks.map((task) => {
    const all = o.battery ? pool : pool.filter((c) => c.taskId === task.id);
    const first = new Map<string, Candidate>();
    const unique: Candidate[] = [];
    const duplicateOf = new Map<Candidate, Candidate>();
    for (const c of all) {
      const key = resultKey(c);
      const f = first.get(key);
      if (f) duplicateOf.set(c, f);
      else {
        first.set(key, c);
        unique.push(c);
      }
    }
    return { task, all, unique, duplicateOf };
  });
}

/** `unstable`: the stability check's findings (scoring/stable.ts), when it ran. */
export function assembleTasks(selections: TaskSelection[], results: Map<string, Map<string, PairResult[]>>, _root: string, unstable?: UnstableMap): TaskJson[] {
  return selections.map((sel) => {
    const per = results.get(sel.task.id) ?? new Map<string, PairResult[]>();
    const rows = sel.all.map((c) => {
      const pairs = pairRow(sel.task, per.get(resultKey(c)));
      const score = aggregate(pairs);
      const dup = sel.duplicateOf.get(c);
      const u = unstable?.get(sel.task.id)?.get(resultKey(c));
      const row: Omit<CandidateJson, 'rank'> = {
        name: c.name,
        file: c.file,
        line: c.line,
        hash: c.hash,
        ...(dup ? { duplicateOf: dup.name } : {}),
        ...(c.batt?.mutated ? { mutated: true as const } : {}),
        status: score.status,
        solved: score.solved,
        demo: score.demo,
        test: score.test,
        ms: round(score.ms),
        length: c.length,
        pairs: pairs.map((p) => ({ ...p, ms: round(p.ms) })),
        ...(u ? { unstable: true as const, unstablePairs: u } : {}),
      };
      return { row, rank: { name: c.name, score, length: c.length, duplicate: !!dup, unstable: !!u } };
    });
    rows.sort((a, b) => compareRank(a.rank, b.rank));
    const candidates: CandidateJson[] = rows.map((r, i) => ({ ...r.row, rank: i + 1 }));
    return {
      id: sel.task.id,
      file: sel.task.source,
      solved: candidates.some((c) => c.solved),
      demoPairs: sel.task.train.length,
      testPairs: sel.task.test.length,
      candidates,
    };
  });
}

/**
 * A candidate's results in pair order, every pair present: one the run never gave a verdict (it was cancelled before
 * the pair ran) is 'cancelled', never left out, so a candidate that did not run cannot look like a pass. A mismatch
 * cached before the explainer existed gets its class and message now, from its actual grid.
 */
function pairRow(task: Task, row: PairResult[] | undefined): PairResult[] {
  const n = task.train.length + task.test.length;
  const out: PairResult[] = [];
  for (let at = 0; at < n; at++) {
    const demo = at < task.train.length;
    const p = row?.[at] ?? { kind: demo ? 'demo' : 'test', index: demo ? at : at - task.train.length, status: 'cancelled', ms: 0, message: 'cancelled before it ran' };
    const expected = p.status === 'fail' && p.actual && !p.mismatch ? expectedOf(task, p) : null;
    out.push(expected && p.actual ? { ...p, ...mismatchFields(expected, p.actual) } : p);
  }
  return out;
}

/** Verdict counts over the candidates that run (duplicates share their original's): the run's summary counts. */
export function verdictCounts(tasks: TaskJson[]): { ran: number; cached: number; skipped: number; cancelled: number } {
  const n = { ran: 0, cached: 0, skipped: 0, cancelled: 0 };
  for (const t of tasks) {
    for (const c of t.candidates) {
      if (c.duplicateOf) continue;
      for (const p of c.pairs) {
        if (p.status === 'skipped') n.skipped++;
        else if (p.status === 'cancelled') n.cancelled++;
        else if (p.cached) n.cached++;
        else n.ran++;
      }
    }
  }
  return n;
}

/**
 * 'hot' = every verdict the run needed came from the cache (nothing ran, nothing was cancelled); 'cold' = no cache hit
 * at all; 'warm' = anything between. A run cancelled before its jobs ran is never hot.
 */
export function temperatureOf(counts: { ran: number; cancelled: number }, hits: number): 'cold' | 'warm' | 'hot' {
  if (counts.ran === 0 && counts.cancelled === 0 && hits > 0) return 'hot';
  return hits === 0 ? 'cold' : 'warm';
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
