/**
 * One engine per workspace folder, the runs on save (a newer save cancels the stale run), "Run batt on task",
 * and the pool status the status bar shows. Knows nothing of the LSP connection: the server wires callbacks.
 */
import * as path from 'path';
import { Engine, RunOptions } from '../engine/engine';
import type { PoolStatus } from '../engine/pool/pool';
import { engineOptions } from '../engine/settings';
import type { Task } from '../engine/types';
import type { LastRunInfo, PoolStatusParams, ProgressParams, RunReason, ServerSettings, TaskData, TaskInfo } from '../protocol/lsp';
import type { RunJson, RunRecord } from '../protocol/results';
import { SETTINGS, VSCODE_SETTINGS, type BattSettings } from '../protocol/settings';
import { readRunLog, runRecord } from '../engine/store/runLog';
import { Coalescer } from './coalescer';
import { RunHistory } from './history';
import { KnownVerdicts, lastRunInfo } from './known';
import { failedLine, restartLine, runLine, runScope } from './logLines';

export interface SessionEvents {
  log(line: string): void;
  status(s: PoolStatusParams): void;
  /** a run's progress, coalesced per run (at most ~10 a second, its last count always sent) */
  progress(p: ProgressParams): void;
}

/** A run in progress: a newer save cancels the save run, a folder's removal all of its runs. */
interface FolderRun {
  root: string;
  abort: AbortController;
  /** its ProgressParams.runId and reason, once it started */
  id?: number;
  reason?: RunReason;
}

export class Session {
  private engines = new Map<string, Engine>();
  private lastPool = new Map<string, PoolStatus>();
  private saveRun?: FolderRun;
  private readonly active = new Set<FolderRun>();
  private runSeq = 0;
  private lastRun?: LastRunInfo;
  private starting = false;
  private error?: string;
  private readonly known = new KnownVerdicts();
  private readonly runHistory = new RunHistory(readRunLog);
  /** each folder's task ids, from its last task list or run ("Run batt on task" then reads the tasks once) */
  private readonly taskIds = new Map<string, Set<string>>();
  /** records of runs whose result the client never gets (cancelled, superseded), oldest first */
  private readonly unsent: RunRecord[] = [];

  constructor(private roots: string[], private settings: ServerSettings, private readonly ev: SessionEvents) {}

  get folders(): string[] {
    return this.roots;
  }

  get trusted(): boolean {
    return this.settings.trusted;
  }

  /** A continuous run is on in the Testing view: saves run even with batt.runOnSave off (the same save runs). */
  continuous = false;

  /** Saves run what they affect: batt.runOnSave (or a continuous run) is on and the workspace is trusted. */
  get runOnSaveEnabled(): boolean {
    return (this.settings.runOnSave || this.continuous) && this.settings.trusted;
  }

  /**
   * Settings changed: engines (and their pools) are rebuilt when anything they were built with changed. True when
   * this granted workspace trust (the caller then shows the cached verdicts, as at start).
   */
  async update(settings: ServerSettings): Promise<boolean> {
    const old = this.settings;
    this.settings = settings;
    const keys: Array<keyof ServerSettings> = [...VSCODE_SETTINGS.filter((k) => SETTINGS[k].restarts), 'python', 'trusted', 'explicit'];
    const rebuild = keys.some((k) => JSON.stringify(old[k]) !== JSON.stringify(settings[k]));
    if (rebuild) {
      // Restart the pools that were running, with the new settings, without waiting for the next run.
      const running = [...this.engines.entries()].filter(([, e]) => e.poolStatus()).map(([root]) => root);
      if (running.length) this.ev.log(`settings changed: restarting the workers of ${running.map((r) => path.basename(r)).join(', ')}`);
      await this.disposeEngines();
      if (settings.trusted) {
        for (const root of running) {
          // engine() throws on a batt.json that is not valid JSON: reported like a failed start
          Promise.resolve()
            .then(() => this.engine(root).startWorkers())
            .catch((e: Error) => {
              this.error = e.message;
              this.emitStatus();
            });
        }
      }
    }
    this.emitStatus();
    return !old.trusted && settings.trusted;
  }

