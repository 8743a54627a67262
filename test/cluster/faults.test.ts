/**
 * The cluster when things go wrong: a Dask worker killed mid-run (its batches run elsewhere; every verdict is there
 * once and equals the local pool's), a run cancelled mid-run through the engine's signal and through Ctrl-C of the CLI
 * (queued batches never start, running solvers are killed on the Dask workers, unrun pairs are 'cancelled'), and a
 * worker whose dask differs from the client's (a clear error at connect time, nothing runs). After each test no
 * process of the cluster, of batt's workers on it, or of the coordinator is left.
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Engine, type EngineOptions } from '../../src/engine/engine';
import { ConfigError } from '../../src/engine/settings';
import type { RunJson } from '../../src/protocol/results';
import type { RunOptions } from '../../src/engine/run';
import { assertNoChildren } from '../faults/helpers';
import { until } from '../poll';
import { DASK_PYTHON, leftovers, startCluster, type TestCluster } from './harness';
import '../cacheHome';

const REPO = path.join(__dirname, '..', '..');

function tempDir(prefix: string): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

/** A 3x3 grid from a seed. */
function grid(seed: number): number[][] {
  return [0, 1, 2].map((r) => [0, 1, 2].map((c) => (seed * 7 + r * 3 + c) % 10));
}
const rot90 = (g: number[][]) => g[0].map((_, c) => g.map((row) => row[c]).reverse());

/**
 * `tasks` tasks of 3 demo pairs and 1 test pair whose answer is the input turned 90°; per task `perTask` candidates
 * that spend `cpuMs` of CPU each call, half of them right. `endless` adds one candidate per task that never returns.
 */
function workspace(tasks: number, perTask: number, cpuMs: number, endless = false): { dir: string; ids: string[] } {
  const dir = tempDir('batt-cluster-faults-');
  fs.mkdirSync(path.join(dir, 'tasks'));
  const ids: string[] = [];
  const lines = ['import time', '', 'def spin(ms):', '    t = time.process_time()', '    while time.process_time() - t < ms / 1000:', '        pass', '', 'def rot(g):', '    return tuple(tuple(r) for r in zip(*g[::-1]))', ''];
  for (let t = 0; t < tasks; t++) {
    const id = `c${String(t).padStart(7, '0')}`;
    ids.push(id);
    const pair = (s: number) => ({ input: grid(s), output: rot90(grid(s)) });
    fs.writeFileSync(path.join(dir, 'tasks', `${id}.json`), JSON.stringify({ train: [pair(t), pair(t + 1), pair(t + 2)], test: [pair(t + 3)] }));
    for (let v = 0; v < perTask; v++) {
      lines.push(`def solve_${id}_v${v}(I):`, `    spin(${cpuMs + v})`, `    return ${v % 2 === 0 ? 'rot(I)' : 'I'}`, '');
    }
    if (endless) lines.push(`def solve_${id}_loop(I):`, '    while True:', '        pass', '');
  }
  fs.writeFileSync(path.join(dir, 'solvers.py'), lines.join('\n'));
  return { dir, ids };
}

function statuses(r: RunJson): Map<string, string> {
  const m = new Map<string, string>();
  for (const t of r.tasks) for (const c of t.candidates) for (const p of c.pairs) m.set(`${t.id} ${c.name} ${p.kind} ${p.index}`, p.status);
  return m;
}

async function runWith(opts: EngineOptions, ro: RunOptions): Promise<RunJson> {
  const engine = new Engine(opts);
  try {
    return await engine.run(ro);
  } finally {
    await engine.dispose();
  }
}

/** Children of a process from every one of its threads (a Dask worker spawns from its executor threads). */
function allChildren(pid: number): number[] {
  const out: number[] = [];
  let tids: string[] = [];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out; // gone
  }
  for (const tid of tids) {
    try {
      out.push(...fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      // the thread ended
    }
  }
  return out;
}

