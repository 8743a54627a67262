/**
 * `submit(engine, opts)` end to end with real workers on the hand-made bundle (test/fixtures/submit/): the file equals
 * the golden one byte for byte, the score and oracle gap are the hand-computed ones, both Kaggle spellings load, and
 * without solutions the attempts come from the candidates' unknown-verdict outputs and nothing is scored; the stability
 * check ranks an unstable candidate below the stable ones.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Engine } from '../../src/engine/engine';
import { checkSubmission } from '../../src/engine/submit/check';
import { submit } from '../../src/engine/submit/submit';
import type { SubmitReport } from '../../src/engine/submit/types';
import '../cacheHome';

const DIR = path.join(__dirname, '..', 'fixtures', 'submit');
const EXPECTED = new Map([['aa000001', 2], ['bb000002', 1], ['cc000003', 1], ['dd000004', 1], ['ee000005', 1]]);

describe('batt submit: a run on the hand-made bundle', function () {
  this.timeout(120000);
  let tmp: string;
  let ws: string;

  before(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-submit-')));
    ws = path.join(tmp, 'ws');
    fs.cpSync(path.join(DIR, 'workspace'), ws, { recursive: true });
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  async function run(tasksPath: string, out?: string): Promise<SubmitReport> {
    const engine = new Engine({ workspace: ws, tasksPath, workers: 2, timeoutMs: 5000 });
    try {
      return await submit(engine, { out });
    } finally {
      await engine.dispose();
    }
  }

  it('writes the golden file and reports the score and the oracle gap', async () => {
    const out = path.join(tmp, 'submission.json');
    const r = await run(path.join(DIR, 'bundle', 'hand_challenges.json'), out);
    assert.strictEqual(r.out, out);
    const text = fs.readFileSync(out, 'utf8');
    assert.strictEqual(text, fs.readFileSync(path.join(DIR, 'expected_submission.json'), 'utf8'));
    assert.deepStrictEqual(checkSubmission(text, out, EXPECTED), []);
    assert.deepStrictEqual(r.score, { right: 3, total: 6, score: 0.5, tasksRight: 2, tasks: 5, unknown: 0 });
    assert.deepStrictEqual(r.oracleGap, [{ task: 'bb000002', tests: [{ index: 0, candidates: ['solve_bb000002_full'] }] }]);
    assert.deepStrictEqual(
      r.demoFailing.map((d) => `${d.task}[${d.index}].attempt_${d.slot} ${d.name}`),
      ['aa000001[0].attempt_2 solve_aa000001_wrong', 'aa000001[1].attempt_2 solve_aa000001_wrong', 'dd000004[0].attempt_1 solve_dd000004'],
    );
    assert.deepStrictEqual([r.noOutput, r.fallbackSlots], [2, 5]);
  });

  it('reads the hyphenated spelling, and without solutions takes the candidates\' outputs and scores nothing', async () => {
    const bundle = path.join(tmp, 'hyphen');
    fs.mkdirSync(bundle);
    fs.copyFileSync(path.join(DIR, 'bundle', 'hand_challenges.json'), path.join(bundle, 'arc-agi-test-challenges.json'));
    const r = await run(path.join(bundle, 'arc-agi-test-challenges.json'));
    assert.strictEqual(r.score, undefined);
    assert.deepStrictEqual(r.oracleGap, []);
    const golden = JSON.parse(fs.readFileSync(path.join(DIR, 'expected_submission.json'), 'utf8')) as unknown;
    assert.deepStrictEqual(r.submission, golden); // the same attempts: test verdicts never rank
    fs.copyFileSync(path.join(DIR, 'bundle', 'hand_solutions.json'), path.join(bundle, 'arc-agi-test-solutions.json'));
    const scored = await run(bundle);
    assert.strictEqual(scored.score?.right, 3);
  });

  it('runs the stability check: an unstable candidate ranks below the stable one and is named', async () => {
    // (test/fixtures/submit/stable) the unstable candidate is the shorter one: without the check it would be attempt_1
    const stableWs = path.join(tmp, 'stable');
    fs.mkdirSync(stableWs);
    fs.copyFileSync(path.join(DIR, 'stable', 'solvers.py'), path.join(stableWs, 'solvers.py'));
    const engine = new Engine({ workspace: stableWs, tasksPath: path.join(DIR, 'stable', 'tasks'), workers: 2, timeoutMs: 5000 });
    let r: SubmitReport;
    try {
      r = await submit(engine);
    } finally {
      await engine.dispose();
    }
    assert.deepStrictEqual(r.unstable, [{ task: 'ff000006', name: 'solve_ff000006' }]);
    const [first, second] = r.tests[0].attempts;
    assert.deepStrictEqual([first.kind === 'candidate' && first.name, second.kind === 'candidate' && second.name, second.kind === 'candidate' && second.unstable], ['solve_ff000006_sorted', 'solve_ff000006', true]);
    assert.deepStrictEqual(r.submission.ff000006[0].attempt_1, [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]);
    assert.deepStrictEqual(r.score, { right: 1, total: 1, score: 1, tasksRight: 1, tasks: 1, unknown: 0 }); // a task folder has its test outputs
    assert.strictEqual(r.summary.stability?.unstable, 1);
  });
});
