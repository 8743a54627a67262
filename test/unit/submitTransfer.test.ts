/**
 * `batt submit --battery` (a real process) writes the same file whether the test outputs are known or not: a transfer
 * candidate wrong on test input 0 still runs on test input 1 (test/fixtures/submit/transfer: solve_hh000008 on
 * gg000007, the only candidate output for its test 1), and the score counts that attempt. Before the fix, with the
 * solutions beside the challenges, its failing test 0 stopped it and test 1 got the fallback (the file differed, the
 * score was 1/3).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { SubmitReport } from '../../src/engine/submit/types';
import '../cacheHome';

const REPO = path.resolve(__dirname, '../..');
const DIR = path.join(REPO, 'test', 'fixtures', 'submit', 'transfer');

function submit(ws: string, challenges: string, out: string): SubmitReport {
  const args = ['submit', '-w', ws, '-t', challenges, '--battery', '--out', out, '--json'];
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(REPO, 'src/cli/main.ts'), ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: path.join(REPO, 'node_modules') },
    timeout: 120000,
  });
  assert.strictEqual(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as SubmitReport;
}

describe('batt submit --battery: test verdicts never decide what runs', function () {
  this.timeout(180000);
  let tmp: string;

  before(() => (tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-submit-transfer-')))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes the same file with and without the solutions, and scores the transfer candidate\'s test 1', () => {
    const ws = path.join(tmp, 'ws');
    fs.mkdirSync(ws);
    fs.copyFileSync(path.join(DIR, 'solvers.py'), path.join(ws, 'solvers.py'));
    const blind = path.join(tmp, 'blind');
    const known = path.join(tmp, 'known');
    for (const d of [blind, known]) {
      fs.mkdirSync(d);
      fs.copyFileSync(path.join(DIR, 'transfer_challenges.json'), path.join(d, 'transfer_challenges.json'));
    }
    fs.copyFileSync(path.join(DIR, 'transfer_solutions.json'), path.join(known, 'transfer_solutions.json'));

    const withoutSolutions = submit(ws, path.join(blind, 'transfer_challenges.json'), path.join(tmp, 'blind.json'));
    const withSolutions = submit(ws, path.join(known, 'transfer_challenges.json'), path.join(tmp, 'known.json'));

    assert.strictEqual(withoutSolutions.score, undefined);
    const text = fs.readFileSync(path.join(tmp, 'known.json'), 'utf8');
    assert.strictEqual(text, fs.readFileSync(path.join(tmp, 'blind.json'), 'utf8'));
    const gg = (JSON.parse(text) as Record<string, Array<{ attempt_1: number[][] }>>).gg000007;
    assert.deepStrictEqual(gg.map((a) => a.attempt_1), [[[3, 2]], [[0, 2], [2, 2]]]);
    const test1 = withSolutions.tests.find((t) => t.task === 'gg000007' && t.index === 1)!;
    assert.deepStrictEqual([test1.attempts[0].kind === 'candidate' && test1.attempts[0].name, test1.right], ['solve_hh000008', [true, false]]);
    assert.deepStrictEqual(withSolutions.score, { right: 2, total: 3, score: 2 / 3, tasksRight: 1, tasks: 2, unknown: 0 });
  });
});
