/**
 * Where a failing pair's trace first parts from the passing pairs': the cell the Trace view highlights. Pure (no DOM),
 * on the shared TraceJson shape.
 */
import type { TraceJson, TracePair, TraceValue } from '../protocol/trace';

/** Verdicts of a pair that went wrong (skipped, cancelled and unknown are neither passing nor failing). */
const FAILING: ReadonlySet<TracePair['status']> = new Set(['fail', 'error', 'timeout', 'crash']);

export function isFailing(status: TracePair['status']): boolean {
  return FAILING.has(status);
}

/** The first line (an index into `trace.lines`) at which a failing pair (an index into `trace.pairs`) diverges. */
export interface Divergence {
  pair: number;
  line: number;
}

/** Size of a value: a grid's (or a bounding box's) shape, else a container's element count. */
function sizeOf(v: TraceValue): string | undefined {
  if (v.shape) return `${v.shape[0]}x${v.shape[1]}`;
  return v.size === undefined ? undefined : String(v.size);
}

/** An empty container or grid; undefined for values that have no size (numbers, booleans, functions). */
function emptyOf(v: TraceValue): boolean | undefined {
  if (v.size !== undefined) return v.size === 0;
  if (v.shape) return v.shape[0] * v.shape[1] === 0;
  return undefined;
}

/** The one value every reference has (by `key`), or undefined when they disagree or do not say. */
function shared<T>(refs: TraceValue[], key: (v: TraceValue) => T | undefined): T | undefined {
  const first = key(refs[0]);
  return refs.every((r) => key(r) === first) ? first : undefined;
}

/**
 * Whether a failing pair's value at a line differs from the passing pairs' values there: it raised; it has no value
 * where they have one (it timed out or crashed before the line); its kind is none of theirs; it is empty where they all
 * are not, or the other way round; or its size differs from the one size they all share. A size difference counts only
 * when at least two passing pairs agree on it: one pair's size is not yet a pattern (inputs differ in size).
 */
export function differs(v: TraceValue | undefined, refs: TraceValue[]): boolean {
  if (v?.error) return true;
  if (!refs.length) return false;
  if (!v) return true;
  if (!refs.some((r) => r.type === v.type)) return true;
  const empty = shared(refs, emptyOf);
  const own = emptyOf(v);
  if (empty !== undefined && own !== undefined && own !== empty) return true;
  if (refs.length < 2) return false;
  const size = shared(refs, sizeOf);
  return size !== undefined && sizeOf(v) !== undefined && sizeOf(v) !== size;
}

/**
 * For each failing pair (fail, error, timeout, crash), the first line whose value differs from the passing pairs'
 * (see `differs`); a failing pair that never differs in kind, size or emptiness (a wrong output of the right shape)
 * has none. With no passing pair, only the line that raised counts.
 */
export function firstDivergences(trace: TraceJson): Divergence[] {
  const passing = trace.pairs.flatMap((p, i) => (p.status === 'pass' ? [i] : []));
  const out: Divergence[] = [];
  trace.pairs.forEach((p, pair) => {
    if (!isFailing(p.status)) return;
    const line = trace.lines.findIndex((l) => {
      const refs = l.values.filter((v) => passing.includes(v.pair) && !v.error);
      return differs(l.values.find((v) => v.pair === pair), refs);
    });
    if (line >= 0) out.push({ pair, line });
  });
  return out;
}
