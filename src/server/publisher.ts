/**
 * The diagnostics of every file, by source, merged per URI on publish: run diagnostics (`batt`) per candidate name
 * (and "input" for syntax and task-file errors), the verdicts kept while a file does not parse, lint diagnostics
 * (`batt-lint`, a syntax error among them) per document. Knows nothing of the connection: it is given a sink and the
 * open documents' versions.
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

/** The key of a file's input problems (syntax errors, bad task files) among its run diagnostics (runDiagnostics). */
const INPUT = 'input';

function isSyntaxError(d: Diagnostic): boolean {
  return d.code === 'syntax';
}

/** A verdict kept while its file does not parse: it says so, and points at the syntax error. */
function fromLastParse(d: Diagnostic, uri: string, syntax: Diagnostic | undefined): Diagnostic {
  const at = syntax ? `: line ${syntax.range.start.line + 1} has a syntax error` : '';
  const related = syntax ? [{ location: { uri, range: syntax.range }, message: 'the file does not parse from here; this verdict is from the last run that parsed it' }] : [];
  return { ...d, message: `${d.message} (from the last run that parsed this file${at})`, relatedInformation: [...(d.relatedInformation ?? []), ...related] };
}

export class DiagnosticsPublisher {
  private readonly runDiags = new Map<string, Map<string, Diagnostic[]>>();
  /** per URI whose file does not parse: the verdicts of the last run that parsed it, shown marked beside the syntax error */
  private readonly lastParse = new Map<string, Map<string, Diagnostic[]>>();
  private readonly lintDiags = new Map<string, Diagnostic[]>();

  constructor(private readonly deps: PublisherDeps) {}

  /**
   * Publishes a run's diagnostics. A save run covers every candidate of the files it touched, so it replaces their
   * diagnostics; a task run (merge) updates only the candidates it scored on their own task. Results for an outdated
   * document version are never published. A file the run found a syntax error in keeps its earlier verdicts, marked
   * as from the last run that parsed it, until a run parses it again.
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
      const prev = this.runDiags.get(uri);
      const next = opts.merge ? new Map(prev ?? []) : new Map<string, Diagnostic[]>();
      for (const [k, d] of byKey) next.set(k, d);
      if (byKey.get(INPUT)?.some(isSyntaxError)) {
        const kept = new Map(this.lastParse.get(uri) ?? []);
        for (const [k, d] of prev ?? []) if (k !== INPUT && !byKey.has(k)) kept.set(k, d);
        for (const k of byKey.keys()) kept.delete(k);
        for (const k of kept.keys()) next.delete(k);
        this.lastParse.set(uri, kept);
      } else {
        const kept = this.lastParse.get(uri);
        this.lastParse.delete(uri);
        if (opts.merge && [...byKey.keys()].some((k) => k !== INPUT)) {
          // the file parsed (the run scored its candidates): its other verdicts are no longer from before a syntax
          // error, and a syntax error it had is gone
          for (const [k, d] of kept ?? []) if (!next.has(k)) next.set(k, d);
          if (!byKey.has(INPUT)) next.delete(INPUT);
        }
      }
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

  /**
   * The URI's run diagnostics, its kept verdicts (marked) and its lint diagnostics. A linted document's syntax error is
   * the lint's (the text as it is now, from the same parser): the run's, of the saved file, is then not repeated.
   */
  private publish(uri: string): void {
    const lint = this.lintDiags.get(uri);
    const run = [...(this.runDiags.get(uri)?.entries() ?? [])].flatMap(([k, d]) => (k === INPUT && lint ? d.filter((x) => !isSyntaxError(x)) : d));
    const syntax = lint?.find(isSyntaxError) ?? this.runDiags.get(uri)?.get(INPUT)?.find(isSyntaxError);
    const kept = [...(this.lastParse.get(uri)?.values() ?? [])].flat().map((d) => fromLastParse(d, uri, syntax));
    this.deps.send(uri, [...run, ...kept, ...(lint ?? [])]);
  }
}
