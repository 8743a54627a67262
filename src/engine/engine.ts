/**
 * The engine: one workspace, one persistent worker pool, two analyzers, the caches. Shared unchanged by the CLI and
 * the language server. `run()` lends them to the phases of one run (run.ts): discover, inline, score, store.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Analyzer } from './workspace/analyzer';
import type { LintProblem, NamesResult } from '../protocol/analyzer';
import { resolveImport } from './workspace/files';
import { ConfigError, optionValues, readBattJson, resolveSettings, settingPlaces, type EngineSettingOptions, type ExplicitFrom } from './settings';
import { cacheDirError, interpreterError, tasksPathError, type SettingOwner } from './configErrors';
import type { FileParse, InlineEntry, WorkspaceFile } from './workspace/discover';
import { filesWithPatches } from './workspace/patch';
import { InterpreterFingerprints } from './workspace/interpreter';
import { isUnwritable, sha256 } from './fsutil';
import { KvStats, KvStore } from './store/kvStore';
import { SkippedWrites } from './store/skippedWrites';
import { defaultCacheDir, legacyCacheNote } from './store/cacheLocation';
import { Pool, PoolStatus } from './pool/pool';
import { RUN_HASH_SEED, type JobPool } from './pool/types';
import { ClusterPool } from './cluster/clusterPool';
import { clusterAddressError, coordinatorScript, newClusterPool } from './cluster/connect';
import { sandboxWarning } from './pool/sandbox';
import { runOnce, type RunEnv, type RunOptions } from './run';
import { CHECK_HASH_SEED, CHECK_WORKERS } from './scoring/stable';
import { CheckPool } from './scoring/stablePool';
import { loadTasks, resolveTasksPath, TaskFileCache } from './tasks/tasks';
import { UsageError } from './errors';
import { analyzerScript, defaultWorkerDir, scoringScript } from './workerDir';
import type { InputError, Task } from './types';
import type { CachedVerdict } from './store/validation';
import type { RunJson } from '../protocol/results';
import type { TraceJson } from '../protocol/trace';
import { TraceCache, type CachedTrace } from './trace/cache';
import { traceSolver, type TraceOptions } from './trace/trace';

/** The workspace, the explicitly chosen settings (the rest resolve through batt.json, environment, defaults) and hooks. */
export interface EngineOptions extends EngineSettingOptions {
  workspace: string;
  /** start the workers at the start of every run, overlapping discovery (the language server's persistent engine);
   *  otherwise they start early only when the validation cache is empty (a cold run will need them) */
  eagerPool?: boolean;
  /** directory holding scoring/main.py and analyzer/analyze.py */
  workerDir?: string;
  /** how messages name the explicit options: as `batt run` flags ('cli'), as VS Code settings ('vscode'), else both */
  explicitFrom?: ExplicitFrom;
  log?: (line: string) => void;
  onPoolStatus?: (s: PoolStatus) => void;
}



export { defaultWorkerDir } from './workerDir';
export type { RunOptions } from './run';

export class Engine {
  readonly root: string;
  private pool?: JobPool;
  private poolStarting?: Promise<JobPool>;
  private analyzerProc?: Analyzer;
  private analyzerProc2?: Analyzer;
  private loaded?: Promise<void>;
  private readonly fileCache: KvStore<{ sha: string; parse: FileParse }>;
  private readonly inlineCache: KvStore<InlineEntry>;
  private readonly validationStore: KvStore<CachedVerdict>;
  private readonly traceStore: KvStore<CachedTrace>;
  private traces?: TraceCache;
  private readonly durations: KvStore<number>;
  private readonly interpreters: InterpreterFingerprints;
  /** fingerprint of the interpreter the running (or starting) pool was started with */
  private poolInterpreter?: Promise<string>;
  private restarts = 0;
  /** the stability check's workers (scoring/stablePool.ts) */
  private readonly checkPool = new CheckPool(() => ({ pool: this.newPool(true), interpreter: this.interpreter(this.settings().python) }));
  private readonly taskFiles: TaskFileCache = new Map();
  /** the workspace files as the workers were last told about them (base of FilePatch) */
  private sentFiles = new Map<string, WorkspaceFile>();
  readonly cacheDir: string;

  constructor(private readonly opts: EngineOptions) {
    if (!fs.existsSync(opts.workspace) || !fs.statSync(opts.workspace).isDirectory()) {
      throw new UsageError(`workspace ${opts.workspace} is not a folder`);
    }
    this.root = fs.realpathSync(opts.workspace);
    const s = this.settings();
    this.cacheDir = s.cacheDir ? path.resolve(this.root, s.cacheDir) : defaultCacheDir(this.root);
    const cacheError = cacheDirError(this.owner, this.cacheDir, s.from.cacheDir);
    if (cacheError) throw cacheError;
    this.fileCache = new KvStore(path.join(this.cacheDir, 'parses'), { maxEntries: 20000 });
    this.inlineCache = new KvStore(path.join(this.cacheDir, 'inlining'));
    this.validationStore = new KvStore(path.join(this.cacheDir, 'validation'));
    this.traceStore = new KvStore(path.join(this.cacheDir, 'traces'));
    this.durations = new KvStore(path.join(this.cacheDir, 'durations'));
    this.interpreters = new InterpreterFingerprints(path.join(this.cacheDir, 'interpreters.json'), opts.log);
  }

