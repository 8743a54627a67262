/**
 * Candidate discovery on the file system: which workspace .py files to analyse, and which workspace files each one
 * imports (for the validation cache's dependency fingerprint and the worker's module invalidation).
 */
import * as fs from 'fs';
import * as path from 'path';
import { TextDecoder } from 'util';
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

/** Bytes Python refuses as source: the message `python3 <file>` prints (without "SyntaxError: ") and its line. */
export interface SourceRefusal {
  message: string;
  line: number;
  col: number;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** PEP 263: a comment line naming the encoding, on line 1, or on line 2 when line 1 is blank or only a comment. */
const CODING = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;
const BLANK_OR_COMMENT = /^[ \t\f]*(?:#.*)?\r?$/;
/** Python codec names (its alias table, lowercased, punctuation dropped) decoded by hand: WHATWG maps them elsewhere. */
const UTF8 = new Set(['utf8', 'u8', 'utf', 'utf8ucs2', 'utf8ucs4', 'cp65001']);
const LATIN1 = new Set(['latin1', 'latin', 'l1', 'iso88591', '8859', 'cp819', 'ibm819', 'isoir100', 'csisolatin1', 'isolatin1']);
const ASCII = new Set(['ascii', 'usascii', '646', 'us', 'ansix3.41968', 'ansix3.41986', 'cp367', 'ibm367', 'csascii', 'iso646us', 'isoir6']);
const CP1252 = new Set(['cp1252', 'windows1252', '1252']);
/** cp1252's 0x80..0x9f as Python decodes them (Node 20's decoder reads them as latin-1); it cannot decode the five U+FFFD. */
const CP1252_HIGH = '€\ufffd‚ƒ„…†‡ˆ‰Š‹Œ\ufffdŽ\ufffd\ufffd‘’“”•–—˜™š›œ\ufffdžŸ';

/** Length of the valid UTF-8 sequence at `i`, 0 when invalid: CPython's tokenizer valid_utf8() (no overlongs, surrogates). */
function utf8Length(b: Buffer, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  let n: number;
  if (c < 0xc2) return 0;
  else if (c < 0xe0) n = 1;
  else if (c < 0xf0) {
    if ((c === 0xe0 && b[i + 1] < 0xa0) || (c === 0xed && b[i + 1] >= 0xa0)) return 0;
    n = 2;
  } else if (c < 0xf5) {
    if ((c === 0xf0 && b[i + 1] < 0x90) || (c === 0xf4 && b[i + 1] >= 0x90)) return 0;
    n = 3;
  } else return 0;
  for (let k = 1; k <= n; k++) if (!(b[i + k] >= 0x80 && b[i + k] < 0xc0)) return 0;
  return n + 1;
}

/** 1-based line and column (in bytes) of a byte offset. */
function placeOf(b: Buffer, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = b.indexOf(0x0a); i !== -1 && i < offset; i = b.indexOf(0x0a, i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}

/**
 * A .py file's text, decoded as Python decodes a source file it runs (PEP 263): UTF-8 (a leading BOM allowed) unless
 * a coding line names another encoding. Where Python refuses the bytes — non-UTF-8 bytes with no coding line (the
 * interpreter refuses the file even though `import` tolerates them inside comments), bytes the declared encoding
 * cannot decode, a BOM with a non-UTF-8 coding line — `refused` says why, as Python does; the text is then decoded as
 * UTF-8 with replacement characters, enough to know the file's imports. An encoding Node cannot decode is not a
 * refusal: the text is read as UTF-8 as before, and the worker's import reports whatever Python makes of it.
 */
export function decodeSource(buf: Buffer, file: string): { text: string; refused?: SourceRefusal } {
  const lossy = () => buf.toString('utf8');
  const nl1 = buf.indexOf(0x0a);
  const first = buf.subarray(0, nl1 === -1 ? buf.length : nl1).toString('latin1');
  const nl2 = nl1 === -1 ? -1 : buf.indexOf(0x0a, nl1 + 1);
  const second = nl1 === -1 ? undefined : buf.subarray(nl1 + 1, nl2 === -1 ? buf.length : nl2).toString('latin1');
  const bom = buf.subarray(0, 3).equals(BOM);
  let m = CODING.exec(bom ? first.slice(3) : first);
  let specLine = 1;
  if (!m && second !== undefined && BLANK_OR_COMMENT.test(bom ? first.slice(3) : first)) {
    m = CODING.exec(second);
    specLine = 2;
  }
  if (!m) {
    if (bom) return { text: lossy() };
    for (let i = 0; i < buf.length; ) {
      const n = utf8Length(buf, i);
      if (n === 0) {
        const at = placeOf(buf, i);
        const hex = buf[i].toString(16).padStart(2, '0');
        const message = `Non-UTF-8 code starting with '\\x${hex}' in file ${file} on line ${at.line}, but no encoding declared; see https://peps.python.org/pep-0263/ for details`;
        return { text: lossy(), refused: { message, ...at } };
      }
      i += n;
    }
    return { text: lossy() };
  }
  // The name Python's tokenizer reports (its get_normal_name), and the codec lookup key.
  const spec = m[1];
  const low = spec.toLowerCase().replace(/_/g, '-');
  const shown = low === 'utf-8' || low.startsWith('utf-8-') ? 'utf-8' : /^(latin-1|iso-8859-1|iso-latin-1)(-|$)/.test(low) ? 'iso-8859-1' : spec;
  const key = shown.toLowerCase().replace(/[^a-z0-9.]/g, '');
  const problem = (message: string): { text: string; refused: SourceRefusal } => ({ text: lossy(), refused: { message, line: specLine, col: 1 } });
  if (UTF8.has(key)) return { text: lossy() };
  if (bom) return problem(`encoding problem: ${shown} with BOM`);
  if (LATIN1.has(key)) return { text: buf.toString('latin1') };
  if (ASCII.has(key)) return buf.some((c) => c >= 0x80) ? problem(`encoding problem: ${shown}`) : { text: buf.toString('latin1') };
  if (CP1252.has(key)) {
    const text = buf.toString('latin1').replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]);
    return text.includes('\ufffd') ? problem(`encoding problem: ${shown}`) : { text }; // latin-1 alone never gives U+FFFD
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(spec, { fatal: true });
  } catch {
    return { text: lossy() };
  }
  try {
    return { text: decoder.decode(buf) };
  } catch {
    return problem(`encoding problem: ${shown}`);
  }
}
