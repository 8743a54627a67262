/**
 * The engine: one workspace, one persistent worker pool, one analyzer, the caches. Shared unchanged by the CLI and
 * the language server. `run()` goes through the phases startup, discover, inline, score, store.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Analyzer } from './workspace/analyzer';
import type { LintProblem } from '../protocol/analyzer';
import { importClosure, resolveImport } from './workspace/files';
import { readWorkspaceConfig } from './config';
import { canonicalise, discoverFiles, FileParse, InlineEntry, WorkspaceFile, WorkspaceModel } from './workspace/discover';
import { filesWithPatches } from './workspace/patch';
import { sha256 } from './fsutil';
import { appendRunLog, runRecord } from './store/runLog';
import { KvStats, KvStore } from './store/kvStore';
import { Pool, PoolStatus } from './pool/pool';
import { assembleTasks, selectCandidates } from './scoring/assemble';
import { scorePhase } from './scoring/jobs';
import { storeSolver, storedFiles, storedSource } from './store/solverStore';
import { loadTasks, resolveTasksPath, TaskFileCache } from './tasks/tasks';
import { PhaseTimer } from './timing';
import { UsageError } from './errors';
import { analyzerScript, defaultWorkerDir, scoringScript } from './workerDir';
import type { InputError, Task } from './types';
import { CachedVerdict, ValidationCache } from './store/validation';
import { DEFAULTS } from '../protocol/settings';
import type { RunJson } from '../protocol/results';

export interface EngineOptions {
  workspace: string;
  python?: string;
  tasksPath?: string;
  workers?: number;
  timeoutMs?: number;
  memoryMB?: number;
  include?: string[];
  exclude?: string[];
  cacheDir?: string;
  /** start the workers at the start of every run, overlapping discovery (the language server's persistent engine);
   *  otherwise they start early only when the validation cache is empty (a cold run will need them) */
  eagerPool?: boolean;
  /** directory holding scoring/main.py and analyzer/analyze.py */
  workerDir?: string;
  log?: (line: string) => void;
  onPoolStatus?: (s: PoolStatus) => void;
}

export interface RunOptions {
  /** task ids to run (default: all) */
  tasks?: string[];
  /** every candidate of the workspace is a candidate for every task */
  battery?: boolean;
  /** include the solver store's candidates */
  includeStore?: boolean;
  store?: boolean;
  /** only candidates defined in these files */
  files?: string[];
  /** only candidates defined in these files or importing them (directly or not): what a save of these files affects */
  changed?: string[];
  /** unsaved contents by absolute path */
  overrides?: Map<string, string>;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  noCache?: boolean;
  /** called with every task the run loaded (not only the selected ones), so a caller needs no second read */
  onTasks?: (tasks: Task[]) => void;
}


export { defaultWorkerDir } from './workerDir';

export class Engine {
  readonly root: string;
  private pool?: Pool;
  private poolStarting?: Promise<Pool>;
  private analyzerProc?: Analyzer;
  private analyzerProc2?: Analyzer;
  private loaded?: Promise<void>;
  private readonly fileCache: KvStore<{ sha: string; parse: FileParse }>;
  private readonly inlineCache: KvStore<InlineEntry>;
  private readonly validationStore: KvStore<CachedVerdict>;
  private readonly durations: KvStore<number>;
  private restarts = 0;
  private readonly taskFiles: TaskFileCache = new Map();
  /** the workspace files as the workers were last told about them (base of FilePatch) */
  private sentFiles = new Map<string, WorkspaceFile>();
  readonly cacheDir: string;

  constructor(private readonly opts: EngineOptions) {
    if (!fs.existsSync(opts.workspace) || !fs.statSync(opts.workspace).isDirectory()) {
      throw new UsageError(`workspace ${opts.workspace} is not a folder`);
    }
    this.root = fs.realpathSync(opts.workspace);
    const cfg = readWorkspaceConfig(this.root).config;
    this.cacheDir = path.resolve(this.root, opts.cacheDir ?? cfg.cacheDir ?? path.join('.batt', 'cache'));
    this.fileCache = new KvStore(path.join(this.cacheDir, 'parses'), { maxEntries: 20000 });
    this.inlineCache = new KvStore(path.join(this.cacheDir, 'inlining'));
    this.validationStore = new KvStore(path.join(this.cacheDir, 'validation'));
    this.durations = new KvStore(path.join(this.cacheDir, 'durations'));
  }

