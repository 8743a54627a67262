/**
 * What the timing panel shows: the last run, the leaderboard, every task's newest known result (the per-task table),
 * the run going on, the run history and the pool. No vscode: unit-tested.
 */
import { compareRank } from '../engine/scoring/verdicts';
import type { PoolStatusParams, RunRecord, RunResultParams } from '../protocol/lsp';
import type { CandidateJson, PairJson, RunJson, TaskJson } from '../protocol/results';
import type { TraceJson } from '../protocol/trace';
import type { PairFocus, PanelView, RunProgress, StateMessage, TaskRow } from '../protocol/webview';
import type { SubmissionResult } from '../protocol/submission';

/** Run records the panel's history keeps. */
export const HISTORY_MAX = 50;

/** A task's newest known result: its candidates and the run they came from. */
interface KnownTask {
  task: TaskJson;
  run: RunJson;
  reason: RunResultParams['reason'];
  /** the full "Run batt on task" result (actual grids, prints, task grids) when that is where it came from */
  full?: RunResultParams;
}

function rankOf(a: CandidateJson, b: CandidateJson): number {
  const rankable = (c: CandidateJson) => ({ name: c.name, score: c, length: c.length, duplicate: !!c.duplicateOf, unstable: !!c.unstable });
  return compareRank(rankable(a), rankable(b));
}

/** Share of cells right on one pair: 1 for a pass, the mismatch's credit, else 0; undefined when it did not say. */
function pairCredit(p: PairJson): number | undefined {
  if (p.status === 'pass') return 1;
  if (p.status === 'unknown') return undefined;
  return p.mismatch?.credit ?? 0;
}

/** A candidate's mean credit over its pairs with a verdict; undefined unless one of them is a pass or said a credit. */
export function candidateCredit(c: CandidateJson): number | undefined {
  const credits = c.pairs.map(pairCredit).filter((x): x is number => x !== undefined);
  if (!credits.length || !c.pairs.some((p) => p.status === 'pass' || p.mismatch?.credit !== undefined)) return undefined;
  return credits.reduce((s, x) => s + x, 0) / credits.length;
}

/** The per-task table's row of a task: best candidate, its pairs passed, and the best credit of any candidate. */
export function taskRow(k: KnownTask): TaskRow {
  const own = k.task.candidates.filter((c) => !c.duplicateOf);
  const best = [...own].sort(rankOf)[0];
  const credits = own.map(candidateCredit).filter((x): x is number => x !== undefined);
  return {
    id: k.task.id,
    solved: k.task.solved,
    candidates: k.task.candidates.length,
    best: best?.name,
    passed: best ? best.demo.passed + best.test.passed : 0,
    pairs: best ? best.demo.total + best.test.total : k.task.demoPairs + k.task.testPairs,
    credit: credits.length ? Math.max(...credits) : undefined,
    at: k.run.startedAt,
    reason: k.reason,
  };
}

export class PanelModel {
  last?: RunResultParams;
  leaderboard?: RunResultParams;
  history: RunRecord[] = [];
  pool?: PoolStatusParams;
  progress?: RunProgress;
  /** the last trace ("Batt: Trace solver"): the Trace tab */
  trace?: TraceJson;
  /** the last submission written ("Batt: Write submission"): the Submission tab */
  submission?: SubmissionResult;
  private show?: { view: PanelView; seq: number };
  private readonly known = new Map<string, KnownTask>();

  /** Records that came with run results, oldest first. */
  addRecords(records: RunRecord[]): void {
    this.history = [...this.history, ...records].slice(-HISTORY_MAX);
  }

  /** The server's history (the panel's first open), followed by the records that came meanwhile and it lacks. */
  loadHistory(records: RunRecord[]): void {
    const known = new Set(records.map((r) => JSON.stringify(r)));
    this.history = [...records, ...this.history.filter((r) => !known.has(JSON.stringify(r)))].slice(-HISTORY_MAX);
  }

  /**
   * A completed run: each task it ran candidates on becomes that task's newest result. A save runs only the
   * candidates the saved file affects, so its verdicts replace those candidates' and the others stay (re-ranked);
   * "Run batt on task" and "Run every task" ran the task's whole field and replace it.
   */
  addResult(r: RunResultParams): void {
    for (const task of r.run.tasks) {
      // a task no candidate targets is still a row ("0 candidates"): the researcher needs to see what has no solver
      if (!task.candidates.length && (r.reason === 'save' || r.reason === 'candidates')) continue;
      const old = this.known.get(task.id);
      if (r.reason === 'cache' && old) continue; // cached verdicts shown at start never replace a run's
      let merged = task;
      if ((r.reason === 'save' || r.reason === 'candidates') && old) {
        const names = new Set(task.candidates.map((c) => c.name));
        const candidates = [...old.task.candidates.filter((c) => !names.has(c.name)), ...task.candidates].sort(rankOf).map((c, i) => ({ ...c, rank: i + 1 }));
        merged = { ...task, candidates, solved: candidates.some((c) => c.solved && !c.duplicateOf) };
      }
      const full = r.reason === 'task' && r.taskId === task.id && r.task ? r : undefined;
      this.known.set(task.id, { task: merged, run: r.run, reason: r.reason, full });
    }
  }

  /** "Run batt on task" answered: the leaderboard, which the panel opens on. */
  setLeaderboard(r: RunResultParams): void {
    this.leaderboard = r;
    this.last = r;
    this.addResult(r);
    this.open('leaderboard');
  }

  /** A trace to show in the Trace tab; `open`: the panel opens on it (else the user's tab stays). */
  setTrace(trace: TraceJson, open = true): void {
    this.trace = trace;
    if (open) this.open('trace');
  }

  /** The panel should open on `view` (the next state it gets carries a new `show`), on the leaderboard with `pair` in view. */
  open(view: PanelView, pair?: PairFocus): void {
    this.show = { view, seq: (this.show?.seq ?? 0) + 1, ...(pair && { pair }) };
  }

  /** Known results for a task, as a leaderboard: the full one if it came from "Run batt on task", else the newest. */
  knownLeaderboard(taskId: string): RunResultParams | undefined {
    const k = this.known.get(taskId);
    if (!k) return undefined;
    return k.full ?? { reason: k.reason, taskId, run: { ...k.run, tasks: [k.task] } };
  }

  /** Every task with a known result, by id. */
  taskRows(): TaskRow[] {
    return [...this.known.values()].map(taskRow).sort((a, b) => a.id.localeCompare(b.id));
  }

  state(): StateMessage {
    const tasks = this.known.size ? this.taskRows() : undefined;
    return { type: 'state', last: this.last, leaderboard: this.leaderboard, history: this.history, pool: this.pool, tasks, progress: this.progress, trace: this.trace, submission: this.submission, show: this.show };
  }
}
