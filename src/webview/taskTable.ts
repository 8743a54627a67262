/**
 * `#tasks`: every task with a known result (after "Run every task", and for the workspace as a whole): solved or
 * not, the best candidate, its pairs passed, the best partial credit. Sortable, filterable, paged; a row opens that
 * task's leaderboard (the host shows the known results, or runs the task).
 */
import type { TaskRow } from '../protocol/webview';
import { clock, percent, when } from './format';
import { filterBar, pager, sortHeader, statusOptions, viewRows, type Column, type TableView } from './table';
import { breakable, h, withAction, type VNode } from './vdom';

export function taskStatus(t: TaskRow): string {
  return t.solved ? 'solved' : 'unsolved';
}

function creditText(t: TaskRow): string {
  return t.credit === undefined ? '–' : percent(t.credit, 1, 0);
}

/** The default order: unsolved first, the closest (most credit, then most pairs passed) first among them, then id. */
export function defaultTaskOrder(a: TaskRow, b: TaskRow): number {
  return (
    Number(a.solved) - Number(b.solved) ||
    (b.credit ?? -1) - (a.credit ?? -1) ||
    b.passed / Math.max(1, b.pairs) - a.passed / Math.max(1, a.pairs) ||
    a.id.localeCompare(b.id)
  );
}

export const TASK_COLUMNS: Array<Column<TaskRow>> = [
  { key: 'id', label: 'task', compare: (a, b) => a.id.localeCompare(b.id) },
  { key: 'status', label: 'status', compare: (a, b) => Number(a.solved) - Number(b.solved) },
  { key: 'candidates', label: 'candidates', num: true, compare: (a, b) => a.candidates - b.candidates },
  { key: 'best', label: 'best candidate', compare: (a, b) => (a.best ?? '').localeCompare(b.best ?? '', undefined, { numeric: true }) },
  { key: 'passed', label: 'pairs passed', num: true, compare: (a, b) => a.passed / Math.max(1, a.pairs) - b.passed / Math.max(1, b.pairs) || a.passed - b.passed },
  { key: 'credit', label: 'partial credit', num: true, compare: (a, b) => (a.credit ?? -1) - (b.credit ?? -1) },
  { key: 'at', label: 'run', compare: (a, b) => a.at.localeCompare(b.at) },
];

function row(t: TaskRow): VNode {
  const tr = h(
    'tr',
    { class: `task status-${taskStatus(t)}`, tabindex: 0, 'data-key': `task:${t.id}`, 'data-nav': 'row', title: `Open the leaderboard of ${t.id}` },
    h('td', { class: 'name' }, t.id),
    h('td', {}, taskStatus(t)),
    h('td', { class: 'num' }, t.candidates),
    h('td', { class: 'name' }, t.best ? breakable(t.best) : '–'),
    h('td', { class: 'num' }, `${t.passed}/${t.pairs}`),
    h('td', { class: 'num' }, creditText(t)),
    h('td', { title: when(t.at) }, `${clock(t.at)} ${t.reason === 'manual' ? 'all' : t.reason}`),
  );
  return withAction(tr, { kind: 'post', msg: { type: 'openTask', taskId: t.id } });
}

export function renderTaskTable(tasks: TaskRow[], table: TableView = {}): VNode {
  const ordered = [...tasks].sort(defaultTaskOrder);
  const page = viewRows(ordered, TASK_COLUMNS, table, (t) => [taskStatus(t)], (t) => `${t.id} ${t.best ?? ''}`);
  const solved = tasks.filter((t) => t.solved).length;
  return h(
    'section',
    { id: 'tasks', 'aria-labelledby': 'tasks-h' },
    h('h2', { id: 'tasks-h' }, `Tasks — ${solved} of ${tasks.length} solved`),
    filterBar('tt', 'tasks', statusOptions(ordered, (t) => [taskStatus(t)], ['unsolved', 'solved']), table, page.matched, tasks.length),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'tasks', 'aria-describedby': 'tasks-help' },
        h('caption', {}, 'Each task’s newest result in this session; unsolved first, closest first'),
        h('thead', {}, h('tr', {}, ...TASK_COLUMNS.map((col) => sortHeader('tt', col, table)))),
        h('tbody', {}, ...page.rows.map(row)),
      ),
    ),
    page.matched ? null : h('p', { class: 'muted' }, 'No task matches the filter.'),
    pager('tt', page),
    h('p', { id: 'tasks-help', class: 'muted' }, 'Enter or click a row to open its leaderboard; click a column header to sort.'),
  );
}
