/**
 * The timing panel at scale (issue 11 §3), rendered in plain Node: a 400-candidate leaderboard paged, filtered by
 * status and name, sorted by any column with aria-sort, the selected candidate's pairs right under its row; the
 * per-task table; tabs and what the panel opens on; the progress line; history charts one per scope.
 */
import * as assert from 'assert';
import type { RunRecord, RunResultParams } from '../../src/protocol/lsp';
import type { CandidateJson, RunJson } from '../../src/protocol/results';
import { parseFromWebview, type StateMessage, type TaskRow } from '../../src/protocol/webview';
import { historyBars, historySeries, renderHistory } from '../../src/webview/history';
import { renderLeaderboard } from '../../src/webview/leaderboard';
import { PAGE_SIZE, updateView, viewRows, type Column } from '../../src/webview/table';
import { renderTaskTable } from '../../src/webview/taskTable';
import { findAll, hasClass, textOf, type VNode } from '../../src/webview/vdom';
import { activeTab, applyMessage, applyUi, EMPTY_TEXT, renderPanel, restoreState, type ViewState } from '../../src/webview/view';

const STATUSES = ['fail', 'error', 'timeout', 'skipped'] as const;

/** 400 candidates: every 40th solves, the rest cycle through the failing statuses; rank = position. */
function candidates(n = 400): CandidateJson[] {
  return Array.from({ length: n }, (_, i) => {
    const solved = i % 40 === 0;
    return {
      name: `solve_${String(i).padStart(3, '0')}`,
      file: `/ws/gen/s${i % 7}.py`,
      line: i + 1,
      hash: `h${i}`,
      status: solved ? 'pass' : STATUSES[i % 4],
      solved,
      demo: { passed: solved ? 3 : i % 3, total: 3 },
      test: { passed: solved ? 1 : 0, total: 1, unknown: 0 },
      ms: (i * 37) % 101,
      length: 3,
      rank: i + 1,
      pairs: [{ kind: 'demo', index: 0, status: solved ? 'pass' : 'fail', ms: 1 }],
    } satisfies CandidateJson;
  });
}

function board(n = 400): RunResultParams {
  const run = {
    startedAt: '2026-01-01T00:00:00.000Z',
    summary: { tasks: 1, solved: 1, candidates: n, jobs: n, ran: n, cached: 0, skipped: 0, cancelled: 0, wallMs: 1000 },
    tasks: [{ id: 't1', file: '/ws/t1.json', solved: true, demoPairs: 3, testPairs: 1, candidates: candidates(n).reverse() }],
    temperature: 'cold',
    phases: [{ name: 'score', ms: 900 }],
    cache: { inline: { hits: 0, misses: 1, entries: 1, savedMs: 0 }, validation: { hits: 0, misses: n, entries: n, savedMs: 0 } },
  } as unknown as RunJson;
  return { reason: 'task', taskId: 't1', run, task: { id: 't1', train: [], test: [] } };
}

function rows(tree: VNode, cls = 'candidate'): VNode[] {
  return findAll(tree, (n) => n.tag === 'tr' && hasClass(n, cls));
}

function names(tree: VNode): string[] {
  return rows(tree).map((r) => textOf(r.children[1]));
}

function taskRows(n: number): TaskRow[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `task${String(i).padStart(3, '0')}`,
    solved: i % 3 === 0,
    candidates: 1 + (i % 5),
    best: `solve_${i}`,
    passed: i % 4,
    pairs: 4,
    credit: i % 3 === 0 ? 1 : (i % 10) / 10,
    at: '2026-01-01T00:00:00.000Z',
    reason: 'manual',
  }));
}

function record(i: number, tasks: number): RunRecord {
  return {
    at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    temperature: 'hot',
    cancelled: false,
    summary: { tasks, solved: 0, candidates: 1, jobs: 1, ran: 0, cached: 1, skipped: 0, cancelled: 0, wallMs: 10 * (i + 1) },
    phases: [],
    cache: { inline: { hits: 0, misses: 0 }, validation: { hits: 1, misses: 0 } },
    pool: { workers: 4, restarts: 0 },
  };
}

