/**
 * `#leaderboard` ("Run batt on task": every candidate on one task, ranked): filtered by status and name, sorted by any
 * column, 50 rows a page, and the selected candidate's pairs (`#grid-diff`) in a row right under its own.
 */
import type { RunResultParams } from '../protocol/lsp';
import type { CandidateJson, TaskJson } from '../protocol/results';
import { clock, seconds, when } from './format';
import { renderCandidatePairs, type PairViewState } from './pairView';
import { filterBar, pager, sortHeader, statusOptions, viewRows, type Column, type TableView } from './table';
import { breakable, button, h, withAction, type VNode } from './vdom';

/** The leaderboard's task: the one named by `taskId`, else the only/first one. */
export function leaderboardTask(lb: RunResultParams): TaskJson | undefined {
  return lb.run.tasks.find((t) => t.id === lb.taskId) ?? lb.run.tasks[0];
}

export function ranked(task: TaskJson): CandidateJson[] {
  return [...task.candidates].sort((a, b) => a.rank - b.rank);
}

export function statusText(c: CandidateJson): string {
  if (c.duplicateOf) return 'duplicate';
  if (c.unstable) return 'unstable';
  return c.solved ? 'solved' : c.status;
}

function baseName(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts[parts.length - 1] || file;
}

function byName(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}

/** Statuses in the order the filter lists them. */
const STATUS_ORDER = ['solved', 'unsolved', 'unstable', 'pass', 'fail', 'error', 'timeout', 'crash', 'skipped', 'cancelled', 'duplicate'];

/** What the status filter matches a candidate on: its status text, and "unsolved" for every original that fails. */
export function candidateStatuses(c: CandidateJson): string[] {
  const s = statusText(c);
  return s === 'solved' || s === 'duplicate' ? [s] : [s, 'unsolved'];
}

export const LEADERBOARD_COLUMNS: Array<Column<CandidateJson>> = [
  { key: 'rank', label: '#', num: true, compare: (a, b) => a.rank - b.rank },
  { key: 'name', label: 'candidate', compare: (a, b) => byName(a.name, b.name) },
  { key: 'location', label: 'location', compare: (a, b) => byName(a.file, b.file) || a.line - b.line },
  { key: 'status', label: 'status', compare: (a, b) => STATUS_ORDER.indexOf(statusText(a)) - STATUS_ORDER.indexOf(statusText(b)) },
  { key: 'demo', label: 'demo', num: true, compare: (a, b) => a.demo.passed - b.demo.passed || a.demo.total - b.demo.total },
  { key: 'test', label: 'test', num: true, compare: (a, b) => a.test.passed - b.test.passed || a.test.total - b.test.total },
  { key: 'ms', label: 'ms', num: true, compare: (a, b) => a.ms - b.ms },
  { key: 'dup', label: 'duplicate of', compare: (a, b) => byName(a.duplicateOf ?? '', b.duplicateOf ?? '') },
];

function row(c: CandidateJson, selected: boolean): VNode {
  const testUnknown = c.test.unknown ? ` (+${c.test.unknown} ?)` : '';
  const link = button(`${baseName(c.file)}:${c.line}`, { kind: 'post', msg: { type: 'openLocation', file: c.file, line: c.line } }, {
    class: 'link',
    title: `${c.file}:${c.line}`,
    'data-key': `open:${c.name}`,
  });
  const tr = h(
    'tr',
    {
      class: ['candidate', `status-${c.duplicateOf ? 'duplicate' : c.unstable ? 'unstable' : c.solved ? 'solved' : c.status}`, selected ? 'selected' : ''].join(' ').trim(),
      tabindex: 0,
      'aria-selected': selected ? 'true' : 'false',
      'aria-expanded': selected ? 'true' : 'false',
      'data-key': `row:${c.name}`,
      'data-nav': 'row',
    },
    h('td', { class: 'num' }, c.rank),
    h('td', { class: 'name' }, breakable(c.name)),
    h('td', {}, link),
    h('td', c.unstablePairs ? { title: c.unstablePairs.map((p) => p.message).join('\n') } : {}, statusText(c)),
    h('td', { class: 'num' }, `${c.demo.passed}/${c.demo.total}`),
    h('td', { class: 'num' }, `${c.test.passed}/${c.test.total}${testUnknown}`),
    h('td', { class: 'num' }, c.ms.toFixed(1)),
    h('td', { class: 'dup' }, c.duplicateOf ? breakable(c.duplicateOf) : ''),
  );
  return withAction(tr, { kind: 'select', candidate: c.name });
}

