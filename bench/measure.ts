/** Measuring helpers: percentiles, resident memory of a process tree from /proc, machine info, polling. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';

export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

export const median = (xs: number[]): number => percentile(xs, 50);

/** VmRSS of one process in MiB, or 0 when it is gone. */
export function rssMB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** pid and every descendant (walks /proc once; workers run in their own process groups but stay children). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      /* exited while we looked */
    }
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length) {
    const p = todo.pop()!;
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

export interface RssSample {
  totalMB: number;
  rootMB: number;
  processes: number;
}

export function sampleTree(root: number): RssSample {
  const pids = processTree(root);
  const per = pids.map(rssMB);
  return { totalMB: per.reduce((a, b) => a + b, 0), rootMB: per[0], processes: pids.filter((_, i) => per[i] > 0).length };
}

/** Samples a process tree's RSS every `everyMs` until stopped, keeping the peak. The tree is re-walked every 10th tick only (walking /proc costs ms). */
export class RssSampler {
  peak: RssSample = { totalMB: 0, rootMB: 0, processes: 0 };
  samples = 0;
  private pids: number[] = [];
  private timer: NodeJS.Timeout;

  constructor(private readonly root: number, everyMs = 50) {
    this.tick();
    this.timer = setInterval(() => this.tick(), everyMs);
  }

  private tick(): void {
    if (this.samples % 10 === 0) this.pids = processTree(this.root);
    const per = this.pids.map(rssMB);
    const s = { totalMB: per.reduce((a, b) => a + b, 0), rootMB: per[0], processes: per.filter((x) => x > 0).length };
    this.samples++;
    if (s.totalMB > this.peak.totalMB) this.peak = s;
  }

  stop(): RssSample {
    clearInterval(this.timer);
    this.samples = 0; // re-walk for the final sample
    this.tick();
    return this.peak;
  }
}

export interface MachineInfo {
  cpus: number;
  model: string;
  node: string;
  python: string;
  loadavg: number[];
  memGB: number;
  platform: string;
}

export function machineInfo(python: string): MachineInfo {
  let py = '?';
  try {
    py = execFileSync(python, ['--version'], { encoding: 'utf8' }).trim();
  } catch (e) {
    py = `unavailable (${(e as Error).message})`;
  }
  return {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model ?? '?',
    node: process.version,
    python: py,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
    memGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()}`,
  };
}

/** Polls `cond` every few ms until it holds; throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, cond: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU (user + system) used so far by the descendants of `root` that are still alive, ms. */
export function childrenCpuMs(root: number): number {
  let ms = 0;
  for (const pid of processTree(root).slice(1)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ms += (Number(f[11]) + Number(f[12])) * TICK_MS; // utime, stime (fields 14 and 15)
    } catch {
      /* exited */
    }
  }
  return ms;
}
