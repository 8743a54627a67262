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
 *   scheduling jitter and the CPU timer's tick on small limits. On a machine busier than that, the pool looks at the
 *   worker's CPU time (Linux /proc) before it kills: a call still computing (see COMPUTING) is left to the worker's
 *   CPU timer, until it is a second past its limit in CPU time, which only a call inside C or one that swallows every
 *   exception can reach (then it is killed as a CPU timeout), or the backstop has been stretched 10-fold. See Backstop.
 * - the import of the candidate's module (a fresh or respawned worker, an edited file), announced by the worker's
 *   PhaseMessage: the backstop, but at least 10 s, so that heavy libraries (numpy, scipy: well under a second idle,
 *   a few seconds on a loaded machine) never count against a pair under a small limit, while an import that never
 *   ends (a module that loops or sleeps at import) is still stopped. The call's backstop restarts after the import.
 *
 * Where the worker has no CPU timer (Windows: no signal.setitimer), the wall-clock timer is the limit itself.
 * Only a CPU timeout is a final verdict: the wall-clock ones depend on the machine's load (see store/validation.ts).
 */
import type { PoolWorker } from './types';

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
function callLimit(limitMs: number, cpuTimer: boolean): TimeoutInfo {
  return { by: 'wall', limitMs: cpuTimer ? 3 * limitMs + 1000 : limitMs };
}

/** The wall-clock budget of importing a candidate's module. */
function importLimit(limitMs: number): TimeoutInfo {
  return { by: 'import', limitMs: Math.max(IMPORT_FLOOR_MS, 3 * limitMs + 1000) };
}

/**
 * A call that used less than this share of a core since the last look is not computing: it sleeps or waits (a
 * sleeping worker uses none; a CPU-bound one on two cores shared by 50 busy processes still gets 4%). /proc counts in
 * 10 ms ticks, and looks are at least a second apart: 2% is at least two ticks.
 */
const COMPUTING = 0.02;
/** However busy the machine, the backstop is extended to at most this many times 3x the limit + 1 s. */
const MAX_STRETCH = 10;

/**
 * The wall-clock backstop of one call on a worker with a CPU timer. `firstMs` after the call starts the pool calls
 * look(); each answer is the delay to the next look, or the timeout to kill the worker with.
 */
export class Backstop {
  /** the first look: the limit in wall time (the call has used at most that much CPU time yet) */
  readonly firstMs: number;
  /** the wall time the backstop stands at: 3x the limit + 1 s, then one more period per look that found it computing */
  private deadlineMs: number;
  private readonly maxMs: number;
  private looks = 0;
  private first?: number;
  private last = { cpu: 0, at: 0 };

  constructor(private readonly limitMs: number) {
    this.firstMs = limitMs;
    this.deadlineMs = callLimit(limitMs, true).limitMs;
    this.maxMs = MAX_STRETCH * this.deadlineMs;
  }

  /** `cpu`: the worker's CPU time now (undefined where unknown); `at`: ms since the call started. */
  look(cpu: number | undefined, at: number): { againInMs: number } | { kill: TimeoutInfo } {
    if (this.looks++ === 0) {
      this.first = cpu;
      if (cpu !== undefined) this.last = { cpu, at };
      return { againInMs: Math.max(0, this.deadlineMs - at) };
    }
    if (cpu === undefined || this.first === undefined) return { kill: { by: 'wall', limitMs: this.deadlineMs } };
    if (cpu - this.first > this.limitMs + 1000) return { kill: { by: 'cpu', limitMs: this.limitMs } };
    const again = Math.max(1000, this.limitMs);
    const computing = cpu - this.last.cpu >= COMPUTING * (at - this.last.at);
    if (!computing || this.deadlineMs + again > this.maxMs) return { kill: { by: 'wall', limitMs: this.deadlineMs } };
    this.last = { cpu, at };
    this.deadlineMs += again;
    return { againInMs: again };
  }
}

/**
 * Watches one phase of a job (the import of its module, or its call) on `worker` from now: calls `expired` with the
 * timeout to report when it runs out of wall time, unless the returned stop() comes first.
 */
export function watchPhase(phase: 'import' | 'call', limitMs: number, worker: Pick<PoolWorker, 'readyMessage' | 'cpuMs'>, expired: (t: TimeoutInfo) => void): () => void {
  const start = Date.now();
  let timer: NodeJS.Timeout;
  if (phase === 'import' || !worker.readyMessage?.cpuTimer) {
    const t = phase === 'import' ? importLimit(limitMs) : callLimit(limitMs, false);
    timer = setTimeout(() => expired(t), t.limitMs);
  } else {
    const backstop = new Backstop(limitMs);
    const look = (): void => {
      const r = backstop.look(worker.cpuMs?.(), Date.now() - start);
      if ('kill' in r) expired(r.kill);
      else timer = setTimeout(look, r.againInMs);
    };
    timer = setTimeout(look, backstop.firstMs);
  }
  return () => clearTimeout(timer);
}

/** The verdict text of a timeout. */
export function timeoutMessage(t: TimeoutInfo): string {
  const s = t.limitMs / 1000;
  if (t.by === 'cpu') return `timeout: over ${s} s of CPU time`;
  if (t.by === 'import') return `timeout: importing the module took over ${s} s (worker killed)`;
  return `timeout: no result within ${s} s wall time (worker killed)`;
}
