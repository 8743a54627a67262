/**
 * The engine's cache-only mode (RunOptions.cacheOnly), what the language server reports when a workspace opens: on a
 * copy of the samples, after one real run, a fresh engine reports the same verdicts from the cache alone, starts no
 * worker and writes no run record; a candidate edited since is left out, never given a verdict that did not run.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Engine } from '../../src/engine/engine';
import { readRunLog } from '../../src/engine/store/runLog';
import type { RunJson } from '../../src/protocol/results';
import '../cacheHome';

const SAMPLES = path.join(__dirname, '..', '..', 'samples');

function copySamples(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-cacheonly-'));
  fs.cpSync(SAMPLES, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.batt`) && !src.includes('__pycache__') });
  // no 2 s timeouts: slow_solvers.py never returns
  fs.rmSync(path.join(dir, 'slow_solvers.py'));
  return fs.realpathSync(dir);
}

/** task -> candidate -> pair statuses */
function verdicts(r: RunJson): Record<string, Record<string, string>> {
  return Object.fromEntries(r.tasks.map((t) => [t.id, Object.fromEntries(t.candidates.map((c) => [c.name, `${c.status} ${c.pairs.map((p) => p.status).join(',')}`]))]));
}

describe('engine: cache-only runs', function () {
  this.timeout(120000);
  let ws: string;
  let warm: RunJson;
  const engines: Engine[] = [];
  const engine = () => {
    const e = new Engine({ workspace: ws, workers: 2, eagerPool: true });
    engines.push(e);
    return e;
  };

  before(async () => {
    ws = copySamples();
    warm = await engine().run();
  });
  after(async () => {
    await Promise.all(engines.map((e) => e.dispose()));
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('a fresh engine reports every verdict from the cache, starts no worker, records no run', async () => {
    const records = (await readRunLog(ws, 50)).length;
    const e = engine();
    const r = await e.run({ cacheOnly: true });
    assert.deepStrictEqual(verdicts(r), verdicts(warm));
    assert.strictEqual(r.temperature, 'hot');
    assert.deepStrictEqual([r.summary.ran, r.summary.cancelled, r.summary.cached], [0, 0, warm.summary.ran + warm.summary.cached]);
    assert.strictEqual(r.summary.solved, warm.summary.solved);
    assert.strictEqual(r.pool.started, false, 'no pool');
    assert.strictEqual(e.poolStatus(), undefined, 'no worker (eagerPool notwithstanding)');
    assert.strictEqual((await readRunLog(ws, 50)).length, records, 'nothing appended to runs.jsonl');
  });

  it('a candidate edited since the run is left out; nothing else changes', async () => {
    const file = path.join(ws, 'solvers.py');
    const text = fs.readFileSync(file, 'utf8');
    // a new step changes the canonical form (and no other candidate has it): no cached verdict for solve_0d9e3b72
    const edited = text.replace('def solve_0d9e3b72(I):\n    O = upscale(I, TWO)', 'def solve_0d9e3b72(I):\n    x1 = rot180(rot180(I))\n    O = upscale(x1, TWO)');
    assert.notStrictEqual(edited, text);
    fs.writeFileSync(file, edited);
    try {
      const e = engine();
      const r = await e.run({ cacheOnly: true });
      const t = r.tasks.find((x) => x.id === '0d9e3b72');
      const before = warm.tasks.find((x) => x.id === '0d9e3b72')!;
      assert.ok(before.candidates.some((c) => c.name === 'solve_0d9e3b72'));
      assert.ok(!t?.candidates.some((c) => c.name === 'solve_0d9e3b72'), 'the edited candidate has no verdict');
      const others = (x: RunJson) => Object.fromEntries(Object.entries(verdicts(x)).map(([id, v]) => [id, Object.fromEntries(Object.entries(v).filter(([n]) => n !== 'solve_0d9e3b72'))]));
      assert.deepStrictEqual(others(r), others(warm));
      assert.strictEqual(r.summary.ran, 0);
      assert.strictEqual(e.poolStatus(), undefined);
    } finally {
      fs.writeFileSync(file, text);
    }
  });
});
