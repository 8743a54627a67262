/**
 * The stdio protocol between the engine's analyzer client (src/engine/workspace/analyzer.ts) and the Python analyzer
 * (src/worker/analyzer/analyze.py), which parses, canonicalises and lints workspace Python without executing it.
 * Mirrored by src/worker/analyzer/protocol.py — change both together (test/unit/analyzerProtocol.test.ts compares
 * them and round-trips sample messages).
 *
 * Transport: newline-delimited JSON (UTF-8), requests on the analyzer's stdin, answers on its stdout. Every request
 * carries a numeric `id` and its `op`; its answer carries the same `id` and `ok`. A success answer holds the op's
 * fields (AnalyzerAnswers); a bad request gets an ErrorAnswer and the process keeps serving.
 */

//#region Node -> analyzer

/**
 * Parse a module: its solve_* functions, batt module, imports and context hash. Incremental per `path` (a save
 * re-parses only the top-level chunks whose text changed), with an answer identical to the whole-module parse.
 */
export interface ParseRequest {
  op: 'parse';
  /** keys the incremental parse cache; without it the module is parsed whole */
  path?: string;
  source: string;
  /** false: leave each function's `source` out of the answer */
  sources?: boolean;
  /** false: force the whole-module parse (tests compare the two) */
  incremental?: boolean;
}

/** Canonical hashes of function sources (each item one def). */
export interface CanonicalRequest {
  op: 'canonical';
  items: CanonicalInput[];
}

export interface CanonicalInput {
  /** echoed in the answer's item */
  key: string;
  source: string;
}

/** The arc-dsl formatting rules on a solver file's text. */
export interface LintRequest {
  op: 'lint';
  /** keys the analyzer's incremental lint/names cache (an edit re-lints only the chunks it changed); "" keys nothing */
  path?: string;
  source: string;
  /** names the file may use besides its own (its star-imported workspace modules') */
  dslNames?: string[];
}

/** The names a module defines at top level. */
export interface NamesRequest {
  op: 'names';
  /** keys the analyzer's incremental lint/names cache (an edit re-lints only the chunks it changed); "" keys nothing */
  path?: string;
  source: string;
}

/** Write hash-checked .pyc files of these sources under `prefix` (the workers' sys.pycache_prefix); runs nothing. */
export interface PrecompileRequest {
  op: 'precompile';
  prefix: string;
  files?: PrecompileFile[];
}

export interface PrecompileFile {
  path: string;
  source: string;
}

/** What the last parse did (tests and logs). */
export interface ParseStatsRequest {
  op: 'parseStats';
}

export type AnalyzerRequest = ParseRequest | CanonicalRequest | LintRequest | NamesRequest | PrecompileRequest | ParseStatsRequest;

export type AnalyzerOp = AnalyzerRequest['op'];

/** A request as written on the wire. */
export type AnalyzerRequestLine = AnalyzerRequest & { id: number };

//#endregion

//#region analyzer -> Node

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
  /** exact source of the def, decorators included (absent when parsed with `sources: false`) */
  source?: string;
}

/**
 * One (t, source) entry of a batt module, sliced into its own standalone program (batt_slice.py): the chain of steps
 * its output depends on.
 */
