/**
 * samples/explained.py shows a new user every class of the mismatch explainer: the engine, with real Python workers, on
 * a temporary copy of the sample workspace gives each of its solvers the class its comment and samples/README.md name,
 * with the explainer's text as the pair's message, fresh and from the cache alike.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Engine } from '../../src/engine/engine';
import type { MismatchKind, RunJson } from '../../src/protocol/results';
import '../cacheHome';

const SAMPLES = path.join(__dirname, '..', '..', 'samples');

/** explained.py's solvers and the class of their first pair (train[0]), as samples/README.md lists them */
const CLASSES: Record<string, MismatchKind> = {
  solve_a3f1c07e_quarter: 'rotation',
  solve_41c7d8ab_mirrored: 'flip',
  solve_41c7d8ab_transposed: 'transpose',
  solve_7b4c2e91_background: 'permutation',
  solve_7b4c2e91_replace: 'recolouring',
  solve_d1e84c5a_shifted: 'translation',
  solve_e6a05f38_all: 'crop',
  solve_0d9e3b72_trimmed: 'padding',
  solve_c81f4a6b_beside: 'shape',
  solve_63d5af2e_largest: 'cells',
};

function firstPairs(r: RunJson) {
  const out = new Map<string, RunJson['tasks'][0]['candidates'][0]['pairs'][0]>();
  for (const t of r.tasks) for (const c of t.candidates) if (c.name in CLASSES) out.set(c.name, c.pairs[0]);
  return out;
}

describe('the sample workspace shows every mismatch class', function () {
  this.timeout(120000);
  let ws: string;
  let engine: Engine;

  before(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-explained-'));
    fs.cpSync(SAMPLES, ws, { recursive: true, filter: (src) => !src.includes(`${path.sep}.batt`) && !src.includes('__pycache__') });
    ws = fs.realpathSync(ws);
    engine = new Engine({ workspace: ws, timeoutMs: 1000 });
  });
  after(async () => {
    await engine.dispose();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('each explained.py solver fails train[0] with its class, fresh and cached', async () => {
    const tasks = [...new Set(Object.keys(CLASSES).map((n) => n.split('_')[1]))];
    const cold = await engine.run({ tasks });
    const hot = await engine.run({ tasks });
    for (const [run, cached] of [[cold, false], [hot, true]] as const) {
      const pairs = firstPairs(run);
      assert.deepStrictEqual(Object.fromEntries([...pairs].map(([n, p]) => [n, p.mismatch?.kind])), CLASSES);
      for (const [name, p] of pairs) {
        assert.deepStrictEqual([p.status, !!p.cached], ['fail', cached], name);
        assert.strictEqual(p.message, p.mismatch?.text, `${name}: the message is the explainer's text`);
        assert.ok(p.mismatch!.short.length > 0 && p.mismatch!.short.length < p.mismatch!.text.length, name);
      }
    }
  });
});
