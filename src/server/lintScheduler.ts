/**
 * Lint as you type: each Python document is linted 150 ms after its last change, and the result is published only
 * if the document is still at the version that was linted.
 */
import type { Diagnostic } from 'vscode-languageserver/node';
import type { LintProblem } from '../engine/workspace/analyzer';
import { Clock, realClock } from './clock';
import { lintDiagnostics } from './diagnostics';
import { realPath, toPath } from './paths';

export const LINT_DELAY_MS = 150;

export interface LintDoc {
  uri: string;
  version: number;
  languageId: string;
  getText(): string;
}

export interface LintDeps {
  /** false in an untrusted workspace: nothing is linted */
  enabled(): boolean;
  lint(file: string, text: string): Promise<LintProblem[]>;
  /** the current version of an open document, undefined once it is closed */
  version(uri: string): number | undefined;
  publish(uri: string, diagnostics: Diagnostic[]): void;
  log(line: string): void;
  clock?: Clock;
  delayMs?: number;
}

export class LintScheduler {
  private readonly timers = new Map<string, unknown>();
  private readonly clock: Clock;

  constructor(private readonly deps: LintDeps) {
    this.clock = deps.clock ?? realClock;
  }

  /** (Re)starts the document's debounce; the pending lint of an older version is dropped. */
  schedule(doc: LintDoc): void {
    if (!this.deps.enabled() || doc.languageId !== 'python') return;
    this.cancel(doc.uri);
    this.timers.set(
      doc.uri,
      this.clock.setTimeout(() => {
        this.timers.delete(doc.uri);
        void this.lint(doc);
      }, this.deps.delayMs ?? LINT_DELAY_MS),
    );
  }

  cancel(uri: string): void {
    const t = this.timers.get(uri);
    if (t === undefined) return;
    this.clock.clearTimeout(t);
    this.timers.delete(uri);
  }

  dispose(): void {
    for (const uri of [...this.timers.keys()]) this.cancel(uri);
  }

  private async lint(doc: LintDoc): Promise<void> {
    const file = toPath(doc.uri);
    if (!file) return;
    const version = doc.version;
    try {
      const problems = await this.deps.lint(realPath(file), doc.getText());
      if (this.deps.version(doc.uri) !== version) return;
      this.deps.publish(doc.uri, lintDiagnostics(problems));
    } catch (e) {
      this.deps.log(`lint failed for ${file}: ${(e as Error).message}`);
    }
  }
}
