/**
 * The engine: one workspace, one persistent worker pool, two analyzers, the caches. Shared unchanged by the CLI and
 * the language server. `run()` lends them to the phases of one run (run.ts): discover, inline, score, store.
 * Its parts: effectiveSettings.ts (settings), caches.ts (cache folder), analyzers.ts, workerPools.ts (local, cluster
 * and stability-check workers).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { LintProblem } from '../protocol/analyzer';
import { ConfigError, settingPlaces, type EngineSettingOptions, type ExplicitFrom } from './settings';
import { cacheDirError, interpreterError, tasksPathError, type SettingOwner } from './configErrors';
import type { FileParse } from './workspace/discover';
import { isUnwritable, sha256 } from './fsutil';
import { KvStats } from './store/kvStore';
import { SkippedWrites } from './store/skippedWrites';
import { defaultCacheDir, legacyCacheNote } from './store/cacheLocation';
import { PoolStatus } from './pool/pool';
import { clusterAddressError } from './cluster/connect';
import { sandboxWarning } from './pool/sandbox';
import { runOnce, type RunEnv, type RunOptions } from './run';
import { loadTasks, TaskFileCache } from './tasks/tasks';
import { UsageError } from './errors';
import { defaultWorkerDir } from './workerDir';
import type { InputError, Task } from './types';
import type { RunJson } from '../protocol/results';
import type { TraceJson } from '../protocol/trace';
import { traceSolver, type TraceOptions } from './trace/trace';
import { effectiveSettings, type EffectiveSettings } from './effectiveSettings';
import { EngineCaches } from './caches';
import { Analyzers } from './analyzers';
import { WorkerPools } from './workerPools';

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
export type { EffectiveSettings } from './effectiveSettings';

export class Engine {
  readonly root: string;
  private readonly caches: EngineCaches;
  private readonly analyzers: Analyzers;
  private readonly pools: WorkerPools;
  private readonly taskFiles: TaskFileCache = new Map();
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
    this.caches = new EngineCaches(this.cacheDir, opts.log);
    const workerDir = () => this.opts.workerDir ?? defaultWorkerDir();
    const pycacheDir = this.caches.pycacheDir;
    this.analyzers = new Analyzers({
      root: this.root,
      python: () => this.settings().python,
      sandbox: () => this.settings().sandbox,
      workerDir,
      pycacheDir,
      log: opts.log,
    });
    this.pools = new WorkerPools({
      root: this.root,
      owner: this.owner,
      settings: () => this.settings(),
      workerDir,
      pycacheDir,
      interpreter: (python) => this.caches.interpreters.fingerprint(python, this.root, [this.root]),
      log: opts.log,
      onPoolStatus: opts.onPoolStatus,
    });
  }

  /**
   * Effective settings (src/engine/effectiveSettings.ts): explicit options > batt.json > environment > defaults.
   * Re-read each run. A batt.json that is not a JSON object is a ConfigError: nothing runs on a guess of its settings.
   */
  settings(): EffectiveSettings {
    return effectiveSettings(this.root, this.opts);
  }

  /**
   * What is wrong with the configured interpreter (a ConfigError saying how to fix it, naming where it was set), or
   * undefined when it works (or the probe could not tell).
   */
  private async interpreterError(s: EffectiveSettings): Promise<ConfigError | undefined> {
    const problem = await this.caches.interpreters.problem(s.python, this.root, [this.root]);
    return problem === undefined ? undefined : interpreterError(this.owner, s.python, s.from.pythonPath, problem);
  }

  private get owner(): SettingOwner {
    return { workspace: this.root, explicitFrom: this.opts.explicitFrom };
  }

  /** Starts the workers now (they otherwise start on the first run that needs them). A bad interpreter is a ConfigError. */
  async startWorkers(): Promise<void> {
    const s = this.settings();
    const bad = (await this.interpreterError(s)) ?? (s.cluster ? clusterAddressError(this.owner, s) : undefined);
    if (bad) throw bad;
    await this.pools.start();
  }

  poolStatus(): PoolStatus | undefined {
    return this.pools.current?.status();
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
    const unsandboxed = json.pool.started ? sandboxWarning(this.root, this.pools.current?.sandbox.state) : undefined;
    if (unsandboxed) json.errors.push(unsandboxed);
    return json;
  }

  /** One solver's values per statement per pair (src/engine/trace/trace.ts); UsageError for an unknown solver or task. */
  async trace(o: TraceOptions): Promise<TraceJson> {
    const s = this.settings();
    if (!s.tasks && s.tasksSet) throw tasksPathError(this.owner, s.tasksSet, s.from.tasksPath);
    const bad = await this.interpreterError(s);
    if (bad) throw bad;
    return traceSolver({ ...this.runEnv(new SkippedWrites()), traces: this.caches.traces }, o);
  }

  /** What a run borrows from the engine. */
  private runEnv(writes: SkippedWrites): RunEnv {
    const { caches, analyzers, pools } = this;
    return {
      root: this.root,
      settings: () => this.settings(),
      taskFiles: this.taskFiles,
      fileCache: caches.fileCache,
      inlineCache: caches.inlineCache,
      validationStore: caches.validationStore,
      durations: caches.durations,
      loadCaches: () => caches.load(writes),
      flushCaches: () => caches.flush(writes),
      writes,
      analyzer: () => analyzers.analyzer(),
      analyzer2: () => analyzers.analyzer2(),
      precompile: (files, overrides) => analyzers.precompile(files, overrides),
      interpreter: () => pools.runInterpreter(),
      warmPool: () => {
        // Overlap pool start-up with discovery; a failure surfaces when the score phase awaits the pool.
        if (!pools.current && (this.opts.eagerPool || caches.validationStore.size === 0)) pools.start().catch(() => undefined);
      },
      startPool: () => pools.start(),
      startCheckPool: () => pools.checkPool.start(),
      sendCheckFiles: (pool, files) => pools.checkPool.send(pool, files),
      sendFiles: (pool, files) => pools.sendFiles(pool, files),
      poolInfo: () => pools.runInfo(),
      log: this.opts.log,
    };
  }

  /** Kills and respawns the workers (a fresh pool on the next run). */
  async restartPool(): Promise<void> {
    await this.pools.restart();
  }

  /** The workspace's tasks (for pickers); errors are the bad task files. */
  async listTasks(): Promise<{ tasks: Task[]; errors: InputError[]; path?: string }> {
    const s = this.settings();
    if (!s.tasks || !fs.existsSync(s.tasks)) return { tasks: [], errors: [], path: s.tasks };
    const r = await loadTasks(s.tasks, this.taskFiles);
    return { ...r, path: s.tasks };
  }

  /** The arc-dsl formatting rules (domain.md §7) on a solver file's current text, or its syntax error (code `syntax`). Parses only; runs nothing. */
  lint(file: string, text: string): Promise<LintProblem[]> {
    return this.analyzers.lint(file, text);
  }

  /** A Python file's solve_* functions and batt entries as the analyzer parses them (runs nothing; the Testing view's
   *  discovery): the runs' parse cache when it has this text, else the analyzer (incremental per path). */
  async parse(file: string, text: string): Promise<Pick<FileParse, 'functions' | 'batt' | 'syntaxError'>> {
    const writes = new SkippedWrites();
    await this.caches.load(writes);
    if (writes.warning(this.cacheDir)) this.caches.reload(); // an unreadable cache: the next run loads it and says so
    const cached = this.caches.fileCache.get(file);
    if (cached && cached.sha === sha256(text)) return cached.parse;
    return this.analyzers.analyzer().parse(file, text, { withSources: false });
  }

  /** On-disk statistics of each cache (entries, bytes, ages). */
  cacheInfo(): Promise<Record<'validation' | 'inlining' | 'files' | 'durations' | 'traces', KvStats>> {
    return this.caches.info();
  }

  /** Clears every cache; a cache folder the file system refuses to change is a UsageError saying so. */
  async clearCache(): Promise<void> {
    try {
      await Promise.all(this.caches.stores.map((st) => st.clear()));
      this.analyzers.forgetCompiled();
      await Promise.all([fs.promises.rm(this.caches.pycacheDir, { recursive: true, force: true }), this.caches.interpreters.clear()]);
    } catch (e) {
      if (isUnwritable(e)) throw new UsageError(`cannot clear the cache in ${this.cacheDir}: ${(e as Error).message}`);
      throw e;
    }
  }

  async dispose(): Promise<void> {
    this.analyzers.dispose();
    await this.restartPool();
  }
}