/**
 * The candidate whose pairs show: the selected one when it is on the shown page, else the page's first row (the best
 * ranked one in the default order).
 */
export function shownSelection(page: CandidateJson[], selected: string | undefined): CandidateJson | undefined {
  return page.find((c) => c.name === selected) ?? page[0];
}

/** How the leaderboard shows: its table's sort, filters and page, and the pair view's zoom and toggles. */
export interface LeaderboardView {
  table?: TableView;
  pairView?: PairViewState;
}

export function renderLeaderboard(lb: RunResultParams, selected: string | undefined, view: LeaderboardView = {}): VNode {
  const table = view.table ?? {};
  const task = leaderboardTask(lb);
  const taskId = lb.taskId ?? task?.id;
  const candidates = task ? ranked(task) : [];
  const solved = candidates.filter((c) => c.solved && !c.duplicateOf).length;
  const source = lb.reason === 'cache' ? 'the cache' : `the ${lb.reason === 'manual' ? '“Run every task”' : lb.reason} run`;
  const from = lb.task ? '' : ` (from ${source} at ${clock(lb.run.startedAt)}; Run again for the grids)`;
  const caption = `${task ? task.id : 'no task'}: ${candidates.length} candidates, ${solved} solve it — ${when(lb.run.startedAt)}, ${seconds(lb.run.summary.wallMs)} s${from}`;
  const page = viewRows(candidates, LEADERBOARD_COLUMNS, table, candidateStatuses, (c) => c.name);
  const sel = shownSelection(page.rows, selected);
  const body: VNode[] = [];
  for (const c of page.rows) {
    body.push(row(c, c === sel));
    if (c === sel) body.push(h('tr', { class: 'pairs-row' }, h('td', { colspan: LEADERBOARD_COLUMNS.length }, renderCandidatePairs(lb, c, view.pairView))));
  }
  return h(
    'section',
    { id: 'leaderboard', 'aria-labelledby': 'leaderboard-h' },
    h('h2', { id: 'leaderboard-h' }, `Leaderboard${taskId ? ` — ${taskId}` : ''}`),
    h('div', { class: 'actions' }, taskId ? button('Run again', { kind: 'post', msg: { type: 'runTask', taskId } }, { 'data-key': 'runAgain' }) : null),
    candidates.length ? filterBar('lb', 'candidates', statusOptions(candidates, candidateStatuses, STATUS_ORDER), table, page.matched, candidates.length) : null,
    candidates.length
      ? h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            { class: 'leaderboard', 'aria-describedby': 'leaderboard-help' },
            h('caption', {}, caption),
            h('thead', {}, h('tr', {}, ...LEADERBOARD_COLUMNS.map((col) => sortHeader('lb', col, table)))),
            h('tbody', {}, ...body),
          ),
        )
      : h('p', { class: 'muted' }, 'No candidates ran on this task.'),
    candidates.length && !page.matched ? h('p', { class: 'muted' }, 'No candidate matches the filter.') : null,
    pager('lb', page),
    candidates.length ? h('p', { id: 'leaderboard-help', class: 'muted' }, 'Up/Down or Tab to move between rows, Enter or Space to show their pairs; click a column header to sort.') : null,
  );
}
