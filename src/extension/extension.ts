/**
 * batt for VS Code: wiring only. Starts the language server (which owns the engine and the four-worker pool),
 * renders its status, hosts the timing panel and registers the commands.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  CancelRunNotification,
  ClearCacheRequest,
  HistoryRequest,
  ListTasksRequest,
  PoolStatusNotification,
  PoolStatusParams,
  ProgressNotification,
  ProgressParams,
  RestartWorkersRequest,
  RunAllRequest,
  RunResultNotification,
  RunResultParams,
  RunTaskRequest,
  ServerSettings,
  SettingsNotification,
} from '../protocol/lsp';
import { parsePairRef, SHOW_PAIR_COMMAND, type PairRef } from '../protocol/codeActions';
import { CONFIG_FILE, RESTART_SETTINGS, SETTINGS } from '../protocol/settings';
import type { PairFocus } from '../protocol/webview';
import { createClient } from './client';
import { registerLensCommands } from './codeLens';
import { explicitKeys, readSettings } from './config';
import * as log from './log';
import { Panel } from './panel';
import { InlineValues } from './inlineValues';
import { HISTORY_MAX, PanelModel } from './panelModel';
import { atLeast38, choosePython, pythonVersion, reportBadPython } from './python';
import { SaveProgress } from './saveProgress';
import { registerSubmissionCommand } from './submission';
import { StatusBar } from './statusBar';
import { TaskPicker, type TaskQuickPickItem } from './taskQuickPick';
import { BattTesting, SHOW_IN_PANEL_COMMAND } from './testing/controller';

/** What activate returns: a small API the integration tests assert on. */
export interface BattApi {
  status(): PoolStatusParams | undefined;
  statusText(): string;
  model: PanelModel;
  panel: Panel;
  runResults: RunResultParams[];
  ready: Promise<void>;
  /** the "Run batt on task" quick pick while it is open */
  taskPick(): vscode.QuickPick<TaskQuickPickItem> | undefined;
  /** the Testing view's controller, with what it reported */
  testing: BattTesting;
  /** the trace's inline values (issue 12) */
  inlineValues: InlineValues;
}

let client: LanguageClient | undefined;

