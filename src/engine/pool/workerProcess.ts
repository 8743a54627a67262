/**
 * One Python scoring worker (src/worker/scoring/main.py): spawn, NDJSON framing on fds 3/4, stray-output logging, kill.
 * The worker runs in its own process group, so kill() also takes down any process a solver started. Each worker has a
 * scratch folder of its own in os.tmpdir() (its TMPDIR; the one folder its sandbox lets solvers write), created here
 * and removed when it exits, or when this process exits; those of engines that were killed are removed by the next.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { FromWorker, ReadyMessage, ToWorker } from '../../protocol/worker';
import { LineReader } from './lineReader';
import type { SandboxPolicy } from './sandbox';
import { RUN_HASH_SEED } from './types';

export type WorkerLogStream = 'stdout' | 'stderr' | 'worker';
export type WorkerLog = (workerId: number, stream: WorkerLogStream, line: string) => void;

export interface WorkerExit {
  code: number | null;
  signal: string | null;
}

export interface WorkerProcessOptions {
  id: number;
  python: string;
  /** absolute path of src/worker/scoring/main.py */
  script: string;
  roots: string[];
  /** RLIMIT_AS per worker; 0 = unlimited */
  memoryMB: number;
  /** folder of precompiled hash-checked .pyc files (sys.pycache_prefix), read only */
  pycacheDir?: string;
  /** what the worker's sandbox grants in the workspace (the scratch folder is the worker's own); absent: no sandbox */
  sandbox?: Omit<SandboxPolicy, 'scratch' | 'pycache'>;
  /** PYTHONHASHSEED (default RUN_HASH_SEED, whatever the environment says) */
  hashSeed?: number;
  onLog?: WorkerLog;
}

/** Longest stray stdout/stderr line forwarded to the log. */
const MAX_LOG_LINE = 2000;
/** stderr lines kept for crash reports. */
const STDERR_TAIL_LINES = 20;
/** After the process exited, how long to wait for its pipes to drain. */
const DRAIN_MS = 500;

/** Scratch folders of live workers (removed at exit), named batt-worker-<engine pid>-*. */
const scratches = new Set<string>();
let swept = false;

function newScratch(): string {
  if (!swept) {
    swept = true;
    process.once('exit', () => scratches.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
    for (const name of fs.readdirSync(os.tmpdir())) {
      const owner = /^batt-worker-(\d+)-/.exec(name);
      if (owner && !isRunning(Number(owner[1]))) fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
    }
  }
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `batt-worker-${process.pid}-`)));
  scratches.add(dir);
  return dir;
}

