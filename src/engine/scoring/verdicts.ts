/**
 * The score phase: exact match per pair (the ARC rule), messages that say what differs (a mismatch's from the
 * explainer), per-candidate aggregation and ranking. Pure functions over pool results; no I/O.
 */
import type { PairKind, WireError, WireOutcome } from '../../protocol/worker';
import type { Grid, PairResult, Verdict } from '../types';
import type { PoolResult } from '../pool/pool';
import { timeoutMessage } from '../pool/limits';
import { explainMismatch } from './explain';

/**
 * A mismatch's message and class: the explainer's sentence (scoring/explain.ts). Grids the explainer finds equal are
 * no mismatch; the worker compares them too, so that only happens to a verdict from another task's data.
 */
export function mismatchFields(expected: Grid, actual: Grid): Pick<PairResult, 'message' | 'mismatch'> {
  const m = explainMismatch(expected, actual);
  return m ? { message: m.text, mismatch: m } : { message: 'the actual output equals the expected one' };
}

/** One line for an exception, e.g. "IndexError: tuple index out of range (in dsl.first, line 120)". */
export function describeError(e: WireError, memoryMB: number): string {
  let msg = e.message ? `${e.type}: ${e.message}` : e.type;
  if (e.type === 'MemoryError') msg = `MemoryError: memory limit exceeded (${memoryMB} MB per worker)`;
  if (e.dslFunc) msg += ` (in ${e.dslFunc}${e.dslLine ? `, ${baseName(e.dslFile)}:${e.dslLine}` : ''})`;
  return msg;
}

function baseName(p?: string): string {
  if (!p) return '?';
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return p.slice(i + 1);
}

/** The verdict of one checked outcome against the expected output. */
export function scoreOutcome(kind: PairKind, index: number, outcome: WireOutcome, expected: Grid | null, ms: number): PairResult {
  const base = { kind, index, ms };
  if (outcome.invalid !== undefined) return { ...base, status: 'error', message: outcome.invalid };
  if (outcome.match === true) return { ...base, status: 'pass' };
  if (expected === null || outcome.match === null) {
    return { ...base, status: 'unknown', message: 'expected output unknown', actual: outcome.output };
  }
  const actual = outcome.output ?? [];
  return { ...base, status: 'fail', ...mismatchFields(expected, actual), actual };
}

/** Verdict for a non-ok pool result (timeout, crash, exception). */
export function faultVerdict(r: PoolResult, p: { kind: PairKind; index: number }, timeoutMs: number, memoryMB: number): PairResult {
  const base = { kind: p.kind, index: p.index, ms: r.ms };
  if (r.status === 'timeout') {
    const t = r.timeout ?? { by: 'wall', limitMs: timeoutMs };
    return { ...base, status: 'timeout', message: timeoutMessage(t), timedOutBy: t.by, stdout: r.result?.stdout, stderr: r.result?.stderr };
  }
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

/** Severity of the verdicts of pairs that ran; 'skipped' and 'cancelled' pairs did not run and have none. */
const SEVERITY: Record<Exclude<Verdict, 'skipped' | 'cancelled'>, number> = { pass: 0, fail: 1, error: 2, timeout: 3, crash: 4 };

export interface CandidateScore {
  status: Verdict;
  demo: { passed: number; total: number };
  test: { passed: number; total: number; unknown: number };
  /** pairs that did not run: skipped by the engine, or not reached before the run was cancelled */
  skipped: number;
  cancelled: number;
  solved: boolean;
  ms: number;
}

/**
 * Aggregates pair results: the worst verdict of the pairs that ran (crash > timeout > error > fail > pass), counts,
 * solved. A candidate none of whose pairs failed is never 'pass' unless every pair ran: it is 'cancelled' when the run
 * stopped before some of its pairs, else 'skipped' when the engine did not run them.
 */
export function aggregate(pairs: PairResult[]): CandidateScore {
  let worst: keyof typeof SEVERITY = 'pass';
  const demo = { passed: 0, total: 0 };
  const test = { passed: 0, total: 0, unknown: 0 };
  let skipped = 0;
  let cancelled = 0;
  let ms = 0;
  for (const p of pairs) {
    ms += p.ms;
    const bucket = p.kind === 'demo' ? demo : test;
    bucket.total++;
    if (p.status === 'pass') bucket.passed++;
    else if (p.status === 'unknown') test.unknown++;
    else if (p.status === 'skipped') skipped++;
    else if (p.status === 'cancelled') cancelled++;
    else if (SEVERITY[p.status] > SEVERITY[worst]) worst = p.status;
  }
  const status: Verdict = worst !== 'pass' ? worst : cancelled ? 'cancelled' : skipped ? 'skipped' : 'pass';
  const solved = pairs.length > 0 && !skipped && !cancelled && demo.passed === demo.total && test.total > 0 && test.passed === test.total;
  return { status, demo, test, skipped, cancelled, solved, ms };
}

export interface Rankable {
  name: string;
  score: Pick<CandidateScore, 'demo' | 'test' | 'ms'>;
  length: number;
  /** a duplicate shares its original's verdicts and time: it ranks right after it, not before it by name */
  duplicate?: boolean;
  /** found unstable by the stability check (CandidateJson.unstable) */
  unstable?: boolean;
}

/** Test pairs passed as the ranking counts them: none for an unstable candidate (its passes depend on a hash seed). */
const testsPassed = (r: Rankable) => (r.unstable ? 0 : r.score.test.passed);

/**
 * Ranking of a task's candidates: test pairs passed, demo pairs passed, stable before unstable, time, then program
 * length, then originals before duplicates, then name, numbers in names compared as numbers (`batt:127:…` before
 * `batt:1031:…`). An unstable candidate counts no test pair passed: it ranks below every stable one (those passed
 * every demo pair, as it did) and above those that failed a demo pair and passed no test pair.
 */
export function compareRank(a: Rankable, b: Rankable): number {
  return (
    testsPassed(b) - testsPassed(a) ||
    b.score.demo.passed - a.score.demo.passed ||
    Number(!!a.unstable) - Number(!!b.unstable) ||
    a.score.ms - b.score.ms ||
    a.length - b.length ||
    Number(!!a.duplicate) - Number(!!b.duplicate) ||
    a.name.localeCompare(b.name, undefined, { numeric: true })
  );
}
