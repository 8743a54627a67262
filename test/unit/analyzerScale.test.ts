/**
 * Scale of analysis (issue 9, item 13): the discover and inline phases are linear in the solvers of a file, a cancel
 * reaches them (and a long analyzer request in flight), and a precompile that times out costs only the precompile.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Engine } from '../../src/engine/engine';
import { Analyzer } from '../../src/engine/workspace/analyzer';
import { generateSolvers } from '../fixtures/discover/generate';
import { until } from '../poll';
import '../cacheHome';

const PYTHON = process.env.BATT_PYTHON ?? 'python3';
const SCRIPT = path.resolve(__dirname, '../../src/worker/analyzer/analyze.py');
const GRID = [[1, 2], [3, 4]];
const TASK = JSON.stringify({ train: [{ input: GRID, output: GRID }], test: [{ input: GRID, output: GRID }] });

/** A workspace of one solvers.py with `count` generated solvers (none of them for its one task, so nothing runs). */
function workspace(root: string, count: number, seed = 1): string {
  const ws = path.join(root, `ws${count}-${seed}`);
  fs.mkdirSync(path.join(ws, 'tasks'), { recursive: true });
  fs.writeFileSync(path.join(ws, 'tasks', 'ffffffff.json'), TASK);
  fs.writeFileSync(path.join(ws, 'solvers.py'), generateSolvers(count, seed).source);
  return ws;
}

/** Pids of this process's children running analyze.py (Linux /proc; empty elsewhere). */
function analyzerPids(): number[] {
  let kids: string;
  try {
    kids = fs.readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8');
  } catch {
    return [];
  }
  return kids
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('analyze.py');
      } catch {
        return false;
      }
    });
}

const alive = (pid: number) => fs.existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));

describe('scale of analysis', function () {
  this.timeout(120000);
  let tmp: string;
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-scale-'))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('discover + inline cost the engine linear CPU: 4x the solvers in one file take < 8x the time', async () => {
    // Node's own CPU (the analyzers are other processes): quadratic work here (a file split per solver) gives ~16x.
    const cpuOfColdRun = async (count: number): Promise<{ ms: number; canonicalised: number }> => {
      const ws = workspace(tmp, count);
      const engine = new Engine({ workspace: ws, tasksPath: path.join(ws, 'tasks') });
      try {
        const t0 = process.cpuUsage();
        const r = await engine.run({});
        const d = process.cpuUsage(t0);
        assert.deepStrictEqual(r.errors, []);
        return { ms: (d.user + d.system) / 1000, canonicalised: r.cache.inline.misses };
      } finally {
        await engine.dispose();
      }
    };
    await cpuOfColdRun(300); // warm-up: JIT and module loading are not part of either measurement
    const small = await cpuOfColdRun(1500);
    const big = await cpuOfColdRun(6000);
    const ratio = big.ms / small.ms;
    console.log(`      engine CPU: 1500 solvers ${small.ms.toFixed(0)} ms, 6000 solvers ${big.ms.toFixed(0)} ms (x${ratio.toFixed(1)})`);
    assert.ok(big.canonicalised > 5900 && small.canonicalised > 1400, `${small.canonicalised} / ${big.canonicalised} canonicalised`);
    assert.ok(ratio < 8, `4x the solvers cost x${ratio.toFixed(1)} the CPU`);
  });

  it('a cancel during discovery of a huge file ends the run at once, cancelled, with no verdicts; the next run works', async () => {
    const ws = workspace(tmp, 20000, 2);
    const engine = new Engine({ workspace: ws, tasksPath: path.join(ws, 'tasks') });
    try {
      const before = new Set(analyzerPids());
      const abort = new AbortController();
      const run = engine.run({ signal: abort.signal });
      // The analyzer is parsing the 20k-solver file (seconds of work) when the cancel comes.
      const [busy] = await until('the analyzer to start', () => {
        const fresh = analyzerPids().filter((p) => !before.has(p));
        return fresh.length ? fresh : undefined;
      });
      const t0 = Date.now();
      abort.abort();
      const r = await run;
      const ms = Date.now() - t0;
      assert.strictEqual(r.cancelled, true);
      assert.strictEqual(r.summary.ran, 0);
      assert.ok(r.tasks.every((t) => !t.solved && t.candidates.every((c) => c.status === 'cancelled')), JSON.stringify(r.tasks).slice(0, 300));
      assert.ok(ms < 2000, `the cancelled run took ${ms} ms to end`);
      await until('the busy analyzer to be killed', () => !alive(busy), 5000);
      const again = await engine.run({});
      assert.strictEqual(again.cancelled, false);
      assert.deepStrictEqual(again.errors, []);
      assert.ok(again.cache.inline.misses > 19000, `${again.cache.inline.misses} canonicalised after the cancelled run`);
    } finally {
      await engine.dispose();
    }
  });

  it('a precompile that times out is logged and skipped; the run and its canonicalisation go on', async () => {
    const ws = workspace(tmp, 1200, 3); // >= 800 solvers: half the canonical batch shares the precompile's analyzer
    const logs: string[] = [];
    const engine = new Engine({ workspace: ws, tasksPath: path.join(ws, 'tasks'), log: (l) => logs.push(l) });
    // A tiny timeout for the precompile call only (captured when the call is made).
    const original = Analyzer.prototype.precompile; // eslint-disable-line @typescript-eslint/unbound-method -- called with apply(this)
    type Limits = { opts: { timeoutMs?: number; precompileTimeoutMs?: number } };
    Analyzer.prototype.precompile = function (this: Analyzer, ...args: Parameters<Analyzer['precompile']>) {
      const opts = (this as unknown as Limits).opts;
      const saved = { timeoutMs: opts.timeoutMs, precompileTimeoutMs: opts.precompileTimeoutMs };
      Object.assign(opts, { timeoutMs: 1, precompileTimeoutMs: 1 });
      try {
        return original.apply(this, args);
      } finally {
        Object.assign(opts, saved);
      }
    };
    try {
      const r = await engine.run({});
      assert.deepStrictEqual(r.errors, []);
      assert.ok(r.cache.inline.misses > 1100, `${r.cache.inline.misses} canonicalised`);
      assert.ok(logs.some((l) => /^precompile failed: .*precompile took longer than 1 ms/.test(l)), logs.join('\n'));
    } finally {
      Analyzer.prototype.precompile = original;
      await engine.dispose();
    }
  });
});

