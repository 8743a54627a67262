/**
 * The diagnostics of every file, by source, merged per URI on publish: run diagnostics (`batt`) per candidate name
 * (and "input" for syntax and task-file errors), lint diagnostics (`batt-lint`) per document. Knows nothing of the
 * connection: it is given a sink and the open documents' versions.
 */
import * as fs from 'fs';
import { pathToFileURL } from 'url';
import type { Diagnostic } from 'vscode-languageserver/node';
import type { RunJson } from '../protocol/results';
import { runDiagnostics } from './diagnostics';

export interface PublisherDeps {
  /** publishes a URI's whole diagnostic list */
  send(uri: string, diagnostics: Diagnostic[]): void;
  /** the version of an open document, undefined when it is not open */
  version(uri: string): number | undefined;
  /** does this path name a file (results for files that are gone are dropped) */
  isFile(path: string): boolean;
  /** a file's text, for the source lines exception ranges are cut to (default: read from disk, as the run did) */
  readFile?(path: string): string | undefined;
}

function readFromDisk(path: string): string | undefined {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export interface PublishOptions {
  /** open documents' versions when the run started: a document edited since keeps its previous diagnostics */
  versions?: Map<string, number>;
  /** update only the candidates in the run (a task run) instead of replacing the files' run diagnostics (a save) */
  merge?: boolean;
  /** the saved file: it always gets fresh run diagnostics, even when it holds no candidate */
  saved?: string;
}

export class DiagnosticsPublisher {
  private readonly runDiags = new Map<string, Map<string, Diagnostic[]>>();
  private readonly lintDiags = new Map<string, Diagnostic[]>();

  constructor(private readonly deps: PublisherDeps) {}

  /**
   * Publishes a run's diagnostics. A save run covers every candidate of the files it touched, so it replaces their
   * diagnostics; a task run (merge) updates only the candidates it scored on their own task. Results for an outdated
   * document version are never published.
   */
  publishRun(run: RunJson, opts: PublishOptions = {}): void {
    const lines = new Map<string, string[] | undefined>();
    const lineText = (file: string, line: number) => {
      if (!lines.has(file)) lines.set(file, (this.deps.readFile ?? readFromDisk)(file)?.split(/\r?\n/));
      return lines.get(file)?.[line - 1];
    };
    const byFile = runDiagnostics(run, lineText);
    // A fixed syntax error clears: the saved file is published even when the run has nothing for it.
    if (opts.saved && !byFile.has(opts.saved)) byFile.set(opts.saved, new Map());
    for (const [file, byKey] of byFile) {
      if (!this.deps.isFile(file)) continue;
      const uri = pathToFileURL(file).toString();
      const now = this.deps.version(uri);
      const then = opts.versions?.get(uri);
      if (now !== undefined && then !== undefined && now !== then) continue;
      const next = opts.merge ? new Map(this.runDiags.get(uri) ?? []) : new Map<string, Diagnostic[]>();
      for (const [k, d] of byKey) next.set(k, d);
      this.runDiags.set(uri, next);
      this.publish(uri);
    }
  }

  setLint(uri: string, diagnostics: Diagnostic[]): void {
    this.lintDiags.set(uri, diagnostics);
    this.publish(uri);
  }

  /** A closed document keeps its run diagnostics (the file still has those verdicts) and loses its lint ones. */
  clearLint(uri: string): void {
    this.lintDiags.delete(uri);
    this.publish(uri);
  }

  private publish(uri: string): void {
    const run = [...(this.runDiags.get(uri)?.values() ?? [])].flat();
    this.deps.send(uri, [...run, ...(this.lintDiags.get(uri) ?? [])]);
  }
}
