/**
 * The reference harness: one plain Python process that imports the workspace and calls each candidate on each pair
 * in order (what arc-dsl's main.py and most ARC harnesses do). It runs exactly the given job list and reports
 * per-job status, CPU and wall time, so the bench gets total CPU, the longest single pair and pass/fail per job.
 *
 * Two options make it the battery baseline: `stopAtFirstFailure` (a candidate's remaining pairs of a task are not
 * run after its first failing pair, demo pairs first, then test) and `timeoutS`, a per-pair limit on the loop
 * process's own CPU time (user + system: signal.setitimer(ITIMER_PROF), the same thing batt's limit counts), with a
 * wall-clock backstop of 3x the limit + 1 s (ITIMER_REAL) for calls that sleep or block. Either timer raises a
 * BaseException in the solver, so a solver's own `except Exception` cannot swallow it; the call's verdict is a
 * timeout and the loop goes on in the same process.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Workload } from './workload';

const SCRIPT = String.raw`"""batt bench plain loop: python3 plain_loop.py <manifest.json> <out.json>"""
import importlib
import json
import signal
import sys
import time


class PairTimeout(BaseException):
    pass


def _expired(signum, frame):
    raise PairTimeout()


def _arm(limit):
    signal.setitimer(signal.ITIMER_PROF, limit)
    signal.setitimer(signal.ITIMER_REAL, 3 * limit + 1)


def _disarm():
    signal.setitimer(signal.ITIMER_PROF, 0)
    signal.setitimer(signal.ITIMER_REAL, 0)


def main(manifest_path, out_path):
    t_start = time.perf_counter()
    with open(manifest_path) as f:
        m = json.load(f)
    limit = m.get("timeoutS")
    stop = m.get("stopAtFirstFailure", False)
    if limit:
        signal.signal(signal.SIGPROF, _expired)
        signal.signal(signal.SIGALRM, _expired)
    sys.path.insert(0, m["workspace"])
    mod = importlib.import_module(m["module"])
    jobs = []  # [task, fn, kind, index, status, cpu_ms, wall_ms]
    solved = []  # [task, fn]: every pair ran and passed
    loop_start = time.perf_counter()
    for entry in m["jobs"]:
        tid = entry["task"]
        with open("%s/%s.json" % (m["tasks"], tid)) as f:
            task = json.load(f)
        pairs = [("demo", i, p) for i, p in enumerate(task["train"])] + [("test", i, p) for i, p in enumerate(task["test"])]
        pairs = [(k, i, tuple(tuple(r) for r in p["input"]), tuple(tuple(r) for r in p["output"])) for k, i, p in pairs]
        for name in entry["fns"]:
            fn = getattr(mod, name)
            passed = 0
            for kind, index, grid, expected in pairs:
                c0 = time.process_time()
                w0 = time.perf_counter()
                try:
                    if limit:
                        _arm(limit)
                    try:
                        out = fn(grid)
                    finally:
                        if limit:
                            _disarm()
                    status = "pass" if out == expected else "fail"
                except PairTimeout:
                    status = "timeout"
                except Exception:
                    status = "error"
                w1 = time.perf_counter()
                c1 = time.process_time()
                jobs.append([tid, name, kind, index, status, (c1 - c0) * 1000.0, (w1 - w0) * 1000.0])
                if status == "pass":
                    passed += 1
                elif stop:
                    break
            if passed == len(pairs):
                solved.append([tid, name])
    loop_ms = (time.perf_counter() - loop_start) * 1000.0
    with open(out_path, "w") as f:
        json.dump({"jobs": jobs, "solved": solved, "loopMs": loop_ms, "scriptMs": (time.perf_counter() - t_start) * 1000.0}, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
`;

export type LoopStatus = 'pass' | 'fail' | 'error' | 'timeout';

export interface LoopJob {
  task: string;
  fn: string;
  kind: 'demo' | 'test';
  index: number;
  passed: boolean;
  status: LoopStatus;
  cpuMs: number;
  wallMs: number;
}

export interface LoopOptions {
  /** stop a candidate on a task at its first failing pair */
  stopAtFirstFailure?: boolean;
  /** per-pair limit on the loop's own CPU time (wall backstop 3x + 1 s); none when absent */
  timeoutS?: number;
  /** base name of the script, manifest and output files in `scratch` */
  name?: string;
}

export interface LoopResult {
  /** spawn to exit, as seen from Node: interpreter start, imports, task reading, the loop */
  wallMs: number;
  loopMs: number;
  jobs: LoopJob[];
  totalCpuMs: number;
  longestMs: number;
  /** tasks solved (by any candidate) */
  solved: number;
  /** "task candidate" for every candidate that passed every pair of a task */
  solvedPairs: string[];
}

/** Writes the script and manifest next to (not inside) the workspace and runs it once. */
export async function runPlainLoop(python: string, work: Pick<Workload, 'dir' | 'file' | 'jobs'>, tasksDir: string, scratch: string, o: LoopOptions = {}): Promise<LoopResult> {
  const name = o.name ?? 'plain_loop';
  const script = path.join(scratch, `${name}.py`);
  const manifest = path.join(scratch, `${name}.json`);
  const out = path.join(scratch, `${name}.out.json`);
  fs.writeFileSync(script, SCRIPT);
  fs.writeFileSync(
    manifest,
    JSON.stringify({ workspace: work.dir, module: path.basename(work.file, '.py'), tasks: tasksDir, jobs: work.jobs, stopAtFirstFailure: !!o.stopAtFirstFailure, timeoutS: o.timeoutS ?? null }),
  );
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(python, [script, manifest, out], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${script} exited with ${code}: ${err.slice(-2000)}`))));
  });
  const wallMs = performance.now() - t0;
  const raw = JSON.parse(fs.readFileSync(out, 'utf8')) as { jobs: Array<[string, string, 'demo' | 'test', number, LoopStatus, number, number]>; solved: Array<[string, string]>; loopMs: number };
  const jobs = raw.jobs.map(([task, fn, kind, index, status, cpuMs, wallMs]) => ({ task, fn, kind, index, passed: status === 'pass', status, cpuMs, wallMs }));
  return {
    wallMs,
    loopMs: raw.loopMs,
    jobs,
    totalCpuMs: jobs.reduce((s, j) => s + j.cpuMs, 0),
    longestMs: Math.max(0, ...jobs.map((j) => j.wallMs)),
    solved: new Set(raw.solved.map(([t]) => t)).size,
    solvedPairs: raw.solved.map(([t, fn]) => `${t} ${fn}`).sort(),
  };
}
