/**
 * Self-checks of the bench's building blocks (not part of `npm test`):
 *   npx mocha --no-config -r tsx/cjs --timeout 120000 bench/bench.test.ts
 * The generator is deterministic and writes valid, unique programs; the plain loop and the engine agree job by job.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BenchContext, jobKey, newEngine, repoRoot, verdicts, workerDir } from './context';
import { percentile } from './measure';
import { runPlainLoop } from './plainLoop';
import { Report } from './report';
import { corpusIds, writeWorkspace } from './workload';

const repo = repoRoot();
const corpus = path.resolve(repo, '..', 'shared', 'arc-agi-1', 'training');

describe('bench', function () {
  this.timeout(120_000);
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-bench-test-'))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('generates the same valid, duplicate-free solvers for the same seed', () => {
    const ids = corpusIds(corpus).slice(0, 20);
    const a = writeWorkspace(path.join(tmp, 'a'), path.join(repo, 'samples'), ids, 5, 0.5);
    const b = writeWorkspace(path.join(tmp, 'b'), path.join(repo, 'samples'), ids, 5, 0.5);
    assert.strictEqual(fs.readFileSync(a.file, 'utf8'), fs.readFileSync(b.file, 'utf8'));
    assert.strictEqual(a.functions, 100);
    execFileSync('python3', ['-c', 'import ast,sys; ast.parse(open(sys.argv[1]).read())', a.file]);
    const bodies = fs.readFileSync(a.file, 'utf8').split('\ndef ').slice(1);
    for (const id of ids) {
      const mine = bodies.filter((x) => x.startsWith(`solve_${id}_`)).map((x) => x.slice(x.indexOf('\n')));
      assert.strictEqual(new Set(mine).size, mine.length, `duplicate program for ${id}`);
    }
  });

  it('plain loop and engine agree on every job', async () => {
    const ids = corpusIds(corpus).slice(0, 6);
    const work = writeWorkspace(path.join(tmp, 'ws'), path.join(repo, 'samples'), ids, 3, 0.5);
    const loop = await runPlainLoop('python3', work, corpus, tmp);
    const ctx: BenchContext = { quick: true, python: 'python3', repo, corpus, scratch: tmp, workerDir: workerDir(repo), taskIds: ids, work, log: () => undefined };
    const engine = newEngine(ctx, 2);
    try {
      const run = await engine.run({ tasks: ids });
      const got = verdicts(run);
      assert.strictEqual(got.size, loop.jobs.length);
      for (const j of loop.jobs) assert.strictEqual(got.get(jobKey(j.task, j.fn, j.kind, j.index)), j.passed, `${j.fn} ${j.kind}[${j.index}]`);
      assert.strictEqual(run.summary.solved, loop.solved);
      assert.ok(loop.totalCpuMs > 0 && loop.longestMs > 0);
    } finally {
      await engine.dispose();
    }
  });

  it('percentiles and PASS/MISS rows', () => {
    assert.strictEqual(percentile([5, 1, 4, 2, 3], 50), 3);
    assert.strictEqual(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95), 10);
    const r = new Report();
    r.check('x', 'fast', 100, 'ms', '<', 150);
    r.check('x', 'slow', 200, 'ms', '<', 150);
    r.check('x', 'broken', NaN, 'ms', '<', 150);
    assert.deepStrictEqual(r.rows.map((x) => x.pass), [true, false, false]);
    assert.match(r.table(), /slow\s+200 ms\s+< 150 ms\s+MISS/);
  });
});
