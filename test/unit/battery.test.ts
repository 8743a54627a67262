/**
 * Batteries (issue 9 items 9-11) with real Python workers, through the engine and through the `batt` command: a
 * transfer candidate stops at its first failing pair, stages (every first pair before any second), the timeout
 * quarantine, --all-pairs, and the same solved (task, candidate) pairs as --all-pairs on the samples with ARC tasks.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import { Pool, type PoolJob } from '../../src/engine/pool/pool';
import type { CandidateJson, RunJson } from '../../src/protocol/results';
import { ARC_TRAINING } from '../arcPaths';
import '../cacheHome';

const REPO = path.resolve(__dirname, '../..');
type G = number[][];

/** Grids that are not symmetric top to bottom, of n x n cells. */
const grid = (n: number, seed: number): G => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i * 7 + j * 3 + seed) % 10));
const flip = (g: G): G => [...g].reverse();
/** Demo 1 is the biggest grid of each task, so size order alone would run it before demo 0. */
const SIZES = [2, 5, 3];

function task(rule: (g: G) => G, seed: number, first?: G): object {
  const train = SIZES.map((n, i) => (i === 0 && first ? first : grid(n, seed + i))).map((input) => ({ input, output: rule(input) }));
  return { train, test: [{ input: grid(2, seed + 7), output: rule(grid(2, seed + 7)) }] };
}

const SOLVERS = `
def solve_ident(I):
    return I


def solve_flip(I):
    return I[::-1]


def solve_flip_wrong(I):
    return tuple(r for r in I)


def solve_loop(I):
    x = 0
    while True:
        x += 1
`;

/** A workspace of four solvers and four tasks; `solve_loop` has no task of its own, so it is a transfer everywhere. */
function workspace(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-battery-')));
  fs.writeFileSync(path.join(dir, 'solvers.py'), SOLVERS);
  fs.mkdirSync(path.join(dir, 'tasks'));
  const tasks: Record<string, object> = {
    ident: task((g) => g, 1),
    flip: task(flip, 2),
    // demo 0 reads the same either way up: solve_ident passes it and fails demo 1
    half: task(flip, 3, [[1, 2], [1, 2]]),
    other: task((g) => g.map((r) => r.map(() => 5)), 4),
  };
  for (const [id, t] of Object.entries(tasks)) fs.writeFileSync(path.join(dir, 'tasks', `${id}.json`), JSON.stringify(t));
  return dir;
}

function cand(r: RunJson, taskId: string, name: string): CandidateJson {
  const c = r.tasks.find((t) => t.id === taskId)?.candidates.find((x) => x.name === name);
  assert.ok(c, `${name} on ${taskId}`);
  return c;
}
const statuses = (c: CandidateJson) => c.pairs.map((p) => p.status);
const solvedPairs = (r: RunJson) => r.tasks.flatMap((t) => t.candidates.filter((c) => c.solved).map((c) => `${t.id}:${c.name}`)).sort();
/** Tasks on which `name` timed out, and the messages of its skipped pairs. */
function timeouts(r: RunJson, name: string): { tasks: string[]; skipped: string[] } {
  const all = r.tasks.map((t) => ({ id: t.id, c: t.candidates.find((c) => c.name === name)! }));
  return {
    tasks: all.filter((x) => x.c.pairs.some((p) => p.status === 'timeout')).map((x) => x.id),
    skipped: [...new Set(all.flatMap((x) => x.c.pairs.filter((p) => p.status === 'skipped').map((p) => p.message ?? '')))],
  };
}

