/**
 * Which jobs each AbortSignal cancels, with one abort listener per signal, not per job: EventTarget checks every
 * registered listener on each addEventListener, so a listener per job made queueing thousands of jobs quadratic
 * (measured: 0.9 s of CPU for 16k jobs).
 */
export class AbortWatch<T> {
  private readonly watched = new Map<AbortSignal, { jobs: Set<T>; listener: () => void }>();

  /** `onAbort` gets the jobs still watched when their signal aborts (a copy: it may unwatch them). */
  constructor(private readonly onAbort: (jobs: Set<T>) => void) {}

  add(signal: AbortSignal, job: T): void {
    let w = this.watched.get(signal);
    if (!w) {
      const jobs = new Set<T>();
      const listener = () => {
        this.watched.delete(signal);
        this.onAbort(new Set(jobs));
      };
      w = { jobs, listener };
      this.watched.set(signal, w);
      signal.addEventListener('abort', listener, { once: true });
    }
    w.jobs.add(job);
  }

  /** Stops watching a job (settled); the signal's listener goes with its last job. */
  delete(signal: AbortSignal, job: T): void {
    const w = this.watched.get(signal);
    if (!w) return;
    w.jobs.delete(job);
    if (!w.jobs.size) {
      signal.removeEventListener('abort', w.listener);
      this.watched.delete(signal);
    }
  }
}
