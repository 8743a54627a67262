/**
 * The engine end to end on a temporary copy of the bundled sample workspace, with real Python workers:
 * the verdicts documented in samples/README.md, caching, invalidation, battery transfer and the solver store.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Engine } from '../../src/engine/engine';
import type { CandidateJson, RunJson } from '../../src/protocol/results';
import '../cacheHome';

const SAMPLES = path.join(__dirname, '..', '..', 'samples');

function copySamples(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-engine-'));
  fs.cpSync(SAMPLES, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.batt`) && !src.includes('__pycache__') });
  return fs.realpathSync(dir);
}

function cand(r: RunJson, task: string, name: string): CandidateJson {
  const t = r.tasks.find((x) => x.id === task);
  assert.ok(t, `task ${task} in result`);
  const c = t.candidates.find((x) => x.name === name);
  assert.ok(c, `${name} among ${t.candidates.map((x) => x.name).join(', ')}`);
  return c;
}

describe('engine on the sample workspace', function () {
  this.timeout(120000);
  let ws: string;
  let engine: Engine;
  let cold: RunJson;

  before(async () => {
    ws = copySamples();
    engine = new Engine({ workspace: ws, timeoutMs: 1000 });
    cold = await engine.run();
  });
  after(async () => {
    await engine.dispose();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('gives every documented verdict', () => {
    assert.strictEqual(cold.summary.tasks, 12);
    assert.strictEqual(cold.summary.solved, 8); // 5e2b9d14 is solved only by transfer (--battery)
    for (const [task, name] of [['a3f1c07e', 'solve_a3f1c07e'], ['c81f4a6b', 'solve_c81f4a6b'], ['0d9e3b72', 'solve_0d9e3b72'], ['41c7d8ab', 'solve_41c7d8ab'], ['63d5af2e', 'solve_63d5af2e_sic'], ['7b4c2e91', 'batt:12:7b4c2e91']]) {
      const c = cand(cold, task, name);
      assert.strictEqual(c.status, 'pass', `${name}`);
      assert.ok(c.solved);
    }
    const triple = cand(cold, '0d9e3b72', 'solve_0d9e3b72_triple');
    assert.strictEqual(triple.status, 'fail');
    assert.strictEqual(triple.pairs[0].message, 'expected 6x6, got 9x9: actual is 1.5x the expected in both dimensions — the same picture at another scale');
    assert.deepStrictEqual(triple.pairs[0].actual?.length, 9);

    const deep = cand(cold, '9fd2a6c3', 'solve_9fd2a6c3');
    assert.strictEqual(deep.status, 'error');
    assert.deepStrictEqual(deep.pairs.map((p) => p.status), ['pass', 'error', 'pass', 'error']);
    const err = deep.pairs[1].error!;
    assert.strictEqual(err.type, 'IndexError');
    assert.strictEqual(err.dslFunc, 'first');
    const solverLines = fs.readFileSync(path.join(ws, 'solvers.py'), 'utf8').split('\n');
    assert.match(solverLines[err.line! - 1], /x3 = first\(x2\)/);

    const loop = cand(cold, '2ab8e5f0', 'solve_2ab8e5f0');
    assert.strictEqual(loop.status, 'timeout');
    assert.ok(loop.pairs.every((p) => p.status === 'timeout' && /over 1 s of CPU time/.test(p.message ?? '')));

    const mirror = cand(cold, 'b70e19d4', 'solve_b70e19d4');
    assert.deepStrictEqual(mirror.pairs.map((p) => p.status), ['pass', 'fail', 'fail', 'fail']);
    assert.match(mirror.pairs[1].message!, /^the expected is the actual rotated 180°; \d+ of \d+ cells right$/);

    const copy = cand(cold, 'c81f4a6b', 'solve_c81f4a6b_copy');
    assert.strictEqual(copy.duplicateOf, 'solve_c81f4a6b');
    assert.strictEqual(copy.hash, cand(cold, 'c81f4a6b', 'solve_c81f4a6b').hash);

    const mutated = cand(cold, 'd1e84c5a', 'batt:10:d1e84c5a');
    assert.strictEqual(mutated.status, 'fail');
    assert.ok(cand(cold, 'd1e84c5a', 'solve_d1e84c5a').rank < mutated.rank);
  });

  it('reports phases, cache counts and the pool', () => {
    assert.deepStrictEqual(cold.phases.map((p) => p.name), ['startup', 'discover', 'inline', 'score', 'store', 'unaccounted']);
    const sum = cold.phases.reduce((s, p) => s + p.ms, 0);
    assert.ok(Math.abs(sum - cold.summary.wallMs) < 1, `${sum} vs ${cold.summary.wallMs}`);
    assert.strictEqual(cold.temperature, 'cold');
    assert.strictEqual(cold.cache.validation.hits, 0);
    assert.strictEqual(cold.cache.validation.misses, cold.summary.jobs); // one batt candidate per task by default: one job per lookup
    assert.ok(cold.pool.started);
    assert.strictEqual(cold.pool.workers, 4);
    const log = fs.readFileSync(path.join(ws, '.batt', 'runs.jsonl'), 'utf8').trim().split('\n');
    assert.strictEqual(JSON.parse(log[log.length - 1]).summary.jobs, cold.summary.jobs);
  });

  it('a rerun with nothing changed runs no solver and gives the same verdicts', async () => {
    const fresh = new Engine({ workspace: ws, timeoutMs: 1000 });
    try {
      const hot = await fresh.run();
      assert.strictEqual(hot.summary.ran, 0);
      assert.strictEqual(hot.temperature, 'hot');
      assert.strictEqual(hot.pool.started, false);
      assert.strictEqual(hot.cache.validation.misses, 0);
      assert.strictEqual(hot.cache.inline.misses, 0);
      const strip = (r: RunJson) => r.tasks.map((t) => t.candidates.map((c) => [c.name, c.status, c.pairs.map((p) => p.status)]));
      assert.deepStrictEqual(strip(hot), strip(cold));
    } finally {
      await fresh.dispose();
    }
  });

  it('editing one solver re-runs only that solver', async () => {
    const file = path.join(ws, 'solvers.py');
    const text = fs.readFileSync(file, 'utf8');
    const edited = text.replace('O = upscale(I, THREE)', 'O = upscale(I, FOUR)');
    assert.notStrictEqual(edited, text, 'fixture edit applied');
    fs.writeFileSync(file, edited);
    try {
      const r = await engine.run();
      assert.strictEqual(r.summary.ran, 4, 'only the edited candidate\'s four pairs');
      assert.strictEqual(r.cache.inline.misses, 1);
      const now = cand(r, '0d9e3b72', 'solve_0d9e3b72_triple');
      assert.strictEqual(now.pairs[0].message, 'expected 6x6, got 12x12: actual is 2x the expected in both dimensions — the expected scaled up 2x');
    } finally {
      fs.writeFileSync(file, text);
    }
  });

  it('an edit that makes a candidate equal to another folds it into a duplicate without running it', async () => {
    const file = path.join(ws, 'solvers.py');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace('O = upscale(I, THREE)', 'O = upscale(I, TWO)'));
    try {
      const r = await engine.run({ tasks: ['0d9e3b72'] });
      assert.strictEqual(r.summary.ran, 0);
      assert.strictEqual(cand(r, '0d9e3b72', 'solve_0d9e3b72_triple').duplicateOf, 'solve_0d9e3b72');
    } finally {
      fs.writeFileSync(file, text);
    }
  });

  it('editing the DSL module invalidates the candidates that import it', async () => {
    const dsl = path.join(ws, 'dsl.py');
    const text = fs.readFileSync(dsl, 'utf8');
    // an edit of the primitive they call (an unused addition reruns nothing: test/unit/invalidation.test.ts)
    const edited = text.replace(/(def rot180\([^)]*\)[^:]*:\n(?:\s+""".*?"""\n)?)/s, '$1    grid = tuple(grid)\n');
    assert.notStrictEqual(edited, text, 'rot180 found in dsl.py');
    fs.writeFileSync(dsl, edited);
    try {
      const r = await engine.run({ tasks: ['a3f1c07e'] });
      // explained.py's solve_a3f1c07e_quarter calls rot90, not rot180: its 5 pairs are the only hits
      assert.strictEqual(r.cache.validation.hits, 5);
      assert.ok(cand(r, 'a3f1c07e', 'solve_a3f1c07e').pairs.every((p) => !p.cached));
      assert.ok(r.summary.ran > 0);
      assert.strictEqual(cand(r, 'a3f1c07e', 'solve_a3f1c07e').status, 'pass');
    } finally {
      fs.writeFileSync(dsl, text);
    }
  });

  it('an edited DSL function is re-imported by the persistent workers', async () => {
    const dsl = path.join(ws, 'dsl.py');
    const text = fs.readFileSync(dsl, 'utf8');
    const broken = text.replace(/(def rot180\([^)]*\)[^:]*:\n(?:\s+""".*?"""\n)?)/s, '$1    raise ValueError("edited by the test")\n');
    assert.notStrictEqual(broken, text, 'rot180 found in dsl.py');
    fs.writeFileSync(dsl, broken);
    try {
      const r = await engine.run({ tasks: ['a3f1c07e'] });
      const c = cand(r, 'a3f1c07e', 'solve_a3f1c07e');
      assert.strictEqual(c.status, 'error');
      assert.match(c.pairs[0].message!, /ValueError: edited by the test \(in rot180/);
    } finally {
      fs.writeFileSync(dsl, text);
    }
    const back = await engine.run({ tasks: ['a3f1c07e'] });
    assert.strictEqual(cand(back, 'a3f1c07e', 'solve_a3f1c07e').status, 'pass');
    assert.strictEqual(back.summary.ran, 0, 'the original verdicts are cached again');
  });

  it('--battery finds the transfer: a solver written for one task solves another', async () => {
    const r = await engine.run({ battery: true, tasks: ['5e2b9d14'] });
    const t = r.tasks[0];
    assert.ok(t.solved);
    const solvers = t.candidates.filter((c) => c.solved).map((c) => c.name).sort();
    assert.deepStrictEqual(solvers, ['batt:1:a3f1c07e', 'solve_a3f1c07e']);
    assert.strictEqual(t.candidates[0].solved, true, 'solvers rank first');
  });

  it('--store writes solving candidates once, content-addressed, and they become candidates', async () => {
    const r = await engine.run({ tasks: ['a3f1c07e'], store: true });
    // batt:1:a3f1c07e is the same program as solve_a3f1c07e (its sliced chain is `rot180(I)`): one content, stored once.
    assert.strictEqual(cand(r, 'a3f1c07e', 'batt:1:a3f1c07e').duplicateOf, 'solve_a3f1c07e');
    assert.deepStrictEqual(r.stored.map((s) => s.name).sort(), ['solve_a3f1c07e']);
    for (const s of r.stored) assert.ok(fs.existsSync(s.path) && s.path.startsWith(path.join(ws, '.batt', 'solvers')));
    const again = await engine.run({ tasks: ['a3f1c07e'], store: true });
    assert.strictEqual(again.stored.length, 0, 'nothing rewritten');
    const withStore = await engine.run({ tasks: ['a3f1c07e'], includeStore: true });
    const names = withStore.tasks[0].candidates.map((c) => c.name);
    assert.ok(names.some((n) => /^solve_a3f1c07e_[0-9a-f]{8}$/.test(n)), names.join(', '));
    assert.ok(withStore.tasks[0].candidates.filter((c) => /^solve_a3f1c07e_[0-9a-f]{8}$/.test(c.name)).every((c) => c.solved || c.duplicateOf));
  });

  it('a bad task file is reported with file and place, and the rest of the run goes on', async () => {
    const bad = path.join(ws, 'tasks', 'ffff0000.json');
    fs.writeFileSync(bad, JSON.stringify({ train: [{ input: [[1, 2], [3]], output: [[1]] }], test: [{ input: [[1]], output: [[1]] }] }));
    try {
      const r = await engine.run();
      const e = r.errors.find((x) => x.file === bad);
      assert.ok(e, JSON.stringify(r.errors));
      assert.strictEqual(e.place, 'train[0].input');
      assert.match(e.message, /row 1 has 1 cells?, expected 2/);
      assert.strictEqual(r.summary.tasks, 12);
    } finally {
      fs.unlinkSync(bad);
    }
  });

  it('the same program against another DSL module is another candidate, not a duplicate', async () => {
    const dsl2 = path.join(ws, 'dsl2.py');
    const other = path.join(ws, 'other_solvers.py');
    fs.writeFileSync(dsl2, 'def rot180(grid):\n    return tuple(tuple(r) for r in grid)\n');
    fs.writeFileSync(other, 'from dsl2 import *\n\n\ndef solve_a3f1c07e_dsl2(I):\n    O = rot180(I)\n    return O\n');
    try {
      const r = await engine.run({ tasks: ['a3f1c07e'] });
      const a = cand(r, 'a3f1c07e', 'solve_a3f1c07e');
      const b = cand(r, 'a3f1c07e', 'solve_a3f1c07e_dsl2');
      assert.strictEqual(a.hash, b.hash, 'same canonical program');
      assert.strictEqual(b.duplicateOf, undefined);
      assert.ok(a.solved);
      assert.strictEqual(b.status, 'fail', 'its own DSL gives another answer');
    } finally {
      fs.unlinkSync(dsl2);
      fs.unlinkSync(other);
    }
  });

  it('a big cold file (canonicalised by two analyzers) folds duplicates across the halves', async () => {
    const big = path.join(ws, 'many_solvers.py');
    const ops = ['rot90', 'rot180', 'hmirror', 'vmirror'];
    const lines = ['from dsl import *', ''];
    for (let k = 0; k < 900; k++) {
      const j = k % 450; // solver k + 450 is solver k with other variable names
      const v = k < 450 ? 'x' : 'y';
      lines.push('', `def solve_a3f1c07e_m${k}(I):`, `    ${v}1 = ${ops[j % 4]}(I)`, `    ${v}2 = ${ops[Math.floor(j / 4) % 4]}(${v}1)`, `    O = ${ops[Math.floor(j / 16) % 4]}(${v}2)`, '    return O');
    }
    fs.writeFileSync(big, lines.join('\n') + '\n');
    try {
      const r = await engine.run({ tasks: ['a3f1c07e'] });
      assert.strictEqual(r.cache.inline.misses, 900);
      const t = r.tasks[0];
      for (let k = 450; k < 900; k++) {
        const c = t.candidates.find((x) => x.name === `solve_a3f1c07e_m${k}`)!;
        assert.ok(c.duplicateOf, `m${k} is a duplicate`);
      }
      assert.strictEqual(t.candidates.find((x) => x.name === 'solve_a3f1c07e_m1')!.duplicateOf, undefined);
    } finally {
      fs.unlinkSync(big);
    }
  });

  it('a syntax error is reported with file:line:col and does not stop other files', async () => {
    const f = path.join(ws, 'broken.py');
    fs.writeFileSync(f, 'def solve_a3f1c07e_broken(I):\n    x1 = rot90(I\n    return x1\n');
    try {
      const r = await engine.run({ tasks: ['a3f1c07e'] });
      const e = r.errors.find((x) => x.file === f);
      assert.ok(e && e.kind === 'syntax' && e.line === 2, JSON.stringify(r.errors));
      assert.ok(cand(r, 'a3f1c07e', 'solve_a3f1c07e').solved);
    } finally {
      fs.unlinkSync(f);
    }
  });
});
