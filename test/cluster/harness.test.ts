/**
 * The cluster harness itself: a loopback scheduler with two workers that really compute, a killed worker is gone from
 * the scheduler, and stop() leaves no process of the cluster behind.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { DASK_PYTHON, leftovers, startCluster, TestCluster } from './harness';

/** Asks the scheduler, from a separate client process, how many workers it has and what they compute. */
function probe(address: string): { workers: number; sum: number } {
  const code = [
    'import json, sys',
    'from distributed import Client',
    'c = Client(sys.argv[1], timeout=20)',
    'n = len(c.scheduler_info()["workers"])',
    's = sum(c.gather(c.map(lambda x: x * x, range(10))))',
    'c.close()',
    'print(json.dumps({"workers": n, "sum": s}))',
  ].join('\n');
  return JSON.parse(execFileSync(DASK_PYTHON, ['-c', code, address], { encoding: 'utf8', timeout: 60_000 }).trim().split('\n').pop()!) as { workers: number; sum: number };
}

describe('cluster harness (Dask on 127.0.0.1)', () => {
  let cluster: TestCluster | undefined;
  afterEach(async () => {
    const c = cluster;
    cluster = undefined;
    if (c) await c.stop();
    if (c) assert.deepStrictEqual(leftovers(c.id), []);
  });

  it('starts a loopback scheduler with two workers that compute', async () => {
    cluster = await startCluster({ workers: 2 });
    assert.match(cluster.address, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    assert.deepStrictEqual(probe(cluster.address), { workers: 2, sum: 285 });
  });

  it('kills one worker (the scheduler loses it) and stops without leftovers', async () => {
    cluster = await startCluster({ workers: 2 });
    const before = leftovers(cluster.id).length;
    assert.ok(before >= 3, `scheduler and two workers carry the marker: ${before}`);
    await cluster.killWorker(0);
    const after = probe(cluster.address);
    assert.strictEqual(after.sum, 285);
    assert.ok(after.workers <= 1, `the scheduler still lists ${after.workers} workers`);
  });
});
