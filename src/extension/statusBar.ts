/** The status bar item: a view of the server's pool status and the last run. Model (text) apart from rendering. */
import * as vscode from 'vscode';
import type { PoolStatusParams } from '../protocol/lsp';

export interface StatusView {
  text: string;
  tooltip: string;
  error: boolean;
}

/** Pure: what the item shows for a status. */
export function statusView(s: PoolStatusParams | undefined): StatusView {
  if (!s) return { text: '$(sync~spin) batt: starting', tooltip: 'batt: starting the language server', error: false };
  let head: string;
  switch (s.state) {
    case 'untrusted':
      return { text: '$(shield) batt: untrusted', tooltip: 'batt runs nothing in an untrusted workspace: no solver is imported, no worker is started. Trust the workspace to enable it.', error: false };
    case 'starting':
      head = '$(sync~spin) batt: starting';
      break;
    case 'busy':
      head = `$(sync~spin) batt: busy ${s.busy}/${s.workers}`;
      break;
    case 'error':
      head = '$(error) batt: error';
      break;
    case 'idle': {
      // workers ready out of the pool's size (a killed worker restarting shows as 3/4 for a moment)
      const ready = s.detail.filter((w) => w.state === 'idle' || w.state === 'busy').length || s.workers;
      head = `$(check) batt: idle ${ready}/${s.workers}`;
      break;
    }
    default:
      head = '$(circle-outline) batt: ready';
  }
  const r = s.lastRun;
  const last = r ? ` · solved ${r.solved}/${r.tasks} · ${(r.wallMs / 1000).toFixed(2)} s · cache ${r.hitRate === null ? '–' : `${Math.round(r.hitRate * 100)}%`}` : '';
  const lines = [
    `**batt** — pool ${s.state}${s.python ? ` (Python ${s.python})` : ''}: ${s.workers} workers, ${s.busy} busy, ${s.queued} queued, ${s.restarts} restarts`,
    s.message ? `\n\n${s.message}` : '',
    r ? `\n\nLast run (${r.temperature}): solved ${r.solved} of ${r.tasks} tasks in ${(r.wallMs / 1000).toFixed(3)} s, validation cache hit rate ${r.hitRate === null ? 'n/a' : `${(r.hitRate * 100).toFixed(1)}%`}` : '',
    '\n\n[Show timing](command:batt.showTiming) · [Show log](command:batt.showLog) · [Restart workers](command:batt.restartWorkers)',
  ];
  return { text: head + last, tooltip: lines.join(''), error: s.state === 'error' };
}

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('batt.status', vscode.StatusBarAlignment.Left, 50);
  current: StatusView = statusView(undefined);

  constructor() {
    this.item.name = 'batt';
    this.item.command = 'batt.showTiming';
    this.render(undefined);
    this.item.show();
  }

  show(): void {
    this.item.show();
  }

  hide(): void {
    this.item.hide();
  }

  render(s: PoolStatusParams | undefined): void {
    this.current = statusView(s);
    this.item.text = this.current.text;
    const md = new vscode.MarkdownString(this.current.tooltip);
    md.isTrusted = { enabledCommands: ['batt.showTiming', 'batt.showLog', 'batt.restartWorkers'] };
    this.item.tooltip = md;
    this.item.backgroundColor = this.current.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
