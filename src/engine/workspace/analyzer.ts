/**
 * Client of the Python analyzer (src/worker/analyzer/analyze.py): one persistent process that parses, canonicalises and lints
 * workspace Python without executing it. Requests are NDJSON lines on its stdin, answers NDJSON lines on its stdout,
 * matched by id. The process is started lazily, restarted on the next call after a crash, and killed by dispose().
 */
import { spawn, type ChildProcess } from 'child_process';

/** A top-level `def solve_<taskId>[_<suffix>](...)`. Lines and columns are 1-based. */
export interface SolverFunction {
  name: string;
  taskId: string;
  suffix: string | null;
  line: number;
  col: number;
  endLine: number;
  params: string[];
  /** "I": one positional parameter; "SIC": exactly (S, I, C); null: unsupported signature */
  kind: 'I' | 'SIC' | null;
  /** sha256 of `source` */
  segHash: string;
  /** exact source of the def, decorators included (absent when parsed with `withSources: false`) */
  source?: string;
}

export interface BattCandidate {
  t: number;
  mutated: boolean;
  source: string;
  /** line of the o.append */
  line: number;
}

/** The module's top-level `def batt(task_id, S, I, C, log_path)`. */
export interface BattInfo {
  line: number;
  endLine: number;
  segHash: string;
  candidates: BattCandidate[];
}

export interface ImportInfo {
  /** dotted module name, "" for `from . import x` */
  module: string;
  /** number of leading dots */
  level: number;
  line: number;
  /** imported names, for `from m import a, b` only */
  names?: string[];
}

export interface SyntaxErrorInfo {
  message: string;
  line: number;
  col: number;
}

export interface ParseResult {
  functions: SolverFunction[];
  batt: BattInfo | null;
  imports: ImportInfo[];
  /** sha256 of the module with every solve_* function and batt removed */
  contextHash: string;
  syntaxError: SyntaxErrorInfo | null;
}

export interface CanonicalItem {
  key: string;
  /** sha256 of the canonical form; "" when `error` is set */
  hash: string;
  /** statements in the body, docstring excluded */
  length: number;
  error?: string;
}

export interface LintProblem {
  line: number;
  /** 1-based, UTF-16 code units */
  col: number;
  /** exclusive, on the same line */
  endCol: number;
  severity: 'warning' | 'error';
  /** e.g. nested-call, undefined-name, unused-variable, reassigned, unknown-primitive, literal-argument, missing-return-O */
  code: string;
  message: string;
}

export interface NamesResult {
  names: string[];
  /** `from m import *` at top level: the engine resolves these to add the star-imported module's names */
  starImports: Array<{ module: string; level: number }>;
  syntaxError: SyntaxErrorInfo | null;
}

export interface AnalyzerOptions {
  python: string;
  /** absolute path of analyze.py */
  script: string;
  onLog?: (line: string) => void;
  /** a request that takes longer kills the process (default 60 s) */
  timeoutMs?: number;
}

interface Pending {
  resolve: (v: Record<string, unknown>) => void;
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
    const req = opts.withSources === false ? { op: 'parse', path, source, sources: false } : { op: 'parse', path, source };
    return (await this.request(req)) as unknown as ParseResult;
  }

  /** Writes hash-checked .pyc files of these sources under `prefix` for the workers (compiles, runs nothing). */
  async precompile(prefix: string, files: Array<{ path: string; source: string }>): Promise<number> {
    if (!files.length) return 0;
    const r = (await this.request({ op: 'precompile', prefix, files })) as unknown as { written: number };
    return r.written;
  }

  async canonical(items: Array<{ key: string; source: string }>): Promise<CanonicalItem[]> {
    if (!items.length) return [];
    const r = await this.request({ op: 'canonical', items });
    return r.items as CanonicalItem[];
  }

  async lint(path: string, source: string, dslNames: string[]): Promise<LintProblem[]> {
    const r = await this.request({ op: 'lint', path, source, dslNames });
    return r.problems as LintProblem[];
  }

  async names(path: string, source: string): Promise<string[]> {
    return (await this.namesDetailed(path, source)).names;
  }

  /** names() plus the module's star imports and syntax error. */
  async namesDetailed(path: string, source: string): Promise<NamesResult> {
    return (await this.request({ op: 'names', path, source })) as unknown as NamesResult;
  }

  /** Kill the process; pending calls reject. The next call starts a new one. */
  dispose(): void {
    const proc = this.proc;
    this.proc = undefined;
    this.failAll(new Error('analyzer disposed'));
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  }

  private request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const proc = this.ensureStarted();
    const id = this.nextId++;
    const what = typeof body.path === 'string' ? `${String(body.op)} ${body.path}` : String(body.op);
    return new Promise((resolve, reject) => {
      const timeoutMs = this.opts.timeoutMs ?? 60_000;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`analyzer: ${what} took longer than ${timeoutMs} ms; process restarted`));
        this.kill(proc, new Error(`analyzer killed after a request timed out (${what})`));
      }, timeoutMs);
      this.pending.set(id, {
        timer,
        resolve: (r) => {
          if (r.ok === true) resolve(r);
          else reject(new Error(`analyzer: ${what}: ${String(r.error ?? 'failed')}`));
        },
        reject,
      });
      proc.stdin?.write(JSON.stringify({ id, ...body }) + '\n');
    });
  }

  private ensureStarted(): ChildProcess {
    if (this.proc) return this.proc;
    // -E -s: ignore PYTHON* variables and user site-packages; the analyzer needs only the standard library.
    const proc = spawn(this.opts.python, ['-E', '-s', this.opts.script], { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
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
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        this.opts.onLog?.(`[analyzer] unexpected output: ${line.slice(0, 200)}`);
        continue;
      }
      const p = typeof msg.id === 'number' ? this.pending.get(msg.id) : undefined;
      if (!p) {
        this.opts.onLog?.(`[analyzer] response for unknown request: ${line.slice(0, 200)}`);
        continue;
      }
      this.pending.delete(msg.id as number);
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
