/**
 * Client of the Python analyzer (src/worker/analyzer/analyze.py): one persistent process that parses, canonicalises and lints
 * workspace Python without executing it. Requests are NDJSON lines on its stdin, answers NDJSON lines on its stdout,
 * matched by id (the messages: src/protocol/analyzer.ts). The process is started lazily, restarted on the next call after a crash, and killed by dispose().
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
}

interface Pending {
  resolve: (answer: AnalyzerAnswerLine) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class Analyzer {
  private proc: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stdoutBuf = '';
  private stderrBuf = '';
  private stderrPartial = '';

  constructor(private readonly opts: AnalyzerOptions) {}

  /** `withSources: false` leaves each function's `source` out (it can be large: every solver of the file). */
  async parse(path: string, source: string, opts: { withSources?: boolean } = {}): Promise<ParseResult> {
    const req: ParseRequest = opts.withSources === false ? { op: 'parse', path, source, sources: false } : { op: 'parse', path, source };
    return this.request(req);
  }

  /** Writes hash-checked .pyc files of these sources under `prefix` for the workers (compiles, runs nothing). */
  async precompile(prefix: string, files: PrecompileFile[]): Promise<number> {
    if (!files.length) return 0;
    return (await this.request({ op: 'precompile', prefix, files })).written;
  }

  async canonical(items: CanonicalInput[]): Promise<CanonicalItem[]> {
    if (!items.length) return [];
    return (await this.request({ op: 'canonical', items })).items;
  }

  async lint(path: string, source: string, dslNames: string[]): Promise<LintProblem[]> {
    return (await this.request({ op: 'lint', path, source, dslNames })).problems;
  }

  async names(path: string, source: string): Promise<string[]> {
    return (await this.namesDetailed(path, source)).names;
  }

  /** names() plus the module's star imports and syntax error. */
  async namesDetailed(path: string, source: string): Promise<NamesResult> {
    return this.request({ op: 'names', path, source });
  }

  /** Kill the process; pending calls reject. The next call starts a new one. */
  dispose(): void {
    const proc = this.proc;
    this.proc = undefined;
    this.failAll(new Error('analyzer disposed'));
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  }

  private request<K extends AnalyzerOp>(body: Extract<AnalyzerRequest, { op: K }>): Promise<AnalyzerAnswers[K]> {
    const proc = this.ensureStarted();
    const id = this.nextId++;
    const what = 'path' in body && typeof body.path === 'string' ? `${body.op} ${body.path}` : body.op;
    return new Promise((resolve, reject) => {
      const timeoutMs = this.opts.timeoutMs ?? 60_000;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`analyzer: ${what} took longer than ${timeoutMs} ms; process restarted`));
        this.kill(proc, new Error(`analyzer killed after a request timed out (${what})`));
      }, timeoutMs);
      this.pending.set(id, {
        timer,
        resolve: (line) => {
          const answer = line as AnalyzerAnswerLine<K>; // matched by id: the answer to this request
          if (answer.ok === true) resolve(answer);
          else reject(new Error(`analyzer: ${what}: ${String(answer.error ?? 'failed')}`));
        },
        reject,
      });
      const line: AnalyzerRequestLine = { id, ...body };
      proc.stdin?.write(JSON.stringify(line) + '\n');
    });
  }

  private ensureStarted(): ChildProcess {
    if (this.proc) return this.proc;
    // -E -s: ignore PYTHON* variables and user site-packages; the analyzer needs only the standard library.
    // detached: a process group of its own, so a Ctrl-C at the terminal (or `timeout -s INT`, which signals the whole
    // group) reaches only batt, which cancels the run, instead of killing the analyzer mid-parse. It exits at stdin EOF.
    const proc = spawn(this.opts.python, ['-E', '-s', this.opts.script], { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true, detached: true });
    this.proc = proc;
    this.stdoutBuf = '';
    this.stderrBuf = '';
    this.stderrPartial = '';
    proc.stdout?.setEncoding('utf8');
    proc.stderr?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => this.onStdout(proc, chunk));
    proc.stderr?.on('data', (chunk: string) => this.onStderr(chunk));
    proc.stdin?.on('error', () => undefined); // EPIPE after a crash; reported by 'exit'
    proc.on('error', (e) => this.kill(proc, new Error(`analyzer: cannot run ${this.opts.python}: ${e.message}`)));
    proc.on('close', (code, signal) => {
      const tail = this.stderrBuf.trim() ? `: ${this.stderrBuf.trim().split('\n').slice(-3).join(' | ')}` : '';
      this.kill(proc, new Error(`analyzer process exited (${signal ?? `code ${code}`})${tail}`));
    });
    return proc;
  }

  /** Forget a process (if still current) and reject everything pending on it. */
  private kill(proc: ChildProcess, err: Error): void {
    if (this.proc !== proc) return;
    this.proc = undefined;
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    this.failAll(err);
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }

  private onStdout(proc: ChildProcess, chunk: string): void {
    if (this.proc !== proc) return;
    this.stdoutBuf += chunk;
    let nl: number;
    while ((nl = this.stdoutBuf.indexOf('\n')) >= 0) {
      const line = this.stdoutBuf.slice(0, nl);
      this.stdoutBuf = this.stdoutBuf.slice(nl + 1);
      if (!line.trim()) continue;
      let msg: AnalyzerAnswerLine;
      try {
        msg = JSON.parse(line) as AnalyzerAnswerLine;
      } catch {
        this.opts.onLog?.(`[analyzer] unexpected output: ${line.slice(0, 200)}`);
        continue;
      }
      const id = typeof msg?.id === 'number' ? msg.id : undefined;
      const p = id === undefined ? undefined : this.pending.get(id);
      if (id === undefined || !p) {
        this.opts.onLog?.(`[analyzer] response for unknown request: ${line.slice(0, 200)}`);
        continue;
      }
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.resolve(msg);
    }
  }

  private onStderr(chunk: string): void {
    this.stderrBuf = (this.stderrBuf + chunk).slice(-4000);
    const lines = (this.stderrPartial + chunk).split('\n');
    this.stderrPartial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) this.opts.onLog?.(`[analyzer] ${line}`);
  }
}
