/**
 * A minimal LSP client for the bench: spawns `node dist/server.js --stdio` and speaks JSON-RPC with vscode-jsonrpc,
 * as an editor would (no UI). Keeps the latest diagnostics per URI and lets callers wait for a notification.
 */
import { spawn, type ChildProcess } from 'child_process';
import { pathToFileURL } from 'url';
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { PoolStatusParams, RunResultParams, ServerSettings } from '../src/protocol/lsp';
import { PoolStatusNotification, ProgressNotification, RunResultNotification } from '../src/protocol/lsp';

export interface Diag {
  message: string;
  source?: string;
  range: { start: { line: number } };
}

export interface Waiter<T> {
  test: (v: T) => boolean;
  resolve: (v: { value: T; at: number }) => void;
}

export class LspClient {
  readonly child: ChildProcess;
  readonly conn: MessageConnection;
  readonly diags = new Map<string, Diag[]>();
  status: PoolStatusParams | undefined;
  lastNotificationAt = performance.now();
  readonly logs: string[] = [];
  private readonly diagWaiters: Array<Waiter<{ uri: string; diagnostics: Diag[] }>> = [];
  private readonly resultWaiters: Array<Waiter<RunResultParams>> = [];
  private readonly statusWaiters: Array<Waiter<PoolStatusParams>> = [];
  private readonly versions = new Map<string, number>();

  constructor(serverJs: string) {
    this.child = spawn(process.execPath, [serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (d: Buffer) => this.logs.push(d.toString()));
    this.conn = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diag[] }) => {
      this.lastNotificationAt = performance.now();
      this.diags.set(p.uri, p.diagnostics);
      fire(this.diagWaiters, p);
    });
    this.conn.onNotification(RunResultNotification.type, (p) => {
      this.lastNotificationAt = performance.now();
      fire(this.resultWaiters, p);
    });
    this.conn.onNotification(PoolStatusNotification.type, (p) => {
      this.lastNotificationAt = performance.now();
      this.status = p;
      fire(this.statusWaiters, p);
    });
    this.conn.onNotification(ProgressNotification.type, () => (this.lastNotificationAt = performance.now()));
    this.conn.onNotification('window/logMessage', (p: { message: string }) => {
      this.logs.push(p.message);
      if (this.logs.length > 200) this.logs.shift();
    });
    this.conn.onRequest('window/showMessageRequest', () => null);
    this.conn.listen();
  }

  async initialize(root: string, settings: ServerSettings): Promise<void> {
    const uri = pathToFileURL(root).toString();
    await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uri,
      workspaceFolders: [{ uri, name: 'bench' }],
      capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true } } },
      initializationOptions: settings,
    });
    await this.conn.sendNotification('initialized', {});
  }

  open(file: string, text: string): Promise<void> {
    const uri = pathToFileURL(file).toString();
    this.versions.set(uri, 1);
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
  }

  /** A full-text change (the editor buffer), then nothing: the caller writes the file and calls save(). */
  change(file: string, text: string): Promise<void> {
    const uri = pathToFileURL(file).toString();
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    return this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  save(file: string): Promise<void> {
    return this.conn.sendNotification('textDocument/didSave', { textDocument: { uri: pathToFileURL(file).toString() } });
  }

  /** The next publishDiagnostics for which `test` holds, with its arrival time. */
  nextDiagnostics(test: (p: { uri: string; diagnostics: Diag[] }) => boolean, timeoutMs: number, what: string) {
    return wait(this.diagWaiters, test, timeoutMs, what);
  }

  nextRunResult(test: (p: RunResultParams) => boolean, timeoutMs: number, what: string) {
    return wait(this.resultWaiters, test, timeoutMs, what);
  }

  nextStatus(test: (p: PoolStatusParams) => boolean, timeoutMs: number, what: string) {
    return wait(this.statusWaiters, test, timeoutMs, what);
  }

  /** Resolves once the server sent nothing for `quietMs` (e.g. the as-you-type lint after a run), or at the deadline. */
  async settle(quietMs: number, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() - this.lastNotificationAt < quietMs && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** shutdown + exit, then SIGKILL if the server is still there after 3 s. */
  async dispose(): Promise<void> {
    const exited = new Promise<void>((r) => (this.child.exitCode !== null ? r() : this.child.once('exit', () => r())));
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 3000).unref())]);
      await this.conn.sendNotification('exit');
    } catch {
      /* already gone */
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((r) => (timer = setTimeout(r, 3000)))]);
    clearTimeout(timer);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    this.conn.dispose();
  }
}

function fire<T>(waiters: Array<Waiter<T>>, v: T): void {
  const at = performance.now();
  for (const w of [...waiters]) {
    if (w.test(v)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve({ value: v, at });
    }
  }
}

function wait<T>(waiters: Array<Waiter<T>>, test: (v: T) => boolean, timeoutMs: number, what: string): Promise<{ value: T; at: number }> {
  return new Promise((resolve, reject) => {
    const w: Waiter<T> = {
      test,
      resolve: (v) => {
        clearTimeout(timer);
        resolve(v);
      },
    };
    const timer = setTimeout(() => {
      waiters.splice(waiters.indexOf(w), 1);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    waiters.push(w);
  });
}
