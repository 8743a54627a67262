/**
 * "Try on every task" (a CodeLens action): RunOptions.candidates with battery runs exactly the one chosen candidate on
 * every task of the workspace, with real workers on a copy of the samples; without battery it is that candidate on its
 * own task only.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Engine } from '../../src/engine/engine';
import '../cacheHome';

const SAMPLES = path.join(__dirname, '..', '..', 'samples');

function copySamples(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-lensbattery-'));
  fs.cpSync(SAMPLES, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.batt`) && !src.includes('__pycache__') });
  return fs.realpathSync(dir);
}

describe('engine: one candidate on every task (RunOptions.candidates)', function () {
  this.timeout(120000);
  let ws: string;
  let engine: Engine;
  before(() => {
    ws = copySamples();
    engine = new Engine({ workspace: ws, workers: 2 });
  });
  after(async () => {
    await engine.dispose();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('runs the chosen candidate alone on every task, and finds the task it transfers to', async () => {
    const solvers = path.join(ws, 'solvers.py');
    const run = await engine.run({ battery: true, candidates: [{ file: solvers, name: 'solve_a3f1c07e' }] });
    assert.strictEqual(run.tasks.length, 12);
    for (const t of run.tasks) assert.deepStrictEqual(t.candidates.map((c) => `${path.basename(c.file)}:${c.name}`), ['solvers.py:solve_a3f1c07e'], t.id);
    assert.deepStrictEqual(run.tasks.filter((t) => t.solved).map((t) => t.id).sort(), ['5e2b9d14', 'a3f1c07e']);
  });

  it('without battery, the chosen candidate on its own task only', async () => {
    const solvers = path.join(ws, 'solvers.py');
    const run = await engine.run({ candidates: [{ file: solvers, name: 'solve_b70e19d4' }] });
    const withCandidates = run.tasks.filter((t) => t.candidates.length);
    assert.deepStrictEqual(withCandidates.map((t) => [t.id, t.candidates.map((c) => c.name)]), [['b70e19d4', ['solve_b70e19d4']]]);
  });
});
