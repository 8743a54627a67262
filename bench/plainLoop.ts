/**
 * The reference harness: one plain Python process that imports the workspace and calls each candidate on each pair
 * in order (what arc-dsl's main.py and most ARC harnesses do). It runs exactly the bench's job list and reports
 * per-job CPU and wall time, so the bench gets total CPU, the longest single pair and pass/fail per job.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Workload } from './workload';

const SCRIPT = String.raw`"""batt bench plain loop: python3 plain_loop.py <manifest.json> <out.json>"""
import importlib
import json
import sys
import time


def main(manifest_path, out_path):
    t_start = time.perf_counter()
    with open(manifest_path) as f:
        m = json.load(f)
    sys.path.insert(0, m["workspace"])
    mod = importlib.import_module(m["module"])
    jobs = []  # [task, fn, kind, index, passed, cpu_ms, wall_ms]
    loop_start = time.perf_counter()
    for entry in m["jobs"]:
        tid = entry["task"]
        with open("%s/%s.json" % (m["tasks"], tid)) as f:
            task = json.load(f)
        pairs = [("demo", i, p) for i, p in enumerate(task["train"])] + [("test", i, p) for i, p in enumerate(task["test"])]
        pairs = [(k, i, tuple(tuple(r) for r in p["input"]), tuple(tuple(r) for r in p["output"])) for k, i, p in pairs]
        for name in entry["fns"]:
            fn = getattr(mod, name)
            for kind, index, grid, expected in pairs:
                c0 = time.process_time()
                w0 = time.perf_counter()
                try:
                    out = fn(grid)
                    ok = out == expected
                except Exception:
                    ok = False
                w1 = time.perf_counter()
                c1 = time.process_time()
                jobs.append([tid, name, kind, index, ok, (c1 - c0) * 1000.0, (w1 - w0) * 1000.0])
    loop_ms = (time.perf_counter() - loop_start) * 1000.0
    with open(out_path, "w") as f:
        json.dump({"jobs": jobs, "loopMs": loop_ms, "scriptMs": (time.perf_counter() - t_start) * 1000.0}, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
`;

export interface LoopJob {
  task: string;
  fn: string;
  kind: 'demo' | 'test';
  index: number;
  passed: boolean;
  cpuMs: number;
  wallMs: number;
}

export interface LoopResult {
  /** spawn to exit, as seen from Node: interpreter start, imports, task reading, the loop */
  wallMs: number;
  loopMs: number;
  jobs: LoopJob[];
  totalCpuMs: number;
  longestMs: number;
  solved: number;
}

/** Writes the script and manifest next to (not inside) the workspace and runs it once. */
export async function runPlainLoop(python: string, work: Workload, tasksDir: string, scratch: string): Promise<LoopResult> {
  const script = path.join(scratch, 'plain_loop.py');
  const manifest = path.join(scratch, 'plain_loop.json');
  const out = path.join(scratch, 'plain_loop.out.json');
  fs.writeFileSync(script, SCRIPT);
  fs.writeFileSync(manifest, JSON.stringify({ workspace: work.dir, module: path.basename(work.file, '.py'), tasks: tasksDir, jobs: work.jobs }));
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(python, [script, manifest, out], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${script} exited with ${code}: ${err.slice(-2000)}`))));
  });
  const wallMs = performance.now() - t0;
  const raw = JSON.parse(fs.readFileSync(out, 'utf8')) as { jobs: Array<[string, string, 'demo' | 'test', number, boolean, number, number]>; loopMs: number };
  const jobs = raw.jobs.map(([task, fn, kind, index, passed, cpuMs, wallMs]) => ({ task, fn, kind, index, passed, cpuMs, wallMs }));
  return { wallMs, loopMs: raw.loopMs, jobs, totalCpuMs: jobs.reduce((s, j) => s + j.cpuMs, 0), longestMs: Math.max(0, ...jobs.map((j) => j.wallMs)), solved: solvedCount(jobs) };
}

/** Tasks with a candidate that passes every pair (demo and test), the ARC rule. */
export function solvedCount(jobs: LoopJob[]): number {
  const ok = new Map<string, boolean>(); // task\0fn -> all passed
  for (const j of jobs) {
    const k = `${j.task}\0${j.fn}`;
    ok.set(k, (ok.get(k) ?? true) && j.passed);
  }
  const solved = new Set<string>();
  for (const [k, v] of ok) if (v) solved.add(k.split('\0')[0]);
  return solved.size;
}