function removeScratch(dir: string): void {
  scratches.delete(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export declare interface WorkerProcess {
  on(event: 'message', listener: (msg: FromWorker) => void): this;
  on(event: 'exit', listener: (exit: WorkerExit) => void): this;
}

export class WorkerProcess extends EventEmitter {
  readonly id: number;
  readonly pid: number | undefined;
  /** Resolves with the ready message; rejects with a clear Error if the worker dies or cannot start first. */
  readonly ready: Promise<ReadyMessage>;
  /** Resolves once the process has exited and its output has been read. */
  readonly exited: Promise<WorkerExit>;
  exit: WorkerExit | undefined;
  readyMessage: ReadyMessage | undefined;
  private readonly child: ChildProcess;
  private readonly input: Writable | undefined;
  private readonly tasks = new Set<string>();
  private readonly stderrLines: string[] = [];
  private spawnError: Error | undefined;
  private tooOld: string | undefined;
  /** set as soon as the process is gone, before its pipes are drained and 'exit' is emitted */
  private exiting = false;
  private readonly log: WorkerLog;
  /** the worker's temp folder */
  readonly scratch: string;

  constructor(private readonly opts: WorkerProcessOptions) {
    super();
    this.id = opts.id;
    this.log = opts.onLog ?? (() => undefined);
    const args = [opts.script];
    for (const root of opts.roots) args.push('--root', root);
    args.push('--memory-mb', String(Math.max(0, Math.floor(opts.memoryMB))));
    if (opts.pycacheDir) args.push('--pycache', opts.pycacheDir);
    this.scratch = newScratch();
    if (opts.sandbox) {
      const policy: SandboxPolicy = { ...opts.sandbox, scratch: this.scratch, pycache: opts.pycacheDir };
      const file = path.join(this.scratch, '.batt-sandbox.json');
      fs.writeFileSync(file, JSON.stringify(policy));
      args.push('--sandbox', file);
    }
    this.child = spawn(opts.python, args, {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
      detached: true,
      // Solvers see the workspace root as their cwd (relative paths in user code), whatever folder batt started in.
      cwd: opts.roots.find((r) => fs.existsSync(r)),
      // A fixed hash seed: a solver that iterates a set of strings gives the same verdict in every run.
      env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', PYTHONHASHSEED: String(opts.hashSeed ?? RUN_HASH_SEED), TMPDIR: this.scratch },
      windowsHide: true,
    });
    this.pid = this.child.pid;
    this.input = this.child.stdio[3] as Writable | undefined;
    const output = this.child.stdio[4] as Readable | undefined;
    for (const s of this.child.stdio) s?.on('error', () => undefined); // EPIPE after death is reported via 'exit'

    const protocol = new LineReader((line) => this.onProtocolLine(line));
    output?.on('data', (chunk: Buffer) => protocol.push(chunk));
    this.forward(this.child.stdout, 'stdout');
    this.forward(this.child.stderr, 'stderr');

    let resolveReady!: (m: ReadyMessage) => void;
    let rejectReady!: (e: Error) => void;
    this.ready = new Promise((res, rej) => {
      resolveReady = res;
      rejectReady = rej;
    });
    this.ready.catch(() => undefined);
    this.once('message-ready', (m: ReadyMessage) => {
      const [major, minor] = m.python.split('.').map(Number);
      if (major < 3 || (major === 3 && minor < 8)) {
        this.tooOld = `Python ${m.python} ('${opts.python}') is too old: batt needs Python >= 3.8`;
        this.killGroup();
      } else {
        this.readyMessage = m;
        resolveReady(m);
      }
    });

    this.exited = new Promise((resolve) => {
      let exitInfo: WorkerExit | undefined;
      let closed = false;
      const finish = (): void => {
        if (!exitInfo || closed) return;
        closed = true;
        protocol.end();
        removeScratch(this.scratch);
        this.exit = exitInfo;
        if (!this.readyMessage) rejectReady(this.startError(exitInfo));
        this.emit('exit', exitInfo);
        resolve(exitInfo);
      };
      this.child.on('error', (err) => {
        this.spawnError = err;
        if (this.child.pid === undefined) {
          exitInfo = { code: null, signal: null };
          finish();
        }
      });
      this.child.on('exit', (code, signal) => {
        exitInfo = { code, signal };
        this.exiting = true;
        // Leftover children of a solver may hold the pipes open: kill the group, then give the pipes a moment.
        this.killGroup();
        setTimeout(() => {
          for (const s of this.child.stdio) s?.destroy();
          finish();
        }, DRAIN_MS).unref();
      });
      this.child.on('close', () => finish());
    });
  }

  /** False as soon as the process is gone (before 'exit' is emitted, which waits for its output). */
  get alive(): boolean {
    return !this.exiting && this.exit === undefined && this.spawnError === undefined;
  }

  /** Writes one message to the worker's fd 3 (dropped silently if the worker is gone: its exit is reported). */
  send(msg: ToWorker): void {
    if (!this.alive || !this.input || this.input.destroyed) return;
    if (msg.t === 'task') this.tasks.add(msg.key);
    this.input.write(JSON.stringify(msg) + '\n');
  }

  /** Closes fd 3: the worker finishes its current job and exits 0. */
  closeInput(): void {
    this.input?.end();
  }

  hasTask(key: string): boolean {
    return this.tasks.has(key);
  }

  /** Forget earlier stderr lines: called when a job starts, so a crash report quotes only what that job wrote. */
  clearStderrTail(): void {
    this.stderrLines.length = 0;
  }

  /** The last lines the worker wrote to stderr (crash hints such as "Fatal Python error: Segmentation fault"). */
  stderrTail(): string {
    return this.stderrLines.join('\n');
  }

  /** CPU time the process has used (user + system, all threads), ms; undefined without /proc (not Linux). */
  cpuMs(): number | undefined {
    try {
      const stat = fs.readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) * 10; // utime and stime (fields 14 and 15), in USER_HZ (100) ticks
    } catch {
      return undefined;
    }
  }

  /** SIGKILL the whole process group; resolves when the worker has exited. */
  kill(): Promise<WorkerExit> {
    this.killGroup();
    return this.exited;
  }

  private killGroup(): void {
    if (this.pid === undefined) return;
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }

  private onProtocolLine(line: string): void {
    if (line.length === 0) return;
    let msg: FromWorker;
    try {
      msg = JSON.parse(line) as FromWorker;
    } catch {
      this.log(this.id, 'worker', `unparsable protocol line: ${line.slice(0, 200)}`);
      return;
    }
    if (msg.t === 'ready') {
      this.emit('message-ready', msg);
    } else if (msg.t === 'log') {
      this.log(this.id, 'worker', `[${msg.level}] ${msg.msg}`);
    }
    this.emit('message', msg);
  }

  private forward(stream: Readable | null, name: 'stdout' | 'stderr'): void {
    if (!stream) return;
    const reader = new LineReader((line) => {
      if (name === 'stderr') {
        this.stderrLines.push(line);
        if (this.stderrLines.length > STDERR_TAIL_LINES) this.stderrLines.shift();
      }
      this.log(this.id, name, line);
    }, MAX_LOG_LINE);
    stream.on('data', (chunk: Buffer) => reader.push(chunk));
    stream.on('end', () => reader.end());
  }

  private startError(exit: WorkerExit): Error {
    const py = this.opts.python;
    if (this.tooOld) return new Error(this.tooOld);
    if (this.spawnError) {
      const code = (this.spawnError as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return new Error(`Python interpreter '${py}' not found (point --python, batt.pythonPath or batt.json "python" at a Python 3.8 or newer)`);
      return new Error(`cannot start Python interpreter '${py}': ${this.spawnError.message}`);
    }
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const tail = this.stderrTail();
    return new Error(`worker ${this.opts.script} (${py}) ${how} before it was ready${tail ? `:\n${tail}` : ''}`);
  }
}
