/**
 * The trace cache: a solver's trace lines on a task, under the key its verdicts have (canonical hash, task content
 * hash, dependency fingerprint, interpreter: validationBase) plus what a trace shows that the canonical hash drops
 * (the solver's own text: its variable names and source lines; for a batt entry the module's text, which places its
 * steps) and the limits it ran under (a timeout stops the trace where it stopped). Lines are stored relative to the
 * solver's first line, so a solver that only moved (lines inserted above it) reuses its trace.
 */
import { sha256 } from '../fsutil';
import type { KvStore } from '../store/kvStore';
import { validationBase } from '../store/validation';
import type { TraceLine } from '../../protocol/trace';
import type { Candidate, Task } from '../types';
import type { WorkspaceFile, WorkspaceModel } from '../workspace/discover';

export interface CachedTrace {
  /** lines with `line` relative to the solver's first line; divergence is marked on reading (it uses the verdicts) */
  lines: TraceLine[];
}

export interface TraceKeyParts {
  candidate: Candidate;
  task: Task;
  depsFingerprint: string;
  interpreter: string;
  /** the solver's def text, or the batt module's text for a batt entry */
  text: string;
  timeoutMs: number;
  memoryMB: number;
}

export function traceKey(p: TraceKeyParts): string {
  const base = validationBase(p.candidate.hash, p.task.hash, p.depsFingerprint, p.interpreter);
  return sha256(`${base}\ntrace\n${p.candidate.batt?.program ?? ''}\n${p.text}\n${p.timeoutMs}\n${p.memoryMB}`);
}

export class TraceCache {
  hits = 0;
  misses = 0;
  /** the last workspace model and the file versions it was built from: traces in a row skip the analysis */
  private model?: { key: string; ws: WorkspaceModel };

  constructor(private readonly store: KvStore<CachedTrace>) {}

  /** The cached lines, moved to the solver's current first line. */
  get(key: string, firstLine: number): TraceLine[] | undefined {
    const v = this.store.get(key);
    if (!v || !Array.isArray(v.lines)) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    return v.lines.map((l) => ({ ...l, line: l.line + firstLine, values: l.values.map((x) => ({ ...x })) }));
  }

  /**
   * The candidates, hashes and fingerprints of these files: the last model when every file is the same version (the
   * model is a function of the files' contents), else `build()`'s (kept unless it was cut short by a cancel).
   */
  async workspace(files: Map<string, WorkspaceFile>, build: () => Promise<WorkspaceModel>, signal?: AbortSignal): Promise<WorkspaceModel> {
    const key = [...files.values()].map((f) => `${f.path}\0${f.sha}`).sort().join('\n');
    if (this.model?.key === key) return { ...this.model.ws, files };
    const ws = await build();
    if (!signal?.aborted) this.model = { key, ws };
    return ws;
  }

  set(key: string, lines: TraceLine[], firstLine: number): void {
    this.store.set(key, { lines: lines.map(({ divergent: _d, ...l }) => ({ ...l, line: l.line - firstLine })) });
  }
}
