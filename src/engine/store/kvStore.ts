/**
 * An on-disk key -> JSON value store (validation cache, inlining cache) that several processes may share.
 *
 * Layout: `<dir>/seg-<pid>-<random>.jsonl`, one append-only segment per store instance (created on its first flush).
 * Each record is one line `{"k":key,"v":value,"at":epochMs,"c":"<crc32 hex>"}` where c is the CRC-32 of the line's
 * text before `,"c":` — so a reader checks it without re-serialising the value, and every line stays plain JSON.
 * A flush appends all buffered records as ONE write of "\n" + lines. A writer killed mid-write leaves at most a
 * partial last line; it fails the JSON or checksum test, is counted as corrupt and read as a miss (a later set of the
 * key rewrites it). Records of a segment are only ever appended by the instance that created it.
 *
 * load() reads every segment; the record with the latest `at` wins. Bounds (maxAgeDays, maxEntries keeping the
 * newest) are applied on load, on set and on compaction.
 *
 * compact() merges everything it reads, applies the bounds, writes the survivors that live in segments it may delete
 * to a temp file (fsync, rename -> a new segment that this instance then appends to), and only then unlinks those
 * segments. It may delete its own segment and segments whose writer is gone: pid not alive on this machine AND
 * untouched for STALE_MS. A live writer's segment is never deleted, so nothing it flushed is lost. It runs
 * automatically after a flush when there are more than MAX_SEGMENTS segments of which some are deletable, or
 * when dead records (superseded, expired, corrupt) outnumber live ones.
 */
import { promises as fsp } from 'fs';
import * as path from 'path';
import { crc32, randomSuffix } from '../fsutil';

export interface KvStats {
  entries: number;
  bytes: number;
  segments: number;
  corrupt: number;
  oldest?: number;
  newest?: number;
}

interface Entry<V> {
  v: V;
  at: number;
}

interface Scan<V> {
  entries: Map<string, Entry<V> & { seg: string }>;
  segments: Array<{ name: string; bytes: number; deletable: boolean }>;
  lines: number;
  corrupt: number;
}

const MAX_SEGMENTS = 16;
const STALE_MS = 10_000;
const SEGMENT_RE = /^seg-(\d+)-[0-9a-f]+\.jsonl$/;
const TMP_PREFIX = '.compact-';
const DAY_MS = 86_400_000;
/** length of `,"c":"xxxxxxxx"}` */
const CHECK_TAIL = 16;

export function encodeRecord(key: string, value: unknown, at: number): string {
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) throw new TypeError(`cache value for key ${JSON.stringify(key)} is not JSON-serialisable`);
  const head = `{"k":${JSON.stringify(key)},"v":${json},"at":${at}`;
  return `${head},"c":"${crc32(head).toString(16).padStart(8, '0')}"}`;
}

