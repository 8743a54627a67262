/**
 * Glob patterns over '/'-separated paths relative to a workspace root, compiled once to RegExp.
 * Syntax (the VS Code subset): `**` any number of whole segments, `*` and `?` within one segment, `{a,b}` alternatives
 * (nestable), `[abc]` / `[!abc]` character classes. `*` also matches names starting with a dot.
 */

const SPECIAL = /[\\^$.|+()[\]{}*?]/;

function escape(ch: string): string {
  return SPECIAL.test(ch) ? `\\${ch}` : ch;
}

/** Translate pattern[i..] up to `stop` (used for brace bodies) and return [regex source, next index]. */
function translate(p: string, i: number, inBrace: boolean): [string, number] {
  let out = '';
  while (i < p.length) {
    const c = p[i];
    if (inBrace && (c === ',' || c === '}')) return [out, i];
    if (c === '*') {
      if (p[i + 1] === '*') {
        const atStart = i === 0 || p[i - 1] === '/';
        let j = i + 2;
        while (p[j] === '*') j++;
        const atEnd = j === p.length || p[j] === '/';
        if (atStart && atEnd) {
          if (j === p.length) {
            // `a/**` matches everything below a (GlobSet.matchesDir covers a itself); a lone `**` matches everything.
            out += out.endsWith('/') ? '.+' : '.*';
            return [out, j];
          }
          out += '(?:[^/]*/)*'; // `**/`: zero or more whole segments
          i = j + 1;
          continue;
        }
        out += '[^/]*';
        i = j;
        continue;
      }
      out += '[^/]*';
      i++;
    } else if (c === '?') {
      out += '[^/]';
      i++;
    } else if (c === '[') {
      const close = p.indexOf(']', i + 2);
      if (close < 0) {
        out += '\\[';
        i++;
        continue;
      }
      let body = p.slice(i + 1, close);
      const negate = body[0] === '!' || body[0] === '^';
      if (negate) body = body.slice(1);
      body = body.replace(/[\\\]^]/g, (m) => `\\${m}`);
      out += negate ? `[^/${body}]` : `[${body}]`;
      i = close + 1;
    } else if (c === '{') {
      const alts: string[] = [];
      let j = i + 1;
      for (;;) {
        const [src, k] = translate(p, j, true);
        alts.push(src);
        if (k >= p.length) return [`${out}\\{${alts.join(',')}`, k]; // unbalanced: keep literally (rare)
        j = k + 1;
        if (p[k] === '}') break;
      }
      out += `(?:${alts.join('|')})`;
      i = j;
    } else {
      out += escape(c);
      i++;
    }
  }
  return [out, i];
}

/** Normalise a user pattern: backslashes to '/', no leading './' or '/'. */
export function normalizePattern(pattern: string): string {
  let p = pattern.trim().replace(/\\/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  while (p.startsWith('/')) p = p.slice(1);
  return p;
}

/** Compile one pattern to an anchored RegExp over relative '/'-separated paths. */
export function compileGlob(pattern: string): RegExp {
  const [src] = translate(normalizePattern(pattern), 0, false);
  return new RegExp(`^${src}$`);
}

/** A set of patterns: a path matches when any pattern does. */
export class GlobSet {
  private readonly res: RegExp[];
  /** patterns that mean "this folder and everything below it", matched against folder paths for pruning */
  private readonly dirRes: RegExp[];

  constructor(patterns: readonly string[]) {
    const ps = patterns.map(normalizePattern).filter((p) => p.length > 0);
    this.res = ps.map(compileGlob);
    this.dirRes = ps.map((p) => compileGlob(p.endsWith('/**') ? p.slice(0, -3) : p));
  }

  get empty(): boolean {
    return this.res.length === 0;
  }

  matches(relPath: string): boolean {
    return this.res.some((r) => r.test(relPath));
  }

  /** True when a folder is excluded as a whole: it matches a pattern itself, or a pattern ending in `/**`. */
  matchesDir(relDir: string): boolean {
    return this.dirRes.some((r) => r.test(relDir));
  }
}
