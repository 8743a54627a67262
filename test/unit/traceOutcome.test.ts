/**
 * traceOutcome(): which trace job results may be cached (the solver returned, raised or hit the CPU limit) and what a
 * pair says when its job ended otherwise (a cancel, a crash, the wall backstop, a worker error outside the call).
 */
import { strict as assert } from 'node:assert';
import type { PoolResult } from '../../src/engine/pool/pool';
import { traceOutcome } from '../../src/engine/trace/outcome';
import { traceText } from '../../src/cli/traceText';
import type { TraceJson } from '../../src/protocol/trace';
import type { ResultMessage, WireTrace } from '../../src/protocol/worker';

const steps = [{ line: 3, name: 'x1', source: 'x1 = shape(I)' }];
const ran: WireTrace = { steps, values: [{ step: 0, type: 'tuple', summary: '(3, 3)' }] };
const raised: WireTrace = { steps, values: [], error: { step: 0, line: 3, text: 'IndexError: tuple index out of range' } };
const result = (m: Partial<ResultMessage>): ResultMessage => ({ t: 'result', id: 1, ok: true, ms: 1, ...m });

describe('traceOutcome', () => {
  it('final: the solver returned, raised (the trace says where) or hit the CPU limit', () => {
    const finals: PoolResult[] = [
      { status: 'ok', ms: 1, workerId: 0, result: result({ trace: ran }) },
      { status: 'error', ms: 1, workerId: 0, result: result({ ok: false, trace: raised, error: { type: 'IndexError', message: 'x', traceback: '' } }) },
      { status: 'timeout', ms: 500, workerId: 0, timeout: { by: 'cpu', limitMs: 500 }, result: result({ ok: false, timedOut: true, trace: raised }) },
    ];
    for (const r of finals) {
      const o = traceOutcome(r, 500);
      assert.equal(o.final, true, r.status);
      assert.equal(o.stopped, undefined);
      assert.ok(o.trace);
    }
  });

  it('not final, and the pair says why: an error outside the call (no trace, or no stop), a cancel, a crash, a wall timeout', () => {
    const importFailed: PoolResult = { status: 'error', ms: 0, workerId: 0, result: result({ ok: false, error: { type: 'SyntaxError', message: 'invalid syntax', traceback: '' } }) };
    const changedOnDisk: PoolResult = {
      status: 'error',
      ms: 0,
      workerId: 0,
      result: result({ ok: false, error: { type: 'MissingFunction', message: 'cannot trace solve_x: its source in /w/s.py is not the code the worker imported', traceback: '' } }),
    };
    const workerError: PoolResult = { status: 'error', ms: 0, workerId: 0, result: result({ ok: false, trace: { steps, values: [] }, error: { type: 'WorkerError', message: 'worker failed on a message', traceback: '' } }) };
    const cases: Array<[PoolResult, string, RegExp]> = [
      [importFailed, 'error', /outside the solver's call: SyntaxError: invalid syntax/],
      [changedOnDisk, 'error', /MissingFunction: cannot trace solve_x/],
      [workerError, 'error', /WorkerError/],
      [{ status: 'ok', ms: 1, workerId: 0, result: result({}) }, 'error', /no trace came back/],
      [{ status: 'cancelled', ms: 0, workerId: -1 }, 'cancelled', /cancelled/],
      [{ status: 'crash', ms: 5, workerId: 0, exit: { code: null, signal: 'SIGKILL' } }, 'crash', /worker died .*SIGKILL/],
      [{ status: 'timeout', ms: 5, workerId: 0, timeout: { by: 'wall', limitMs: 2000 } }, 'timeout', /2 s wall time/],
      [{ status: 'timeout', ms: 5, workerId: 0, timeout: { by: 'import', limitMs: 4000 } }, 'timeout', /importing the module/],
    ];
    for (const [r, status, why] of cases) {
      const o = traceOutcome(r, 500);
      assert.equal(o.final, false, JSON.stringify(r));
      assert.equal(o.stopped?.status, status);
      assert.equal(o.stopped?.error?.type, 'TraceStopped');
      assert.match(o.stopped?.error?.message ?? '', why);
    }
  });

  it("batt trace's text names the reason of a pair whose trace job stopped", () => {
    const stopped = traceOutcome({ status: 'cancelled', ms: 0, workerId: -1 }, 500).stopped!;
    const t: TraceJson = {
      solver: 'solve_x',
      task: 'x',
      file: '/w/s.py',
      pairs: [{ kind: 'demo', index: 0, status: 'pass' }, { kind: 'test', index: 0, ...stopped }],
      lines: [{ line: 3, name: 'x1', source: 'x1 = shape(I)', values: [{ pair: 0, type: 'tuple', summary: '(3, 3)' }] }],
    };
    const text = traceText(t, { colour: false, cwd: '/w' });
    assert.ok(text.includes(`test 0: cancelled (${stopped.error!.message}): no trace beyond the last value shown`), text);
  });
});