  /** Effective settings: explicit options > batt.json > defaults. Re-read each run. */
  settings() {
    const { config, errors } = readWorkspaceConfig(this.root);
    const o = this.opts;
    return {
      python: o.python || config.python || process.env.BATT_PYTHON || 'python3',
      workers: o.workers ?? config.workers ?? DEFAULTS.workers,
      timeoutMs: o.timeoutMs ?? (config.timeoutSeconds ?? DEFAULTS.timeoutSeconds) * 1000,
      memoryMB: o.memoryMB ?? config.memoryLimitMB ?? DEFAULTS.memoryLimitMB,
      include: o.include ?? config.include ?? DEFAULTS.include,
      exclude: o.exclude ?? config.exclude ?? DEFAULTS.exclude,
      tasks: resolveTasksPath(this.root, o.tasksPath, config.tasks),
      configTasks: config.tasks,
      errors,
    };
  }

  /** Hash-checked bytecode of the workspace's modules, written by the analyzer and read by the workers. */
  private pycacheDir(): string {
    return path.join(this.cacheDir, 'pyc');
  }

  /** Files whose bytecode was last precompiled, by content hash. */
  private readonly compiled = new Map<string, string>();

  /**
   * Precompiles changed workspace modules in the background, so workers that start or restart skip compiling
   * them. Failures only cost that speed-up.
   */
  private precompile(files: Map<string, WorkspaceFile>, overrides?: Map<string, string>): void {
    const todo = [...files.values()].filter((f) => !overrides?.has(f.path) && !f.parse.syntaxError && this.compiled.get(f.path) !== f.sha);
    if (!todo.length) return;
    for (const f of todo) this.compiled.set(f.path, f.sha);
    // On the second analyzer, so it overlaps canonicalisation on the first and is done before the workers import.
    this.analyzer2()
      .precompile(this.pycacheDir(), todo.map((f) => ({ path: f.path, source: f.text })))
      .catch((e: Error) => {
        for (const f of todo) this.compiled.delete(f.path);
        this.opts.log?.(`precompile failed: ${e.message}`);
      });
  }

  private workerDir(): string {
    return this.opts.workerDir ?? defaultWorkerDir();
  }

  private analyzer(): Analyzer {
    this.analyzerProc ??= this.newAnalyzer();
    return this.analyzerProc;
  }

  /** The second analyzer, for the other half of big canonicalisation batches (started on first need). */
  private analyzer2(): Analyzer {
    this.analyzerProc2 ??= this.newAnalyzer();
    return this.analyzerProc2;
  }

  private newAnalyzer(): Analyzer {
    return new Analyzer({
      python: this.settings().python,
      script: analyzerScript(this.workerDir()),
      onLog: (l) => this.opts.log?.(`[analyzer] ${l}`),
    });
  }

  /** Starts the pool on first need; later runs reuse it. */
  private startPool(): Promise<Pool> {
    if (this.pool) return Promise.resolve(this.pool);
    if (!this.poolStarting) {
      const s = this.settings();
      const pool = new Pool({
        python: s.python,
        workerScript: scoringScript(this.workerDir()),
        roots: [this.root],
        workers: s.workers,
        timeoutMs: s.timeoutMs,
        memoryMB: s.memoryMB,
        pycacheDir: this.pycacheDir(),
        onLog: (id, stream, line) => this.opts.log?.(`[worker ${id}${stream === 'worker' ? '' : ` ${stream}`}] ${line}`),
      });
      if (this.opts.onPoolStatus) pool.on('status', this.opts.onPoolStatus);
      this.poolStarting = pool.start().then(
        () => {
          this.pool = pool;
          return pool;
        },
        async (e) => {
          this.poolStarting = undefined;
          await pool.dispose().catch(() => undefined);
          throw e;
        },
      );
    }
    return this.poolStarting;
  }

  /** Starts the workers now (they otherwise start on the first run that needs them). */
  async startWorkers(): Promise<void> {
    await this.startPool();
  }

  poolStatus(): PoolStatus | undefined {
    return this.pool?.status();
  }

  private loadCaches(): Promise<void> {
    this.loaded ??= Promise.all([this.fileCache.load(), this.inlineCache.load(), this.validationStore.load(), this.durations.load()]).then(() => undefined);
    return this.loaded;
  }

