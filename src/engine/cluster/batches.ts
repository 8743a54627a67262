/**
 * How a cluster run packs its jobs into batches: one Dask task runs a batch, so a batch amortises Dask's per-task
 * overhead (a few ms of submit, scheduling and result transfer: bench scenario 10 measures it) over many jobs of well
 * under a millisecond each, while enough batches remain to keep every Dask thread busy to the end.
 *
 * Jobs are ordered as the local pool's queue hands them out (queue.ts): stage by stage, within a stage unknown
 * durations first, then longest expected first. A batch never spans two stages (its priority is its stage's), holds at
 * most MAX_BATCH_JOBS jobs and BATCH_BUDGET_MS of expected time (a job expected to take longer runs alone), and a
 * flush of n jobs over t threads makes batches of about n / (BATCHES_PER_THREAD x t) jobs.
 */

export const MAX_BATCH_JOBS = 64;
export const BATCH_BUDGET_MS = 250;
export const BATCHES_PER_THREAD = 3;

export interface BatchKey {
  stage: number;
  /** remembered duration; undefined = unknown */
  expectedMs?: number;
}

/** `jobs` in batches, in the order they should be submitted. */
export function makeBatches<T>(jobs: readonly T[], threads: number, keyOf: (job: T) => BatchKey): T[][] {
  const keyed = jobs.map((job, at) => ({ job, at, ...keyOf(job) }));
  const known = (ms: number | undefined) => ms !== undefined && Number.isFinite(ms);
  keyed.sort((a, b) => {
    if (a.stage !== b.stage) return a.stage - b.stage;
    const ka = known(a.expectedMs);
    const kb = known(b.expectedMs);
    if (ka !== kb) return ka ? 1 : -1;
    if (ka && a.expectedMs !== b.expectedMs) return (b.expectedMs as number) - (a.expectedMs as number);
    return a.at - b.at;
  });
  const size = Math.max(1, Math.min(MAX_BATCH_JOBS, Math.ceil(jobs.length / (BATCHES_PER_THREAD * Math.max(1, threads)))));
  const batches: T[][] = [];
  let current: T[] = [];
  let stage = 0;
  let budget = 0;
  for (const k of keyed) {
    const ms = known(k.expectedMs) ? (k.expectedMs as number) : 0;
    if (current.length && (k.stage !== stage || current.length >= size || budget + ms > BATCH_BUDGET_MS)) {
      batches.push(current);
      current = [];
      budget = 0;
    }
    current.push(k.job);
    stage = k.stage;
    budget += ms;
  }
  if (current.length) batches.push(current);
  return batches;
}
