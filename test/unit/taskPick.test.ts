/** The "Run batt on task" quick pick items: candidate count and last verdict, unsolved first, filtered by verdict. */
import * as assert from 'assert';
import { nextFilter, taskPickGroups, VERDICT_FILTERS } from '../../src/extension/taskPick';
import type { TaskInfo } from '../../src/protocol/lsp';
import type { TaskRow } from '../../src/protocol/webview';

const TASKS: TaskInfo[] = [
  { id: 'a', file: '/t/a.json', demo: 3, test: 1, last: 'solved' },
  { id: 'b', file: '/t/b.json', demo: 2, test: 1 },
  { id: 'c', file: '/t/c.json', demo: 4, test: 2, last: 'unsolved' },
  { id: 'd', file: '/t/d.json', demo: 2, test: 1, last: 'unsolved' },
];

const ROWS = new Map<string, TaskRow>([
  ['c', { id: 'c', solved: false, candidates: 400, best: 'solve_c', passed: 3, pairs: 6, credit: 0.825, at: '', reason: 'task' }],
  ['a', { id: 'a', solved: true, candidates: 1, best: 'solve_a', passed: 4, pairs: 4, credit: 1, at: '', reason: 'manual' }],
]);

describe('task quick pick', () => {
  it('groups unsolved, not run, solved; each item says its pairs, candidates and last verdict', () => {
    const groups = taskPickGroups(TASKS, ROWS);
    assert.deepStrictEqual(groups.map((g) => [g.verdict, g.items.map((i) => i.id)]), [['unsolved', ['c', 'd']], ['not run', ['b']], ['solved', ['a']]]);
    const [c, d] = groups[0].items;
    assert.deepStrictEqual([c.label, c.description, c.detail], ['c', '4 demo, 2 test · 400 candidates · unsolved', 'last run: unsolved — best solve_c, 3/6 pairs, 83% of cells']);
    assert.deepStrictEqual([d.description, d.detail], ['2 demo, 1 test · unsolved', 'last run: unsolved']);
    assert.deepStrictEqual([groups[1].items[0].description, groups[1].items[0].detail], ['2 demo, 1 test · not run', 'not run yet']);
    assert.deepStrictEqual([groups[2].items[0].description, groups[2].items[0].detail], ['3 demo, 1 test · 1 candidate · solved', 'last run: solved — best solve_a, 4/4 pairs']);
  });

  it('the verdict filter shows one group; the button cycles all → unsolved → not run → solved → all', () => {
    assert.deepStrictEqual(taskPickGroups(TASKS, ROWS, 'solved').map((g) => g.items.map((i) => i.id)), [['a']]);
    assert.deepStrictEqual(taskPickGroups(TASKS, ROWS, 'unsolved').map((g) => g.verdict), ['unsolved']);
    assert.deepStrictEqual(taskPickGroups(TASKS.slice(0, 1), new Map(), 'not run'), []);
    const seen = [VERDICT_FILTERS[0]];
    for (let i = 0; i < 4; i++) seen.push(nextFilter(seen[seen.length - 1]));
    assert.deepStrictEqual(seen, ['all', 'unsolved', 'not run', 'solved', 'all']);
  });
});
