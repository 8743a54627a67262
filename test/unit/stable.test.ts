/**
 * The stability check and the fixed hash seed, through the engine on test/fixtures/stable (a solver that iterates a
 * set of strings, the same set sorted, a set of ints, one that fails a demo pair): normal runs are the same in two
 * engines with their own caches (PYTHONHASHSEED=0, whatever the environment says); with checkStable the string-set
 * solver is unstable, ranked below the stable ones, cached, and checked again only once its code changes; the CLI's
 * --check-stable prints it.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Engine } from '../../src/engine/engine';
import { compareRows } from '../../src/engine/scoring/stable';
import { compareRank } from '../../src/engine/scoring/verdicts';
import type { Task } from '../../src/engine/types';
import type { CandidateJson, PairJson, RunJson } from '../../src/protocol/results';
import { DEFAULTS } from '../../src/protocol/settings';
import { Session } from '../../src/server/session';
import { spawnCli } from '../cliProcess';
import { PYTHON } from '../workerFixtures';
import '../cacheHome';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'stable');
const TASK = '5e7a0b1c';
const TEST_INPUT = [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]];

function copyFixture(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-stable-'));
  fs.cpSync(FIXTURE, dir, { recursive: true, filter: (src) => !src.includes('__pycache__') && !src.includes(`${path.sep}.batt`) });
  return fs.realpathSync(dir);
}

function candidate(r: RunJson, name: string): CandidateJson {
  const c = r.tasks.find((t) => t.id === TASK)?.candidates.find((x) => x.name === name);
  assert.ok(c, `no candidate ${name}`);
  return c;
}

/** What the fixture's string-set solver gives on the test input when Python runs it under `seed` itself. */
function directOutput(seed: string): number[][] {
  const code = `import json, solvers; print(json.dumps([list(r) for r in solvers.solve_${TASK}(${JSON.stringify(TEST_INPUT)})]))`;
  const out = execFileSync(PYTHON, ['-B', '-c', code], { cwd: FIXTURE, env: { ...process.env, PYTHONHASHSEED: seed } }).toString();
  return JSON.parse(out) as number[][];
}

describe('stability: a fixed hash seed and the second-seed check', function () {
  this.timeout(120000);
  const engines: Engine[] = [];
  const dirs: string[] = [];
  const engine = (ws: string, cacheDir?: string) => {
    const e = new Engine({ workspace: ws, workers: 2, cacheDir });
    engines.push(e);
    return e;
  };
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-stable-cache-'));
    dirs.push(d);
    return d;
  };
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.dispose()));
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('normal runs give the same output in two engines, the one of PYTHONHASHSEED=0, whatever the environment says', async () => {
    const ws = copyFixture();
    dirs.push(ws);
    const before = process.env.PYTHONHASHSEED;
    process.env.PYTHONHASHSEED = 'random';
    try {
      const outputs: PairJson['actual'][] = [];
      for (let i = 0; i < 2; i++) {
        const r = await engine(ws, tmp()).run();
        const c = candidate(r, `solve_${TASK}`);
        assert.strictEqual(c.unstable, undefined, 'not checked without checkStable');
        assert.strictEqual(r.summary.stability, undefined);
        const test = c.pairs.find((p) => p.kind === 'test')!;
        assert.ok(!test.cached, 'each engine ran it (caches of their own)');
        outputs.push(test.status === 'pass' ? [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]] : test.actual);
      }
      assert.deepStrictEqual(outputs[0], outputs[1]);
      assert.deepStrictEqual(outputs[0], directOutput('0'));
    } finally {
      if (before === undefined) delete process.env.PYTHONHASHSEED;
      else process.env.PYTHONHASHSEED = before;
    }
  });

  it('checkStable: the string-set solver is unstable, ranked below the stable ones; cached; rechecked when it changes', async () => {
    assert.notDeepStrictEqual(directOutput('0'), directOutput('1'), 'the fixture differs between the two seeds');
    const ws = copyFixture();
    dirs.push(ws);
    const e = engine(ws, tmp());
    const r = await e.run({ checkStable: true });
    const unstable = candidate(r, `solve_${TASK}`);
    assert.strictEqual(unstable.unstable, true);
    assert.deepStrictEqual(unstable.unstablePairs?.map((p) => `${p.kind} ${p.index}`), ['test 0']);
    assert.match(unstable.unstablePairs[0].message, /^test 0: another grid under PYTHONHASHSEED=1 than under 0 \(1x10: \d+ of 10 cells differ\)$/);
    for (const name of [`solve_${TASK}_sorted`, `solve_${TASK}_ints`, `solve_${TASK}_wrong`]) assert.strictEqual(candidate(r, name).unstable, undefined, name);
    assert.deepStrictEqual(r.summary.stability, { seeds: [0, 1], checked: 3, unstable: 1, ran: 9, cached: 0 });
    const order = r.tasks[0].candidates.map((c) => c.name.replace(`solve_${TASK}`, '') || '(set)');
    assert.deepStrictEqual(order.indexOf('(set)'), 2, `below the two stable ones, above the demo failure: ${order.join(', ')}`);
    assert.deepStrictEqual(order[3], '_wrong');

    const again = await e.run({ checkStable: true });
    assert.strictEqual(candidate(again, `solve_${TASK}`).unstable, true, 'still unstable from the cache');
    assert.deepStrictEqual(again.summary.stability, { seeds: [0, 1], checked: 3, unstable: 1, ran: 0, cached: 9 });
    assert.strictEqual(again.temperature, 'hot');

    // The fix: the set sorted (another program than _sorted's). Only the changed solver runs and is checked again.
    const file = path.join(ws, 'solvers.py');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('return (tuple(int(s) for s in names),)', 'return (tuple(int(s) for s in sorted(names, key=int)),)'));
    const fixed = await e.run({ checkStable: true });
    assert.strictEqual(candidate(fixed, `solve_${TASK}`).unstable, undefined);
    assert.strictEqual(candidate(fixed, `solve_${TASK}`).solved, true);
    assert.deepStrictEqual(fixed.summary.stability, { seeds: [0, 1], checked: 3, unstable: 0, ran: 3, cached: 6 });
    assert.deepStrictEqual([fixed.summary.ran, fixed.summary.cached], [3, 9]);
  });

  it('"Run batt on task" in the language server checks stability: the leaderboard marks the unstable candidate', async () => {
    const ws = copyFixture();
    dirs.push(ws);
    const session = new Session([ws], { ...DEFAULTS, workers: 2, python: PYTHON, trusted: true, explicit: ['workers'] }, { log: () => undefined, status: () => undefined, progress: () => undefined });
    try {
      const r = await session.runTask(TASK);
      assert.ok(r);
      assert.strictEqual(candidate(r.run, `solve_${TASK}`).unstable, true);
      assert.strictEqual(r.run.summary.stability?.unstable, 1);
    } finally {
      await session.dispose();
    }
  });

  it('batt run --check-stable marks the unstable candidate and prints the stability line; without it neither', async () => {
    const ws = copyFixture();
    dirs.push(ws);
    const cache = tmp();
    const run = async (...extra: string[]) => {
      const cli = spawnCli(['run', '--workspace', ws, '--cache-dir', cache, '--workers', '2', '--no-progress', ...extra]);
      try {
        assert.strictEqual(await cli.exited, 0, cli.stderr());
        return cli.stdout();
      } finally {
        cli.kill();
      }
    };
    const plain = await run();
    assert.doesNotMatch(plain, /unstable|stability:/);
    const text = await run('--check-stable');
    assert.match(text, new RegExp(`^ +3\\. solve_${TASK} +✓✓✗ +unstable +demo 2/2, test 0/1 .*\\n +unstable: test 0: another grid under PYTHONHASHSEED=1 than under 0 \\(1x10: \\d+ of 10 cells differ\\); the output depends on set or dict order$`, 'm'));
    assert.match(text, /^stability: 3 candidates passed their demo pairs and ran under PYTHONHASHSEED=1 too \(ran 9, 0 cached\): 1 unstable$/m);
    const json = JSON.parse(await run('--check-stable', '--json')) as RunJson;
    assert.strictEqual(candidate(json, `solve_${TASK}`).unstable, true);
    assert.deepStrictEqual(json.summary.stability, { seeds: [0, 1], checked: 3, unstable: 1, ran: 0, cached: 9 });
  });
});

