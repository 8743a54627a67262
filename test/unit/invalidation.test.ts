/**
 * Invalidation at the level of code, end to end through the engine with real workers on a temporary copy of
 * test/fixtures/invalidation (a DSL of a few primitives, a star-imported constants module, six solvers with one job
 * per pair, two pairs each): comment, blank-line and docstring edits rerun nothing; editing a primitive reruns exactly
 * the candidates whose closure of read names reaches it (through a helper, through another solve_* function, through
 * a star import); module-level code or a computed getattr on a module falls back to the whole module, and the log says
 * so; a reused error verdict's lines follow code that only moved.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Engine } from '../../src/engine/engine';
import type { CandidateJson, RunJson } from '../../src/protocol/results';
import '../cacheHome';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'invalidation');

function candidate(r: RunJson, name: string): CandidateJson {
  for (const t of r.tasks) for (const c of t.candidates) if (c.name === name) return c;
  throw new Error(`${name} not in the run`);
}

/** Names of the candidates that ran at least one pair (not from the cache). */
function ranNames(r: RunJson): string[] {
  return r.tasks.flatMap((t) => t.candidates.filter((c) => c.pairs.some((p) => !p.cached)).map((c) => c.name)).sort();
}

describe('invalidation at the level of code', function () {
  this.timeout(120000);
  let ws: string;
  let engine: Engine;
  let log: string[];
  const file = (name: string) => path.join(ws, name);
  const read = (name: string) => fs.readFileSync(file(name), 'utf8');
  const edit = (name: string, from: string | RegExp, to: string) => {
    const text = read(name);
    const next = text.replace(from, to);
    assert.notStrictEqual(next, text, `edit of ${name} applies`);
    fs.writeFileSync(file(name), next);
  };

  beforeEach(async () => {
    ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-inval-')));
    fs.cpSync(FIXTURE, ws, { recursive: true });
    log = [];
    engine = new Engine({ workspace: ws, timeoutMs: 5000, workers: 2, log: (l) => log.push(l) });
    const cold = await engine.run();
    assert.strictEqual(cold.summary.ran, 12);
  });
  afterEach(async () => {
    await engine.dispose();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('comments, blank lines and docstrings in the DSL and in the solver file rerun nothing', async () => {
    edit('dsl.py', '"""A tiny DSL', '"""An edited docstring.\n\nA tiny DSL');
    edit('dsl.py', 'def flip(g):\n', '# a comment\n\n\ndef flip(g):\n    """Mirror left-right."""\n    # inside\n\n');
    edit('consts.py', 'TWO = 2', '# two\nTWO = 2  # trailing');
    let r = await engine.run();
    assert.strictEqual(r.summary.ran, 0, `ran: ${ranNames(r).join(', ')}`);
    edit('solvers.py', 'def solve_aa000002(I):\n', '# comment\n\ndef solve_aa000002(I):\n    """Docstring."""\n');
    edit('solvers.py', 'from dsl import *\n', 'from dsl import *  # all primitives\n\n\n');
    r = await engine.run();
    assert.strictEqual(r.summary.ran, 0, `ran: ${ranNames(r).join(', ')}`);
  });

  it('a reused error verdict follows the code when only lines moved', async () => {
    const before = candidate(await engine.run(), 'solve_aa000005').pairs[0].error!;
    const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    assert.strictEqual(before.line, lineOf(read('solvers.py'), 'x1 = boom(I)'));
    assert.strictEqual(before.dslLine, lineOf(read('dsl.py'), 'return g[99]'));
    edit('solvers.py', 'def solve_aa000005(I):\n', '\n\n# moved down\ndef solve_aa000005(I):\n');
    edit('dsl.py', 'def boom(g):\n', '# moved down too\n\ndef boom(g):\n');
    const r = await engine.run();
    assert.strictEqual(r.summary.ran, 0, `ran: ${ranNames(r).join(', ')}`);
    for (const p of candidate(r, 'solve_aa000005').pairs) {
      const e = p.error!;
      assert.ok(p.cached);
      assert.strictEqual(e.line, (before.line ?? 0) + 3);
      assert.strictEqual(e.dslLine, (before.dslLine ?? 0) + 2);
      assert.strictEqual(e.line, lineOf(read('solvers.py'), 'x1 = boom(I)'));
      assert.strictEqual(e.dslLine, lineOf(read('dsl.py'), 'return g[99]'));
      assert.match(e.traceback, new RegExp(`solvers\\.py", line ${e.line}, in solve_aa000005`));
      assert.match(e.traceback, new RegExp(`dsl\\.py", line ${e.dslLine}, in boom`));
      assert.match(p.message!, new RegExp(`dsl\\.py:${e.dslLine}\\)$`));
    }
    // A comment inside the function that raised moves lines within it: not remappable, so it reruns (and is right).
    edit('dsl.py', 'def boom(g):\n', 'def boom(g):\n    # inside\n');
    const again = await engine.run();
    assert.deepStrictEqual(ranNames(again), ['solve_aa000005']);
    assert.strictEqual(candidate(again, 'solve_aa000005').pairs[0].error!.dslLine, lineOf(read('dsl.py'), 'return g[99]'));
  });

  it('editing one primitive reruns only the candidates that reach it: directly, through another solve_*, through a helper', async () => {
    edit('dsl.py', 'return tuple(tuple(row[::-1]) for row in g)', 'return tuple(tuple(reversed(row)) for row in g)');
    let r = await engine.run();
    assert.deepStrictEqual(ranNames(r), ['solve_aa000002', 'solve_aa000004']);
    assert.strictEqual(r.summary.ran, 4);
    edit('dsl.py', 'return v + OFFSET', 'return OFFSET + v');
    r = await engine.run();
    assert.deepStrictEqual(ranNames(r), ['solve_aa000003']);
    // the callee solver itself: its caller sees the edit
    edit('solvers.py', 'O = flip(I)', 'O = flip(ident(I))');
    r = await engine.run();
    assert.deepStrictEqual(ranNames(r), ['solve_aa000002', 'solve_aa000004']);
  });

  it('module-level state: a constant reruns only its dependents (also through a star import)', async () => {
    edit('dsl.py', 'OFFSET = 1', 'OFFSET = 1 + 0');
    let r = await engine.run();
    assert.deepStrictEqual(ranNames(r), ['solve_aa000003']);
    edit('consts.py', 'TWO = 2', 'TWO = 1 + 1');
    r = await engine.run();
    assert.deepStrictEqual(ranNames(r), ['solve_aa000006']);
    assert.ok(!log.some((l) => /whole module/.test(l)), log.join('\n'));
  });

  it('a module-level statement that mutates state makes the module opaque: every dependent reruns, and the log says why', async () => {
    edit('dsl.py', 'OFFSET = 1\n', 'OFFSET = 1\nTABLE = {}\nfor k in range(3):\n    TABLE[k] = k\n');
    let r = await engine.run();
    assert.strictEqual(r.summary.ran, 12);
    assert.ok(log.some((l) => l.startsWith('dsl.py:6: a module-level `for` statement') && /whole module/.test(l)), log.join('\n'));
    // while opaque, an edit of any primitive reruns every dependent of the module
    edit('dsl.py', 'return g[99]', 'return g[98]');
    r = await engine.run();
    assert.strictEqual(r.summary.ran, 12);
    // but a comment still reruns nothing
    edit('dsl.py', 'TABLE = {}\n', 'TABLE = {}  # filled below\n');
    r = await engine.run();
    assert.strictEqual(r.summary.ran, 0);
  });

  it('a star import of a module outside the workspace falls back to the whole module, with a log line', async () => {
    edit('dsl.py', 'from consts import *\n', 'from consts import *\nfrom math import *\n');
    let r = await engine.run();
    assert.strictEqual(r.summary.ran, 12);
    assert.ok(log.some((l) => l.startsWith('dsl.py:3: `from math import *` of a module outside the workspace') && /whole module/.test(l)), log.join('\n'));
    edit('dsl.py', 'return g[99]', 'return g[98]');
    r = await engine.run();
    assert.strictEqual(r.summary.ran, 12, 'every dependent of the opaque module reruns');
  });

  it('a computed getattr on a workspace module falls back to the whole module, with a log line', async () => {
    fs.writeFileSync(file('dynamic.py'), 'import dsl\n\n\ndef solve_aa000001_dyn(I):\n    O = getattr(dsl, "id" + "ent")(I)\n    return O\n');
    let r = await engine.run();
    assert.deepStrictEqual(ranNames(r), ['solve_aa000001_dyn']);
    assert.ok(log.some((l) => l.startsWith('dynamic.py:5: `getattr(dsl, ...)`') && /whole module/.test(l)), log.join('\n'));
    edit('dsl.py', 'return g[99]', 'return g[98]');
    r = await engine.run();
    assert.deepStrictEqual(ranNames(r), ['solve_aa000001_dyn', 'solve_aa000005']);
  });

  it('`import m` and `from m import x` resolve per name', async () => {
    fs.writeFileSync(file('more.py'), 'import dsl\nfrom dsl import flip as mirror\n\n\ndef solve_aa000001_mod(I):\n    O = dsl.ident(I)\n    return O\n\n\ndef solve_aa000002_from(I):\n    O = mirror(I)\n    return O\n');
    await engine.run();
    edit('dsl.py', 'return tuple(tuple(row) for row in g)', 'return tuple(tuple(v for v in row) for row in g)');
    let r = await engine.run();
    assert.deepStrictEqual(ranNames(r), ['solve_aa000001', 'solve_aa000001_mod']);
    edit('dsl.py', 'return tuple(tuple(row[::-1]) for row in g)', 'return tuple(tuple(reversed(row)) for row in g)');
    r = await engine.run();
    assert.deepStrictEqual(ranNames(r), ['solve_aa000002', 'solve_aa000002_from', 'solve_aa000004']);
  });
});
