/**
 * The score phase: turn (task, candidate) selections into pool jobs (one per candidate x pair; one per batt module x
 * pair), reuse cached verdicts, run the rest longest-expected-first, and convert pool results into pair verdicts.
 * A transfer candidate (scored on a task other than its own) runs pair by pair, each pair a stage of the pool's queue,
 * and stops at its first failing pair; its remaining pairs are 'skipped' (allPairs runs them all; allTests: only a
 * demo pair stops it).
 */
import type { JobPool, PoolJob, PoolResult } from '../pool/pool';
import { faultVerdict, scoreOutcome } from './verdicts';
import type { Candidate, PairResult, Task } from '../types';
import { expectedOf, pairsOf, taskMessage, type Pair, type PairRef } from './pairs';
import { Quarantine } from './quarantine';
import { ValidationCache, validationBase } from '../store/validation';
import type { KvStore } from '../store/kvStore';
import type { TaskMessage } from '../../protocol/worker';
import { fingerprintKey } from '../workspace/discover';
import type { LineAnchors } from './remap';

export { taskMessage } from './pairs';

/** Results are kept per candidate identity: canonical hash and imported modules (duplicates share their original's). */
export function resultKey(c: Candidate): string {
  return c.dedupKey ?? c.hash;
}

export interface Selection {
  task: Task;
  /** unique candidates (duplicates removed) that must be scored on the task */
  candidates: Candidate[];
}

export interface ScoreInput {
  selections: Selection[];
  /** by fingerprintKey(candidate): what the candidate's code reaches (workspace/depGraph.ts) */
  depsFingerprint: Map<string, string>;
  /** line anchors of error verdicts: cached lines follow code that only moved (scoring/remap.ts) */
  anchors?: LineAnchors;
  /** fingerprint of the interpreter the jobs run on (workspace/interpreter.ts) */
  interpreter: string;
  validation: ValidationCache;
  durations: KvStore<number>;
  timeoutMs: number;
  memoryMB: number;
  /** starts the pool on first need (timed by the caller as the startup phase) */
  pool: () => Promise<JobPool>;
  signal?: AbortSignal;
  /**
   * `done` jobs settled (ran, or dropped by the quarantine or a cancel) of `total` jobs queued so far: a staged
   * candidate's next pair is queued once its previous pair passed, so `total` grows while stages unfold.
   */
  onProgress?: (done: number, total: number) => void;
  /** bypass cache lookups (results are still written) */
  noCache?: boolean;
  /** every pair of every candidate runs: no stop at a transfer candidate's first failing pair, no quarantine */
  allPairs?: boolean;
  /** a test verdict never stops a transfer candidate, only a demo one does (a submission: which outputs exist must not
   *  depend on whether the test outputs are known; unknown ones give 'unknown' verdicts, which stop nothing) */
  allTests?: boolean;
  /** only the cache answers: the results hold the cached verdicts, nothing is queued (a job's pairs stay holes) */
  cacheOnly?: boolean;
  /** a candidate that timed out on this many tasks is not started on further tasks; 0 or undefined = never */
  timeoutQuarantine?: number;
}

export interface ScoreOutput {
  /** results per task id, then candidate hash, in pair order (demo then test) */
  results: Map<string, Map<string, PairResult[]>>;
  /** pool jobs queued, and those of them that ran (not dropped or cancelled) */
  jobs: number;
  ran: number;
  cancelled: boolean;
}

/** Durations are remembered per (candidate hash, task hash, pair) and reused after edits by (file, name, task, pair). */
function durationKey(c: Candidate, task: Task, p: PairRef): string {
  return `${c.file}#${c.batt ? 'batt' : c.name}#${task.id}#${p.kind}${p.index}`;
}

export async function scorePhase(input: ScoreInput): Promise<ScoreOutput> {
  const results = new Map<string, Map<string, PairResult[]>>();
  const quarantine = new Quarantine(input.allPairs ? 0 : input.timeoutQuarantine ?? 0, input.signal);
  const jobs: Job[] = [];
  for (const { task, candidates } of input.selections) {
    const taskJobs = new TaskJobs(input, task, candidates, quarantine);
    results.set(task.id, taskJobs.results);
    for (const job of taskJobs.jobs()) jobs.push(job);
  }
  try {
    if (input.cacheOnly) return { results, jobs: 0, ran: 0, cancelled: false };
    const { queued, ran, cancelled } = await runJobs(jobs, input);
    return { results, jobs: queued, ran, cancelled };
  } finally {
    quarantine.dispose();
  }
}