  /** One run. Never throws for solver or input faults (they are verdicts and errors); throws UsageError for bad setup. */
  async run(ro: RunOptions = {}): Promise<RunJson> {
    const timer = new PhaseTimer();
    const startedAt = new Date().toISOString();
    const s = this.settings();
    const errors: InputError[] = [...s.errors];
    const validation = new ValidationCache(this.validationStore);

    const { tasks, model } = await timer.time('discover', async () => {
      await this.loadCaches();
      if (!this.pool && (this.opts.eagerPool || this.validationStore.size === 0)) {
        // Overlap pool start-up with discovery; a failure surfaces when the score phase awaits the pool.
        this.startPool().catch(() => undefined);
      }
      if (!s.tasks) {
        throw new UsageError(
          `no tasks found for workspace ${this.root}: pass --tasks <folder|file>, set "tasks" in ${path.join(this.root, 'batt.json')}, or add a tasks/ or data/training/ folder`,
        );
      }
      if (!fs.existsSync(s.tasks)) throw new UsageError(`tasks path ${s.tasks} does not exist`);
      const [load, extra] = await Promise.all([loadTasks(s.tasks, this.taskFiles), ro.includeStore ? storedFiles(this.root) : Promise.resolve([])]);
      errors.push(...load.errors);
      ro.onTasks?.(load.tasks);
      let selected: Task[] = load.tasks;
      if (ro.tasks?.length) {
        const byId = new Map(load.tasks.map((t) => [t.id, t]));
        const unknown = ro.tasks.filter((id) => !byId.has(id));
        if (unknown.length && unknown.length === ro.tasks.length && !load.errors.some((e) => unknown.some((u) => e.file.includes(u)))) {
          throw new UsageError(`task ${unknown.join(', ')} not found in ${s.tasks}`);
        }
        for (const id of unknown) errors.push({ kind: 'config', file: s.tasks, message: `task ${id} not found` });
        selected = ro.tasks.map((id) => byId.get(id)).filter((t): t is Task => !!t);
      }
      const found = await discoverFiles(this.discoverInput(s, extra, ro.overrides));
      errors.push(...found.errors);
      return { tasks: selected, model: found.files };
    });

    this.precompile(model, ro.overrides);
    const ws: WorkspaceModel = await timer.time('inline', () => canonicalise(this.discoverInput(s, [], ro.overrides), model));
    errors.push(...ws.errors);

    let files = ro.files;
    if (ro.changed) {
      const changed = new Set(ro.changed);
      const directDeps = new Map([...ws.files.values()].map((f) => [f.path, f.deps]));
      files = [...ws.files.keys()].filter((p) => changed.has(p) || importClosure(p, directDeps).some((d) => changed.has(d)));
    }
    const selections = selectCandidates(tasks, ws.candidates, { battery: !!ro.battery, files });
    let poolStarted = false;
    const poolOnce = async () => {
      if (!poolStarted) {
        poolStarted = true;
        const t0 = performance.now();
        const pool = await this.startPool();
        timer.add('startup', performance.now() - t0);
        pool.setFiles(filesWithPatches(ws.files, this.sentFiles));
        this.sentFiles = new Map(ws.files);
        return pool;
      }
      return this.startPool();
    };
    const scoreT0 = performance.now();
    const scored = await scorePhase({
      selections: selections.map((x) => ({ task: x.task, candidates: x.unique })),
      depsFingerprint: ws.depsFingerprint,
      validation,
      durations: this.durations,
      timeoutMs: s.timeoutMs,
      memoryMB: s.memoryMB,
      pool: poolOnce,
      signal: ro.signal,
      onProgress: ro.onProgress,
      noCache: ro.noCache,
    });
    await Promise.all([this.validationStore.flush(), this.durations.flush(), this.fileCache.flush(), this.inlineCache.flush()]);
    // The score phase excludes pool start-up, which it awaited on first need.
    const startupMs = timer.phases().find((p) => p.name === 'startup')!.ms;
    timer.add('score', performance.now() - scoreT0 - startupMs);

    const taskJson = assembleTasks(selections, scored.results, this.root);
    const stored: RunJson['stored'] = [];
    if (ro.store && !scored.cancelled) {
      await timer.time('store', async () => {
        for (const sel of selections) {
          const tj = taskJson.find((t) => t.id === sel.task.id)!;
          for (const cj of tj.candidates) {
            if (!cj.solved || cj.duplicateOf) continue;
            const c = sel.unique.find((u) => u.hash === cj.hash)!;
            if (c.file.startsWith(path.join(this.root, '.batt'))) continue; // already in the store
            const file = ws.files.get(c.file)!;
            const rel = path.relative(this.root, c.file);
            const text = storedSource(c, sel.task, file.text, { status: cj.status, demo: cj.demo, test: cj.test, solved: true, ms: cj.ms }, rel);
            const p = await storeSolver(
              this.root,
              { task: sel.task.id, hash: c.hash, name: c.name, origin: rel, line: c.line, demo: `${cj.demo.passed}/${cj.demo.total}`, test: `${cj.test.passed}/${cj.test.total}`, ms: cj.ms },
              text,
            );
            if (p) stored.push({ task: sel.task.id, name: c.name, path: p });
          }
        }
      });
    }

    const wallMs = timer.elapsed();
    const hits = validation.hits + ws.inline.hits;
    const json: RunJson = {
      version: 1,
      workspace: this.root,
      tasksPath: s.tasks,
      startedAt,
      temperature: scored.ran === 0 && hits > 0 ? 'hot' : hits === 0 ? 'cold' : 'warm',
      cancelled: scored.cancelled,
      summary: {
        tasks: taskJson.length,
        solved: taskJson.filter((t) => t.solved).length,
        candidates: taskJson.reduce((n, t) => n + t.candidates.length, 0),
        jobs: scored.jobs,
        ran: scored.ran,
        wallMs: Math.round(wallMs * 1000) / 1000,
      },
      tasks: taskJson,
      phases: timer.phases(wallMs),
      cache: {
        inline: { hits: ws.inline.hits, misses: ws.inline.misses, entries: this.inlineCache.size, savedMs: ws.inline.savedMs },
        validation: { hits: validation.hits, misses: validation.misses, entries: this.validationStore.size, savedMs: validation.savedMs },
      },
      pool: { workers: s.workers, restarts: this.pool?.status().restarts ?? this.restarts, started: !!this.pool, python: this.pool?.status().python },
      stored,
      errors: errors.map((e) => ({ ...e })),
    };
    await appendRunLog(this.root, runRecord(json)).catch((e) => this.opts.log?.(`cannot write runs.jsonl: ${(e as Error).message}`));
    return json;
  }

