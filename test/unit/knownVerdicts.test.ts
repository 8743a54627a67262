/** The workspace's verdicts merged per task and candidate (src/server/known.ts): what "solved X of Y" counts. */
import * as assert from 'assert';
import type { RunJson } from '../../src/protocol/results';
import { KnownVerdicts } from '../../src/server/known';

/** A run with tasks -> candidates ([file, name, solved]). */
function run(tasks: Record<string, Array<[string, string, boolean]>>): RunJson {
  return {
    tasks: Object.entries(tasks).map(([id, cs]) => ({ id, candidates: cs.map(([file, name, solved]) => ({ file, name, solved })) })),
  } as unknown as RunJson;
}

describe('known verdicts', () => {
  it('a save replaces only its files\' candidates; a candidate gone from the saved file goes', () => {
    const k = new KnownVerdicts();
    k.noteTasks('/w', ['a', 'b', 'c', 'd']);
    k.add('/w', run({ a: [['/w/s.py', 'solve_a', true]], b: [['/w/s.py', 'solve_b', true], ['/w/t.py', 'solve_b_t', false]], c: [['/w/t.py', 'solve_c', false]], d: [] }), 'manual');
    assert.deepStrictEqual(k.state(['/w']), { solved: 2, tasks: 4 });
    // saving t.py: only its candidates ran; the others' verdicts stay
    k.add('/w', run({ a: [], b: [['/w/t.py', 'solve_b_t', false]], c: [['/w/t.py', 'solve_c', true]], d: [] }), 'save', '/w/t.py');
    assert.deepStrictEqual(k.state(['/w']), { solved: 3, tasks: 4 });
    // s.py saved without solve_b: b is no longer solved
    k.add('/w', run({ a: [['/w/s.py', 'solve_a', true]], b: [], c: [], d: [] }), 'save', '/w/s.py');
    assert.deepStrictEqual([k.verdict('/w', 'a'), k.verdict('/w', 'b'), k.verdict('/w', 'c'), k.verdict('/w', 'd')], ['solved', 'unsolved', 'solved', undefined]);
  });

  it('cached verdicts fill only tasks nothing newer is known for; "Run batt on task" replaces the task\'s field', () => {
    const k = new KnownVerdicts();
    assert.strictEqual(k.state(['/w']), undefined, 'nothing known');
    k.add('/w', run({ a: [['/w/s.py', 'solve_a', false]] }), 'save', '/w/s.py');
    k.add('/w', run({ a: [['/w/s.py', 'solve_a', true]], b: [['/w/s.py', 'solve_b', true]] }), 'cache');
    assert.deepStrictEqual([k.verdict('/w', 'a'), k.verdict('/w', 'b')], ['unsolved', 'solved']);
    k.add('/w', run({ a: [['/w/s.py', 'solve_a', false], ['/w/s.py', 'solve_b', true]] }), 'task');
    assert.strictEqual(k.verdict('/w', 'a'), 'solved');
    assert.deepStrictEqual(k.state(['/w']), { solved: 2, tasks: 2 });
    k.forget('/w');
    assert.strictEqual(k.state(['/w']), undefined);
  });
});
