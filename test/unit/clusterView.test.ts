/**
 * The Timing tab after a `--cluster` run: a Cluster section with the scheduler, the batches, the phases summed over
 * the batches and a row per Dask worker; none after a local run.
 */
import * as assert from 'assert';
import type { ClusterRunInfo } from '../../src/protocol/cluster';
import type { RunJson } from '../../src/protocol/results';
import { renderCluster } from '../../src/webview/cluster';
import { findAll, textOf } from '../../src/webview/vdom';

const info: ClusterRunInfo = {
  scheduler: 'tcp://10.0.0.1:8786',
  distributed: '2022.12.1',
  batches: 4,
  jobs: 97,
  phases: [
    { name: 'submit', ms: 12 },
    { name: 'queue', ms: 300 },
    { name: 'run', ms: 2500 },
    { name: 'gather', ms: 8 },
  ],
  workers: [
    { address: 'tcp://10.0.0.2:40001', name: 'w-a', nthreads: 2, memoryLimit: 4 * 2 ** 30, processing: 0, batches: 3, jobsDone: 70 },
    { address: 'tcp://10.0.0.3:40001', name: 'w-b', nthreads: 1, memoryLimit: 0, processing: 0, batches: 1, jobsDone: 27 },
  ],
};

function run(cluster?: ClusterRunInfo): RunJson {
  return { pool: { workers: 3, restarts: 0, started: true, ...(cluster ? { cluster } : {}) } } as unknown as RunJson;
}

describe('webview: the cluster section of the Timing tab', () => {
  it('shows the scheduler, the batches, the phases and each Dask worker', () => {
    const v = renderCluster(run(info));
    assert.ok(v);
    const text = textOf(v);
    assert.match(text, /tcp:\/\/10\.0\.0\.1:8786 \(distributed 2022\.12\.1\)/);
    assert.match(text, /4 batches, 97 jobs \(24\.3 a batch\); 5\.0 ms a batch to submit and gather/);
    const rows = findAll(v, (n) => n.tag === 'tr').map(textOf);
    assert.ok(rows.includes('queue0.300'), rows.join(' | '));
    assert.ok(rows.some((r) => r === 'tcp://10.0.0.2:40001w-a24096 MiB370'), rows.join(' | '));
    assert.ok(rows.some((r) => r === 'tcp://10.0.0.3:40001w-b1no limit127'), rows.join(' | '));
  });

  it('is absent after a local run', () => {
    assert.strictEqual(renderCluster(run()), null);
  });
});
