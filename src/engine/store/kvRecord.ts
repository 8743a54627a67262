/**
 * The record format of kvStore segments: one line `{"k":key,"v":value,"at":epochMs,"c":"<crc32 hex>"}` where c is the
 * CRC-32 of the line's text before `,"c":` — so a reader checks it without re-serialising the value, and every line
 * stays plain JSON. peekRecord reads a line's key and `at` from its two ends without parsing the value.
 */
import { crc32 } from '../fsutil';

/** length of `,"c":"xxxxxxxx"}` */
const CHECK_TAIL = 16;
const AT_MARK = Buffer.from(',"at":');

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

/** Key and `at` of a record line (bytes [start, end) of buf) read from its two ends; the value stays unread. */
export function peekRecord(buf: Buffer, start: number, end: number): { k: string; at: number } | undefined {
  // `{"k":"` ... `,"at":N,"c":"xxxxxxxx"}`: anything else is a partial or damaged line
  const tail = end - CHECK_TAIL;
  if (tail - start <= 12 || buf[end - 1] !== 0x7d || buf[end - 2] !== 0x22 || buf[tail] !== 0x2c || buf[start + 5] !== 0x22) return undefined;
  let i = tail - 1;
  let n = 0;
  for (let scale = 1; i > start && buf[i] >= 0x30 && buf[i] <= 0x39; i--, scale *= 10) n += (buf[i] - 0x30) * scale;
  i -= AT_MARK.length - 1;
  if (i === tail - AT_MARK.length || i < start || buf.compare(AT_MARK, 0, AT_MARK.length, i, i + AT_MARK.length) !== 0) return undefined;
  let q = start + 6;
  let escaped = false;
  for (; q < i && buf[q] !== 0x22; q++) if (buf[q] === 0x5c) escaped = true;
  if (q >= i) return undefined;
  if (!escaped) return { k: buf.toString('utf8', start + 6, q), at: n };
  const rec = decodeRecord(buf.toString('utf8', start, end)); // an escaped key: the slow way
  return rec && { k: rec.k, at: rec.at };
}
