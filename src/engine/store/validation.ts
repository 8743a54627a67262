/**
 * The validation cache: the verdict of (candidate canonical hash, task content hash, dependency fingerprint,
 * interpreter fingerprint, pair).
 * Timeouts and memory failures are only reused while the limits they were seen under are not larger now. Only a CPU
 * timeout is a final verdict: a wall-clock one (the backstop, a module import: see pool/limits.ts) depends on how busy
 * the machine was, so it is not stored and the next run reruns the pair.
 */
import { sha256 } from '../fsutil';
import type { KvStore } from './kvStore';
import type { PairResult } from '../types';
import type { VerdictAnchor } from '../scoring/remap';

export interface CachedVerdict {
  r: PairResult;
  /** limits the verdict was produced under (kept for timeout / crash / MemoryError) */
  timeoutMs?: number;
  memoryMB?: number;
  /** what an error verdict's line numbers depend on (scoring/remap.ts) */
  anchors?: VerdictAnchor[];
}

/** Hashed once per (candidate, task); the pair is appended (the score phase builds thousands of keys per run). */
export function validationBase(candHash: string, taskHash: string, depsFp: string, interpreterFp: string): string {
  return sha256(`${candHash}\n${taskHash}\n${depsFp}\n${interpreterFp}`);
}

export function validationKey(candHash: string, taskHash: string, depsFp: string, interpreterFp: string, kind: string, index: number): string {
  return `${validationBase(candHash, taskHash, depsFp, interpreterFp)}:${kind}${index}`;
}

const KEEP_OUTPUT = 1024;

function trim(s: string | undefined): string | undefined {
  return s === undefined || s.length <= KEEP_OUTPUT ? s : s.slice(0, KEEP_OUTPUT) + '\n…[truncated]';
}

/** A timeout verdict of the wall-clock kind, or stored before timeouts said which limit fired (all wall-clock then). */
function wallTimeout(r: PairResult): boolean {
  return r.status === 'timeout' && r.timedOutBy !== 'cpu';
}

function limitBound(r: PairResult): boolean {
  return r.status === 'timeout' || r.status === 'crash' || r.error?.type === 'MemoryError';
}

export class ValidationCache {
  hits = 0;
  misses = 0;
  savedMs = 0;

  constructor(private readonly store: KvStore<CachedVerdict>) {}

  resetCounts(): void {
    this.hits = this.misses = this.savedMs = 0;
  }

  /** `remap` moves an anchored verdict's lines to the current code, or refuses it (a miss). */
  get(key: string, timeoutMs: number, memoryMB: number, remap?: (r: PairResult, anchors: VerdictAnchor[]) => PairResult | undefined): PairResult | undefined {
    const v = this.store.get(key);
    const ok =
      v &&
      v.r &&
      typeof v.r.status === 'string' &&
      !wallTimeout(v.r) &&
      !(v.r.status === 'timeout' && (v.timeoutMs ?? 0) < timeoutMs) &&
      !(limitBound(v.r) && v.r.status !== 'timeout' && (v.memoryMB ?? 0) !== memoryMB);
    const r = ok && v.anchors && remap ? remap(v.r, v.anchors) : v?.r;
    if (!ok || !r) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.savedMs += r.ms;
    return { ...r, cached: true };
  }

  set(key: string, r: PairResult, timeoutMs: number, memoryMB: number, anchors?: VerdictAnchor[]): void {
    if (wallTimeout(r)) return;
    const stored: PairResult = { ...r, stdout: trim(r.stdout), stderr: trim(r.stderr) };
    delete stored.cached;
    const entry: CachedVerdict = limitBound(r) ? { r: stored, timeoutMs, memoryMB } : { r: stored };
    if (anchors) entry.anchors = anchors;
    this.store.set(key, entry);
  }

  get size(): number {
    return this.store.size;
  }

  flush(): Promise<void> {
    return this.store.flush();
  }
}
