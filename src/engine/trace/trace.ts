/**
 * `engine.trace()`: the value each statement of one solver assigned, on every pair of a task (TraceJson). Discovery
 * and analysis as a run does them (cached parses and canonical forms); the pairs' verdicts from the score phase (the
 * validation cache, else a scoring job: a trace never makes a verdict); then the trace itself from the trace cache,
 * else one trace job per pair on the pool (src/worker/scoring/solver_trace.py), with the scoring job's limits and isolation.
 */
import * as fs from 'fs';
import { UsageError } from '../errors';
import type { JobPool, PoolResult } from '../pool/pool';
import type { RunEnv } from '../run';
import { resultKey, scorePhase } from '../scoring/jobs';
import { pairsOf, taskMessage } from '../scoring/pairs';
import { LineAnchors } from '../scoring/remap';
import { ValidationCache } from '../store/validation';
import { loadTasks } from '../tasks/tasks';
import type { Candidate, PairResult, Task } from '../types';
import { canonicalise, discoverFiles, fingerprintKey, type DiscoverInput, type WorkspaceFile, type WorkspaceModel } from '../workspace/discover';
import type { TraceJson, TracePair } from '../../protocol/trace';
import { TraceCache, traceKey } from './cache';
import { markDivergent, traceLines } from './lines';
import { traceOutcome, type TraceOutcome } from './outcome';

export interface TraceOptions {
  /** the candidate's name: a solve_* function, or a batt entry `batt:<t>:<task>` */
  solver: string;
  /** task id (default: the one in the solver's name; a batt entry's source task) */
  task?: string;
  /** unsaved contents by absolute path (as RunOptions.overrides) */
  overrides?: Map<string, string>;
  signal?: AbortSignal;
}

/** What a trace borrows from the engine: what a run does, and the trace cache. */
export interface TraceEnv extends RunEnv {
  traces: TraceCache;
}

export async function traceSolver(env: TraceEnv, o: TraceOptions): Promise<TraceJson> {
  const s = env.settings();
  if (!s.tasks || !fs.existsSync(s.tasks)) {
    throw new UsageError(`no tasks found for workspace ${env.root}${s.tasks ? ` (tasks path ${s.tasks} does not exist)` : ''}: pass --tasks <folder|file> or set "tasks" in batt.json`);
  }
  await env.loadCaches();
  const input = discoverInput(env, o);
  const [load, found] = await Promise.all([loadTasks(s.tasks, env.taskFiles), discoverFiles(input)]);
  const ws = await env.traces.workspace(found.files, () => canonicalise(input, found.files), o.signal);
  const candidate = findCandidate(ws, o.solver, env.root);
  const taskId = o.task ?? candidate.taskId;
  const task = load.tasks.find((t) => t.id === taskId);
  if (!task) throw new UsageError(`task ${taskId} not found in ${s.tasks}${o.task ? '' : ` (the task in the name of ${candidate.name})`}`);
  if (candidate.batt && candidate.batt.program === undefined) {
    throw new UsageError(`${candidate.name} cannot be traced: it cannot stand alone as a program (see \`batt run\`'s error for it)`);
  }

  const interpreter = await env.interpreter();
  const pool = poolOnce(env, ws.files);
  const depsFingerprint = ws.depsFingerprint.get(fingerprintKey(candidate)) ?? '';
  const scored = await scorePhase({
    selections: [{ task, candidates: [candidate] }],
    depsFingerprint: ws.depsFingerprint,
    anchors: new LineAnchors(ws.files),
    interpreter,
    validation: new ValidationCache(env.validationStore),
    durations: env.durations,
    timeoutMs: s.timeoutMs,
    memoryMB: s.memoryMB,
    pool,
    signal: o.signal,
    allPairs: true,
  });
  const verdicts = scored.results.get(task.id)?.get(resultKey(candidate)) ?? [];
  const pairs = tracePairs(task, verdicts);

  const file = ws.files.get(candidate.file)!;
  const key = traceKey({ candidate, task, depsFingerprint, interpreter, text: keyText(candidate, file), timeoutMs: s.timeoutMs, memoryMB: s.memoryMB });
  const t0 = performance.now();
  const cached = o.signal?.aborted ? undefined : env.traces.get(key, candidate.line);
  let lines = cached;
  if (!lines) {
    const runs = await Promise.all(pairsOf(task).map((p) => traceJob(pool, candidate, task, p, s.timeoutMs, o.signal)));
    const text = file.text.split('\n');
    lines = traceLines(runs.map((r) => r.trace), (n) => text[n - 1] ?? '');
    // A pair whose job did not end with a final outcome says why (a trace never changes the verdicts it shows otherwise).
    runs.forEach((r, at) => r.stopped && Object.assign(pairs[at], r.stopped));
    // The workers run the files on disk: a trace made while an override differs from them is not kept under its text.
    if (runs.every((r) => r.final) && !unsaved(o.overrides)) env.traces.set(key, lines, candidate.line);
  }
  markDivergent(lines, pairs);
  await env.flushCaches();
  const json: TraceJson = { solver: candidate.name, task: task.id, file: candidate.file, pairs, lines, ms: round(performance.now() - t0) };
  if (cached) json.cached = true;
  return json;
}

