/// <reference types="vscode-webview" />
/**
 * Entry of the timing panel webview (bundled as a browser IIFE to dist/webview.js). Keeps the last host state,
 * re-renders the whole panel on every change (the tree is small), and restores focus by `data-key` so keyboard
 * users do not lose their place when a pool update arrives.
 */
import type { FromWebview, ToWebview } from '../protocol/webview';
import { mount, replace } from './dom';
import type { Action } from './vdom';
import { applyMessage, renderPanel, restoreState, type ViewState } from './view';
import { renderWorkers } from './workers';

const vscode = acquireVsCodeApi<ViewState>();
let state: ViewState = restoreState(vscode.getState());

function root(): HTMLElement {
  let el = document.getElementById('root');
  if (!el) {
    el = document.createElement('div');
    el.id = 'root';
    document.body.appendChild(el);
  }
  return el;
}

function focusKey(): string | undefined {
  const a = document.activeElement;
  return a instanceof HTMLElement || a instanceof SVGElement ? (a.getAttribute('data-key') ?? undefined) : undefined;
}

/** Re-renders the panel, or only `#workers` for a pool update (they are frequent while a run goes). */
function render(poolOnly = false): void {
  const key = focusKey();
  const workers = document.getElementById('workers');
  if (poolOnly && workers) replace(renderWorkers(state.data?.pool), workers, dispatch);
  else mount(renderPanel(state), root(), dispatch);
  if (key) {
    const again = Array.from(document.querySelectorAll<HTMLElement>('[data-key]')).find((e) => e.getAttribute('data-key') === key);
    again?.focus();
  }
}

function post(msg: FromWebview): void {
  vscode.postMessage(msg);
}

function dispatch(action: Action): void {
  if (action.kind === 'post') {
    post(action.msg);
    return;
  }
  state = { ...state, selected: action.candidate };
  vscode.setState(state);
  render();
}

function isToWebview(v: unknown): v is ToWebview {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as { type?: unknown; history?: unknown; pool?: unknown };
  return (m.type === 'state' && Array.isArray(m.history)) || (m.type === 'pool' && typeof m.pool === 'object' && m.pool !== null);
}

window.addEventListener('message', (ev: MessageEvent<unknown>) => {
  if (!isToWebview(ev.data)) return;
  const hadData = state.data !== undefined;
  state = applyMessage(state, ev.data);
  vscode.setState(state);
  render(ev.data.type === 'pool' && hadData);
});

/** Up/Down/Home/End move between leaderboard rows (Tab also works; Enter/Space select). */
document.addEventListener('keydown', (ev) => {
  const t = ev.target;
  if (!(t instanceof HTMLElement) || t.getAttribute('data-nav') !== 'row') return;
  const rows = Array.from(t.parentElement?.querySelectorAll<HTMLElement>('[data-nav="row"]') ?? []);
  const i = rows.indexOf(t);
  const next = ev.key === 'ArrowDown' ? rows[i + 1] : ev.key === 'ArrowUp' ? rows[i - 1] : ev.key === 'Home' ? rows[0] : ev.key === 'End' ? rows[rows.length - 1] : undefined;
  if (next) {
    ev.preventDefault();
    next.focus();
  }
});

render();
post({ type: 'ready' });
