/**
 * The pool's job queue: plain data, no processes. Jobs are handed out stage by stage (a battery's stage k is pair k of
 * its transfer candidates: every candidate's first pair before anyone's second), stage 0 when a job names none.
 * Within a stage, jobs of unknown duration come first, in FIFO order: they are usually what was just edited, which the
 * user is waiting on, and may be the longest. Then jobs of known expected duration, longest first, FIFO among equals,
 * which keeps every worker busy until the end (LPT order).
 */
interface Stage<T> {
  unknown: T[];
  /** sorted by expected duration, descending, FIFO among equals */
  known: T[];
}

export class JobQueue<T> {
  /** jobs put back by pushFront, ahead of every stage */
  private readonly front: T[] = [];
  private readonly stages = new Map<number, Stage<T>>();
  /** the stage numbers that have a Stage, ascending */
  private order: number[] = [];
  private count = 0;

  /**
   * `expectedMs` of a job: undefined (or not finite) = unknown. `stageOf`: its stage, lower first (undefined = 0).
   */
  constructor(
    private readonly expectedMs: (job: T) => number | undefined,
    private readonly stageOf: (job: T) => number | undefined = () => 0,
  ) {}

  get length(): number {
    return this.count;
  }

  /** Queues a job at its place: its stage, then binary insertion among the known ones. */
  push(job: T): void {
    this.count++;
    const stage = this.stage(this.stageOf(job) ?? 0);
    const ms = this.expectedMs(job);
    if (ms === undefined || !Number.isFinite(ms)) {
      stage.unknown.push(job);
      return;
    }
    const q = stage.known;
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
    this.count++;
    this.front.unshift(job);
  }

  /** The job to run next, left in the queue. */
  peek(): T | undefined {
    if (this.front.length) return this.front[0];
    const s = this.first();
    return s && (s.unknown[0] ?? s.known[0]);
  }

  /** Takes the job to run next. */
  shift(): T | undefined {
    if (this.front.length) {
      this.count--;
      return this.front.shift();
    }
    const s = this.first();
    if (!s) return undefined;
    this.count--;
    return s.unknown.length ? s.unknown.shift() : s.known.shift();
  }

  /** Removes one job; false if it was not queued. */
  remove(job: T): boolean {
    for (const q of this.lists()) {
      const i = q.indexOf(job);
      if (i >= 0) {
        q.splice(i, 1);
        this.count--;
        return true;
      }
    }
    return false;
  }

  /** Removes every queued job of `jobs` in one pass over the queue (a run's abort); returns them in queue order. */
  removeAll(jobs: ReadonlySet<T>): T[] {
    const removed: T[] = [];
    for (const q of this.lists()) {
      let w = 0;
      for (const job of q) {
        if (jobs.has(job)) removed.push(job);
        else q[w++] = job;
      }
      q.length = w;
    }
    this.count -= removed.length;
    return removed;
  }

  /** Empties the queue; returns its jobs in queue order. */
  drain(): T[] {
    const all = this.lists().flatMap((q) => q.splice(0));
    this.stages.clear();
    this.order = [];
    this.count = 0;
    return all;
  }

  private stage(n: number): Stage<T> {
    let s = this.stages.get(n);
    if (!s) {
      s = { unknown: [], known: [] };
      this.stages.set(n, s);
      let i = this.order.length;
      while (i > 0 && this.order[i - 1] > n) i--;
      this.order.splice(i, 0, n);
    }
    return s;
  }

  /** The lowest stage that has a job; empty stages before it are dropped. */
  private first(): Stage<T> | undefined {
    while (this.order.length) {
      const s = this.stages.get(this.order[0])!;
      if (s.unknown.length || s.known.length) return s;
      this.stages.delete(this.order.shift()!);
    }
    return undefined;
  }

  /** Every list of jobs, in queue order. */
  private lists(): T[][] {
    return [this.front, ...this.order.flatMap((n) => [this.stages.get(n)!.unknown, this.stages.get(n)!.known])];
  }
}
