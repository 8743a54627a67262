/** Per-phase wall-clock timing of a run, with the unaccounted remainder made explicit. */

export const PHASES = ['startup', 'discover', 'inline', 'score', 'store'] as const;
export type PhaseName = (typeof PHASES)[number];

export interface PhaseTime {
  name: PhaseName | 'unaccounted';
  ms: number;
}

export class PhaseTimer {
  private readonly t0 = performance.now();
  private readonly totals = new Map<PhaseName, number>();

  /** Times `fn` under `phase` (phases may be entered several times; times add up). */
  async time<T>(phase: PhaseName, fn: () => Promise<T> | T): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.add(phase, performance.now() - start);
    }
  }

  add(phase: PhaseName, ms: number): void {
    this.totals.set(phase, (this.totals.get(phase) ?? 0) + ms);
  }

  elapsed(): number {
    return performance.now() - this.t0;
  }

  /** Every phase (0 when not entered) plus `unaccounted` = wall - sum(phases), never negative. */
  phases(wallMs = this.elapsed()): PhaseTime[] {
    const out: PhaseTime[] = PHASES.map((name) => ({ name, ms: round(this.totals.get(name) ?? 0) }));
    const sum = out.reduce((s, p) => s + p.ms, 0);
    out.push({ name: 'unaccounted', ms: round(Math.max(0, wallMs - sum)) });
    return out;
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
