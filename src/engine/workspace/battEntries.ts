/**
 * Batt module entries as candidates. The analyzer slices each (t, source) entry of a generated batt module into its
 * own program (src/worker/analyzer/batt_slice.py), so an entry is folded like a hand-written solver: by the canonical
 * hash of its plain program plus the fingerprint of the code that program reads (depGraph.ts). An entry equal to a
 * hand-written solver, or to an entry of another batt module, is therefore its duplicate, and entries rank by their
 * own program length. An entry's verdicts still come from one call of the whole module (which scores every entry at
 * once), so what they are cached under covers that call: the batt def itself and everything it reads.
 */
import type { BattCandidate } from '../../protocol/analyzer';
import { sha256 } from '../fsutil';
import type { Candidate, InputError } from '../types';
import type { DepFile } from './depGraph';
import type { FileParse, WorkspaceFile } from './discover';

/** An entry's display name, and the symbol its reads hang on in the dependency graph (never a Python name). */
export function entryName(e: Pick<BattCandidate, 't' | 'source'>): string {
  return `batt:${e.t}:${e.source}`;
}

/** False for a parse cached before entries were sliced (it is parsed again). */
export function slicedParse(p: Pick<FileParse, 'batt'>): boolean {
  return !p.batt || p.batt.candidates.every((e) => Array.isArray(e.hashes));
}

/** The files as the dependency graph reads them, each batt entry a symbol of its module reading what its program reads. */
export function withEntrySymbols(files: Map<string, WorkspaceFile>): Map<string, DepFile> {
  const out = new Map<string, DepFile>(files);
  for (const f of files.values()) {
    const b = f.parse.batt;
    if (!b?.candidates.length) continue;
    const defs = b.candidates.map((e) => ({ name: entryName(e), hash: '', reads: e.reads, line: e.line, endLine: e.line }));
    out.set(f.path, { deps: f.deps, parse: { imports: f.parse.imports, symbols: { ...f.parse.symbols, defs: [...f.parse.symbols.defs, ...defs] } } });
  }
  return out;
}

export interface BattEntryInput {
  /** fingerprint of what a binding of a file reads (depGraph.ts, through a graph built on withEntrySymbols) */
  fingerprint: (file: string, name: string) => string;
  /** dedupKeys of the hand-written candidates: an entry reading only I takes the signature form one of them has */
  plainKeys: Set<string>;
  errors: InputError[];
}

/**
 * The candidates of one batt module, each with the fingerprint its verdicts are cached under. An entry reading only
 * I has an (I) and an (S, I, C) canonical form (canonical hashes keep the signature): it takes the first a
 * hand-written candidate has, so it folds with an arc-dsl `solve_x(I)` as with a tokpidjin `solve_x(S, I, C)`. An
 * entry the analyzer could not slice keeps an identity of its module (reported: it is neither folded nor stored).
 */
export function battCandidates(f: WorkspaceFile, input: BattEntryInput): Array<{ candidate: Candidate; fp: string }> {
  const b = f.parse.batt;
  if (!b) return [];
  const battHash = f.parse.symbols.defs.filter((d) => d.name === 'batt').map((d) => d.hash).join(',');
  const callFp = sha256(`${battHash}\n${input.fingerprint(f.path, 'batt')}`);
  return b.candidates.map((e) => {
    const name = entryName(e);
    const common = { name, file: f.path, line: e.line, endLine: e.line, kind: 'batt' as const, taskId: e.source };
    const batt = { fn: 'batt', t: e.t, mutated: e.mutated, source: e.source, program: e.program };
    if (!e.hashes.length) {
      input.errors.push({
        kind: 'candidate',
        file: f.path,
        line: e.line,
        message: `${name} cannot stand alone (${e.error ?? 'not sliced'}): it runs in its module, but is not folded with equal programs and --store does not keep it`,
      });
      return { candidate: { ...common, hash: sha256(`batt\n${battHash}\n${e.t}\n${e.source}`), length: 0, batt }, fp: callFp };
    }
    const fp = input.fingerprint(f.path, name);
    const keys = e.hashes.map((h) => sha256(`${h}\n${fp}`));
    const at = Math.max(0, keys.findIndex((k) => input.plainKeys.has(k)));
    return { candidate: { ...common, hash: e.hashes[at], dedupKey: keys[at], length: e.length, batt }, fp: callFp };
  });
}