  /**
   * Workspace folders added or removed: the removed folders' runs are cancelled and their engines (pools, analyzers)
   * disposed; the other folders' engines keep running.
   */
  async changeFolders(added: string[], removed: string[]): Promise<void> {
    const gone = new Set(removed);
    this.roots = [...this.roots.filter((r) => !gone.has(r)), ...added.filter((r) => !this.roots.includes(r))];
    for (const run of this.active) if (gone.has(run.root)) run.abort.abort();
    const engines = removed.map((r) => this.engines.get(r)).filter((e): e is Engine => !!e);
    for (const r of removed) {
      this.engines.delete(r);
      this.lastPool.delete(r);
      this.runHistory.forget(r);
      this.known.forget(r);
      this.taskIds.delete(r);
    }
    this.emitStatus();
    await Promise.all(engines.map((e) => e.dispose()));
  }

  private rootOf(file: string): string | undefined {
    return this.roots.filter((r) => file === r || file.startsWith(r + path.sep)).sort((a, b) => b.length - a.length)[0];
  }

  /** The engine of a workspace folder (created on first use; nothing is started until a run needs it). */
  engine(root: string): Engine {
    // In an untrusted workspace nothing of the workspace runs: no engine, so no worker and no analyzer can start.
    if (!this.settings.trusted) throw new Error('This workspace is not trusted: batt runs nothing here.');
    let e = this.engines.get(root);
    if (!e) {
      const s = this.settings;
      // A setting the user did not set gives way to the workspace's batt.json (then the defaults).
      const set = (k: keyof BattSettings) => !s.explicit || s.explicit.includes(k);
      const explicit = Object.fromEntries(VSCODE_SETTINGS.filter(set).map((k) => [k, s[k]])) as Partial<BattSettings>;
      e = new Engine({
        workspace: root,
        ...engineOptions(explicit),
        // The editor's interpreter (batt.pythonPath, else the Python extension's); '' lets batt.json, $BATT_PYTHON decide.
        python: s.python || undefined,
        tasksPath: s.tasksPath ? path.resolve(root, s.tasksPath) : undefined,
        eagerPool: true,
        explicitFrom: 'vscode',
        log: (l) => this.ev.log(l),
        onPoolStatus: (st) => {
          if (this.engines.get(root) !== e) return; // a disposed engine's pool winding down
          const before = this.lastPool.get(root);
          if (before && st.restarts > before.restarts) {
            this.ev.log(restartLine(root, st.workers, new Map(before.workers.map((w) => [w.id, w.restarts])), st.restarts));
          }
          this.lastPool.set(root, st);
          this.emitStatus();
        },
      });
      this.engines.set(root, e);
    }
    return e;
  }

  engineFor(file: string): Engine | undefined {
    const root = this.rootOf(file);
    return root ? this.engine(root) : undefined;
  }

  status(): PoolStatusParams {
    if (!this.settings.trusted) {
      return { state: 'untrusted', busy: 0, workers: 0, queued: 0, restarts: 0, detail: [], message: 'Workspace not trusted: batt runs nothing here' };
    }
    const detail = [...this.lastPool.values()].flatMap((p) => p.workers);
    const busy = detail.filter((w) => w.state === 'busy').length;
    const queued = [...this.lastPool.values()].reduce((n, p) => n + p.queued, 0);
    const restarts = [...this.lastPool.values()].reduce((n, p) => n + p.restarts, 0);
    const python = [...this.lastPool.values()].find((p) => p.python)?.python;
    // A pool that serves (some worker idle or busy) is idle or busy even while a killed worker restarts.
    const live = detail.some((w) => w.state === 'idle' || w.state === 'busy');
    const state = this.error
      ? 'error'
      : busy || (queued && live)
        ? 'busy'
        : live && !this.starting
          ? 'idle'
          : this.starting || detail.some((w) => w.state === 'starting' || w.state === 'dead')
            ? 'starting'
            : 'stopped';
    return { state, busy, workers: detail.length || this.settings.workers, queued, restarts, python, detail, message: this.error, lastRun: this.lastRun, known: this.known.state(this.roots) };
  }

  private emitStatus(): void {
    this.ev.status(this.status());
  }

