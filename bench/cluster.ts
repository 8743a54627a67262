/**
 * Section 10, the cluster: the same battery (batteryWorkload.ts; 200 candidates x 12 ARC-AGI-1 training tasks, 80 x 12
 * with --quick) run cold by the local pool with 2 workers and by `--cluster` on a loopback Dask cluster of 2 workers
 * with one thread each (test/cluster/harness.ts), side by side, twice each in alternation, the fastest of each kept.
 * Both have two processes scoring on this 2-core machine, so the ratio is what the cluster path itself costs: the
 * coordinator, batching, shipping the files, Dask's scheduling. Per-batch overhead is (submit + gather) summed over
 * the batches / batches (RunJson.pool.cluster; the queue phase is waiting for a free thread). The verdicts must agree;
 * the pairs a timeout-quarantined candidate ran before its second timeout landed depend on scheduling, and are counted.
 */
import * as path from 'path';
import { Engine } from '../src/engine/engine';
import type { ClusterRunInfo } from '../src/protocol/cluster';
import type { RunJson } from '../src/protocol/results';
import { startCluster, type TestCluster } from '../test/cluster/harness';
import { writeBatteryWorkspace } from './batteryWorkload';
import { BenchContext, newEngine } from './context';
import type { Report } from './report';
import { corpusIds } from './workload';

const TIMEOUT_S = 2;

interface Side {
  wallMs: number;
  ran: number;
  jobsPerS: number;
}

export interface ClusterSection {
  candidates: number;
  tasks: number;
  local: Side;
  cluster: Side & { batches: number; jobsPerBatch: number; overheadPerBatchMs: number; phases: ClusterRunInfo['phases']; workers: number };
  ratio: number;
  differences: string[];
  /** pairs one side ran and the other skipped by the timeout quarantine */
  quarantineOrder: number;
}

/** What the timeout quarantine's skipped pairs say (quarantine.ts). */
const QUARANTINED = /^skipped \(timed out on \d+ tasks?\)/;

/** Each pair's status, a pair the timeout quarantine dropped as 'quarantined'. */
function statuses(r: RunJson): Map<string, string> {
  const m = new Map<string, string>();
  for (const t of r.tasks) for (const c of t.candidates) for (const p of c.pairs) m.set(`${t.id} ${c.name} ${p.kind} ${p.index}`, p.status === 'skipped' && QUARANTINED.test(p.message ?? '') ? 'quarantined' : p.status);
  return m;
}

/** The candidates some of whose pairs the timeout quarantine skipped. */
function quarantined(m: Map<string, string>): string {
  return [...new Set([...m].filter(([, v]) => v === 'quarantined').map(([k]) => k.split(' ')[1]))].sort().join(' ');
}

