/** The LanguageClient for the batt server (Node IPC), with a restart cap and typed custom notifications. */
import * as vscode from 'vscode';
import { CloseAction, ErrorAction, LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import type { ServerSettings } from '../protocol/lsp';
import { logChannel } from './log';

/** one watcher for every client of the session (a restarted server gets the same) */
let watcher: vscode.FileSystemWatcher | undefined;

export function createClient(context: vscode.ExtensionContext, settings: ServerSettings): LanguageClient {
  const module = vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath;
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  let restarts = 0;
  if (!watcher) {
    watcher = vscode.workspace.createFileSystemWatcher('**/*.py');
    context.subscriptions.push(watcher);
  }
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'python' }],
    outputChannel: logChannel(),
    revealOutputChannelOn: 4 /* Never */,
    initializationOptions: settings,
    // Python files written outside the editor (a generator, a checkout) reach the Testing tree
    synchronize: { fileEvents: watcher },
    errorHandler: {
      error: () => ({ action: ErrorAction.Continue }),
      closed: () => {
        // A crashing server is restarted a few times, then left stopped with a message (no crash loop).
        restarts++;
        if (restarts <= 3) return { action: CloseAction.Restart };
        return { action: CloseAction.DoNotRestart, message: 'The batt server stopped 4 times; use "Batt: Restart workers" after fixing the cause (see the Batt log).' };
      },
    },
  };
  return new LanguageClient('batt', 'batt', serverOptions, clientOptions);
}
