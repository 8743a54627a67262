/**
 * `batt submit --check`'s validation on each kind of broken file (test/fixtures/submit/check/), against the hand-made
 * bundle's challenges: each problem with the file and its JSON place; a valid file (30x30 grids too) has none.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { checkSubmission, problemLine } from '../../src/engine/submit/check';
import { checkSubmissionFile } from '../../src/engine/submit/submit';

const DIR = path.join(__dirname, '..', 'fixtures', 'submit');
const CHALLENGES = path.join(DIR, 'bundle', 'hand_challenges.json');
const EXPECTED = new Map([
  ['aa000001', 2],
  ['bb000002', 1],
  ['cc000003', 1],
  ['dd000004', 1],
  ['ee000005', 1],
]);

function problems(name: string): string[] {
  const text = fs.readFileSync(path.join(DIR, 'check', name), 'utf8');
  return checkSubmission(text, name, EXPECTED).map(problemLine);
}

const BROKEN: Record<string, string[]> = {
  'not-object.json': ['not-object.json: $: expected an object of task id -> list of {"attempt_1", "attempt_2"}, got list'],
  'missing-id.json': ['missing-id.json: $["cc000003"]: task "cc000003" is missing (the challenges have it, with 1 test input)'],
  'extra-id.json': ['extra-id.json: $["zz999999"]: task "zz999999" is not in the challenges'],
  'wrong-count.json': ['wrong-count.json: $["aa000001"]: 1 attempt object, expected 2 (the task has 2 test inputs; one per test input, in order)'],
  'not-a-list.json': ['not-a-list.json: $["bb000002"]: expected a list of 1 {"attempt_1", "attempt_2"} object, got object'],
  'entry-not-object.json': ['entry-not-object.json: $["dd000004"][0]: expected an object with "attempt_1" and "attempt_2", got list'],
  'missing-key.json': ['missing-key.json: $["aa000001"][1]: "attempt_2" is missing (both attempts are required)'],
  'bad-colour.json': ['bad-colour.json: $["aa000001"][0].attempt_2[3][1]: 12 is not a colour 0-9'],
  'ragged.json': ['ragged.json: $["aa000001"][0].attempt_1[1]: the row has 2 cells, row 0 has 3 (a grid is rectangular)'],
  'not-integer.json': ['not-integer.json: $["ee000005"][0].attempt_1[0][0]: "6" is not an integer', 'not-integer.json: $["ee000005"][0].attempt_2[0][0]: 1.5 is not an integer'],
  'empty-grid.json': ['empty-grid.json: $["cc000003"][0].attempt_1: the grid is empty (at least 1x1)', 'empty-grid.json: $["cc000003"][0].attempt_2: expected a grid (a list of rows), got null'],
  'too-big.json': ['too-big.json: $["cc000003"][0].attempt_1[0]: the row has 31 cells (at most 30)', 'too-big.json: $["cc000003"][0].attempt_2: the grid has 31 rows (at most 30)'],
};

describe('batt submit --check: validation', () => {
  for (const [name, lines] of Object.entries(BROKEN)) {
    it(`finds what is wrong in ${name}, at its JSON place`, () => {
      assert.deepStrictEqual(problems(name), lines);
    });
  }

  it('finds a file that is not JSON, at its line and column', () => {
    const [line, ...more] = problems('not-json.json');
    assert.match(line, /^not-json\.json:3:1: invalid JSON: \S/); // the reason is V8's
    assert.deepStrictEqual(more, []);
  });

  it('finds nothing wrong in a valid file, ARC-AGI-2-sized 30x30 grids included', () => {
    assert.deepStrictEqual(problems('valid.json'), []);
    assert.deepStrictEqual(problems('big-30x30.json'), []);
  });

  it('checks a file against a challenges file on disk and scores it when the solutions are beside it', async () => {
    const ok = await checkSubmissionFile(path.join(DIR, 'check', 'valid.json'), CHALLENGES);
    assert.deepStrictEqual([ok.problems, ok.tasks, ok.testInputs], [[], 5, 6]);
    assert.deepStrictEqual(ok.score, { right: 3, total: 6, score: 0.5, tasksRight: 2, tasks: 5, unknown: 0 });
    const bad = await checkSubmissionFile(path.join(DIR, 'check', 'bad-colour.json'), CHALLENGES);
    assert.strictEqual(bad.problems.length, 1);
    assert.strictEqual(bad.score, undefined);
  });

  it('shortens an absurdly long extra task id in its place', () => {
    const long = 'x'.repeat(5000);
    const [p] = checkSubmission(JSON.stringify({ [long]: [] }), 's.json', new Map());
    assert.ok(p.place!.length < 80, p.place);
  });
});