export interface BattCandidate {
  t: number;
  mutated: boolean;
  source: string;
  /** line of the o.append */
  line: number;
  /**
   * canonical hashes of the plain chain (each try/except step replaced by the assignment it guards), hashed as
   * hand-written solvers are: as (I) then as (S, I, C) when it reads only I, else as (S, I, C); [] with `error`
   */
  hashes: string[];
  /** statements of the plain chain plus its return (0 with `error`) */
  length: number;
  /** global names the plain chain reads, worded as deps.py words a solver's (`x`, `m.x`): its dependency fingerprint */
  reads: string[];
  /** `def solve(I):` or `def solve(S, I, C):` with the chain's steps verbatim (try/except kept), absent with `error` */
  program?: string;
  /** why the entry cannot stand alone (its chain reads task_id, or a name no step assigns before it) */
  error?: string;
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

/** Answer to ParseRequest. */
export interface ParseResult {
  functions: SolverFunction[];
  batt: BattInfo | null;
  imports: ImportInfo[];
  /** sha256 of the module with every solve_* function and batt removed */
  contextHash: string;
  syntaxError: SyntaxErrorInfo | null;
  /** the module's top-level bindings and what they read (deps.py), for primitive-level invalidation */
  symbols: ModuleSymbols;
}

/**
 * A module's symbol table. Hashes are of the AST without positions or docstrings, so comment, blank-line and
 * docstring edits leave them unchanged.
 */
export interface ModuleSymbols {
  /** every statement that runs on import, in order (the fallback when the module is opaque) */
  hash: string;
  /** one per top-level binding statement (and per alias of an import), in source order */
  defs: SymbolDef[];
  /** `from m import *` at top level */
  starImports: StarImport[];
  /** why the table cannot describe the module (module-level code, exec, globals(), ...): the engine then depends on
   *  the whole module; null when it can */
  opaque: OpaqueInfo | null;
  /** getattr & co. on a global with a computed name: opaque when the global is a workspace module */
  dynamic: DynamicLookup[];
}

/** A top-level def, class, assigned name or import alias. */
export interface SymbolDef {
  name: string;
  /** sha256 of the binding statement (for an import alias: of the alias) */
  hash: string;
  /** global names it reads: "x", "m.x" for an attribute of a global, "m.*" for a computed getattr on one */
  reads: string[];
  /** 1-based, decorators excluded */
  line: number;
  endLine: number;
  /** an import alias: `import <module>` or `from <module> import <imported>` (relative by `level` dots) */
  module?: string;
  level?: number;
  imported?: string;
}

export interface OpaqueInfo {
  reason: string;
  line: number;
}

export interface DynamicLookup {
  /** the global looked into */
  name: string;
  line: number;
  /** getattr, setattr, delattr, hasattr, vars, or __dict__ (an attribute read) */
  call: string;
}

export interface CanonicalItem {
  key: string;
  /** sha256 of the canonical form; "" when `error` is set */
  hash: string;
  /** statements in the body, docstring excluded */
  length: number;
  error?: string;
}

/** Answer to CanonicalRequest: one item per input, in order. */
export interface CanonicalResult {
  items: CanonicalItem[];
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

/** Answer to LintRequest (no problems when the module does not parse). */
export interface LintResult {
  problems: LintProblem[];
  syntaxError: SyntaxErrorInfo | null;
}

export interface StarImport {
  module: string;
  level: number;
}

/** Answer to NamesRequest. */
export interface NamesResult {
  names: string[];
  /** `from m import *` at top level: the engine resolves these to add the star-imported module's names */
  starImports: StarImport[];
  syntaxError: SyntaxErrorInfo | null;
}

/** Answer to PrecompileRequest. */
export interface PrecompileResult {
  /** .pyc files written (the others were up to date or do not compile) */
  written: number;
}

/** What one parse did; empty before the first. */
export interface ParseStats {
  mode?: 'incremental' | 'full' | 'forced';
  chunks?: number;
  parsed?: number;
  reused?: number;
  merged?: number;
}

/** Answer to ParseStatsRequest. */
export interface ParseStatsResult {
  last: ParseStats;
  /** the paths the incremental parse cache holds, oldest first */
  paths: string[];
}

/** The success answer of each op. */
export interface AnalyzerAnswers {
  parse: ParseResult;
  canonical: CanonicalResult;
  lint: LintResult;
  names: NamesResult;
  precompile: PrecompileResult;
  parseStats: ParseStatsResult;
}

/** The answer to a request that failed; `id` is null when the request line was not a JSON object with one. */
export interface ErrorAnswer {
  id: number | null;
  ok: false;
  error: string;
}

/** An answer as read from the wire. */
export type AnalyzerAnswerLine<K extends AnalyzerOp = AnalyzerOp> = (AnalyzerAnswers[K] & { id: number; ok: true }) | ErrorAnswer;

//#endregion
