/**
 * The stability check (`batt run --check-stable`, RunOptions.checkStable; always for a submission). The workers run
 * under a fixed PYTHONHASHSEED (RUN_HASH_SEED), so a verdict never changes between runs by chance; but a solver whose
 * output depends on the iteration order of a set or dict of strings is right under one seed and wrong under another
 * (another machine, another Python). So each candidate that passed its demo pairs runs every pair again on a second,
 * small pool under CHECK_HASH_SEED; a candidate with another output on any pair (another grid, or a grid against
 * none) is `unstable`.
 *
 * The check's verdicts are cached like the run's, keyed apart by the seed (seededInterpreter), so a rerun with nothing
 * changed compares cached verdicts and runs nothing; an input that changes (code, task, interpreter) reruns both.
 * What it cannot see: the order of sets of ints and tuples of ints (their hashes do not depend on the seed; they can
 * still differ between Python versions or builds), and order that depends on anything but hashing.
 */
import type { StabilitySummary, UnstablePair } from '../../protocol/results';
import type { Grid, PairResult, Task } from '../types';
import { RUN_HASH_SEED } from '../pool/types';
import { resultKey, scorePhase, type ScoreInput, type ScoreOutput, type Selection } from './jobs';
import { expectedOf } from './pairs';

export { RUN_HASH_SEED } from '../pool/types';
/** The stability check's second PYTHONHASHSEED. */
export const CHECK_HASH_SEED = 1;
/** Workers of the check's pool (at most the run's). */
export const CHECK_WORKERS = 2;

/** Unstable candidates' differing pairs by task id, then result key (duplicates share their original's). */
export type UnstableMap = Map<string, Map<string, UnstablePair[]>>;

/** The interpreter part of a validation key under a hash seed: verdicts of different seeds are cached apart. */
export function seededInterpreter(interpreterFp: string, seed: number): string {
  return `${interpreterFp} PYTHONHASHSEED=${seed}`;
}

/** The candidates to check: per task, the unique ones that passed every demo pair (and had one). */
export function checkSelections(selections: Selection[], results: ScoreOutput['results']): Selection[] {
  const out: Selection[] = [];
  for (const { task, candidates } of selections) {
    const rows = results.get(task.id);
    const demo = task.train.length;
    const passed = candidates.filter((c) => {
      const row = rows?.get(resultKey(c));
      return demo > 0 && !!row && row.slice(0, demo).every((p) => p?.status === 'pass');
    });
    if (passed.length) out.push({ task, candidates: passed });
  }
  return out;
}

/**
 * What a pair gave: its grid (a pass gave the expected one), null for no grid (an exception, a CPU timeout, a crash),
 * undefined when it says nothing (it did not run, or a wall-clock timeout that depends on the machine's load).
 */
function outputOf(task: Task, p: PairResult | undefined): Grid | null | undefined {
  if (!p || p.status === 'skipped' || p.status === 'cancelled' || (p.status === 'timeout' && p.timedOutBy !== 'cpu')) return undefined;
  if (p.status === 'pass') return expectedOf(task, p);
  if (p.status === 'fail' || p.status === 'unknown') return p.actual ?? null;
  return null;
}

const size = (g: Grid) => `${g.length}x${g[0]?.length ?? 0}`;

/** How the check's output of a pair differs from the run's, or undefined when it does not (or cannot tell). */
function difference(task: Task, run: PairResult, check: PairResult | undefined): string | undefined {
  const a = outputOf(task, run);
  const b = outputOf(task, check);
  if (a === undefined || b === undefined || (a === null && b === null)) return undefined;
  const under = `under PYTHONHASHSEED=${CHECK_HASH_SEED}`;
  if (a === null) return `a ${size(b!)} grid ${under}, none under ${RUN_HASH_SEED} (${run.status}: ${run.message ?? ''})`;
  if (b === null) return `no grid ${under}, a ${size(a)} grid under ${RUN_HASH_SEED} (${check!.status}: ${check!.message ?? ''})`;
  const other = `another grid ${under} than under ${RUN_HASH_SEED}`;
  if (size(a) !== size(b)) return `${other} (${size(b)} against ${size(a)})`;
  const cells = a.flat().length;
  const differ = a.flat().filter((v, i) => v !== b.flat()[i]).length;
  return differ ? `${other} (${size(b)}: ${differ} of ${cells} cells differ)` : undefined;
}

/** The pairs on which the check's row differs from the run's; undefined when none does. */
export function compareRows(task: Task, run: PairResult[], check: PairResult[]): UnstablePair[] | undefined {
  const pairs: UnstablePair[] = [];
  run.forEach((p, at) => {
    const d = p && difference(task, p, check[at]);
    if (d) pairs.push({ kind: p.kind, index: p.index, message: `${p.kind} ${p.index}: ${d}` });
  });
  return pairs.length ? pairs : undefined;
}

export interface StabilityOutput {
  unstable: UnstableMap;
  summary: StabilitySummary;
  /** the check was cancelled with the run */
  cancelled: boolean;
}

/**
 * Runs the check: `input` is the run's score input with the check's pool, a validation cache of its own (its counts
 * are the check's) and the interpreter's fingerprint without a seed; `first` the run's results. Every pair of every
 * candidate to check runs (no first-failure stop), the cache first.
 */
export async function stabilityPhase(input: ScoreInput, first: ScoreOutput): Promise<StabilityOutput> {
  const selections = checkSelections(input.selections, first.results);
  const onProgress = input.onProgress && ((done: number, total: number) => input.onProgress!(first.jobs + done, first.jobs + total));
  const second = await scorePhase({
    ...input,
    selections,
    interpreter: seededInterpreter(input.interpreter, CHECK_HASH_SEED),
    allPairs: true,
    onProgress,
  });
  const unstable: UnstableMap = new Map();
  let checked = 0;
  for (const { task, candidates } of selections) {
    const found = new Map<string, UnstablePair[]>();
    for (const c of candidates) {
      checked++;
      const key = resultKey(c);
      const u = compareRows(task, first.results.get(task.id)!.get(key)!, second.results.get(task.id)?.get(key) ?? []);
      if (u) found.set(key, u);
    }
    if (found.size) unstable.set(task.id, found);
  }
  const count = [...unstable.values()].reduce((n, m) => n + m.size, 0);
  const summary: StabilitySummary = { seeds: [RUN_HASH_SEED, CHECK_HASH_SEED], checked, unstable: count, ran: second.ran, cached: input.validation.hits };
  return { unstable, summary, cancelled: second.cancelled };
}
