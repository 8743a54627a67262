/**
 * The pool's job queue: plain data, no processes. Jobs of unknown duration come first, in FIFO order: they are
 * usually what was just edited, which the user is waiting on, and may be the longest. Then jobs of known expected
 * duration, longest first, FIFO among equals, which keeps every worker busy until the end (LPT order).
 */
export class JobQueue<T> {
  private readonly unknown: T[] = [];
  /** sorted by expected duration, descending, FIFO among equals */
  private readonly known: T[] = [];

  /** `expectedMs` of a job: undefined (or not finite) = unknown. */
  constructor(private readonly expectedMs: (job: T) => number | undefined) {}

  get length(): number {
    return this.unknown.length + this.known.length;
  }

  /** Queues a job at its place (binary insertion among the known ones). */
  push(job: T): void {
    const ms = this.expectedMs(job);
    if (ms === undefined || !Number.isFinite(ms)) {
      this.unknown.push(job);
      return;
    }
    const q = this.known;
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.expectedMs(q[mid]) as number) >= ms) lo = mid + 1;
      else hi = mid;
    }
    q.splice(lo, 0, job);
  }

  /** Puts a job back at the very front (one that was handed out but never started). */
  pushFront(job: T): void {
    this.unknown.unshift(job);
  }

  /** The job to run next, left in the queue. */
  peek(): T | undefined {
    return this.unknown[0] ?? this.known[0];
  }

  /** Takes the job to run next. */
  shift(): T | undefined {
    return this.unknown.length ? this.unknown.shift() : this.known.shift();
  }

  /** Removes one job; false if it was not queued. */
  remove(job: T): boolean {
    for (const q of [this.unknown, this.known]) {
      const i = q.indexOf(job);
      if (i >= 0) {
        q.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  /** Removes every queued job of `jobs` in one pass over the queue (a run's abort); returns them in queue order. */
  removeAll(jobs: ReadonlySet<T>): T[] {
    const removed: T[] = [];
    for (const q of [this.unknown, this.known]) {
      let w = 0;
      for (const job of q) {
        if (jobs.has(job)) removed.push(job);
        else q[w++] = job;
      }
      q.length = w;
    }
    return removed;
  }

  /** Empties the queue; returns its jobs in queue order. */
  drain(): T[] {
    return [...this.unknown.splice(0), ...this.known.splice(0)];
  }
}
