/**
 * The phases of one run: discover (tasks, files, parses), inline (canonical forms), score (the pool runs what the
 * validation cache does not answer), store (solving candidates into the solver store), then the RunJson and its
 * runs.jsonl record. The Engine owns everything that outlives a run (pool, analyzers, caches) and lends it as a RunEnv.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { RunJson } from '../protocol/results';
import { UsageError } from './errors';
import type { Pool } from './pool/pool';
import type { JobPool } from './pool/types';
import { assembleTasks, selectCandidates, temperatureOf, verdictCounts, type TaskSelection } from './scoring/assemble';
import { scorePhase, type ScoreInput, type ScoreOutput } from './scoring/jobs';
import { RUN_HASH_SEED, seededInterpreter, stabilityPhase, type StabilityOutput } from './scoring/stable';
import { LineAnchors } from './scoring/remap';
import type { KvStore } from './store/kvStore';
import type { SkippedWrites } from './store/skippedWrites';
import { appendRunLog, runRecord } from './store/runLog';
import { storedFiles, storedSource, storeSolver } from './store/solverStore';
import { ValidationCache, type CachedVerdict } from './store/validation';
import { loadTasks, type TaskFileCache } from './tasks/tasks';
import { PhaseTimer } from './timing';
import type { InputError, Task } from './types';
import type { Analyzer } from './workspace/analyzer';
import { canonicalise, discoverFiles, type DiscoverInput, type FileParse, type InlineEntry, type WorkspaceFile, type WorkspaceModel } from './workspace/discover';
import { importClosure } from './workspace/files';

export interface RunOptions {
  /** task ids to run (default: all) */
  tasks?: string[];
  /** every candidate of the workspace is a candidate for every task */
  battery?: boolean;
  /** run every pair of every candidate: a transfer candidate does not stop at its first failing pair, no timeout
   *  quarantine (by default both save a battery most of its jobs) */
  allPairs?: boolean;
  /** a test pair's verdict never stops a transfer candidate, only a demo pair's does (a submission: what runs must not
   *  depend on whether the test outputs are known) */
  allTests?: boolean;
  /** include the solver store's candidates */
  includeStore?: boolean;
  store?: boolean;
  /** only candidates defined in these files */
  files?: string[];
  /** only candidates defined in these files or importing them (directly or not): what a save of these files affects */
  changed?: string[];
  /** only these candidates (by file and name), within `files`/`changed` if given: with `battery`, one candidate's
   *  battery ("Try on every task") */
  candidates?: Array<{ file: string; name: string }>;
  /** unsaved contents by absolute path */
  overrides?: Map<string, string>;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  noCache?: boolean;
  /** called with every task the run loaded (not only the selected ones), so a caller needs no second read */
  onTasks?: (tasks: Task[]) => void;
  /**
   * Report only what the validation cache already knows: discovery and analysis as usual, every job looked up, nothing
   * run (the pool is not started), nothing stored or logged. A candidate without any cached verdict is left out (and a
   * task left without candidates by that); a cached one's pairs the cache lacks are 'cancelled' ("not in the cache").
   */
  cacheOnly?: boolean;
  /** the stability check (scoring/stable.ts): candidates that pass their demo pairs run again under a second
   *  PYTHONHASHSEED; those with another output are `unstable` (ranked below the stable ones) */
  checkStable?: boolean;
}

/** The effective settings a run uses (re-read at the start of each run). */
export interface RunSettings {
  tasks?: string;
  workers: number;
  timeoutMs: number;
  memoryMB: number;
  /** a candidate that timed out on this many tasks is not started on further ones (0 = never) */
  timeoutQuarantine: number;
  include: string[];
  exclude: string[];
  /** problems with batt.json, reported with the run's errors */
  errors: InputError[];
}

