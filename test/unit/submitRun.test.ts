/**
 * `submit(engine, opts)` end to end with real workers on the hand-made bundle (test/fixtures/submit/): the file equals
 * the golden one byte for byte, the score and oracle gap are the hand-computed ones, both Kaggle spellings load, and
 * without solutions the attempts come from the candidates' unknown-verdict outputs and nothing is scored.
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
});
