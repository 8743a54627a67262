/**
 * The workers' module map, with in-place patches for edits confined to solver bodies: re-importing a 400-solver
 * module in four workers costs far more than the edited solver's own run, so when an edit only changed (or moved)
 * solve_* functions of a file nothing else imports, the workers re-execute just those functions (FilePatch).
 */
import type { FilePatch, FilesMessage } from '../../protocol/worker';
import type { WorkspaceFile } from './discover';

const BLANK = /^\s*(#.*)?$/;

/** Lines outside every solver function (line number and text), blank and comment lines left out. */
function skeleton(f: WorkspaceFile): string[] {
  const inFn = new Set<number>();
  for (const fn of f.parse.functions) for (let l = fn.line; l <= fn.endLine; l++) inFn.add(l);
  const out: string[] = [];
  f.text.split('\n').forEach((text, i) => {
    if (!inFn.has(i + 1) && !BLANK.test(text)) out.push(`${i + 1}\t${text}`);
  });
  return out;
}

function sameImports(a: WorkspaceFile, b: WorkspaceFile): boolean {
  const key = (f: WorkspaceFile) => f.parse.imports.map((i) => `${i.level}:${i.module}`).join('\n');
  return key(a) === key(b);
}

/**
 * The patch turning `prev` (what the workers have) into `cur`, or undefined when only a re-import is safe. Whether
 * another module imports the file is the worker's call: it knows which modules it has loaded.
 */
export function patchFor(prev: WorkspaceFile, cur: WorkspaceFile): FilePatch | undefined {
  if (prev.sha === cur.sha) return undefined;
  if (prev.parse.syntaxError || cur.parse.syntaxError) return undefined;
  if (prev.parse.contextHash !== cur.parse.contextHash || !sameImports(prev, cur)) return undefined;
  const pb = prev.parse.batt;
  const cb = cur.parse.batt;
  if ((pb || cb) && !(pb && cb && pb.segHash === cb.segHash && pb.line === cb.line)) return undefined;
  const names = cur.parse.functions.map((f) => f.name);
  if (new Set(names).size !== names.length) return undefined;
  const a = skeleton(prev);
  const b = skeleton(cur);
  if (a.length !== b.length || a.some((l, i) => l !== b[i])) return undefined;
  const before = new Map(prev.parse.functions.map((f) => [f.name, f]));
  const lines = cur.text.split('\n');
  // A decorated solver cannot be re-executed from its def alone.
  if (cur.parse.functions.some((f) => f.line > 1 && lines[f.line - 2].startsWith('@'))) return undefined;
  const fns: FilePatch['fns'] = [];
  const moves: FilePatch['moves'] = [];
  for (const f of cur.parse.functions) {
    const old = before.get(f.name);
    if (!old || old.segHash !== f.segHash) fns.push({ name: f.name, line: f.line, source: lines.slice(f.line - 1, f.endLine).join('\n') + '\n' });
    else if (old.line !== f.line) moves.push({ name: f.name, delta: f.line - old.line });
  }
  return { base: prev.sha, fns, moves };
}

/** The FilesMessage map for the current files, with patches against what was last sent where they are safe. */
export function filesWithPatches(files: Map<string, WorkspaceFile>, sent: Map<string, WorkspaceFile>): FilesMessage['files'] {
  const out: FilesMessage['files'] = {};
  for (const f of files.values()) {
    const prev = sent.get(f.path);
    const patch = prev ? patchFor(prev, f) : undefined;
    out[f.path] = patch ? { sha: f.sha, deps: f.deps, patch } : { sha: f.sha, deps: f.deps };
  }
  return out;
}
