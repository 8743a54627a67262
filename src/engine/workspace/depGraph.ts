/**
 * Primitive-level invalidation: what one candidate's code can reach, from the modules' symbol tables (deps.py). A
 * candidate's fingerprint is a hash over the closure of the names it reads, resolved through its own module's
 * definitions (other solve_* functions included) and through `import m` / `from m import x` / `from m import *` of
 * workspace modules, recursively. An opaque module (module-level code, exec, a computed getattr on a workspace
 * module, a star import of a module outside the workspace, ...) is depended on as a whole: its whole-module hash and
 * those of everything it imports.
 */
import type { ImportInfo, ModuleSymbols, SymbolDef } from '../../protocol/analyzer';
import { sha256 } from '../fsutil';
import { resolveImport, resolveImportAll } from './files';

/** What the graph needs of a workspace file (a WorkspaceFile is one). */
export interface DepFile {
  parse: { symbols: ModuleSymbols; imports: Array<Pick<ImportInfo, 'module' | 'level' | 'line' | 'names'>> };
  /** workspace files it imports directly */
  deps: string[];
}

export interface Opaque {
  reason: string;
  line: number;
}

/** Node ids: a symbol of a file, or a whole module. */
const sym = (file: string, name: string) => `S\0${file}\0${name}`;
const mod = (file: string) => `M\0${file}`;

export class DepGraph {
  private readonly syms = new Map<string, Map<string, SymbolDef[]>>();
  private readonly opaqueOf = new Map<string, Opaque | null>();
  private readonly exportsOf = new Map<string, Set<string>>();
  private readonly reads = new Map<string, string[]>();
  private readonly edgesOf = new Map<string, string[]>();
  private readonly closures = new Map<string, string[]>();
  private readonly digests = new Map<string, string>();
  private readonly resolved = new Map<string, string | undefined>();
  private readonly inProgress = new Set<string>();
  /** bumped when a resolution meets one in progress (a cycle): results computed meanwhile are not memoised */
  private cycles = 0;

  constructor(
    private readonly root: string,
    private readonly files: Map<string, DepFile>,
    private readonly exists: (p: string) => boolean,
  ) {}

  /**
   * Hash over everything the named binding of `file` reaches, itself excluded (the candidate's own hash covers it),
   * and the opaque modules among what it reaches. Closures of the nodes it reads are shared between candidates.
   */
  fingerprint(file: string, name: string): { fp: string; opaque: string[] } {
    const start = this.opaque(file) ? mod(file) : sym(file, name);
    const reached = new Set<string>(start === mod(file) ? this.closureOf(start) : []);
    if (start !== mod(file)) for (const e of this.edges(start)) for (const n of this.closureOf(e)) reached.add(n);
    if (start !== mod(file)) reached.delete(start);
    const opaque: string[] = [];
    const digests: string[] = [];
    for (const n of reached) {
      digests.push(this.digest(n));
      if (n.startsWith('M\0') && this.opaque(n.slice(2))) opaque.push(n.slice(2));
    }
    return { fp: sha256(digests.sort().join('\n')), opaque };
  }

  /** Every node reachable from `node`, itself included. */
  private closureOf(node: string): string[] {
    let c = this.closures.get(node);
    if (!c) {
      const seen = new Set<string>([node]);
      const stack = [node];
      while (stack.length) {
        for (const n of this.edges(stack.pop() as string)) {
          if (!seen.has(n)) {
            seen.add(n);
            stack.push(n);
          }
        }
      }
      c = [...seen];
      this.closures.set(node, c);
    }
    return c;
  }

  /** A node's identity and content, hashed (64 bits: the fingerprint hashes the sorted set of them). */
  private digest(node: string): string {
    let d = this.digests.get(node);
    if (d === undefined) {
      d = sha256(`${node}=${this.hashOf(node)}`).slice(0, 16);
      this.digests.set(node, d);
    }
    return d;
  }

  /** Why `file` cannot be analysed per name (undefined when it can). */
  opaque(file: string): Opaque | undefined {
    let o = this.opaqueOf.get(file);
    if (o === undefined) {
      o = this.computeOpaque(file);
      this.opaqueOf.set(file, o);
    }
    return o ?? undefined;
  }

  private computeOpaque(file: string): Opaque | null {
    const f = this.files.get(file);
    if (!f) return null;
    if (f.parse.symbols.opaque) return f.parse.symbols.opaque;
    for (const s of f.parse.symbols.starImports) {
      if (!this.resolve(file, s)) {
        const line = f.parse.imports.find((i) => i.module === s.module && i.level === s.level && i.names?.includes('*'))?.line ?? 1;
        return { reason: `\`from ${'.'.repeat(s.level)}${s.module} import *\` of a module outside the workspace`, line };
      }
    }
    for (const d of f.parse.symbols.dynamic) {
      const aliases = this.table(file).get(d.name)?.filter((x) => x.module !== undefined) ?? [];
      if (aliases.some((a) => this.aliasFiles(file, a).length)) {
        const how = d.call === '__dict__' ? `${d.name}.__dict__` : `${d.call}(${d.name}, ...)`;
        return { reason: `\`${how}\` with a computed name on a workspace module`, line: d.line };
      }
    }
    return null;
  }