  /**
   * Effective settings (src/engine/settings.ts): explicit options > batt.json > environment > defaults. Re-read each
   * run. A batt.json that is not a JSON object is a ConfigError: nothing runs on a guess of its settings.
   */
  settings() {
    const o = this.opts;
    const file = readBattJson(this.root);
    if (file.unusable) throw new ConfigError(file.unusable);
    const { values: v, from, errors } = resolveSettings({ workspace: this.root, explicit: optionValues(o), file, env: process.env, explicitFrom: o.explicitFrom });
    return {
      python: v.pythonPath,
      workers: v.workers,
      // An explicit timeout is used as given (no round trip through seconds: it is part of the cache keys).
      timeoutMs: from.timeoutSeconds === 'explicit' && o.timeoutMs !== undefined ? o.timeoutMs : v.timeoutSeconds * 1000,
      memoryMB: v.memoryLimitMB,
      timeoutQuarantine: v.timeoutQuarantine,
      include: v.include,
      exclude: v.exclude,
      // An explicit tasks path is relative to the cwd, batt.json's to the workspace.
      tasks: resolveTasksPath(this.root, from.tasksPath === 'explicit' ? v.tasksPath : undefined, from.tasksPath === 'batt.json' ? v.tasksPath : undefined),
      configTasks: file.values.tasksPath,
      /** the tasks path as set (explicit: as given; batt.json: relative to the workspace), whether or not it exists */
      tasksSet: from.tasksPath === 'explicit' ? path.resolve(v.tasksPath) : from.tasksPath === 'batt.json' ? path.resolve(this.root, v.tasksPath) : undefined,
      cacheDir: v.cacheDir,
      sandbox: v.sandbox,
      cluster: v.cluster,
      clusterPython: v.clusterPython,
      from,
      errors,
    };
  }

  /**
   * What is wrong with the configured interpreter (a ConfigError saying how to fix it, naming where it was set), or
   * undefined when it works (or the probe could not tell).
   */
  private async interpreterError(s: ReturnType<Engine['settings']>): Promise<ConfigError | undefined> {
    const problem = await this.interpreters.problem(s.python, this.root, [this.root]);
    return problem === undefined ? undefined : interpreterError(this.owner, s.python, s.from.pythonPath, problem);
  }

