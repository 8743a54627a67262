/**
 * The discover and inline phases: find the workspace's Python files, parse them (cached by content hash), resolve
 * their workspace imports, and canonicalise every candidate (the "inlining" cache, keyed by the function's source hash).
 */
import * as fs from 'fs';
import * as path from 'path';
import { unlessAborted, type Analyzer } from './analyzer';
import { battCandidates, slicedParse, withEntrySymbols } from './battEntries';
import { DepGraph } from './depGraph';
import { decodeSource, findPythonFiles, resolveImport, type SourceRefusal } from './files';
import { sha256 } from '../fsutil';
import type { KvStore } from '../store/kvStore';
import type { Candidate, InputError } from '../types';
import type { CallKind } from '../../protocol/worker';
import type { BattCandidate, ModuleSymbols } from '../../protocol/analyzer';

/** What we keep of a parse, per file content hash (sources are sliced from the text when needed). */
export interface FileParse {
  functions: Array<{ name: string; taskId: string; line: number; endLine: number; kind: CallKind | null; params: string[]; segHash: string }>;
  batt: { line: number; endLine: number; segHash: string; candidates: BattCandidate[] } | null;
  imports: Array<{ module: string; level: number; line: number }>;
  contextHash: string;
  syntaxError: { message: string; line: number; col: number } | null;
  /** top-level bindings and what they read: the per-candidate fingerprints */
  symbols: ModuleSymbols;
}

export interface InlineEntry {
  hash: string;
  length: number;
  /** time the canonicalisation took, ms (per item share of its batch) */
  ms: number;
  error?: string;
}

export interface WorkspaceFile {
  path: string;
  text: string;
  sha: string;
  parse: FileParse;
  deps: string[];
}

export interface WorkspaceModel {
  files: Map<string, WorkspaceFile>;
  candidates: Candidate[];
  /** by fingerprintKey(candidate): hash of the code the candidate's closure of read names reaches (depGraph.ts) */
  depsFingerprint: Map<string, string>;
  errors: InputError[];
  inline: { hits: number; misses: number; savedMs: number };
}

export interface DiscoverInput {
  root: string;
  include: string[];
  exclude: string[];
  /** extra candidate files outside the include set (the solver store) */
  extraFiles?: string[];
  /** unsaved editor contents by absolute path */
  overrides?: Map<string, string>;
  analyzer: () => Analyzer;
  /** a second analyzer process: big canonicalisation batches are split across both (two cores) */
  analyzer2?: () => Analyzer;
  /** the last parse of each file, by path (one entry per file, so big files edited often do not pile up) */
  fileCache: KvStore<{ sha: string; parse: FileParse }>;
  inlineCache: KvStore<InlineEntry>;
  /** the engine's log: says when a module's dependencies fall back to the whole module, and why */
  log?: (line: string) => void;
  /** the run's cancel: pending analyzer calls reject at once and the phase returns empty (no files, no candidates) */
  signal?: AbortSignal;
}

/** The key of a candidate's entry in WorkspaceModel.depsFingerprint. */
export function fingerprintKey(c: Pick<Candidate, 'file' | 'name'>): string {
  return `${c.file}#${c.name}`;
}

/** Phase "discover": files, parses, imports. */
export async function discoverFiles(input: DiscoverInput): Promise<{ files: Map<string, WorkspaceFile>; errors: InputError[] }> {
  const outside: Array<{ path: string; real: string }> = [];
  const found = await findPythonFiles(input.root, input.include, input.exclude, outside);
  const paths = [...new Set([...found, ...(input.extraFiles ?? [])])];
  const errors: InputError[] = outside.map((o) => ({
    kind: 'candidate',
    file: o.path,
    message: `not imported: a symlink to ${o.real}, outside the workspace folder`,
  }));
  const files = new Map<string, WorkspaceFile>();
  const refused = new Map<string, SourceRefusal>(); // bytes Python would not run: reported, no candidates scored
  const texts = await Promise.all(
    paths.map(async (p) => {
      const override = input.overrides?.get(p);
      if (override !== undefined) return override;
      try {
        const src = decodeSource(await fs.promises.readFile(p), p);
        if (src.refused) refused.set(p, src.refused);
        return src.text;
      } catch (e) {
        errors.push({ kind: 'candidate', file: p, message: `cannot read: ${(e as Error).message}` });
        return undefined;
      }
    }),
  );
  const misses: Array<{ p: string; text: string; sha: string }> = [];
  paths.forEach((p, i) => {
    const text = texts[i];
    if (text === undefined) return;
    const sha = sha256(text);
    const cached = input.fileCache.get(p);
    if (cached && cached.sha === sha && cached.parse.symbols && slicedParse(cached.parse)) files.set(p, { path: p, text, sha, parse: cached.parse, deps: [] });
    else misses.push({ p, text, sha });
  });
  if (misses.length) {
    const analyzer = input.analyzer();
    const parsed = await Promise.all(misses.map((m) => analyzer.parse(m.p, m.text, { withSources: false, signal: input.signal }))).catch(unlessAborted(input.signal));
    if (!parsed) return { files: new Map(), errors };
    misses.forEach((m, i) => {
      const r = parsed[i];
      const parse: FileParse = {
        functions: r.functions.map((f) => ({ name: f.name, taskId: f.taskId, line: f.line, endLine: f.endLine, kind: f.kind, params: f.params, segHash: f.segHash })),
        batt: r.batt ? { line: r.batt.line, endLine: r.batt.endLine, segHash: r.batt.segHash, candidates: r.batt.candidates } : null,
        imports: r.imports,
        contextHash: r.contextHash,
        syntaxError: r.syntaxError,
        symbols: r.symbols,
      };
      input.fileCache.set(m.p, { sha: m.sha, parse });
      files.set(m.p, { path: m.p, text: m.text, sha: m.sha, parse, deps: [] });
    });
  }
  // A file Python refuses keeps its imports (what imports it still depends on it) but offers no candidates.
  for (const [p, why] of refused) {
    const f = files.get(p);
    if (f) f.parse = { ...f.parse, functions: [], batt: null, syntaxError: why };
  }
  const exists = (p: string) => files.has(p) || fileExists(p);
  for (const f of files.values()) {
    if (f.parse.syntaxError) {
      const s = f.parse.syntaxError;
      errors.push({ kind: 'syntax', file: f.path, line: s.line, col: s.col, message: `SyntaxError: ${s.message}` });
    }
    const deps = new Set<string>();
    for (const imp of f.parse.imports) {
      const target = resolveImport(input.root, f.path, imp, exists);
      if (target && target !== f.path && files.has(target)) deps.add(target);
    }
    f.deps = [...deps].sort();
  }
  return { files: new Map([...files.entries()].sort((a, b) => a[0].localeCompare(b[0]))), errors };
}

