/**
 * Candidate discovery on the file system: which workspace .py files to analyse, and which workspace files each one
 * imports (for the validation cache's dependency fingerprint and the worker's module invalidation).
 */
import * as fs from 'fs';
import * as path from 'path';
import { SETTINGS } from '../../protocol/settings';
import { GlobSet } from './glob';

/** Symlinked folders can nest; stop well before any real layout would. */
const MAX_DEPTH = 64;

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * All workspace .py files matching include and not exclude (globs relative to root, `**`, `*`, `?`, `{a,b}`), sorted.
 * Paths are `root` joined with the path found (symlinks are not resolved in the result). Excluded folders are never
 * read. Symlinks (folders or files) that resolve outside root, broken symlinks and symlink cycles are skipped;
 * unreadable folders are skipped silently.
 */
export async function findPythonFiles(
  root: string,
  include: readonly string[] = SETTINGS.include.default,
  exclude: readonly string[] = SETTINGS.exclude.default,
  /** collects matching .py symlinks that resolve outside root (skipped), so the caller can report them */
  outside?: Array<{ path: string; real: string }>,
): Promise<string[]> {
  const rootAbs = path.resolve(root);
  const rootReal = await fs.promises.realpath(rootAbs).catch(() => rootAbs);
  const inc = new GlobSet(include);
  const exc = new GlobSet(exclude);
  const out: string[] = [];

  const walk = async (dirAbs: string, rel: string, real: string, ancestors: ReadonlySet<string>, depth: number): Promise<void> => {
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dirAbs, { withFileTypes: true });
    } catch {
      return;
    }
    const subdirs: Array<Promise<void>> = [];
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      const childAbs = path.join(dirAbs, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      let childReal = path.join(real, e.name);
      if (e.isSymbolicLink()) {
        try {
          childReal = await fs.promises.realpath(childAbs);
          const st = await fs.promises.stat(childReal);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue; // broken link
        }
        if (!isInside(rootReal, childReal)) {
          if (isFile && e.name.endsWith('.py') && inc.matches(childRel) && !exc.matches(childRel)) outside?.push({ path: childAbs, real: childReal });
          continue;
        }
      }
      if (isDir) {
        if (exc.matchesDir(childRel) || ancestors.has(childReal) || depth >= MAX_DEPTH) continue;
        subdirs.push(walk(childAbs, childRel, childReal, new Set(ancestors).add(childReal), depth + 1));
      } else if (isFile && e.name.endsWith('.py') && inc.matches(childRel) && !exc.matches(childRel)) {
        out.push(childAbs);
      }
    }
    await Promise.all(subdirs);
  };

  await walk(rootAbs, '', rootReal, new Set([rootReal]), 0);
  return out.sort();
}

function moduleFile(base: string, parts: string[], exists: (p: string) => boolean): string | undefined {
  const stem = path.join(base, ...parts);
  if (parts.length && exists(`${stem}.py`)) return `${stem}.py`;
  const init = path.join(stem, '__init__.py');
  return exists(init) ? init : undefined;
}

/** The folder a relative import of `level` dots starts from, if it stays inside root. */
function relativeBase(root: string, importer: string, level: number): string | undefined {
  let base = path.dirname(path.resolve(importer));
  for (let i = 1; i < level; i++) base = path.dirname(base);
  return isInside(path.resolve(root), base) ? base : undefined;
}

/**
 * Module name -> workspace file. Absolute imports are looked up relative to the root (`dsl` -> <root>/dsl.py or
 * <root>/dsl/__init__.py), then relative to the importing file's own folder; relative imports by level. Modules
 * outside the workspace (stdlib, site-packages) give undefined.
 */
export function resolveImport(root: string, importer: string, imp: { module: string; level: number }, exists: (p: string) => boolean): string | undefined {
  const rootAbs = path.resolve(root);
  const parts = imp.module ? imp.module.split('.') : [];
  if (parts.some((p) => !p)) return undefined;
  const bases: string[] = [];
  if (imp.level > 0) {
    const base = relativeBase(rootAbs, importer, imp.level);
    if (base) bases.push(base);
  } else if (parts.length) {
    bases.push(rootAbs);
    const own = path.dirname(path.resolve(importer));
    if (own !== rootAbs && isInside(rootAbs, own)) bases.push(own);
  }
  for (const base of bases) {
    const f = moduleFile(base, parts, exists);
    if (f && isInside(rootAbs, f)) return f;
  }
  return undefined;
}

/**
 * Every workspace file an import statement loads: the module itself, the `__init__.py` of each enclosing package
 * on the way to it, and for `from m import a, b` the submodules m.a / m.b that exist as files.
 */
export function resolveImportAll(
  root: string,
  importer: string,
  imp: { module: string; level: number; names?: string[] },
  exists: (p: string) => boolean,
): string[] {
  const out = new Set<string>();
  const target = resolveImport(root, importer, imp, exists);
  if (target) {
    out.add(target);
    const parts = imp.module ? imp.module.split('.') : [];
    // climb from the target's package to where the dotted name started
    let dir = path.dirname(path.basename(target) === '__init__.py' ? path.dirname(target) : target);
    for (let i = 1; i < parts.length; i++, dir = path.dirname(dir)) {
      const init = path.join(dir, '__init__.py');
      if (exists(init) && isInside(path.resolve(root), init)) out.add(init);
    }
  }
  const pkg = path.basename(target ?? '') === '__init__.py' ? path.dirname(target as string) : undefined;
  const pkgDir = pkg ?? (imp.level > 0 && !imp.module ? relativeBase(path.resolve(root), importer, imp.level) : undefined);
  if (pkgDir) {
    for (const n of imp.names ?? []) {
      if (n === '*') continue;
      const sub = moduleFile(pkgDir, [n], exists);
      if (sub && isInside(path.resolve(root), sub)) out.add(sub);
    }
  }
  return [...out].sort();
}

/** The transitive closure of workspace files a file imports (the file itself excluded, even through a cycle), sorted. */
export function importClosure(file: string, directDeps: Map<string, string[]>): string[] {
  const seen = new Set<string>([file]);
  const stack = [...(directDeps.get(file) ?? [])];
  const out: string[] = [];
  while (stack.length) {
    const f = stack.pop() as string;
    if (seen.has(f)) continue;
    seen.add(f);
    out.push(f);
    for (const d of directDeps.get(f) ?? []) if (!seen.has(d)) stack.push(d);
  }
  return out.sort();
}