/** What a run borrows from its Engine. */
export interface RunEnv {
  root: string;
  settings(): RunSettings;
  taskFiles: TaskFileCache;
  fileCache: KvStore<{ sha: string; parse: FileParse }>;
  inlineCache: KvStore<InlineEntry>;
  validationStore: KvStore<CachedVerdict>;
  durations: KvStore<number>;
  loadCaches(): Promise<void>;
  /** writes the file system refuses (a read-only workspace): skipped, and said once as a warning of the run */
  writes: SkippedWrites;
  flushCaches(): Promise<void>;
  analyzer(): Analyzer;
  analyzer2(): Analyzer;
  /** precompiles changed modules in the background for the workers */
  precompile(files: Map<string, WorkspaceFile>, overrides?: Map<string, string>): void;
  /** starts the pool in the background when this run will probably need it (a failure surfaces in the score phase) */
  warmPool(): void;
  startPool(): Promise<JobPool>;
  /** the stability check's pool (its own hash seed, same limits and sandbox), started on first need */
  startCheckPool(): Promise<Pool>;
  /** tells the pool's workers about the workspace files (patches against what they were last told) */
  sendFiles(pool: JobPool, files: Map<string, WorkspaceFile>): void;
  /** the same for the check's pool */
  sendCheckFiles(pool: Pool, files: Map<string, WorkspaceFile>): void;
  /** fingerprint of the interpreter the jobs run on, part of the validation key (workspace/interpreter.ts); never rejects */
  interpreter(): Promise<string>;
  /** `workers` when it is not the setting's (a cluster's Dask threads) */
  poolInfo(): Omit<RunJson['pool'], 'workers'> & { workers?: number };
  log?: (line: string) => void;
}

/** One run. Never throws for solver or input faults (they are verdicts and errors); throws UsageError for bad setup. */
export async function runOnce(env: RunEnv, ro: RunOptions): Promise<RunJson> {
  const timer = new PhaseTimer();
  const startedAt = new Date().toISOString();
  const s = env.settings();
  const errors: InputError[] = [...s.errors];
  const validation = new ValidationCache(env.validationStore);
  const interpreter = env.interpreter(); // overlaps discovery (a probe, when one is needed, spawns Python)

  const { tasks, model, unknownOutputs } = await timer.time('discover', () => discoverPhase(env, s, ro, errors));
  if (!ro.cacheOnly) env.precompile(model, ro.overrides);
  const ws = await timer.time('inline', () => canonicalise(discoverInput(env, s, [], ro.overrides, ro.signal), model));
  errors.push(...ws.errors);

  const selections = selectCandidates(tasks, chosen(ws.candidates, ro.candidates), { battery: !!ro.battery, files: candidateFiles(ws, ro) });
  const scored = await scoreRun(env, s, ro, timer, ws, selections, validation, interpreter);
  const assembled = assembleTasks(selections, scored.results, env.root, scored.stability?.unstable);
  const taskJson = ro.cacheOnly ? cachedOnly(assembled) : assembled;
  const hint = candidatesHint(env.root, s, ro, model.size, ws.candidates.length);
  if (hint) errors.push(hint);
  const stored = ro.store && !ro.cacheOnly && !scored.cancelled ? await timer.time('store', () => env.writes.attempt('the solver store', () => storePhase(env.root, selections, taskJson, ws), [])) : [];

  const json = runJson(env, s, { startedAt, timer, taskJson, scored, ws, validation, stored, errors, unknownOutputs });
  if (ro.cacheOnly) return json; // not a run: runs.jsonl records what ran
  await env.writes.attempt('the run log', () => appendRunLog(env.root, runRecord(json)), undefined).catch((e) => env.log?.(`cannot write runs.jsonl: ${(e as Error).message}`));
  return json;
}

function discoverInput(env: RunEnv, s: RunSettings, extraFiles: string[], overrides?: Map<string, string>, signal?: AbortSignal): DiscoverInput {
  return {
    root: env.root,
    include: s.include,
    exclude: s.exclude,
    extraFiles,
    overrides,
    analyzer: () => env.analyzer(),
    analyzer2: () => env.analyzer2(),
    fileCache: env.fileCache,
    inlineCache: env.inlineCache,
    log: env.log,
    signal,
  };
}

