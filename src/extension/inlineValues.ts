/**
 * Inline values: each traced statement of the solver under the cursor gets an end-of-line decoration with a compact
 * value per pair (`5 obj · 5 obj · 7 obj | 6 obj`; the text is src/server/traceValues.ts). Decorations, not inlay
 * hints: a theme colour per state (values, divergent, a pair raised here), nothing moves the line's text, and they
 * are cleared at the first edit, so values of an older version never show against new lines. A save retraces the
 * solver under the cursor of the saved file; moving the cursor into another solver traces that one (the server's
 * trace cache makes a repeat cheap). `batt.inlineValues` turns the automatic traces off; `Batt: Trace solver`
 * traces on demand either way.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { parseSolverRef } from '../protocol/codeLens';
import { TraceRequest } from '../protocol/lsp';
import type { TraceJson } from '../protocol/trace';
import { traceHints, type HintKind } from '../server/traceValues';
import { solverAt } from './inlineValuesSolver';

export const SETTING = 'inlineValues';

/** One line's hint as shown (for the tests' API). */
export interface ShownHint {
  line: number;
  text: string;
  kind: HintKind;
}

/** What a document shows: the solver traced, the document version the hints belong to, the hints on screen. */
export interface Shown {
  solver: string;
  version: number;
  /** the first edit after the trace cleared the hints; a save (or another solver) traces again */
  stale: boolean;
  hints: ShownHint[];
  trace?: TraceJson;
}

/** The running language client (`explicit`: started for it if need be), undefined when there is none. */
export type ClientGetter = (explicit: boolean) => Promise<LanguageClient | undefined>;

const COLOURS: Record<HintKind, string> = { plain: 'editorInlayHint.foreground', divergent: 'editorWarning.foreground', error: 'editorError.foreground' };

export class InlineValues implements vscode.Disposable {
  private readonly types: Record<HintKind, vscode.TextEditorDecorationType>;
  private readonly shown = new Map<string, Shown>();
  /** the trace in flight per document (a newer one cancels it) */
  private readonly pending = new Map<string, { cts: vscode.CancellationTokenSource; solver: string }>();
  private readonly disposables: vscode.Disposable[] = [];
  private moveTimer?: NodeJS.Timeout;

