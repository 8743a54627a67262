/**
 * A trace's values as compact text, shared by the editor's inline values (src/extension/inlineValues.ts) and the
 * hover (traceHover.ts): one short text per pair, demo pairs then test (`5 obj · 5 obj · 7 obj | 6 obj`), the
 * values that diverge marked `≠`, the exception of a pair that raised on this line `✗ IndexError: …`, `–` for a
 * pair that never reached the line. Plain data in, strings out: no vscode, no node builtins.
 */
import type { TraceJson, TraceLine, TracePair, TraceValue } from '../protocol/trace';

/** The mark in front of a divergent value. */
export const ODD_MARK = '≠';
/** The mark in front of a pair's exception. */
export const ERROR_MARK = '✗';
/** A pair that raised (or timed out) before this line. */
export const NO_VALUE = '–';
const MAX_VALUE = 24;
const MAX_ERROR = 40;

export function clip(s: string, max: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

function isEmpty(v: TraceValue): boolean {
  if (v.type === 'grid') return !v.shape || v.shape[0] * v.shape[1] === 0;
  return v.size === 0;
}

/** What a value is, coarsely: its kind and whether it is empty. */
function kindOf(v: TraceValue): string {
  return isEmpty(v) ? `${v.type}:empty` : v.type;
}

/** Its kind and size (a grid's shape, a container's length, else its text). */
function sizeOf(v: TraceValue): string {
  return `${v.type}:${v.shape ? v.shape.join('x') : v.size ?? v.summary}`;
}

const failed = (p: TracePair | undefined) => !!p && p.status !== 'pass' && p.status !== 'unknown' && p.status !== 'skipped' && p.status !== 'cancelled';

/**
 * The pairs (indices into trace.pairs) whose value on this line diverges: its kind or emptiness differs from the
 * most common one (a strict majority), or — every passing pair agreeing on kind and size, at least two of them — a
 * failing pair's differs from theirs. Exceptions are not divergent values (they are shown as exceptions).
 */
export function oddPairs(line: TraceLine, pairs: readonly TracePair[]): Set<number> {
  const vals = line.values.filter((v) => !v.error);
  const odd = new Set<number>();
  if (vals.length < 2) return odd;
  const counts = new Map<string, number>();
  for (const v of vals) counts.set(kindOf(v), (counts.get(kindOf(v)) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  if (ranked.length > 1 && ranked[0][1] > ranked[1][1]) {
    for (const v of vals) if (kindOf(v) !== ranked[0][0]) odd.add(v.pair);
    return odd;
  }
  const passing = vals.filter((v) => pairs[v.pair]?.status === 'pass');
  const sizes = new Set(passing.map(sizeOf));
  if (passing.length >= 2 && sizes.size === 1) {
    const [agreed] = sizes;
    for (const v of vals) if (failed(pairs[v.pair]) && sizeOf(v) !== agreed) odd.add(v.pair);
  } else if (ranked.length > 1) {
    // a tie of kinds: the failing pairs whose kind no passing pair has
    const passKinds = new Set(passing.map(kindOf));
    if (passKinds.size) for (const v of vals) if (failed(pairs[v.pair]) && !passKinds.has(kindOf(v))) odd.add(v.pair);
  }
  return odd;
}

/** One pair's text on a line. */
export function valueText(v: TraceValue | undefined, odd: boolean): string {
  if (!v) return NO_VALUE;
  if (v.error !== undefined) return `${ERROR_MARK} ${clip(v.error, MAX_ERROR)}`;
  const s = clip(v.summary || v.repr || v.type, MAX_VALUE);
  return odd ? `${ODD_MARK}${s}` : s;
}

export type HintKind = 'plain' | 'divergent' | 'error';

export interface LineHint {
  /** 1-based line of the statement */
  line: number;
  source: string;
  text: string;
  kind: HintKind;
}

/** The hint of one line: the pairs' texts, demo pairs joined by ` · `, then ` | ` and the test pairs. */
export function lineHint(line: TraceLine, pairs: readonly TracePair[]): LineHint {
  const odd = oddPairs(line, pairs);
  const byPair = new Map(line.values.map((v) => [v.pair, v]));
  const part = (kind: 'demo' | 'test') =>
    pairs
      .map((p, i) => [p, i] as const)
      .filter(([p]) => p.kind === kind)
      .map(([, i]) => valueText(byPair.get(i), odd.has(i)))
      .join(' · ');
  const text = [part('demo'), part('test')].filter((s) => s).join(' | ');
  const kind: HintKind = line.values.some((v) => v.error !== undefined) ? 'error' : odd.size || line.divergent ? 'divergent' : 'plain';
  return { line: line.line, source: line.source, text, kind };
}

export function traceHints(trace: TraceJson): LineHint[] {
  return trace.lines.map((l) => lineHint(l, trace.pairs));
}

/** The pair's name as the hover's header says it: `demo 0`, `test 1`. */
export function pairName(p: TracePair): string {
  return `${p.kind} ${p.index}`;
}
