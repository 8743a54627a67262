/** Which solver the cursor is in: plain text in, a function name out (no vscode), for the inline values. */

const DEF = /^(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/;
/** A solver the trace knows: def solve_<task>[_suffix] (as the extension's CANDIDATE_DEF). */
const SOLVER = /^solve_[A-Za-z0-9]+\w*$/;

/**
 * The top-level `solve_*` function whose `def` line or body holds the 0-based `line` (blank and comment lines after
 * the body count as its own), else undefined: another function, module code, no function.
 */
export function solverAt(text: string, line: number): string | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = Math.min(line, lines.length - 1); i >= 0; i--) {
    const l = lines[i];
    if (!l.trim() || /^[ \t]/.test(l) || l.startsWith('#') || l.startsWith(')')) continue;
    const m = DEF.exec(l);
    return m && SOLVER.test(m[1]) ? m[1] : undefined;
  }
  return undefined;
}