  private discoverInput(s: ReturnType<Engine['settings']>, extraFiles: string[], overrides?: Map<string, string>) {
    return {
      root: this.root,
      include: s.include,
      exclude: s.exclude,
      extraFiles,
      overrides,
      analyzer: () => this.analyzer(),
      analyzer2: () => this.analyzer2(),
      fileCache: this.fileCache,
      inlineCache: this.inlineCache,
    };
  }

  /** Kills and respawns the workers (a fresh pool on the next run). */
  async restartPool(): Promise<void> {
    const p = this.pool ?? (await this.poolStarting?.catch(() => undefined));
    this.pool = undefined;
    this.poolStarting = undefined;
    this.sentFiles = new Map();
    if (p) {
      this.restarts += p.status().restarts + p.status().workers.length;
      await p.dispose();
    }
  }

  /** The workspace's tasks (for pickers); errors are the bad task files. */
  async listTasks(): Promise<{ tasks: Task[]; errors: InputError[]; path?: string }> {
    const s = this.settings();
    if (!s.tasks || !fs.existsSync(s.tasks)) return { tasks: [], errors: [], path: s.tasks };
    const r = await loadTasks(s.tasks, this.taskFiles);
    return { ...r, path: s.tasks };
  }

  private readonly namesCache = new Map<string, { sha: string; names: string[] }>();

  /** Names a solver file can use: its star-imported workspace modules' names (recursively), e.g. dsl and constants. */
  private async dslNames(file: string, text: string, seen = new Set<string>()): Promise<string[]> {
    seen.add(file);
    const detail = await this.analyzer().namesDetailed(file, text);
    const out = new Set<string>(detail.names);
    for (const imp of detail.starImports) {
      const target = resolveImport(this.root, file, imp, (p) => fs.existsSync(p));
      if (!target || seen.has(target)) continue;
      let t: string;
      try {
        t = await fs.promises.readFile(target, 'utf8');
      } catch {
        continue;
      }
      const sha = sha256(t);
      const cached = this.namesCache.get(target);
      let names: string[];
      if (cached && cached.sha === sha) names = cached.names;
      else {
        names = await this.dslNames(target, t, seen);
        this.namesCache.set(target, { sha, names });
      }
      for (const n of names) out.add(n);
    }
    return [...out];
  }

  /** The arc-dsl formatting rules (domain.md §7) on a solver file's current text. Parses only; runs nothing. */
  async lint(file: string, text: string): Promise<LintProblem[]> {
    const names = await this.dslNames(file, text);
    return this.analyzer().lint(file, text, names);
  }

  /** On-disk statistics of each cache (entries, bytes, ages). */
  async cacheInfo(): Promise<Record<'validation' | 'inlining' | 'files' | 'durations', KvStats>> {
    const [validation, inlining, files, durations] = await Promise.all([
      this.validationStore.stats(),
      this.inlineCache.stats(),
      this.fileCache.stats(),
      this.durations.stats(),
    ]);
    return { validation, inlining, files, durations };
  }

  async clearCache(): Promise<void> {
    await Promise.all([this.fileCache.clear(), this.inlineCache.clear(), this.validationStore.clear(), this.durations.clear()]);
    this.compiled.clear();
    await fs.promises.rm(this.pycacheDir(), { recursive: true, force: true });
  }

  async dispose(): Promise<void> {
    this.analyzerProc?.dispose();
    this.analyzerProc2?.dispose();
    this.analyzerProc = this.analyzerProc2 = undefined;
    await this.restartPool();
  }
}
