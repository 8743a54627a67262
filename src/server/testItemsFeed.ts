/**
 * What the server tells the Testing view, wired by server.ts: each folder's test tree at start, on a trust grant, a
 * settings change and added folders; an edited document's candidates after a short pause (only when they changed);
 * a folder's tree again when a Python file that is not open changes on disk (a generator writing solvers, a checkout);
 * after each completed run, its own-task verdicts (sent before the run's batt/runResult).
 */
import type { RunReason } from '../protocol/lsp';
import type { RunJson } from '../protocol/results';
import type { TestItemsParams, TestResultsParams } from '../protocol/testItems';
import { realPath, toPath } from './paths';
import { rootOf } from './runCandidates';
import type { Session } from './session';
import { TestItems } from './testItems';
import { testResults } from './testItemsResults';

/** How long an edit waits for the next keystroke before its file is parsed for the tree. */
export const EDIT_PAUSE_MS = 150;
/** How long file events outside the editor gather before the folder is discovered again (a checkout writes many). */
export const DISK_PAUSE_MS = 300;

export interface TestFeedDeps {
  session: Pick<Session, 'folders' | 'trusted' | 'engine'>;
  /** the open documents' texts by real path */
  texts(): Map<string, string>;
  sendItems(p: TestItemsParams): void;
  sendResults(p: TestResultsParams): void;
  log(line: string): void;
}

export class TestFeed {
  private readonly items: TestItems;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly diskTimers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: TestFeedDeps) {
    this.items = new TestItems({ engine: (r) => deps.session.engine(r), send: (p) => deps.sendItems(p), log: (l) => deps.log(l) });
  }

  /** The folders' whole trees (none in an untrusted workspace: nothing of it is parsed). */
  discover(roots: string[] = this.deps.session.folders): Promise<void> {
    if (!this.deps.session.trusted) return Promise.resolve();
    const texts = this.deps.texts();
    return Promise.all(
      roots.map((r) => this.items.discover(r, (f) => texts.get(f)).catch((e: Error) => this.deps.log(`test items of ${r}: ${e.message}`))),
    ).then(() => undefined);
  }

  forget(roots: string[]): void {
    for (const r of roots) this.items.forget(r);
  }

  /** A document opened or changed: its candidates, after EDIT_PAUSE_MS without another change. */
  edited(uri: string, text: () => string): void {
    const p = toPath(uri);
    if (!p || !/\.py$/.test(p) || !this.deps.session.trusted) return;
    clearTimeout(this.timers.get(uri));
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        const file = realPath(p);
        const root = rootOf(file, this.deps.session.folders);
        if (root) this.items.edit(root, file, text()).catch((e: Error) => this.deps.log(`test items of ${file}: ${e.message}`));
      }, EDIT_PAUSE_MS),
    );
  }

  /**
   * Python files created, changed or deleted on disk (the client's file watcher): each folder holding one that is not
   * open in the editor (an open one follows its document) is discovered again after DISK_PAUSE_MS without another.
   */
  onDisk(uris: string[]): void {
    if (!this.deps.session.trusted) return;
    const open = this.deps.texts();
    for (const uri of uris) {
      const p = toPath(uri);
      if (!p || !/\.py$/.test(p)) continue;
      const file = realPath(p);
      if (open.has(file)) continue;
      const root = rootOf(file, this.deps.session.folders) ?? rootOf(p, this.deps.session.folders);
      if (!root) continue;
      clearTimeout(this.diskTimers.get(root));
      this.diskTimers.set(
        root,
        setTimeout(() => {
          this.diskTimers.delete(root);
          if (this.deps.session.folders.includes(root)) void this.discover([root]);
        }, DISK_PAUSE_MS),
      );
    }
  }

  /** A completed run (the full one: actual grids): its verdicts for the Testing view. */
  results(reason: RunReason, run: RunJson): void {
    const root = run.workspace;
    const r = testResults(run, reason, (id) => this.items.task(root, id));
    if (r.results.length) this.deps.sendResults(r);
  }

  dispose(): void {
    for (const t of [...this.timers.values(), ...this.diskTimers.values()]) clearTimeout(t);
    this.timers.clear();
    this.diskTimers.clear();
  }
}
