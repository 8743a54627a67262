/**
 * The Engine's two analyzer processes (parse only, run nothing): the first for parses, canonicalisation and lint, the
 * second for the other half of big canonicalisation batches and for precompiling the workspace's modules.
 */
import * as fs from 'fs';
import { Analyzer } from './workspace/analyzer';
import type { LintProblem, NamesResult } from '../protocol/analyzer';
import { resolveImport } from './workspace/files';
import type { WorkspaceFile } from './workspace/discover';
import { sha256 } from './fsutil';
import { analyzerScript } from './workerDir';

export interface AnalyzersOptions {
  root: string;
  python(): string;
  sandbox(): boolean;
  workerDir(): string;
  pycacheDir: string;
  log?: (line: string) => void;
}

export class Analyzers {
  private first?: Analyzer;
  private second?: Analyzer;
  /** Files whose bytecode was last precompiled, by content hash. */
  private readonly compiled = new Map<string, string>();
  private readonly namesCache = new Map<string, { sha: string; names: string[] }>();

  constructor(private readonly o: AnalyzersOptions) {}

  analyzer(): Analyzer {
    this.first ??= this.newAnalyzer();
    return this.first;
  }

  /** The second analyzer, for the other half of big canonicalisation batches (started on first need). */
  analyzer2(): Analyzer {
    this.second ??= this.newAnalyzer();
    return this.second;
  }

  private newAnalyzer(): Analyzer {
    return new Analyzer({
      python: this.o.python(),
      script: analyzerScript(this.o.workerDir()),
      sandbox: this.o.sandbox() ? { roots: [this.o.root], pycacheDir: this.o.pycacheDir } : undefined,
      onLog: (l) => this.o.log?.(`[analyzer] ${l}`),
    });
  }

  /**
   * Precompiles changed workspace modules in the background, so workers that start or restart skip compiling
   * them. Failures only cost that speed-up.
   */
  precompile(files: Map<string, WorkspaceFile>, overrides?: Map<string, string>): void {
    const todo = [...files.values()].filter((f) => !overrides?.has(f.path) && !f.parse.syntaxError && this.compiled.get(f.path) !== f.sha);
    if (!todo.length) return;
    for (const f of todo) this.compiled.set(f.path, f.sha);
    // On the second analyzer, so it overlaps canonicalisation on the first and is done before the workers import.
    this.analyzer2()
      .precompile(this.o.pycacheDir, todo.map((f) => ({ path: f.path, source: f.text })))
      .catch((e: Error) => {
        for (const f of todo) this.compiled.delete(f.path);
        this.o.log?.(`precompile failed: ${e.message}`);
      });
  }

  /** Forgets what was precompiled (the bytecode folder is being cleared). */
  forgetCompiled(): void {
    this.compiled.clear();
  }

  /** Names a solver file can use: its star-imported workspace modules' names (recursively), e.g. dsl and constants. */
  private async dslNames(file: string, text: string, seen = new Set<string>(), own?: NamesResult): Promise<string[]> {
    seen.add(file);
    const detail = own ?? (await this.analyzer().namesDetailed(file, text));
    const out = new Set<string>(detail.names);
    for (const imp of detail.starImports) {
      const target = resolveImport(this.o.root, file, imp, (p) => fs.existsSync(p));
      if (!target || seen.has(target)) continue;
      let t: string;
      try {
        t = await fs.promises.readFile(target, 'utf8');
      } catch {
        continue;
      }
      const sha = sha256(t);
      const cached = this.namesCache.get(target);
      let names: string[];
      if (cached && cached.sha === sha) names = cached.names;
      else {
        names = await this.dslNames(target, t, seen);
        this.namesCache.set(target, { sha, names });
      }
      for (const n of names) out.add(n);
    }
    return [...out];
  }

  /** The arc-dsl formatting rules (domain.md §7) on a solver file's current text, or its syntax error (code `syntax`). */
  async lint(file: string, text: string): Promise<LintProblem[]> {
    const own = await this.analyzer().namesDetailed(file, text);
    // a module that does not parse has nothing to lint: its syntax error is the problem, reported as you type
    const e = own.syntaxError;
    if (e) return [{ line: e.line, col: e.col, endCol: e.col + 1, severity: 'error', code: 'syntax', message: `SyntaxError: ${e.message}` }];
    const names = await this.dslNames(file, text, new Set(), own);
    return this.analyzer().lint(file, text, names);
  }

  dispose(): void {
    this.first?.dispose();
    this.second?.dispose();
    this.first = this.second = undefined;
  }
}
