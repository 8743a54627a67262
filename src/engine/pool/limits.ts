/**
 * The time limits of one job, and how a timeout says which one fired.
 *
 * The per-pair limit the user sets counts the solver's own CPU time: the worker arms a CPU timer right before the call
 * and stops the call when it is used up (RunMessage.limitMs), so a loaded machine (other workers, other programs) never
 * turns a fast solver into a timeout, and the worker lives on. The pool keeps two wall-clock timers for what CPU time
 * cannot see (sleeps, calls blocked in C, a solver that swallows every exception), each of which kills the worker:
 *
 * - the backstop of the call: 3x the limit + 1 s. A CPU-bound call reaches its limit within 3x the limit of wall time
 *   while it gets at least a third of a core (two cores shared by six busy processes); the second adds room for
 *   scheduling jitter and the CPU timer's tick on small limits. Past that the call is not CPU-bound: it is blocked.
 * - the import of the candidate's module (a fresh or respawned worker, an edited file), announced by the worker's
 *   PhaseMessage: the backstop, but at least 10 s, so that heavy libraries (numpy, scipy: well under a second idle,
 *   a few seconds on a loaded machine) never count against a pair under a small limit, while an import that never
 *   ends (a module that loops or sleeps at import) is still stopped. The call's backstop restarts after the import.
 *
 * Where the worker has no CPU timer (Windows: no signal.setitimer), the wall-clock timer is the limit itself.
 * Only a CPU timeout is a final verdict: the wall-clock ones depend on the machine's load (see store/validation.ts).
 */

/** Which limit stopped a job. */
export type TimeoutKind = 'cpu' | 'wall' | 'import';

export interface TimeoutInfo {
  by: TimeoutKind;
  /** the limit that fired, ms (CPU time for 'cpu', wall time otherwise) */
  limitMs: number;
}

/** Smallest wall-clock budget of a module import. */
const IMPORT_FLOOR_MS = 10_000;

/** The wall-clock limit of a call, for a worker that enforces the CPU limit itself (cpuTimer) or not. */
export function callLimit(limitMs: number, cpuTimer: boolean): TimeoutInfo {
  return { by: 'wall', limitMs: cpuTimer ? 3 * limitMs + 1000 : limitMs };
}

/** The wall-clock budget of importing a candidate's module. */
export function importLimit(limitMs: number): TimeoutInfo {
  return { by: 'import', limitMs: Math.max(IMPORT_FLOOR_MS, 3 * limitMs + 1000) };
}

/** The verdict text of a timeout. */
export function timeoutMessage(t: TimeoutInfo): string {
  const s = t.limitMs / 1000;
  if (t.by === 'cpu') return `timeout: over ${s} s of CPU time`;
  if (t.by === 'import') return `timeout: importing the module took over ${s} s (worker killed)`;
  return `timeout: no result within ${s} s wall time (worker killed)`;
}
