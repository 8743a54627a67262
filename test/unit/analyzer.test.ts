import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Analyzer } from '../../src/engine/workspace/analyzer';
import { generateSolvers } from '../fixtures/discover/generate';

const PYTHON = process.env.BATT_PYTHON ?? 'python3';
const SCRIPT = path.resolve(__dirname, '../../src/worker/analyzer/analyze.py');
const FIX = path.resolve(__dirname, '../fixtures/discover');
const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const read = (f: string) => fs.readFileSync(path.join(FIX, f), 'utf8');

describe('analyzer (analyze.py over stdio)', function () {
  const logs: string[] = [];
  const an = new Analyzer({ python: PYTHON, script: SCRIPT, onLog: (l) => logs.push(l) });
  after(() => an.dispose());

  describe('parse', () => {
    it('finds top-level solve_ functions with exact lines, kinds and suffixes, ignoring other defs', async () => {
      const r = await an.parse(path.join(FIX, 'solvers.py'), read('solvers.py'));
      assert.strictEqual(r.syntaxError, null);
      const brief = r.functions.map((f) => [f.name, f.taskId, f.suffix, f.line, f.endLine, f.kind, f.params.join(',')]);
      assert.deepStrictEqual(brief, [
        ['solve_007bbfb7', '007bbfb7', null, 13, 16, 'I', 'I'],
        ['solve_00d62c1b', '00d62c1b', null, 19, 23, 'SIC', 'S,I,C'],
        ['solve_00d62c1b_v2', '00d62c1b', 'v2', 26, 29, 'SIC', 'S,I,C'],
        ['solve_017c7c7b_mut', '017c7c7b', 'mut', 33, 40, 'I', 'I'],
        ['solve_0520fde7', '0520fde7', null, 43, 44, null, 'I,debug'],
        ['solve_1b2d62fb', '1b2d62fb', null, 47, 48, null, 'S,I'],
      ]);
      for (const f of r.functions) {
        assert.strictEqual(f.segHash, sha(f.source!));
        assert.strictEqual(f.col, 1);
      }
      const lean = await an.parse(path.join(FIX, 'solvers.py'), read('solvers.py'), { withSources: false });
      assert.ok(lean.functions.every((f) => f.source === undefined), 'withSources: false leaves the sources out');
      assert.deepStrictEqual(lean.functions.map((f) => f.segHash), r.functions.map((f) => f.segHash));
      const deco = r.functions[3];
      assert.ok(deco.source!.startsWith('@staticmethod\ndef solve_017c7c7b_mut(I):'), deco.source);
      assert.ok(r.functions[2].source!.endsWith('return O'), 'a trailing comment is not part of the segment');
      assert.strictEqual(r.batt, null);
      assert.deepStrictEqual(r.imports, [
        { module: 'dsl', level: 0, line: 2, names: ['*'] },
        { module: 'constants', level: 0, line: 3, names: ['*'] },
        { module: 'helpers.grids', level: 0, line: 4 },
        { module: 'local', level: 1, line: 61, names: ['thing'] },
        { module: '', level: 2, line: 62, names: ['parent_mod'] },
      ]);
    });

    it('reads batt modules: literal o.append candidates with their lines, distinct (t, source), first wins', async () => {
      const r = await an.parse(path.join(FIX, 'batt_mod.py'), read('batt_mod.py'));
      assert.ok(r.batt);
      assert.strictEqual(r.batt.line, 7);
      assert.strictEqual(r.batt.endLine, 24);
      assert.deepStrictEqual(r.batt.candidates.map(({ t, mutated, source, line }) => ({ t, mutated, source, line })), [
        { t: 1, mutated: false, source: '007bbfb7', line: 11 },
        { t: 9, mutated: false, source: 'a1b2c3d4', line: 14 },
        { t: 2, mutated: true, source: '74dd1130', line: 18 },
        { t: 2, mutated: false, source: '3c9b0459', line: 20 },
      ]);
      assert.deepStrictEqual(r.functions.map((f) => [f.name, f.line]), [['solve_74dd1130', 27]]);
    });

    it('reports syntax errors and NUL bytes with line and column, and keeps serving', async () => {
      const bad = await an.parse('/ws/bad_syntax.py', read('bad_syntax.py'));
      assert.deepStrictEqual(bad.syntaxError, { message: "unmatched ')'", line: 4, col: 14 });
      assert.deepStrictEqual([bad.functions, bad.imports, bad.batt], [[], [], null]);
      const nul = await an.parse('/ws/nul.py', 'x = 1\ny = \0\n');
      assert.deepStrictEqual(nul.syntaxError, { message: 'source code cannot contain null bytes', line: 2, col: 5 });
      const ok = await an.parse('/ws/bom.py', '\ufeffdef solve_abc(I):\n    return I\n');
      assert.deepStrictEqual(ok.functions.map((f) => [f.name, f.line]), [['solve_abc', 1]]);
    });

    it('contextHash ignores solver edits but not helpers or constants', async () => {
      const base = read('solvers.py');
      const h = async (s: string) => (await an.parse('/ws/s.py', s)).contextHash;
      const h0 = await h(base);
      const solverEdited = base.replace('O = vupscale(x1, THREE)', 'x2 = vupscale(x1, THREE)\n    O = identity(x2)');
      assert.strictEqual(await h(solverEdited), h0);
      assert.notStrictEqual(await h(base.replace('SCALE = 2', 'SCALE = 3')), h0);
      assert.notStrictEqual(await h(base.replace('    return x\n', '    return x + 1\n')), h0);
      const batt = read('batt_mod.py');
      assert.strictEqual(await h(batt.replace("(1, False, '007bbfb7', t1)", "(1, True, '007bbfb7', t1)")), await h(batt));
    });
  });

  describe('canonical', () => {
    const base = 'def solve_aaaa0000(I):\n    x1 = objects(I, T, F, F)\n    x2 = first(x1)\n    O = fill(I, ONE, x2)\n    return O\n';
    const variants = [
      'def solve_bbbb1111_v3(grid):\n    """Renamed everything."""\n    objs = objects(grid, T, F, F)  # comment\n    # another\n    one = first(objs)\n    O = fill(grid, ONE, one)\n    return O\n',
      '@decorated\ndef solve_cccc(J):\n    a = objects(J, T, F, F)\n\n    b = first(a)\n    c = fill(J, ONE, b)\n    return c\n',
    ];
    const different = [
      base.replace('objects(I, T, F, F)', 'objects(I, T, T, F)'),
      base.replace('fill(I, ONE, x2)', 'fill(I, TWO, x2)'),
      base.replace('fill(I, ONE, x2)', 'fill(x2, ONE, I)'),
      base.replace('first(x1)', 'last(x1)'),
      base.replace('def solve_aaaa0000(I)', 'def solve_aaaa0000(S, I, C)'),
    ];

    it('gives equal hashes for renamed / docstring / comment variants and different ones for real changes', async () => {
      const items = [base, ...variants, ...different].map((source, i) => ({ key: `k${i}`, source }));
      const r = await an.canonical(items);
      assert.deepStrictEqual(r.map((x) => x.key), items.map((x) => x.key));
      assert.ok(r.every((x) => !x.error && /^[0-9a-f]{64}$/.test(x.hash)), JSON.stringify(r));
      assert.strictEqual(r[1].hash, r[0].hash);
      assert.strictEqual(r[2].hash, r[0].hash);
      const all = new Set([r[0].hash, ...r.slice(3).map((x) => x.hash)]);
      assert.strictEqual(all.size, 1 + different.length, 'every changed variant hashes differently');
      assert.deepStrictEqual(r.slice(0, 3).map((x) => x.length), [4, 4, 4]);
    });

    it('returns a per-item error for text that is not one def, and rejects malformed requests clearly', async () => {
      const r = await an.canonical([{ key: 'a', source: 'def f(:\n' }, { key: 'b', source: 'x = 1\n' }, { key: 'c', source: base }]);
      assert.match(r[0].error ?? '', /SyntaxError/);
      assert.match(r[1].error ?? '', /one function definition/);
      assert.strictEqual(r[2].error, undefined);
      await assert.rejects(an.canonical([{ key: 'x', source: 42 as unknown as string }]), /analyzer: canonical: .*string source/);
      assert.strictEqual((await an.canonical([{ key: 'again', source: base }]))[0].hash, r[2].hash);
    });
  });

  describe('lint', () => {
    const dsl = ['objects', 'first', 'fill', 'identity', 'T', 'F', 'ONE'];
    const lint = async (body: string, names = dsl) => an.lint('/ws/l.py', `from dsl import *\n\ndef solve_abcd1234(I):\n${body}`, names);
    const codes = async (body: string) => (await lint(body)).map((p) => `${p.line}:${p.code}`);

    it('passes a well-formed solver', async () => {
      assert.deepStrictEqual(await lint('    x1 = objects(I, T, F, F)\n    x2 = first(x1)\n    O = fill(I, ONE, x2)\n    return O\n'), []);
    });

    it('flags each formatting rule with its code and position', async () => {
      assert.deepStrictEqual(await codes('    x1 = first(objects(I, T, F, F))\n    O = fill(I, ONE, x1)\n    return O\n'), ['4:nested-call']);
      assert.deepStrictEqual(await codes('    O = fill(I, 1, x9)\n    return O\n'), ['4:literal-argument', '4:undefined-name']);
      assert.deepStrictEqual(await codes('    x1 = first(I)\n    x1 = first(I)\n    O = identity(x1)\n    return O\n'), [
        '5:reassigned',
        '5:duplicate-call',
      ]);
      assert.deepStrictEqual(await codes('    x1 = first(I)\n    O = identity(I)\n    return O\n'), ['4:unused-variable']);
      assert.deepStrictEqual(await codes('    O = mystery(I)\n    return O\n'), ['4:unknown-primitive']);
      assert.deepStrictEqual(await codes('    O = identity(x1)\n    x1 = first(I)\n    return O\n'), ['4:undefined-name', '5:unused-variable']);
      assert.deepStrictEqual(await codes('    O = first(I)\n    return I\n'), ['5:missing-return-O']);
      assert.deepStrictEqual(await codes('    O = first(I)\n'), ['4:missing-return-O']);
      assert.deepStrictEqual(await codes('    O = fill(I, ONE, key=T)\n    return O\n'), ['4:keyword-argument']);
      const [p] = await lint('    x1 = first(objects(I, T, F, F))\n    O = fill(I, ONE, x1)\n    return O\n');
      assert.deepStrictEqual([p.col, p.endCol, p.severity], [16, 35, 'warning']);
    });

    it('names() lists what a DSL module defines at top level', async () => {
      const src = 'import os\nfrom typing import Tuple as Tup\nfrom x import *\nZERO = 0\nA, B = 1, 2\ndef fill(g, c, p):\n    inner = 1\n    return g\nclass K: pass\ntry:\n    import numpy as np\nexcept ImportError:\n    np = None\n';
      assert.deepStrictEqual(await an.names('/ws/dsl.py', src), ['os', 'Tup', 'ZERO', 'A', 'B', 'fill', 'K', 'np']);
      assert.deepStrictEqual((await an.namesDetailed('/ws/dsl.py', src)).starImports, [{ module: 'x', level: 0 }]);
    });
  });

  describe('a 400-solver module', () => {
    it('is parsed and canonicalised quickly, with every def line and endLine right', async () => {
      const gen = generateSolvers(400, 7);
      await an.parse('/ws/warm.py', 'x = 1\n');
      const t0 = performance.now();
      const r = await an.parse('/ws/big.py', gen.source);
      const parseMs = performance.now() - t0;
      assert.deepStrictEqual(r.functions.map((f) => [f.name, f.line, f.endLine, f.kind]), gen.defs.map((d) => [d.name, d.line, d.endLine, d.kind]));
      const t1 = performance.now();
      const c = await an.canonical(r.functions.map((f) => ({ key: f.segHash, source: f.source! })));
      const canonMs = performance.now() - t1;
      assert.ok(c.every((x) => !x.error));
      const problems = await an.lint('/ws/big.py', gen.source, gen.dslNames);
      assert.ok(problems.every((p) => p.code === 'unused-variable' || p.code === 'duplicate-call'), JSON.stringify(problems.find((p) => p.code !== 'unused-variable')));
      console.log(`      ${gen.source.split('\n').length} lines: parse ${parseMs.toFixed(0)} ms, canonical of 400 ${canonMs.toFixed(0)} ms`);
      // Generous bounds: the machine is shared; the targets (< 200 ms each) are checked by eye in the printed line.
      assert.ok(parseMs < 3000 && canonMs < 3000, `${parseMs} / ${canonMs}`);
    });
  });

  describe('process lifecycle', () => {
    let tmp: string;
    before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-analyzer-'))));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it('rejects pending calls when the process crashes and restarts on the next call', async () => {
      // Crashes on its first request (before marking), then behaves like the real analyzer.
      const marker = path.join(tmp, 'crashed');
      const script = path.join(tmp, 'crashy.py');
      fs.writeFileSync(
        script,
        `import os, sys, runpy\nif not os.path.exists(${JSON.stringify(marker)}):\n    sys.stdin.readline()\n    open(${JSON.stringify(marker)}, "w").close()\n    sys.stderr.write("boom\\n")\n    sys.stderr.flush()\n    os._exit(3)\nsys.argv = [${JSON.stringify(SCRIPT)}]\nrunpy.run_path(${JSON.stringify(SCRIPT)}, run_name="__main__")\n`,
      );
      const seen: string[] = [];
      const a = new Analyzer({ python: PYTHON, script, onLog: (l) => seen.push(l) });
      try {
        await assert.rejects(a.parse('/ws/a.py', 'x = 1\n'), /analyzer process exited \(code 3\): boom/);
        assert.ok(seen.includes('[analyzer] boom'), seen.join('\n'));
        const r = await a.parse('/ws/a.py', 'def solve_abc(I):\n    return I\n');
        assert.strictEqual(r.functions[0].name, 'solve_abc');
      } finally {
        a.dispose();
      }
    });

    it('times out a hung process, and dispose() rejects in-flight calls', async () => {
      const script = path.join(tmp, 'hang.py');
      fs.writeFileSync(script, 'import sys\nfor line in sys.stdin:\n    pass\n');
      const a = new Analyzer({ python: PYTHON, script, timeoutMs: 300 });
      await assert.rejects(a.parse('/ws/h.py', 'x = 1\n'), /parse \/ws\/h\.py took longer than 300 ms/);
      const pending = a.parse('/ws/h.py', 'x = 1\n');
      a.dispose();
      await assert.rejects(pending, /analyzer disposed/);
    });

    it('reports an interpreter that cannot start', async () => {
      const a = new Analyzer({ python: path.join(tmp, 'no-such-python'), script: SCRIPT });
      await assert.rejects(a.parse('/ws/a.py', ''), /cannot run .*no-such-python/);
      a.dispose();
    });
  });
});
