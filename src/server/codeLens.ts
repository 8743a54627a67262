/**
 * CodeLens above each solver (a top-level `def solve_...(` in a Python file): its verdict on its own task
 * (`demo 3/3 · test 1/1 · 0.4 ms`, or the first problem: the explainer's short form of a mismatch, the exception's
 * type) and the actions Run, Trace and Try on every task. The verdicts are every completed run's, kept per file and
 * solver until a newer verdict of that solver arrives: a lens's text changes only when its new text is ready (nothing
 * is blanked while a run goes, so the lines never jump). Pure: no connection, no I/O.
 */
import * as path from 'path';
import type { CodeLens } from 'vscode-languageserver/node';
import { SHOW_PAIR_COMMAND, type PairRef } from '../protocol/codeActions';
import { RUN_SOLVER_COMMAND, SOLVER_DEF, TRACE_SOLVER_COMMAND, TRY_EVERY_TASK_COMMAND } from '../protocol/codeLens';
import type { RunReason, SolverRef } from '../protocol/lsp';
import type { CandidateJson, PairJson, RunJson } from '../protocol/results';
import { ownTask } from './diagnostics';

/** A solver's newest verdict on its own task. */
export interface LensVerdict {
  taskId: string;
  candidate: CandidateJson;
  /** looked up in the cache when the workspace opened (nothing ran) */
  cached: boolean;
}

/** What a lens knows of a solver: its verdict, 'no task' (its folder's tasks are known and none is its own), or nothing. */
export type LensState = LensVerdict | 'no task' | undefined;

/** Every solver's newest verdict on its own task, by file and name, from the completed runs. */
export class LensVerdicts {
  private readonly byFile = new Map<string, Map<string, LensVerdict>>();
  /** each folder's task ids, from its last run that loaded them all (a save's or "Run every task"'s) */
  private readonly taskIds = new Map<string, string[]>();

  /**
   * A completed run: its candidates' verdicts on their own tasks replace theirs (a battery's transfers on other tasks
   * are not a solver's verdict); the cached verdicts of the workspace's opening fill only solvers nothing newer is
   * known for. True when a verdict was set (or the folder's task list changed).
   */
  add(run: RunJson, reason: RunReason): boolean {
    let changed = false;
    if (reason === 'save' || reason === 'manual') {
      const ids = run.tasks.map((t) => t.id);
      changed = JSON.stringify(ids) !== JSON.stringify(this.taskIds.get(run.workspace));
      this.taskIds.set(run.workspace, ids);
    }
    for (const t of run.tasks) {
      for (const c of t.candidates) {
        if (!ownTask(c, t.id)) continue;
        const m = this.byFile.get(c.file) ?? new Map<string, LensVerdict>();
        this.byFile.set(c.file, m);
        if (reason === 'cache' && m.has(c.name)) continue;
        m.set(c.name, { taskId: t.id, candidate: c, cached: reason === 'cache' });
        changed = true;
      }
    }
    return changed;
  }

  /** A solver's state (its folder: the innermost one with known tasks that holds the file). */
  get(file: string, name: string): LensState {
    const v = this.byFile.get(file)?.get(name);
    if (v) return v;
    const root = [...this.taskIds.keys()].filter((r) => file.startsWith(r + path.sep)).sort((a, b) => b.length - a.length)[0];
    const ids = root ? this.taskIds.get(root)! : undefined;
    return ids && !ids.some((id) => name === `solve_${id}` || name.startsWith(`solve_${id}_`)) ? 'no task' : undefined;
  }
}

/** A solver definition of a document: its name and the 0-based line of its `def`. */
export interface SolverDef {
  name: string;
  line: number;
  /** the character after the function name */
  end: number;
}

/** The top-level `def solve_...(` lines of a document's text, in order. */
export function solverDefs(text: string): SolverDef[] {
  const out: SolverDef[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = SOLVER_DEF.exec(lines[i]);
    if (m) out.push({ name: m[1], line: i, end: 4 + m[1].length });
  }
  return out;
}

