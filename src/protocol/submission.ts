/**
 * "Batt: Write submission" on the wire: the request's parameters, its progress and its answer (the `batt submit`
 * report without the grids), which the panel's Submission view shows. Plain data; the methods are in lsp.ts.
 */
import type { SubmitReport } from '../engine/submit/types';

export interface WriteSubmissionParams {
  /** the workspace folder (its URI) whose configured tasks and candidates make the submission */
  folder: string;
  /** where the file goes: an absolute path */
  out: string;
}

/** Jobs done of total of the submission's run (its stability check included). */
export interface SubmissionProgressParams {
  done: number;
  total: number;
}

/** A written submission: its report (no grids: the file holds them) and the report's text as `batt submit` prints it. */
export interface SubmissionResult {
  /** the workspace folder (its real path) */
  folder: string;
  report: Omit<SubmitReport, 'submission'>;
  text: string;
  /** when it was written (ISO time) */
  at: string;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The submission in one line (the notification's and the panel's): the score, the oracle gap (test outputs some
 * candidate got right that neither attempt holds), the unstable candidates; e.g. "score 3/4 test outputs right (75.0%),
 * oracle gap 1 test output, 1 unstable candidate".
 */
export function submissionSummary(r: SubmissionResult): string {
  const { score, oracleGap, unstable } = r.report;
  const gap = oracleGap.reduce((n, g) => n + g.tests.length, 0);
  const scored = score
    ? `score ${score.right}/${score.total} test outputs right (${(score.score * 100).toFixed(1)}%), oracle gap ${plural(gap, 'test output')}`
    : 'no score (the test outputs are unknown)';
  return `${scored}, ${plural(unstable.length, 'unstable candidate')}`;
}
