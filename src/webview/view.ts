/**
 * The whole panel as one tree, and the pure state transitions the webview goes through. The panel is tabs: the
 * leaderboard, the per-task table, and timing (phases, caches, history); the progress of a run goes above them, the
 * workers below. A command's result ("Run batt on task", "Run every task") opens its tab; otherwise the tab, sorts,
 * filters and pages the user chose stay (in the webview state).
 */
import type { RunResultParams } from '../protocol/lsp';
import type { PairFocus, RunProgress, StateMessage, ToWebview } from '../protocol/webview';
import { percent } from './format';
import { renderHistory } from './history';
import { candidateStatuses, LEADERBOARD_COLUMNS, leaderboardTask, ranked, renderLeaderboard } from './leaderboard';
import { isCollapsed, PAIR_VIEW_UI, pairKey, restorePairView, updatePairView, type PairViewState } from './pairView';
import { renderCluster } from './cluster';
import { renderCache, renderPhases } from './phases';
import { updateView, viewRows, type TableView } from './table';
import { renderSubmission } from './submissionView';
import { renderTaskTable } from './taskTable';
import { renderTrace, restoreTraceCell, TRACE_UI, updateTraceCell, type TraceCell } from './traceView';
import { button, h, type VNode } from './vdom';
import { renderWorkers } from './workers';

export const TABS = ['leaderboard', 'tasks', 'timing', 'trace', 'submission'] as const;
export type Tab = (typeof TABS)[number];
const TAB_LABELS: Record<Tab, string> = { leaderboard: 'Leaderboard', tasks: 'Tasks', timing: 'Timing & caches', trace: 'Trace', submission: 'Submission' };

/** What the webview remembers across hide/show (vscode.setState). */
export interface ViewState {
  data?: StateMessage;
  /** candidate name selected on the leaderboard */
  selected?: string;
  /** zoom, "diff only" and expanded pairs of the pair view */
  pairView?: PairViewState;
  /** the tab the user is on; absent = the first one with something to show */
  tab?: Tab;
  /** sort, filters and page of the leaderboard ('lb') and of the per-task table ('tt') */
  lb?: TableView;
  tt?: TableView;
  /** the host's last `show` followed */
  shownSeq?: number;
  /** a pair to scroll into view after the next render (main.ts), then forgotten */
  reveal?: PairFocus;
  /** the Trace tab's cell opened full size */
  traceCell?: TraceCell;
}

export const EMPTY_TEXT = 'No run yet. Save a solver file or run “Batt: Run batt on task”.';
/** The empty state above recorded runs (none of them in this window, and no cached verdict to show). */
export const EMPTY_HISTORY_TEXT = 'No run in this window yet, and no cached verdict: the runs recorded earlier are below. Save a solver file or run “Batt: Run batt on task”.';
/** Under the empty state: where a solver's line-by-line values come from. */
export const TRACE_HINT = 'To see the value each line of a solver takes on every pair, put the cursor in it and run “Batt: Trace solver”.';

/**
 * The state after a host message; a pool or progress update before any full state starts an empty one. A `show`
 * not followed yet opens its tab (a new leaderboard starts on its first page, its best candidate selected).
 */
export function applyMessage(state: ViewState, msg: ToWebview): ViewState {
  if (msg.type === 'state') {
    const next: ViewState = { ...state, data: msg };
    if (msg.show && msg.show.seq !== state.shownSeq) {
      next.tab = msg.show.view;
      next.shownSeq = msg.show.seq;
      if (msg.show.view === 'trace') next.traceCell = undefined;
      if (msg.show.view === 'leaderboard') {
        next.selected = undefined;
        next.lb = { ...state.lb, page: 0 };
        if (msg.show.pair && msg.leaderboard) return focusPair(next, msg.leaderboard, msg.show.pair);
      }
    }
    return next;
  }
  const data: StateMessage = state.data ?? { type: 'state', history: [] };
  if (msg.type === 'progress') return { ...state, data: { ...data, progress: msg.progress } };
  return { ...state, data: { ...data, pool: msg.pool } };
}

/**
 * The leaderboard opened on a pair ("Show pair N in the batt panel"): its candidate selected, on its page (the sort
 * kept, the filters cleared so that it shows), the pair expanded if it is one shown collapsed, and revealed once rendered.
 */
