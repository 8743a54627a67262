/**
 * How a verdict reads in the Testing view (no vscode): the state each status reports, a candidate's one-line summary
 * and the pair its failure message shows. Pure.
 */
import type { CandidateStatus } from '../../protocol/results';
import type { TestCandidateResult, TestPairResult } from '../../protocol/testItems';

export type ItemState = 'passed' | 'failed' | 'errored' | 'skipped';

/** pass → passed, a mismatch → failed, an exception, timeout or crash → errored; a pair that did not run → skipped. */
export function stateOf(status: CandidateStatus | 'unknown'): ItemState {
  switch (status) {
    case 'pass':
      return 'passed';
    case 'fail':
      return 'failed';
    case 'error':
    case 'timeout':
    case 'crash':
      return 'errored';
    default:
      return 'skipped'; // skipped, cancelled, or a test pair whose expected output is unknown
  }
}

/** The pair a candidate's message is about: the first demo, then test, pair that ran and did not pass. */
export function firstProblem(r: TestCandidateResult): TestPairResult | undefined {
  const bad = (p: TestPairResult) => stateOf(p.status) === 'failed' || stateOf(p.status) === 'errored';
  return r.pairs.find((p) => p.kind === 'demo' && bad(p)) ?? r.pairs.find((p) => p.kind === 'test' && bad(p));
}

/** e.g. "demo 2/3 · test 0/1", with "duplicate of solve_x" and "from the cache" when they apply. */
export function summary(r: TestCandidateResult): string {
  const count = (kind: 'demo' | 'test') => {
    const ps = r.pairs.filter((p) => p.kind === kind);
    return `${kind} ${ps.filter((p) => p.status === 'pass').length}/${ps.length}`;
  };
  return [count('demo'), count('test'), ...(r.duplicateOf ? [`duplicate of ${r.duplicateOf}`] : []), ...(r.cached ? ['from the cache'] : [])].join(' · ');
}

/** A pair's message header, e.g. "demo pair 1: rotated 90° clockwise …". */
export function pairMessage(p: TestPairResult): string {
  return `${p.kind} pair ${p.index}: ${p.message ?? p.status}`;
}
