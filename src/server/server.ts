/**
 * The batt language server: wiring only. Connects the LSP connection and the open documents to the session (engines
 * and pools), the runs (on save, on task, every task), the diagnostics publisher (`batt` run verdicts, `batt-lint`
 * as you type), the lint scheduler and the code actions on diagnostics. Never imports vscode.
 */
import {
  CodeLensRefreshRequest,
  createConnection,
  InitializeParams,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CancelRunNotification,
  ClearCacheRequest,
  HistoryRequest,
  ListTasksRequest,
  PoolStatusNotification,
  PoolStatusParams,
  ProgressNotification,
  RestartWorkersRequest,
  RunAllRequest,
  RunCandidatesRequest,
  RunResultNotification,
  RunTaskRequest,
  ServerSettings,
  SettingsNotification,
  TraceRequest,
  ContinuousRunNotification,
  TestItemsNotification,
  TestResultsNotification,
} from '../protocol/lsp';
import { DEFAULTS } from '../protocol/settings';
import { CODE_ACTION_KINDS, codeActions } from './codeActions';
import { LensVerdicts, solverLenses } from './codeLens';
import { Coalescer } from './coalescer';
import { HISTORY_KEEP } from './history';
import { LintScheduler } from './lintScheduler';
import { isFile, realPath, toPath } from './paths';
import { DiagnosticsPublisher } from './publisher';
import { Runs } from './runs';
import { Session } from './session';
import { registerWriteSubmission } from './submission';
import { Traces } from './trace';
import { TestFeed } from './testItemsFeed';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
let session: Session;
let runs: Runs;
let testFeed: TestFeed;
/** Does the client send workspace/didChangeWorkspaceFolders (VS Code does)? */
let foldersChange = false;
/** Every solver's newest verdict on its own task, for the CodeLens above it; refreshed after each run (if supported). */
const lensVerdicts = new LensVerdicts();
let lensRefresh = false;
/** Each workspace folder's engine root (its real path) by folder URI. */
const folderRoots = new Map<string, string>();

function addFolders(folders: Array<{ uri: string }>): string[] {
  const added: string[] = [];
  for (const f of folders) {
    const p = toPath(f.uri);
    if (!p) continue;
    const root = realPath(p);
    folderRoots.set(f.uri, root);
    added.push(root);
  }
  return added;
}

function removeFolders(folders: Array<{ uri: string }>): string[] {
  const removed = folders.map((f) => folderRoots.get(f.uri)).filter((r): r is string => !!r);
  for (const f of folders) folderRoots.delete(f.uri);
  return removed;
}

const log = (line: string) => connection.console.log(line);
/** Pool states, coalesced: every pool event is a state, at most ~10 notifications a second go out, the last always. */
const statusOut = new Coalescer<PoolStatusParams>((s) => void connection.sendNotification(PoolStatusNotification.type, s));
const versionOf = (uri: string) => documents.get(uri)?.version;

const publisher = new DiagnosticsPublisher({
  send: (uri, diagnostics) => void connection.sendDiagnostics({ uri, diagnostics }),
  version: versionOf,
  isFile,
});

/** batt/trace and the hover on traced lines (the unsaved documents are the trace's overrides). */
const traces = new Traces({
  engineFor: (file) => session.engineFor(file),
  document: (uri) => documents.get(uri),
  documents: () => documents.all(),
});

const lint = new LintScheduler({
  enabled: () => !!session?.trusted,
  lint: (file, text) => session.lint(file, text),
  version: versionOf,
  publish: (uri, diagnostics) => publisher.setLint(uri, diagnostics),
  log,
});

connection.onInitialize((params: InitializeParams) => {
  const settings: ServerSettings = { ...DEFAULTS, python: '', trusted: false, ...(params.initializationOptions as Partial<ServerSettings> | undefined) };
  foldersChange = !!params.capabilities.workspace?.workspaceFolders;
  lensRefresh = !!params.capabilities.workspace?.codeLens?.refreshSupport;
  session = new Session(addFolders(params.workspaceFolders ?? []), settings, {
    log,
    status: (s) => statusOut.push(s),
    progress: (p) => void connection.sendNotification(ProgressNotification.type, p),
  });
  testFeed = new TestFeed({
    session,
    texts: () => new Map(documents.all().flatMap((d) => (toPath(d.uri) ? [[realPath(toPath(d.uri)!), d.getText()] as const] : []))),
    sendItems: (p) => void connection.sendNotification(TestItemsNotification.type, p),
    sendResults: (p) => void connection.sendNotification(TestResultsNotification.type, p),
    log,
  });
  runs = new Runs({
    session,
    publisher,
    versions: () => new Map(documents.all().map((d) => [d.uri, d.version])),
    sendResult: (p, full) => {
      testFeed.results(p.reason, full);
      void connection.sendNotification(RunResultNotification.type, p);
      if (lensVerdicts.add(p.run, p.reason) && lensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type);
    },
    showError: (m) => void connection.window.showErrorMessage(m),
    log,
  });
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      codeActionProvider: { codeActionKinds: CODE_ACTION_KINDS },
      hoverProvider: true,
      codeLensProvider: { resolveProvider: false },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'batt', version: '0.1.0' },
  };
});

