/**
 * The CodeLens actions above each solver, shared by the server (which offers them, src/server/codeLens.ts) and the
 * extension (which runs their commands and validates the arguments). No vscode, no node builtins.
 */
import type { SolverRef } from './lsp';

/** `Run`: the solver on its own task now, through the pool (its diagnostics and lens update). */
export const RUN_SOLVER_COMMAND = 'batt.runSolver';
/** `Try on every task`: the battery for this one candidate (every task of the workspace), results in the panel. */
export const TRY_EVERY_TASK_COMMAND = 'batt.tryOnEveryTask';
/** `Trace`: the solver's values line by line (issue 12). */
export const TRACE_SOLVER_COMMAND = 'batt.traceSolver';

/** A top-level solver definition line: `def solve_<task>[_suffix](`; group 1 its name. */
export const SOLVER_DEF = /^def (solve_\w+)\s*\(/;

const SOLVER = /^[A-Za-z_][A-Za-z0-9_]{0,199}$/;

/** A copy of `v` when it is exactly a SolverRef (a file URI and a Python function name), else undefined. */
export function parseSolverRef(v: unknown): SolverRef | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (!Object.keys(o).every((k) => k === 'uri' || k === 'solver')) return undefined;
  const { uri, solver } = o;
  if (typeof uri !== 'string' || !uri.startsWith('file:') || uri.length > 4096) return undefined;
  if (typeof solver !== 'string' || !SOLVER.test(solver)) return undefined;
  return { uri, solver };
}
