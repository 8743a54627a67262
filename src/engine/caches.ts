/**
 * The Engine's caches in its cache folder: parses, inlining, verdicts, traces and durations (key-value stores),
 * interpreter fingerprints and the workspace's precompiled bytecode.
 */
import * as path from 'path';
import { KvStats, KvStore } from './store/kvStore';
import type { SkippedWrites } from './store/skippedWrites';
import type { CachedVerdict } from './store/validation';
import type { FileParse, InlineEntry } from './workspace/discover';
import { InterpreterFingerprints } from './workspace/interpreter';
import { TraceCache, type CachedTrace } from './trace/cache';

export class EngineCaches {
  readonly fileCache: KvStore<{ sha: string; parse: FileParse }>;
  readonly inlineCache: KvStore<InlineEntry>;
  readonly validationStore: KvStore<CachedVerdict>;
  private readonly traceStore: KvStore<CachedTrace>;
  private traceCache?: TraceCache;
  readonly durations: KvStore<number>;
  readonly interpreters: InterpreterFingerprints;
  private loaded?: Promise<void>;

  constructor(
    readonly dir: string,
    log?: (line: string) => void,
  ) {
    this.fileCache = new KvStore(path.join(dir, 'parses'), { maxEntries: 20000 });
    this.inlineCache = new KvStore(path.join(dir, 'inlining'));
    this.validationStore = new KvStore(path.join(dir, 'validation'));
    this.traceStore = new KvStore(path.join(dir, 'traces'));
    this.durations = new KvStore(path.join(dir, 'durations'));
    this.interpreters = new InterpreterFingerprints(path.join(dir, 'interpreters.json'), log);
  }

  /** Hash-checked bytecode of the workspace's modules, written by the analyzer and read by the workers. */
  get pycacheDir(): string {
    return path.join(this.dir, 'pyc');
  }

  /** The traces (trace/cache.ts) on their store, made on first need. */
  get traces(): TraceCache {
    return (this.traceCache ??= new TraceCache(this.traceStore));
  }

  /** Every key-value store. */
  get stores(): Array<KvStore<unknown>> {
    return [this.fileCache, this.inlineCache, this.validationStore, this.durations, this.traceStore] as Array<KvStore<unknown>>;
  }

  /** Loads the stores once; a cache folder the file system refuses to read is an empty cache (noted in `writes`). */
  load(writes: SkippedWrites): Promise<void> {
    this.loaded ??= Promise.all(
      this.stores.map((st) =>
        st.load().catch((e: unknown) => {
          if (!writes.note('the cache', e, this.dir)) throw e;
        }),
      ),
    ).then(() => undefined);
    return this.loaded;
  }

  /** Makes the next load() read the stores again (after a load that could not read them). */
  reload(): void {
    this.loaded = undefined;
  }

  /** Writes every store; what the file system refuses is noted in `writes`. */
  async flush(writes: SkippedWrites): Promise<void> {
    for (const r of await Promise.allSettled(this.stores.map((st) => st.flush()))) {
      if (r.status === 'rejected' && !writes.note('the cache', r.reason, this.dir)) throw r.reason;
    }
  }

  /** On-disk statistics of each cache (entries, bytes, ages). */
  async info(): Promise<Record<'validation' | 'inlining' | 'files' | 'durations' | 'traces', KvStats>> {
    const [validation, inlining, files, durations, traces] = await Promise.all([
      this.validationStore.stats(),
      this.inlineCache.stats(),
      this.fileCache.stats(),
      this.durations.stats(),
      this.traceStore.stats(),
    ]);
    return { validation, inlining, files, durations, traces };
  }
}
