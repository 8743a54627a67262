/**
 * Self-checks of the bench's building blocks (not part of `npm test`):
 *   npx mocha --no-config -r tsx/cjs --timeout 120000 bench/bench.test.ts
 * The generators are deterministic and write valid, unique programs; the plain loop and the engine agree job by job;
 * the battery loop stops at first failures and timeouts, and finds the solved pairs a battery run finds.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { battSolvedPairs, insertInFunction, solvedDifferences } from './battery';
import { EDITED_PRIMITIVE, REAL, writeBatteryWorkspace } from './batteryWorkload';
import { BenchContext, jobKey, newEngine, repoRoot, verdicts, workerDir } from './context';
import { percentile } from './measure';
import { runPlainLoop } from './plainLoop';
import { Report } from './report';
import { corpusIds, writeWorkspace } from './workload';

/** A hand-made battery: two real solvers (rot180 also solves 6150a2bd), a mismatch, an error and two endless loops. */
function smallBattery(dir: string, repo: string) {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['dsl.py', 'constants.py']) fs.copyFileSync(path.join(repo, 'samples', f), path.join(dir, f));
  const file = path.join(dir, 'solvers.py');
  fs.writeFileSync(
    file,
    [
      'from dsl import *',
      'from constants import *',
      '',
      'def solve_3c9b0459(I):\n    O = rot180(I)\n    return O',
      'def solve_67a3c6ac(I):\n    O = vmirror(I)\n    return O',
      'def solve_68b16354(I):\n    O = dmirror(I)\n    return O',
      'def solve_a416b8f3(I):\n    x1 = tophalf(I)\n    O = hconcat(I, x1)\n    return O',
      'def solve_d511f180(I):\n    while True:\n        pass',
      // an endless loop inside `except Exception`: the limit must still stop it
      'def solve_c8f0f002(I):\n    try:\n        while True:\n            I = rot90(I)\n    except Exception:\n        return I',
      '',
    ].join('\n\n'),
  );
  const fns = ['solve_3c9b0459', 'solve_67a3c6ac', 'solve_68b16354', 'solve_a416b8f3', 'solve_d511f180', 'solve_c8f0f002'];
  const tasks = ['3c9b0459', '6150a2bd', '67a3c6ac'];
  return { dir, file, functions: fns.length, jobs: tasks.map((task) => ({ task, fns })), tasks };
}

