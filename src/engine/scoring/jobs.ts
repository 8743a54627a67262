/**
 * The score phase: turn (task, candidate) selections into pool jobs (one per candidate x pair; one per batt module x
 * pair), reuse cached verdicts, run the rest longest-expected-first, and convert pool results into pair verdicts.
 */
import type { Pool, PoolJob, PoolResult } from '../pool/pool';
import { describeError, scoreOutcome } from './verdicts';
import type { Candidate, Grid, PairResult, Task } from '../types';
import { ValidationCache, validationBase } from '../store/validation';
import type { KvStore } from '../store/kvStore';
import type { PairKind, TaskMessage } from '../../protocol/worker';
import { fingerprintKey } from '../workspace/discover';
import type { LineAnchors } from './remap';

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
  pool: () => Promise<Pool>;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** bypass cache lookups (results are still written) */
  noCache?: boolean;
}

export interface ScoreOutput {
  /** results per task id, then candidate hash, in pair order (demo then test) */
  results: Map<string, Map<string, PairResult[]>>;
  jobs: number;
  ran: number;
  cancelled: boolean;
}

interface PairRef {
  kind: PairKind;
  index: number;
}

function pairsOf(task: Task): PairRef[] {
  return [
    ...task.train.map((_, index) => ({ kind: 'demo' as const, index })),
    ...task.test.map((_, index) => ({ kind: 'test' as const, index })),
  ];
}

function expectedOf(task: Task, p: PairRef) {
  return p.kind === 'demo' ? task.train[p.index].output : task.test[p.index].output;
}

export function taskMessage(task: Task): TaskMessage {
  return {
    t: 'task',
    key: task.hash,
    train: task.train.map((p) => [p.input, p.output]),
    test: task.test.map((p) => [p.input, p.output]),
  };
}

/** Durations are remembered per (candidate hash, task hash, pair) and reused after edits by (file, name, task, pair). */
function durationKey(c: Candidate, task: Task, p: PairRef): string {
  return `${c.file}#${c.batt ? 'batt' : c.name}#${task.id}#${p.kind}${p.index}`;
}

/** Verdict for a non-ok pool result (timeout, crash, exception). */
function faultVerdict(r: PoolResult, p: PairRef, timeoutMs: number, memoryMB: number): PairResult {
  const base = { kind: p.kind, index: p.index, ms: r.ms };
  if (r.status === 'timeout') return { ...base, status: 'timeout', message: `timeout: no result within ${timeoutMs / 1000} s (worker killed)` };
  if (r.status === 'crash') {
    const how = r.exit?.signal ? `signal ${r.exit.signal}` : `exit code ${r.exit?.code ?? '?'}`;
    // faulthandler ends with the Python stack; its "Fatal Python error: ..." line says what happened.
    const lines = (r.stderrTail ?? '').split('\n').filter((l) => l.trim() !== '');
    const hint = lines.find((l) => l.startsWith('Fatal Python error')) ?? lines[lines.length - 1];
    const tail = hint ? ` — ${hint.trim().slice(0, 200)}` : '';
    return { ...base, status: 'crash', message: `crash: worker died (${how})${tail}` };
  }
  const m = r.result;
  const error = m?.error;
  return {
    ...base,
    status: 'error',
    message: error ? describeError(error, memoryMB) : 'error without details',
    error,
    stdout: m?.stdout,
    stderr: m?.stderr,
  };
}

export async function scorePhase(input: ScoreInput): Promise<ScoreOutput> {
  const results = new Map<string, Map<string, PairResult[]>>();
  const jobs: Job[] = [];
  for (const { task, candidates } of input.selections) {
    const taskJobs = new TaskJobs(input, task, candidates);
    results.set(task.id, taskJobs.results);
    for (const job of taskJobs.jobs()) jobs.push(job);
  }
  const { ran, cancelled } = await runJobs(jobs, input);
  return { results, jobs: jobs.length, ran, cancelled };
}

/** One pool job of the score phase; it records its verdicts itself. */
interface Job {
  run: () => Promise<void>;
  /** remembered duration, Infinity when unknown */
  expected: number;
  /** cells of the pair's input, the cold-run stand-in for a duration (bigger grids tend to take longer) */
  size: number;
}

/** A pair of the task, with what its jobs need. */
interface Pair extends PairRef {
  /** position in the task's results (demo pairs, then test pairs) */
  at: number;
  expected: Grid | null;
  cells: number;
}

/**
 * One task's part of the score phase: its results table (a row per candidate, a column per pair), the cache lookups
 * that fill it, and a job for every (candidate, pair) and (batt module, pair) the cache does not answer.
 */
class TaskJobs {
  /** by resultKey, in pair order */
  readonly results = new Map<string, PairResult[]>();
  private readonly bases = new Map<Candidate, string>();
  private readonly message: TaskMessage;
  private readonly pairs: Pair[];
  private readonly singles: Candidate[] = [];
  /** batt entries by module file: one job runs the module and scores all its entries */
  private readonly battGroups = new Map<string, Candidate[]>();

