/**
 * An on-disk key -> JSON value store (validation cache, inlining cache) that several processes may share.
 *
 * Layout: `<dir>/seg-<pid>-<random>.jsonl`, one append-only segment per store instance (created on its first flush).
 * Each record is one line `{"k":key,"v":value,"at":epochMs,"c":"<crc32 hex>"}`, plain JSON with a checksum (kvRecord.ts).
 * A flush appends all buffered records as ONE write of "\n" + lines. A writer killed mid-write leaves at most a
 * partial last line; it fails the JSON or checksum test, is counted as corrupt and read as a miss (a later set of the
 * key rewrites it). Records of a segment are only ever appended by the instance that created it.
 *
 * load() reads every segment; the record with the latest `at` wins. It only finds each record's key and `at` (from
 * the line's ends) and keeps the line's bytes: a value is checked and parsed on its first get(), so loading a
 * sweep-sized cache costs a read and a newline scan, not a JSON.parse of every verdict.
 *
 * Bounds: maxBytes (the records' size, default DEFAULT_MAX_BYTES) and optionally maxEntries, evicting the least
 * recently used first, and maxAgeDays since last use. `at` is the time of last use: a get() is a use, and is written
 * to disk (the record again, with a new `at`) when its newest record is older than TOUCH_MS, so the order survives
 * the process. Bounds are applied on load, on set and on compaction.
 *
 * compact() merges everything it reads, applies the bounds, writes the survivors that live in segments it may delete
 * to a temp file (fsync, rename -> a new segment that this instance then appends to), and only then unlinks those
 * segments. It may delete its own segment and segments whose writer is gone: pid not alive on this machine AND
 * untouched for STALE_MS (kvSegments.ts). A live writer's segment is never deleted, so nothing it flushed is lost. It runs
 * automatically after a flush when there are more than MAX_SEGMENTS segments of which some are deletable, or
 * when dead records (superseded, expired, corrupt) outnumber live ones.
 */
import { promises as fsp } from 'fs';
import * as path from 'path';
import { isUnwritable, mkdirp, randomSuffix } from '../fsutil';
import { decodeRecord, encodeRecord } from './kvRecord';
import { listNames, scanSegments, SEGMENT_RE, TMP_PREFIX, unlinkQuiet, type SegmentScan } from './kvSegments';

export { decodeRecord, encodeRecord } from './kvRecord';

export interface KvStats {
  entries: number;
  /** bytes of the live entries' records */
  liveBytes: number;
  /** bytes of the segment files (live records, and superseded or expired ones until a compaction) */
  bytes: number;
  segments: number;
  corrupt: number;
  oldest?: number;
  newest?: number;
  /** the bounds: least recently used entries are evicted beyond them */
  maxBytes: number;
  maxEntries?: number;
}

/**
 * An entry in memory: its value, or until its first get() the bytes of its record in a segment read by load().
 * `at` is its last use; `rec` the `at` of its newest record on disk or pending.
 */
interface Slot<V> {
  at: number;
  rec: number;
  bytes: number;
  v?: V;
  buf?: Buffer;
  start?: number;
}

/**
 * 640 MiB: a battery's verdicts average ~560 bytes a record (measured: the sample workspace swept over 30 ARC training
 * tasks; most are mismatches carrying the actual grid, ~570 bytes, errors ~470, passes ~190), so this holds ~1.2M
 * typical verdicts — a 400-candidate x 400-task sweep (~700k) with room to spare. The records stay as bytes in memory
 * until used, so memory is about the same size.
 */
export const DEFAULT_MAX_BYTES = 640 * 1024 * 1024;
/** A get() rewrites its record (to keep the LRU order across processes) at most this often: once a day. */
const TOUCH_MS = 86_400_000;
const MAX_SEGMENTS = 16;
const DAY_MS = 86_400_000;
const NEWLINE = Buffer.from('\n');

export class KvStore<V> {
  private readonly maxBytes: number;
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  /** in order of use within this process (least recent first); entries loaded from disk come first, unordered */
  private mem = new Map<string, Slot<V>>();
  /** sum of mem's record bytes */
  private bytes = 0;
  private pending: string[] = [];
  /** this instance's segment file name (inside dir), once it has flushed */
  private segment: string | undefined;
  /** flushes and compactions run one at a time */
  private chain: Promise<void> = Promise.resolve();
  private needsCompact = false;

