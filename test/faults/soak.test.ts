/**
 * Soak: 20,480 jobs (256 generated tasks x 20 candidates x 4 pairs) over the sample DSL on 4 real workers, with about
 * 5% of the jobs faulty (seeded: raise, non-grid, crash, timeout, memory hog). Every job must get exactly one verdict,
 * the healthy ones exactly what a TypeScript oracle of the same transforms predicts, no process may be left, and
 * memory must stay flat from the middle to the end.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import type { PoolStatus } from '../../src/engine/pool/pool';
import type { CandidateJson, RunJson } from '../../src/protocol/results';
import { expectedVerdict, type FaultKind, generate } from './generate';
import { makeWorkspace, PidTracker, PYTHON, rssMiB, disposeAndCheck } from './helpers';

const TASKS = 256;
const CANDIDATES = 20;
const BATCHES = 4;
const TIMEOUT_MS = 750;
const MEMORY_MB = 256;
/** Share of each kind among the faulty candidates (5% of all); timeouts and crashes are the costly ones. */
const FAULT_MIX: Array<[FaultKind, number]> = [['raise', 0.42], ['nongrid', 0.35], ['crash', 0.12], ['timeout', 0.05], ['hog', 0.06]];

describe('soak: 20,000 jobs with 5% seeded faults on 4 workers', function () {
  this.timeout(600000);
  const tracker = new PidTracker();
  let engine: Engine | undefined;

  after(() => disposeAndCheck(engine, tracker));

  it('every job one verdict, healthy verdicts equal the oracle, no process left, memory flat', async () => {
    const ws = makeWorkspace('soak');
    fs.rmSync(path.join(ws, 'tasks', 'fa000001.json'));
    const tasks = generate(ws, { tasks: TASKS, candidates: CANDIDATES, tasksPerFile: 32, faultRate: 0.05, mix: FAULT_MIX, seed: 20240605 });
    const pids = new Set<number>();
    engine = new Engine({
      workspace: ws, python: PYTHON, workers: 4, timeoutMs: TIMEOUT_MS, memoryMB: MEMORY_MB,
      onPoolStatus: (s: PoolStatus) => s.workers.forEach((w) => w.pid !== undefined && pids.add(w.pid)),
    });
    const workersRss = () => Math.max(0, ...(engine!.poolStatus()?.workers ?? []).map((w) => (w.pid ? rssMiB(w.pid) : 0)));
    const rss: Array<{ at: string; node: number; worker: number }> = [];
    const sample = (at: string) => rss.push({ at, node: process.memoryUsage().rss / 1048576, worker: workersRss() });

    const counts: Record<string, number> = {};
    let jobs = 0;
    let mismatches = 0;
    let faultyJobs = 0;
    const t0 = performance.now();
    let scoreMs = 0;
    const per = TASKS / BATCHES;
    for (let b = 0; b < BATCHES; b++) {
      const batch = tasks.slice(b * per, (b + 1) * per);
      const tb = performance.now();
      const run: RunJson = await engine.run({ tasks: batch.map((t) => t.id) });
      scoreMs += performance.now() - tb;
      if (b === 0) sample('start (after batch 1)');
      if (b === BATCHES / 2 - 1) sample('middle');
      assert.deepEqual(run.errors, []);
      const dups = run.tasks.flatMap((t) => t.candidates.filter((c) => c.duplicateOf).map((c) => `${c.name}=${c.duplicateOf}`));
      assert.deepEqual(dups, [], 'no duplicate candidates');
      assert.equal(run.summary.jobs, per * CANDIDATES * 4);
      assert.equal(run.summary.ran, run.summary.jobs, 'every job ran (cold cache)');
      for (const gt of batch) {
        const tj = run.tasks.find((t) => t.id === gt.id);
        assert.ok(tj, gt.id);
        assert.equal(tj.candidates.length, CANDIDATES, `${gt.id}: candidates`);
        for (const gc of gt.candidates) {
          const cj: CandidateJson | undefined = tj.candidates.find((c) => c.name === gc.name);
          assert.ok(cj, gc.name);
          assert.deepEqual(cj.pairs.map((p) => `${p.kind}${p.index}`), ['demo0', 'demo1', 'demo2', 'test0'], `${gc.name}: one verdict per pair`);
          cj.pairs.forEach((p, i) => {
            jobs++;
            if (gc.fault) faultyJobs++;
            counts[p.status] = (counts[p.status] ?? 0) + 1;
            const want = expectedVerdict(gc, gt.pairs[i], TIMEOUT_MS, MEMORY_MB);
            const ok = p.status === want.status && (!want.message || want.message.test(p.message ?? '')) && (!want.actual || JSON.stringify(p.actual) === JSON.stringify(want.actual));
            if (!ok) {
              mismatches++;
              if (mismatches <= 5) console.log(`      mismatch ${gc.name} pair ${i} (${gc.fault ?? gc.chain.join('.')}): got ${p.status} ${p.message ?? ''}, want ${want.status} ${want.message ?? ''}`);
            }
          });
        }
      }
    }
    const wall = performance.now() - t0;
    for (const p of engine.poolStatus()?.workers ?? []) if (p.pid) pids.add(p.pid);
    sample('end');
    for (const p of pids) tracker.pids.add(p);
    console.log(`      soak: ${jobs} jobs (${faultyJobs} faulty) in ${(wall / 1000).toFixed(1)} s = ${Math.round(jobs / (scoreMs / 1000))} jobs/s; verdicts ${JSON.stringify(counts)}; mismatches ${mismatches}; worker pids ${pids.size}`);
    for (const s of rss) console.log(`      rss ${s.at}: node ${s.node.toFixed(0)} MiB, largest worker ${s.worker.toFixed(0)} MiB`);
    assert.equal(jobs, TASKS * CANDIDATES * 4);
    assert.equal(mismatches, 0);
    assert.ok(faultyJobs > 0.03 * jobs && faultyJobs < 0.08 * jobs, `faulty share ${faultyJobs / jobs}`);
    const mid = rss.find((s) => s.at === 'middle')!;
    const end = rss[rss.length - 1];
    // Flat: the validation cache holds 5,000 more small entries per batch; anything like a per-job leak is far more.
    assert.ok(end.node < mid.node + 150, `node rss grew from ${mid.node} to ${end.node} MiB`);
    assert.ok(end.worker < 200, `a worker uses ${end.worker} MiB`);
  });
});
