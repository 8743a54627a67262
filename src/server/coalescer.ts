/**
 * Coalesces a stream of states into notifications: at most one per interval (leading edge: the first state after a
 * quiet interval goes at once), only when the state differs from the last one sent, and the latest state always goes
 * out at the end of the interval (trailing edge), so a final state is never lost.
 */
import { Clock, realClock } from './clock';

/** 100 ms: at most ~10 notifications a second per stream. */
export const COALESCE_MS = 100;

export class Coalescer<T> {
  private lastKey?: string;
  private lastSentAt = -Infinity;
  private pending?: { value: T; key: string };
  private timer?: unknown;

  constructor(
    private readonly send: (value: T) => void,
    private readonly intervalMs = COALESCE_MS,
    private readonly clock: Clock = realClock,
    private readonly key: (value: T) => string = (v) => JSON.stringify(v),
  ) {}

  push(value: T): void {
    this.pending = { value, key: this.key(value) };
    if (this.timer !== undefined) return;
    const wait = this.lastSentAt + this.intervalMs - this.clock.now();
    if (wait <= 0) this.emit();
    else this.timer = this.clock.setTimeout(() => this.emit(), wait);
  }

  /** Sends the pending state now (e.g. a run's last progress when it ends). */
  flush(): void {
    this.emit();
  }

  /** Drops the pending state and its timer. */
  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.pending = undefined;
  }

  private emit(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.pending;
    this.pending = undefined;
    if (!p || p.key === this.lastKey) return;
    this.lastKey = p.key;
    this.lastSentAt = this.clock.now();
    this.send(p.value);
  }
}
