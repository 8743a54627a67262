/**
 * The `batt/trace` request and the hover on traced lines. A request traces one solver of an open file with the
 * engine (the unsaved contents of open documents as overrides); the trace is kept with the document version it was
 * made from, and the hover answers only while the document is still at that version and the line still reads as
 * traced, so values of an older version never show against new lines. Errors are a clear message (a ResponseError),
 * never a fake trace. Knows nothing of the connection: server.ts wires it.
 */
import { LSPErrorCodes, ResponseError, type Hover, type HoverParams } from 'vscode-languageserver/node';
import type { TraceParams } from '../protocol/lsp';
import type { TraceJson, TraceLine } from '../protocol/trace';
import { realPath, toPath } from './paths';
import { hoverMarkdown } from './traceHover';

/** What the trace needs of the engine (Engine.trace, src/engine/trace/). */
export interface TraceEngine {
  trace(o: { solver: string; task?: string; overrides?: Map<string, string>; signal?: AbortSignal }): Promise<TraceJson>;
}

export interface TraceDoc {
  readonly uri: string;
  readonly version: number;
  getText(): string;
}

export interface TraceDeps {
  /** the engine of the folder holding the file (throws when the workspace is not trusted) */
  engineFor(file: string): TraceEngine | undefined;
  document(uri: string): TraceDoc | undefined;
  documents(): TraceDoc[];
}

interface Kept {
  solver: string;
  version: number;
  trace: TraceJson;
}

/** Traces kept per document: the most recent few solvers (the cursor's, and those it came from). */
const KEEP = 4;

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/g;

export class Traces {
  /** each open document's version when it was opened or last saved: a newer version has unsaved contents */
  private readonly savedVersion = new Map<string, number>();
  private readonly kept = new Map<string, Kept[]>();

  constructor(private readonly deps: TraceDeps) {}

  opened(uri: string, version: number): void {
    this.savedVersion.set(uri, version);
  }

  saved(uri: string, version: number): void {
    this.savedVersion.set(uri, version);
  }

  closed(uri: string): void {
    this.savedVersion.delete(uri);
    this.kept.delete(uri);
  }

  /** The open Python documents with unsaved changes, by real path: what the editor shows, not what is on disk. */
  overrides(): Map<string, string> {
    const out = new Map<string, string>();
    for (const d of this.deps.documents()) {
      if (this.savedVersion.get(d.uri) === d.version) continue;
      const file = toPath(d.uri);
      if (file && file.endsWith('.py')) out.set(realPath(file), d.getText());
    }
    return out;
  }

  /** `batt/trace`: the solver's trace on its task (or `task`), from the document as the editor has it. */
  async trace(p: TraceParams, signal?: AbortSignal): Promise<TraceJson> {
    const fail = (m: string) => new ResponseError(LSPErrorCodes.RequestFailed, m);
    if (!p || typeof p.uri !== 'string' || typeof p.solver !== 'string' || !/^[A-Za-z_]\w*$/.test(p.solver)) throw fail('batt/trace needs {uri, solver}: a file URI and a function name');
    if (p.task !== undefined && (typeof p.task !== 'string' || !/^[\w.-]+$/.test(p.task))) throw fail(`bad task id ${JSON.stringify(p.task)}`);
    const file = toPath(p.uri);
    if (!file) throw fail(`cannot trace ${p.uri}: not a file`);
    const real = realPath(file);
    let engine: TraceEngine | undefined;
    try {
      engine = this.deps.engineFor(real);
    } catch (e) {
      throw fail((e as Error).message);
    }
    if (!engine) throw fail(`${file} is in no workspace folder: batt traces only solvers of the open folders`);
    const version = this.deps.document(p.uri)?.version;
    let trace: TraceJson;
    try {
      trace = await engine.trace({ solver: p.solver, task: p.task, overrides: this.overrides(), signal });
    } catch (e) {
      if (signal?.aborted) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'trace cancelled');
      throw fail(`cannot trace ${p.solver}: ${(e as Error).message}`);
    }
    if (realPath(trace.file) !== real) throw fail(`${p.solver} is defined in ${trace.file}, not in ${file}`);
    if (version !== undefined) this.keep(p.uri, { solver: p.solver, version, trace });
    return trace;
  }

  private keep(uri: string, k: Kept): void {
    const list = (this.kept.get(uri) ?? []).filter((x) => x.solver !== k.solver);
    list.unshift(k);
    this.kept.set(uri, list.slice(0, KEEP));
  }

  /**
   * The traced line at the position, or — on a name a traced line assigned (hovering `x3` in `x5 = crop(x3, …)`) — the
   * latest line assigning it up to there; only from a trace of the document's current version whose lines still read
   * as traced.
   */
  lineAt(uri: string, line0: number, character: number): { trace: TraceJson; line: TraceLine; word?: { start: number; end: number } } | undefined {
    const doc = this.deps.document(uri);
    if (!doc) return undefined;
    const lines = doc.getText().split(/\r?\n/);
    const reads = (l: TraceLine) => lines[l.line - 1]?.trim() === l.source.trim();
    for (const k of this.kept.get(uri) ?? []) {
      if (k.version !== doc.version) continue;
      const here = k.trace.lines.find((l) => l.line === line0 + 1);
      if (!here || !reads(here)) continue;
      const word = wordAt(lines[line0], character);
      const named = word
        ? k.trace.lines.filter((l) => l.name === word.text && l.line <= line0 + 1).sort((a, b) => b.line - a.line)[0]
        : undefined;
      if (named && named !== here && reads(named)) return { trace: k.trace, line: named, word };
      return { trace: k.trace, line: here };
    }
    return undefined;
  }

  hover(p: HoverParams): Hover | null {
    const at = this.lineAt(p.textDocument.uri, p.position.line, p.position.character);
    if (!at) return null;
    const text = this.deps.document(p.textDocument.uri)?.getText().split(/\r?\n/)[p.position.line] ?? '';
    // the name hovered, else the whole statement
    const start = at.word?.start ?? text.length - text.trimStart().length;
    const end = at.word?.end ?? text.trimEnd().length;
    return {
      contents: { kind: 'markdown', value: hoverMarkdown(at.trace, at.line) },
      range: { start: { line: p.position.line, character: start }, end: { line: p.position.line, character: end } },
    };
  }
}

function wordAt(text: string | undefined, character: number): { text: string; start: number; end: number } | undefined {
  if (!text) return undefined;
  for (const m of text.matchAll(IDENT)) {
    const i = m.index ?? 0;
    if (character >= i && character <= i + m[0].length) return { text: m[0], start: i, end: i + m[0].length };
  }
  return undefined;
}