export function focusPair(state: ViewState, lb: RunResultParams, pair: PairFocus): ViewState {
  const task = leaderboardTask(lb);
  const candidates = task ? ranked(task) : [];
  const table: TableView = state.lb?.sort ? { sort: state.lb.sort, desc: state.lb.desc } : {};
  let page = 0;
  for (let p = 0, pages = 1; p < pages; p++) {
    const at = viewRows(candidates, LEADERBOARD_COLUMNS, { ...table, page: p }, candidateStatuses, (c) => c.name);
    pages = at.pages;
    if (at.rows.some((c) => c.name === pair.candidate)) {
      page = p;
      break;
    }
  }
  const shown = candidates.find((c) => c.name === pair.candidate)?.pairs.find((p) => p.kind === pair.kind && p.index === pair.index);
  const key = pairKey(pair.candidate, pair);
  const expand = shown && isCollapsed(shown) && !state.pairView?.expanded.includes(key);
  const pairView = expand ? updatePairView(state.pairView, `toggle:${key}`) : state.pairView;
  return { ...state, selected: pair.candidate, lb: { ...table, page }, pairView, reveal: pair };
}

/** The state after a 'ui' action: `tab`, or `lb.<what>` / `tt.<what>` of a table (table.ts updateView). */
export function applyUi(state: ViewState, key: string, value: string): ViewState {
  if (key === 'tab') return (TABS as readonly string[]).includes(value) ? { ...state, tab: value as Tab } : state;
  if (key === PAIR_VIEW_UI) return { ...state, pairView: updatePairView(state.pairView, value) };
  if (key === TRACE_UI) return { ...state, traceCell: updateTraceCell(state.traceCell, value) };
  const [table, what] = key.split('.');
  if (table === 'lb') return { ...state, lb: updateView(state.lb ?? {}, what, value) };
  if (table === 'tt') return { ...state, tt: updateView(state.tt ?? {}, what, value) };
  return state;
}

function restoreTable(v: unknown): TableView | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const t = v as Record<string, unknown>;
  const out: TableView = {};
  if (typeof t.sort === 'string') out.sort = t.sort;
  if (typeof t.desc === 'boolean') out.desc = t.desc;
  if (typeof t.status === 'string') out.status = t.status;
  if (typeof t.text === 'string') out.text = t.text;
  if (typeof t.page === 'number' && Number.isInteger(t.page) && t.page >= 0) out.page = t.page;
  return out;
}

/** Restored state from getState(), or a fresh one when it is missing or not ours. */
export function restoreState(saved: unknown): ViewState {
  if (typeof saved !== 'object' || saved === null) return {};
  const s = saved as { data?: unknown; selected?: unknown; pairView?: unknown; tab?: unknown; lb?: unknown; tt?: unknown; shownSeq?: unknown; traceCell?: unknown };
  const out: ViewState = {};
  if (typeof s.data === 'object' && s.data !== null && (s.data as { type?: unknown }).type === 'state' && Array.isArray((s.data as { history?: unknown }).history)) {
    out.data = s.data as StateMessage;
  }
  if (typeof s.selected === 'string') out.selected = s.selected;
  const pairView = restorePairView(s.pairView);
  if (pairView) out.pairView = pairView;
  if (typeof s.tab === 'string' && (TABS as readonly string[]).includes(s.tab)) out.tab = s.tab as Tab;
  const lb = restoreTable(s.lb);
  if (lb) out.lb = lb;
  const tt = restoreTable(s.tt);
  if (tt) out.tt = tt;
  if (typeof s.shownSeq === 'number') out.shownSeq = s.shownSeq;
  const traceCell = restoreTraceCell(s.traceCell);
  if (traceCell) out.traceCell = traceCell;
  return out;
}

export function progressText(p: RunProgress): string {
  const what = p.reason === 'task' ? `batt on task ${p.taskId ?? ''}`.trim() : p.reason === 'manual' ? 'every task' : p.reason === 'candidates' ? 'the chosen candidates' : 'the saved file’s candidates';
  return p.total ? `Running ${what}: ${p.done} of ${p.total} jobs (${percent(p.done, p.total, 0)})` : `Running ${what}…`;
}

