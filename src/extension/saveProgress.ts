/**
 * A save run's progress: one that still runs after ~1 s gets a notification with its jobs done of total and a Cancel
 * button, which cancels that run (batt/cancelRun); it closes when the run ends (ProgressParams.end). The window part
 * is passed in, so this needs no vscode.
 */
import type { ProgressParams } from '../protocol/lsp';

export const SAVE_PROGRESS_DELAY_MS = 1000;

export interface ProgressHandle {
  report(message: string): void;
  close(): void;
}

/** Opens the notification; `onCancel` runs when its Cancel is pressed. */
export type OpenProgress = (onCancel: () => void) => ProgressHandle;

/** Calls `fn` after `ms`; returns what cancels it. */
export type Schedule = (fn: () => void, ms: number) => () => void;

const realSchedule: Schedule = (fn, ms) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

interface SaveRun {
  timer?: () => void;
  shown?: ProgressHandle;
  last?: ProgressParams;
}

const jobsText = (p: ProgressParams) => (p.total ? `${p.done}/${p.total} jobs` : 'discovering');

export class SaveProgress {
  private readonly runs = new Map<number, SaveRun>();

  constructor(
    private readonly open: OpenProgress,
    private readonly cancel: (runId: number) => void,
    private readonly delayMs = SAVE_PROGRESS_DELAY_MS,
    private readonly schedule: Schedule = realSchedule,
  ) {}

  /** the save runs whose notification is open (for tests) */
  get shown(): number[] {
    return [...this.runs].filter(([, r]) => r.shown).map(([id]) => id);
  }

  onProgress(p: ProgressParams): void {
    if (p.reason !== 'save') return;
    const known = this.runs.get(p.runId);
    if (p.end) {
      if (known) this.close(p.runId, known);
      return;
    }
    const r = known ?? this.start(p.runId);
    r.last = p;
    r.shown?.report(jobsText(p));
  }

  private start(runId: number): SaveRun {
    const r: SaveRun = {};
    this.runs.set(runId, r);
    r.timer = this.schedule(() => {
      r.timer = undefined;
      r.shown = this.open(() => this.cancel(runId));
      if (r.last) r.shown.report(jobsText(r.last));
    }, this.delayMs);
    return r;
  }

  private close(runId: number, r: SaveRun): void {
    r.timer?.();
    r.shown?.close();
    this.runs.delete(runId);
  }

  dispose(): void {
    for (const [id, r] of [...this.runs]) this.close(id, r);
  }
}