connection.onInitialized(() => {
  statusOut.push(session.status());
  // the Testing view's tree from the analyzer's parse, then the cached verdicts (nothing runs, no worker starts),
  // which find the tasks read and the files parsed (after 2 s at the latest)
  void Promise.race([testFeed.discover(), new Promise((r) => setTimeout(r, 2000))]).then(() => runs.fromCache());
  if (foldersChange) {
    connection.workspace.onDidChangeWorkspaceFolders((e) => {
      const added = addFolders(e.added);
      const removed = removeFolders(e.removed);
      testFeed.forget(removed);
      void session.changeFolders(added, removed).then(() => Promise.all([testFeed.discover(added), runs.fromCache(added)]));
    });
  }
});

connection.onNotification(SettingsNotification.type, (s) => void session.update(s).then((granted) => Promise.all([testFeed.discover(), granted ? runs.fromCache() : undefined])));
connection.onDidChangeWatchedFiles((p) => testFeed.onDisk(p.changes.map((c) => c.uri)));
connection.onNotification(ContinuousRunNotification.type, (p) => (session.continuous = !!p.on));
connection.onNotification(CancelRunNotification.type, (p) => session.cancelRun(p.runId));

documents.onDidOpen((e) => {
  lint.schedule(e.document);
  testFeed.edited(e.document.uri, () => e.document.getText());
});
documents.onDidChangeContent((e) => {
  lint.schedule(e.document);
  testFeed.edited(e.document.uri, () => e.document.getText());
});
documents.onDidClose((e) => {
  lint.cancel(e.document.uri);
  publisher.clearLint(e.document.uri);
});
documents.onDidSave((e) => void runs.onSave(e.document.uri));
documents.onDidOpen((e) => traces.opened(e.document.uri, e.document.version));
documents.onDidSave((e) => traces.saved(e.document.uri, e.document.version));
documents.onDidClose((e) => traces.closed(e.document.uri));

/** A request's cancellation token as an AbortSignal. */
function signalOf(token: { onCancellationRequested(l: () => void): unknown }): AbortSignal {
  const abort = new AbortController();
  token.onCancellationRequested(() => abort.abort());
  return abort.signal;
}

connection.onCodeAction((p) => codeActions(p));
connection.onHover((p) => traces.hover(p));
connection.onRequest(TraceRequest.type, (p, token) => traces.trace(p, signalOf(token)));
connection.onCodeLens((p) => {
  const doc = documents.get(p.textDocument.uri);
  const file = toPath(p.textDocument.uri);
  if (!doc || !file || !session?.trusted) return [];
  const real = realPath(file);
  return solverLenses(doc.uri, doc.getText(), (name) => lensVerdicts.get(real, name));
});
connection.onRequest(ListTasksRequest.type, () => session.listTasks());
connection.onRequest(RunTaskRequest.type, (p, token) => runs.runTask(p.taskId, signalOf(token)));
connection.onRequest(RunAllRequest.type, (token) => runs.runAll(signalOf(token)));
connection.onRequest(RunCandidatesRequest.type, (p, token) => runs.runCandidates(p, signalOf(token)));
connection.onRequest(RestartWorkersRequest.type, () => session.restartWorkers());
connection.onRequest(ClearCacheRequest.type, () => session.clearCache());
registerWriteSubmission(connection, { folders: () => session.folders, engine: (root) => session.engine(root), log });
connection.onRequest(HistoryRequest.type, (p) => session.history(Math.min(Math.max(p?.limit ?? 50, 1), HISTORY_KEEP)));

connection.onShutdown(() => {
  lint.dispose();
  testFeed?.dispose();
  statusOut.dispose();
  return session?.dispose();
});
connection.onExit(() => {
  void session?.dispose();
});

documents.listen(connection);
connection.listen();
