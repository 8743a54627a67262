/**
 * `--cluster` gives the verdicts of the local pool: the sample workspace (every documented case: passes, every
 * mismatch class, an exception deep in the DSL, a timeout, duplicates, a (S, I, C) solver, batt entries) and a
 * generated battery over ARC-AGI-1 training tasks, each run once on the local pool and once on a loopback Dask cluster
 * of two workers (harness.ts), compared verdict by verdict (times and ranks among ties aside). Also: the cluster run
 * really went through the cluster in batches, and an address nothing answers on is a ConfigError naming --cluster
 * within seconds. No process is left behind.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Engine, type EngineOptions } from '../../src/engine/engine';
import { ConfigError } from '../../src/engine/settings';
import type { RunJson } from '../../src/protocol/results';
import type { RunOptions } from '../../src/engine/run';
import { DASK_PYTHON, leftovers, startCluster, type TestCluster } from './harness';
import '../cacheHome';

const SAMPLES = path.join(__dirname, '..', '..', 'samples');
const ARC = path.join(__dirname, '..', '..', '..', 'shared', 'arc-agi-1', 'training');

function tempDir(prefix: string): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

function copySamples(): string {
  const dir = tempDir('batt-cluster-samples-');
  fs.cpSync(SAMPLES, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.batt`) && !src.includes('__pycache__') });
  return dir;
}

/**
 * A generated workspace: a helper module, and per task solvers of every kind of outcome — the right answer for some
 * (a rotation or flip that happens to solve), wrong shapes, wrong colours, exceptions raised in the helper module, a
 * print, a non-grid return.
 */
function generatedWorkspace(taskIds: string[]): string {
  const dir = tempDir('batt-cluster-gen-');
  fs.writeFileSync(path.join(dir, 'ops.py'), [
    'def rot90(g):', '    return tuple(tuple(r) for r in zip(*g[::-1]))', '',
    'def flip(g):', '    return tuple(tuple(r[::-1]) for r in g)', '',
    'def transpose(g):', '    return tuple(tuple(r) for r in zip(*g))', '',
    'def corner(g, n):', '    return g[n][n]', '',
    'def recolour(g, a, b):', '    return tuple(tuple(b if v == a else v for v in r) for r in g)', '',
    'def top(g, n):', '    return g[:n]', '',
  ].join('\n'));
  // `t` makes each task's programs distinct (equal canonical forms would run once, as duplicates)
  const bodies = (t: number) => [
    `O = recolour(I, ${t % 10}, ${t % 10})`,
    `x = ${t}\n    O = rot90(I)`,
    `x = ${t}\n    O = rot90(rot90(I))`,
    `x = ${t}\n    O = flip(I)`,
    `x = ${t}\n    O = transpose(I)`,
    `O = recolour(I, 0, ${1 + (t % 9)})`,
    `O = top(I, ${2 + (t % 5)})`,
    `x = corner(I, ${t % 15})\n    O = I`,
    `print("looking at", len(I), ${t})\n    O = flip(rot90(I))`,
    `x = ${t}\n    O = None`,
    `O = ${t} // (len(I) - len(I))`,
  ];
  const lines = ['from ops import *', ''];
  taskIds.forEach((id, t) => {
    bodies(t).forEach((body, b) => {
      if ((t + b) % 3 === 0) return; // not every body on every task: tasks differ in candidates
      lines.push(`def solve_${id}_v${b}(I):`, `    ${body}`, '    return O', '');
    });
  });
  fs.writeFileSync(path.join(dir, 'solvers.py'), lines.join('\n'));
  fs.mkdirSync(path.join(dir, 'tasks'));
  for (const id of taskIds) fs.copyFileSync(path.join(ARC, `${id}.json`), path.join(dir, 'tasks', `${id}.json`));
  return dir;
}

/** A run's verdicts without what depends on the machine and the moment: times, and the order of tied candidates. */
function verdicts(r: RunJson): unknown {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'ms' && k !== 'rank').map(([k, x]) => [k, strip(x)]));
    }
    return v;
  };
  return r.tasks.map((t) => ({
    id: t.id,
    solved: t.solved,
    candidates: [...t.candidates].sort((a, b) => `${a.name}:${a.file}`.localeCompare(`${b.name}:${b.file}`)).map(strip),
  }));
}

async function runWith(opts: EngineOptions, ro: RunOptions): Promise<RunJson> {
  const engine = new Engine(opts);
  try {
    return await engine.run(ro);
  } finally {
    await engine.dispose();
  }
}

