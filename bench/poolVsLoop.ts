/**
 * Section 1 (pool vs plain loop) and 5 (memory): the same (candidate, task, pair) jobs run by the reference
 * single-process loop and by the engine with 1, 2 and 4 workers, each engine with a fresh cache so nothing is
 * cached, timed from just before run() to just after (the pool starts lazily inside run, so start-up is included).
 */
import * as os from 'os';
import type { RunJson } from '../src/protocol/results';
import { BenchContext, jobKey, newEngine, phaseMs, verdicts } from './context';
import { childrenCpuMs, RssSampler, round, sampleTree } from './measure';
import { LoopResult, runPlainLoop } from './plainLoop';
import type { Report } from './report';

export interface PoolRun {
  workers: number;
  wallMs: number;
  ratioToLoop: number;
  ratioToIdeal: number;
  phases: RunJson['phases'];
  solved: number;
  jobs: number;
  mismatches: number;
  /** CPU of the engine's node process during the run (includes the bench's own sampling) */
  hostCpuMs: number;
  /** CPU of the workers and the analyzer (alive at the end of the run) */
  childCpuMs: number;
  /** (host + children CPU) / (wall x cores): how much of the machine the run got */
  cpuShare: number;
  /** from the moment the queue was empty to the end of the run */
  tailMs: number;
  /** sum of the worker-measured call times */
  workerMs: number;
}

export interface PoolSection {
  loop: Omit<LoopResult, 'jobs'> & { jobs: number };
  idealMs: number;
  cores: number;
  runs: PoolRun[];
  memory: { idleMB: number; peakMB: number; idleProcesses: number; peakProcesses: number; hostIdleMB: number; samples: number };
  mismatchExamples: string[];
}