/** Every process below the Dask workers (batt's scoring processes there), with its CPU ticks so far. */
function belowWorkers(c: TestCluster): Map<number, number> {
  const out = new Map<number, number>();
  const walk = (pid: number) => {
    for (const child of allChildren(pid)) {
      try {
        const stat = fs.readFileSync(`/proc/${child}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(child, Number(f[11]) + Number(f[12])); // utime + stime
      } catch {
        continue; // gone
      }
      walk(child);
    }
  };
  for (const w of c.workers) walk(w.pid);
  return out;
}

/** CPU ticks (1/100 s) each process below the Dask workers used over `ms`. */
async function cpuBelowWorkers(c: TestCluster, ms: number): Promise<number[]> {
  const a = belowWorkers(c);
  await new Promise((r) => setTimeout(r, ms));
  const b = belowWorkers(c);
  return [...b].map(([pid, ticks]) => ticks - (a.get(pid) ?? 0));
}

/**
 * A solver spins below the Dask workers: some process there used 30 ms of CPU within a second (a spinning one gets
 * far more even with a dozen processes sharing the two cores); quiet: none used more than 20 ms (idle workers block).
 */
const spinning = async (c: TestCluster) => (await cpuBelowWorkers(c, 1000)).some((t) => t >= 3);
const quietBelowWorkers = async (c: TestCluster) => (await cpuBelowWorkers(c, 1000)).every((t) => t <= 2);

describe('cluster: faults', function () {
  this.timeout(600_000);
  let cluster: TestCluster | undefined;
  const dirs: string[] = [];

  afterEach(async () => {
    const c = cluster;
    cluster = undefined;
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    if (c) {
      await c.stop();
      assert.deepStrictEqual(leftovers(c.id), []);
    }
    await assertNoChildren();
  });

  it('a Dask worker killed mid-run: its batches run elsewhere, every verdict once, equal to the local pool', async () => {
    cluster = await startCluster({ workers: 3 });
    const { dir } = workspace(10, 6, 40);
    dirs.push(dir);
    const base = { workspace: dir, timeoutMs: 5000 };
    const local = await runWith({ ...base, cacheDir: path.join(dir, '.cache-local') }, { noCache: true });
    let killed: Promise<void> | undefined;
    let doneAtKill = -1;
    const remote = await runWith({ ...base, cacheDir: path.join(dir, '.cache-cluster'), cluster: cluster.address, clusterPython: DASK_PYTHON }, {
      noCache: true,
      onProgress: (done, total) => {
        if (!killed && done >= total * 0.2) {
          doneAtKill = done;
          killed = cluster!.killWorker(0);
        }
      },
    });
    await killed;
    assert.ok(doneAtKill > 0 && doneAtKill < local.summary.ran, `the worker died mid-run (${doneAtKill} of ${local.summary.ran} jobs done)`);
    assert.deepStrictEqual(statuses(remote), statuses(local));
    assert.strictEqual(remote.summary.ran, local.summary.ran, 'no job counted twice');
    assert.strictEqual(remote.summary.cancelled, 0);
    const info = remote.pool.cluster;
    assert.ok(info, 'the run went through the cluster');
    assert.strictEqual(info.jobs, remote.summary.ran, 'each job reported once');
  });

  it('cancel mid-run: the run stops at once, unrun pairs are cancelled, solvers on the Dask workers are killed', async () => {
    cluster = await startCluster({ workers: 2 });
    const { dir } = workspace(6, 2, 5, true);
    dirs.push(dir);
    const abort = new AbortController();
    const engine = new Engine({ workspace: dir, timeoutMs: 120_000, cacheDir: path.join(dir, '.cache'), cluster: cluster.address, clusterPython: DASK_PYTHON });
    try {
      const run = engine.run({ noCache: true, signal: abort.signal });
      // a Dask worker is stuck in an endless solver (a spinning scoring process below it)
      const c = cluster;
      await until('an endless solver spinning on a Dask worker', () => spinning(c), 60_000);
      const t0 = Date.now();
      abort.abort();
      const r = await run;
      assert.ok(Date.now() - t0 < 10_000, `the run returned ${Date.now() - t0} ms after the cancel`);
      assert.ok(r.summary.cancelled > 0, 'pairs that did not run are cancelled');
      for (const t of r.tasks) {
        const loop = t.candidates.find((x) => x.name.endsWith('_loop'));
        assert.ok(loop && loop.pairs.every((p) => p.status === 'cancelled' || p.status === 'skipped'), `${t.id}: the endless solver has no verdict`);
      }
      await until('no solver spinning on the Dask workers after the cancel', () => quietBelowWorkers(c), 20_000);
    } finally {
      await engine.dispose();
    }
  });

  it('Ctrl-C of `batt run --cluster`: exit 130, the solvers on the Dask workers are killed', async () => {
    cluster = await startCluster({ workers: 2 });
    const { dir } = workspace(4, 1, 5, true);
    dirs.push(dir);
    const cli = spawn(process.execPath, [path.join(REPO, 'dist', 'cli.js'), 'run', '--workspace', dir, '--timeout', '120', '--cluster', cluster.address, '--cluster-python', DASK_PYTHON, '--no-cache'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    cli.stdout.on('data', (b: Buffer) => (out += b.toString()));
    cli.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    const c = cluster;
    await until('an endless solver spinning on a Dask worker', () => spinning(c), 60_000);
    cli.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running 15 s after SIGINT'), 15_000))]);
    if (typeof code === 'string') cli.kill('SIGKILL');
    assert.strictEqual(code, 130, `exit code (output: ${out.slice(-1500)})`);
    assert.match(out, /cancelling/);
    await until('no solver spinning on the Dask workers after Ctrl-C', () => quietBelowWorkers(c), 20_000);
  });

  it('a worker whose dask differs from the client: a clear error at connect time, nothing runs', async () => {
    // a real mismatch as a user gets it from a machine with another dask: this worker's interpreter reports 2099.1.0
    const site = tempDir('batt-cluster-site-');
    dirs.push(site);
    fs.writeFileSync(path.join(site, 'sitecustomize.py'), 'import dask\ndask.__version__ = "2099.1.0"\n');
    cluster = await startCluster({ workers: 1 });
    await cluster.addWorker({ PYTHONPATH: site });
    const { dir } = workspace(2, 1, 5);
    dirs.push(dir);
    await assert.rejects(
      runWith({ workspace: dir, cacheDir: path.join(dir, '.cache'), cluster: cluster.address, clusterPython: DASK_PYTHON, explicitFrom: 'cli' }, { noCache: true }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError, `a ConfigError, not ${String(e)}`);
        assert.match(e.message, /version mismatch/);
        assert.match(e.message, /dask 2099\.1\.0 \(client 2022\.12/);
        return true;
      },
    );
  });
});
