/**
 * What one pair's trace job came to. A trace is cached only when every pair's job ended with a final outcome, the same
 * rule the validation cache has for verdicts: the solver returned, raised (the trace says where) or hit the CPU limit.
 * Everything else depends on the moment, not on the code: a cancel (a newer save or trace, Restart workers), a crash,
 * the wall-clock backstop or a slow import, and a worker error outside the call (the module failed to import or was
 * changed on disk after the worker imported it, an unknown task). Such a pair has no values, and says why.
 */
import type { PoolResult } from '../pool/pool';
import { timeoutMessage } from '../pool/limits';
import type { TracePair } from '../../protocol/trace';
import type { WireTrace } from '../../protocol/worker';

export interface TraceOutcome {
  trace?: WireTrace;
  /** the job ended with a final outcome: the trace may be cached */
  final: boolean;
  /** why a pair that is not final has no (or no more) values: its TracePair status and error */
  stopped?: Pick<TracePair, 'status' | 'error'>;
}

/** `timeoutMs`: the job's limit (named in a wall-clock timeout's message when the pool did not say). */
export function traceOutcome(r: PoolResult, timeoutMs: number): TraceOutcome {
  const trace = r.result?.trace;
  if (trace && (r.status === 'ok' || (r.status === 'error' && trace.error) || (r.status === 'timeout' && r.timeout?.by === 'cpu'))) {
    return { trace, final: true };
  }
  return { trace, final: false, stopped: { status: stoppedStatus(r), error: { type: 'TraceStopped', message: stoppedMessage(r, timeoutMs), traceback: '' } } };
}

function stoppedStatus(r: PoolResult): TracePair['status'] {
  return r.status === 'ok' ? 'error' : r.status;
}

function stoppedMessage(r: PoolResult, timeoutMs: number): string {
  switch (r.status) {
    case 'cancelled':
      return 'the trace job was cancelled (a newer trace or run, or the workers restarted) before it finished';
    case 'crash':
      return `the worker died during the trace job (${r.exit?.signal ? `signal ${r.exit.signal}` : `exit code ${r.exit?.code ?? '?'}`})`;
    case 'timeout':
      return `the trace job was stopped: ${timeoutMessage(r.timeout ?? { by: 'wall', limitMs: timeoutMs })}`;
    default: {
      const e = r.result?.error;
      return `the trace job failed outside the solver's call: ${e ? `${e.type}: ${e.message}` : 'no trace came back'}`;
    }
  }
}
