/**
 * The run history of each workspace folder, in memory: `.batt/runs.jsonl` is read once per folder (on first need),
 * then each of the server's runs appends its record, so neither the client nor the server re-reads the file per run.
 */
import type { RunRecord } from '../protocol/results';

/** Records kept per folder: the most `batt/history` returns. */
export const HISTORY_KEEP = 500;

export class RunHistory {
  private readonly byRoot = new Map<string, Promise<RunRecord[]>>();

  constructor(private readonly read: (root: string, limit: number) => Promise<RunRecord[]>) {}

  /** The last `limit` records of each folder, folder after folder, at most `limit` in all. */
  async recent(roots: string[], limit: number): Promise<RunRecord[]> {
    const out: RunRecord[] = [];
    for (const root of roots) out.push(...(await this.load(root)).slice(-limit));
    return out.slice(-limit);
  }

  /** A run's record (the engine has appended it to the file: read first, the file already holds it). */
  async append(root: string, rec: RunRecord): Promise<void> {
    const list = await this.load(root);
    const line = JSON.stringify(rec);
    if (list.slice(-8).some((r) => JSON.stringify(r) === line)) return;
    list.push(rec);
    if (list.length > HISTORY_KEEP) list.splice(0, list.length - HISTORY_KEEP);
  }

  forget(root: string): void {
    this.byRoot.delete(root);
  }

  private load(root: string): Promise<RunRecord[]> {
    let p = this.byRoot.get(root);
    if (!p) {
      p = this.read(root, HISTORY_KEEP).catch(() => []);
      this.byRoot.set(root, p);
    }
    return p;
  }
}