/** Whether some override differs from its file on disk. */
function unsaved(overrides?: Map<string, string>): boolean {
  for (const [file, text] of overrides ?? []) {
    try {
      if (fs.readFileSync(file, 'utf8') !== text) return true;
    } catch {
      return true;
    }
  }
  return false;
}

function discoverInput(env: RunEnv, o: TraceOptions): DiscoverInput {
  const s = env.settings();
  return {
    root: env.root,
    include: s.include,
    exclude: s.exclude,
    overrides: o.overrides,
    analyzer: () => env.analyzer(),
    analyzer2: () => env.analyzer2(),
    fileCache: env.fileCache,
    inlineCache: env.inlineCache,
    log: env.log,
    signal: o.signal,
  };
}

/** The candidate of that name (the first in file order when several files define it); a UsageError naming it if none. */
function findCandidate(ws: WorkspaceModel, name: string, root: string): Candidate {
  const all = ws.candidates.filter((c) => c.name === name).sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  if (all.length) return all[0];
  const task = /^solve_([^_]+)/.exec(name)?.[1];
  const near = task ? ws.candidates.filter((c) => c.name.startsWith(`solve_${task}`)).slice(0, 3).map((c) => c.name) : [];
  throw new UsageError(`solver ${name} not found in workspace ${root}${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}`);
}

/** What the trace shows beyond the canonical form: the def's own lines, or a batt module's whole text. */
function keyText(c: Candidate, f: WorkspaceFile): string {
  return c.batt ? f.sha : f.text.split('\n').slice(c.line - 1, c.endLine).join('\n');
}

function tracePairs(task: Task, verdicts: PairResult[]): TracePair[] {
  return pairsOf(task).map((p, at) => {
    const v = verdicts[at];
    const input = p.kind === 'demo' ? task.train[p.index].input : task.test[p.index].input;
    const pair: TracePair = { kind: p.kind, index: p.index, status: v?.status ?? 'cancelled', input };
    if (v?.error) pair.error = v.error;
    if (v) pair.ms = v.ms;
    return pair;
  });
}

/** The pool, started and told about the workspace files on first need only (a fully cached trace starts nothing). */
function poolOnce(env: RunEnv, files: Map<string, WorkspaceFile>): () => Promise<JobPool> {
  let started: Promise<JobPool> | undefined;
  return () =>
    (started ??= env.startPool().then((pool) => {
      env.sendFiles(pool, files);
      return pool;
    }));
}

/** One pair's trace job: its trace, whether it may be cached, and why it stopped when it may not (outcome.ts). */
async function traceJob(pool: () => Promise<JobPool>, c: Candidate, task: Task, p: { kind: 'demo' | 'test'; index: number }, timeoutMs: number, signal?: AbortSignal): Promise<TraceOutcome> {
  const call = c.batt ? { file: c.file, fn: c.batt.fn, kind: 'batt' as const, program: c.batt.program } : { file: c.file, fn: c.name, kind: c.kind };
  const r: PoolResult = await (await pool()).run({ run: { ...call, taskId: task.id, pair: p.kind, index: p.index, trace: true }, task: taskMessage(task) }, signal);
  return traceOutcome(r, timeoutMs);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