/** Phase "discover": the selected tasks and the workspace's files with their parses. */
async function discoverPhase(
  env: RunEnv,
  s: RunSettings,
  ro: RunOptions,
  errors: InputError[],
): Promise<{ tasks: Task[]; model: Map<string, WorkspaceFile>; unknownOutputs: Map<string, string> }> {
  await env.loadCaches();
  if (!ro.cacheOnly) env.warmPool();
  if (!s.tasks) {
    throw new UsageError(
      `no tasks found for workspace ${env.root}: pass --tasks <folder|file>, set "tasks" in ${path.join(env.root, 'batt.json')}, or add a tasks/ or data/training/ folder`,
    );
  }
  if (!fs.existsSync(s.tasks)) throw new UsageError(`tasks path ${s.tasks} does not exist`);
  const [load, extra] = await Promise.all([loadTasks(s.tasks, env.taskFiles), ro.includeStore ? storedFiles(env.root) : Promise.resolve([])]);
  errors.push(...load.errors);
  ro.onTasks?.(load.tasks);
  const tasks = ro.tasks?.length ? selectTasks(load, ro.tasks, s.tasks, errors) : load.tasks;
  const found = await discoverFiles(discoverInput(env, s, extra, ro.overrides, ro.signal));
  errors.push(...found.errors);
  return { tasks, model: found.files, unknownOutputs: load.unknownOutputs ?? new Map<string, string>() };
}

/** The tasks asked for by id; unknown ids are errors, or a UsageError when none is known and no bad file explains it. */
function selectTasks(load: { tasks: Task[]; errors: InputError[] }, ids: string[], tasksPath: string, errors: InputError[]): Task[] {
  const byId = new Map(load.tasks.map((t) => [t.id, t]));
  const unknown = ids.filter((id) => !byId.has(id));
  if (unknown.length && unknown.length === ids.length && !load.errors.some((e) => unknown.some((u) => e.file.includes(u)))) {
    throw new UsageError(`task ${unknown.join(', ')} not found in ${tasksPath}`);
  }
  for (const id of unknown) errors.push({ kind: 'config', file: tasksPath, message: `task ${id} not found` });
  return ids.map((id) => byId.get(id)).filter((t): t is Task => !!t);
}

/** A warning when the workspace has no candidates at all, saying what was looked for and where (globs, signatures). */
function candidatesHint(root: string, s: RunSettings, ro: RunOptions, files: number, candidates: number): InputError | undefined {
  if (candidates > 0 || ro.signal?.aborted) return undefined; // (a discovery stopped early says nothing)
  const where = `${files} Python file${files === 1 ? '' : 's'} (include ${JSON.stringify(s.include)}, exclude ${JSON.stringify(s.exclude)})`;
  return {
    kind: 'candidate',
    file: root,
    message: `no candidates in ${where}: looked for top-level def solve_<taskid>(I) or def solve_<taskid>(S, I, C) functions and batt modules (def batt(task_id, S, I, C, log_path))`,
    severity: 'warning',
  };
}

/** The files whose candidates run: `files`, or for `changed` the files that are or import (transitively) a changed one. */
function candidateFiles(ws: WorkspaceModel, ro: RunOptions): string[] | undefined {
  if (!ro.changed) return ro.files;
  const changed = new Set(ro.changed);
  const directDeps = new Map([...ws.files.values()].map((f) => [f.path, f.deps]));
  return [...ws.files.keys()].filter((p) => changed.has(p) || importClosure(p, directDeps).some((d) => changed.has(d)));
}

/** The candidates named by RunOptions.candidates (all when it is absent). */
function chosen<C extends { file: string; name: string }>(all: C[], only: RunOptions['candidates']): C[] {
  if (!only) return all;
  const keys = new Set(only.map((c) => `${c.file}\0${c.name}`));
  return all.filter((c) => keys.has(`${c.file}\0${c.name}`));
}