/** The record of a line, or undefined if the line is partial or damaged. */
export function decodeRecord(line: string): { k: string; v: unknown; at: number } | undefined {
  if (line.length <= CHECK_TAIL || !line.endsWith('"}') || line.charAt(line.length - CHECK_TAIL) !== ',') return undefined;
  const head = line.slice(0, line.length - CHECK_TAIL);
  const want = line.slice(line.length - 10, line.length - 2);
  if (crc32(head).toString(16).padStart(8, '0') !== want) return undefined;
  try {
    const rec = JSON.parse(line) as { k: unknown; v: unknown; at: unknown };
    if (typeof rec.k !== 'string' || typeof rec.at !== 'number' || !('v' in rec)) return undefined;
    return { k: rec.k, v: rec.v, at: rec.at };
  } catch {
    return undefined;
  }
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class KvStore<V> {
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private mem = new Map<string, Entry<V>>();
  private pending: string[] = [];
  /** this instance's segment file name (inside dir), once it has flushed */
  private segment: string | undefined;
  /** flushes and compactions run one at a time */
  private chain: Promise<void> = Promise.resolve();
  private needsCompact = false;

  constructor(
    readonly dir: string,
    opts: { maxEntries?: number; maxAgeDays?: number } = {},
  ) {
    this.maxEntries = Math.max(1, opts.maxEntries ?? 200_000);
    this.maxAgeMs = (opts.maxAgeDays ?? 30) * DAY_MS;
  }

  get size(): number {
    return this.mem.size;
  }

  get(key: string): V | undefined {
    const e = this.mem.get(key);
    if (!e) return undefined;
    if (Date.now() - e.at > this.maxAgeMs) {
      this.mem.delete(key);
      return undefined;
    }
    return e.v;
  }

  /** In memory now; written to disk by the next flush(). The value must be JSON-serialisable. */
  set(key: string, value: V): void {
    const at = Date.now();
    this.pending.push(encodeRecord(key, value, at));
    this.mem.delete(key); // re-insert so Map order stays roughly oldest-first
    this.mem.set(key, { v: value, at });
    if (this.mem.size > this.maxEntries + Math.max(16, this.maxEntries >> 4)) {
      this.mem = this.bounded(this.mem, Date.now());
      this.needsCompact = true;
    }
  }

  /** Read all segments and merge them into memory (newest `at` wins). Idempotent; a missing folder is empty. */
  async load(): Promise<void> {
    const scan = await this.scan();
    for (const [k, e] of scan.entries) {
      const cur = this.mem.get(k);
      if (!cur || e.at > cur.at) this.mem.set(k, { v: e.v, at: e.at });
    }
    this.mem = this.bounded(this.mem, Date.now());
    this.noteGarbage(scan);
  }

  flush(): Promise<void> {
    return this.serial(async () => {
      await this.writePending();
      if (this.needsCompact) await this.compactNow();
    });
  }

  compact(): Promise<void> {
    return this.serial(async () => {
      await this.writePending();
      await this.compactNow();
    });
  }

  async stats(): Promise<KvStats> {
    const scan = await this.scan();
    const merged = new Map<string, Entry<V>>(scan.entries);
    for (const [k, e] of this.mem) {
      const cur = merged.get(k);
      if (!cur || e.at > cur.at) merged.set(k, e);
    }
    const live = this.bounded(merged, Date.now());
    let oldest: number | undefined;
    let newest: number | undefined;
    for (const e of live.values()) {
      if (oldest === undefined || e.at < oldest) oldest = e.at;
      if (newest === undefined || e.at > newest) newest = e.at;
    }
    return {
      entries: live.size,
      bytes: scan.segments.reduce((n, s) => n + s.bytes, 0),
      segments: scan.segments.length,
      corrupt: scan.corrupt,
      oldest,
      newest,
    };
  }

  /** Remove every segment in the folder (all writers' entries) and forget everything in memory. */
  clear(): Promise<void> {
    return this.serial(async () => {
      this.mem.clear();
      this.pending = [];
      this.segment = undefined;
      for (const name of await this.listNames()) {
        if (SEGMENT_RE.test(name) || name.startsWith(TMP_PREFIX)) await unlinkQuiet(path.join(this.dir, name));
      }
    });
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async writePending(): Promise<void> {
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    try {
      await fsp.mkdir(this.dir, { recursive: true });
      this.segment ??= `seg-${process.pid}-${randomSuffix()}.jsonl`;
      await fsp.appendFile(path.join(this.dir, this.segment), '\n' + lines.join('\n'));
    } catch (err) {
      this.pending = lines.concat(this.pending);
      throw new Error(`cannot write cache ${this.dir}: ${(err as Error).message}`);
    }
  }

  private async compactNow(): Promise<void> {
    this.needsCompact = false;
    const scan = await this.scan();
    const deletable = new Set(scan.segments.filter((s) => s.deletable).map((s) => s.name));
    if (deletable.size === 0) return;
    const live = this.bounded(scan.entries, Date.now());
    const keep: string[] = [];
    for (const [k, e] of live) if (deletable.has(e.seg)) keep.push(encodeRecord(k, e.v, e.at));
    let next: string | undefined;
    if (keep.length > 0) {
      next = `seg-${process.pid}-${randomSuffix()}.jsonl`;
      const tmp = path.join(this.dir, `${TMP_PREFIX}${process.pid}-${randomSuffix()}`);
      const fh = await fsp.open(tmp, 'w');
      try {
        await fh.writeFile('\n' + keep.join('\n'));
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fsp.rename(tmp, path.join(this.dir, next));
    }
    for (const name of deletable) await unlinkQuiet(path.join(this.dir, name));
    this.segment = next;
    // everything in memory was flushed, so the disk view (from all writers) is at least as new
    this.mem = new Map([...live].map(([k, e]) => [k, { v: e.v, at: e.at }]));
  }

  /** Keep entries younger than maxAge, and at most maxEntries of them (the newest). */
  private bounded<E extends Entry<V>>(entries: Map<string, E>, now: number): Map<string, E> {
    let list = [...entries].filter(([, e]) => now - e.at <= this.maxAgeMs);
    if (list.length > this.maxEntries) {
      list.sort((a, b) => b[1].at - a[1].at);
      list = list.slice(0, this.maxEntries);
    }
    return list.length === entries.size ? entries : new Map(list);
  }

  private noteGarbage(scan: Scan<V>): void {
    const deletable = scan.segments.filter((s) => s.deletable).length;
    const dead = scan.lines - this.mem.size;
    if ((scan.segments.length > MAX_SEGMENTS && deletable >= 2) || dead > Math.max(1000, this.mem.size)) {
      this.needsCompact = true;
    }
  }

  private async listNames(): Promise<string[]> {
    try {
      return await fsp.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  /** Read every segment of the folder (in parallel); also removes temp files left by killed compactions. */
  private async scan(): Promise<Scan<V>> {
    const names = await this.listNames();
    const now = Date.now();
    const scan: Scan<V> = { entries: new Map(), segments: [], lines: 0, corrupt: 0 };
    const read = await Promise.all(
      names.map(async (name) => {
        const m = SEGMENT_RE.exec(name);
        const file = path.join(this.dir, name);
        if (!m) {
          if (name.startsWith(TMP_PREFIX) && !pidAlive(Number(name.slice(TMP_PREFIX.length).split('-')[0]))) {
            await unlinkQuiet(file);
          }
          return undefined;
        }
        try {
          const [st, text] = await Promise.all([fsp.stat(file), fsp.readFile(file, 'utf8')]);
          const deletable = name === this.segment || (!pidAlive(Number(m[1])) && now - st.mtimeMs > STALE_MS);
          return { name, bytes: st.size, deletable, text };
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // compacted away meanwhile
          throw err;
        }
      }),
    );
    for (const seg of read) {
      if (!seg) continue;
      scan.segments.push({ name: seg.name, bytes: seg.bytes, deletable: seg.deletable });
      for (const line of seg.text.split('\n')) {
        if (line === '') continue;
        scan.lines++;
        const rec = decodeRecord(line);
        if (!rec) {
          scan.corrupt++;
          continue;
        }
        const cur = scan.entries.get(rec.k);
        if (!cur || rec.at >= cur.at) scan.entries.set(rec.k, { v: rec.v as V, at: rec.at, seg: seg.name });
      }
    }
    return scan;
  }
}

async function unlinkQuiet(file: string): Promise<void> {
  try {
    await fsp.unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