describe('panel scale: tables', () => {
  it('the row pipeline filters, sorts stably both ways and pages, clamping a page past the end', () => {
    const cols: Array<Column<number>> = [{ key: 'mod', label: 'mod', compare: (a, b) => (a % 3) - (b % 3) }];
    const all = Array.from({ length: 120 }, (_, i) => i);
    const p = viewRows(all, cols, { sort: 'mod' }, () => [], String);
    assert.deepStrictEqual(p.rows.slice(0, 3), [0, 3, 6], 'ties keep the given order');
    assert.deepStrictEqual([p.matched, p.pages, p.rows.length], [120, 3, PAGE_SIZE]);
    const desc = viewRows(all, cols, { sort: 'mod', desc: true }, () => [], String);
    assert.deepStrictEqual(desc.rows.slice(0, 2), [2, 5]);
    const last = viewRows(all, cols, { page: 99 }, () => [], String);
    assert.deepStrictEqual([last.page, last.rows.length, last.rows[0]], [2, 20, 100]);
    const text = viewRows(all, cols, { text: ' 11 ', status: 'all' }, () => [], String);
    assert.deepStrictEqual(text.rows, [11, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119]);
    assert.deepStrictEqual(viewRows(all, cols, { status: 'even' }, (x) => (x % 2 ? [] : ['even']), String).matched, 60);
    // a second click on the same column turns the order; a new filter goes back to the first page
    const v1 = updateView({ page: 2 }, 'sort', 'ms');
    assert.deepStrictEqual(v1, { sort: 'ms', desc: false, page: 0 });
    assert.strictEqual(updateView(v1, 'sort', 'ms').desc, true);
    assert.strictEqual(updateView({ ...v1, page: 3 }, 'text', 'x').page, 0);
    assert.strictEqual(updateView({}, 'page', '-4').page, 0);
  });

  it('400 candidates: 50 rows a page in rank order, a pager, the best one\'s pairs right under its row', () => {
    const tree = renderLeaderboard(board(), undefined);
    assert.strictEqual(rows(tree).length, PAGE_SIZE);
    assert.deepStrictEqual(names(tree).slice(0, 2), ['solve_000', 'solve_001']);
    const body = findAll(tree, (n) => n.tag === 'tbody')[0].children;
    assert.ok(hasClass(body[0], 'candidate') && hasClass(body[1], 'pairs-row'), 'the pairs follow the selected row');
    assert.strictEqual(body[1].children[0].attrs.colspan, '8');
    assert.match(textOf(body[1]), /Pairs of solve_000/);
    assert.match(textOf(findAll(tree, (n) => hasClass(n, 'pager'))[0]), /1–50 of 400 \(page 1 of 8\)/);
    // page 3 with solve_120 selected: its pairs sit under its row, in the middle of the page
    const p3 = renderLeaderboard(board(), 'solve_120', { table: { page: 2 } });
    const b3 = findAll(p3, (n) => n.tag === 'tbody')[0].children;
    const at = b3.findIndex((r) => hasClass(r, 'pairs-row'));
    assert.strictEqual(textOf(b3[at - 1].children[1]), 'solve_120');
    assert.strictEqual(at, 21);
    assert.match(textOf(b3[at]), /Pairs of solve_120/);
  });

  it('status and name filters, and sorting by any column with aria-sort on its header', () => {
    const solved = renderLeaderboard(board(), undefined, { table: { status: 'solved' } });
    assert.deepStrictEqual(names(solved), Array.from({ length: 10 }, (_, k) => `solve_${String(40 * k).padStart(3, '0')}`));
    assert.match(textOf(solved), /10 of 400 candidates/);
    const timeouts = renderLeaderboard(board(), undefined, { table: { status: 'timeout', text: '_01' } });
    assert.deepStrictEqual(names(timeouts), ['solve_010', 'solve_014', 'solve_018']);
    const unsolved = renderLeaderboard(board(), undefined, { table: { status: 'unsolved' } });
    assert.match(textOf(unsolved), /390 of 400 candidates/);
    const options = findAll(solved, (n) => n.tag === 'option').map((o) => [o.attrs.value, textOf(o), 'selected' in o.attrs]);
    assert.deepStrictEqual(options.slice(0, 3), [['all', 'all (400)', false], ['solved', 'solved (10)', true], ['unsolved', 'unsolved (390)', false]]);
    const none = renderLeaderboard(board(), undefined, { table: { text: 'nothing like it' } });
    assert.strictEqual(rows(none).length, 0);
    assert.match(textOf(none), /No candidate matches the filter/);

    const byMs = renderLeaderboard(board(), undefined, { table: { sort: 'ms', desc: true } });
    const ms = rows(byMs).map((r) => Number(textOf(r.children[6])));
    assert.deepStrictEqual(ms, [...ms].sort((a, b) => b - a));
    assert.strictEqual(ms[0], 100);
    const headers = findAll(byMs, (n) => n.tag === 'th');
    assert.deepStrictEqual(headers.map((th) => th.attrs['aria-sort']), ['none', 'none', 'none', 'none', 'none', 'none', 'descending', 'none']);
    const sortButton = findAll(headers[4], (n) => n.tag === 'button')[0];
    assert.deepStrictEqual(sortButton.on, { kind: 'ui', key: 'lb.sort', value: 'demo' });
    const byName = renderLeaderboard(board(), undefined, { table: { sort: 'name', desc: true } });
    assert.strictEqual(names(byName)[0], 'solve_399');
    const byStatus = renderLeaderboard(board(), undefined, { table: { sort: 'status' } });
    assert.deepStrictEqual(rows(byStatus).slice(0, 10).map((r) => textOf(r.children[3])), Array(10).fill('solved'));
  });

  it('per-task table: unsolved first, closest first, sortable, filterable, each row opening its leaderboard', () => {
    const tree = renderTaskTable(taskRows(400));
    const trs = rows(tree, 'task');
    assert.strictEqual(trs.length, PAGE_SIZE);
    assert.match(textOf(tree), /Tasks — 134 of 400 solved/);
    const first = trs.map((r) => r.children.map(textOf));
    assert.deepStrictEqual(first[0].slice(0, 6), ['task019', 'unsolved', '5', 'solve_19', '3/4', '90%']);
    assert.ok(first.every((c) => c[1] === 'unsolved'));
    assert.deepStrictEqual(trs[0].on, { kind: 'post', msg: { type: 'openTask', taskId: 'task019' } });
    assert.strictEqual(trs[0].attrs.tabindex, '0');
    const solved = renderTaskTable(taskRows(400), { status: 'solved', sort: 'id', desc: true });
    assert.deepStrictEqual(rows(solved, 'task').slice(0, 2).map((r) => textOf(r.children[0])), ['task399', 'task396']);
    assert.match(textOf(solved), /134 of 400 tasks/);
    const byName = renderTaskTable(taskRows(400), { text: 'TASK12' });
    assert.deepStrictEqual(rows(byName, 'task').map((r) => textOf(r.children[0])).sort(), ['task120', 'task121', 'task122', 'task123', 'task124', 'task125', 'task126', 'task127', 'task128', 'task129']);
    const byCredit = renderTaskTable(taskRows(12), { sort: 'credit' });
    assert.strictEqual(findAll(byCredit, (n) => n.tag === 'th' && n.attrs['aria-sort'] === 'ascending').length, 1);
    assert.deepStrictEqual(rows(byCredit, 'task').slice(0, 2).map((r) => textOf(r.children[5])), ['0%', '10%']);
    assert.deepStrictEqual(parseFromWebview({ type: 'openTask', taskId: 'task019' }), { type: 'openTask', taskId: 'task019' });
    assert.strictEqual(parseFromWebview({ type: 'openTask', taskId: '../x' }), undefined);
  });
});

