/**
 * Run results -> LSP diagnostics (source `batt`), per file, and lint problems -> `batt-lint` diagnostics. Pure: no
 * connection, no I/O.
 * Each says its verdict once: one pair with its message (for an exception the pair that raised, else the first that did
 * not pass; a mismatch's message is the explainer's, scoring/explain.ts) and the pair counts. An exception is an Error on the expression of the line where it surfaced in
 * the solver; a mismatch, timeout or crash an Error on the `def` line; a duplicate a Hint pointing at its twin; syntax
 * errors and bad task files are diagnostics on those files, Errors or, for ErrorJson severity 'warning', Warnings.
 * A verdict's `data` names the pair its message names (PairRef), for "Show pair N in the batt panel".
 */
import { Diagnostic, DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver/node';
import { pathToFileURL } from 'url';
import type { LintProblem } from '../engine/workspace/analyzer';
import type { PairRef } from '../protocol/codeActions';
import type { CandidateJson, ErrorJson, PairJson, RunJson } from '../protocol/results';

export const SOURCE = 'batt';

function line0(line: number | undefined): number {
  return Math.max(0, (line ?? 1) - 1);
}

function wholeLine(line: number): Diagnostic['range'] {
  return { start: { line: line0(line), character: 0 }, end: { line: line0(line), character: 10000 } };
}

/**
 * The part of a line that raised: without its indentation, an assignment's target (`x3 = `) or `return`, and a
 * trailing comment. The whole line when its text is unknown.
 */
export function expressionRange(line: number, text: string | undefined): Diagnostic['range'] {
  if (text === undefined) return wholeLine(line);
  const indent = text.length - text.trimStart().length;
  const head = /^\s*(?:[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*\s*=(?!=)\s*|return\s+)?/.exec(text)![0].length;
  let end = codeEnd(text);
  while (end > indent && /\s/.test(text[end - 1])) end--;
  const start = head < end ? head : indent;
  return { start: { line: line0(line), character: start }, end: { line: line0(line), character: Math.max(end, start + 1) } };
}

/** Where a line's code ends: at a `#` outside string quotes, else the line's end. */
function codeEnd(text: string): number {
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') return i;
  }
  return text.length;
}

/** The first demo pair, then test pair, that did not pass (an unknown test output is no failure). */
function firstFailure(c: CandidateJson): PairJson | undefined {
  return c.pairs.find((x) => x.kind === 'demo' && x.status !== 'pass') ?? c.pairs.find((x) => x.kind === 'test' && x.status !== 'pass' && x.status !== 'unknown');
}

/** A verdict diagnostic's `data` (when it names a pair): that pair, for the code actions (server/codeActions.ts). */
function pairData(taskId: string, c: CandidateJson, p: PairJson | undefined): { data?: PairRef } {
  return p ? { data: { taskId, candidate: c.name, kind: p.kind, index: p.index } } : {};
}

function pairText(p: PairJson): string {
  return p.message ?? p.status;
}

/**
 * The pair counts and one pair with its message: `focus`, else the first demo pair, then test pair, that did not pass,
 * e.g. "demo 2/3 — pair 1: expected 3x3, got 9x9; test 0/1".
 */
export function verdictText(c: CandidateJson, focus?: PairJson): string {
  const p = focus ?? firstFailure(c);
  const at = (kind: PairJson['kind']) => (p?.kind === kind ? ` — pair ${p.index}: ${pairText(p)}` : '');
  const unknown = c.test.unknown ? ` (${c.test.unknown} unknown)` : '';
  return `demo ${c.demo.passed}/${c.demo.total}${at('demo')}; test ${c.test.passed}/${c.test.total}${unknown}${at('test')}`;
}

/** The text of a line of a file (1-based), undefined when it cannot be read. */
export type LineText = (file: string, line: number) => string | undefined;

function candidateDiagnostic(c: CandidateJson, taskId: string, byName: Map<string, CandidateJson>, lineText: LineText): Diagnostic | undefined {
  if (c.duplicateOf) {
    const twin = byName.get(c.duplicateOf);
    return {
      severity: DiagnosticSeverity.Hint,
      source: SOURCE,
      code: 'duplicate',
      range: wholeLine(c.line),
      message: `${c.name} is the same program as ${c.duplicateOf}${twin ? ` (line ${twin.line})` : ''}; it is not run again`,
      tags: [DiagnosticTag.Unnecessary],
      relatedInformation: twin ? [{ location: { uri: pathToFileURL(twin.file).toString(), range: wholeLine(twin.line) }, message: `${twin.name} is defined here` }] : undefined,
    };
  }
  if (c.status === 'pass') return undefined;
  const task = ` [task ${taskId}]`;
  if (c.status === 'error') {
    const p = c.pairs.find((x) => x.status === 'error');
    const e = p?.error;
    const inFile = e && e.file === c.file && e.line ? e.line : undefined;
    return {
      severity: DiagnosticSeverity.Error,
      source: SOURCE,
      code: e?.type ?? 'error',
      range: inFile ? expressionRange(inFile, lineText(c.file, inFile)) : wholeLine(c.line),
      message: `${c.name}: ${verdictText(c, p)}${task}`,
      ...pairData(taskId, c, p ?? firstFailure(c)),
      relatedInformation:
        e?.dslFile && e.dslLine
          ? [{ location: { uri: pathToFileURL(e.dslFile).toString(), range: wholeLine(e.dslLine) }, message: `raised in ${e.dslFunc ?? 'the DSL'}` }]
          : undefined,
    };
  }
  const code = c.status === 'fail' ? 'mismatch' : c.status;
  return {
    severity: DiagnosticSeverity.Error,
    source: SOURCE,
    code,
    range: wholeLine(c.line),
    message: `${c.name}: ${verdictText(c)}${task}`,
    ...pairData(taskId, c, firstFailure(c)),
  };
}

function errorDiagnostic(e: ErrorJson): Diagnostic {
  const line = line0(e.line);
  const col = Math.max(0, (e.col ?? 1) - 1);
  return {
    severity: e.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error,
    source: SOURCE,
    code: e.kind,
    range: { start: { line, character: e.line ? col : 0 }, end: { line, character: e.line ? col + 1 : 10000 } },
    message: `${e.place ? `${e.place}: ` : ''}${e.message}`,
  };
}

/** Is this candidate written for this task (solve_<task>[_suffix], or a batt entry from that task)? */
export function ownTask(c: CandidateJson, taskId: string): boolean {
  return c.name === `solve_${taskId}` || c.name.startsWith(`solve_${taskId}_`) || c.name.endsWith(`:${taskId}`);
}

/**
 * Diagnostics per absolute file path, then per key (candidate name, or "input" for syntax and task-file errors), for
 * every candidate file and every file with an input error in the run. Only a candidate's verdict on its own task becomes
 * a diagnostic: a battery's transfer attempts on other tasks are leaderboard material, not errors in the solver.
 * `lineText` gives the source lines an exception's range is cut to.
 */
export function runDiagnostics(run: RunJson, lineText: LineText = () => undefined): Map<string, Map<string, Diagnostic[]>> {
  const out = new Map<string, Map<string, Diagnostic[]>>();
  const push = (file: string, key: string, d?: Diagnostic) => {
    const byKey = out.get(file) ?? new Map<string, Diagnostic[]>();
    const list = byKey.get(key) ?? [];
    if (d) list.push(d);
    byKey.set(key, list);
    out.set(file, byKey);
  };
  for (const t of run.tasks) {
    const own = t.candidates.filter((c) => ownTask(c, t.id));
    const byName = new Map(own.map((c) => [c.name, c]));
    for (const c of own) push(c.file, c.name, candidateDiagnostic(c, t.id, byName, lineText));
  }
  for (const e of run.errors) {
    if (e.kind === 'config' && !e.line) push(e.file, 'input', { ...errorDiagnostic(e), severity: DiagnosticSeverity.Warning });
    else push(e.file, 'input', errorDiagnostic(e));
  }
  return out;
}

export const LINT_SOURCE = 'batt-lint';

/** The analyzer's lint problems (1-based lines and columns, endCol exclusive) as `batt-lint` diagnostics. */
export function lintDiagnostics(problems: LintProblem[]): Diagnostic[] {
  return problems.map((p) => ({
    severity: p.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: LINT_SOURCE,
    code: p.code,
    message: p.message,
    range: { start: { line: p.line - 1, character: p.col - 1 }, end: { line: p.line - 1, character: Math.max(p.col, p.endCol - 1) } },
  }));
}