  constructor(
    private readonly input: ScoreInput,
    private readonly task: Task,
    candidates: Candidate[],
  ) {
    this.message = taskMessage(task);
    this.pairs = pairsOf(task).map((p, at) => {
      const grid = p.kind === 'demo' ? task.train[p.index].input : task.test[p.index].input;
      return { ...p, at, expected: expectedOf(task, p), cells: grid.length * (grid[0]?.length ?? 0) };
    });
    for (const c of candidates) {
      this.results.set(resultKey(c), new Array<PairResult>(this.pairs.length));
      if (!c.batt) this.singles.push(c);
      else {
        const g = this.battGroups.get(c.file) ?? [];
        g.push(c);
        this.battGroups.set(c.file, g);
      }
    }
  }

  /** Fills the table from the cache and returns the jobs for the rest: pair by pair, candidates then batt modules. */
  jobs(): Job[] {
    const jobs: Job[] = [];
    for (const p of this.pairs) {
      for (const c of this.singles) if (!this.lookup(c, p)) jobs.push(this.candidateJob(c, p));
      for (const [file, group] of this.battGroups) {
        const missing = group.filter((c) => !this.lookup(c, p));
        if (missing.length) jobs.push(this.battJob(file, group, p));
      }
    }
    return jobs;
  }

  private candidateJob(c: Candidate, p: Pair): Job {
    const expectedMs = this.input.durations.get(durationKey(c, this.task, p));
    return {
      expected: expectedMs ?? Infinity,
      size: p.cells,
      run: async () => {
        const r = await this.runOnPool({ file: c.file, fn: c.name, kind: c.kind }, p, expectedMs);
        if (r.status === 'cancelled') return;
        if (r.status === 'ok' && r.result?.outcome) {
          const v = scoreOutcome(p.kind, p.index, r.result.outcome, p.expected, r.ms);
          this.record(c, p, { ...v, stdout: r.result.stdout, stderr: r.result.stderr });
        } else {
          this.record(c, p, this.fault(r, p));
        }
      },
    };
  }

  /** One run of the batt module on the pair scores every entry of the group (also those the cache answered). */
  private battJob(file: string, group: Candidate[], p: Pair): Job {
    const key = durationKey(group[0], this.task, p);
    return {
      expected: this.input.durations.get(key) ?? Infinity,
      size: p.cells,
      run: async () => {
        const r = await this.runOnPool({ file, fn: 'batt', kind: 'batt' }, p, this.input.durations.get(key));
        if (r.status === 'cancelled') return;
        const outs = r.status === 'ok' ? r.result?.batt ?? [] : undefined;
        for (const c of group) {
          if (!outs) {
            this.record(c, p, this.fault(r, p));
            continue;
          }
          const o = outs.find((x) => x.t === c.batt!.t && x.source === c.batt!.source);
          if (!o) {
            this.record(c, p, { kind: p.kind, index: p.index, ms: r.ms, status: 'error', message: `batt returned no output for t${c.batt!.t} (${c.batt!.source})` });
          } else {
            this.record(c, p, { ...scoreOutcome(p.kind, p.index, o, p.expected, r.ms), stdout: r.result?.stdout, stderr: r.result?.stderr });
          }
        }
      },
    };
  }

  private async runOnPool(call: Pick<PoolJob['run'], 'file' | 'fn' | 'kind'>, p: Pair, expectedMs: number | undefined): Promise<PoolResult> {
    const pool = await this.input.pool();
    const run = { ...call, taskId: this.task.id, pair: p.kind, index: p.index };
    return pool.run({ run, task: this.message, expectedMs }, this.input.signal);
  }

  /** The cached verdict of `c` on `p` into the table; false on a miss (always with noCache). */
  private lookup(c: Candidate, p: Pair): boolean {
    if (this.input.noCache) return false;
    const anchors = this.input.anchors;
    const hit = this.input.validation.get(this.cacheKey(c, p), this.input.timeoutMs, this.input.memoryMB, anchors && ((r, a) => anchors.remap(r, a, this.input.memoryMB)));
    if (hit) this.results.get(resultKey(c))![p.at] = hit;
    return !!hit;
  }

  /** A fresh verdict into the table, the validation cache and the remembered durations. */
  private record(c: Candidate, p: Pair, r: PairResult): void {
    this.results.get(resultKey(c))![p.at] = r;
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

/** Runs every job, longest expected first; unknown durations (Infinity) first of all, biggest inputs first among them. */
async function runJobs(jobs: Job[], input: ScoreInput): Promise<{ ran: number; cancelled: boolean }> {
  jobs.sort((a, b) => (a.expected === b.expected ? b.size - a.size : b.expected - a.expected));
  let done = 0;
  input.onProgress?.(0, jobs.length);
  await Promise.all(
    jobs.map(async (j) => {
      await j.run();
      input.onProgress?.(++done, jobs.length);
    }),
  );
  const cancelled = !!input.signal?.aborted;
  return { ran: cancelled ? done : jobs.length, cancelled };
}