/** A candidate definition: def solve_<task>[_suffix]( or a batt module's def batt( at the start of a line. */
const CANDIDATE_DEF = /^def (solve_[A-Za-z0-9]+\w*|batt)\s*\(/m;

/** Does the workspace hold a batt.json, or a Python file with a candidate (the first 500 files are looked at)? */
async function workspaceHasCandidates(): Promise<boolean> {
  if (!vscode.workspace.workspaceFolders?.length) return false;
  if ((await vscode.workspace.findFiles(`**/${CONFIG_FILE}`, '**/node_modules/**', 1)).length) return true;
  const braces = (globs: readonly string[]) => `{${globs.join(',')}}`;
  const files = await vscode.workspace.findFiles(braces(SETTINGS.include.default), braces(SETTINGS.exclude.default), 500);
  for (const f of files) {
    try {
      if (CANDIDATE_DEF.test(Buffer.from(await vscode.workspace.fs.readFile(f)).toString('utf8'))) return true;
    } catch {
      /* unreadable: skip */
    }
  }
  return false;
}

export async function activate(context: vscode.ExtensionContext): Promise<BattApi> {
  const statusBar = new StatusBar();
  const model = new PanelModel();
  let lastStatus: PoolStatusParams | undefined;
  const runResults: RunResultParams[] = [];
  const progressListeners = new Set<(p: ProgressParams) => void>();

  const panel = new Panel(context.extensionUri, model, (m) => {
    switch (m.type) {
      case 'openLocation':
        void vscode.window.showTextDocument(vscode.Uri.file(m.file), { selection: new vscode.Range(m.line - 1, 0, m.line - 1, 0), viewColumn: vscode.ViewColumn.One });
        break;
      case 'restartWorkers':
        void vscode.commands.executeCommand('batt.restartWorkers');
        break;
      case 'clearCache':
        void vscode.commands.executeCommand('batt.clearCache');
        break;
      case 'showLog':
        log.logChannel().show(true);
        break;
      case 'runTask':
        void runTask(m.taskId);
        break;
      case 'openTask': {
        // a row of the per-task table: the known results for that task, else run it
        const known = model.knownLeaderboard(m.taskId);
        if (!known) {
          void runTask(m.taskId);
          break;
        }
        model.leaderboard = known;
        model.open('leaderboard');
        panel.refresh();
        break;
      }
      case 'ready':
        void loadHistory();
        break;
      case 'pairShown':
        if (!m.found) void vscode.window.showWarningMessage(`batt: the panel's result for ${model.leaderboard?.taskId ?? 'this task'} has no ${m.kind} pair ${m.index} of ${m.candidate}.`);
        break;
    }
  });
  context.subscriptions.push(statusBar, panel, log.logChannel());
  // the solver under the cursor traced after a save and on a move into it: hints at the ends of its lines
  const inlineValues = new InlineValues(async (explicit) => {
    if (explicit) await ensureStarted();
    else if (starting) await starting;
    return client;
  }, log, (trace, explicit) => {
    // "Trace solver" opens the panel's Trace view on it; a retrace of the solver it shows refreshes it in place
    if (explicit) panel.showTrace(trace);
    else if (model.trace?.solver === trace.solver && model.trace.file === trace.file) panel.showTrace(trace, { reveal: false });
  });
  context.subscriptions.push(inlineValues, ...inlineValues.commands());

  async function serverSettings(): Promise<ServerSettings> {
    const s = { ...readSettings(), explicit: explicitKeys() };
    const trusted = vscode.workspace.isTrusted;
    if (!trusted) return { ...s, python: '', trusted };
    const choice = await choosePython(s.pythonPath, vscode.workspace.workspaceFolders?.[0]?.uri);
    const v = await pythonVersion(choice.path);
    if (v.error || !v.version || !atLeast38(v.version)) {
      void reportBadPython(choice, v.error ?? `found Python ${v.version}`);
      log.error(`Python check failed for ${choice.path}: ${v.error ?? v.version}`);
    } else log.info(`using Python ${v.version} at ${choice.path} (${choice.source})`);
    return { ...s, python: choice.setting, trusted };
  }

  /** The server's run history, once, when the panel first opens (or the server starts under an open panel); each
   *  run's result then brings its records along. */
  let historyLoaded = false;
  async function loadHistory(): Promise<void> {
    if (!client || historyLoaded) return;
    historyLoaded = true;
    try {
      model.loadHistory(await client.sendRequest(HistoryRequest.type, { limit: HISTORY_MAX }));
      panel.refresh();
    } catch (e) {
      historyLoaded = false;
      log.error('cannot read run history', e);
    }
  }

  async function start(): Promise<void> {
    const settings = await serverSettings();
    client = createClient(context, settings);
    testing.attach(client);
    client.onNotification(PoolStatusNotification.type, (s) => {
      lastStatus = s;
      model.pool = s;
      statusBar.render(s);
      panel.post({ type: 'pool', pool: s });
      // an idle pool runs nothing: a run that ended without a result (cancelled) leaves no progress behind
      if (s.state !== 'busy' && s.state !== 'starting' && !s.queued) endProgress();
    });
    client.onNotification(RunResultNotification.type, (r) => {
      runResults.push(r);
      if (runResults.length > 20) runResults.shift();
      // Without actual grids and prints: the leaderboard comes from the "Run batt on task" response, which has them.
      const { record, earlier, ...shown } = r;
      // the cached verdicts shown at start do not replace a run that came first
      if (shown.reason !== 'cache' || !model.last) model.last = shown;
      model.addResult(shown);
      model.addRecords(record ? [...earlier, record] : earlier);
      model.progress = undefined;
      panel.refresh();
    });
    client.onNotification(ProgressNotification.type, (p) => {
      saveProgress.onProgress(p);
      if (p.end) return; // the result, or the pool going idle, ends the panel's progress line
      progressListeners.forEach((l) => l(p));
      model.progress = { reason: p.reason, taskId: p.reason === 'task' ? runningTask : undefined, done: p.done, total: p.total };
      panel.post({ type: 'progress', progress: model.progress });
    });
    await client.start();
    if (!settings.trusted) statusBar.render({ state: 'untrusted', busy: 0, workers: 0, queued: 0, restarts: 0, detail: [] });
    if (panel.ready) await loadHistory();
  }

  /** a save run still going after ~1 s: a notification with Cancel, which cancels that run */
  const saveProgress = new SaveProgress(
    (onCancel) => {
      // (the task may start after this returns: a close before it starts closes it at once)
      let closed = false;
      let close: () => void = () => (closed = true);
      let report: (message: string) => void = () => undefined;
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'batt: running the saved file’s candidates', cancellable: true },
        (progress, token) =>
          new Promise<void>((resolve) => {
            if (closed) return resolve();
            token.onCancellationRequested(onCancel);
            report = (message) => progress.report({ message });
            close = resolve;
          }),
      );
      return { report: (m) => report(m), close: () => close() };
    },
    (runId) => void client?.sendNotification(CancelRunNotification.type, { runId }),
  );
  context.subscriptions.push({ dispose: () => saveProgress.dispose() });

  const testing = new BattTesting();
  context.subscriptions.push(testing, vscode.commands.registerCommand(SHOW_IN_PANEL_COMMAND, (arg: { test?: vscode.TestItem }) => testing.showPair(arg)));

  const picker = new TaskPicker();
  /** the task "Run batt on task" runs now, for the panel's progress line */
  let runningTask: string | undefined;
  function endProgress(): void {
    if (!model.progress) return;
    model.progress = undefined;
    panel.post({ type: 'progress' });
  }

  let starting: Promise<void> | undefined;
  /** Starts the language server once (at activation for an ARC workspace, else on the first solver file or command). */
  function ensureStarted(): Promise<void> {
    statusBar.show();
    starting ??= start();
    return starting;
  }

  /** "Run batt on task" on `taskId` (else the one picked), then the panel's leaderboard (on `focus` when given). */
  async function runTask(taskId?: string, focus?: PairFocus): Promise<void> {
    await ensureStarted();
    if (!client) return;
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('batt runs nothing in an untrusted workspace.');
      return;
    }
    if (!taskId) {
      const tasks = await client.sendRequest(ListTasksRequest.type);
      if (!tasks.length) {
        const pick = await vscode.window.showWarningMessage('batt found no tasks in this workspace.', 'Select Tasks Folder');
        if (pick) await vscode.commands.executeCommand('batt.selectTasksFolder');
        return;
      }
      taskId = await picker.pick(tasks, new Map(model.taskRows().map((r) => [r.id, r])));
      if (!taskId) return;
    }
    const id = taskId;
    runningTask = id;
    // the panel shows the run's progress, then its leaderboard
    panel.show();
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `batt: running the battery on ${id}`, cancellable: true },
      async (progress, token) => {
        let last = 0;
        const listener = (p: ProgressParams) => {
          if (p.reason !== 'task' || !p.total) return;
          progress.report({ message: `${p.done}/${p.total} jobs`, increment: ((p.done - last) / p.total) * 100 });
          last = p.done;
        };
        progressListeners.add(listener);
        try {
          const r = await client!.sendRequest(RunTaskRequest.type, { taskId: id }, token);
          if (r) {
            model.setLeaderboard(r);
            if (focus) model.open('leaderboard', focus);
            panel.show();
            panel.refresh();
          }
        } catch (e) {
          if (!token.isCancellationRequested) {
            log.error(`Run batt on task ${id} failed`, e);
            void vscode.window.showErrorMessage(`batt: ${(e as Error).message}`);
          }
        } finally {
          progressListeners.delete(listener);
          if (runningTask === id) runningTask = undefined;
          endProgress();
        }
      },
    );
  }

  /**
   * "Show pair N in the batt panel" (a code action on a verdict): the pair view needs the task's grids, which only a
   * "Run batt on task" result carries. When the task's newest known result is one, it opens at once; else the task is
   * run (its cached verdicts, actual grids included, make that fast) and the panel opens on its result.
   */
  async function showPair(ref: PairRef): Promise<void> {
    const focus: PairFocus = { candidate: ref.candidate, kind: ref.kind, index: ref.index };
    const known = model.knownLeaderboard(ref.taskId);
    if (!known?.task) return runTask(ref.taskId, focus);
    model.leaderboard = known;
    model.open('leaderboard', focus);
    panel.show();
    panel.refresh();
  }

  context.subscriptions.push(
    ...registerLensCommands({
      client: async () => {
        await ensureStarted();
        return client;
      },
      onProgress: (listener) => {
        progressListeners.add(listener);
        return () => progressListeners.delete(listener);
      },
      showLeaderboard: (taskId, focus) => {
        const known = model.knownLeaderboard(taskId);
        if (!known) return;
        model.leaderboard = known;
        model.open('leaderboard', focus);
        panel.show();
        panel.refresh();
      },
    }),
    registerSubmissionCommand({
      client: async () => {
        await ensureStarted();
        return client;
      },
      state: context.workspaceState,
      showReport: (r) => panel.showSubmission(r),
      keepReport: (r) => {
        model.submission = r;
        panel.refresh();
      },
    }),
    vscode.commands.registerCommand(SHOW_PAIR_COMMAND, (arg: unknown) => {
      const ref = parsePairRef(arg);
      if (ref) return showPair(ref);
      log.error(`${SHOW_PAIR_COMMAND}: ignored arguments that name no pair: ${JSON.stringify(arg)?.slice(0, 200)}`);
    }),
    vscode.commands.registerCommand('batt.runOnTask', (taskId?: string) => runTask(typeof taskId === 'string' ? taskId : undefined)),
    vscode.commands.registerCommand('batt.showTiming', async () => {
      await ensureStarted();
      panel.show();
      panel.refresh();
    }),
    vscode.commands.registerCommand('batt.showLog', () => log.logChannel().show(true)),
    vscode.commands.registerCommand('batt.restartWorkers', async () => {
      await ensureStarted();
      if (!client) return;
      if (client.needsStart()) await client.start();
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'batt: restarting workers' }, () => client!.sendRequest(RestartWorkersRequest.type));
    }),
    vscode.commands.registerCommand('batt.clearCache', async () => {
      await ensureStarted();
      if (!client) return;
      const n = await client.sendRequest(ClearCacheRequest.type);
      void vscode.window.showInformationMessage(`batt: cleared ${n} cache entries.`);
    }),
    vscode.commands.registerCommand('batt.runAll', async () => {
      await ensureStarted();
      if (!client) return;
      panel.show();
      try {
        await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'batt: running every task', cancellable: true }, async (progress, token) => {
          const listener = (p: ProgressParams) => {
            if (p.reason === 'manual' && p.total) progress.report({ message: `${p.done}/${p.total} jobs` });
          };
          progressListeners.add(listener);
          try {
            return await client!.sendRequest(RunAllRequest.type, token);
          } finally {
            progressListeners.delete(listener);
          }
        });
        // the panel opens on the per-task table
        model.open('tasks');
        panel.refresh();
      } finally {
        endProgress();
      }
    }),
    vscode.commands.registerCommand('batt.selectTasksFolder', async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      const picked = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, canSelectMany: false, defaultUri: folder?.uri, openLabel: 'Use as tasks', filters: { 'ARC tasks': ['json'] } });
      if (!picked?.[0]) return;
      const p = picked[0].fsPath;
      const value = folder && p.startsWith(folder.uri.fsPath) ? path.relative(folder.uri.fsPath, p) || '.' : p;
      await vscode.workspace.getConfiguration('batt').update('tasksPath', value, vscode.ConfigurationTarget.Workspace);
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration('batt') || !client) return;
      const s = await serverSettings();
      await client.sendNotification(SettingsNotification.type, s);
      if (RESTART_SETTINGS.some((k) => SETTINGS[k].restarts === 'pool' && e.affectsConfiguration(`batt.${k}`))) log.info('pool settings changed: the language server restarts the workers');
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      if (client) await client.sendNotification(SettingsNotification.type, await serverSettings());
    }),
    { dispose: () => void client?.stop() },
  );

  const ready = (async () => {
    if (await workspaceHasCandidates()) return ensureStarted();
    // A Python workspace that is not an ARC one: stay out of the way until a solver file shows up.
    statusBar.hide();
    log.info('no solve_* function, batt module or batt.json in this workspace: batt starts when one is opened');
    const wake = (doc: vscode.TextDocument) => {
      if (!starting && doc.languageId === 'python' && CANDIDATE_DEF.test(doc.getText())) void ensureStarted();
    };
    context.subscriptions.push(vscode.workspace.onDidOpenTextDocument(wake), vscode.workspace.onDidSaveTextDocument(wake));
    vscode.workspace.textDocuments.forEach(wake);
  })().catch((e) => {
    log.error('batt could not start', e);
    void vscode.window.showErrorMessage(`batt could not start: ${(e as Error).message}`);
    throw e;
  });

  return {
    status: () => lastStatus,
    statusText: () => statusBar.current.text,
    model,
    panel,
    runResults,
    ready,
    taskPick: () => picker.current,
    testing,
    inlineValues,
  };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
