/**
 * Section 4, per-job overhead: 10,000 trivial jobs (a solver that returns its input rotated, on a 3x3 grid).
 * (a) Pool, one job in flight: round trip minus the worker-measured call time, per job (median, p99).
 * (b) Pool, all 10,000 queued at once on 4 workers: jobs per second.
 * (c) Engine: ~10,000 trivial candidate x pair jobs over the corpus (6 one-line solvers per task), score phase only.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Pool } from '../src/engine/pool/pool';
import { scoringScript } from '../src/engine/workerDir';
import type { TaskMessage } from '../src/protocol/worker';
import { BenchContext, newEngine, phaseMs } from './context';
import { median, percentile, round } from './measure';
import type { Report } from './report';

export interface OverheadSection {
  jobs: number;
  sequential: { medianMs: number; p99Ms: number; meanOwnMs: number; jobsPerSecond: number };
  batch: { workers: number; wallMs: number; jobsPerSecond: number };
  engine: { jobs: number; scoreMs: number; jobsPerSecond: number; amortisedOverheadMs: number };
}

const TRIVIAL = ['rot90', 'rot180', 'hmirror', 'vmirror', 'dmirror', 'tophalf'];

export async function overhead(ctx: BenchContext, report: Report): Promise<OverheadSection> {
  fs.mkdirSync(path.join(ctx.scratch, 'ws-trivial'), { recursive: true });
  const dir = fs.realpathSync(path.join(ctx.scratch, 'ws-trivial'));
  for (const f of ['dsl.py', 'constants.py']) fs.copyFileSync(path.join(ctx.repo, 'samples', f), path.join(dir, f));
  const file = path.join(dir, 'trivial.py');
  fs.writeFileSync(file, 'from dsl import *\n\n\ndef solve_trivial(I):\n    O = rot90(I)\n    return O\n');
  const N = 10_000;
  const task: TaskMessage = { t: 'task', key: 'trivial', train: [[[[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[7, 4, 1], [8, 5, 2], [9, 6, 3]]]], test: [] };
  const job = { run: { file, fn: 'solve_trivial', kind: 'I' as const, taskId: 'trivial', pair: 'demo' as const, index: 0 }, task };

  const pool = new Pool({ python: ctx.python, workerScript: scoringScript(ctx.workerDir), roots: [dir], workers: 4, timeoutMs: 30_000, memoryMB: 2048 });
  let sequential: OverheadSection['sequential'];
  let batch: OverheadSection['batch'];
  try {
    await pool.start();
    for (let i = 0; i < 200; i++) await pool.run(job); // warm: imports, JIT
    ctx.log(`4. ${N} sequential pool jobs`);
    const over: number[] = [];
    let own = 0;
    const s0 = performance.now();
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      const r = await pool.run(job);
      const dt = performance.now() - t0;
      if (r.status !== 'ok' || !r.result?.outcome?.match) throw new Error(`trivial job failed: ${JSON.stringify(r).slice(0, 500)}`);
      over.push(dt - r.ms);
      own += r.ms;
    }
    const seqWall = performance.now() - s0;
    sequential = { medianMs: median(over), p99Ms: percentile(over, 99), meanOwnMs: own / N, jobsPerSecond: (N * 1000) / seqWall };

    ctx.log(`4. ${N} pool jobs queued at once`);
    const b0 = performance.now();
    const rs = await Promise.all(Array.from({ length: N }, () => pool.run(job)));
    const bWall = performance.now() - b0;
    if (rs.some((r) => r.status !== 'ok')) throw new Error('a trivial job failed in the batch');
    batch = { workers: 4, wallMs: bWall, jobsPerSecond: (N * 1000) / bWall };
  } finally {
    await pool.dispose();
  }

  // The same kind of jobs through the engine (discovery, validation keys, scoring, caches), score phase only.
  const lines = ['from dsl import *', '', ''];
  for (const id of ctx.taskIds) for (const op of TRIVIAL) lines.push(`def solve_${id}_${op}(I):`, `    O = ${op}(I)`, '    return O', '', '');
  fs.writeFileSync(file, lines.join('\n'));
  ctx.log('4. trivial jobs through the engine');
  const engine = newEngine(ctx, 4, undefined, dir);
  let eng: OverheadSection['engine'];
  try {
    await engine.startWorkers();
    const run = await engine.run({ tasks: ctx.taskIds });
    const scoreMs = phaseMs(run, 'score');
    const ownMs = run.tasks.reduce((n, t) => n + t.candidates.reduce((m, c) => m + c.ms, 0), 0);
    const jobs = run.summary.ran;
    const lanes = Math.min(4, os.cpus().length);
    eng = { jobs, scoreMs, jobsPerSecond: (jobs * 1000) / scoreMs, amortisedOverheadMs: (scoreMs * lanes - ownMs) / jobs };
  } finally {
    await engine.dispose();
  }

  const S = '4 overhead';
  report.info(S, 'trivial solver own time, mean', sequential.meanOwnMs, 'ms');
  report.check(S, `pool overhead per job, median (${N}, 1 in flight)`, sequential.medianMs, 'ms', '<', 0.5);
  report.info(S, 'pool overhead per job, p99', sequential.p99Ms, 'ms');
  report.info(S, 'pool jobs/s, 1 in flight', sequential.jobsPerSecond, '/s');
  report.info(S, `pool jobs/s, ${N} queued, 4 workers`, batch.jobsPerSecond, '/s');
  report.info(S, `engine jobs/s, score phase (${eng.jobs} jobs)`, eng.jobsPerSecond, '/s');
  report.info(S, `engine overhead per job, amortised over ${Math.min(4, os.cpus().length)} cores`, eng.amortisedOverheadMs, 'ms');
  return {
    jobs: N,
    sequential: { ...sequential, medianMs: round(sequential.medianMs, 4), p99Ms: round(sequential.p99Ms, 4) },
    batch,
    engine: eng,
  };
}