  constructor(
    private readonly client: ClientGetter,
    private readonly log: { info(m: string): void; error(m: string, e?: unknown): void },
    /** every trace shown; `explicit`: asked for with "Trace solver" (the panel's Trace view opens on it) */
    private readonly onTrace?: (t: TraceJson, explicit: boolean) => void,
  ) {
    const type = (kind: HintKind) =>
      vscode.window.createTextEditorDecorationType({
        after: { color: new vscode.ThemeColor(COLOURS[kind]), margin: '0 0 0 2.5em', fontStyle: 'normal' },
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      });
    this.types = { plain: type('plain'), divergent: type('divergent'), error: type('error') };
    this.disposables.push(
      vscode.window.onDidChangeTextEditorSelection((e) => this.cursorMoved(e.textEditor)),
      vscode.window.onDidChangeActiveTextEditor((e) => e && this.cursorMoved(e)),
      vscode.window.onDidChangeVisibleTextEditors(() => this.repaint()),
      vscode.workspace.onDidSaveTextDocument((d) => this.saved(d)),
      vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length && this.edited(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri.toString())),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(`batt.${SETTING}`) && this.settingChanged()),
    );
  }

  get enabled(): boolean {
    return vscode.workspace.getConfiguration('batt').get<boolean>(SETTING, true) && vscode.workspace.isTrusted;
  }

  /** `batt.traceSolver` ({uri, solver}, else the cursor's solver) and `batt.toggleInlineValues`, registered. */
  commands(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand('batt.traceSolver', (arg?: unknown) => this.traceSolver(arg)),
      vscode.commands.registerCommand('batt.toggleInlineValues', () => this.toggle()),
    ];
  }

  /** What a document shows now (tests). */
  state(uri: vscode.Uri): Shown | undefined {
    return this.shown.get(uri.toString());
  }

  /**
   * "Batt: Trace solver" (the palette, the CodeLens `Trace`): `arg` {uri, solver} (else the solver under the cursor)
   * traced now, its hints shown, errors shown; arguments that name no solver are refused (any extension can call it).
   */
  async traceSolver(raw?: unknown): Promise<TraceJson | undefined> {
    const arg = raw === undefined ? undefined : parseSolverRef(raw);
    if (raw !== undefined && !arg) {
      this.log.error(`batt.traceSolver: ignored arguments that name no solver: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return undefined;
    }
    const editor = vscode.window.activeTextEditor;
    const uri = arg ? vscode.Uri.parse(arg.uri) : editor?.document.uri;
    if (!uri) {
      void vscode.window.showWarningMessage('batt: open a solver file to trace a solver.');
      return undefined;
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    const solver = arg ? arg.solver : editor && editor.document === doc ? solverAt(doc.getText(), editor.selection.active.line) : undefined;
    if (!solver) {
      void vscode.window.showWarningMessage('batt: put the cursor in a solve_* function to trace it.');
      return undefined;
    }
    return this.trace(doc, solver, true);
  }

  /** "Batt: Toggle inline values": flips batt.inlineValues where it is set (the workspace, else the user settings). */
  async toggle(): Promise<void> {
    const c = vscode.workspace.getConfiguration('batt');
    const i = c.inspect<boolean>(SETTING);
    const target = i?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await c.update(SETTING, !c.get<boolean>(SETTING, true), target);
  }

  private cursorMoved(editor: vscode.TextEditor): void {
    if (!this.enabled || editor.document.languageId !== 'python' || editor.document.uri.scheme !== 'file') return;
    clearTimeout(this.moveTimer);
    this.moveTimer = setTimeout(() => {
      const doc = editor.document;
      const solver = solverAt(doc.getText(), editor.selection.active.line);
      const uri = doc.uri.toString();
      // a move within the solver shown (or being traced) traces nothing
      if (solver && solver !== this.shown.get(uri)?.solver && solver !== this.pending.get(uri)?.solver) void this.trace(doc, solver, false);
    }, 120);
  }

  /**
   * A save retraces the solver under the cursor: the active editor's if it shows the document, else the first other
   * editor of it with the cursor in a solver (a split, a peek), else the solver shown before.
   */
  private saved(doc: vscode.TextDocument): void {
    if (!this.enabled || doc.languageId !== 'python' || doc.uri.scheme !== 'file') return;
    const active = vscode.window.activeTextEditor;
    const editors = vscode.window.visibleTextEditors.filter((e) => e.document === doc && e !== active);
    if (active?.document === doc) editors.unshift(active);
    const text = doc.getText();
    let solver: string | undefined;
    for (const e of editors) if ((solver = solverAt(text, e.selection.active.line))) break;
    solver ??= this.shown.get(doc.uri.toString())?.solver;
    if (solver) void this.trace(doc, solver, false);
  }

  /** The document changed: its hints belong to an older version, so they go (a save brings fresh ones). */
  private edited(doc: vscode.TextDocument): void {
    const s = this.shown.get(doc.uri.toString());
    if (!s || s.stale) return;
    this.shown.set(doc.uri.toString(), { ...s, stale: true, hints: [] });
    this.paint(doc);
  }

  private forget(uri: string): void {
    this.pending.get(uri)?.cts.cancel();
    this.pending.delete(uri);
    this.shown.delete(uri);
  }

  private settingChanged(): void {
    if (this.enabled) {
      const e = vscode.window.activeTextEditor;
      if (e) {
        this.shown.delete(e.document.uri.toString());
        this.cursorMoved(e);
      }
      return;
    }
    for (const uri of [...this.shown.keys()]) this.forget(uri);
    this.repaint();
  }

  /** Trace `solver` of `doc`; the hints are shown only if the document is still at the version traced. */
  private async trace(doc: vscode.TextDocument, solver: string, explicit: boolean): Promise<TraceJson | undefined> {
    const uri = doc.uri.toString();
    this.pending.get(uri)?.cts.cancel();
    const cts = new vscode.CancellationTokenSource();
    const me = { cts, solver };
    this.pending.set(uri, me);
    const version = doc.version;
    try {
      const client = await this.client(explicit);
      if (!client) return undefined; // no server (yet): nothing to trace with
      const t = await client.sendRequest(TraceRequest.type, { uri, solver }, cts.token);
      if (explicit) this.onTrace?.(t, true);
      if (cts.token.isCancellationRequested || doc.version !== version || doc.isClosed) return explicit ? t : undefined;
      this.show(doc, solver, version, t);
      if (!explicit) this.onTrace?.(t, false);
      return t;
    } catch (e) {
      if (cts.token.isCancellationRequested) return undefined;
      const msg = (e as Error).message;
      this.log.error(`trace of ${solver} failed: ${msg}`);
      // no hints of an older trace stay against this version
      this.shown.set(uri, { solver, version, stale: false, hints: [] });
      this.paint(doc);
      if (explicit) void vscode.window.showErrorMessage(`batt: ${msg}`);
      return undefined;
    } finally {
      if (this.pending.get(uri) === me) this.pending.delete(uri);
      cts.dispose();
    }
  }

  private show(doc: vscode.TextDocument, solver: string, version: number, t: TraceJson): void {
    const hints: ShownHint[] = [];
    const all = traceHints(t);
    for (const h of all) {
      // a line that no longer reads as traced gets nothing
      if (h.line < 1 || h.line > doc.lineCount || doc.lineAt(h.line - 1).text.trim() !== h.source.trim()) continue;
      hints.push({ line: h.line, text: h.text, kind: h.kind });
    }
    if (hints.length < all.length) {
      const off = all.find((h) => !hints.some((x) => x.line === h.line));
      this.log.info(`trace of ${solver} (version ${version}): ${all.length - hints.length} of ${all.length} traced lines do not read as in the document, e.g. line ${off?.line}: ${JSON.stringify(off?.source)}`);
    }
    this.shown.set(doc.uri.toString(), { solver, version, stale: false, hints, trace: t });
    this.paint(doc);
  }

  private repaint(): void {
    for (const e of vscode.window.visibleTextEditors) this.paintEditor(e);
  }

  private paint(doc: vscode.TextDocument): void {
    for (const e of vscode.window.visibleTextEditors) if (e.document === doc) this.paintEditor(e);
  }

  private paintEditor(e: vscode.TextEditor): void {
    const s = this.shown.get(e.document.uri.toString());
    const ok = s && !s.stale && e.document.version === s.version;
    for (const kind of Object.keys(this.types) as HintKind[]) {
      const opts: vscode.DecorationOptions[] = ok
        ? s.hints
            .filter((h) => h.kind === kind)
            .map((h) => {
              const end = e.document.lineAt(h.line - 1).range.end;
              return { range: new vscode.Range(end, end), renderOptions: { after: { contentText: h.text } } };
            })
        : [];
      e.setDecorations(this.types[kind], opts);
    }
  }

  dispose(): void {
    clearTimeout(this.moveTimer);
    for (const p of this.pending.values()) p.cts.cancel();
    for (const d of this.disposables) d.dispose();
    for (const t of Object.values(this.types)) t.dispose();
  }
}