  /** One run; `what` names its scope in the log (the saved file, the task). */
  private async execute(root: string, reason: RunReason, opts: RunOptions, abort: AbortController, what?: string): Promise<RunJson> {
    const id = ++this.runSeq;
    const scope = runScope(root, reason, what);
    const t0 = performance.now();
    let engine: Engine;
    try {
      engine = this.engine(root);
    } catch (e) {
      this.error = (e as Error).message; // a configuration problem (batt.json not valid JSON): the status bar says it
      this.emitStatus();
      throw e;
    }
    this.starting = reason !== 'cache' && !engine.poolStatus(); // a cache-only run starts no worker
    this.emitStatus();
    const me: FolderRun = { root, abort, id, reason };
    this.active.add(me);
    const restarts0 = this.lastPool.get(root)?.restarts ?? 0;
    let last = { done: 0, total: 0 };
    const progress = new Coalescer<ProgressParams>((p) => this.ev.progress(p));
    try {
      const run = await this.engine(root).run({
        ...opts,
        onTasks: (tasks) => {
          this.noteTasks(root, tasks);
          opts.onTasks?.(tasks);
        },
        signal: abort.signal,
        onProgress: (done, total) => {
          last = { done, total };
          progress.push({ runId: id, reason, done, total });
        },
      });
      this.ev.log(runLine(id, scope, run, Math.max(0, (this.lastPool.get(root)?.restarts ?? 0) - restarts0)));
      if (reason !== 'cache') {
        // Not awaited (the first one reads runs.jsonl): a history request made later still sees it, queued behind it.
        void this.runHistory.append(root, runRecord(run));
        if (run.cancelled) this.holdRecord(run);
      }
      this.error = undefined;
      // cached verdicts do not replace a real run's figures that came first; an empty cache shows nothing
      const nothing = reason === 'cache' && (!!this.lastRun || !run.summary.cached);
      if (!run.cancelled && !nothing) this.lastRun = lastRunInfo(run, reason);
      if (!run.cancelled && (reason !== 'cache' || run.summary.cached)) this.known.add(root, run, reason, reason === 'save' ? what : undefined);
      return run;
    } catch (e) {
      this.ev.log(failedLine(id, scope, performance.now() - t0, (e as Error).message));
      this.error = (e as Error).message;
      throw e;
    } finally {
      progress.push({ runId: id, reason, ...last, end: true });
      progress.flush();
      this.active.delete(me);
      this.starting = false;
      this.emitStatus();
    }
  }

  /**
   * A save: cancel the stale save run (queued jobs dropped, running ones killed), then run what the saved file
   * affects. Resolves undefined when this run was itself superseded.
   */
  async runOnSave(file: string, overrides?: Map<string, string>): Promise<RunJson | undefined> {
    const root = this.rootOf(file);
    if (!root || !this.settings.trusted) return undefined;
    // The stale run is cancelled (its queued jobs dropped, running ones killed) but not awaited: the new run's
    // discovery overlaps the cancellation.
    this.saveRun?.abort.abort();
    const abort = new AbortController();
    const me: FolderRun = { root, abort };
    this.saveRun = me;
    try {
      const run = await this.execute(root, 'save', { changed: [file], overrides }, abort, file);
      if (run.cancelled) return undefined;
      if (this.saveRun === me) return run;
      this.holdRecord(run); // complete, but a newer save superseded it
      return undefined;
    } finally {
      if (this.saveRun === me) this.saveRun = undefined;
    }
  }

  /**
   * The folder's cached verdicts, when the workspace opens: discovery and analysis as usual, every job looked up,
   * nothing run and no worker started (RunOptions.cacheOnly). Undefined when untrusted or the folder is gone.
   */
  async runFromCache(root: string): Promise<RunJson | undefined> {
    if (!this.settings.trusted || !this.roots.includes(root)) return undefined;
    const run = await this.execute(root, 'cache', { cacheOnly: true }, new AbortController());
    return this.roots.includes(root) ? run : undefined;
  }

  /** A save run's Cancel (its progress notification): that run stops as a newer save would stop it. */
  cancelRun(runId: number): void {
    for (const run of this.active) if (run.id === runId && run.reason === 'save') run.abort.abort();
  }

  /**
   * "Run every task": every task's own candidates in one folder. Cancelled by its request (or the folder's removal),
   * not by saves, which run beside it; its results are published for the document versions it started from.
   */
  async runAll(root: string, signal?: AbortSignal): Promise<RunJson | undefined> {
    if (!this.settings.trusted || !this.roots.includes(root)) return undefined;
    const abort = new AbortController();
    signal?.addEventListener('abort', () => abort.abort());
    const run = await this.execute(root, 'manual', {}, abort);
    return run.cancelled ? undefined : run;
  }

  /** Chosen candidates of one folder (batt/runCandidates: runCandidates.ts plans it), cancelled by its request only. */
  async runCandidates(root: string, opts: Pick<RunOptions, 'candidates' | 'tasks' | 'battery'>, what: string, signal?: AbortSignal): Promise<RunJson | undefined> {
    if (!this.settings.trusted || !this.roots.includes(root)) return undefined;
    const abort = new AbortController();
    signal?.addEventListener('abort', () => abort.abort());
    const run = await this.execute(root, 'candidates', opts, abort, what);
    return run.cancelled ? undefined : run;
  }

