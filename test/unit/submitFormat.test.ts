/**
 * The submission file's text (src/engine/submit/format.ts) against a golden file: the competition's JSON, ids sorted,
 * one task per line, attempts in test order, both keys always; an ARC-AGI-2-sized 30x30 grid and a 1x1 one.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { submissionText } from '../../src/engine/submit/format';
import type { Submission } from '../../src/engine/submit/types';

const GOLDEN = path.join(__dirname, '..', 'fixtures', 'submit', 'format_golden.json');

const big = Array.from({ length: 30 }, (_, r) => Array.from({ length: 30 }, (_, c) => (r * 30 + c) % 10));
const SUB: Submission = {
  'zz000002': [{ attempt_1: [[0]], attempt_2: [[9]] }],
  '007bbfb7': [
    { attempt_1: [[1, 2], [3, 4]], attempt_2: [[4, 3], [2, 1]] },
    { attempt_1: big, attempt_2: [[5]] },
    { attempt_1: [[7, 7, 7]], attempt_2: [[7, 7, 7]] },
  ],
};

describe('batt submit: the file format', () => {
  it('writes the golden text', () => {
    assert.strictEqual(submissionText(SUB), fs.readFileSync(GOLDEN, 'utf8'));
  });

  it('reads back as the same object, ids sorted, with exactly the two attempt keys', () => {
    const back = JSON.parse(submissionText(SUB)) as Submission;
    assert.deepStrictEqual(back, SUB);
    assert.deepStrictEqual(Object.keys(back), ['007bbfb7', 'zz000002']);
    for (const list of Object.values(back)) for (const a of list) assert.deepStrictEqual(Object.keys(a), ['attempt_1', 'attempt_2']);
  });

  it('writes an empty challenges set as an empty object', () => {
    assert.strictEqual(submissionText({}), '{}\n');
  });
});