describe('panel scale: tabs, progress, history', () => {
  const last: RunResultParams = { reason: 'save', run: board().run };

  it('opens on the leaderboard after "Run batt on task" and on the tasks after "Run every task"; the user\'s tab stays otherwise', () => {
    const data: StateMessage = { type: 'state', history: [], last, leaderboard: board(), tasks: taskRows(3), show: { view: 'leaderboard', seq: 1 } };
    let s: ViewState = applyMessage({ tab: 'timing', selected: 'solve_005', lb: { page: 4, status: 'fail' } }, data);
    assert.strictEqual(activeTab(s), 'leaderboard');
    assert.deepStrictEqual([s.selected, s.lb], [undefined, { page: 0, status: 'fail' }]);
    const tree = renderPanel(s);
    const sections = findAll(tree, (n) => n.tag === 'section').map((n) => n.attrs.id);
    assert.deepStrictEqual(sections, ['leaderboard', 'workers'], 'the leaderboard at the top; timing is its own tab');
    const tabs = findAll(tree, (n) => n.attrs.role === 'tab');
    assert.deepStrictEqual(tabs.map((t) => [textOf(t), t.attrs['aria-selected']]), [['Leaderboard — t1', 'true'], ['Tasks (3)', 'false'], ['Timing & caches', 'false']]);
    s = applyUi(s, 'tab', 'timing');
    assert.deepStrictEqual(findAll(renderPanel(s), (n) => n.tag === 'section').map((n) => n.attrs.id), ['phases', 'cache', 'workers']);
    s = applyMessage(s, { ...data, leaderboard: board(10) });
    assert.strictEqual(activeTab(s), 'timing', 'a state without a new show keeps the tab');
    s = applyMessage(s, { ...data, show: { view: 'tasks', seq: 2 } });
    assert.strictEqual(activeTab(s), 'tasks');
    assert.ok(findAll(renderPanel(s), (n) => n.attrs.id === 'tasks').length === 1);
    // the tab, sorts, filters and the followed show survive a reload; junk does not
    s = applyUi(applyUi(s, 'tt.sort', 'credit'), 'lb.text', 'solve_1');
    const back = restoreState(JSON.parse(JSON.stringify(s)));
    assert.deepStrictEqual([back.tab, back.tt, back.lb, back.shownSeq], ['tasks', { sort: 'credit', desc: false, page: 0 }, { page: 0, status: 'fail', text: 'solve_1' }, 2]);
    assert.deepStrictEqual(restoreState({ tab: 'nope', lb: { page: -1, sort: 3 } }), { lb: {} });
  });

  it('during a run the panel shows jobs done of total, not "No run yet"; the last update replaces it', () => {
    let s = applyMessage({}, { type: 'progress', progress: { reason: 'task', taskId: 't1', done: 120, total: 400 } });
    let tree = renderPanel(s);
    assert.ok(!textOf(tree).includes(EMPTY_TEXT));
    const p = findAll(tree, (n) => n.attrs.id === 'progress')[0];
    assert.match(textOf(p), /Running batt on task t1: 120 of 400 jobs \(30%\)/);
    const bar = findAll(p, (n) => n.tag === 'progress')[0];
    assert.deepStrictEqual([bar.attrs.value, bar.attrs.max], ['120', '400']);
    s = applyMessage(s, { type: 'progress' });
    tree = renderPanel(s);
    assert.strictEqual(findAll(tree, (n) => n.attrs.id === 'progress').length, 0);
    assert.ok(textOf(tree).includes(EMPTY_TEXT));
  });

  it('history: one chart per scope, axes with labels, newest at the left as in the table', () => {
    const history = [record(0, 400), record(1, 1), record(2, 400), record(3, 1), record(4, 1)];
    const series = historySeries(history);
    assert.deepStrictEqual(series.map((x) => [x.scope, x.records.length]), [['1 task', 3], ['400 tasks', 2]]);
    const tree = renderHistory(history);
    const charts = findAll(tree, (n) => hasClass(n, 'history-series'));
    assert.strictEqual(charts.length, 2);
    assert.deepStrictEqual(charts.map((c) => textOf(findAll(c, (n) => n.tag === 'figcaption')[0])), ['1 task: wall time per run', '400 tasks: wall time per run']);
    const labels = findAll(charts[0], (n) => n.tag === 'text').map(textOf);
    assert.deepStrictEqual(labels, ['0.05 s', '0 s', 'newest → older (3 runs)']);
    assert.strictEqual(findAll(charts[0], (n) => n.tag === 'line' && hasClass(n, 'axis')).length, 2);
    // one scale per series: the 1-task runs' slowest bar is full height though the 400-task runs are not on it
    const bars = historyBars(series[0].records);
    assert.strictEqual(bars[2].height, 79);
    assert.ok(bars[2].x < bars[0].x, 'newest left');
    const firstRow = findAll(tree, (n) => n.tag === 'tbody')[0].children[0];
    assert.strictEqual(textOf(firstRow.children[2]), '1', 'the table lists the newest run first too');
  });
});