  /**
   * "Run batt on task": the whole battery (workspace + solver store) on one task, with the stability check (the
   * leaderboard marks unstable candidates), and the task's grids. The tasks are read once, by the run itself: its
   * folder is the only one, or is known from the last task list or run.
   */
  async runTask(taskId: string, signal?: AbortSignal): Promise<{ run: RunJson; task?: TaskData } | undefined> {
    if (!this.settings.trusted) throw new Error('This workspace is not trusted: batt runs nothing here.');
    let root = this.roots.length === 1 ? this.roots[0] : this.knownRoot(taskId);
    if (!root) {
      await this.listTasks();
      root = this.knownRoot(taskId);
    }
    if (!root) throw new Error(`task ${taskId} not found`);
    const abort = new AbortController();
    signal?.addEventListener('abort', () => abort.abort());
    let task: TaskData | undefined;
    const onTasks = (tasks: Task[]) => {
      const t = tasks.find((x) => x.id === taskId);
      task = t && { id: t.id, train: t.train, test: t.test };
    };
    const run = await this.execute(root, 'task', { tasks: [taskId], battery: true, includeStore: true, checkStable: true, onTasks }, abort, taskId);
    return run.cancelled ? undefined : { run, task };
  }

  async listTasks(): Promise<Array<TaskInfo & { root: string }>> {
    if (!this.settings.trusted) return [];
    const out: Array<TaskInfo & { root: string }> = [];
    for (const root of this.roots) {
      const { tasks } = await this.engine(root).listTasks();
      this.noteTasks(root, tasks);
      for (const t of tasks) out.push({ root, id: t.id, file: t.source, demo: t.train.length, test: t.test.length, last: this.known.verdict(root, t.id) });
    }
    return out;
  }

  private noteTasks(root: string, tasks: Task[]): void {
    this.taskIds.set(root, new Set(tasks.map((t) => t.id)));
    this.known.noteTasks(root, tasks.map((t) => t.id));
  }

  /** The first folder holding the task, when every folder before it has been listed or run. */
  private knownRoot(taskId: string): string | undefined {
    for (const root of this.roots) {
      const ids = this.taskIds.get(root);
      if (!ids) return undefined;
      if (ids.has(taskId)) return root;
    }
    return undefined;
  }

  /** The folders' recent run records (`.batt/runs.jsonl`, read once per folder, then kept up to date in memory). */
  history(limit: number): Promise<RunRecord[]> {
    return this.runHistory.recent(this.roots, limit);
  }

  private holdRecord(run: RunJson): void {
    this.unsent.push(runRecord(run));
    if (this.unsent.length > 50) this.unsent.shift(); // the client keeps 50
  }

  /** The records of runs that ended without a result, to send with the next result (and forgotten here). */
  takeUnsentRecords(): RunRecord[] {
    return this.unsent.splice(0);
  }

  async restartWorkers(): Promise<void> {
    if (!this.settings.trusted) return;
    this.ev.log('restarting the workers (Restart workers)');
    this.saveRun?.abort.abort();
    const engines = [...this.engines.values()];
    for (const e of engines) await e.restartPool();
    this.lastPool.clear();
    this.error = undefined;
    this.emitStatus();
    // Respawn at once so the status shows a live pool again.
    await Promise.all(engines.map((e) => e.startWorkers().catch((err: Error) => (this.error = err.message))));
    this.emitStatus();
  }

  async clearCache(): Promise<number> {
    if (!this.settings.trusted) return 0;
    let n = 0;
    for (const root of this.roots) {
      const e = this.engine(root);
      const info = await e.cacheInfo();
      n += Object.values(info).reduce((s, x) => s + x.entries, 0);
      await e.clearCache();
    }
    return n;
  }

  async lint(file: string, text: string) {
    if (!this.settings.trusted) return [];
    const e = this.engineFor(file);
    return e ? e.lint(file, text) : [];
  }

  private async disposeEngines(): Promise<void> {
    const engines = [...this.engines.values()];
    this.engines.clear();
    this.lastPool.clear();
    this.taskIds.clear();
    await Promise.all(engines.map((e) => e.dispose()));
  }

  dispose(): Promise<void> {
    this.saveRun?.abort.abort();
    return this.disposeEngines();
  }
}