/** One pool job of the score phase; it records its verdicts itself. */
interface Job {
  /** runs the job; `next`: the jobs it made due (a staged candidate's next pair), `ran`: false when it was dropped */
  run: () => Promise<{ ran: boolean; next: Job[] }>;
  /** remembered duration, Infinity when unknown */
  expected: number;
  /** cells of the pair's input, the cold-run stand-in for a duration (bigger grids tend to take longer) */
  size: number;
  /** the pool's stage (PoolJob.stage): a staged candidate's pair position, else 0 */
  stage: number;
}

/**
 * What one job runs: a single candidate, or a batt module (one run scores all its entries of the task). A staged
 * unit runs pair by pair and a member stops at its first failing pair: the unit's members are all transfer
 * candidates (scored on a task other than their own) and the run is not allPairs.
 */
interface Unit {
  /** the quarantine's key: the candidate's result key, or the batt module's file */
  key: string;
  members: Candidate[];
  staged: boolean;
  /** batt module file, for batt units */
  battFile?: string;
}

/** How a job goes to the pool: the signal that may drop it, and its stage. */
interface Launch {
  signal?: AbortSignal;
  stage: number;
}

/** A verdict that stops a staged member: anything but a pass (or a test pair whose expected output is unknown). */
const failed = (r: PairResult) => r.status !== 'pass' && r.status !== 'unknown';

/**
 * One task's part of the score phase: its results table (a row per candidate, a column per pair), the cache lookups
 * that fill it, and a job for every (candidate, pair) and (batt module, pair) the cache does not answer — for a
 * staged unit only its next pair, the one after it once that pair passed.
 */
class TaskJobs {
  /** by resultKey, in pair order */
  readonly results = new Map<string, PairResult[]>();
  private readonly bases = new Map<Candidate, string>();
  private readonly message: TaskMessage;
  private readonly pairs: Pair[];
  private readonly units: Unit[] = [];
  /** members of staged units whose remaining pairs are skipped */
  private readonly stopped = new Set<Candidate>();

  constructor(
    private readonly input: ScoreInput,
    private readonly task: Task,
    candidates: Candidate[],
    private readonly quarantine: Quarantine,
  ) {
    this.message = taskMessage(task);
    this.pairs = pairsOf(task).map((p, at) => {
      const grid = p.kind === 'demo' ? task.train[p.index].input : task.test[p.index].input;
      return { ...p, at, expected: expectedOf(task, p), cells: grid.length * (grid[0]?.length ?? 0) };
    });
    /** batt entries by module file: one job runs the module and scores all its entries */
    const battGroups = new Map<string, Candidate[]>();
    for (const c of candidates) {
      this.results.set(resultKey(c), new Array<PairResult>(this.pairs.length));
      if (!c.batt) this.units.push(this.unit(resultKey(c), [c]));
      else {
        const g = battGroups.get(c.file) ?? [];
        g.push(c);
        battGroups.set(c.file, g);
      }
    }
    for (const [file, group] of battGroups) this.units.push({ ...this.unit(file, group), battFile: file });
  }

  private unit(key: string, members: Candidate[]): Unit {
    return { key, members, staged: !this.input.allPairs && members.every((c) => c.taskId !== this.task.id) };
  }

  /**
   * Fills the table from the cache and returns the jobs for the rest: pair by pair, candidates then batt modules, for
   * every pair of an unstaged unit; then each staged unit's first pair the cache does not answer.
   */
  jobs(): Job[] {
    const jobs: Job[] = [];
    const eager = this.units.filter((u) => !u.staged);
    for (const p of this.pairs) {
      for (const u of eager) {
        const missing = u.members.filter((c) => !this.lookup(c, p));
        if (missing.length) jobs.push(this.unitJob(u, missing, p));
      }
    }
    for (const u of this.units) if (u.staged) jobs.push(...this.advance(u, 0));
    return jobs;
  }

