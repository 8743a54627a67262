/**
 * Small file helpers shared by the engine: crash-safe writes, append-only JSON-lines records,
 * hashing, and JSON parsing that reports where a file is broken (line and column, 1-based).
 */
import { createHash, randomBytes } from 'crypto';
import { constants as fsConstants, promises as fsp, type Stats } from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

const CRC_TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 of the UTF-8 bytes of `data` (zlib's native one when the runtime has it, Node >= 20.15). */
export function crc32(data: string | Buffer): number {
  const native = (zlib as { crc32?: (d: string | Buffer) => number }).crc32;
  if (native) return native(data);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function randomSuffix(): string {
  return randomBytes(6).toString('hex');
}

/** Write via a temp file in the same folder + fsync + rename, so readers see the old or the new content, never a mix. */
export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${randomSuffix()}`);
  const fh = await fsp.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await fsp.unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  try {
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** The codes with which a file system refuses a write: permissions, a read-only mount. */
const UNWRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);

/** The errno code of an error, or of the error it wraps (`cause`). */
export function errorCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

/** Did the file system refuse a write (EACCES, EPERM, EROFS), directly or as the cause of `err`? */
export function isUnwritable(err: unknown): boolean {
  return UNWRITABLE.has(errorCode(err) ?? '');
}

/**
 * `mkdir -p`. Node reports a recursive mkdir refused by a read-only mount as ENOENT; this retries the first missing
 * folder alone, so the error says why (EROFS, EACCES) and names that folder.
 */
export async function mkdirp(dir: string): Promise<void> {
  try {
    await fsp.mkdir(dir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    let missing = dir;
    while (path.dirname(missing) !== missing && !(await fsp.stat(path.dirname(missing)).then(() => true, () => false))) missing = path.dirname(missing);
    await fsp.mkdir(missing);
    await fsp.mkdir(dir, { recursive: true });
  }
}

/**
 * Append one record as `"\n" + line` in a single write (O_APPEND). A line left partial by a killed writer is
 * terminated by the next append's leading newline and skipped by readers. Creates the folder if needed.
 */
export async function appendRecord(file: string, line: string): Promise<void> {
  if (line.includes('\n')) throw new Error(`appendRecord: a record must be one line (${file})`);
  const data = '\n' + line;
  try {
    await fsp.appendFile(file, data);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdirp(path.dirname(file));
    await fsp.appendFile(file, data);
  }
}

/** All JSON records of a JSON-lines file, skipping blank and unparsable lines. A missing file has none. */
export async function readRecords<T>(file: string): Promise<T[]> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // a partial line from a killed writer: skipped
    }
  }
  return out;
}

export const MIB = 1024 * 1024;

/** "file is 50.0 MiB, larger than the 16 MiB limit for a task file" */
export function tooLargeMessage(size: number, limit: number, what: string): string {
  return `file is ${(size / MIB).toFixed(1)} MiB, larger than the ${Math.round(limit / MIB)} MiB limit for ${what}`;
}

function nonFileKind(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

/**
 * Read a UTF-8 file unless it is larger than `limit` bytes or not a regular file (checked on the open handle, before
 * reading). O_NONBLOCK: opening a named pipe must not wait for a writer; a device like /dev/zero must not be read.
 */
export async function readTextLimited(
  file: string,
  limit: number,
  what: string,
): Promise<{ text: string } | { error: string }> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(file, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  } catch (err) {
    return { error: `cannot read file: ${(err as Error).message}` };
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { error: `cannot read file: it is ${nonFileKind(st)}, not a regular file` };
    if (st.size > limit) return { error: tooLargeMessage(st.size, limit, what) };
    return { text: await fh.readFile('utf8') };
  } catch (err) {
    return { error: `cannot read file: ${(err as Error).message}` };
  } finally {
    await fh.close().catch(() => undefined);
  }
}

export interface JsonError {
  line: number;
  col: number;
  /** "invalid JSON at line L, column C: <reason>" */
  message: string;
}

/** Parse JSON text (a leading BOM is allowed); on failure say where, with a line and column computed from the offset. */
export function parseJson(text: string): { value: unknown } | { error: JsonError } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { value: JSON.parse(body) as unknown };
  } catch (err) {
    const raw = (err as Error).message;
    const m = /(?: in JSON)? at position (\d+)/.exec(raw);
    let offset = m ? Number(m[1]) : jsonErrorOffset(body);
    if (offset < 0 || offset > body.length) offset = body.length;
    const reason = raw
      .replace(/(?: in JSON)? at position \d+.*$/s, '')
      .replace(/, ".*" is not valid JSON$/s, '')
      .replace(/^\w/, (c) => c.toLowerCase());
    const before = body.slice(0, offset);
    const line = before.split('\n').length;
    const col = offset - (before.lastIndexOf('\n') + 1) + 1;
    return { error: { line, col, message: `invalid JSON at line ${line}, column ${col}: ${reason}` } };
  }
}

/**
 * Offset of the first syntax error in `s`, or -1 if none: used when V8's message carries no position
 * (e.g. "Unexpected token '}', ... is not valid JSON"). An explicit stack, so deep nesting cannot overflow.
 */
export function jsonErrorOffset(s: string): number {
  const n = s.length;
  let i = 0;
  const stack: string[] = [];
  const skipWs = (): void => {
    while (i < n && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
  };
  const scanString = (): number => {
    i++; // opening quote
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return -1;
      }
      if (c < 0x20) return i;
      if (c === 0x5c) {
        const e = s[i + 1];
        if (e === undefined) return n;
        if (e === 'u') {
          for (let k = 2; k < 6; k++) if (!/[0-9a-fA-F]/.test(s[i + k] ?? '')) return Math.min(i + k, n);
          i += 6;
        } else if ('"\\/bfnrt'.includes(e)) i += 2;
        else return i + 1;
      } else i++;
    }
    return n;
  };
  const digits = (): boolean => {
    const start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    return i > start;
  };
  const scanNumber = (): number => {
    if (s[i] === '-') i++;
    if (s[i] === '0') i++;
    else if (!digits()) return i;
    if (s[i] === '.') {
      i++;
      if (!digits()) return i;
    }
    if (s[i] === 'e' || s[i] === 'E') {
      i++;
      if (s[i] === '+' || s[i] === '-') i++;
      if (!digits()) return i;
    }
    return -1;
  };
  let state: 'value' | 'key' | 'after' = 'value';
  for (;;) {
    skipWs();
    if (state === 'after') {
      if (stack.length === 0) return i >= n ? -1 : i;
      if (i >= n) return n;
      const top = stack[stack.length - 1];
      if (s[i] === ',') {
        i++;
        state = top === '{' ? 'key' : 'value';
      } else if ((top === '{' && s[i] === '}') || (top === '[' && s[i] === ']')) {
        stack.pop();
        i++;
      } else return i;
      continue;
    }
    if (i >= n) return n;
    if (state === 'key') {
      if (s[i] !== '"') return i;
      const bad = scanString();
      if (bad >= 0) return bad;
      skipWs();
      if (s[i] !== ':') return Math.min(i, n);
      i++;
      state = 'value';
      continue;
    }
    const c = s[i];
    if (c === '{' || c === '[') {
      stack.push(c);
      i++;
      skipWs();
      if (s[i] === (c === '{' ? '}' : ']')) {
        stack.pop();
        i++;
        state = 'after';
      } else state = c === '{' ? 'key' : 'value';
      continue;
    }
    let bad: number;
    if (c === '"') bad = scanString();
    else if (c === '-' || (c >= '0' && c <= '9')) bad = scanNumber();
    else {
      const word = ['true', 'false', 'null'].find((w) => w[0] === c);
      if (!word) return i;
      bad = -1;
      for (let k = 0; k < word.length; k++) {
        if (s[i + k] !== word[k]) {
          bad = Math.min(i + k, n);
          break;
        }
      }
      if (bad < 0) i += word.length;
    }
    if (bad >= 0) return bad;
    state = 'after';
  }
}