/**
 * A cache-only run's tasks: the candidates with at least one cached verdict (their other pairs say they are not in the
 * cache), and the tasks that keep a candidate or never had one.
 */
function cachedOnly(tasks: RunJson['tasks']): RunJson['tasks'] {
  const out: RunJson['tasks'] = [];
  for (const t of tasks) {
    const known = t.candidates.filter((c) => c.pairs.some((p) => p.cached));
    if (t.candidates.length && !known.length) continue;
    const candidates = known.map((c, i) => ({
      ...c,
      rank: i + 1,
      pairs: c.pairs.map((p) => (p.status === 'cancelled' ? { ...p, message: 'not in the cache (nothing ran)' } : p)),
    }));
    out.push({ ...t, candidates });
  }
  return out;
}

/** The score phase's output, with the stability check's when it ran. */
type RunScore = ScoreOutput & { stability?: StabilityOutput };

/** Phase "score" (pool start-up awaited on first need is timed as "startup", not "score"), then the caches flushed. */
async function scoreRun(
  env: RunEnv,
  s: RunSettings,
  ro: RunOptions,
  timer: PhaseTimer,
  ws: WorkspaceModel,
  selections: TaskSelection[],
  validation: ValidationCache,
  interpreter: Promise<string>,
): Promise<RunScore> {
  const scoreT0 = performance.now();
  const input: ScoreInput = {
    selections: selections.map((x) => ({ task: x.task, candidates: x.unique })),
    depsFingerprint: ws.depsFingerprint,
    anchors: new LineAnchors(ws.files),
    interpreter: seededInterpreter(await interpreter, RUN_HASH_SEED),
    validation,
    durations: env.durations,
    timeoutMs: s.timeoutMs,
    memoryMB: s.memoryMB,
    pool: poolOnFirstNeed(timer, ws.files, () => env.startPool(), (p, f) => env.sendFiles(p, f)),
    signal: ro.signal,
    onProgress: ro.onProgress,
    noCache: ro.noCache,
    allPairs: ro.allPairs,
    allTests: ro.allTests,
    cacheOnly: ro.cacheOnly,
    timeoutQuarantine: s.timeoutQuarantine,
  };
  const scored = await scorePhase(input);
  const stability = ro.checkStable && !scored.cancelled ? await checkPhase(env, timer, ws, input, await interpreter, scored) : undefined;
  await env.flushCaches();
  const startupMs = timer.phases().find((p) => p.name === 'startup')!.ms;
  timer.add('score', performance.now() - scoreT0 - startupMs);
  return { ...scored, cancelled: scored.cancelled || !!stability?.cancelled, stability };
}

/** The stability check after the score phase: its own pool and validation counts, the unseeded fingerprint. */
function checkPhase(env: RunEnv, timer: PhaseTimer, ws: WorkspaceModel, input: ScoreInput, interpreter: string, scored: ScoreOutput): Promise<StabilityOutput> {
  const pool = poolOnFirstNeed(timer, ws.files, () => env.startCheckPool(), (p, f) => env.sendCheckFiles(p, f));
  return stabilityPhase({ ...input, interpreter, validation: new ValidationCache(env.validationStore), pool }, scored);
}

/** The pool, started (timed as "startup") and told about the files on the first call only. */
function poolOnFirstNeed<P extends JobPool>(timer: PhaseTimer, files: Map<string, WorkspaceFile>, start: () => Promise<P>, send: (pool: P, files: Map<string, WorkspaceFile>) => void): () => Promise<P> {
  let started = false;
  return async () => {
    if (started) return start();
    started = true;
    const t0 = performance.now();
    const pool = await start();
    timer.add('startup', performance.now() - t0);
    send(pool, files);
    return pool;
  };
}

