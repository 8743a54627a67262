/**
 * The timing panel host: a WebviewPanel with a strict CSP (nonce, no remote loads), fed the panel state, and every
 * inbound message validated (parseFromWebview) — a malformed one is dropped and logged.
 */
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import type { TraceJson } from '../protocol/trace';
import type { SubmissionResult } from '../protocol/submission';
import { FromWebview, parseFromWebview, ToWebview } from '../protocol/webview';
import * as log from './log';
import type { PanelModel } from './panelModel';

export const VIEW_TYPE = 'batt.timing';

export class Panel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  /** messages received (for tests and the log) */
  received: FromWebview[] = [];
  /** types of the messages posted to the webview, the last 500 (for tests: progress before the leaderboard) */
  posted: Array<ToWebview['type']> = [];
  dropped = 0;
  ready = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly model: PanelModel,
    private readonly onMessage: (m: FromWebview) => void,
  ) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => this.attach(panel),
      }),
    );
  }

  get visible(): boolean {
    return !!this.panel?.visible;
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal(undefined, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'batt', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.options());
    this.attach(panel);
  }

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    panel.webview.options = this.options();
    panel.webview.html = this.html(panel.webview);
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.ready = false;
    }, null, this.disposables);
    panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw), null, this.disposables);
  }

  /** A message from the webview (the real-VS-Code tests hand it ones a click would send): validated, then handled. */
  receive(raw: unknown): void {
    const m = parseFromWebview(raw);
    if (!m) {
      this.dropped++;
      log.error(`timing panel: dropped a malformed message: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    this.received.push(m);
    if (m.type === 'copyGrid') {
      const g = m.grid;
      void vscode.env.clipboard.writeText(JSON.stringify(g)).then(() => vscode.window.setStatusBarMessage(`batt: copied a ${g.length}x${g[0]?.length ?? 0} grid as ARC JSON`, 3000));
    }
    if (m.type === 'ready') {
      this.ready = true;
      this.post(this.model.state());
    }
    this.onMessage(m);
  }

  /** Sends the state (or a pool update) if the panel is open. */
  post(msg: ToWebview): void {
    if (!this.panel || !this.ready) return;
    void this.panel.webview.postMessage(msg);
    this.posted.push(msg.type);
    if (this.posted.length > 500) this.posted.splice(0, this.posted.length - 500);
  }

  refresh(): void {
    this.post(this.model.state());
  }

  /**
   * A trace ("Batt: Trace solver", a `batt/trace` answer) in the Trace tab: the panel opens (or comes forward) on it.
   * `reveal: false` only replaces the trace the panel shows (a retrace after a save), leaving the panel and its tab be.
   */
  showTrace(trace: TraceJson, opts: { reveal?: boolean } = {}): void {
    const reveal = opts.reveal ?? true;
    this.model.setTrace(trace, reveal);
    if (reveal) this.show();
    this.refresh();
  }

  /** A written submission's report in the Submission tab, the panel opened (or brought forward) on it. */
  showSubmission(r: SubmissionResult): void {
    this.model.submission = r;
    this.model.open('submission');
    this.show();
    this.refresh();
  }

  private html(webview: vscode.Webview): string {
    const nonce = crypto.randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js'));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'panel.css'));
    const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css}">
<title>batt</title>
</head>
<body>
<div id="root"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
