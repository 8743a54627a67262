/**
 * `Batt: Write submission` (batt.writeSubmission): `batt submit` on a workspace folder's configured tasks, through
 * batt/writeSubmission (src/server/submission.ts), with the stability check. Where the file goes is asked each time
 * with a save dialog, on the folder's submission.json first, then on the file last written for that folder (a
 * submission is a file handed in: its place is chosen, not configured). A cancellable progress notification while it
 * runs; then a summary notification (score, oracle gap, unstable candidates) whose button opens the report in the
 * panel's Submission tab. The command's argument `{ folder?: uri, out?: path }` skips the questions (tests, keybindings).
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { SubmissionProgressNotification, WriteSubmissionRequest } from '../protocol/lsp';
import { submissionSummary, type SubmissionResult } from '../protocol/submission';
import * as log from './log';

export const WRITE_SUBMISSION_COMMAND = 'batt.writeSubmission';
export const SHOW_REPORT = 'Show Report';
export const OPEN_FILE = 'Open File';

export interface SubmissionCommandDeps {
  /** the started client, undefined when it could not start */
  client(): Promise<LanguageClient | undefined>;
  /** where the last file of each folder went */
  state: vscode.Memento;
  /** the report in the panel's Submission tab, the panel opened on it */
  showReport(r: SubmissionResult): void;
  /** the report as the panel's newest submission, the panel left as it is */
  keepReport(r: SubmissionResult): void;
}

interface SubmissionArgs {
  folder?: string;
  out?: string;
}

function parseArgs(arg: unknown): SubmissionArgs | undefined {
  if (arg === undefined) return {};
  if (typeof arg !== 'object' || arg === null) return undefined;
  const a = arg as Record<string, unknown>;
  if ((a.folder !== undefined && typeof a.folder !== 'string') || (a.out !== undefined && typeof a.out !== 'string')) return undefined;
  return { folder: a.folder, out: a.out };
}

async function chooseFolder(uri?: string): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (uri) return folders.find((f) => f.uri.toString() === uri);
  if (folders.length <= 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: 'batt: the folder whose tasks and solvers make the submission' });
}

const stateKey = (folder: vscode.WorkspaceFolder) => `batt.submission.${folder.uri.toString()}`;

async function chooseFile(deps: SubmissionCommandDeps, folder: vscode.WorkspaceFolder): Promise<string | undefined> {
  const last = deps.state.get<string>(stateKey(folder));
  const uri = await vscode.window.showSaveDialog({
    defaultUri: last ? vscode.Uri.file(last) : vscode.Uri.joinPath(folder.uri, 'submission.json'),
    filters: { 'Submission (JSON)': ['json'] },
    saveLabel: 'Write Submission',
    title: 'batt: where to write the submission',
  });
  return uri?.fsPath;
}

/** The summary notification: its Show Report opens the panel's Submission tab, Open File the file. */
function announce(deps: SubmissionCommandDeps, r: SubmissionResult): void {
  const out = r.report.out!;
  void vscode.window.showInformationMessage(`batt: wrote ${path.basename(out)} (${r.report.tasks} task${r.report.tasks === 1 ? '' : 's'}): ${submissionSummary(r)}.`, SHOW_REPORT, OPEN_FILE).then((pick) => {
    if (pick === SHOW_REPORT) deps.showReport(r);
    else if (pick === OPEN_FILE) void vscode.window.showTextDocument(vscode.Uri.file(out));
  });
}

/** Runs the submission with a cancellable progress; the report, or undefined when cancelled, refused or failed (said). */
async function writeSubmission(deps: SubmissionCommandDeps, arg: unknown): Promise<SubmissionResult | undefined> {
  const args = parseArgs(arg);
  if (!args) {
    log.error(`${WRITE_SUBMISSION_COMMAND}: ignored arguments that are not { folder?, out? }: ${JSON.stringify(arg)?.slice(0, 200)}`);
    return undefined;
  }
  const client = await deps.client();
  if (!client) return undefined;
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('batt runs nothing in an untrusted workspace.');
    return undefined;
  }
  const folder = await chooseFolder(args.folder);
  if (!folder) {
    if (args.folder || !vscode.workspace.workspaceFolders?.length) void vscode.window.showWarningMessage('batt: open the folder of your solvers first.');
    return undefined;
  }
  const out = args.out ?? (await chooseFile(deps, folder));
  if (!out) return undefined;
  const title = `batt: writing ${path.basename(out)}`;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    let last = 0;
    const listening = client.onNotification(SubmissionProgressNotification.type, (p) => {
      if (!p.total) return;
      progress.report({ message: `${p.done}/${p.total} jobs`, increment: (Math.max(0, p.done - last) / p.total) * 100 });
      last = p.done;
    });
    try {
      const r = await client.sendRequest(WriteSubmissionRequest.type, { folder: folder.uri.toString(), out: path.resolve(out) }, token);
      if (!r) {
        vscode.window.setStatusBarMessage('batt: submission cancelled, nothing written', 5000);
        return undefined;
      }
      await deps.state.update(stateKey(folder), r.report.out);
      deps.keepReport(r);
      announce(deps, r);
      return r;
    } catch (e) {
      if (!token.isCancellationRequested) {
        log.error('Write submission failed', e);
        void vscode.window.showErrorMessage(`batt: the submission was not written: ${(e as Error).message}`);
      }
      return undefined;
    } finally {
      listening.dispose();
    }
  });
}

export function registerSubmissionCommand(deps: SubmissionCommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(WRITE_SUBMISSION_COMMAND, (arg?: unknown) => writeSubmission(deps, arg));
}