/** A duration for a lens: `0.4 ms`, `12 ms`, `2.1 s`; under 0.05 ms `< 0.1 ms`. */
export function formatMs(ms: number): string {
  if (ms < 0.05) return '< 0.1 ms';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The pair a lens names: the first demo pair, then test pair, with the candidate's (worst) status, so an exception's
 * lens names the pair that raised as its diagnostic does; else the first with any problem (not a pass, an unknown
 * output or a pair that did not run).
 */
function firstProblem(c: CandidateJson): PairJson | undefined {
  const bad = (p: PairJson) => p.status !== 'pass' && p.status !== 'unknown' && p.status !== 'skipped' && p.status !== 'cancelled';
  const first = (ok: (p: PairJson) => boolean) => c.pairs.find((p) => p.kind === 'demo' && ok(p)) ?? c.pairs.find((p) => p.kind === 'test' && ok(p));
  return first((p) => bad(p) && p.status === c.status) ?? first(bad);
}

/** A problem pair in a few words: a mismatch's short form, an exception's type (and DSL function), a timeout, a crash. */
export function problemText(p: PairJson): string {
  if (p.status === 'fail') return p.mismatch?.short ?? 'wrong output';
  if (p.status === 'error') return p.error?.type ? `${p.error.type}${p.error.dslFunc ? ` in ${p.error.dslFunc}` : ''}` : 'error';
  if (p.status === 'timeout') return p.timedOutBy === 'wall' ? 'timeout (wall clock)' : p.timedOutBy === 'import' ? 'timeout (import)' : 'timeout';
  return p.status;
}

/**
 * The verdict lens's text: `demo 3/3 · test 1/1 · 0.4 ms` for a pass, `demo 1/3 · test 0/1 · demo 1: rotated 180°`
 * for a problem (its first pair), `· cached` when it came from the cache at the workspace's opening, a duplicate's
 * twin; `not run yet` when no verdict is known, and when the folder's tasks are known but none is the solver's, so.
 */
export function verdictTitle(v: LensState): string {
  if (!v) return 'batt: not run yet';
  if (v === 'no task') return 'batt: its task is not in the tasks folder';
  const c = v.candidate;
  const unknown = c.test.unknown ? ` (${c.test.unknown} unknown)` : '';
  const parts = [`demo ${c.demo.passed}/${c.demo.total}`, `test ${c.test.passed}/${c.test.total}${unknown}`];
  const p = firstProblem(c);
  const notRun = c.pairs.filter((x) => x.status === 'skipped' || x.status === 'cancelled').length;
  if (p) parts.push(`${p.kind} ${p.index}: ${problemText(p)}`);
  else if (notRun) parts.push(`${notRun} pair${notRun === 1 ? '' : 's'} not run`);
  else parts.push(formatMs(c.ms));
  if (c.duplicateOf) parts.push(`same as ${c.duplicateOf}`);
  if (v.cached) parts.push('cached');
  const mark = c.solved ? '$(pass) ' : p ? '$(error) ' : '';
  return mark + parts.join(' · ');
}

/** The verdict lens's command: a problem pair opens in the panel's pair view; else the lens is a label. */
function verdictCommand(v: LensState): { command: string; arguments?: unknown[] } {
  const p = v && v !== 'no task' ? firstProblem(v.candidate) : undefined;
  if (!v || v === 'no task' || !p) return { command: '' };
  const ref: PairRef = { taskId: v.taskId, candidate: v.candidate.name, kind: p.kind, index: p.index };
  return { command: SHOW_PAIR_COMMAND, arguments: [ref] };
}

/**
 * The lenses of a document: above each solver its verdict, `Run`, `Trace` and `Try on every task`.
 * `verdict` gives a solver's newest verdict by name (the document's file is the caller's business).
 */
export function solverLenses(uri: string, text: string, verdict: (name: string) => LensState): CodeLens[] {
  const out: CodeLens[] = [];
  for (const d of solverDefs(text)) {
    const range = { start: { line: d.line, character: 0 }, end: { line: d.line, character: d.end } };
    const ref: SolverRef = { uri, solver: d.name };
    const v = verdict(d.name);
    out.push({ range, command: { title: verdictTitle(v), ...verdictCommand(v) } });
    out.push({ range, command: { title: 'Run', command: RUN_SOLVER_COMMAND, arguments: [ref] } });
    out.push({ range, command: { title: 'Trace', command: TRACE_SOLVER_COMMAND, arguments: [ref] } });
    out.push({ range, command: { title: 'Try on every task', command: TRY_EVERY_TASK_COMMAND, arguments: [ref] } });
  }
  return out;
}
