/**
 * What a user reads after `batt run --cluster`: the usual report, then the cluster's phases in the timing summary's
 * layout and a line per Dask worker with the batches and jobs it ran; `--json` has them as pool.cluster. A local run
 * prints no cluster block.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { RunJson } from '../../src/protocol/results';
import { DASK_PYTHON, leftovers, startCluster, type TestCluster } from './harness';

const REPO = path.join(__dirname, '..', '..');
const CLI = path.join(REPO, 'dist', 'cli.js');

describe('cluster: the report of a --cluster run', function () {
  this.timeout(300_000);
  let cluster: TestCluster;
  let ws: string;
  const env = () => ({ ...process.env, XDG_CACHE_HOME: path.join(ws, '.xdg') });

  before(async () => {
    ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-cluster-report-')));
    fs.cpSync(path.join(REPO, 'samples'), ws, { recursive: true, filter: (src) => !src.includes(`${path.sep}.batt`) && !src.includes('__pycache__') });
    cluster = await startCluster({ workers: 2 });
  });
  after(async () => {
    fs.rmSync(ws, { recursive: true, force: true });
    if (!cluster) return;
    await cluster.stop();
    assert.deepStrictEqual(leftovers(cluster.id), []);
  });

  it('prints the cluster phases and each Dask worker after the timing summary', () => {
    const out = execFileSync(process.execPath, [CLI, 'run', '--workspace', ws, '--cluster', cluster.address, '--cluster-python', DASK_PYTHON, '--no-cache', '--no-progress'], { encoding: 'utf8', env: env() });
    assert.match(out, /12 tasks - solved = 8/);
    const at = out.indexOf('Cluster tcp://127.0.0.1:');
    assert.ok(at > out.indexOf('Timing summary (seconds):'), `a cluster block after the timing summary:\n${out}`);
    const block = out.slice(at).split('\n');
    assert.match(block[0], /^Cluster tcp:\/\/127\.0\.0\.1:\d+ \(distributed 2022\.12[^)]*\): \d+ batches, \d+ jobs; \d+\.\d ms a batch to submit and gather$/);
    assert.strictEqual(block[1], 'Cluster timing (seconds, summed over the batches):');
    for (const [i, name] of ['submit', 'queue', 'run', 'gather'].entries()) assert.match(block[2 + i], new RegExp(`^  cluster\\.${name} {${32 - 8 - name.length}} +\\d+\\.\\d{3}$`));
    assert.strictEqual(block[6], 'Dask workers:');
    const workers = block.slice(7).filter((l) => l.startsWith('  tcp://'));
    assert.strictEqual(workers.length, 2, block.join('\n'));
    const jobs = workers.map((l) => Number(/ (\d+) jobs$/.exec(l)?.[1]));
    const total = Number(/: \d+ batches, (\d+) jobs;/.exec(block[0])?.[1]);
    assert.strictEqual(jobs.reduce((a, b) => a + b, 0), total, 'the workers ran every job of the run');
  });

  it('--json has the cluster as pool.cluster; a run that needed no job, or a local one, has neither', () => {
    const r = JSON.parse(execFileSync(process.execPath, [CLI, 'run', '--workspace', ws, '--cluster', cluster.address, '--cluster-python', DASK_PYTHON, '--no-cache', '--json'], { encoding: 'utf8', env: env() })) as RunJson;
    assert.ok(r.pool.cluster, 'pool.cluster');
    // everything cached: nothing is sent to the cluster, and the report does not pretend it was
    const warm = JSON.parse(execFileSync(process.execPath, [CLI, 'run', '--workspace', ws, '--cluster', cluster.address, '--cluster-python', DASK_PYTHON, '--json'], { encoding: 'utf8', env: env() })) as RunJson;
    assert.strictEqual(warm.summary.ran, 0);
    assert.strictEqual(warm.pool.cluster, undefined);
    assert.deepStrictEqual(r.pool.cluster.phases.map((p) => p.name), ['submit', 'queue', 'run', 'gather']);
    const local = execFileSync(process.execPath, [CLI, 'run', '--workspace', ws, '--no-progress'], { encoding: 'utf8', env: env() });
    assert.doesNotMatch(local, /Cluster timing|Dask workers/);
  });
});
