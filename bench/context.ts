/** What every bench section gets: paths, the interpreter, the task ids and the workload. */
import * as fs from 'fs';
import * as path from 'path';
import { Engine } from '../src/engine/engine';
import type { RunJson } from '../src/protocol/results';
import type { Workload } from './workload';

export interface BenchContext {
  quick: boolean;
  python: string;
  /** repository root (dist/.. or bench/..) */
  repo: string;
  corpus: string;
  /** temp dir owned by this bench run */
  scratch: string;
  workerDir: string;
  taskIds: string[];
  work: Workload;
  log: (line: string) => void;
}

export function repoRoot(): string {
  return path.resolve(__dirname, '..');
}

/** dist/worker when bundled, src/worker when run from source. */
export function workerDir(repo: string): string {
  const bundled = path.join(__dirname, 'worker');
  return fs.existsSync(path.join(bundled, 'scoring', 'main.py')) ? bundled : path.join(repo, 'src', 'worker');
}

let cacheSeq = 0;

/** An engine on the workload with a fresh cache directory (nothing cached) unless `cacheDir` is given. */
export function newEngine(ctx: BenchContext, workers: number, cacheDir?: string, workspace = ctx.work.dir, timeoutMs = 60_000): Engine {
  return new Engine({
    workspace,
    python: ctx.python,
    tasksPath: ctx.corpus,
    workers,
    timeoutMs,
    memoryMB: 2048,
    cacheDir: cacheDir ?? path.join(ctx.scratch, `cache-${++cacheSeq}`),
    workerDir: ctx.workerDir,
  });
}

/** Pass/fail of every (task, candidate, pair) of a run, keyed like the plain loop's jobs. */
export function verdicts(run: RunJson): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const t of run.tasks) for (const c of t.candidates) for (const p of c.pairs) out.set(jobKey(t.id, c.name, p.kind, p.index), p.status === 'pass');
  return out;
}

export function jobKey(task: string, fn: string, kind: string, index: number): string {
  return `${task}\0${fn}\0${kind}\0${index}`;
}

/** Sum of the worker-measured ms of one candidate's pairs in a run (its own work), 0 if absent. */
export function ownMs(run: RunJson, fn: string): number {
  let ms = 0;
  for (const t of run.tasks) for (const c of t.candidates) if (c.name === fn) for (const p of c.pairs) if (!p.cached) ms += p.ms;
  return ms;
}

export function phaseMs(run: RunJson, name: string): number {
  return run.phases.find((p) => p.name === name)?.ms ?? 0;
}
