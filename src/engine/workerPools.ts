/**
 * The Engine's workers: the run's pool (local, or a Dask cluster's when `batt.cluster` is set), the stability check's
 * pool, which interpreter each was started with, and their restarts when that interpreter or the sandbox went stale.
 */
import type { SettingOwner } from './configErrors';
import type { EffectiveSettings } from './effectiveSettings';
import type { WorkspaceFile } from './workspace/discover';
import { filesWithPatches } from './workspace/patch';
import { Pool, PoolStatus } from './pool/pool';
import { RUN_HASH_SEED, type JobPool } from './pool/types';
import { ClusterPool } from './cluster/clusterPool';
import { coordinatorScript, newClusterPool } from './cluster/connect';
import { CHECK_HASH_SEED, CHECK_WORKERS } from './scoring/stable';
import { CheckPool } from './scoring/stablePool';
import { scoringScript } from './workerDir';
import type { RunEnv } from './run';

export interface WorkerPoolsOptions {
  root: string;
  owner: SettingOwner;
  settings(): EffectiveSettings;
  workerDir(): string;
  pycacheDir: string;
  /** the fingerprint of an interpreter (workspace/interpreter.ts); never rejects */
  interpreter(python: string): Promise<string>;
  log?: (line: string) => void;
  onPoolStatus?: (s: PoolStatus) => void;
}

export class WorkerPools {
  private pool?: JobPool;
  private poolStarting?: Promise<JobPool>;
  /** fingerprint of the interpreter the running (or starting) pool was started with */
  private poolInterpreter?: Promise<string>;
  private restarts = 0;
  /** the stability check's workers (scoring/stablePool.ts) */
  readonly checkPool = new CheckPool(() => ({ pool: this.newPool(true), interpreter: this.o.interpreter(this.o.settings().python) }));
  /** the workspace files as the workers were last told about them (base of FilePatch) */
  private sentFiles = new Map<string, WorkspaceFile>();

  constructor(private readonly o: WorkerPoolsOptions) {}

  /** The started pool, if any. */
  get current(): JobPool | undefined {
    return this.pool;
  }

  /**
   * The fingerprint of the configured interpreter, for a run's validation keys. Workers started under another one (the
   * setting changed, a launcher now picks another Python, a package was installed since) are restarted first, so the
   * verdicts come from the interpreter their key names.
   */
  async runInterpreter(): Promise<string> {
    const fp = await this.o.interpreter(this.o.settings().python);
    const running = [await this.poolInterpreter, await this.checkPool.interpreter];
    if (running.some((r) => r !== undefined && r !== fp)) {
      this.o.log?.('the interpreter changed since the workers started: restarting them');
      await this.restart();
    } else if (this.pool?.sandbox.stale() || this.checkPool.stale()) {
      this.o.log?.('a folder or file appeared on the way down to the tasks folder: restarting the sandboxed workers');
      await this.restart();
    }
    // A cluster's workers run the coordinator's Python version (checked at connect): keyed by the coordinator's.
    const s = this.o.settings();
    const jobsFp = s.cluster ? `cluster ${await this.o.interpreter(s.clusterPython)}` : fp;
    // What an unsandboxed solver does (a delete that goes through) is not what it does sandboxed: keyed apart.
    return s.sandbox ? jobsFp : `${jobsFp} unsandboxed`;
  }

  /** A pool of the configured interpreter, limits and sandbox (not started); `check`: the stability check's. */
  private newPool(check = false): Pool {
    const s = this.o.settings();
    const label = check ? 'check worker' : 'worker';
    return new Pool({
      python: s.python,
      workerScript: scoringScript(this.o.workerDir()),
      roots: [this.o.root],
      workers: check ? Math.min(CHECK_WORKERS, s.workers) : s.workers,
      timeoutMs: s.timeoutMs,
      memoryMB: s.memoryMB,
      pycacheDir: this.o.pycacheDir,
      sandbox: { enabled: s.sandbox, tasksPath: s.tasks },
      ...(check ? { hashSeed: CHECK_HASH_SEED } : {}),
      onLog: (id, stream, line) => this.o.log?.(`[${label} ${id}${stream === 'worker' ? '' : ` ${stream}`}] ${line}`),
    });
  }

  /** Starts the pool on first need; later runs reuse it. */
  start(): Promise<JobPool> {
    if (this.pool) return Promise.resolve(this.pool);
    if (!this.poolStarting) {
      const s = this.o.settings();
      this.poolInterpreter = this.o.interpreter(s.python);
      const cluster = { root: this.o.root, script: coordinatorScript(this.o.workerDir()), hashSeed: RUN_HASH_SEED, log: this.o.log };
      const pool = s.cluster ? newClusterPool(this.o.owner, s, cluster) : this.newPool();
      if (this.o.onPoolStatus) pool.on('status', this.o.onPoolStatus);
      this.poolStarting = pool.start().then(
        () => {
          this.pool = pool;
          return pool;
        },
        async (e) => {
          this.poolStarting = undefined;
          this.poolInterpreter = undefined;
          await pool.dispose().catch(() => undefined);
          throw e;
        },
      );
    }
    return this.poolStarting;
  }

  /** Tells the pool's workers about the workspace files (patches against what they were last told). */
  sendFiles(pool: JobPool, files: Map<string, WorkspaceFile>): void {
    pool.setFiles(filesWithPatches(files, this.sentFiles));
    this.sentFiles = new Map(files);
  }

  /** The run's pool fields: restarts, whether it started, its Python (and a cluster's workers). */
  runInfo(): ReturnType<RunEnv['poolInfo']> {
    return {
      restarts: this.pool?.status().restarts ?? this.restarts,
      started: !!this.pool,
      python: this.pool?.status().python,
      ...(this.pool instanceof ClusterPool ? this.pool.runPoolInfo() : {}),
    };
  }

  /** Kills and respawns the workers (a fresh pool on the next run). */
  async restart(): Promise<void> {
    const p = this.pool ?? (await this.poolStarting?.catch(() => undefined));
    this.pool = undefined;
    this.poolStarting = undefined;
    this.poolInterpreter = undefined;
    this.sentFiles = new Map();
    await this.checkPool.dispose();
    if (p) {
      this.restarts += p.status().restarts + p.status().workers.length;
      await p.dispose();
    }
  }
}
