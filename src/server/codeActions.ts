/**
 * Code actions on batt diagnostics: a verdict that names a pair (its `data`, diagnostics.ts) offers "Show <kind> pair
 * <n> in the batt panel", a quick fix whose command (SHOW_PAIR_COMMAND, run by the extension) opens the panel's
 * leaderboard of that task with the candidate selected and the pair in view. Pure: no connection.
 */
import { CodeAction, CodeActionKind, type CodeActionParams, type Diagnostic } from 'vscode-languageserver/node';
import { parsePairRef, SHOW_PAIR_COMMAND, type PairRef } from '../protocol/codeActions';
import { SOURCE } from './diagnostics';

/** The kinds of action the server offers (its codeActionProvider capability). */
export const CODE_ACTION_KINDS: string[] = [CodeActionKind.QuickFix];

export function showPairTitle(p: PairRef): string {
  return `Show ${p.kind} pair ${p.index} in the batt panel`;
}

/** Is an action of `kind` asked for by the request's `only` (absent = every kind; kinds are dot-separated prefixes)? */
function wanted(kind: string, only: string[] | undefined): boolean {
  return !only || only.some((k) => k === '' || k === kind || kind.startsWith(`${k}.`));
}

/** The actions of one verdict diagnostic naming a pair. ("Trace this solver", from the trace issue, joins them here.) */
function verdictActions(d: Diagnostic, ref: PairRef): CodeAction[] {
  const title = showPairTitle(ref);
  return [{ title, kind: CodeActionKind.QuickFix, diagnostics: [d], command: { title, command: SHOW_PAIR_COMMAND, arguments: [ref] } }];
}

/**
 * The actions for the diagnostics of a request's context: each `batt` diagnostic whose data names a pair gets its
 * actions, once per pair (a pair named by two diagnostics is offered once); lint and other sources get none.
 */
export function codeActions(params: CodeActionParams): CodeAction[] {
  if (!wanted(CodeActionKind.QuickFix, params.context.only)) return [];
  const out: CodeAction[] = [];
  const seen = new Set<string>();
  for (const d of params.context.diagnostics) {
    if (d.source !== SOURCE) continue;
    const ref = parsePairRef(d.data);
    if (!ref) continue;
    const key = JSON.stringify([ref.taskId, ref.candidate, ref.kind, ref.index]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(...verdictActions(d, ref));
  }
  return out;
}
