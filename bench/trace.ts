/**
 * Section 8, the solver trace (engine.trace): on the 400-candidate battery workspace (batteryWorkload.ts), after a
 * run of the benchmark tasks (their verdicts cached, as in an editor session), trace solvers never traced before,
 * each on its own task over all its pairs, and time the call beyond the solver's own time (the sum of its pairs'
 * worker-measured ms): discovery and analysis of the workspace (cached parses), the verdict lookups, the trace jobs'
 * round trips, instrumenting and summarising. Then the same traces again: from the trace cache.
 */
import * as path from 'path';
import type { TraceJson } from '../src/protocol/trace';
import { writeBatteryWorkspace } from './batteryWorkload';
import { newEngine, type BenchContext } from './context';
import { median, percentile, round } from './measure';
import type { Report } from './report';
import { corpusIds } from './workload';

export interface TraceSection {
  solvers: number;
  overheadMs: number[];
  wallMs: number[];
  ownMs: number[];
  cachedMs: number[];
  p50: number;
  p95: number;
  lines: number;
  pairs: number;
}

const own = (t: TraceJson) => t.pairs.reduce((n, p) => n + (p.ms ?? 0), 0);

export async function traceBench(ctx: BenchContext, report: Report): Promise<TraceSection> {
  const work = writeBatteryWorkspace(path.join(ctx.scratch, 'ws-trace'), path.join(ctx.repo, 'samples'), corpusIds(ctx.corpus), { candidates: 400, tasks: 40 });
  const engine = newEngine(ctx, 4, undefined, work.dir, 10_000);
  try {
    ctx.log(`8. a run of the ${work.tasks.length} benchmark tasks (${work.candidates.length} candidates) caches their verdicts`);
    await engine.run({ tasks: work.tasks });
    // every candidate of a benchmark task but the endless loop and the slow program (seconds of their own)
    const taskSet = new Set(work.tasks);
    const solvers = work.candidates.filter((c) => c !== work.loop && c !== work.slow && taskSet.has(c.replace(/^solve_/, '').replace(/_1$/, '')));
    const picked = (ctx.quick ? solvers.slice(0, 10) : solvers).slice(0, 40);
    ctx.log(`8. tracing ${picked.length} solvers, each on its own task`);
    await engine.trace({ solver: picked[0] }); // (the first trace starts nothing new: the pool is up; it warms the JIT)
    const wall: number[] = [];
    const ownMs: number[] = [];
    const overhead: number[] = [];
    let lines = 0;
    let pairs = 0;
    for (const solver of picked.slice(1)) {
      const t0 = performance.now();
      const t = await engine.trace({ solver });
      const ms = performance.now() - t0;
      if (t.cached) throw new Error(`the first trace of ${solver} came from the cache`);
      wall.push(ms);
      ownMs.push(own(t));
      overhead.push(ms - own(t));
      lines += t.lines.length;
      pairs += t.pairs.length;
    }
    const cached: number[] = [];
    for (const solver of picked.slice(1)) {
      const t0 = performance.now();
      const t = await engine.trace({ solver });
      cached.push(performance.now() - t0);
      if (!t.cached) throw new Error(`the retrace of ${solver} was not from the cache`);
    }
    const S = '8 trace';
    const p50 = median(overhead);
    const p95 = percentile(overhead, 95);
    report.check(S, `trace of one solver over all its pairs, beyond its own time, p50 of ${overhead.length}`, p50, 'ms', '<', 60);
    report.check(S, 'trace beyond the solver\'s own time, p95', p95, 'ms', '<', 150);
    report.info(S, '  the solver\'s own time (sum over its pairs), median', median(ownMs), 'ms');
    report.info(S, '  traced lines per solver, mean', lines / overhead.length, '');
    report.info(S, '  pairs per solver, mean', pairs / overhead.length, '');
    report.info(S, 'the same trace again (trace cache), median', median(cached), 'ms');
    return { solvers: overhead.length, overheadMs: overhead.map((x) => round(x, 2)), wallMs: wall.map((x) => round(x, 2)), ownMs: ownMs.map((x) => round(x, 3)), cachedMs: cached.map((x) => round(x, 2)), p50, p95, lines: lines / overhead.length, pairs: pairs / overhead.length };
  } finally {
    await engine.dispose();
  }
}