/** `#progress`: jobs done of total of the run going on. */
export function renderProgress(p: RunProgress): VNode {
  return h(
    'section',
    { id: 'progress', 'aria-labelledby': 'progress-h', 'aria-live': 'polite' },
    h('h2', { id: 'progress-h', class: 'visually-hidden' }, 'Run in progress'),
    h('p', {}, progressText(p)),
    h('progress', { max: Math.max(p.total, 1), value: p.done, 'aria-label': 'jobs done' }),
  );
}

/**
 * The tabs that have something to show, in order; the Trace tab also while it is the `chosen` one beside others (a
 * window reload keeps the tab, not the trace: the tab then says how to get one).
 */
export function availableTabs(d: StateMessage | undefined, chosen?: Tab): Tab[] {
  const out: Tab[] = [];
  if (d?.leaderboard) out.push('leaderboard');
  if (d?.tasks?.length) out.push('tasks');
  if (d?.last || d?.history.length) out.push('timing');
  if (d?.trace || (chosen === 'trace' && out.length)) out.push('trace');
  if (d?.submission) out.push('submission');
  return out;
}

/** The tab shown: the chosen one while it has something to show, else the first that has. */
export function activeTab(state: ViewState): Tab | undefined {
  const tabs = availableTabs(state.data, state.tab);
  return state.tab && tabs.includes(state.tab) ? state.tab : tabs[0];
}

function tabContent(state: ViewState, tab: Tab): Array<VNode | null> {
  const d = state.data!;
  if (tab === 'leaderboard') return [renderLeaderboard(d.leaderboard!, state.selected, { table: state.lb, pairView: state.pairView })];
  if (tab === 'tasks') return [renderTaskTable(d.tasks!, state.tt)];
  if (tab === 'trace') return [renderTrace(d.trace, state.traceCell)];
  if (tab === 'submission') return [renderSubmission(d.submission!)];
  return [d.last ? renderPhases(d.last) : null, d.last ? renderCluster(d.last.run) : null, d.last ? renderCache(d.last.run) : null, d.history.length ? renderHistory(d.history) : null];
}

function tabBar(tabs: Tab[], active: Tab, d: StateMessage): VNode {
  const label = (t: Tab) =>
    t === 'tasks' ? `${TAB_LABELS[t]} (${d.tasks?.length ?? 0})` : t === 'leaderboard' && d.leaderboard?.taskId ? `${TAB_LABELS[t]} — ${d.leaderboard.taskId}` : t === 'trace' && d.trace ? `${TAB_LABELS[t]} — ${d.trace.solver}` : TAB_LABELS[t];
  return h(
    'div',
    { class: 'tabs', role: 'tablist', 'aria-label': 'batt panel' },
    ...tabs.map((t) =>
      button(label(t), { kind: 'ui', key: 'tab', value: t }, { role: 'tab', id: `tab-${t}`, 'aria-selected': t === active ? 'true' : 'false', 'aria-controls': 'tabpanel', class: t === active ? 'tab active' : 'tab', 'data-key': `tab:${t}` }),
    ),
  );
}

export function renderPanel(state: ViewState): VNode {
  const d = state.data;
  const parts: Array<VNode | null> = [];
  if (d?.progress) parts.push(renderProgress(d.progress));
  else if (!d || (!d.last && !d.leaderboard && !d.tasks?.length && !d.trace && !d.submission)) {
    parts.push(h('section', { id: 'empty', class: 'empty', 'aria-labelledby': 'empty-h' }, h('h2', { id: 'empty-h' }, 'batt'), h('p', {}, d?.history.length ? EMPTY_HISTORY_TEXT : EMPTY_TEXT), h('p', { class: 'trace-hint' }, TRACE_HINT)));
  }
  const tabs = availableTabs(d, state.tab);
  const active = activeTab(state);
  if (d && active) {
    if (tabs.length > 1) parts.push(tabBar(tabs, active, d), h('div', { id: 'tabpanel', role: 'tabpanel', 'aria-labelledby': `tab-${active}` }, ...tabContent(state, active)));
    else parts.push(...tabContent(state, active));
  }
  parts.push(renderWorkers(d?.pool));
  return h('main', { id: 'batt-panel' }, ...parts);
}
