/**
 * Sortable, filterable, paged tables (the leaderboard and the per-task table): the pure row pipeline and the header,
 * filter bar and pager controls. A table's view state (TableView) lives in the webview state, under a prefix
 * ('lb', 'tt') that names its 'ui' actions: `<prefix>.sort`, `<prefix>.status`, `<prefix>.text`, `<prefix>.page`.
 */
import { button, h, withAction, type VNode } from './vdom';

/** Rows per page: 400 candidates or tasks stay fast to render and to read. */
export const PAGE_SIZE = 50;

export interface TableView {
  /** column key; absent = the table's default order */
  sort?: string;
  desc?: boolean;
  /** status filter value; absent or 'all' = every row */
  status?: string;
  /** name filter (case-insensitive substring) */
  text?: string;
  /** 0-based */
  page?: number;
}

export interface Column<T> {
  key: string;
  label: string;
  num?: boolean;
  compare(a: T, b: T): number;
}

export interface Page<T> {
  rows: T[];
  /** rows after filtering, before paging */
  matched: number;
  page: number;
  pages: number;
}

/** Filter (status, then text), sort (stable: ties keep the given order), then cut the page (clamped to the last). */
export function viewRows<T>(
  all: T[],
  columns: Array<Column<T>>,
  view: TableView,
  statusOf: (row: T) => string[],
  textOf: (row: T) => string,
): Page<T> {
  const status = view.status && view.status !== 'all' ? view.status : undefined;
  const needle = (view.text ?? '').trim().toLowerCase();
  let rows = all.filter((r) => (!status || statusOf(r).includes(status)) && (!needle || textOf(r).toLowerCase().includes(needle)));
  const col = columns.find((c) => c.key === view.sort);
  if (col) {
    const sign = view.desc ? -1 : 1;
    rows = rows.map((r, i) => ({ r, i })).sort((a, b) => sign * col.compare(a.r, b.r) || a.i - b.i).map((x) => x.r);
  }
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const page = Math.min(Math.max(0, view.page ?? 0), pages - 1);
  return { rows: rows.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE), matched: rows.length, page, pages };
}

/** The next view after a 'ui' action of this table (`what` is sort, status, text or page). */
export function updateView(view: TableView, what: string, value: string): TableView {
  switch (what) {
    case 'sort':
      return { ...view, sort: value, desc: view.sort === value ? !view.desc : false, page: 0 };
    case 'status':
      return { ...view, status: value, page: 0 };
    case 'text':
      return { ...view, text: value, page: 0 };
    case 'page':
      return { ...view, page: Math.max(0, Number.parseInt(value, 10) || 0) };
    default:
      return view;
  }
}

/** A header cell whose button sorts by its column; aria-sort says the current order. */
export function sortHeader<T>(prefix: string, col: Column<T>, view: TableView): VNode {
  const sorted = view.sort === col.key;
  const dir = sorted ? (view.desc ? 'descending' : 'ascending') : 'none';
  const arrow = sorted ? (view.desc ? ' ▼' : ' ▲') : '';
  return h(
    'th',
    { scope: 'col', class: col.num ? 'num' : undefined, 'aria-sort': dir },
    button(col.label + arrow, { kind: 'ui', key: `${prefix}.sort`, value: col.key }, { class: 'sort', 'data-key': `${prefix}.sort:${col.key}`, title: `Sort by ${col.label}` }),
  );
}

/** Status select and name box, and how many rows match. */
export function filterBar(prefix: string, label: string, statuses: Array<[value: string, text: string]>, view: TableView, matched: number, total: number): VNode {
  const current = view.status ?? 'all';
  const select = withAction(
    h('select', { 'aria-label': `Filter ${label} by status`, 'data-key': `${prefix}.status`, tabindex: 0 }, ...statuses.map(([v, t]) => h('option', { value: v, selected: v === current }, t))),
    { kind: 'ui', key: `${prefix}.status`, value: '' },
  );
  const input = withAction(
    h('input', { type: 'search', placeholder: `Filter ${label} by name`, 'aria-label': `Filter ${label} by name`, value: view.text ?? '', 'data-key': `${prefix}.text`, tabindex: 0 }),
    { kind: 'ui', key: `${prefix}.text`, value: '' },
  );
  return h('div', { class: 'filters', role: 'search' }, select, input, h('span', { class: 'muted', 'aria-live': 'polite', 'data-key': `${prefix}.count` }, matched === total ? `${total} ${label}` : `${matched} of ${total} ${label}`));
}

/** Previous / next page and where we are; nothing when one page holds every row. */
export function pager(prefix: string, p: Page<unknown>): VNode | null {
  if (p.pages <= 1) return null;
  const first = p.page * PAGE_SIZE + 1;
  const last = Math.min(p.matched, (p.page + 1) * PAGE_SIZE);
  return h(
    'nav',
    { class: 'pager', 'aria-label': 'Pages' },
    p.page > 0 ? button('‹ Previous', { kind: 'ui', key: `${prefix}.page`, value: String(p.page - 1) }, { 'data-key': `${prefix}.prev` }) : null,
    h('span', {}, `${first}–${last} of ${p.matched} (page ${p.page + 1} of ${p.pages})`),
    p.page < p.pages - 1 ? button('Next ›', { kind: 'ui', key: `${prefix}.page`, value: String(p.page + 1) }, { 'data-key': `${prefix}.next` }) : null,
  );
}

/** Counts of each status value over the rows, as select options ("all" first, then in `order`). */
export function statusOptions<T>(rows: T[], statusOf: (row: T) => string[], order: string[]): Array<[string, string]> {
  const counts = new Map<string, number>();
  for (const r of rows) for (const s of statusOf(r)) counts.set(s, (counts.get(s) ?? 0) + 1);
  const present = order.filter((s) => counts.has(s));
  return [['all', `all (${rows.length})`], ...present.map((s): [string, string] => [s, `${s} (${counts.get(s)})`])];
}
