/** What the timing panel shows: the last run, the leaderboard, the run history and the pool. No vscode: unit-tested. */
import type { PoolStatusParams, RunRecord, RunResultParams } from '../protocol/lsp';
import type { StateMessage } from '../protocol/webview';

/** Run records the panel's history keeps. */
export const HISTORY_MAX = 50;

export class PanelModel {
  last?: RunResultParams;
  leaderboard?: RunResultParams;
  history: RunRecord[] = [];
  pool?: PoolStatusParams;

  /** Records that came with run results, oldest first. */
  addRecords(records: RunRecord[]): void {
    this.history = [...this.history, ...records].slice(-HISTORY_MAX);
  }

  /** The server's history (the panel's first open), followed by the records that came meanwhile and it lacks. */
  loadHistory(records: RunRecord[]): void {
    const known = new Set(records.map((r) => JSON.stringify(r)));
    this.history = [...records, ...this.history.filter((r) => !known.has(JSON.stringify(r)))].slice(-HISTORY_MAX);
  }

  state(): StateMessage {
    return { type: 'state', last: this.last, leaderboard: this.leaderboard, history: this.history, pool: this.pool };
  }
}
