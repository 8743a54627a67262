/**
 * What the server does with a run: a save runs what the saved file affects (a newer save supersedes it), "Run batt
 * on task" and "Run every task" run on request; each completed run publishes its diagnostics and is sent to the
 * client. Takes its collaborators as parameters: server.ts wires them to the connection.
 */
import * as path from 'path';
import { ConfigError } from '../engine/settings';
import { runRecord } from '../engine/store/runLog';
import type { RunCandidatesParams, RunResultNotificationParams, RunResultParams } from '../protocol/lsp';
import type { ErrorJson, PairJson, RunJson } from '../protocol/results';
import { CONFIG_FILE } from '../protocol/settings';
import { realPath, toPath } from './paths';
import type { DiagnosticsPublisher } from './publisher';
import { candidatePlans, joinRuns } from './runCandidates';
import type { Session } from './session';

export type RunSession = Pick<Session, 'folders' | 'runOnSaveEnabled' | 'runOnSave' | 'runTask' | 'runAll' | 'runCandidates' | 'runFromCache' | 'takeUnsentRecords'>;

export interface RunDeps {
  session: RunSession;
  publisher: Pick<DiagnosticsPublisher, 'publishRun'>;
  /** the open documents' versions now */
  versions(): Map<string, number>;
  /** a completed run as the client gets it, and the full run (actual grids, prints) it was made from */
  sendResult(params: RunResultNotificationParams, full: RunJson): void;
  showError(message: string): void;
  log(line: string): void;
}

export class Runs {
  /** the last run error shown in a message: the same error is shown once, the log has every occurrence */
  private lastShownError?: string;
  /** files showing a configuration problem that stopped runs (batt.json not valid JSON, a bad "python"): a run cleans them */
  private readonly configFiles = new Set<string>();
  /** results published so far: cached verdicts that come after a real run's are not published */
  private published = 0;

  constructor(private readonly deps: RunDeps) {}

  /**
   * A saved document (a Python file, or batt.json: its problems are refreshed): its run replaces the diagnostics of
   * the files it covers; a superseded run publishes nothing.
   */
  async onSave(uri: string): Promise<void> {
    const { session } = this.deps;
    if (!session.runOnSaveEnabled) return;
    const file = toPath(uri);
    if (!file || !(/\.py$/.test(file) || path.basename(file) === CONFIG_FILE)) return;
    const versions = this.deps.versions();
    try {
      const real = realPath(file);
      const run = await session.runOnSave(real);
      if (!run) return; // superseded by a newer save
      this.lastShownError = undefined;
      this.deps.publisher.publishRun(run, { versions, saved: real });
      this.cleanConfigFiles(run);
      // The diagnostics first: the connection encodes them on the next turn, and building the result of a big file's
      // run (its record, the Testing view's verdicts) would hold them back by tens of milliseconds.
      await new Promise((resolve) => setImmediate(resolve));
      this.send({ reason: 'save', run });
    } catch (err) {
      this.showConfigProblem(err);
      const msg = (err as Error).message;
      this.deps.log(`run on save failed: ${msg}`);
      // Shown once (e.g. "no tasks found"); the status bar keeps showing it.
      if (msg !== this.lastShownError) this.deps.showError(`batt: ${msg}`);
      this.lastShownError = msg;
    }
  }

  /**
   * The workspace opened (or folders were added to it): each folder's cached verdicts (nothing runs, no worker
   * starts) are published and sent (reason 'cache'), unless a run published since they were looked up; documents
   * edited meanwhile keep theirs; a folder with nothing cached shows nothing. A folder whose lookup fails is logged
   * (its first real run reports the problem).
   */
  async fromCache(roots = this.deps.session.folders): Promise<void> {
    for (const root of roots) {
      const versions = this.deps.versions();
      const before = this.published;
      const run = await this.deps.session.runFromCache(root).catch((err: Error) => {
        this.deps.log(`cached verdicts of ${root}: ${err.message}`);
        return undefined;
      });
      if (!run || !run.summary.cached) continue; // an empty cache: nothing to show
      if (this.published !== before) {
        this.deps.log(`cached verdicts of ${root} not shown: a run came first`);
        continue;
      }
      this.deps.publisher.publishRun(run, { versions });
      this.send({ reason: 'cache', run });
    }
  }

  /**
   * "Run batt on task": the battery's verdicts on their own task merge into the diagnostics (documents edited since
   * the run started keep theirs); null when cancelled.
   */
  async runTask(taskId: string, signal: AbortSignal): Promise<RunResultParams | null> {
    const versions = this.deps.versions();
    const r = await this.deps.session.runTask(taskId, signal).catch((err: unknown) => {
      this.showConfigProblem(err);
      throw err;
    });
    if (!r) return null;
    this.deps.publisher.publishRun(r.run, { versions, merge: true });
    this.cleanConfigFiles(r.run);
    this.send({ reason: 'task', taskId, run: r.run });
    // The leaderboard shows expected and actual grids and prints: the response keeps them, and the task's grids.
    return { reason: 'task', taskId, run: r.run, task: r.task };
  }

