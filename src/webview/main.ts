/// <reference types="vscode-webview" />
/**
 * Entry of the timing panel webview (bundled as a browser IIFE to dist/webview.js). Keeps the last host state and
 * the user's view state (tab, sorts, filters, pages), re-renders the panel on every change (tables are paged, so the
 * tree stays small), and restores focus by `data-key` so keyboard users do not lose their place.
 */
import type { FromWebview, ToWebview } from '../protocol/webview';
import { followCellHover } from './cellStatus';
import { mount, replace } from './dom';
import { pairKey } from './pairView';
import { drawThumbs } from './traceCanvas';
import { TRACE_UI } from './traceView';
import type { Action } from './vdom';
import { applyMessage, applyUi, renderPanel, renderProgress, restoreState, type ViewState } from './view';
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

type Part = 'all' | 'pool' | 'progress';

/**
 * Re-renders the panel, or only `#workers` for a pool update and only `#progress` for a progress update (both are
 * frequent while a run goes). Focus, and the caret of a text box, come back to the element with the same `data-key`.
 */
function render(part: Part = 'all'): void {
  const key = focusKey();
  const active = document.activeElement;
  const caret = active instanceof HTMLInputElement ? [active.selectionStart, active.selectionEnd] : undefined;
  const workers = document.getElementById('workers');
  const progress = document.getElementById('progress');
  const p = state.data?.progress;
  if (part === 'pool' && workers) replace(renderWorkers(state.data?.pool), workers, dispatch);
  else if (part === 'progress' && progress && p) replace(renderProgress(p), progress, dispatch);
  else {
    mount(renderPanel(state), root(), dispatch);
    drawThumbs(document);
  }
  if (key) {
    const again = Array.from(document.querySelectorAll<HTMLElement>('[data-key]')).find((e) => e.getAttribute('data-key') === key);
    again?.focus();
    if (again instanceof HTMLInputElement && caret) again.setSelectionRange(caret[0], caret[1]);
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
  if (action.kind === 'ui') state = applyUi(state, action.key, action.value);
  else state = { ...state, selected: action.candidate };
  vscode.setState(state);
  render();
  // a Trace cell opened full size under its line: as much of it in view as fits
  if (action.kind === 'ui' && action.key === TRACE_UI) document.getElementById('trace-pair')?.scrollIntoView({ block: 'nearest' });
}

/**
 * After a `show` with a pair: scrolls that pair of the pair view into view, puts the keyboard focus on its candidate's
 * row, and tells the host whether the pair was there.
 */
function reveal(): void {
  const pair = state.reveal;
  if (!pair) return;
  state = { ...state, reveal: undefined };
  vscode.setState(state);
  const byKey = (key: string) => Array.from(document.querySelectorAll<HTMLElement>('[data-key]')).find((e) => e.getAttribute('data-key') === key);
  const el = byKey(`pair:${pairKey(pair.candidate, pair)}`);
  byKey(`row:${pair.candidate}`)?.focus({ preventScroll: true });
  el?.scrollIntoView({ block: 'start' });
  post({ type: 'pairShown', found: !!el, ...pair });
}

function isToWebview(v: unknown): v is ToWebview {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as { type?: unknown; history?: unknown; pool?: unknown; progress?: unknown };
  return (
    (m.type === 'state' && Array.isArray(m.history)) ||
    (m.type === 'pool' && typeof m.pool === 'object' && m.pool !== null) ||
    (m.type === 'progress' && (m.progress === undefined || (typeof m.progress === 'object' && m.progress !== null)))
  );
}

window.addEventListener('message', (ev: MessageEvent<unknown>) => {
  if (!isToWebview(ev.data)) return;
  const hadData = state.data !== undefined;
  state = applyMessage(state, ev.data);
  // progress is transient (the host sends the current one on ready): not worth serialising the state 10 times a second
  if (ev.data.type !== 'progress') vscode.setState(state);
  // a progress update while one shows replaces it; its start or end changes the page around it
  const hadProgress = !!document.getElementById('progress');
  const part: Part = !hadData ? 'all' : ev.data.type === 'pool' ? 'pool' : ev.data.type === 'progress' && hadProgress && ev.data.progress ? 'progress' : 'all';
  render(part);
  reveal();
});

/** Up/Down/Home/End move between table rows (leaderboard, tasks) (Tab also works; Enter/Space select). */
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

followCellHover(document);
render();
post({ type: 'ready' });
