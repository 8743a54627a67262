/**
 * The stability check's pool (scoring/stable.ts): a few workers like the run's (same interpreter, limits and sandbox)
 * under the check's PYTHONHASHSEED, started on the first check that needs them and kept for the engine's life; the
 * Engine disposes it with its own pool (a restart, an interpreter change, a sandbox gone stale, dispose).
 */
import type { Pool } from '../pool/pool';
import { filesWithPatches } from '../workspace/patch';
import type { WorkspaceFile } from '../workspace/discover';

export class CheckPool {
  private starting?: Promise<Pool>;
  private pool?: Pool;
  /** the workspace files as its workers were last told about them (base of FilePatch) */
  private sent = new Map<string, WorkspaceFile>();
  /** fingerprint of the interpreter it was started with */
  interpreter?: Promise<string>;

  /** `make`: a pool not yet started, and the fingerprint of its interpreter */
  constructor(private readonly make: () => { pool: Pool; interpreter: Promise<string> }) {}

  start(): Promise<Pool> {
    if (!this.starting) {
      const { pool, interpreter } = this.make();
      this.interpreter = interpreter;
      this.starting = pool.start().then(
        () => (this.pool = pool),
        async (e) => {
          this.starting = this.interpreter = undefined;
          await pool.dispose().catch(() => undefined);
          throw e;
        },
      );
    }
    return this.starting;
  }

  /** Tells its workers about the workspace files (patches against what they were last told). */
  send(pool: Pool, files: Map<string, WorkspaceFile>): void {
    pool.setFiles(filesWithPatches(files, this.sent));
    this.sent = new Map(files);
  }

  /** Whether its sandbox no longer fits the workspace (see PoolSandbox.stale). */
  stale(): boolean {
    return !!this.pool?.sandbox.stale();
  }

  async dispose(): Promise<void> {
    const p = this.pool ?? (await this.starting?.catch(() => undefined));
    this.pool = this.starting = this.interpreter = undefined;
    this.sent = new Map();
    await p?.dispose();
  }
}