/** Phase "store": every solving, non-duplicate candidate outside the store goes into it (content-addressed). */
async function storePhase(root: string, selections: TaskSelection[], taskJson: RunJson['tasks'], ws: WorkspaceModel): Promise<RunJson['stored']> {
  const stored: RunJson['stored'] = [];
  for (const sel of selections) {
    const tj = taskJson.find((t) => t.id === sel.task.id)!;
    for (const cj of tj.candidates) {
      if (!cj.solved || cj.duplicateOf) continue;
      // by place, not hash: a batt entry can share its canonical hash with a solver it is not folded with (another DSL)
      const c = sel.unique.find((u) => u.file === cj.file && u.line === cj.line && u.name === cj.name)!;
      if (c.file.startsWith(path.join(root, '.batt'))) continue; // already in the store
      const file = ws.files.get(c.file)!;
      const rel = path.relative(root, c.file);
      const text = storedSource(c, sel.task, file, { demo: cj.demo, test: cj.test }, rel);
      if (text === undefined) continue; // a batt entry that cannot stand alone (reported by the inline phase)
      const p = await storeSolver(
        root,
        { task: sel.task.id, hash: c.hash, name: c.name, origin: rel, line: c.line, demo: `${cj.demo.passed}/${cj.demo.total}`, test: `${cj.test.passed}/${cj.test.total}`, ms: cj.ms },
        text,
      );
      if (p) stored.push({ task: sel.task.id, name: c.name, path: p });
    }
  }
  return stored;
}

interface RunParts {
  startedAt: string;
  timer: PhaseTimer;
  taskJson: RunJson['tasks'];
  scored: RunScore;
  ws: WorkspaceModel;
  validation: ValidationCache;
  stored: RunJson['stored'];
  errors: InputError[];
  /** why a task's test outputs are unknown, by id (TaskLoad.unknownOutputs) */
  unknownOutputs: Map<string, string>;
}

/** The run's document: verdicts, summary, phases (wall time measured now), cache counts, pool. */
function runJson(env: RunEnv, s: RunSettings, p: RunParts): RunJson {
  const { taskJson, scored, ws, validation } = p;
  const wallMs = p.timer.elapsed();
  const hits = validation.hits + ws.inline.hits;
  const counts = verdictCounts(taskJson);
  return {
    version: 1,
    workspace: env.root,
    tasksPath: s.tasks,
    startedAt: p.startedAt,
    temperature: temperatureOf(counts, hits),
    cancelled: scored.cancelled,
    summary: {
      tasks: taskJson.length,
      solved: taskJson.filter((t) => t.solved).length,
      candidates: taskJson.reduce((n, t) => n + t.candidates.length, 0),
      jobs: counts.ran + counts.cached + counts.cancelled,
      ...counts,
      wallMs: Math.round(wallMs * 1000) / 1000,
      ...unknownSummary(taskJson, p.unknownOutputs),
      ...(scored.stability ? { stability: scored.stability.summary } : {}),
    },
    tasks: taskJson,
    phases: p.timer.phases(wallMs),
    cache: {
      inline: { hits: ws.inline.hits, misses: ws.inline.misses, entries: env.inlineCache.size, savedMs: ws.inline.savedMs },
      validation: { hits: validation.hits, misses: validation.misses, entries: env.validationStore.size, savedMs: validation.savedMs },
    },
    pool: { workers: s.workers, ...env.poolInfo() },
    stored: p.stored,
    errors: p.errors.map((e) => ({ ...e })),
  };
}

/** summary.unknownOutputs: the run's tasks whose test outputs are unknown, and the distinct reasons (none: absent). */
function unknownSummary(taskJson: RunJson['tasks'], why: Map<string, string>): Pick<RunJson['summary'], 'unknownOutputs'> {
  const reasons = taskJson.map((t) => why.get(t.id)).filter((r): r is string => r !== undefined);
  return reasons.length ? { unknownOutputs: { tasks: reasons.length, reasons: [...new Set(reasons)] } } : {};
}