  /**
   * "Run every task": each folder's tasks with their own candidates; the number of runs completed. A save during it
   * runs beside it, and documents edited since it started keep their newer diagnostics.
   */
  async runAll(signal: AbortSignal): Promise<number> {
    let n = 0;
    for (const root of this.deps.session.folders) {
      const versions = this.deps.versions();
      const run = await this.deps.session.runAll(root, signal).catch((err: unknown) => {
        this.showConfigProblem(err);
        throw err;
      });
      if (!run) continue;
      this.deps.publisher.publishRun(run, { versions });
      this.cleanConfigFiles(run);
      this.send({ reason: 'manual', run });
      n++;
    }
    return n;
  }

  /**
   * batt/runCandidates: the chosen candidates on their own tasks (or their battery), one run per folder; each run's
   * verdicts merge into the diagnostics (the file's other candidates keep theirs) and are sent like any run's. The
   * result keeps actual grids and prints; null when cancelled (or nothing named a candidate of the workspace).
   */
  async runCandidates(p: RunCandidatesParams, signal: AbortSignal): Promise<RunResultParams | null> {
    const done: RunJson[] = [];
    for (const plan of candidatePlans(p, this.deps.session.folders)) {
      const versions = this.deps.versions();
      const run = await this.deps.session.runCandidates(plan.root, plan.options, plan.what, signal).catch((err: unknown) => {
        this.showConfigProblem(err);
        throw err;
      });
      if (!run) return null;
      this.deps.publisher.publishRun(run, { versions, merge: true });
      this.cleanConfigFiles(run);
      this.send({ reason: 'candidates', run });
      done.push(run);
    }
    return done.length ? { reason: 'candidates', run: joinRuns(done) } : null;
  }

  /**
   * A ConfigError (the run did not start: nothing runs on guessed settings) becomes a diagnostic on its file, at its
   * line and column (batt.json), until a run starts again.
   */
  private showConfigProblem(err: unknown): void {
    if (!(err instanceof ConfigError)) return;
    this.deps.publisher.publishRun(problemRun(err.input), { saved: err.input.file });
    this.configFiles.add(err.input.file);
  }

  /** A run started: its folder's files of an earlier configuration problem get the run's diagnostics for them (or none). */
  private cleanConfigFiles(run: RunJson): void {
    for (const file of this.configFiles) {
      if (!file.startsWith(run.workspace + path.sep)) continue; // another folder's
      this.configFiles.delete(file);
      if (!run.errors.some((e) => e.file === file)) this.deps.publisher.publishRun(problemRun(), { saved: file }); // else published with the run
    }
  }

  /**
   * The result as the client shows it, with its history record and those of the runs that ended without a result
   * since the last one.
   */
  private send(params: RunResultParams): void {
    this.published++;
    const record = params.reason === 'cache' ? undefined : runRecord(params.run);
    this.deps.sendResult({ ...params, run: shownRun(params.run), record, earlier: this.deps.session.takeUnsentRecords() }, params.run);
  }
}

/** The diagnostics' view of a run that did not start: no task, and the problem that stopped it (if any). */
function problemRun(problem?: ErrorJson): RunJson {
  const counts = { hits: 0, misses: 0, entries: 0, savedMs: 0 };
  return {
    version: 1,
    workspace: problem?.file ?? '',
    startedAt: new Date().toISOString(),
    temperature: 'cold',
    cancelled: false,
    summary: { tasks: 0, solved: 0, candidates: 0, jobs: 0, ran: 0, cached: 0, skipped: 0, cancelled: 0, wallMs: 0 },
    tasks: [],
    phases: [],
    cache: { inline: counts, validation: counts },
    pool: { workers: 0, restarts: 0, started: false },
    stored: [],
    errors: problem ? [problem] : [],
  };
}

/**
 * A run as batt/runResult carries it: every verdict, message and error place, without the pairs' actual grids and the
 * solvers' prints, which only the leaderboard shows (from the "Run batt on task" response). Diagnostics are made from
 * the full run, server-side.
 */
export function shownRun(run: RunJson): RunJson {
  const pair = (p: PairJson): PairJson => {
    const q = { ...p };
    delete q.actual;
    delete q.stdout;
    delete q.stderr;
    return q;
  };
  return { ...run, tasks: run.tasks.map((t) => ({ ...t, candidates: t.candidates.map((c) => ({ ...c, pairs: c.pairs.map(pair) })) })) };
}