  /**
   * A staged unit from pair `from` on: cached verdicts fill the table (a failing one stops its member), up to the
   * first pair a member still needs, whose job is returned — unless the unit is quarantined and has no verdict on
   * this task yet, when its members' pairs are skipped and no job is needed.
   */
  private advance(u: Unit, from: number): Job[] {
    for (let at = from; at < this.pairs.length; at++) {
      const p = this.pairs[at];
      const alive = u.members.filter((c) => !this.stopped.has(c));
      if (!alive.length) return [];
      const missing = alive.filter((c) => !this.row(c)[at] && !this.lookup(c, p));
      this.stopFailed(u, p);
      if (!missing.length) continue;
      if (this.quarantine.has(u.key) && !this.started(u)) {
        this.skipAll(u, this.quarantine.message);
        return [];
      }
      return [this.unitJob(u, missing, p)];
    }
    return [];
  }

  /** Members of a staged unit that failed `p` stop: their later pairs are skipped (with allTests: not on a test pair). */
  private stopFailed(u: Unit, p: Pair): void {
    if (p.kind === 'test' && this.input.allTests) return;
    for (const c of u.members) {
      const r = this.row(c)[p.at];
      if (this.stopped.has(c) || !r || !failed(r)) continue;
      this.stopped.add(c);
      this.skipRest(c, `skipped: failed ${p.kind} ${p.index} first`);
    }
  }

  /** The job of `u` on `p`, scoring `members` (a batt module run scores all those given). */
  private unitJob(u: Unit, members: Candidate[], p: Pair): Job {
    // A staged unit not started on this task may be dropped by the quarantine; once started it finishes the task.
    const launch: Launch = { signal: u.staged && !this.started(u) ? this.quarantine.signal(u.key) : this.input.signal, stage: u.staged ? p.at : 0 };
    const job = u.battFile ? this.battJob(u.battFile, members, p, launch) : this.candidateJob(members[0], p, launch);
    return {
      ...job,
      stage: launch.stage,
      run: async () => {
        const r = await job.run();
        if (r.status !== 'cancelled') {
          for (const c of members) this.quarantine.note(u.key, this.task.id, this.row(c)[p.at]?.status ?? '');
          if (!u.staged) return { ran: true, next: [] };
          this.stopFailed(u, p);
          return { ran: true, next: this.advance(u, p.at + 1) };
        }
        // Dropped by the quarantine (the run goes on): no verdict, skipped; cancelled with the run: a hole.
        if (!this.input.signal?.aborted) this.skipAll(u, this.quarantine.message);
        return { ran: false, next: [] };
      },
    };
  }

  private candidateJob(c: Candidate, p: Pair, launch: Launch) {
    const expectedMs = this.input.durations.get(durationKey(c, this.task, p));
    return {
      expected: expectedMs ?? Infinity,
      size: p.cells,
      run: async (): Promise<PoolResult> => {
        const r = await this.runOnPool({ file: c.file, fn: c.name, kind: c.kind }, p, expectedMs, launch);
        if (r.status === 'cancelled') return r;
        if (r.status === 'ok' && r.result?.outcome) {
          const v = scoreOutcome(p.kind, p.index, r.result.outcome, p.expected, r.ms);
          this.record(c, p, { ...v, stdout: r.result.stdout, stderr: r.result.stderr });
        } else {
          this.record(c, p, this.fault(r, p));
        }
        return r;
      },
    };
  }

  /** One run of the batt module on the pair scores the entries of the group (those the cache did not answer). */
  private battJob(file: string, group: Candidate[], p: Pair, launch: Launch) {
    const key = durationKey(group[0], this.task, p);
    return {
      expected: this.input.durations.get(key) ?? Infinity,
      size: p.cells,
      run: async (): Promise<PoolResult> => {
        const r = await this.runOnPool({ file, fn: 'batt', kind: 'batt' }, p, this.input.durations.get(key), launch);
        if (r.status === 'cancelled') return r;
        const outs = r.status === 'ok' ? r.result?.batt ?? [] : undefined;
        // The call is timed once: each entry it scored gets an equal share, so the shares add up to the call (in the
        // entries' times, the ranking and the cache's Time Saved); the module's remembered duration stays the call's.
        const ms = r.ms / group.length;
        for (const c of group) {
          if (!outs) {
            this.record(c, p, { ...this.fault(r, p), ms });
            continue;
          }
          const o = outs.find((x) => x.t === c.batt!.t && x.source === c.batt!.source);
          if (!o) {
            this.record(c, p, { kind: p.kind, index: p.index, ms, status: 'error', message: `batt returned no output for t${c.batt!.t} (${c.batt!.source})` });
          } else {
            this.record(c, p, { ...scoreOutcome(p.kind, p.index, o, p.expected, ms), stdout: r.result?.stdout, stderr: r.result?.stderr });
          }
        }
        this.input.durations.set(key, r.ms);
        return r;
      },
    };
  }