export async function clusterBench(ctx: BenchContext, report: Report): Promise<ClusterSection> {
  const size = ctx.quick ? { candidates: 80, tasks: 12 } : { candidates: 200, tasks: 12 };
  const work = writeBatteryWorkspace(path.join(ctx.scratch, 'ws-cluster'), path.join(ctx.repo, 'samples'), corpusIds(ctx.corpus), size);
  let cluster: TestCluster | undefined;
  try {
    ctx.log('10. starting a loopback Dask cluster: a scheduler and 2 workers of 1 thread');
    cluster = await startCluster({ workers: 2, nthreads: 1 });
    const address = cluster.address;
    let seq = 0;
    const once = async (onCluster: boolean): Promise<{ r: RunJson; wallMs: number }> => {
      const cacheDir = path.join(ctx.scratch, `cache-cluster-${++seq}`);
      const engine = onCluster
        ? new Engine({ workspace: work.dir, python: ctx.python, tasksPath: ctx.corpus, workers: 2, timeoutMs: TIMEOUT_S * 1000, memoryMB: 2048, cacheDir, workerDir: ctx.workerDir, cluster: address })
        : newEngine(ctx, 2, cacheDir, work.dir, TIMEOUT_S * 1000);
      try {
        const t0 = performance.now();
        const r = await engine.run({ tasks: work.tasks, battery: true, noCache: true });
        return { r, wallMs: performance.now() - t0 };
      } finally {
        await engine.dispose();
      }
    };
    let local: { r: RunJson; wallMs: number } | undefined;
    let remote: { r: RunJson; wallMs: number } | undefined;
    const repeats = ctx.quick ? 1 : 2;
    for (let i = 0; i < repeats; i++) {
      ctx.log(`10. local pool, 2 workers (${i + 1}/${repeats})`);
      const l = await once(false);
      if (!local || l.wallMs < local.wallMs) local = l;
      ctx.log(`10. --cluster ${address} (${i + 1}/${repeats})`);
      const c = await once(true);
      if (!c.r.pool.cluster) throw new Error(`the cluster run did not go through the cluster: ${JSON.stringify(c.r.errors.slice(0, 3))}`);
      if (!remote || c.wallMs < remote.wallMs) remote = c;
    }
    if (!local || !remote) throw new Error('no runs');
    const info = remote.r.pool.cluster!;
    const phase = (n: string) => info.phases.find((p) => p.name === n)?.ms ?? 0;
    // what a batch costs beyond running its jobs: handing it to the scheduler and getting its results back (its time in
    // the queue is waiting for a free worker thread, not overhead); and the extra wall time the cluster path took,
    // spread over its batches (2 threads run batches in parallel)
    const overheadPerBatchMs = info.batches ? (phase('submit') + phase('gather')) / info.batches : NaN;
    const a = statuses(local.r);
    const b = statuses(remote.r);
    // A quarantined candidate's pairs after its second timeout are skipped, and which pairs ran before that timeout
    // landed depends on the order jobs finish in (two local runs differ too; when every job of it started before the
    // second timeout, nothing is skipped): those pairs are counted apart.
    const differences: string[] = [];
    let quarantineOrder = 0;
    for (const [k, v] of a) {
      const w = b.get(k);
      if (w === v) continue;
      if (v === 'quarantined' || w === 'quarantined') quarantineOrder++;
      else differences.push(`${k}: local ${v}, cluster ${w ?? 'missing'}`);
    }
    for (const k of b.keys()) if (!a.has(k)) differences.push(`${k}: cluster only`);
    const side = (x: { r: RunJson; wallMs: number }): Side => ({ wallMs: x.wallMs, ran: x.r.summary.ran, jobsPerS: (1000 * x.r.summary.ran) / x.wallMs });
    const l = side(local);
    const c = side(remote);
    const ratio = c.wallMs / l.wallMs;

    const S = '10 cluster';
    report.info(S, `workload: ${work.functions} candidates x ${work.tasks.length} tasks (battery, ${TIMEOUT_S} s limit)`, l.ran, 'jobs');
    report.info(S, 'local pool, 2 workers: wall (cold)', l.wallMs, 'ms');
    report.info(S, 'local pool: jobs/s', l.jobsPerS, '');
    report.info(S, `--cluster, 2 Dask workers x 1 thread on loopback: wall (cold)`, c.wallMs, 'ms');
    report.info(S, '--cluster: jobs/s', c.jobsPerS, '');
    report.info(S, '--cluster: jobs/s per Dask worker thread', c.jobsPerS / 2, '');
    report.info(S, `--cluster: batches (${(info.jobs / Math.max(1, info.batches)).toFixed(1)} jobs each)`, info.batches, '');
    report.info(S, '--cluster: overhead per batch (submit + gather)', overheadPerBatchMs, 'ms');
    report.info(S, '--cluster: extra wall per batch vs local ((cluster - local) x 2 threads / batches)', ((c.wallMs - l.wallMs) * 2) / Math.max(1, info.batches), 'ms');
    for (const p of info.phases) report.info(S, `--cluster phase ${p.name} (summed over batches)`, p.ms, 'ms');
    report.check(S, 'cluster wall / local wall (same 2 processes)', ratio, 'x', '<=', 1.5);
    report.check(S, 'verdicts that differ between local and cluster (pairs both ran)', differences.length, '', '<=', 0);
    const q = [quarantined(a) && `local: ${quarantined(a)}`, quarantined(b) && `cluster: ${quarantined(b)}`].filter(Boolean).join('; ');
    report.info(S, `pairs one side ran and the other skipped by the timeout quarantine (${q || 'none'})`, quarantineOrder, '');
    for (const d of differences.slice(0, 10)) ctx.log(`10. differs: ${d}`);
    return {
      candidates: work.functions,
      tasks: work.tasks.length,
      local: l,
      cluster: { ...c, batches: info.batches, jobsPerBatch: info.jobs / Math.max(1, info.batches), overheadPerBatchMs, phases: info.phases, workers: info.workers.length },
      ratio,
      differences,
      quarantineOrder,
    };
  } finally {
    await cluster?.stop();
  }
}
