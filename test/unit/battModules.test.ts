/**
 * Generated batt modules (issue 9, item 12), engine level with real workers: each (t, source) entry is sliced into its
 * own program (batt_slice.py), so it has that program's canonical hash (a duplicate of an equal hand-written solver or
 * of an equal entry of another module), its own length, a self-contained stored form, a share of the module call's
 * time, a numeric place among ties, and its mutated flag. Fixtures: test/fixtures/battModules (make_batt.py).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Engine } from '../../src/engine/engine';
import { Analyzer } from '../../src/engine/workspace/analyzer';
import type { RunJson } from '../../src/protocol/results';
import { battWorkspace, cand, paddedModule, SLOW_MODULE } from '../fixtures/battModules/workspace';
import '../cacheHome';

const REPO = path.resolve(__dirname, '../..');
const FIX = path.join(REPO, 'test/fixtures/battModules');
const PYTHON = process.env.BATT_PYTHON ?? 'python3';

describe('generated batt modules: entries sliced into programs of their own', function () {
  this.timeout(180000);

  describe('two modules and hand-written solvers', () => {
    let ws: string;
    let engine: Engine;
    let cold: RunJson;
    before(async () => {
      ws = battWorkspace({ 'solvers.py': null, 'batt_gen_a.py': null, 'batt_gen_b.py': null });
      engine = new Engine({ workspace: ws, timeoutMs: 5000 });
      cold = await engine.run();
    });
    after(async () => {
      await engine.dispose();
      fs.rmSync(ws, { recursive: true, force: true });
    });

    it('an entry equal to a hand-written solver has its hash and is reported as its duplicate, in (I) or (S, I, C) form', () => {
      const entry = cand(cold, 'e6a05f38', 'batt:21:e6a05f38');
      const solver = cand(cold, 'e6a05f38', 'solve_e6a05f38');
      assert.strictEqual(entry.hash, solver.hash);
      assert.strictEqual(entry.duplicateOf, 'solve_e6a05f38');
      assert.ok(solver.solved && entry.solved);
      assert.strictEqual(entry.rank, solver.rank + 1, 'a duplicate ranks right after its original (they tie on all else)');
      // solvers.py's solve_c81f4a6b is tokpidjin-style (S, I, C); the entry reads only I and takes that form.
      const sic = cand(cold, 'c81f4a6b', 'batt:15:c81f4a6b');
      assert.strictEqual(sic.hash, cand(cold, 'c81f4a6b', 'solve_c81f4a6b').hash);
      assert.strictEqual(sic.duplicateOf, 'solve_c81f4a6b');
      assert.ok(!cold.errors.some((e) => /batt_gen/.test(e.file)), JSON.stringify(cold.errors));
    });

    it('equal entries of other modules dedupe; a mutated entry does not fold into its unmutated solver', () => {
      const a = cand(cold, '7b4c2e91', 'batt:38:7b4c2e91');
      const b = cand(cold, '7b4c2e91', 'batt:14:7b4c2e91');
      assert.strictEqual(b.hash, a.hash);
      assert.strictEqual(b.duplicateOf, 'batt:38:7b4c2e91');
      assert.ok(a.solved && !a.duplicateOf);
      const mutated = cand(cold, 'd1e84c5a', 'batt:30:d1e84c5a');
      assert.strictEqual(mutated.duplicateOf, undefined);
      assert.notStrictEqual(mutated.hash, cand(cold, 'd1e84c5a', 'solve_d1e84c5a').hash);
      assert.strictEqual(mutated.status, 'fail');
    });

    it('each entry has its own program length, and the mutated flag is in the JSON', () => {
      const lengths = Object.fromEntries(cold.tasks.flatMap((t) => t.candidates.filter((c) => c.name.startsWith('batt:')).map((c) => [c.name, c.length])));
      assert.deepStrictEqual(lengths, {
        'batt:15:c81f4a6b': 3,
        'batt:21:e6a05f38': 4,
        'batt:30:d1e84c5a': 5,
        'batt:38:7b4c2e91': 6,
        'batt:45:63d5af2e': 7,
        'batt:4:0d9e3b72': 2,
        'batt:7:a3f1c07e': 2,
        'batt:14:7b4c2e91': 6,
      });
      assert.strictEqual(cand(cold, 'd1e84c5a', 'batt:30:d1e84c5a').mutated, true);
      assert.ok(cold.tasks.every((t) => t.candidates.every((c) => c.name === 'batt:30:d1e84c5a' || c.mutated === undefined)));
    });

    it('--store writes an entry as its own program, which keeps passing after the generator overwrites the module', async () => {
      const r = await engine.run({ tasks: ['7b4c2e91', '63d5af2e'], store: true });
      assert.deepStrictEqual(r.stored.map((s) => s.name).sort(), ['batt:38:7b4c2e91', 'batt:45:63d5af2e']);
      for (const s of r.stored) {
        const text = fs.readFileSync(s.path, 'utf8');
        assert.ok(!/^(from|import)\s+batt_gen_a|_batt\(/m.test(text), text);
        assert.match(text, /^from safe_dsl import _get_safe_default$/m);
      }
      assert.match(fs.readFileSync(r.stored.find((s) => s.task === '63d5af2e')!.path, 'utf8'), /^def solve_63d5af2e_[0-9a-f]{8}\(S, I, C\):$/m);
      fs.copyFileSync(path.join(FIX, 'batt_gen_a_next.py'), path.join(ws, 'batt_gen_a.py'));
      const after = await engine.run({ tasks: ['7b4c2e91', '63d5af2e'], includeStore: true });
      for (const task of ['7b4c2e91', '63d5af2e']) {
        const stored = after.tasks.find((t) => t.id === task)!.candidates.filter((c) => c.file.includes(`${path.sep}.batt${path.sep}`));
        assert.strictEqual(stored.length, 1, `${task}: ${JSON.stringify(after.tasks.find((t) => t.id === task)!.candidates.map((c) => c.name))}`);
        assert.strictEqual(stored[0].status, 'pass', JSON.stringify(stored[0].pairs));
        assert.ok(stored[0].solved);
      }
      assert.ok(!after.tasks.some((t) => t.candidates.some((c) => c.name === 'batt:45:63d5af2e')), 'the entry itself is gone');
    });
  });

  it('a module call is timed once: its entries share its time, and Time Saved counts it once', async () => {
    const ws = battWorkspace({ 'batt_slow.py': SLOW_MODULE });
    const engine = new Engine({ workspace: ws, timeoutMs: 5000 });
    const hotEngine = new Engine({ workspace: ws, timeoutMs: 5000 });
    try {
      const cold = await engine.run({ tasks: ['a3f1c07e'], battery: true });
      const entries = cold.tasks[0].candidates;
      assert.deepStrictEqual(entries.map((c) => c.name).sort(), ['batt:2:a3f1c07e', 'batt:3:b70e19d4', 'batt:4:c0ffee00', 'batt:5:c0ffee01']);
      const pairs = entries[0].pairs.length;
      let callsMs = 0;
      for (let at = 0; at < pairs; at++) {
        const ms = entries.map((c) => c.pairs[at].ms);
        assert.ok(ms.every((x) => Math.abs(x - ms[0]) < 0.01), `pair ${at}: one call, equal shares: ${ms.join(', ')}`);
        const call = ms.reduce((s, x) => s + x, 0);
        assert.ok(call >= 300, `pair ${at}: the shares add up to the call (${call} ms, which sleeps 300 ms)`);
        assert.ok(ms[0] < 300, `pair ${at}: an entry's share is not the whole call (${ms[0]} ms)`);
        callsMs += call;
      }
      const hot = await hotEngine.run({ tasks: ['a3f1c07e'], battery: true });
      assert.strictEqual(hot.summary.ran, 0);
      assert.strictEqual(hot.cache.validation.hits, entries.length * pairs);
      assert.ok(Math.abs(hot.cache.validation.savedMs - callsMs) < 1, `Time Saved ${hot.cache.validation.savedMs} ms = the calls' ${callsMs} ms`);
      assert.ok(hot.cache.validation.savedMs < entries.length * pairs * 300, 'not the calls times the entries');
    } finally {
      await Promise.all([engine.dispose(), hotEngine.dispose()]);
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  it('a module call for entries the cache does not answer keeps the verdicts it does answer (counted once)', async () => {
    const ws = battWorkspace({ 'batt_slow.py': SLOW_MODULE });
    const engine = new Engine({ workspace: ws, timeoutMs: 5000 });
    try {
      const own = await engine.run({ tasks: ['a3f1c07e'] }); // only the entry from a3f1c07e
      assert.deepStrictEqual(own.tasks[0].candidates.map((c) => c.name), ['batt:2:a3f1c07e']);
      const pairs = own.tasks[0].candidates[0].pairs.length;
      const all = await engine.run({ tasks: ['a3f1c07e'], battery: true }); // three more entries: the module runs again
      assert.ok(cand(all, 'a3f1c07e', 'batt:2:a3f1c07e').pairs.every((p) => p.cached), 'its verdicts are reused');
      assert.deepStrictEqual([all.summary.cached, all.summary.ran], [pairs, 3 * pairs]);
      assert.strictEqual(all.cache.validation.hits, all.summary.cached, 'every hit is a verdict the run used');
    } finally {
      await engine.dispose();
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  it('ties rank numbers in names numerically (batt:5 before batt:1026)', async () => {
    const pad = paddedModule();
    const ws = battWorkspace({ 'batt_big.py': pad.text });
    const engine = new Engine({ workspace: ws, timeoutMs: 5000 });
    try {
      const r = await engine.run({ tasks: ['0d9e3b72'], battery: true });
      const small = cand(r, '0d9e3b72', pad.small);
      const big = cand(r, '0d9e3b72', pad.big);
      assert.deepStrictEqual([small.status, small.demo, small.test, small.length, small.ms], [big.status, big.demo, big.test, big.length, big.ms], 'a tie');
      assert.strictEqual(small.length, 2);
      assert.ok(small.rank < big.rank, `${pad.small} rank ${small.rank}, ${pad.big} rank ${big.rank}`);
    } finally {
      await engine.dispose();
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  describe('the slicer (analyzer over stdio)', () => {
    const an = new Analyzer({ python: PYTHON, script: path.join(REPO, 'src/worker/analyzer/analyze.py'), onLog: () => undefined });
    after(() => an.dispose());

    it('writes each entry as a program of its chain only, which parses and hashes as its plain form', async () => {
      const r = await an.parse('/ws/batt_gen_a.py', fs.readFileSync(path.join(FIX, 'batt_gen_a.py'), 'utf8'));
      const e = r.batt!.candidates.find((c) => c.source === 'd1e84c5a')!;
      assert.strictEqual(e.mutated, true);
      assert.deepStrictEqual(e.program!.split('\n').filter((l) => /^\s+t\d+ = /.test(l) && !/_get_safe_default/.test(l)).map((l) => l.trim()), [
        't8 = objects(I, T, F, T)',
        't12 = sizefilter(t8, TWO)',
        't27 = merge(t12)',
        't30 = fill(I, ZERO, t27)',
      ]);
      assert.match(e.program!, /# - Arg change: ONE -> TWO\n {4}try:\n {8}t12 = sizefilter/);
      assert.deepStrictEqual(e.reads, ['objects', 'T', 'F', 'sizefilter', 'TWO', 'merge', 'fill', 'ZERO']);
      const plain = 'def solve_x(I):\n    x1 = objects(I, T, F, T)\n    x2 = sizefilter(x1, TWO)\n    x3 = merge(x2)\n    O = fill(I, ZERO, x3)\n    return O\n';
      const [h] = await an.canonical([{ key: 'p', source: plain }]);
      assert.strictEqual(e.hashes[0], h.hash);
      const sic = r.batt!.candidates.find((c) => c.source === '63d5af2e')!;
      assert.strictEqual(sic.hashes.length, 1, 'reads S: the (S, I, C) form only');
      assert.ok(sic.program!.startsWith('def solve(S, I, C):\n'));
    });

    it('names why an entry cannot stand alone', async () => {
      const src = 'def batt(task_id, S, I, C, log_path):\n    o = []\n    t1 = identity(task_id)\n    o.append((1, False, "aaaa0000", t1))\n' +
        '    for t2 in (I,):\n        pass\n    o.append((2, False, "bbbb0000", t2))\n    return o, []\n';
      const r = await an.parse('/ws/odd.py', src);
      assert.deepStrictEqual(r.batt!.candidates.map((c) => [c.hashes.length, c.program === undefined, c.error]), [
        [0, true, 'its chain reads task_id, which a standalone solver has no value for'],
        [0, true, 't2 is assigned on line 5 by a statement that is not a tN = f(...) step'],
      ]);
    });

    it('is linear in the module: four times the steps, not sixteen times the time', async () => {
      const module = (solvers: number) => {
        const lines = ['def batt(task_id, S, I, C, log_path):', '    s = []', '    o = []'];
        let t = 0;
        const last: number[] = [];
        for (let round = 0; round < 20; round++) {
          for (let k = 0; k < solvers; k++) {
            t++;
            const arg = round ? `t${last[k]}` : 'I';
            lines.push('    try:', `        t${t} = rot90(${arg})`, '    except (TypeError, ValueError):', '        t' + t + ' = _get_safe_default(rot90)');
            last[k] = t;
            if (round === 19) lines.push(`    o.append((${t}, False, 'task${k}', t${t}))`);
          }
        }
        return [...lines, '    return o, s', ''].join('\n');
      };
      const time = async (n: number) => {
        const text = module(n);
        await an.parse(`/ws/warm${n}.py`, text);
        const t0 = performance.now();
        const r = await an.parse(`/ws/m${n}.py`, text);
        assert.strictEqual(r.batt!.candidates.length, n);
        assert.ok(r.batt!.candidates.every((c) => c.length === 21));
        return performance.now() - t0;
      };
      const small = await time(50); // 1,000 steps
      const big = await time(200); // 4,000 steps
      assert.ok(big < 8 * small + 200, `1,000 steps ${small.toFixed(0)} ms, 4,000 steps ${big.toFixed(0)} ms`);
    });
  });
});
