/**
 * Client of the Python analyzer (src/worker/analyzer/analyze.py): one persistent process that parses, canonicalises and lints
 * workspace Python without executing it. Requests are NDJSON lines on its stdin, answers NDJSON lines on its stdout,
 * matched by id (the messages: src/protocol/analyzer.ts). The process is started lazily, restarted on the next call after a crash, and killed by dispose().
 *
 * One request is in flight at a time (the process serves them in order anyway); the others wait here, foreground
 * ones first, so a request's timeout counts only its own work, and a cancelled or timed-out request that is in
 * flight kills the process while the requests behind it go on in a fresh one. Background work (precompile) waits
 * for an idle process and never fails the foreground.
 */
import { spawn, type ChildProcess } from 'child_process';
import type {
  AnalyzerAnswerLine,
  AnalyzerAnswers,
  AnalyzerOp,
  AnalyzerRequest,
  AnalyzerRequestLine,
  CanonicalInput,
  CanonicalItem,
  LintProblem,
  NamesResult,
  ParseRequest,
  ParseResult,
  PrecompileFile,
} from '../../protocol/analyzer';

export type { CanonicalItem, LintProblem, NamesResult, ParseResult } from '../../protocol/analyzer';

export interface AnalyzerOptions {
  python: string;
  /** absolute path of analyze.py */
  script: string;
  onLog?: (line: string) => void;
  /** a request that takes longer kills the process (default 60 s) */
  timeoutMs?: number;
  /** the same for the optional precompile (default 30 s): on timeout it fails alone, the process restarts */
  precompileTimeoutMs?: number;
  /** sandbox the process (Landlock, where the kernel has it): read the roots, write only the .pyc folder, no network */
  sandbox?: { roots: string[]; pycacheDir: string };
}

/** Per-call options: an AbortSignal rejects the call at once (and kills the process if it is working on it). */
export interface CallOptions {
  signal?: AbortSignal;
}

interface Request {
  id: number;
  what: string;
  body: AnalyzerRequest;
  timeoutMs: number;
  background: boolean;
  signal?: AbortSignal;
  onAbort?: () => void;
  resolve: (answer: AnalyzerAnswerLine) => void;
  reject: (e: Error) => void;
}

/** The error of a call whose AbortSignal fired (name "AbortError"). */
export function abortError(what: string): Error {
  const e = new Error(`analyzer: ${what} cancelled`);
  e.name = 'AbortError';
  return e;
}

/** For a .catch(): a call rejected because `signal` fired gives undefined; any other failure still throws. */
export function unlessAborted(signal: AbortSignal | undefined): (e: unknown) => undefined {
  return (e) => {
    if (signal?.aborted) return undefined;
    throw e;
  };
}

export class Analyzer {
  private proc: ChildProcess | undefined;
  private nextId = 1;
  private readonly queue: Request[] = [];
  private inFlight: { req: Request; proc: ChildProcess; timer: NodeJS.Timeout } | undefined;
  /** pieces of the stdout line being received (joined once when its newline arrives: linear in the answer's size) */
  private stdoutParts: string[] = [];
  private stderrBuf = '';
  private stderrPartial = '';

  constructor(private readonly opts: AnalyzerOptions) {}

  /** `withSources: false` leaves each function's `source` out (it can be large: every solver of the file). */
  async parse(path: string, source: string, opts: { withSources?: boolean } & CallOptions = {}): Promise<ParseResult> {
    const req: ParseRequest = opts.withSources === false ? { op: 'parse', path, source, sources: false } : { op: 'parse', path, source };
    return this.request(req, opts);
  }

  /**
   * Writes hash-checked .pyc files of these sources under `prefix` for the workers (compiles, runs nothing). Background
   * work: it waits until no other request is queued, and its timeout (precompileTimeoutMs) fails only itself.
   */
  async precompile(prefix: string, files: PrecompileFile[]): Promise<number> {
    if (!files.length) return 0;
    return (await this.request({ op: 'precompile', prefix, files }, {}, true)).written;
  }

  async canonical(items: CanonicalInput[], opts: CallOptions = {}): Promise<CanonicalItem[]> {
    if (!items.length) return [];
    return (await this.request({ op: 'canonical', items }, opts)).items;
  }

  async lint(path: string, source: string, dslNames: string[], opts: CallOptions = {}): Promise<LintProblem[]> {
    return (await this.request({ op: 'lint', path, source, dslNames }, opts)).problems;
  }

  async names(path: string, source: string): Promise<string[]> {
    return (await this.namesDetailed(path, source)).names;
  }

  /** names() plus the module's star imports and syntax error. */
  async namesDetailed(path: string, source: string, opts: CallOptions = {}): Promise<NamesResult> {
    return this.request({ op: 'names', path, source }, opts);
  }

  /** Kill the process; pending calls reject. The next call starts a new one. */
  dispose(): void {
    const err = new Error('analyzer disposed');
    const all = [...(this.inFlight ? [this.inFlight.req] : []), ...this.queue.splice(0)];
    this.stopProcess();
    for (const r of all) this.settle(r).reject(err);
  }

  private request<K extends AnalyzerOp>(body: Extract<AnalyzerRequest, { op: K }>, opts: CallOptions, background = false): Promise<AnalyzerAnswers[K]> {
    const what = 'path' in body && typeof body.path === 'string' ? `${body.op} ${body.path}` : body.op;
    const { signal } = opts;
    if (signal?.aborted) return Promise.reject(abortError(what));
    const timeoutMs = background ? (this.opts.precompileTimeoutMs ?? 30_000) : (this.opts.timeoutMs ?? 60_000);
    return new Promise((resolve, reject) => {
      const req: Request = {
        id: this.nextId++,
        what,
        body,
        timeoutMs,
        background,
        signal,
        resolve: (line) => {
          const answer = line as AnalyzerAnswerLine<K>; // matched by id: the answer to this request
          if (answer.ok === true) resolve(answer);
          else reject(new Error(`analyzer: ${what}: ${String(answer.error ?? 'failed')}`));
        },
        reject,
      };
      if (signal) {
        req.onAbort = () => this.cancel(req);
        signal.addEventListener('abort', req.onAbort, { once: true });
      }
      this.queue.push(req);
      // Background work waits a turn, so foreground calls made in the same turn go first.
      if (background) setImmediate(() => this.pump());
      else this.pump();
    });
  }