describe('analyzer client under load', function () {
  this.timeout(60000);
  const big = generateSolvers(20000, 4).source;

  it('a cancel rejects a call in flight at once, kills its process, and the calls behind it still answer', async () => {
    const a = new Analyzer({ python: PYTHON, script: SCRIPT });
    try {
      await a.names('/ws/warm.py', 'x = 1\n');
      const [pid] = analyzerPids().filter((p) => alive(p));
      const abort = new AbortController();
      const slow = a.parse('/ws/big.py', big, { withSources: false, signal: abort.signal });
      const behind = a.parse('/ws/small.py', 'def solve_abcd0123(I):\n    return I\n');
      const t0 = Date.now();
      abort.abort();
      await assert.rejects(slow, (e: Error) => e.name === 'AbortError' && /parse \/ws\/big\.py cancelled/.test(e.message));
      assert.ok(Date.now() - t0 < 500, `rejected after ${Date.now() - t0} ms`);
      assert.strictEqual((await behind).functions[0].name, 'solve_abcd0123');
      if (pid !== undefined) await until('the busy process to be killed', () => !alive(pid), 5000);
      await assert.rejects(a.parse('/ws/x.py', 'x = 1\n', { signal: abort.signal }), /cancelled/);
    } finally {
      a.dispose();
    }
  });

  it('lint and names as you type re-lint only the edited chunk of a huge file, with the whole-module answers', async () => {
    const gen = generateSolvers(8000, 5);
    const a = new Analyzer({ python: PYTHON, script: SCRIPT });
    const timed = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
      const t0 = performance.now();
      const r = await f();
      return [r, performance.now() - t0];
    };
    try {
      const lines = gen.source.split('\n');
      const [, firstMs] = await timed(async () => [await a.namesDetailed('/ws/big.py', gen.source), await a.lint('/ws/big.py', gen.source, gen.dslNames)]);
      // Edits as typed: a character in a call, a new line (moves every chunk below), a new solver (a new module name).
      const edits = [
        (ls: string[]) => ls.map((l, i) => (i === 1000 ? l.replace(/\(/, '(x') : l)),
        (ls: string[]) => [...ls.slice(0, 500), '    x1 = size(I)', ...ls.slice(500)],
        (ls: string[]) => [...ls.slice(0, 9000), 'def solve_0badcafe(I):', '    O = solve_0badcafe(I)', '    return O', '', ...ls.slice(9000)],
      ];
      let text = lines;
      let editMs = 0;
      for (const edit of edits) {
        text = edit(text);
        const src = text.join('\n');
        const [[names, problems], ms] = await timed(async () => [await a.namesDetailed('/ws/big.py', src), await a.lint('/ws/big.py', src, gen.dslNames)] as const);
        editMs = Math.max(editMs, ms);
        const whole = await a.namesDetailed('', src); // no path: the whole-module answer
        assert.deepStrictEqual([names.names, names.starImports, names.syntaxError], [whole.names, whole.starImports, whole.syntaxError]);
        assert.deepStrictEqual(problems, await a.lint('', src, gen.dslNames));
      }
      console.log(`      8k-solver file: first lint ${firstMs.toFixed(0)} ms, slowest lint after an edit ${editMs.toFixed(0)} ms`);
      assert.ok(editMs < firstMs * 0.4, `lint after an edit took ${editMs.toFixed(0)} ms, the first ${firstMs.toFixed(0)} ms`);
    } finally {
      a.dispose();
    }
  });

  it('a precompile that times out fails alone: the canonical call queued behind it is answered', async () => {
    const a = new Analyzer({ python: PYTHON, script: SCRIPT, precompileTimeoutMs: 50 });
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-pyc-'));
    try {
      const pre = a.precompile(prefix, [{ path: '/ws/big.py', source: big }]);
      await new Promise((r) => setImmediate(r)); // the precompile is in flight (background work waits one turn)
      const canon = a.canonical([{ key: 'k', source: 'def solve_abcd0123(I):\n    return I\n' }]);
      await assert.rejects(pre, /precompile took longer than 50 ms/);
      const items = await canon;
      assert.strictEqual(items[0].key, 'k');
      assert.match(items[0].hash, /^[0-9a-f]{64}$/);
    } finally {
      a.dispose();
      fs.rmSync(prefix, { recursive: true, force: true });
    }
  });
});