/** The same run on the local pool and on the cluster, each with a cache of its own. */
async function both(ws: string, address: string, opts: Partial<EngineOptions>, ro: RunOptions): Promise<{ local: RunJson; cluster: RunJson }> {
  const base = { workspace: ws, timeoutMs: 1000, ...opts };
  const local = await runWith({ ...base, cacheDir: path.join(ws, '.cache-local') }, ro);
  const cluster = await runWith({ ...base, cacheDir: path.join(ws, '.cache-cluster'), cluster: address, clusterPython: DASK_PYTHON }, ro);
  return { local, cluster };
}

function assertRanOnCluster(r: RunJson, workers: number): void {
  const c = r.pool.cluster;
  assert.ok(c, 'the run reports its cluster');
  assert.strictEqual(c.workers.length, workers);
  assert.strictEqual(c.jobs, r.summary.ran, 'every job that ran went through the cluster');
  assert.ok(c.batches > 0 && c.batches < c.jobs, `jobs went in batches (${c.jobs} jobs, ${c.batches} batches)`);
  assert.strictEqual(c.workers.reduce((n, w) => n + w.jobsDone, 0), c.jobs);
  assert.deepStrictEqual(c.phases.map((p) => p.name), ['submit', 'queue', 'run', 'gather']);
  assert.ok(c.phases.every((p) => p.ms >= 0));
}

describe('cluster: the same verdicts as the local pool', function () {
  this.timeout(600_000);
  let cluster: TestCluster;
  const dirs: string[] = [];

  before(async () => {
    cluster = await startCluster({ workers: 2 });
  });
  after(async () => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    if (!cluster) return;
    await cluster.stop();
    assert.deepStrictEqual(leftovers(cluster.id), []);
  });

  it('the sample workspace: every documented verdict, the same through --cluster', async () => {
    const ws = copySamples();
    dirs.push(ws);
    const { local, cluster: remote } = await both(ws, cluster.address, {}, { noCache: true });
    assert.strictEqual(local.summary.solved, 8);
    assert.deepStrictEqual(verdicts(remote), verdicts(local));
    assert.deepStrictEqual({ ...remote.summary, wallMs: 0 }, { ...local.summary, wallMs: 0 });
    assertRanOnCluster(remote, 2);
    const timeout = remote.tasks.find((t) => t.id === '2ab8e5f0')!.candidates[0];
    assert.strictEqual(timeout.status, 'timeout');
    assert.match(timeout.pairs[0].message ?? '', /over 1 s of CPU time/);
  });

  it('a generated battery over ARC-AGI-1 training tasks: the same verdicts, stops and skips', async function () {
    if (!fs.existsSync(ARC)) this.skip();
    const ids = fs.readdirSync(ARC).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort().slice(0, 16);
    const ws = generatedWorkspace(ids);
    dirs.push(ws);
    const { local, cluster: remote } = await both(ws, cluster.address, {}, { battery: true, noCache: true });
    assert.ok(local.summary.ran > 500, `a workload of some size (${local.summary.ran} jobs)`);
    assert.ok(local.summary.skipped > 0, 'transfer candidates stopped at their first failing pair');
    assert.ok(local.tasks.some((t) => t.candidates.some((c) => c.status === 'error')), 'some candidates raise');
    assert.deepStrictEqual(verdicts(remote), verdicts(local));
    assert.deepStrictEqual({ ...remote.summary, wallMs: 0 }, { ...local.summary, wallMs: 0 });
    assertRanOnCluster(remote, 2);
  });

  it('an address nothing answers on is a ConfigError naming --cluster, within seconds', async () => {
    const ws = copySamples();
    dirs.push(ws);
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const t0 = Date.now();
    await assert.rejects(
      runWith({ workspace: ws, cacheDir: path.join(ws, '.cache-x'), cluster: `tcp://127.0.0.1:${port}`, clusterPython: DASK_PYTHON, explicitFrom: 'cli' }, { noCache: true }),
      (e: unknown) => e instanceof ConfigError && /Dask scheduler at tcp:\/\/127\.0\.0\.1:\d+/.test(e.message) && /\(--cluster\)/.test(e.message),
    );
    assert.ok(Date.now() - t0 < 15_000, `failed in ${Date.now() - t0} ms`);
    await assert.rejects(
      runWith({ workspace: ws, cacheDir: path.join(ws, '.cache-x'), cluster: 'localhost:8786', explicitFrom: 'cli' }, {}),
      (e: unknown) => e instanceof ConfigError && /"localhost:8786" \(--cluster\) is not a Dask scheduler address: expected tcp:\/\/HOST:PORT/.test(e.message),
    );
  });
});
