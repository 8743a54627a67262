/** The status bar item: a view of the server's pool status, the workspace's verdicts and the last run (statusView.ts). */
import * as vscode from 'vscode';
import type { PoolStatusParams } from '../protocol/lsp';
import { statusView, type StatusView } from './statusView';

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
