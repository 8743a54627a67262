/**
 * Timeout quarantine (one run): a candidate — a single solver, or a batt module, whose one call scores all its
 * entries — that timed out on `limit` distinct tasks is not started on further tasks. Its not yet started transfer
 * jobs listen to the candidate's own signal, which this aborts (the pool drops them from its queue, or stops them).
 */
export class Quarantine {
  private readonly timedOutOn = new Map<string, Set<string>>();
  private readonly controllers = new Map<string, AbortController>();
  private readonly onRunAbort = () => {
    for (const c of this.controllers.values()) c.abort();
  };

  /** `limit` 0 = never quarantine; `run` the run's signal, which every candidate's signal follows. */
  constructor(
    readonly limit: number,
    private readonly run?: AbortSignal,
  ) {
    run?.addEventListener('abort', this.onRunAbort, { once: true });
  }

  /** The verdict of a pair the candidate `key` got on `taskId` (fresh or cached): counts it if it is a timeout. */
  note(key: string, taskId: string, status: string): void {
    if (status !== 'timeout' || this.limit <= 0) return;
    const tasks = this.timedOutOn.get(key) ?? new Set<string>();
    tasks.add(taskId);
    this.timedOutOn.set(key, tasks);
    if (tasks.size >= this.limit) this.controller(key).abort();
  }

  has(key: string): boolean {
    return this.limit > 0 && (this.timedOutOn.get(key)?.size ?? 0) >= this.limit;
  }

  /** What a quarantined candidate's pairs say. */
  get message(): string {
    return `skipped (timed out on ${this.limit} task${this.limit === 1 ? '' : 's'})`;
  }

  /** The signal of a job that quarantine may drop: aborted with the run, or when `key` is quarantined. */
  signal(key: string): AbortSignal | undefined {
    return this.limit > 0 ? this.controller(key).signal : this.run;
  }

  dispose(): void {
    this.run?.removeEventListener('abort', this.onRunAbort);
  }

  private controller(key: string): AbortController {
    let c = this.controllers.get(key);
    if (!c) {
      c = new AbortController();
      if (this.run?.aborted) c.abort();
      this.controllers.set(key, c);
    }
    return c;
  }
}