  /** Sends the next request when none is in flight: the first foreground one, else the first background one. */
  private pump(): void {
    if (this.inFlight || !this.queue.length) return;
    let i = this.queue.findIndex((r) => !r.background);
    if (i < 0) i = 0;
    const req = this.queue.splice(i, 1)[0];
    const proc = this.ensureStarted();
    const timer = setTimeout(() => {
      const ms = req.timeoutMs;
      this.fail(req, new Error(`analyzer: ${req.what} took longer than ${ms} ms; process restarted`));
    }, req.timeoutMs);
    this.inFlight = { req, proc, timer };
    const line: AnalyzerRequestLine = { id: req.id, ...req.body };
    proc.stdin?.write(JSON.stringify(line) + '\n');
  }

  /** The call's signal fired: a queued request just leaves; one in flight also costs the process (it may be long). */
  private cancel(req: Request): void {
    const i = this.queue.indexOf(req);
    if (i >= 0) {
      this.queue.splice(i, 1);
      this.settle(req).reject(abortError(req.what));
    } else if (this.inFlight?.req === req) {
      this.fail(req, abortError(req.what));
    }
  }

  /** The request in flight failed (timeout, cancel, crash): reject it, drop its process, go on with the queue. */
  private fail(req: Request, err: Error): void {
    if (this.inFlight?.req !== req) return;
    this.stopProcess();
    this.settle(req).reject(err);
    this.pump();
  }

  /** Detaches a request from its timer and signal; returns it for resolve/reject. */
  private settle(req: Request): Request {
    if (this.inFlight?.req === req) {
      clearTimeout(this.inFlight.timer);
      this.inFlight = undefined;
    }
    if (req.onAbort) req.signal?.removeEventListener('abort', req.onAbort);
    return req;
  }

  /** Kills the current process (if any); what is in flight stays for the caller to settle. */
  private stopProcess(): void {
    const proc = this.proc;
    this.proc = undefined;
    if (this.inFlight) clearTimeout(this.inFlight.timer);
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  }

  private ensureStarted(): ChildProcess {
    if (this.proc) return this.proc;
    // -E -s: ignore PYTHON* variables and user site-packages; the analyzer needs only the standard library.
    const args = ['-E', '-s', this.opts.script];
    const box = this.opts.sandbox;
    if (box) args.push(...box.roots.flatMap((r) => ['--read', r]), '--write', box.pycacheDir);
    const proc = spawn(this.opts.python, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    this.proc = proc;
    this.stdoutParts = [];
    this.stderrBuf = '';
    this.stderrPartial = '';
    proc.stdout?.setEncoding('utf8');
    proc.stderr?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => this.onStdout(proc, chunk));
    proc.stderr?.on('data', (chunk: string) => this.onStderr(proc, chunk));
    proc.stdin?.on('error', () => undefined); // EPIPE after a crash; reported by 'exit'
    proc.on('error', (e) => this.exited(proc, new Error(`analyzer: cannot run ${this.opts.python}: ${e.message}`)));
    proc.on('close', (code, signal) => {
      const tail = this.stderrBuf.trim() ? `: ${this.stderrBuf.trim().split('\n').slice(-3).join(' | ')}` : '';
      this.exited(proc, new Error(`analyzer process exited (${signal ?? `code ${code}`})${tail}`));
    });
    return proc;
  }

  /** The process died (if still current): the request it was serving fails, the queue goes on in a new one. */
  private exited(proc: ChildProcess, err: Error): void {
    if (this.proc !== proc) return;
    this.proc = undefined;
    const req = this.inFlight?.proc === proc ? this.inFlight.req : undefined;
    if (req) this.settle(req).reject(err);
    this.pump();
  }

  private onStdout(proc: ChildProcess, chunk: string): void {
    if (this.proc !== proc) return;
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf('\n', start)) >= 0) {
      const piece = chunk.slice(start, nl);
      start = nl + 1;
      const line = this.stdoutParts.length ? this.stdoutParts.join('') + piece : piece;
      this.stdoutParts = [];
      this.onLine(line);
    }
    if (start < chunk.length) this.stdoutParts.push(chunk.slice(start));
  }

  private onLine(line: string): void {
    if (!line.trim()) return;
    let msg: AnalyzerAnswerLine;
    try {
      msg = JSON.parse(line) as AnalyzerAnswerLine;
    } catch {
      this.opts.onLog?.(`[analyzer] unexpected output: ${line.slice(0, 200)}`);
      return;
    }
    const req = this.inFlight?.req;
    if (typeof msg?.id !== 'number' || !req || req.id !== msg.id) {
      this.opts.onLog?.(`[analyzer] response for unknown request: ${line.slice(0, 200)}`);
      return;
    }
    this.settle(req).resolve(msg);
    this.pump();
  }

  private onStderr(proc: ChildProcess, chunk: string): void {
    if (this.proc !== proc) return;
    this.stderrBuf = (this.stderrBuf + chunk).slice(-4000);
    const lines = (this.stderrPartial + chunk).split('\n');
    this.stderrPartial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) this.opts.onLog?.(`[analyzer] ${line}`);
  }
}