  private table(file: string): Map<string, SymbolDef[]> {
    let t = this.syms.get(file);
    if (!t) {
      t = new Map();
      for (const d of this.files.get(file)?.parse.symbols.defs ?? []) {
        const list = t.get(d.name);
        if (list) list.push(d);
        else t.set(d.name, [d]);
      }
      this.syms.set(file, t);
    }
    return t;
  }

  private resolve(file: string, imp: { module: string; level: number }): string | undefined {
    const key = `${file}\0${imp.level}\0${imp.module}`;
    if (this.resolved.has(key)) return this.resolved.get(key);
    const found = resolveImport(this.root, file, imp, this.exists);
    const t = found && this.files.has(found) ? found : undefined;
    this.resolved.set(key, t);
    return t;
  }

  /** Names `from file import *` can bind (its own and its workspace star imports'); underscore names kept (cheap, safe). */
  private exports(file: string, seen = new Set<string>()): Set<string> {
    const memo = this.exportsOf.get(file);
    if (memo) return memo;
    seen.add(file);
    const out = new Set(this.table(file).keys());
    for (const s of this.files.get(file)?.parse.symbols.starImports ?? []) {
      const t = this.resolve(file, s);
      if (t && !seen.has(t)) for (const n of this.exports(t, seen)) out.add(n);
    }
    if (seen.size === 1) this.exportsOf.set(file, out);
    seen.delete(file);
    return out;
  }

  private hashOf(node: string): string {
    const [kind, file, name] = node.split('\0');
    const f = this.files.get(file);
    if (kind === 'M') return f?.parse.symbols.hash ?? '';
    return (this.table(file).get(name) ?? []).map((d) => d.hash).join(',');
  }

  private edges(node: string): string[] {
    let e = this.edgesOf.get(node);
    if (e) return e;
    const [kind, file, name] = node.split('\0');
    const out = new Set<string>();
    if (kind === 'M') {
      for (const d of this.files.get(file)?.deps ?? []) out.add(mod(d));
    } else {
      // an import alias reads nothing: what it leads to depends on how it is read (resolveRead)
      for (const d of this.table(file).get(name) ?? []) for (const r of d.reads) for (const n of this.resolveRead(file, r)) out.add(n);
    }
    e = [...out];
    this.edgesOf.set(node, e);
    return e;
  }

  /** The nodes a read of `name` or `name.attr` in `file` reaches. */
  private resolveRead(file: string, read: string): string[] {
    const key = `${file}\0${read}`;
    const memo = this.reads.get(key);
    if (memo) return memo;
    if (this.inProgress.has(key)) {
      this.cycles++;
      return [];
    }
    this.inProgress.add(key);
    const cycles = this.cycles;
    const out = new Set<string>();
    if (this.opaque(file)) out.add(mod(file));
    else {
      const dot = read.indexOf('.');
      const base = dot < 0 ? read : read.slice(0, dot);
      const attr = dot < 0 ? undefined : read.slice(dot + 1);
      const defs = this.table(file).get(base);
      if (defs) {
        out.add(sym(file, base));
        for (const d of defs) if (d.module !== undefined) for (const n of this.aliasTargets(file, d, attr)) out.add(n);
      }
      for (const s of this.files.get(file)?.parse.symbols.starImports ?? []) {
        const t = this.resolve(file, s);
        if (t && (this.opaque(t) || this.exports(t).has(base))) for (const n of this.resolveRead(t, read)) out.add(n);
      }
    }
    this.inProgress.delete(key);
    const result = [...out];
    if (this.cycles === cycles) this.reads.set(key, result);
    return result;
  }

  /** Workspace files an import alias stands for as a module (`import m`, `from pkg import submodule`). */
  private aliasFiles(file: string, d: SymbolDef): string[] {
    const level = d.level ?? 0;
    if (d.imported === undefined) {
      if (d.module!.includes('.') && d.name === d.module!.split('.')[0]) {
        return resolveImportAll(this.root, file, { module: d.module!, level }, this.exists).filter((p) => this.files.has(p));
      }
      const t = this.resolve(file, { module: d.module!, level });
      return t ? [t] : [];
    }
    const sub = this.resolve(file, { module: d.module ? `${d.module}.${d.imported}` : d.imported, level });
    return sub ? [sub] : [];
  }

  /** What an import alias leads to, for a read of it (with `attr` when read as `alias.attr`). */
  private aliasTargets(file: string, d: SymbolDef, attr: string | undefined): string[] {
    const mods = this.aliasFiles(file, d);
    if (mods.length) {
      // `import a.b` binds the package `a`: depend on every file it loads, whole.
      if (mods.length > 1 || !attr || attr === '*') return mods.map(mod);
      return this.resolveRead(mods[0], attr);
    }
    if (d.imported === undefined) return [];
    const t = this.resolve(file, { module: d.module!, level: d.level ?? 0 });
    return t ? this.resolveRead(t, attr ? `${d.imported}.${attr}` : d.imported) : [];
  }
}