  private get owner(): SettingOwner {
    return { workspace: this.root, explicitFrom: this.opts.explicitFrom };
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
      sandbox: this.settings().sandbox ? { roots: [this.root], pycacheDir: this.pycacheDir() } : undefined,
      onLog: (l) => this.opts.log?.(`[analyzer] ${l}`),
    });
  }

  private interpreter(python: string): Promise<string> {
    return this.interpreters.fingerprint(python, this.root, [this.root]);
  }

  /**
   * The fingerprint of the configured interpreter, for a run's validation keys. Workers started under another one (the
   * setting changed, a launcher now picks another Python, a package was installed since) are restarted first, so the
   * verdicts come from the interpreter their key names.
   */
  private async runInterpreter(): Promise<string> {
    const fp = await this.interpreter(this.settings().python);
    const running = [await this.poolInterpreter, await this.checkPool.interpreter];
    if (running.some((r) => r !== undefined && r !== fp)) {
      this.opts.log?.('the interpreter changed since the workers started: restarting them');
      await this.restartPool();
    } else if (this.pool?.sandbox.stale() || this.checkPool.stale()) {
      this.opts.log?.('a folder or file appeared on the way down to the tasks folder: restarting the sandboxed workers');
      await this.restartPool();
    }
    // A cluster's workers run the coordinator's Python version (checked at connect): keyed by the coordinator's.
    const s = this.settings();
    const jobsFp = s.cluster ? `cluster ${await this.interpreter(s.clusterPython)}` : fp;
    // What an unsandboxed solver does (a delete that goes through) is not what it does sandboxed: keyed apart.
    return s.sandbox ? jobsFp : `${jobsFp} unsandboxed`;
  }

  /** A pool of the configured interpreter, limits and sandbox (not started); `check`: the stability check's. */
  private newPool(check = false): Pool {
    const s = this.settings();
    const label = check ? 'check worker' : 'worker';
    return new Pool({
      python: s.python,
      workerScript: scoringScript(this.workerDir()),
      roots: [this.root],
      workers: check ? Math.min(CHECK_WORKERS, s.workers) : s.workers,
      timeoutMs: s.timeoutMs,
      memoryMB: s.memoryMB,
      pycacheDir: this.pycacheDir(),
      sandbox: { enabled: s.sandbox, tasksPath: s.tasks },
      ...(check ? { hashSeed: CHECK_HASH_SEED } : {}),
      onLog: (id, stream, line) => this.opts.log?.(`[${label} ${id}${stream === 'worker' ? '' : ` ${stream}`}] ${line}`),
    });
  }

  /** Starts the pool on first need; later runs reuse it. */
  private startPool(): Promise<JobPool> {
    if (this.pool) return Promise.resolve(this.pool);
    if (!this.poolStarting) {
      const s = this.settings();
      this.poolInterpreter = this.interpreter(s.python);
      const cluster = { root: this.root, script: coordinatorScript(this.workerDir()), hashSeed: RUN_HASH_SEED, log: this.opts.log };
      const pool = s.cluster ? newClusterPool(this.owner, s, cluster) : this.newPool();
      if (this.opts.onPoolStatus) pool.on('status', this.opts.onPoolStatus);
      this.poolStarting = pool.start().then(
        () => {
          this.pool = pool;
          return pool;
        },
        async (e) => {
          this.poolStarting = undefined;
          this.poolInterpreter = undefined;
          await pool.dispose().catch(() => undefined);
          throw e;
        },
      );
    }
    return this.poolStarting;
  }

  /** Starts the workers now (they otherwise start on the first run that needs them). A bad interpreter is a ConfigError. */
  async startWorkers(): Promise<void> {
    const s = this.settings();
    const bad = (await this.interpreterError(s)) ?? (s.cluster ? clusterAddressError(this.owner, s) : undefined);
    if (bad) throw bad;
    await this.startPool();
  }

  poolStatus(): PoolStatus | undefined {
    return this.pool?.status();
  }

  private get stores(): Array<KvStore<unknown>> {
    return [this.fileCache, this.inlineCache, this.validationStore, this.durations, this.traceStore] as Array<KvStore<unknown>>;
  }

  /** Loads the caches once; a cache folder the file system refuses to read is an empty cache (noted in `writes`). */
  private loadCaches(writes: SkippedWrites): Promise<void> {
    this.loaded ??= Promise.all(
      this.stores.map((st) =>
        st.load().catch((e: unknown) => {
          if (!writes.note('the cache', e, this.cacheDir)) throw e;
        }),
      ),
    ).then(() => undefined);
    return this.loaded;
  }

  /**
   * One run (src/engine/run.ts). Never throws for solver or input faults (they are verdicts and errors); throws
   * UsageError for bad setup: a ConfigError for a tasks path or interpreter that does not work, naming where it was set.
   * What the file system refuses to write (a read-only cache or workspace) is skipped, with one warning in the errors.
   */
  async run(ro: RunOptions = {}): Promise<RunJson> {
    const s = this.settings();
    if (!s.tasks && s.tasksSet) throw tasksPathError(this.owner, s.tasksSet, s.from.tasksPath);
    // Before anything starts Python (the probe is remembered: a known interpreter costs a few stats). Something that
    // is not Python may never answer the analyzer.
    const bad = (await this.interpreterError(s)) ?? (s.cluster ? clusterAddressError(this.owner, s) : undefined);
    if (bad) throw bad;
    const writes = new SkippedWrites();
    const json = await runOnce(this.runEnv(writes), ro);
    const warning = writes.warning(this.cacheDir, s.from.cacheDir === 'default' ? `choose another cache folder with ${settingPlaces('cacheDir', this.opts.explicitFrom)}` : undefined);
    if (warning) json.errors.push(warning);
    const legacy = legacyCacheNote(this.root, this.cacheDir);
    if (legacy) json.errors.push(legacy);
    const unsandboxed = json.pool.started ? sandboxWarning(this.root, this.pool?.sandbox.state) : undefined;
    if (unsandboxed) json.errors.push(unsandboxed);
    return json;
  }

  /** One solver's values per statement per pair (src/engine/trace/trace.ts); UsageError for an unknown solver or task. */
  async trace(o: TraceOptions): Promise<TraceJson> {
    const s = this.settings();
    if (!s.tasks && s.tasksSet) throw tasksPathError(this.owner, s.tasksSet, s.from.tasksPath);
    const bad = await this.interpreterError(s);
    if (bad) throw bad;
    return traceSolver({ ...this.runEnv(new SkippedWrites()), traces: (this.traces ??= new TraceCache(this.traceStore)) }, o);
  }

  /** What a run borrows from the engine. */
  private runEnv(writes: SkippedWrites): RunEnv {
    return {
      root: this.root,
      settings: () => this.settings(),
      taskFiles: this.taskFiles,
      fileCache: this.fileCache,
      inlineCache: this.inlineCache,
      validationStore: this.validationStore,
      durations: this.durations,
      loadCaches: () => this.loadCaches(writes),
      flushCaches: async () => {
        for (const r of await Promise.allSettled(this.stores.map((st) => st.flush()))) {
          if (r.status === 'rejected' && !writes.note('the cache', r.reason, this.cacheDir)) throw r.reason;
        }
      },
      writes,
      analyzer: () => this.analyzer(),
      analyzer2: () => this.analyzer2(),
      precompile: (files, overrides) => this.precompile(files, overrides),
      interpreter: () => this.runInterpreter(),
      warmPool: () => {
        // Overlap pool start-up with discovery; a failure surfaces when the score phase awaits the pool.
        if (!this.pool && (this.opts.eagerPool || this.validationStore.size === 0)) this.startPool().catch(() => undefined);
      },
      startPool: () => this.startPool(),
      startCheckPool: () => this.checkPool.start(),
      sendCheckFiles: (pool, files) => this.checkPool.send(pool, files),
      sendFiles: (pool, files) => {
        pool.setFiles(filesWithPatches(files, this.sentFiles));
        this.sentFiles = new Map(files);
      },
      poolInfo: () => ({
        restarts: this.pool?.status().restarts ?? this.restarts,
        started: !!this.pool,
        python: this.pool?.status().python,
        ...(this.pool instanceof ClusterPool ? this.pool.runPoolInfo() : {}),
      }),
      log: this.opts.log,
    };
  }

  /** Kills and respawns the workers (a fresh pool on the next run). */
  async restartPool(): Promise<void> {
    const p = this.pool ?? (await this.poolStarting?.catch(() => undefined));
    this.pool = undefined;
    this.poolStarting = undefined;
    this.poolInterpreter = undefined;
    this.sentFiles = new Map();
    await this.checkPool.dispose();
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
  private async dslNames(file: string, text: string, seen = new Set<string>(), own?: NamesResult): Promise<string[]> {
    seen.add(file);
    const detail = own ?? (await this.analyzer().namesDetailed(file, text));
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

  /** The arc-dsl formatting rules (domain.md §7) on a solver file's current text, or its syntax error (code `syntax`). Parses only; runs nothing. */
  async lint(file: string, text: string): Promise<LintProblem[]> {
    const own = await this.analyzer().namesDetailed(file, text);
    // a module that does not parse has nothing to lint: its syntax error is the problem, reported as you type
    const e = own.syntaxError;
    if (e) return [{ line: e.line, col: e.col, endCol: e.col + 1, severity: 'error', code: 'syntax', message: `SyntaxError: ${e.message}` }];
    const names = await this.dslNames(file, text, new Set(), own);
    return this.analyzer().lint(file, text, names);
  }

  /** A Python file's solve_* functions and batt entries as the analyzer parses them (runs nothing; the Testing view's
   *  discovery): the runs' parse cache when it has this text, else the analyzer (incremental per path). */
  async parse(file: string, text: string): Promise<Pick<FileParse, 'functions' | 'batt' | 'syntaxError'>> {
    const writes = new SkippedWrites();
    await this.loadCaches(writes);
    if (writes.warning(this.cacheDir)) this.loaded = undefined; // an unreadable cache: the next run loads it and says so
    const cached = this.fileCache.get(file);
    if (cached && cached.sha === sha256(text)) return cached.parse;
    return this.analyzer().parse(file, text, { withSources: false });
  }

  /** On-disk statistics of each cache (entries, bytes, ages). */
  async cacheInfo(): Promise<Record<'validation' | 'inlining' | 'files' | 'durations' | 'traces', KvStats>> {
    const [validation, inlining, files, durations, traces] = await Promise.all([
      this.validationStore.stats(),
      this.inlineCache.stats(),
      this.fileCache.stats(),
      this.durations.stats(),
      this.traceStore.stats(),
    ]);
    return { validation, inlining, files, durations, traces };
  }

  /** Clears every cache; a cache folder the file system refuses to change is a UsageError saying so. */
  async clearCache(): Promise<void> {
    try {
      await Promise.all(this.stores.map((st) => st.clear()));
      this.compiled.clear();
      await Promise.all([fs.promises.rm(this.pycacheDir(), { recursive: true, force: true }), this.interpreters.clear()]);
    } catch (e) {
      if (isUnwritable(e)) throw new UsageError(`cannot clear the cache in ${this.cacheDir}: ${(e as Error).message}`);
      throw e;
    }
  }

  async dispose(): Promise<void> {
    this.analyzerProc?.dispose();
    this.analyzerProc2?.dispose();
    this.analyzerProc = this.analyzerProc2 = undefined;
    await this.restartPool();
  }
}