export async function poolVsLoop(ctx: BenchContext, report: Report): Promise<PoolSection> {
  const repeats = ctx.quick ? 1 : 2;
  let loop: LoopResult | undefined;
  for (let i = 0; i < repeats; i++) {
    ctx.log(`1. plain loop (${i + 1}/${repeats})`);
    const r = await runPlainLoop(ctx.python, ctx.work, ctx.corpus, ctx.scratch);
    if (!loop || r.wallMs < loop.wallMs) loop = r;
  }
  if (!loop) throw new Error('no plain loop run');
  const cores = os.cpus().length;
  const idealMs = Math.max(loop.longestMs, loop.totalCpuMs / cores);
  const expected = new Map(loop.jobs.map((j) => [jobKey(j.task, j.fn, j.kind, j.index), j.passed]));

  const runs: PoolRun[] = [];
  const mismatchExamples: string[] = [];
  let memory: PoolSection['memory'] | undefined;
  for (const workers of [1, 2, 4]) {
    let best: PoolRun | undefined;
    for (let i = 0; i < (workers === 4 ? repeats : 1); i++) {
      ctx.log(`1. pool, ${workers} worker(s)${workers === 4 ? ` (${i + 1}/${repeats})` : ''}`);
      const engine = newEngine(ctx, workers);
      const sampler = new RssSampler(process.pid, 50);
      // When the queue drains, what is left is the tail: the last jobs running while other workers idle.
      let drainedAt: number | undefined;
      let queued = false;
      const poll = setInterval(() => {
        const st = engine.poolStatus();
        if (st && st.queued > 0) queued = true;
        else if (st && queued && drainedAt === undefined) drainedAt = performance.now();
      }, 20);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const run = await engine.run({ tasks: ctx.taskIds });
      const wallMs = performance.now() - t0;
      clearInterval(poll);
      const cpu = process.cpuUsage(cpu0);
      const childCpuMs = childrenCpuMs(process.pid);
      const peak = sampler.stop();
      if (workers === 4) {
        const idle = sampleTree(process.pid);
        const m = { idleMB: idle.totalMB, peakMB: peak.totalMB, idleProcesses: idle.processes, peakProcesses: peak.processes, hostIdleMB: idle.rootMB, samples: sampler.samples };
        if (!memory || m.peakMB > memory.peakMB) memory = m;
      }
      await engine.dispose();
      const got = verdicts(run);
      let mismatches = Math.abs(got.size - expected.size);
      for (const [k, v] of expected) {
        if (got.get(k) !== v) {
          mismatches++;
          if (mismatchExamples.length < 5) mismatchExamples.push(`${k.split('\0').join(' ')}: loop ${v ? 'pass' : 'fail'}, pool ${got.has(k) ? (got.get(k) ? 'pass' : 'fail') : 'missing'}`);
        }
      }
      const r: PoolRun = {
        workers,
        wallMs,
        ratioToLoop: wallMs / loop.wallMs,
        ratioToIdeal: wallMs / idealMs,
        phases: run.phases,
        solved: run.summary.solved,
        jobs: run.summary.jobs,
        mismatches: mismatches + (run.summary.solved !== loop.solved ? 1 : 0),
        hostCpuMs: (cpu.user + cpu.system) / 1000,
        childCpuMs,
        cpuShare: ((cpu.user + cpu.system) / 1000 + childCpuMs) / (wallMs * cores),
        tailMs: drainedAt === undefined ? 0 : t0 + wallMs - drainedAt,
        workerMs: run.tasks.reduce((n, t) => n + t.candidates.reduce((m, c) => m + c.ms, 0), 0),
      };
      if (!best || r.wallMs < best.wallMs) best = r;
    }
    runs.push(best!);
  }

  const S = '1 pool';
  report.info(S, `plain loop wall (${loop.jobs.length} jobs, spawn to exit)`, loop.wallMs, 'ms');
  report.info(S, 'total CPU of the jobs (loop)', loop.totalCpuMs, 'ms');
  report.info(S, 'longest single pair (loop)', loop.longestMs, 'ms');
  report.info(S, `ideal = max(longest, CPU / ${cores} cores)`, idealMs, 'ms');
  for (const r of runs) {
    report.info(S, `pool ${r.workers}w wall (incl. start-up)`, r.wallMs, 'ms');
    report.info(S, `pool ${r.workers}w / loop`, r.ratioToLoop, 'x');
    report.info(S, `pool ${r.workers}w / ideal`, r.ratioToIdeal, 'x');
  }
  const four = runs.find((r) => r.workers === 4)!;
  for (const name of ['startup', 'discover', 'inline', 'score', 'unaccounted']) report.info(S, `pool 4w phase ${name}`, phaseMs({ phases: four.phases } as RunJson, name), 'ms');
  report.info(S, 'pool 4w tail (queue empty -> run end)', four.tailMs, 'ms');
  report.info(S, 'pool 4w CPU: workers + analyzer', four.childCpuMs, 'ms');
  report.info(S, 'pool 4w CPU: node host', four.hostCpuMs, 'ms');
  report.info(S, `pool 4w CPU share of ${cores} cores`, four.cpuShare, 'x');
  report.info(S, 'loop CPU share of 1 core', loop.totalCpuMs / loop.wallMs, 'x');
  report.check(S, 'pool 4w / ideal', four.ratioToIdeal, 'x', '<=', 1.15);
  report.check(S, 'pool 4w / plain loop', four.ratioToLoop, 'x', '<=', 0.6);
  report.check(S, 'mismatches pool vs loop (all runs)', runs.reduce((n, r) => n + r.mismatches, 0), '', '<=', 0);
  report.info(S, 'solved tasks (loop = pool)', loop.solved, '');

  const mem = memory!;
  report.info('5 mem', `engine host + ${mem.idleProcesses - 1} children RSS, idle after (1)`, mem.idleMB, 'MB');
  report.info('5 mem', `engine host + children RSS, peak during (1) 4w`, mem.peakMB, 'MB');
  report.info('5 mem', 'engine host (node) RSS alone, idle', mem.hostIdleMB, 'MB');

  const { jobs: loopJobs, ...loopRest } = loop;
  return {
    loop: { ...loopRest, jobs: loopJobs.length, wallMs: round(loop.wallMs) },
    idealMs,
    cores,
    runs,
    memory: mem,
    mismatchExamples,
  };
}