  constructor(
    readonly dir: string,
    opts: { maxBytes?: number; maxEntries?: number; maxAgeDays?: number } = {},
  ) {
    this.maxBytes = Math.max(1, opts.maxBytes ?? DEFAULT_MAX_BYTES);
    this.maxEntries = Math.max(1, opts.maxEntries ?? Infinity);
    this.maxAgeMs = (opts.maxAgeDays ?? 30) * DAY_MS;
  }

  get size(): number {
    return this.mem.size;
  }

  /** The value, or undefined (absent, expired, or its record fails the checksum). A hit is a use (see TOUCH_MS). */
  get(key: string): V | undefined {
    const e = this.mem.get(key);
    if (!e) return undefined;
    const now = Date.now();
    if (now - e.at > this.maxAgeMs || (e.v === undefined && !this.decode(key, e))) {
      this.drop(key, e);
      return undefined;
    }
    const v = e.v as V;
    this.mem.delete(key);
    this.mem.set(key, e);
    e.at = now;
    if (now - e.rec > TOUCH_MS) this.write(e, encodeRecord(key, v, now), now);
    return v;
  }

  /** In memory now; written to disk by the next flush(). The value must be JSON-serialisable. */
  set(key: string, value: V): void {
    const at = Date.now();
    const line = encodeRecord(key, value, at);
    const old = this.mem.get(key);
    if (old) this.drop(key, old);
    const e: Slot<V> = { at, rec: at, bytes: 0, v: value };
    this.mem.set(key, e);
    this.write(e, line, at);
    if (this.bytes > this.maxBytes + this.maxBytes / 16 || this.mem.size > this.maxEntries + Math.max(16, this.maxEntries >> 4)) {
      this.replace(this.bounded(this.mem, Date.now()));
      this.needsCompact = true;
    }
  }

  /** Read all segments and merge them into memory (the newest record wins). Idempotent; a missing folder is empty. */
  async load(): Promise<void> {
    const scan = await this.scan();
    if (this.mem.size === 0) {
      this.replace(scan.entries); // the usual first load: nothing to merge
    } else {
      for (const [k, e] of scan.entries) {
        const cur = this.mem.get(k);
        if (cur && e.rec <= cur.rec) continue; // the newest record wins; a use here still counts
        if (cur) this.drop(k, cur);
        this.mem.set(k, { at: Math.max(e.at, cur?.at ?? 0), rec: e.rec, bytes: e.bytes, buf: e.buf, start: e.start });
        this.bytes += e.bytes;
      }
    }
    this.replace(this.bounded(this.mem, Date.now()));
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
    const scan = await this.scan(true);
    const merged = new Map<string, Slot<V>>(scan.entries);
    for (const [k, e] of this.mem) {
      const cur = merged.get(k);
      if (!cur || e.rec >= cur.rec) merged.set(k, e);
    }
    const live = this.bounded(merged, Date.now());
    let oldest: number | undefined;
    let newest: number | undefined;
    let liveBytes = 0;
    for (const e of live.values()) {
      liveBytes += e.bytes;
      if (oldest === undefined || e.at < oldest) oldest = e.at;
      if (newest === undefined || e.at > newest) newest = e.at;
    }
    return {
      entries: live.size,
      liveBytes,
      bytes: scan.segments.reduce((n, s) => n + s.bytes, 0),
      segments: scan.segments.length,
      corrupt: scan.corrupt,
      oldest,
      newest,
      maxBytes: this.maxBytes,
      ...(Number.isFinite(this.maxEntries) ? { maxEntries: this.maxEntries } : {}),
    };
  }

  /** Remove every segment in the folder (all writers' entries) and forget everything in memory. */
  clear(): Promise<void> {
    return this.serial(async () => {
      this.replace(new Map());
      this.pending = [];
      this.segment = undefined;
      for (const name of await listNames(this.dir)) {
        if (SEGMENT_RE.test(name) || name.startsWith(TMP_PREFIX)) await unlinkQuiet(path.join(this.dir, name));
      }
    });
  }

  /** Parse a loaded entry's record into its value; false when the record fails its checksum or JSON. */
  private decode(key: string, e: Slot<V>): boolean {
    const rec = e.buf && decodeRecord(e.buf.toString('utf8', e.start, (e.start as number) + e.bytes));
    e.buf = undefined; // the segment's bytes are freed once every entry read from it is decoded or gone
    if (!rec || rec.k !== key) return false;
    e.v = rec.v as V;
    return true;
  }

