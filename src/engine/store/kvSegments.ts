/**
 * The segment files of a kvStore folder (layout and rules: kvStore.ts's header): their names, reading them all into
 * each key's newest record, and whose segments a compaction may delete.
 */
import { promises as fsp } from 'fs';
import * as path from 'path';
import { isUnwritable } from '../fsutil';
import { decodeRecord, peekRecord } from './kvRecord';

/** `seg-<pid>-<random>.jsonl`: one append-only segment per store instance. */
export const SEGMENT_RE = /^seg-(\d+)-[0-9a-f]+\.jsonl$/;
/** A compaction's temp file, `.compact-<pid>-<random>`, renamed to a segment once written and synced. */
export const TMP_PREFIX = '.compact-';
/** A segment of a writer that is gone may be deleted once untouched this long. */
const STALE_MS = 10_000;

/** A key's newest record in a segment read by scanSegments: its `at`, and where its bytes are (`buf` from `start`). */
export interface SegmentEntry {
  at: number;
  rec: number;
  bytes: number;
  buf: Buffer;
  start: number;
  seg: string;
}

export interface SegmentScan {
  entries: Map<string, SegmentEntry>;
  segments: Array<{ name: string; bytes: number; deletable: boolean }>;
  lines: number;
  corrupt: number;
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

/** The folder's file names; a missing folder has none. */
export async function listNames(dir: string): Promise<string[]> {
  try {
    return await fsp.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * Read every segment of the folder (in parallel); also removes temp files left by killed compactions. Records are
 * peeked (key, at); `verify` also checks each one's checksum (stats, compaction), else get() does on first use.
 * `own()` names the reading instance's segment (deletable by it), as it is when each segment is read.
 */
export async function scanSegments(dir: string, own: () => string | undefined, verify = false): Promise<SegmentScan> {
  const names = await listNames(dir);
  const now = Date.now();
  const scan: SegmentScan = { entries: new Map(), segments: [], lines: 0, corrupt: 0 };
  const read = await Promise.all(
    names.map(async (name) => {
      const m = SEGMENT_RE.exec(name);
      const file = path.join(dir, name);
      if (!m) {
        if (name.startsWith(TMP_PREFIX) && !pidAlive(Number(name.slice(TMP_PREFIX.length).split('-')[0]))) {
          // housekeeping only: a read-only folder keeps the file
          await unlinkQuiet(file).catch((err: unknown) => {
            if (!isUnwritable(err)) throw err;
          });
        }
        return undefined;
      }
      try {
        const [st, buf] = await Promise.all([fsp.stat(file), fsp.readFile(file)]);
        const deletable = name === own() || (!pidAlive(Number(m[1])) && now - st.mtimeMs > STALE_MS);
        return { name, bytes: st.size, deletable, buf };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // compacted away meanwhile
        throw err;
      }
    }),
  );
  for (const seg of read) {
    if (!seg) continue;
    scan.segments.push({ name: seg.name, bytes: seg.bytes, deletable: seg.deletable });
    const buf = seg.buf;
    for (let start = 0; start < buf.length; ) {
      let end = buf.indexOf(0x0a, start);
      if (end < 0) end = buf.length;
      if (end > start) {
        scan.lines++;
        const rec = peekRecord(buf, start, end);
        if (!rec || (verify && !decodeRecord(buf.toString('utf8', start, end)))) scan.corrupt++;
        else {
          const cur = scan.entries.get(rec.k);
          if (!cur || rec.at >= cur.at) scan.entries.set(rec.k, { at: rec.at, rec: rec.at, bytes: end - start, buf, start, seg: seg.name });
        }
      }
      start = end + 1;
    }
  }
  return scan;
}

export async function unlinkQuiet(file: string): Promise<void> {
  try {
    await fsp.unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
