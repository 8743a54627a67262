/**
 * Honest line numbers for reused error verdicts. A cached exception carries lines (error.line in the candidate's
 * file, dslLine in a DSL module, the traceback's `File "...", line N`) that an edit elsewhere in those files (a
 * comment, a blank line) can move without changing the cache key. So a verdict is stored with an anchor per workspace
 * frame: the top-level binding enclosing the line, its first line and the hash of its source lines (module-level code:
 * the whole file). At reuse, when every anchor's binding has the same text, perhaps at another line, the verdict's
 * lines move by the same shift; when one changed (or is gone) the verdict is not reused and the pair reruns.
 */
import { sha256 } from '../fsutil';
import type { PairResult } from '../types';
import type { WorkspaceFile } from '../workspace/discover';
import { describeError } from './verdicts';

export interface VerdictAnchor {
  file: string;
  /** the enclosing top-level binding; '' for module-level code */
  name: string;
  /** its line range when the verdict was made (1-based; the whole file for module-level code) */
  line: number;
  endLine: number;
  /** sha256 of those source lines (of the whole text for module-level code) */
  sha: string;
}

const FRAME = /(File ")([^"]+)(", line )(\d+)/g;

interface Span {
  name: string;
  line: number;
  endLine: number;
}

export class LineAnchors {
  private readonly spans = new Map<string, { spans: Span[]; byName: Map<string, Span[]> }>();
  private readonly lines = new Map<string, string[]>();
  private readonly shas = new Map<string, string>();

  constructor(private readonly files: Map<string, WorkspaceFile>) {}

  /** The anchors an error verdict's lines depend on; undefined when it names no line in a workspace file. */
  anchorsFor(r: PairResult): VerdictAnchor[] | undefined {
    const refs = this.refs(r);
    if (!refs.length) return undefined;
    const out = new Map<string, VerdictAnchor>();
    for (const [file, line] of refs) {
      const a = this.anchorAt(file, line);
      out.set(`${a.file}\0${a.name}\0${a.line}`, a);
    }
    return [...out.values()];
  }

  /** `r` with its lines moved to where its anchors are now, or undefined when an anchor's code changed. */
  remap(r: PairResult, anchors: VerdictAnchor[], memoryMB: number): PairResult | undefined {
    const shifts: Array<{ a: VerdictAnchor; delta: number }> = [];
    for (const a of anchors) {
      const delta = this.shiftOf(a);
      if (delta === undefined) return undefined;
      shifts.push({ a, delta });
    }
    if (shifts.every((s) => s.delta === 0)) return r;
    let ok = true;
    const move = (file: string | undefined, line: number | undefined): number | undefined => {
      if (file === undefined || line === undefined || !this.files.has(file)) return line;
      const s = shifts.find((x) => x.a.file === file && x.a.line <= line && line <= x.a.endLine);
      if (!s) ok = false;
      return s ? line + s.delta : line;
    };
    const e = r.error!;
    const error = { ...e, line: move(e.file, e.line), dslLine: move(e.dslFile, e.dslLine) };
    if (e.line === undefined) delete error.line;
    if (e.dslLine === undefined) delete error.dslLine;
    error.traceback = e.traceback.replace(FRAME, (_all, pre: string, file: string, mid: string, n: string) => `${pre}${file}${mid}${move(file, Number(n))}`);
    if (!ok) return undefined;
    const message = r.message === describeError(e, memoryMB) ? describeError(error, memoryMB) : r.message;
    return { ...r, error, message };
  }

  /** (file, line) of every line the verdict names in a workspace file. */
  private refs(r: PairResult): Array<[string, number]> {
    const e = r.error;
    if (!e) return [];
    const out: Array<[string, number]> = [];
    const add = (file: string | undefined, line: number | undefined) => {
      if (file !== undefined && line !== undefined && this.files.has(file)) out.push([file, line]);
    };
    add(e.file, e.line);
    add(e.dslFile, e.dslLine);
    for (const m of e.traceback.matchAll(FRAME)) add(m[2], Number(m[4]));
    return out;
  }

  private anchorAt(file: string, line: number): VerdictAnchor {
    const spans = this.spansOf(file).spans;
    let lo = 0;
    let hi = spans.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (spans[mid].line <= line) lo = mid;
      else hi = mid - 1;
    }
    const span = spans[lo];
    if (!span || span.line > line || line > span.endLine) return { file, name: '', line: 1, endLine: Number.MAX_SAFE_INTEGER, sha: this.files.get(file)!.sha };
    return { file, name: span.name, line: span.line, endLine: span.endLine, sha: this.textSha(file, span.line, span.endLine) };
  }

  /** How far the anchor's binding moved, or undefined when its text changed or it is gone. */
  private shiftOf(a: VerdictAnchor): number | undefined {
    const f = this.files.get(a.file);
    if (!f) return undefined;
    if (a.name === '') return f.sha === a.sha ? 0 : undefined;
    const len = a.endLine - a.line;
    let best: number | undefined;
    for (const s of this.spansOf(a.file).byName.get(a.name) ?? []) {
      if ( s.endLine - s.line !== len || this.textSha(a.file, s.line, s.endLine) !== a.sha) continue;
      const delta = s.line - a.line;
      if (best === undefined || Math.abs(delta) < Math.abs(best)) best = delta;
    }
    return best;
  }

  /** Top-level binding statements in source order (one per statement), and by name. */
  private spansOf(file: string): { spans: Span[]; byName: Map<string, Span[]> } {
    let s = this.spans.get(file);
    if (!s) {
      s = { spans: [], byName: new Map() };
      let last: Span | undefined;
      for (const d of this.files.get(file)?.parse.symbols.defs ?? []) {
        if (last && last.line === d.line && last.endLine === d.endLine) continue; // one statement binding several names
        last = { name: d.name, line: d.line, endLine: d.endLine };
        s.spans.push(last);
        const list = s.byName.get(d.name);
        if (list) list.push(last);
        else s.byName.set(d.name, [last]);
      }
      this.spans.set(file, s);
    }
    return s;
  }

  private textSha(file: string, line: number, endLine: number): string {
    const key = `${file}\0${line}\0${endLine}`;
    let h = this.shas.get(key);
    if (h === undefined) {
      let lines = this.lines.get(file);
      if (!lines) {
        lines = this.files.get(file)!.text.split('\n');
        this.lines.set(file, lines);
      }
      h = sha256(lines.slice(line - 1, endLine).join('\n'));
      this.shas.set(key, h);
    }
    return h;
  }
}
