/**
 * The batt language server: runs candidates on save through the engine's worker pool, publishes diagnostics
 * (source `batt` for run verdicts, `batt-lint` for the arc-dsl formatting rules as you type), and answers the
 * extension's `batt/*` requests. Never imports vscode.
 */
import * as fs from 'fs';
import { fileURLToPath, pathToFileURL } from 'url';
import {
  createConnection,
  Diagnostic,
  DiagnosticSeverity,
  InitializeParams,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  ClearCacheRequest,
  HistoryRequest,
  ListTasksRequest,
  PoolStatusNotification,
  ProgressNotification,
  RestartWorkersRequest,
  RunAllRequest,
  RunResultNotification,
  RunResultParams,
  RunTaskRequest,
  ServerSettings,
  SettingsNotification,
} from '../protocol/lsp';
import type { RunJson } from '../protocol/results';
import { DEFAULTS } from '../protocol/settings';
import { runDiagnostics } from './diagnostics';
import { Session } from './session';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
let session: Session;
let settings: ServerSettings = { ...DEFAULTS, python: 'python3', trusted: false };

/** Diagnostics by source, merged per URI on publish; run diagnostics per candidate name (and "input"). */
const runDiags = new Map<string, Map<string, Diagnostic[]>>();
const lintDiags = new Map<string, Diagnostic[]>();
/** Document version at the time each save run started. */
const savedVersion = new Map<string, number>();

function log(line: string): void {
  connection.console.log(line);
}

function publish(uri: string): void {
  const run = [...(runDiags.get(uri)?.values() ?? [])].flat();
  connection.sendDiagnostics({ uri, diagnostics: [...run, ...(lintDiags.get(uri) ?? [])] });
}

function toPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * Publishes a run's diagnostics. A save run covers every candidate of the files it touched, so it replaces their
 * diagnostics; a task run (merge) updates only the candidates it scored on their own task. A document edited since the
 * save that started the run keeps its previous diagnostics: results for an outdated version are never published.
 */
function publishRun(run: RunJson, versions?: Map<string, number>, merge = false, saved?: string): void {
  const byFile = runDiagnostics(run);
  // The saved file always gets fresh run diagnostics, even when it holds no candidate (a fixed syntax error clears).
  if (saved && !byFile.has(saved)) byFile.set(saved, new Map());
  for (const [file, byKey] of byFile) {
    if (!isFile(file)) continue;
    const uri = pathToFileURL(file).toString();
    const doc = documents.get(uri);
    const expected = versions?.get(uri);
    if (doc && expected !== undefined && doc.version !== expected) continue;
    const next = merge ? new Map(runDiags.get(uri) ?? []) : new Map<string, Diagnostic[]>();
    for (const [k, d] of byKey) next.set(k, d);
    runDiags.set(uri, next);
    publish(uri);
  }
}

function sendResult(params: RunResultParams): void {
  void connection.sendNotification(RunResultNotification.type, params);
}

connection.onInitialize((params: InitializeParams) => {
  settings = { ...settings, ...(params.initializationOptions as Partial<ServerSettings> | undefined) };
  const roots = (params.workspaceFolders ?? []).map((f) => toPath(f.uri)).filter((p): p is string => !!p).map((p) => fs.realpathSync(p));
  session = new Session(roots, settings, {
    log,
    status: (s) => void connection.sendNotification(PoolStatusNotification.type, s),
    progress: (runId, reason, done, total) => void connection.sendNotification(ProgressNotification.type, { runId, reason, done, total }),
  });
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      workspace: { workspaceFolders: { supported: true } },
    },
    serverInfo: { name: 'batt', version: '0.1.0' },
  };
});

connection.onInitialized(() => {
  void connection.sendNotification(PoolStatusNotification.type, session.status());
});

connection.onNotification(SettingsNotification.type, async (s) => {
  settings = s;
  await session.update(s);
});

/** Lint as you type, debounced per document. */
const lintTimers = new Map<string, NodeJS.Timeout>();
function scheduleLint(doc: TextDocument): void {
  if (!settings.trusted || doc.languageId !== 'python') return;
  clearTimeout(lintTimers.get(doc.uri));
  lintTimers.set(
    doc.uri,
    setTimeout(async () => {
      lintTimers.delete(doc.uri);
      const file = toPath(doc.uri);
      if (!file) return;
      const version = doc.version;
      try {
        const problems = await session.lint(realPath(file), doc.getText());
        if (documents.get(doc.uri)?.version !== version) return;
        lintDiags.set(
          doc.uri,
          problems.map((p) => ({
            severity: p.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
            source: 'batt-lint',
            code: p.code,
            message: p.message,
            range: { start: { line: p.line - 1, character: p.col - 1 }, end: { line: p.line - 1, character: Math.max(p.col, p.endCol - 1) } },
          })),
        );
        publish(doc.uri);
      } catch (e) {
        log(`lint failed for ${file}: ${(e as Error).message}`);
      }
    }, 150),
  );
}

function realPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

documents.onDidOpen((e) => scheduleLint(e.document));
documents.onDidChangeContent((e) => scheduleLint(e.document));
documents.onDidClose((e) => {
  lintDiags.delete(e.document.uri);
  publish(e.document.uri);
});

documents.onDidSave(async (e) => {
  if (!settings.runOnSave || !settings.trusted) return;
  const file = toPath(e.document.uri);
  if (!file || !/\.py$/.test(file)) return;
  const versions = new Map<string, number>();
  for (const d of documents.all()) versions.set(d.uri, d.version);
  savedVersion.set(e.document.uri, e.document.version);
  try {
    const real = realPath(file);
    const run = await session.runOnSave(real);
    if (!run) return; // superseded by a newer save
    lastShownError = undefined;
    publishRun(run, versions, false, real);
    sendResult({ reason: 'save', run });
  } catch (err) {
    const msg = (err as Error).message;
    log(`run on save failed: ${msg}`);
    // Shown once (e.g. "no tasks found"); the status bar keeps showing it, the log has every occurrence.
    if (msg !== lastShownError) void connection.window.showErrorMessage(`batt: ${msg}`);
    lastShownError = msg;
  }
});

let lastShownError: string | undefined;

connection.onRequest(ListTasksRequest.type, () => session.listTasks());

connection.onRequest(RunTaskRequest.type, async (p, token) => {
  const tasks = await session.listTasks();
  const t = tasks.find((x) => x.id === p.taskId);
  if (!t) throw new Error(`task ${p.taskId} not found`);
  const abort = new AbortController();
  token.onCancellationRequested(() => abort.abort());
  const r = await session.runTask(t.root, p.taskId, abort.signal);
  if (!r) return null;
  publishRun(r.run, undefined, true);
  const params: RunResultParams = { reason: 'task', taskId: p.taskId, run: r.run, task: r.task };
  sendResult(params);
  return params;
});

connection.onRequest(RunAllRequest.type, async (token) => {
  const out: RunJson[] = [];
  for (const root of session.folders) {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    const run = await session.runAll(root, abort.signal);
    if (run) {
      publishRun(run);
      sendResult({ reason: 'manual', run });
      out.push(run);
    }
  }
  return out.length;
});

connection.onRequest(RestartWorkersRequest.type, () => session.restartWorkers());
connection.onRequest(ClearCacheRequest.type, () => session.clearCache());
connection.onRequest(HistoryRequest.type, (p) => session.history(Math.min(Math.max(p?.limit ?? 50, 1), 500)));

connection.onShutdown(() => session?.dispose());
connection.onExit(() => {
  void session?.dispose();
});

documents.listen(connection);
connection.listen();