function fileExists(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Exact source of lines [line, endLine] (1-based) of a file split once into `lines` — top-level defs start at column 0. */
function sliceLines(lines: string[], line: number, endLine: number): string {
  return lines.slice(line - 1, endLine).join('\n');
}

/** Phase "inline": canonical hashes for every function candidate; builds the candidate list. */
export async function canonicalise(input: DiscoverInput, files: Map<string, WorkspaceFile>): Promise<WorkspaceModel> {
  const errors: InputError[] = [];
  const inline = { hits: 0, misses: 0, savedMs: 0 };
  const need = new Map<string, string>(); // segHash -> source
  for (const f of files.values()) {
    let lines: string[] | undefined; // split once per file: splitting per function is quadratic in big files
    for (const fn of f.parse.functions) {
      const hit = input.inlineCache.get(fn.segHash);
      if (hit) {
        inline.hits++;
        inline.savedMs += hit.ms;
      } else if (!need.has(fn.segHash)) {
        inline.misses++;
        need.set(fn.segHash, sliceLines((lines ??= f.text.split('\n')), fn.line, fn.endLine));
      } else {
        inline.hits++;
      }
    }
  }
  if (need.size) {
    const t0 = performance.now();
    const all = [...need.entries()].map(([key, source]) => ({ key, source }));
    // Cold runs canonicalise every solver: split a big batch across two analyzer processes.
    const half = input.analyzer2 && all.length >= 800 ? Math.ceil(all.length / 2) : all.length;
    const { signal } = input;
    const parts = await Promise.all([
      input.analyzer().canonical(all.slice(0, half), { signal }),
      half < all.length ? input.analyzer2!().canonical(all.slice(half), { signal }) : [],
    ]).catch(unlessAborted(signal));
    if (!parts) return { files, candidates: [], depsFingerprint: new Map(), errors, inline };
    const items = parts.flat();
    const each = (performance.now() - t0) / items.length;
    for (const it of items) input.inlineCache.set(it.key, { hash: it.hash, length: it.length, ms: each, error: it.error });
  }

  const depsFingerprint = new Map<string, string>();
  const graph = new DepGraph(input.root, withEntrySymbols(files), (p) => files.has(p));
  const opaque = new Set<string>();
  const fingerprint = (file: string, name: string): string => {
    const r = graph.fingerprint(file, name);
    for (const o of r.opaque) opaque.add(o);
    return r.fp;
  };
  const candidates: Candidate[] = [];
  for (const f of files.values()) {
    if (!f.parse.functions.length && !f.parse.batt) continue;
    for (const fn of f.parse.functions) {
      const entry = input.inlineCache.get(fn.segHash);
      if (!fn.kind) {
        errors.push({ kind: 'candidate', file: f.path, line: fn.line, message: `${fn.name}(${fn.params.join(', ')}): unsupported signature; expected (I) or (S, I, C)` });
        continue;
      }
      if (!entry || entry.error) {
        errors.push({ kind: 'candidate', file: f.path, line: fn.line, message: `${fn.name}: cannot canonicalise: ${entry?.error ?? 'no result'}` });
        continue;
      }
      const fp = fingerprint(f.path, fn.name);
      const c: Candidate = { name: fn.name, file: f.path, line: fn.line, endLine: fn.endLine, kind: fn.kind, taskId: fn.taskId, hash: entry.hash, dedupKey: sha256(`${entry.hash}\n${fp}`), length: entry.length };
      depsFingerprint.set(fingerprintKey(c), fp);
      candidates.push(c);
    }
  }
  // Batt entries after every hand-written candidate is known: an entry takes the signature form of its twin (battEntries.ts).
  const plainKeys = new Set(candidates.map((c) => c.dedupKey ?? c.hash));
  for (const f of files.values()) {
    for (const { candidate, fp } of battCandidates(f, { fingerprint, plainKeys, errors })) {
      depsFingerprint.set(fingerprintKey(candidate), fp);
      candidates.push(candidate);
    }
  }
  for (const o of [...opaque].sort()) {
    const why = graph.opaque(o)!;
    input.log?.(`${relative(input.root, o)}:${why.line}: ${why.reason}: its dependents depend on the whole module (any change to it reruns them)`);
  }
  return { files, candidates, depsFingerprint, errors, inline };
}

export function relative(root: string, p: string): string {
  const r = path.relative(root, p);
  return r.startsWith('..') ? p : r;
}
