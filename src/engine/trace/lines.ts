/**
 * From the trace jobs' answers (one WireTrace per pair) to TraceJson lines: one line per traced statement, a value per
 * pair that reached it, the exception on the line where a pair raised, and the `divergent` mark.
 */
import type { TraceLine, TracePair, TraceValue, TraceValueType } from '../../protocol/trace';
import type { WireTrace } from '../../protocol/worker';

const TYPES: ReadonlySet<string> = new Set<TraceValueType>(['grid', 'object', 'objects', 'indices', 'int', 'bool', 'tuple', 'function', 'other']);

/**
 * The lines of the traces, in line order. `traces[p]` is pair p's answer (undefined: the pair has no trace: a crash,
 * a wall-clock timeout, a cancel). `text(line)` is the file's line (for a statement listed only because it raised).
 */
export function traceLines(traces: Array<WireTrace | undefined>, text: (line: number) => string): TraceLine[] {
  const byLine = new Map<number, TraceLine>();
  const lineOf = (line: number, name: string, source: string): TraceLine => {
    let l = byLine.get(line);
    if (!l) {
      l = { line, name, source, values: [] };
      byLine.set(line, l);
    }
    return l;
  };
  traces.forEach((t, pair) => {
    if (!t) return;
    const lines = t.steps.map((s) => lineOf(s.line, s.name, s.source));
    for (const v of t.values) {
      const line = lines[v.step];
      if (!line) continue;
      const { step: _step, ...rest } = v;
      line.values.push({ ...rest, pair, type: TYPES.has(v.type) ? (v.type as TraceValueType) : 'other' });
    }
    const stop = t.error;
    if (stop) {
      const line = lines[stop.step] ?? lineOf(stop.line, '', text(stop.line).trim());
      const word = /^([A-Za-z_][\w.]*):/.exec(stop.text)?.[1] ?? (stop.text.startsWith('timed out') ? 'timeout' : 'error');
      line.values.push({ pair, type: 'other', summary: word, error: stop.text });
    }
  });
  return [...byLine.values()].sort((a, b) => a.line - b.line);
}

/** A pair whose verdict is a failure of the candidate (not a pass, not unknown, not a pair that did not run). */
function failing(p: TracePair): boolean {
  return p.status === 'fail' || p.status === 'error' || p.status === 'timeout' || p.status === 'crash';
}

/** What a value is compared by: its kind, its size (grid shape, container size, the number or truth itself), emptiness. */
function signature(v: TraceValue): { kind: string; size: string; empty: boolean } {
  if (v.error !== undefined) return { kind: 'error', size: '', empty: false };
  const size = v.shape && v.type === 'grid' ? v.shape.join('x') : v.size !== undefined ? String(v.size) : v.type === 'int' || v.type === 'bool' ? v.summary : '';
  return { kind: v.type, size, empty: v.size === 0 };
}

/**
 * Marks the lines whose value differs between pairs in kind or emptiness (an exception counts as a kind), or whose
 * size on a failing pair differs from the one size every passing pair (two or more) agrees on. Sizes that merely vary from pair to
 * pair (inputs of other sizes, more objects) are not marked: they would mark nearly every line of a working solver.
 */
export function markDivergent(lines: TraceLine[], pairs: TracePair[]): void {
  for (const line of lines) {
    const sigs = line.values.map((v) => ({ pair: v.pair, ...signature(v) }));
    if (sigs.length < 2) continue;
    const kinds = new Set(sigs.map((s) => s.kind));
    const empties = new Set(sigs.map((s) => s.empty));
    let divergent = kinds.size > 1 || empties.size > 1;
    if (!divergent) {
      const passed = sigs.filter((s) => pairs[s.pair]?.status === 'pass');
      const passing = new Set(passed.map((s) => s.size));
      if (passed.length >= 2 && passing.size === 1 && sigs.some((s) => pairs[s.pair] && failing(pairs[s.pair]) && !passing.has(s.size))) divergent = true;
    }
    if (divergent) line.divergent = true;
    else delete line.divergent;
  }
}

/**
 * The pairs whose value on a divergent line is the odd one: a signature other than the one every passing pair shares,
 * else than the one most pairs share, else (no single most common one) the pairs that raised there.
 */
export function oddPairs(line: TraceLine, pairs: TracePair[]): Set<number> {
  const sig = (v: TraceValue) => {
    const s = signature(v);
    return `${s.kind}|${s.size}|${s.empty}`;
  };
  const passing = new Set(line.values.filter((v) => pairs[v.pair]?.status === 'pass').map(sig));
  const counts = new Map<string, number>();
  for (const v of line.values) counts.set(sig(v), (counts.get(sig(v)) ?? 0) + 1);
  const top = Math.max(0, ...counts.values());
  const leaders = [...counts].filter(([, n]) => n === top).map(([s]) => s);
  const normal = passing.size === 1 ? [...passing][0] : leaders.length === 1 ? leaders[0] : undefined;
  const odd = normal !== undefined ? line.values.filter((v) => sig(v) !== normal) : line.values.filter((v) => v.error !== undefined);
  return new Set(odd.map((v) => v.pair));
}
