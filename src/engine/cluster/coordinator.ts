/**
 * The cluster coordinator process (src/worker/cluster/coordinator.py): spawn under the interpreter that has
 * dask.distributed, NDJSON on its fds 3/4 (src/protocol/cluster.ts), its stdout/stderr logged, and its end. It runs in
 * its own process group and gets SIGTERM if this process dies (PR_SET_PDEATHSIG), which closes its Dask client: the
 * scheduler then drops the client's futures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { ConnectedMessage, FromCoordinator, ToCoordinator } from '../../protocol/cluster';
import { LineReader } from '../pool/lineReader';

export interface CoordinatorOptions {
  python: string;
  /** absolute path of coordinator.py */
  script: string;
  scheduler: string;
  root: string;
  limitMs: number;
  memoryMB: number;
  sandbox: boolean;
  /** the scoring workers' PYTHONHASHSEED on the Dask workers (PoolOptions.hashSeed) */
  hashSeed?: number;
  connectTimeoutMs: number;
  onLog?: (line: string) => void;
}

/** How connecting failed: the coordinator could not start, could not reach the scheduler, or the versions differ. */
export class ConnectError extends Error {
  constructor(
    readonly kind: 'start' | 'connect' | 'version',
    message: string,
  ) {
    super(message);
  }
}

/** How long exit waits for the coordinator to close its client before it is killed. */
const EXIT_GRACE_MS = 3000;
const STDERR_TAIL_LINES = 20;

export declare interface Coordinator {
  on(event: 'message', listener: (msg: FromCoordinator) => void): this;
  on(event: 'exit', listener: (how: string) => void): this;
}

export class Coordinator extends EventEmitter {
  /** Resolves with `connected`; rejects with a ConnectError. */
  readonly connected: Promise<ConnectedMessage>;
  /** Resolves once the process has exited. */
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;
  private readonly input: Writable | undefined;
  private readonly stderr: string[] = [];
  private gone = false;

  constructor(private readonly opts: CoordinatorOptions) {
    super();
    const args = [opts.script, '--scheduler', opts.scheduler, '--root', opts.root, '--limit-ms', String(opts.limitMs)];
    args.push('--memory-mb', String(Math.max(0, Math.floor(opts.memoryMB))), '--sandbox', opts.sandbox ? '1' : '0');
    args.push('--connect-timeout', String(opts.connectTimeoutMs / 1000));
    if (opts.hashSeed !== undefined) args.push('--hash-seed', String(opts.hashSeed));
    this.child = spawn(opts.python, args, {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
      windowsHide: true,
    });
    this.input = this.child.stdio[3] as Writable | undefined;
    for (const s of this.child.stdio) s?.on('error', () => undefined);
    const protocol = new LineReader((line) => this.onLine(line));
    (this.child.stdio[4] as Readable | undefined)?.on('data', (chunk: Buffer) => protocol.push(chunk));
    this.forward(this.child.stdout, 'stdout');
    this.forward(this.child.stderr, 'stderr');

    let resolveConnected!: (m: ConnectedMessage) => void;
    let rejectConnected!: (e: ConnectError) => void;
    this.connected = new Promise((res, rej) => {
      resolveConnected = res;
      rejectConnected = rej;
    });
    this.connected.catch(() => undefined);
    let settled = false;
    this.on('message', (m) => {
      if (settled) return;
      if (m.t === 'connected') resolveConnected(m);
      else if (m.t === 'error') rejectConnected(new ConnectError(m.kind, m.message));
      else return;
      settled = true;
    });
    let spawnError: NodeJS.ErrnoException | undefined;
    this.exited = new Promise((resolve) => {
      this.child.on('error', (e) => {
        spawnError = e;
        if (this.child.pid === undefined) this.child.emit('close', null, null);
      });
      this.child.on('close', (code: number | null, signal: string | null) => {
        protocol.end();
        this.gone = true;
        const missing = spawnError?.code === 'ENOENT';
        const how = missing ? 'does not exist' : spawnError ? `cannot start: ${spawnError.message}` : signal ? `was killed by ${signal}` : `exited with code ${code}`;
        if (!settled) {
          settled = true;
          const tail = this.stderr.filter((l) => l.trim()).pop(); // e.g. ModuleNotFoundError: No module named 'distributed'
          rejectConnected(new ConnectError('start', `the cluster coordinator's interpreter ${opts.python} ${how}${tail ? `: ${tail}` : ''}`));
        }
        this.emit('exit', how);
        resolve();
      });
    });
  }

  get alive(): boolean {
    return !this.gone;
  }

  send(msg: ToCoordinator): void {
    if (this.gone || !this.input || this.input.destroyed) return;
    this.input.write(JSON.stringify(msg) + '\n');
  }

  /** Asks the coordinator to cancel its futures and close its client; kills its process group after a grace period. */
  async close(): Promise<void> {
    if (this.gone) return this.exited;
    this.send({ t: 'exit' });
    this.input?.end();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise<void>((r) => (timer = setTimeout(r, EXIT_GRACE_MS)))]);
    clearTimeout(timer);
    this.kill();
    await this.exited;
  }

  kill(): void {
    if (this.child.pid === undefined || this.gone) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }

  private onLine(line: string): void {
    if (!line) return;
    let msg: FromCoordinator;
    try {
      msg = JSON.parse(line) as FromCoordinator;
    } catch {
      this.opts.onLog?.(`[cluster] unparsable protocol line: ${line.slice(0, 200)}`);
      return;
    }
    if (msg.t === 'log') this.opts.onLog?.(`[cluster] [${msg.level}] ${msg.msg}`);
    this.emit('message', msg);
  }

  private forward(stream: Readable | null, name: 'stdout' | 'stderr'): void {
    if (!stream) return;
    const reader = new LineReader((line) => {
      if (name === 'stderr') {
        this.stderr.push(line);
        if (this.stderr.length > STDERR_TAIL_LINES) this.stderr.shift();
      }
      this.opts.onLog?.(`[cluster ${name}] ${line}`);
    }, 2000);
    stream.on('data', (chunk: Buffer) => reader.push(chunk));
    stream.on('end', () => reader.end());
  }
}