function pairsOf(id: string): number {
  const t = JSON.parse(fs.readFileSync(path.join(corpus, `${id}.json`), 'utf8')) as { train: unknown[]; test: unknown[] };
  return t.train.length + t.test.length;
}

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

  it('generates the battery workload as documented', () => {
    const ids = corpusIds(corpus);
    const a = writeBatteryWorkspace(path.join(tmp, 'a'), path.join(repo, 'samples'), ids, { candidates: 400, tasks: 40 });
    const b = writeBatteryWorkspace(path.join(tmp, 'b'), path.join(repo, 'samples'), ids, { candidates: 400, tasks: 40 });
    const text = fs.readFileSync(a.file, 'utf8');
    assert.strictEqual(text, fs.readFileSync(b.file, 'utf8'));
    assert.deepStrictEqual(a.tasks, b.tasks);
    execFileSync('python3', ['-c', 'import ast,sys; ast.parse(open(sys.argv[1]).read())', a.file]);
    const defs = text.split('\ndef ').slice(1);
    const solvers = defs.filter((d) => d.startsWith('solve_'));
    assert.strictEqual(solvers.length, 400);
    assert.strictEqual(a.functions, 400);
    assert.strictEqual(new Set(solvers.map((d) => d.slice(d.indexOf('\n')))).size, 400, 'a duplicate program');
    assert.strictEqual(a.tasks.length, 40);
    assert.deepStrictEqual(a.taskKinds, { realOwn: 16, transfer: 8, special: 2, generatedOwn: 10, noCandidate: 4 });
    // the edited primitive: called by exactly its users (5% of the generated ones), by no other function of either file
    const callers = defs.filter((d) => d.includes(`${EDITED_PRIMITIVE}(`) && !d.startsWith(`${EDITED_PRIMITIVE}(`)).map((d) => d.slice(0, d.indexOf('(')));
    assert.deepStrictEqual(callers, a.editedUsers);
    assert.strictEqual(a.editedUsers.length, 19);
    const dsl = fs.readFileSync(path.join(a.dir, 'dsl.py'), 'utf8').split('\ndef ').slice(1);
    assert.deepStrictEqual(dsl.filter((d) => d.includes(`${EDITED_PRIMITIVE}(`)).map((d) => d.slice(0, d.indexOf('('))), [EDITED_PRIMITIVE]);
    // transfer targets have no candidate of their own; every candidate is named for a corpus task
    for (const s of REAL) for (const t of s.transfers) if (!REAL.some((x) => x.task === t)) assert.ok(!a.candidates.some((c) => c.startsWith(`solve_${t}`)), t);
    for (const c of a.candidates) assert.ok(ids.includes(c.slice(6, 14)), c);
  });

  it('battery loop: first failure stops, the CPU limit stops endless loops, solved pairs', async () => {
    const work = smallBattery(path.join(tmp, 'ws'), repo);
    const loop = await runPlainLoop('python3', work, corpus, tmp, { stopAtFirstFailure: true, timeoutS: 0.3 });
    const of = (fn: string, task: string) => loop.jobs.filter((j) => j.fn === fn && j.task === task).map((j) => j.status);
    assert.deepStrictEqual(loop.solvedPairs, ['3c9b0459 solve_3c9b0459', '6150a2bd solve_3c9b0459', '67a3c6ac solve_67a3c6ac']);
    for (const task of work.tasks) {
      assert.deepStrictEqual(of('solve_d511f180', task), ['timeout'], task);
      assert.deepStrictEqual(of('solve_c8f0f002', task), ['timeout'], task);
      assert.deepStrictEqual(of('solve_a416b8f3', task), ['error'], task);
      assert.deepStrictEqual(of('solve_68b16354', task), ['fail'], task);
    }
    assert.deepStrictEqual(of('solve_3c9b0459', '6150a2bd'), Array(pairsOf('6150a2bd')).fill('pass'));
    assert.deepStrictEqual(of('solve_67a3c6ac', '3c9b0459').slice(-1), ['fail']);
    // the limit counts CPU time (as the kernel accounts it: within a few ticks of process_time); only the wall
    // backstop (3 x 0.3 + 1 s) may stop a call that got less CPU on a busy machine
    for (const j of loop.jobs.filter((x) => x.status === 'timeout')) assert.ok((j.cpuMs >= 150 || j.wallMs >= 1800) && j.wallMs < 2500, `${j.fn} ${j.task}: ${j.cpuMs} ms CPU, ${j.wallMs} ms wall`);
    // the same workspace without the stop: every pair of every candidate
    const all = await runPlainLoop('python3', { ...work, jobs: work.jobs.map((j) => ({ ...j, fns: j.fns.filter((f) => !['solve_d511f180', 'solve_c8f0f002'].includes(f)) })) }, corpus, tmp);
    assert.strictEqual(all.jobs.length, 4 * work.tasks.reduce((n, t) => n + pairsOf(t), 0));
    assert.deepStrictEqual(all.solvedPairs, loop.solvedPairs);
  });

  it('a battery run and the loop find the same solved pairs', async () => {
    const work = smallBattery(path.join(tmp, 'ws'), repo);
    const loop = await runPlainLoop('python3', work, corpus, tmp, { stopAtFirstFailure: true, timeoutS: 0.3 });
    const ctx: BenchContext = { quick: true, python: 'python3', repo, corpus, scratch: tmp, workerDir: workerDir(repo), taskIds: work.tasks, work, log: () => undefined };
    const engine = newEngine(ctx, 2, undefined, work.dir, 300);
    try {
      const run = await engine.run({ tasks: work.tasks, battery: true, noCache: true });
      assert.deepStrictEqual(solvedDifferences(loop.solvedPairs, battSolvedPairs(run)), []);
      assert.strictEqual(battSolvedPairs(run).length, 3);
    } finally {
      await engine.dispose();
    }
    assert.deepStrictEqual(solvedDifferences(['t a', 't b'], ['t b', 'u c']), ['t a: loop only', 'u c: batt only']);
  });

  it("the bench's edits of the sample DSL keep trim's results", () => {
    const dsl = fs.readFileSync(path.join(repo, 'samples', 'dsl.py'), 'utf8');
    const edited = insertInFunction(insertInFunction(dsl, EDITED_PRIMITIVE, '    # bench: a comment inside a primitive', 'top'), EDITED_PRIMITIVE, '    grid = _grid(grid)', 'beforeReturn');
    for (const [name, text] of [['orig', dsl], ['edited', edited]]) {
      fs.mkdirSync(path.join(tmp, name));
      fs.writeFileSync(path.join(tmp, name, 'dsl.py'), text);
    }
    const probe = [
      'import importlib.util, inspect, sys',
      'def load(d):',
      '    spec = importlib.util.spec_from_file_location("dsl_" + d, sys.argv[1] + "/" + d + "/dsl.py")',
      '    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); return m',
      'a, b = load("orig"), load("edited")',
      `assert inspect.getsource(a.${EDITED_PRIMITIVE}) != inspect.getsource(b.${EDITED_PRIMITIVE})`,
      'for g in [((1, 2, 3), (4, 5, 6), (7, 8, 9)), [[1, 2], [3, 4]], ((5,),), ()]:',
      `    assert a.${EDITED_PRIMITIVE}(g) == b.${EDITED_PRIMITIVE}(g), g`,
      'print("same")',
    ].join('\n');
    assert.strictEqual(execFileSync('python3', ['-c', probe, tmp], { encoding: 'utf8' }).trim(), 'same');
  });

  it('inserts edit lines inside the named function only', () => {
    const src = 'def a(x):\n    return x\n\n\ndef trim(grid):\n    """Doc."""\n    return grid\n';
    assert.strictEqual(insertInFunction(src, 'trim', '    # c', 'top'), 'def a(x):\n    return x\n\n\ndef trim(grid):\n    # c\n    """Doc."""\n    return grid\n');
    assert.strictEqual(insertInFunction(src, 'trim', '    y = 1', 'beforeReturn'), 'def a(x):\n    return x\n\n\ndef trim(grid):\n    """Doc."""\n    y = 1\n    return grid\n');
    assert.throws(() => insertInFunction(src, 'nope', '#', 'top'), /no function nope/);
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
