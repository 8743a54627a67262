/**
 * `batt/writeSubmission` ("Batt: Write submission"): `batt submit` (src/engine/submit) on one workspace folder's
 * configured tasks, on that folder's engine (its caches and pool, shared with the editor's runs), the file written
 * where the client asked; the stability check runs with it. Progress goes out coalesced; a cancelled request writes
 * nothing and answers null. Takes its collaborators as parameters (registerWriteSubmission wires them to the
 * connection; server.ts gives it the session's).
 */
import * as path from 'path';
import type { CancellationToken, Connection } from 'vscode-languageserver/node';
import type { Engine } from '../engine/engine';
import { submit } from '../engine/submit/submit';
import { submitText } from '../engine/submit/text';
import { SubmissionProgressNotification, WriteSubmissionRequest } from '../protocol/lsp';
import type { SubmissionProgressParams, SubmissionResult, WriteSubmissionParams } from '../protocol/submission';
import { Coalescer } from './coalescer';
import { realPath, toPath } from './paths';

export interface SubmissionDeps {
  /** the workspace folders (real paths) */
  folders(): readonly string[];
  /** a folder's engine (throws in an untrusted workspace) */
  engine(root: string): Engine;
  progress(p: SubmissionProgressParams): void;
  log(line: string): void;
}

/** The report of a submission written to `p.out` for the folder `p.folder`; null when cancelled (nothing written). */
export async function writeSubmission(deps: SubmissionDeps, p: WriteSubmissionParams, signal?: AbortSignal): Promise<SubmissionResult | null> {
  const dir = toPath(p.folder);
  const root = dir && realPath(dir);
  if (!root || !deps.folders().includes(root)) throw new Error(`${p.folder} is not a folder of this workspace`);
  if (!path.isAbsolute(p.out)) throw new Error(`the submission file must be an absolute path, got "${p.out}"`);
  const engine = deps.engine(root);
  const progress = new Coalescer<SubmissionProgressParams>((x) => deps.progress(x));
  try {
    const report = await submit(engine, { out: p.out, signal, onProgress: (done, total) => progress.push({ done, total }) });
    progress.flush();
    if (report.cancelled || !report.out) {
      deps.log(`submission for ${root}: cancelled, nothing written`);
      return null;
    }
    const { submission: _grids, ...rest } = report;
    const score = report.score ? `${report.score.right}/${report.score.total} right` : 'score unknown';
    deps.log(`submission for ${root}: ${report.out} (${report.tasks} tasks, ${score}, ${report.unstable.length} unstable)`);
    return { folder: root, report: rest, text: submitText(report, { cwd: root }), at: new Date().toISOString() };
  } finally {
    progress.dispose();
  }
}

/** Answers `batt/writeSubmission` on the connection, its progress as `batt/submissionProgress`. */
export function registerWriteSubmission(connection: Pick<Connection, 'onRequest' | 'sendNotification'>, deps: Omit<SubmissionDeps, 'progress'>): void {
  const progress = (p: SubmissionProgressParams) => void connection.sendNotification(SubmissionProgressNotification.type, p);
  connection.onRequest(WriteSubmissionRequest.type, (p: WriteSubmissionParams, token: CancellationToken) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    return writeSubmission({ ...deps, progress }, p, abort.signal);
  });
}
