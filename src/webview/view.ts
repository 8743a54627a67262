/** The whole panel as one tree, and the pure state transitions the webview goes through. */
import type { StateMessage, ToWebview } from '../protocol/webview';
import { renderHistory } from './history';
import { renderLeaderboard } from './leaderboard';
import { renderCache, renderPhases } from './phases';
import { h, type VNode } from './vdom';
import { renderWorkers } from './workers';

/** What the webview remembers across hide/show (vscode.setState). */
export interface ViewState {
  data?: StateMessage;
  /** candidate name selected on the leaderboard */
  selected?: string;
}

export const EMPTY_TEXT = 'No run yet. Save a solver file or run “Batt: Run batt on task”.';

/** The state after a host message; a pool update before any full state starts an empty one. */
export function applyMessage(state: ViewState, msg: ToWebview): ViewState {
  if (msg.type === 'state') return { ...state, data: msg };
  const data: StateMessage = state.data ?? { type: 'state', history: [] };
  return { ...state, data: { ...data, pool: msg.pool } };
}

/** Restored state from getState(), or a fresh one when it is missing or not ours. */
export function restoreState(saved: unknown): ViewState {
  if (typeof saved !== 'object' || saved === null) return {};
  const s = saved as { data?: unknown; selected?: unknown };
  const out: ViewState = {};
  if (typeof s.data === 'object' && s.data !== null && (s.data as { type?: unknown }).type === 'state' && Array.isArray((s.data as { history?: unknown }).history)) {
    out.data = s.data as StateMessage;
  }
  if (typeof s.selected === 'string') out.selected = s.selected;
  return out;
}

export function renderPanel(state: ViewState): VNode {
  const d = state.data;
  const sections: Array<VNode | null> = [];
  if (!d || (!d.last && !d.leaderboard)) {
    sections.push(h('section', { id: 'empty', class: 'empty', 'aria-labelledby': 'empty-h' }, h('h2', { id: 'empty-h' }, 'batt'), h('p', {}, EMPTY_TEXT)));
  }
  if (d?.last) sections.push(renderPhases(d.last), renderCache(d.last.run));
  if (d?.leaderboard) sections.push(renderLeaderboard(d.leaderboard, state.selected));
  if (d && d.history.length) sections.push(renderHistory(d.history));
  sections.push(renderWorkers(d?.pool));
  return h('main', { id: 'batt-panel' }, ...sections);
}
