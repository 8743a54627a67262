import * as assert from 'assert';
import { explainMismatch } from '../../src/engine/scoring/explain';
import { assembleTasks, selectCandidates } from '../../src/engine/scoring/assemble';
import { scoreOutcome } from '../../src/engine/scoring/verdicts';
import type { Candidate, Grid, PairResult, Task } from '../../src/engine/types';

const x = (expected: Grid, actual: Grid) => {
  const m = explainMismatch(expected, actual);
  assert.ok(m, 'a mismatch is explained');
  return m;
};
const zeros = (h: number, w: number): Grid => Array.from({ length: h }, () => new Array<number>(w).fill(0));
/** a 2x3 grid with no symmetry and six colours */
const G: Grid = [
  [1, 2, 3],
  [4, 5, 6],
];

describe('mismatch explainer', () => {
  describe('wrong shape', () => {
    it('gives the ratio in both dimensions with both sizes', () => {
      const m = x([[1, 2, 3], [4, 5, 6], [7, 8, 9]], zeros(9, 9));
      assert.deepStrictEqual(m, { kind: 'shape', text: 'expected 3x3, got 9x9: actual is 3x the expected in both dimensions', short: '9x9, not 3x3' });
    });
    it('says taller, wider, and the other way round', () => {
      assert.strictEqual(x([[1, 2]], [[0, 0], [0, 0]]).text, 'expected 1x2, got 2x2: actual is 2x taller');
      assert.strictEqual(x([[1, 2]], [[0, 0, 0, 0, 0, 0]]).text, 'expected 1x2, got 1x6: actual is 3x wider');
      assert.strictEqual(x(zeros(4, 3).map((r, i) => r.map(() => i)), [[7, 7, 7]]).text, 'expected 4x3, got 1x3: the expected is 4x taller');
      assert.strictEqual(x(zeros(3, 3).map((r, i) => r.map((_, j) => i * 3 + j)), [[5]]).text, 'expected 3x3, got 1x1: the expected is 3x the actual in both dimensions');
    });
    it('says when the actual has the transposed shape', () => {
      assert.strictEqual(x(G, [[9, 9], [9, 9], [9, 8]]).text, 'expected 2x3, got 3x2: actual is the transposed shape');
    });
    it('gives both sizes and the row and column counts when no ratio fits', () => {
      assert.strictEqual(x(G, zeros(3, 5).map((r) => r.map(() => 7))).text, 'expected 2x3, got 3x5: actual has 1 row more and 2 columns more');
    });
    it('sees a scaling: the expected scaled up, scaled down, the same picture at another scale', () => {
      const up = x([[1, 2], [3, 4]], [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]);
      assert.deepStrictEqual([up.kind, up.text, up.credit], ['shape', 'expected 2x2, got 4x4: actual is 2x the expected in both dimensions — the expected scaled up 2x', undefined]);
      assert.match(x([[1, 1, 2, 2, 2, 2]], [[1, 2, 2]]).text, /^expected 1x6, got 1x3: the expected is 2x wider — scaling the actual up 2x horizontally gives the expected$/);
      const six = [[1, 1, 1, 2, 2, 2], [1, 1, 1, 2, 2, 2], [1, 1, 1, 2, 2, 2], [3, 3, 3, 4, 4, 4], [3, 3, 3, 4, 4, 4], [3, 3, 3, 4, 4, 4]];
      const four = [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]];
      assert.strictEqual(x(four, six).text, 'expected 4x4, got 6x6: actual is 1.5x the expected in both dimensions — the same picture at another scale');
    });
    it('sees a tiling: the expected repeated, or the actual to be repeated', () => {
      const m = x([[1, 2], [3, 4]], [[1, 2, 1, 2], [3, 4, 3, 4]]);
      assert.deepStrictEqual([m.kind, m.text, m.short], ['shape', 'expected 2x2, got 2x4: actual is 2x wider — the expected repeated 2 times side by side', 'repeated 2 times side by side']);
      assert.strictEqual(x([[1, 2, 1, 2], [3, 4, 3, 4], [1, 2, 1, 2], [3, 4, 3, 4]], [[1, 2], [3, 4]]).text, 'expected 4x4, got 2x2: the expected is 2x the actual in both dimensions — the expected is the actual tiled 2x2');
      assert.match(x([[1, 2], [3, 4]], [[1, 2], [3, 4], [1, 2], [3, 4], [1, 2], [3, 4]]).text, /actual is 3x taller — the expected stacked 3 times$/);
    });
  });

  describe('rotations, flips, transpositions (the expected is the actual under it)', () => {
    const cases: Array<[string, Grid, string, string]> = [
      ['flip', [[3, 2, 1], [6, 5, 4]], 'flipped horizontally (left–right)', 'flipped left–right'],
      ['flip', [[4, 5, 6], [1, 2, 3]], 'flipped vertically (top–bottom)', 'flipped top–bottom'],
      ['rotation', [[6, 5, 4], [3, 2, 1]], 'rotated 180°', 'rotated 180°'],
      ['transpose', [[1, 4], [2, 5], [3, 6]], 'transposed (rows become columns)', 'transposed'],
      ['transpose', [[6, 3], [5, 2], [4, 1]], 'flipped along the anti-diagonal', 'anti-transposed'],
      ['rotation', [[3, 6], [2, 5], [1, 4]], 'rotated 90° clockwise', 'rotated 90° cw'],
      ['rotation', [[4, 1], [5, 2], [6, 3]], 'rotated 270° clockwise (90° counter-clockwise)', 'rotated 90° ccw'],
    ];
    for (const [kind, actual, how, short] of cases) {
      it(`${how}`, () => {
        const m = x(G, actual);
        const sizes = actual.length === G.length ? '' : 'expected 2x3, got 3x2: ';
        const right = actual.length === G.length ? `; ${actual.flat().filter((c, i) => c === G.flat()[i]).length} of 6 cells right` : '';
        assert.deepStrictEqual([m.kind, m.text, m.short], [kind, `${sizes}the expected is the actual ${how}${right}`, short]);
      });
    }
    it('on a square grid the shapes agree, so there is a credit', () => {
      const m = x([[1, 2], [3, 4]], [[2, 4], [1, 3]]);
      assert.deepStrictEqual([m.kind, m.short, m.credit], ['rotation', 'rotated 90° cw', 0]);
    });
  });

  describe('colours', () => {
    it('a permutation gives its mapping, expected→actual', () => {
      const m = x([[2, 4, 0], [0, 0, 4]], [[4, 2, 0], [0, 0, 2]]);
      assert.deepStrictEqual(m, { kind: 'permutation', text: 'colours permuted (expected→actual): 2→4, 4→2; 3 of 6 cells right', short: 'colours 2→4, 4→2', credit: 0.5 });
    });
    it('a recolouring that is no permutation: a colour replaced, two colours merged', () => {
      assert.strictEqual(x([[0, 3], [3, 1]], [[0, 5], [5, 1]]).text, 'colours replaced (expected→actual): 3→5; 2 of 4 cells right');
      const merged = x([[0, 3], [3, 1]], [[0, 1], [1, 1]]);
      assert.deepStrictEqual([merged.kind, merged.short, merged.credit], ['recolouring', 'recoloured 3→1', 0.5]);
    });
    it('a blank actual is not a recolouring: it is all one colour', () => {
      const m = x(G, zeros(2, 3));
      assert.strictEqual(m.kind, 'cells');
      assert.match(m.text, /^actual is all 0; 6 of 6 cells differ/);
    });
  });

  describe('translation', () => {
    it('gives (dy, dx) and the fill colour', () => {
      const e = [[0, 0, 0, 0], [0, 5, 6, 0], [0, 0, 0, 0]];
      const a = [[5, 6, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]];
      const m = x(e, a);
      assert.deepStrictEqual(m, {
        kind: 'translation',
        text: 'the expected is the actual moved by (dy, dx) = (1, 1): 1 row down, 1 column right, filled with 0; 8 of 12 cells right',
        short: 'moved (1, 1)',
        credit: 0.667,
      });
      assert.match(x(a, e).text, /moved by \(dy, dx\) = \(-1, -1\): 1 row up, 1 column left, filled with 0/);
      assert.match(x([[5, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 5, 0]]).text, /moved by \(dy, dx\) = \(-1, -1\).*filled with 0/);
      assert.match(x([[3, 3, 3], [3, 3, 7]], [[3, 7, 3], [3, 3, 3]]).text, /moved by \(dy, dx\) = \(1, 1\): 1 row down, 1 column right, filled with 3/);
    });
    it('is no translation when a coloured cell would fall off the grid', () => {
      // the 7 moved out with a shift of (0, 1) is not the fill colour
      const m = x([[0, 5, 6], [0, 0, 0]], [[7, 0, 5], [0, 0, 0]]);
      assert.strictEqual(m.kind, 'cells');
    });
  });

  describe('crop and padding', () => {
    it('the expected is a crop of the actual: where', () => {
      const m = x([[5, 6], [7, 8]], [[0, 0, 0, 0], [0, 5, 6, 0], [0, 7, 8, 0]]);
      assert.deepStrictEqual(m, { kind: 'crop', text: "expected 2x2, got 3x4: the expected is the actual's rows 1–2, columns 1–2 (a crop)", short: 'crop rows 1–2, columns 1–2' });
    });
    it('the expected is the actual padded: with what, on which sides', () => {
      const m = x([[0, 0, 0, 0], [0, 5, 6, 0], [0, 7, 8, 0]], [[5, 6], [7, 8]]);
      assert.deepStrictEqual(m, { kind: 'padding', text: 'expected 3x4, got 2x2: the expected is the actual padded with 0: 1 row above, 1 column left, 1 column right', short: 'padded with 0' });
    });
    it('the actual is a part of the expected with more than padding around it', () => {
      const m = x([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[5, 6], [8, 9]]);
      assert.deepStrictEqual([m.kind, m.text], ['padding', "expected 3x3, got 2x2: the actual is the expected's rows 1–2, columns 1–2; the expected has more around it"]);
    });
    it('a single cell is not called a crop', () => {
      assert.strictEqual(x([[5]], [[0, 5], [0, 0]]).kind, 'shape');
    });
  });

  describe('differing cells', () => {
    it('counts them, lists the first few with expected→actual colours, and gives the credit', () => {
      const e = [[1, 2, 3, 4], [4, 5, 6, 7], [7, 8, 9, 1], [1, 1, 1, 1]];
      const a = [[1, 2, 3, 4], [4, 0, 6, 0], [7, 8, 0, 1], [1, 1, 2, 1]];
      assert.deepStrictEqual(x(e, a), {
        kind: 'cells',
        text: '4 of 16 cells differ, (row,col) expected→actual: (1,1) 5→0, (1,3) 7→0, (2,2) 9→0, and 1 more',
        short: '4 of 16 cells differ',
        credit: 0.75,
      });
    });
  });

  describe('edge cases', () => {
    it('equal grids are never classified', () => {
      assert.strictEqual(explainMismatch(G, G.map((r) => [...r])), undefined);
      assert.strictEqual(explainMismatch([[7]], [[7]]), undefined);
      assert.strictEqual(explainMismatch([[]], [[]]), undefined);
      assert.strictEqual(explainMismatch([], []), undefined);
    });
    it('1x1 grids: a differing cell, not a recolouring', () => {
      assert.deepStrictEqual(x([[1]], [[2]]), { kind: 'cells', text: '1 of 1 cells differ, (row,col) expected→actual: (0,0) 1→2', short: '1 of 1 cells differ', credit: 0 });
      assert.strictEqual(x([[1]], [[1, 1]]).text, 'expected 1x1, got 1x2: actual is 2x wider — the expected scaled up 2x horizontally');
    });
    it('empty rows and empty grids: the sizes, nothing divided by zero', () => {
      assert.deepStrictEqual(x([[]], [[], []]), { kind: 'shape', text: 'expected 1x0, got 2x0', short: '2x0, not 1x0' });
      assert.strictEqual(x([], [[1]]).text, 'expected 0x0, got 1x1');
      assert.strictEqual(x([[3]], [[]]).text, 'expected 1x1, got 1x0');
    });
  });

  describe('in the verdicts', () => {
    it('a mismatch verdict carries the class, and its message is the class\'s text', () => {
      const f = scoreOutcome('demo', 0, { match: false, output: [[2, 1]] }, [[1, 2]], 1);
      assert.deepStrictEqual([f.status, f.message, f.mismatch], ['fail', f.mismatch?.text, explainMismatch([[1, 2]], [[2, 1]])]);
      assert.strictEqual(f.mismatch?.kind, 'flip');
    });
    it('a mismatch cached without a class (stored before the explainer) gets one when the task is assembled', () => {
      const task: Task = { id: 'aaaa0000', source: '/w/tasks/aaaa0000.json', hash: 't', train: [{ input: [[1, 2, 2]], output: [[1, 2, 2]] }], test: [{ input: [[3]], output: [[3]] }] };
      const c: Candidate = { name: 'solve_aaaa0000', file: '/w/solvers.py', line: 1, endLine: 3, kind: 'I', taskId: 'aaaa0000', hash: 'c', length: 1 };
      const old: PairResult = { kind: 'demo', index: 0, status: 'fail', ms: 1, message: '3 of 3 cells differ (first at row 0, column 0)', actual: [[2, 1, 1]], cached: true };
      const pass: PairResult = { kind: 'test', index: 0, status: 'pass', ms: 1, cached: true };
      const [t] = assembleTasks(selectCandidates([task], [c], { battery: false }), new Map([['aaaa0000', new Map([['c', [old, pass]]])]]), '/w');
      const [p0, p1] = t.candidates[0].pairs;
      assert.strictEqual(p0.mismatch?.kind, 'permutation');
      assert.strictEqual(p0.message, 'colours permuted (expected→actual): 1→2, 2→1; 0 of 3 cells right');
      assert.ok(p0.cached);
      assert.deepStrictEqual(p1, pass);
    });
  });
});