  /** Queue a record of an entry for the next flush. */
  private write(e: Slot<V>, line: string, at: number): void {
    this.pending.push(line);
    const bytes = Buffer.byteLength(line);
    this.bytes += bytes - e.bytes;
    e.bytes = bytes;
    e.rec = at;
  }

  private drop(key: string, e: Slot<V>): void {
    this.mem.delete(key);
    this.bytes -= e.bytes;
  }

  private replace(mem: Map<string, Slot<V>>): void {
    if (mem === this.mem) return;
    this.mem = mem;
    this.bytes = 0;
    for (const e of mem.values()) this.bytes += e.bytes;
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
      await mkdirp(this.dir);
      this.segment ??= `seg-${process.pid}-${randomSuffix()}.jsonl`;
      await fsp.appendFile(path.join(this.dir, this.segment), '\n' + lines.join('\n'));
    } catch (err) {
      // A folder the file system refuses to write (read-only) keeps the entries in memory only: they are not queued
      // again, so a long-lived engine on a read-only cache does not pile up records it can never write.
      if (!isUnwritable(err)) this.pending = lines.concat(this.pending);
      throw new Error(`cannot write cache ${this.dir}: ${(err as Error).message}`, { cause: err });
    }
  }

  private async compactNow(): Promise<void> {
    this.needsCompact = false;
    const scan = await this.scan(true);
    const deletable = new Set(scan.segments.filter((s) => s.deletable).map((s) => s.name));
    if (deletable.size === 0) return;
    const live = this.bounded(scan.entries, Date.now());
    const keep: Buffer[] = [];
    for (const e of live.values()) if (deletable.has(e.seg)) keep.push(NEWLINE, e.buf.subarray(e.start, e.start + e.bytes));
    let next: string | undefined;
    if (keep.length > 0) {
      next = `seg-${process.pid}-${randomSuffix()}.jsonl`;
      const tmp = path.join(this.dir, `${TMP_PREFIX}${process.pid}-${randomSuffix()}`);
      const fh = await fsp.open(tmp, 'w');
      try {
        await fh.writev(keep);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fsp.rename(tmp, path.join(this.dir, next));
    }
    for (const name of deletable) await unlinkQuiet(path.join(this.dir, name));
    this.segment = next;
    // everything in memory was flushed, so the disk view (from all writers) is at least as new
    this.replace(new Map([...live].map(([k, e]) => [k, { at: e.at, rec: e.rec, bytes: e.bytes, buf: e.buf, start: e.start }])));
  }

  /**
   * Entries used within maxAge, at most maxBytes of records and maxEntries of them: the least recently used go first
   * (by `at`; ties in map order, which is the order of use within this process).
   */
  private bounded<E extends Slot<V>>(entries: Map<string, E>, now: number): Map<string, E> {
    let bytes = 0;
    let expired = false;
    for (const e of entries.values()) {
      if (now - e.at > this.maxAgeMs) expired = true;
      else bytes += e.bytes;
    }
    if (!expired && bytes <= this.maxBytes && entries.size <= this.maxEntries) return entries;
    const list = [...entries].filter(([, e]) => now - e.at <= this.maxAgeMs);
    if (bytes <= this.maxBytes && list.length <= this.maxEntries) return new Map(list);
    list.sort((a, b) => a[1].at - b[1].at);
    let from = 0;
    while (from < list.length && (bytes > this.maxBytes || list.length - from > this.maxEntries)) bytes -= list[from++][1].bytes;
    return new Map(list.slice(from));
  }

  private noteGarbage(scan: SegmentScan): void {
    const deletable = scan.segments.filter((s) => s.deletable).length;
    const dead = scan.lines - this.mem.size;
    if ((scan.segments.length > MAX_SEGMENTS && deletable >= 2) || dead > Math.max(1000, this.mem.size)) {
      this.needsCompact = true;
    }
  }

  /** Read every segment of the folder (kvSegments.ts); `verify` also checks each record's checksum. */
  private scan(verify = false): Promise<SegmentScan> {
    return scanSegments(this.dir, () => this.segment, verify);
  }
}