describe('stability: comparing two runs of a candidate, and its rank', () => {
  const task: Task = { id: 't', source: 't.json', hash: 'h', train: [{ input: [[1]], output: [[1]] }], test: [{ input: [[1]], output: [[2, 2]] }] };
  const pass = (kind: 'demo' | 'test', index: number): PairJson => ({ kind, index, status: 'pass', ms: 1 });

  it('another grid, a grid against none, and no output either way', () => {
    const fail: PairJson = { kind: 'test', index: 0, status: 'fail', ms: 1, actual: [[2, 3]] };
    assert.strictEqual(compareRows(task, [pass('demo', 0), pass('test', 0)], [pass('demo', 0), pass('test', 0)]), undefined);
    assert.deepStrictEqual(compareRows(task, [pass('demo', 0), pass('test', 0)], [pass('demo', 0), fail])?.map((p) => p.message), [
      'test 0: another grid under PYTHONHASHSEED=1 than under 0 (1x2: 1 of 2 cells differ)',
    ]);
    const error: PairJson = { kind: 'demo', index: 0, status: 'error', ms: 1, message: 'KeyError: 3' };
    assert.deepStrictEqual(compareRows(task, [pass('demo', 0), pass('test', 0)], [error, pass('test', 0)])?.map((p) => p.message), [
      'demo 0: no grid under PYTHONHASHSEED=1, a 1x1 grid under 0 (error: KeyError: 3)',
    ]);
    // pairs that did not run in the check say nothing
    const cancelled: PairJson = { kind: 'test', index: 0, status: 'cancelled', ms: 0 };
    assert.strictEqual(compareRows(task, [pass('demo', 0), pass('test', 0)], [pass('demo', 0), cancelled]), undefined);
  });

  it('an unstable candidate ranks below a stable one with fewer test passes, above one that failed a demo pair', () => {
    const score = (demo: number, test: number) => ({ demo: { passed: demo, total: 2 }, test: { passed: test, total: 1, unknown: 0 }, ms: 1 });
    const unstable = { name: 'u', score: score(2, 1), length: 1, unstable: true };
    const stable = { name: 's', score: score(2, 0), length: 5 };
    const failing = { name: 'f', score: score(1, 0), length: 1 };
    assert.deepStrictEqual([failing, unstable, stable].sort(compareRank).map((c) => c.name), ['s', 'u', 'f']);
  });
});
