/**
 * The score phase: turn (task, candidate) selections into pool jobs (one per candidate x pair; one per batt module x
 * pair), reuse cached verdicts, run the rest longest-expected-first, and convert pool results into pair verdicts.
 */
import type { Pool, PoolResult } from '../pool/pool';
import { describeError, scoreOutcome } from './verdicts';
import type { Candidate, PairResult, Task } from '../types';
import { ValidationCache, validationBase } from '../store/validation';
import type { KvStore } from '../store/kvStore';
import type { PairKind, TaskMessage } from '../../protocol/worker';

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
  depsFingerprint: Map<string, string>;
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
  const { validation, timeoutMs, memoryMB } = input;
  const results = new Map<string, Map<string, PairResult[]>>();
  /** size: cells of the pair's input, the cold-run stand-in for a duration (bigger grids tend to take longer) */
  type Job = { run: () => Promise<void>; expected: number; size: number };
  const jobs: Job[] = [];
  let total = 0;

  for (const { task, candidates } of input.selections) {
    const perCand = new Map<string, PairResult[]>();
    results.set(task.id, perCand);
    const pairs = pairsOf(task);
    const battGroups = new Map<string, Candidate[]>();
    for (const c of candidates) {
      perCand.set(resultKey(c), new Array<PairResult>(pairs.length));
      if (c.batt) {
        const g = battGroups.get(c.file) ?? [];
        g.push(c);
        battGroups.set(c.file, g);
      }
    }
    const bases = new Map<Candidate, string>();
    const baseOf = (c: Candidate) => {
      let b = bases.get(c);
      if (b === undefined) bases.set(c, (b = validationBase(c.hash, task.hash, input.depsFingerprint.get(c.file) ?? '')));
      return b;
    };
    const tmsg = taskMessage(task);
    pairs.forEach((p, pi) => {
      const keyOf = (c: Candidate) => `${baseOf(c)}:${p.kind}${p.index}`;
      const lookup = (c: Candidate): boolean => {
        if (input.noCache) return false;
        const hit = validation.get(keyOf(c), timeoutMs, memoryMB);
        if (hit) perCand.get(resultKey(c))![pi] = hit;
        return !!hit;
      };
      const record = (c: Candidate, r: PairResult) => {
        perCand.get(resultKey(c))![pi] = r;
        validation.set(keyOf(c), r, timeoutMs, memoryMB);
        input.durations.set(durationKey(c, task, p), r.ms);
      };
      const expected = expectedOf(task, p);
      const input0 = p.kind === 'demo' ? task.train[p.index].input : task.test[p.index].input;
      const cells = input0.length * (input0[0]?.length ?? 0);
      for (const c of candidates) {
        if (c.batt || lookup(c)) continue;
        total++;
        const expectedMs = input.durations.get(durationKey(c, task, p));
        jobs.push({
          expected: expectedMs ?? Infinity,
          size: cells,
          run: async () => {
            const pool = await input.pool();
            const r = await pool.run(
              { run: { file: c.file, fn: c.name, kind: c.kind, taskId: task.id, pair: p.kind, index: p.index }, task: tmsg, expectedMs },
              input.signal,
            );
            if (r.status === 'cancelled') return;
            if (r.status === 'ok' && r.result?.outcome) {
              const v = scoreOutcome(p.kind, p.index, r.result.outcome, expected, r.ms);
              record(c, { ...v, stdout: r.result.stdout, stderr: r.result.stderr });
            } else {
              record(c, faultVerdict(r, p, timeoutMs, memoryMB));
            }
          },
        });
      }
      for (const [file, group] of battGroups) {
        const missing = group.filter((c) => !lookup(c));
        if (!missing.length) continue;
        total++;
        const first = group[0];
        jobs.push({
          expected: input.durations.get(durationKey(first, task, p)) ?? Infinity,
          size: cells,
          run: async () => {
            const pool = await input.pool();
            const r = await pool.run(
              { run: { file, fn: 'batt', kind: 'batt', taskId: task.id, pair: p.kind, index: p.index }, task: tmsg, expectedMs: input.durations.get(durationKey(first, task, p)) },
              input.signal,
            );
            if (r.status === 'cancelled') return;
            const outs = r.status === 'ok' ? r.result?.batt ?? [] : undefined;
            for (const c of group) {
              if (!outs) {
                record(c, faultVerdict(r, p, timeoutMs, memoryMB));
                continue;
              }
              const o = outs.find((x) => x.t === c.batt!.t && x.source === c.batt!.source);
              if (!o) {
                record(c, { kind: p.kind, index: p.index, ms: r.ms, status: 'error', message: `batt returned no output for t${c.batt!.t} (${c.batt!.source})` });
              } else {
                record(c, { ...scoreOutcome(p.kind, p.index, o, expected, r.ms), stdout: r.result?.stdout, stderr: r.result?.stderr });
              }
            }
          },
        });
      }
    });
  }

  // Longest expected first; unknown durations (Infinity) first of all, biggest inputs first among them.
  jobs.sort((a, b) => (a.expected === b.expected ? b.size - a.size : b.expected - a.expected));
  let done = 0;
  input.onProgress?.(0, total);
  let ran = 0;
  await Promise.all(
    jobs.map(async (j) => {
      await j.run();
      ran++;
      input.onProgress?.(++done, total);
    }),
  );
  const cancelled = !!input.signal?.aborted;
  return { results, jobs: total, ran: cancelled ? ran : total, cancelled };
}
