import * as assert from 'assert';
import { aggregate, compareRank, describeError, mismatchFields, scoreOutcome } from '../../src/engine/scoring/verdicts';
import type { PairResult } from '../../src/engine/types';
import { temperatureOf } from '../../src/engine/scoring/assemble';

describe('scoring', () => {
  it('describes a wrong shape', () => {
    const nine = Array.from({ length: 9 }, () => new Array(9).fill(0));
    assert.strictEqual(mismatchFields([[1, 2, 3], [4, 5, 6], [7, 8, 9]], nine).message, 'expected 3x3, got 9x9: actual is 3x the expected in both dimensions');
  });
  it('counts differing cells and names the first', () => {
    assert.strictEqual(mismatchFields([[1, 2], [2, 4]], [[1, 0], [2, 0]]).message, '2 of 4 cells differ, (row,col) expected→actual: (0,1) 2→0, (1,1) 4→0');
  });
  it('scores an outcome: pass, fail, invalid, unknown', () => {
    assert.strictEqual(scoreOutcome('demo', 0, { match: true }, [[1]], 1).status, 'pass');
    const f = scoreOutcome('demo', 1, { match: false, output: [[2]] }, [[1]], 1);
    assert.deepStrictEqual([f.status, f.message, f.actual], ['fail', '1 of 1 cells differ, (row,col) expected→actual: (0,0) 1→2', [[2]]]);
    const e = scoreOutcome('test', 0, { match: false, invalid: 'returned NoneType' }, [[1]], 1);
    assert.deepStrictEqual([e.status, e.message], ['error', 'returned NoneType']);
    assert.strictEqual(scoreOutcome('test', 0, { match: null, output: [[1]] }, null, 1).status, 'unknown');
  });
  it('describes an exception with its DSL function', () => {
    const m = describeError({ type: 'IndexError', message: 'tuple index out of range', dslFunc: 'first', dslFile: '/w/dsl.py', dslLine: 12, traceback: '' }, 2048);
    assert.strictEqual(m, 'IndexError: tuple index out of range (in first, dsl.py:12)');
    assert.match(describeError({ type: 'MemoryError', message: '', traceback: '' }, 512), /memory limit exceeded \(512 MB/);
  });
  it('aggregates: worst verdict, counts, solved needs every demo and test pair', () => {
    const p = (kind: 'demo' | 'test', status: PairResult['status']): PairResult => ({ kind, index: 0, status, ms: 1 });
    const a = aggregate([p('demo', 'pass'), p('demo', 'fail'), p('test', 'timeout')]);
    assert.deepStrictEqual([a.status, a.demo, a.test, a.solved], ['timeout', { passed: 1, total: 2 }, { passed: 0, total: 1, unknown: 0 }, false]);
    assert.strictEqual(aggregate([p('demo', 'pass'), p('test', 'pass')]).solved, true);
    const u = aggregate([p('demo', 'pass'), p('test', 'unknown')]);
    assert.deepStrictEqual([u.status, u.solved, u.test.unknown], ['pass', false, 1]);
  });
  it('ranks by test passed, demo passed, time, length', () => {
    const mk = (name: string, t: number, d: number, ms: number, length: number) => ({
      name,
      length,
      score: { status: 'pass' as const, solved: false, ms, demo: { passed: d, total: 3 }, test: { passed: t, total: 1, unknown: 0 } },
    });
    const sorted = [mk('slow', 1, 3, 50, 3), mk('demoOnly', 0, 3, 1, 1), mk('fast', 1, 3, 5, 9), mk('fastShort', 1, 3, 5, 2), mk('lessDemo', 1, 2, 1, 1)].sort(compareRank);
    assert.deepStrictEqual(sorted.map((x) => x.name), ['fastShort', 'fast', 'slow', 'lessDemo', 'demoOnly']);
  });
});

describe('run temperature', () => {
  it('hot only when every needed verdict came from the cache; a run cancelled before anything ran is not hot', () => {
    assert.strictEqual(temperatureOf({ ran: 0, cancelled: 0 }, 54), 'hot');
    assert.strictEqual(temperatureOf({ ran: 0, cancelled: 22334 }, 13), 'warm', 'cancelled before any job ran, with inline hits');
    assert.strictEqual(temperatureOf({ ran: 0, cancelled: 5 }, 0), 'cold');
    assert.strictEqual(temperatureOf({ ran: 4, cancelled: 0 }, 50), 'warm');
    assert.strictEqual(temperatureOf({ ran: 54, cancelled: 0 }, 0), 'cold');
  });
});
