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
