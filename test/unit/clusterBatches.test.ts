/** How a cluster run packs jobs into batches (src/engine/cluster/batches.ts): plain data, no cluster. */
import * as assert from 'assert';
import { BATCH_BUDGET_MS, MAX_BATCH_JOBS, makeBatches, type BatchKey } from '../../src/engine/cluster/batches';

interface J extends BatchKey {
  n: number;
}

const jobs = (count: number, key: (n: number) => BatchKey = () => ({ stage: 0 })): J[] => Array.from({ length: count }, (_, n) => ({ n, ...key(n) }));
const ids = (batches: J[][]) => batches.map((b) => b.map((j) => j.n));

describe('cluster batches', () => {
  it('every job exactly once; about three batches per thread, at most MAX_BATCH_JOBS each', () => {
    const all = jobs(300);
    const batches = makeBatches(all, 2, (j) => j);
    assert.deepStrictEqual(ids(batches).flat().sort((a, b) => a - b), all.map((j) => j.n));
    assert.strictEqual(batches.length, 6);
    const many = makeBatches(jobs(10_000), 2, (j) => j);
    assert.ok(many.every((b) => b.length <= MAX_BATCH_JOBS));
    assert.strictEqual(many.length, Math.ceil(10_000 / MAX_BATCH_JOBS));
  });

  it('a few jobs on many threads: one job per batch', () => {
    assert.deepStrictEqual(ids(makeBatches(jobs(5), 8, (j) => j)), [[0], [1], [2], [3], [4]]);
  });

  it('never spans two stages; lower stages first', () => {
    const all = jobs(40, (n) => ({ stage: n % 2 === 0 ? 1 : 0 }));
    const batches = makeBatches(all, 1, (j) => j);
    for (const b of batches) assert.strictEqual(new Set(b.map((j) => j.stage)).size, 1);
    const stages = batches.map((b) => b[0].stage);
    assert.deepStrictEqual(stages, [...stages].sort());
  });

  it('unknown durations first, then longest expected first; a long job runs alone', () => {
    const all = jobs(6, (n) => ({ stage: 0, expectedMs: [5, undefined, 3 * BATCH_BUDGET_MS, 1, undefined, 2 * BATCH_BUDGET_MS][n] }));
    const batches = makeBatches(all, 1, (j) => j);
    assert.deepStrictEqual(ids(batches), [[1, 4], [2], [5], [0, 3]]);
  });
});