describe('battery: first failure, stages, timeout quarantine (real workers)', function () {
  this.timeout(120000);
  let ws: string;
  let engine: Engine;
  /** the jobs in the order the pool finished them (one worker: the order it ran them) */
  let order: PoolJob['run'][];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- always called with .call(pool); restored in after()
  const run = Pool.prototype.run;
  let cold: RunJson;
  let progress: Array<[number, number]>;

  before(async () => {
    ws = workspace();
    order = [];
    Pool.prototype.run = function (this: Pool, job, signal) {
      return run.call(this, job, signal).then((r) => {
        if (r.status !== 'cancelled') order.push(job.run);
        return r;
      });
    };
    engine = new Engine({ workspace: ws, workers: 1, timeoutMs: 300 });
    progress = [];
    cold = await engine.run({ battery: true, onProgress: (done, total) => progress.push([done, total]) });
  });
  after(async () => {
    Pool.prototype.run = run;
    await engine.dispose();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('a transfer candidate failing demo 0 runs one job on that task, its other pairs skipped', () => {
    const c = cand(cold, 'ident', 'solve_flip');
    assert.deepEqual(statuses(c), ['fail', 'skipped', 'skipped', 'skipped']);
    assert.equal(c.status, 'fail', 'a failure is a verdict; the skipped pairs are not');
    assert.equal(c.pairs[1].message, 'skipped: failed demo 0 first');
    assert.deepEqual(statuses(cand(cold, 'half', 'solve_ident')), ['pass', 'fail', 'skipped', 'skipped']);
    assert.equal(order.filter((j) => j.taskId === 'ident' && j.fn === 'solve_flip').length, 1);
    assert.equal(order.filter((j) => j.taskId === 'half' && j.fn === 'solve_ident').length, 2);
    assert.ok(cand(cold, 'half', 'solve_flip').solved, 'a transfer that passes every pair runs them all and solves');
  });

  it('an own-task candidate runs every pair even after failing the first', () => {
    assert.deepEqual(statuses(cand(cold, 'flip', 'solve_flip_wrong')), ['fail', 'fail', 'fail', 'fail']);
    assert.equal(order.filter((j) => j.taskId === 'flip' && j.fn === 'solve_flip_wrong').length, 4);
  });

  it('stages: every transfer candidate\'s first pair runs before any transfer candidate\'s second', () => {
    const own = (j: PoolJob['run']) => j.fn.startsWith(`solve_${j.taskId}`);
    const at = (j: PoolJob['run']) => (j.pair === 'demo' ? j.index : 3 + j.index);
    const transfer = order.filter((j) => !own(j));
    const lastFirst = transfer.map(at).lastIndexOf(0);
    const firstLater = transfer.findIndex((j) => at(j) > 0);
    assert.ok(firstLater > 0 && lastFirst < firstLater, transfer.map((j) => `${j.fn}@${j.taskId}:${at(j)}`).join(' '));
  });

  it('quarantine: a candidate that timed out on 2 tasks is not started on the others', () => {
    const t = timeouts(cold, 'solve_loop');
    assert.equal(t.tasks.length, 2, JSON.stringify(t));
    assert.deepEqual(statuses(cand(cold, t.tasks[0], 'solve_loop')), ['timeout', 'skipped', 'skipped', 'skipped']);
    for (const id of ['ident', 'flip', 'half', 'other'].filter((x) => !t.tasks.includes(x))) {
      const c = cand(cold, id, 'solve_loop');
      assert.equal(c.status, 'skipped');
      assert.ok(c.pairs.every((p) => p.status === 'skipped' && p.message === 'skipped (timed out on 2 tasks)'), JSON.stringify(c.pairs));
    }
    assert.equal(order.filter((j) => j.fn === 'solve_loop').length, 2, 'no job ran for the quarantined tasks');
  });

  it('summary: skipped pairs are counted apart from jobs; progress ends at done = total = the jobs run', () => {
    const pairs = cold.tasks.flatMap((t) => t.candidates.flatMap((c) => c.pairs));
    assert.equal(cold.summary.skipped, pairs.filter((p) => p.status === 'skipped').length);
    assert.equal(cold.summary.jobs, pairs.length - cold.summary.skipped);
    assert.equal(cold.summary.ran, order.length);
    // done counts the jobs settled: run, or queued and then dropped (solve_loop's first pair on the 2 quarantined tasks)
    const [done, total] = progress[progress.length - 1];
    assert.deepEqual([done, total], [order.length + 2, order.length + 2]);
    assert.ok(progress.every(([d, n]) => d <= n));
    assert.ok(progress[0][1] < total, 'the total grows as staged candidates pass pairs');
  });

  it('a rerun answers from the cache: cached failures and cached timeouts need no job, the same verdicts', async () => {
    order = [];
    const hot = await engine.run({ battery: true });
    assert.equal(hot.summary.ran, 0);
    assert.deepEqual(order, []);
    const strip = (r: RunJson) => r.tasks.map((t) => t.candidates.map((c) => [c.name, statuses(c)]));
    assert.deepEqual(strip(hot), strip(cold));
  });

  it('a cancelled battery leaves the pairs it did not reach cancelled, never skipped by the quarantine', async () => {
    const abort = new AbortController();
    const r = await engine.run({ battery: true, noCache: true, signal: abort.signal, onProgress: (done) => done >= 1 && abort.abort() });
    assert.ok(r.cancelled);
    const pairs = r.tasks.flatMap((t) => t.candidates.flatMap((c) => c.pairs));
    assert.ok(pairs.some((p) => p.status === 'cancelled'));
    for (const t of r.tasks) {
      for (const c of t.candidates) {
        const first = c.pairs.findIndex((p) => p.status === 'skipped');
        if (first < 0) continue;
        assert.ok(c.pairs.slice(first).every((p) => p.status === 'skipped'), `${c.name} on ${t.id}: ${statuses(c).join(' ')}`);
        // skipped after a failure of its own, or quarantined after really timing out twice (not because the cancel dropped it)
        if (c.pairs[first].message === 'skipped (timed out on 2 tasks)') assert.equal(timeouts(r, c.name).tasks.length, 2);
        else assert.match(c.pairs[first].message!, /^skipped: failed (demo|test) \d+ first$/);
      }
    }
    assert.equal(r.summary.cancelled, pairs.filter((p) => p.status === 'cancelled').length);
  });

  it('allPairs runs every pair of every candidate, and solves the same (task, candidate) pairs', async () => {
    order = [];
    const tasks = ['ident', 'half', 'other'];
    const all = await engine.run({ battery: true, allPairs: true, noCache: true, tasks });
    assert.equal(all.summary.skipped, 0);
    assert.deepEqual(statuses(cand(all, 'ident', 'solve_flip')), ['fail', 'fail', 'fail', 'fail']);
    assert.equal(timeouts(all, 'solve_loop').tasks.length, 3, 'no quarantine either');
    assert.deepEqual(solvedPairs(all), solvedPairs(cold).filter((s) => tasks.includes(s.split(':')[0])));
    assert.ok(all.summary.ran > cold.summary.ran);
  });
});

function batt(args: string[]): RunJson {
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(REPO, 'src/cli/main.ts'), 'run', '--json', ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: path.join(REPO, 'node_modules') },
    timeout: 180000,
    maxBuffer: 1 << 28,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as RunJson;
}

describe('battery through the batt command', function () {
  this.timeout(300000);
  let ws: string;
  before(() => (ws = workspace()));
  after(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('--battery skips after a first failure and quarantines; --timeout-quarantine 0 and --all-pairs do not', () => {
    const common = ['--workspace', ws, '--battery', '--workers', '1', '--timeout', '0.3', '--no-cache'];
    const r = batt(common);
    assert.deepEqual(statuses(cand(r, 'ident', 'solve_flip')), ['fail', 'skipped', 'skipped', 'skipped']);
    assert.deepEqual(timeouts(r, 'solve_loop').skipped.sort(), ['skipped (timed out on 2 tasks)', 'skipped: failed demo 0 first']);
    assert.equal(timeouts(r, 'solve_loop').tasks.length, 2);
    const noQuarantine = batt([...common, '--timeout-quarantine', '0']);
    assert.equal(timeouts(noQuarantine, 'solve_loop').tasks.length, 4);
    assert.deepEqual(statuses(cand(noQuarantine, 'ident', 'solve_flip')), ['fail', 'skipped', 'skipped', 'skipped']);
    const all = batt([...common, '--all-pairs']);
    assert.equal(all.summary.skipped, 0);
    assert.deepEqual(solvedPairs(all), solvedPairs(r));
  });

  it('on the samples with ARC training tasks: the same solved (task, candidate) pairs as --all-pairs, fewer jobs', () => {
    const samples = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-battery-samples-')));
    try {
      fs.cpSync(path.join(REPO, 'samples'), samples, { recursive: true, filter: (src) => !src.includes(`${path.sep}.batt`) && !src.includes('__pycache__') });
      // tasks some sample solver solves by transfer (rotations, crops, stacking, scaling, recolouring) and some it does not
      const ids = ['3c9b0459', '6150a2bd', '1cf80156', '6fa7a44f', '68b16354', 'c59eb873', '007bbfb7', '025d127b'];
      const common = ['--workspace', samples, '--tasks', ARC_TRAINING, '--task', ids.join(','), '--battery', '--workers', '2', '--timeout', '0.3', '--no-cache'];
      const battery = batt(common);
      const all = batt([...common, '--all-pairs']);
      assert.ok(solvedPairs(battery).length >= 8, solvedPairs(battery).join(' '));
      assert.deepEqual(solvedPairs(battery), solvedPairs(all));
      assert.equal(all.summary.skipped, 0);
      assert.ok(battery.summary.ran * 2 < all.summary.ran, `battery ran ${battery.summary.ran} jobs, --all-pairs ${all.summary.ran}`);
    } finally {
      fs.rmSync(samples, { recursive: true, force: true });
    }
  });
});