  private async runOnPool(
    call: Pick<PoolJob['run'], 'file' | 'fn' | 'kind'>,
    p: Pair,
    expectedMs: number | undefined,
    launch: Launch,
  ): Promise<PoolResult> {
    const pool = await this.input.pool();
    const run = { ...call, taskId: this.task.id, pair: p.kind, index: p.index };
    return pool.run({ run, task: this.message, expectedMs, stage: launch.stage }, launch.signal);
  }

  private row(c: Candidate): PairResult[] {
    return this.results.get(resultKey(c))!;
  }

  /** Whether any member of `u` has a verdict on this task (fresh or cached). */
  private started(u: Unit): boolean {
    return u.members.some((c) => this.row(c).some((r) => r && r.status !== 'skipped'));
  }

  /** Every member of `u` still running stops: its pairs without a verdict are skipped. */
  private skipAll(u: Unit, message: string): void {
    for (const c of u.members) {
      if (this.stopped.has(c)) continue;
      this.stopped.add(c);
      this.skipRest(c, message);
    }
  }

  /** The pairs of `c` without a verdict are skipped (they did not run: no verdict, nothing cached). */
  private skipRest(c: Candidate, message: string): void {
    const row = this.row(c);
    for (const p of this.pairs) row[p.at] ??= { kind: p.kind, index: p.index, status: 'skipped', ms: 0, message };
  }

  /** The cached verdict of `c` on `p` into the table; false on a miss (always with noCache). */
  private lookup(c: Candidate, p: Pair): boolean {
    if (this.input.noCache) return false;
    const anchors = this.input.anchors;
    const hit = this.input.validation.get(this.cacheKey(c, p), this.input.timeoutMs, this.input.memoryMB, anchors && ((r, a) => anchors.remap(r, a, this.input.memoryMB)));
    if (hit) {
      this.row(c)[p.at] = hit;
      this.quarantine.note(unitKey(c), this.task.id, hit.status);
    }
    return !!hit;
  }

  /** A fresh verdict into the table, the validation cache and the remembered durations. */
  private record(c: Candidate, p: Pair, r: PairResult): void {
    this.row(c)[p.at] = r;
    this.input.validation.set(this.cacheKey(c, p), r, this.input.timeoutMs, this.input.memoryMB, this.input.anchors?.anchorsFor(r));
    this.input.durations.set(durationKey(c, this.task, p), r.ms);
  }

  private cacheKey(c: Candidate, p: PairRef): string {
    let base = this.bases.get(c);
    if (base === undefined) {
      base = validationBase(c.hash, this.task.hash, this.input.depsFingerprint.get(fingerprintKey(c)) ?? '', this.input.interpreter);
      this.bases.set(c, base);
    }
    return `${base}:${p.kind}${p.index}`;
  }

  private fault(r: PoolResult, p: PairRef): PairResult {
    return faultVerdict(r, p, this.input.timeoutMs, this.input.memoryMB);
  }
}

/** What the quarantine counts timeouts by: a single candidate, or a batt module (one call runs all its entries). */
function unitKey(c: Candidate): string {
  return c.batt ? c.file : resultKey(c);
}

/**
 * Runs the jobs and those they make due (a staged candidate's next pair), each batch longest expected first; unknown
 * durations (Infinity) first of all, biggest inputs first among them; the pool orders them by stage first. Progress:
 * `done` jobs settled (ran, or dropped by the quarantine or a cancel) of `total` jobs queued so far, which grows as
 * staged candidates pass pairs.
 */
async function runJobs(initial: Job[], input: ScoreInput): Promise<{ queued: number; ran: number; cancelled: boolean }> {
  let done = 0;
  let total = 0;
  let ran = 0;
  const launch = (batch: Job[]): Promise<unknown> => {
    batch.sort((a, b) => (a.expected === b.expected ? b.size - a.size : b.expected - a.expected));
    total += batch.length;
    return Promise.all(
      batch.map(async (j) => {
        const r = await j.run();
        if (r.ran) ran++;
        const more = r.next.length ? launch(r.next) : undefined;
        input.onProgress?.(++done, total);
        await more;
      }),
    );
  };
  input.onProgress?.(0, initial.length);
  await launch(initial);
  return { queued: total, ran, cancelled: !!input.signal?.aborted };
}
