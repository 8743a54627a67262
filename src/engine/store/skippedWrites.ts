/**
 * What a run could not write because the file system refused it (a read-only cache folder or workspace: EACCES,
 * EPERM, EROFS): the cache, the run log, the solver store. The run still completes and reports its verdicts; what was
 * skipped is said once, as one warning of the run (ErrorJson severity 'warning'). Any other write error is thrown.
 */
import * as path from 'path';
import type { InputError } from '../types';
import { errorCode, isUnwritable } from '../fsutil';

const REASONS: Record<string, string> = { EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'read-only file system' };

export class SkippedWrites {
  /** what was skipped (e.g. 'the cache'), in the order first seen, with the first refusal */
  private readonly skipped = new Map<string, { file?: string; code: string }>();

  /**
   * Notes a refused write of `what` and returns true; false (nothing noted) for any other error. The refused path is
   * named, or `folder` when the path is inside it (the cache folder rather than one of its stores).
   */
  note(what: string, err: unknown, folder?: string): boolean {
    if (!isUnwritable(err)) return false;
    if (!this.skipped.has(what)) {
      const p = (err as { path?: unknown }).path ?? (err as { cause?: { path?: unknown } }).cause?.path;
      const file = typeof p === 'string' && folder && (p === folder || p.startsWith(folder + path.sep)) ? folder : p;
      this.skipped.set(what, { file: typeof file === 'string' ? file : undefined, code: errorCode(err)! });
    }
    return true;
  }

  /** `write()`, or `fallback` when the file system refuses it (noted under `what`); other errors are thrown. */
  async attempt<T>(what: string, write: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (this.note(what, err)) return fallback;
      throw err;
    }
  }

  /**
   * The one warning for everything skipped, on the refused path, e.g. "cannot be written (EROFS: read-only file
   * system): the cache and the run log were skipped; the verdicts are complete but not saved"; undefined when nothing was.
   * `cacheHint` (how to choose another cache folder) ends it when the cache was skipped.
   */
  warning(fallbackFile: string, cacheHint?: string): InputError | undefined {
    const list = [...this.skipped];
    if (!list.length) return undefined;
    const [, first] = list[0];
    const file = first.file ?? fallbackFile;
    const whats = list.map(([w]) => w);
    const named = whats.length === 1 ? whats[0] : `${whats.slice(0, -1).join(', ')} and ${whats[whats.length - 1]}`;
    const reason = REASONS[first.code] ?? first.code;
    return {
      kind: 'config',
      severity: 'warning',
      file,
      message: `cannot be written (${first.code}: ${reason}): ${named} ${whats.length === 1 ? 'was' : 'were'} skipped; the verdicts are complete but not saved${cacheHint && whats.includes('the cache') ? `; ${cacheHint}` : ''}`,
    };
  }
}
