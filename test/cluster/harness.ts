/**
 * A real Dask cluster on loopback for the cluster suite: a scheduler and N workers of Debian's python3-distributed
 * (2022.12, installed for /usr/bin/python3), each in its own process group, ports chosen by the OS, nothing bound
 * beyond 127.0.0.1. Every process the harness starts, and every descendant (batt's own worker processes on the Dask
 * workers), carries BATT_CLUSTER_TEST=<id> in its environment, so `leftovers()` finds what a test left behind even when
 * a descendant moved to another process group or was re-parented to init.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { until } from '../poll';

/** The interpreter Debian's dask/distributed is installed for (the default `python3` here is a pyenv one without it). */
export const DASK_PYTHON = process.env.BATT_DASK_PYTHON ?? '/usr/bin/python3';

/** Throws one clear line when the interpreter lacks dask.distributed (CI installs python3-distributed). */
export function requireDask(): string {
  try {
    return execFileSync(DASK_PYTHON, ['-c', 'import distributed, sys; sys.stdout.write(distributed.__version__)'], { encoding: 'utf8', timeout: 30_000 });
  } catch {
    throw new Error(`${DASK_PYTHON} cannot import distributed: install Debian's python3-distributed (apt-get install python3-distributed python3-dask)`);
  }
}

export interface ClusterProcess {
  name: string;
  pid: number;
  /** what the process wrote to stdout and stderr so far (Dask logs to stderr) */
  log(): string;
  readonly exited: Promise<void>;
}

export interface TestCluster {
  /** tcp://127.0.0.1:PORT */
  address: string;
  id: string;
  scheduler: ClusterProcess;
  workers: ClusterProcess[];
  /** starts one more worker and waits until the scheduler registered it */
  addWorker(env?: NodeJS.ProcessEnv): Promise<ClusterProcess>;
  /** SIGKILLs a worker's whole process group (the Dask worker and the batt processes it started) and waits for it */
  killWorker(i: number): Promise<void>;
  /** kills everything and waits until no process of this cluster is left */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  workers?: number;
  /** threads per Dask worker (concurrent batches on it); default 1 */
  nthreads?: number;
  /** extra environment of the workers */
  env?: NodeJS.ProcessEnv;
}

/** Processes (pid: command line) whose environment carries this cluster's id; none once stop() returned. */
export function leftovers(id: string): string[] {
  const found: string[] = [];
  const marker = `BATT_CLUSTER_TEST=${id}`;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const env = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (!env.includes(marker)) continue;
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (/\) Z /.test(stat)) continue; // a zombie holds no resources; its parent reaps it
      found.push(`${entry}: ${fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim()}`);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

function start(name: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; proc: ClusterProcess } {
  const child = spawn(DASK_PYTHON, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => {
    out += b.toString('utf8');
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.pid === undefined) throw new Error(`cannot start ${name}: ${DASK_PYTHON} ${args.join(' ')}`);
  return { child, proc: { name, pid: child.pid, log: () => out, exited } };
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Starts a scheduler and `workers` Dask workers on 127.0.0.1 and waits until all are registered. */
export async function startCluster(opts: ClusterOptions = {}): Promise<TestCluster> {
  requireDask();
  const id = crypto.randomBytes(6).toString('hex');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `batt-cluster-${id}-`));
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, BATT_CLUSTER_TEST: id, PYTHONUNBUFFERED: '1', DASK_DISTRIBUTED__WORKER__DAEMON: 'False' };
  const schedFile = path.join(dir, 'scheduler.json');
  const groups: number[] = [];
  const s = start('scheduler', ['-m', 'distributed.cli.dask_scheduler', '--host', '127.0.0.1', '--port', '0', '--no-dashboard', '--dashboard-address', '127.0.0.1:0', '--scheduler-file', schedFile], baseEnv);
  groups.push(s.proc.pid);
  const stopAll = async () => {
    for (const g of groups) killGroup(g);
    await until(`no process of test cluster ${id} left`, () => leftovers(id).length === 0, 15_000).catch(() => {
      throw new Error(`test cluster ${id} left processes: ${leftovers(id).join('; ')}`);
    });
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const address = await until('the Dask scheduler to write its address', () => {
      if (s.child.exitCode !== null) throw new Error(`the scheduler exited (${s.child.exitCode}): ${s.proc.log().slice(-2000)}`);
      if (!fs.existsSync(schedFile)) return undefined;
      try {
        return (JSON.parse(fs.readFileSync(schedFile, 'utf8')) as { address?: string }).address;
      } catch {
        return undefined; // half written
      }
    }, 30_000);
    if (!address.startsWith('tcp://127.0.0.1:')) throw new Error(`the scheduler bound ${address}, not loopback`);
    const workers: ClusterProcess[] = [];
    const addWorker = async (env: NodeJS.ProcessEnv = {}): Promise<ClusterProcess> => {
      const n = workers.length;
      const wdir = path.join(dir, `worker-${n}`);
      fs.mkdirSync(wdir);
      const w = start(`worker-${n}`, [
        '-m', 'distributed.cli.dask_worker', address,
        '--host', '127.0.0.1', '--nthreads', String(opts.nthreads ?? 1), '--nworkers', '1', '--no-nanny',
        '--name', `batt-test-${n}`, '--local-directory', wdir, '--no-dashboard', '--death-timeout', '60',
      ], { ...baseEnv, ...opts.env, ...env });
      groups.push(w.proc.pid);
      workers.push(w.proc);
      await until(`Dask worker ${n} to register with the scheduler`, () => {
        if (w.child.exitCode !== null) throw new Error(`Dask worker ${n} exited (${w.child.exitCode}): ${w.proc.log().slice(-2000)}`);
        return /Registered to:/.test(w.proc.log());
      }, 60_000);
      return w.proc;
    };
    for (let i = 0; i < (opts.workers ?? 2); i++) await addWorker();
    return {
      address,
      id,
      scheduler: s.proc,
      workers,
      addWorker,
      async killWorker(i: number) {
        const w = workers[i];
        killGroup(w.pid);
        await w.exited;
      },
      stop: stopAll,
    };
  } catch (e) {
    await stopAll().catch(() => undefined);
    throw e;
  }
}
