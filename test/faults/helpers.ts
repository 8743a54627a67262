/**
 * Shared by the fault suite: temp workspaces over the sample DSL, the fault task, process and fd leak checks,
 * polling with deadlines (never fixed sleeps).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Engine } from '../../src/engine/engine';
import type { CandidateJson, RunJson } from '../../src/protocol/results';

export const REPO = path.resolve(__dirname, '..', '..');
export const SAMPLES = path.join(REPO, 'samples');
export const FIXTURES = path.join(REPO, 'test', 'fixtures', 'faults');
export const PYTHON = process.env.BATT_PYTHON ?? 'python3';

/** The task every solver fault runs on: rot180 of each input; train[1]'s input starts with 3 (the slow pair). */
export const FAULT_TASK_ID = 'fa000001';
export const FAULT_TASK = {
  train: [
    { input: [[1, 2], [0, 4]], output: [[4, 0], [2, 1]] },
    { input: [[3, 0, 1], [2, 2, 0]], output: [[0, 2, 2], [1, 0, 3]] },
  ],
  test: [{ input: [[5, 6], [7, 8]], output: [[8, 7], [6, 5]] }],
};

const made: string[] = [];

/** A fresh real-path temp folder with the sample dsl.py and constants.py, a tasks/ folder with the fault task. */
export function makeWorkspace(prefix: string): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `batt-faults-${prefix}-`)));
  made.push(dir);
  for (const f of ['dsl.py', 'constants.py']) fs.copyFileSync(path.join(SAMPLES, f), path.join(dir, f));
  fs.mkdirSync(path.join(dir, 'tasks'));
  writeJson(path.join(dir, 'tasks', `${FAULT_TASK_ID}.json`), FAULT_TASK);
  return dir;
}

/** Another temp folder (outside every workspace), removed by removeTemps(). */
export function makeTemp(prefix: string): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `batt-faults-${prefix}-`)));
  made.push(dir);
  return dir;
}

export function removeTemps(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(file, JSON.stringify(value));
}

export function copyFixture(sub: string, name: string, ws: string): string {
  const to = path.join(ws, name);
  fs.copyFileSync(path.join(FIXTURES, sub, name), to);
  return to;
}

import { until } from '../poll';
import { isAlive } from '../workerFixtures';
import '../cacheHome';

export { isAlive };

export function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

/** Children of a process (Linux /proc), for finding what a worker left behind. */
export function childPids(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Waits until this process has no child left (workers, analyzer: dispose() does not wait for the analyzer). */
export async function assertNoChildren(): Promise<void> {
  const list = () => childPids(process.pid).map((p) => {
    try {
      return `${p}: ${fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ')}`;
    } catch {
      return `${p}`;
    }
  });
  await until('no child process of the test process', () => childPids(process.pid).length === 0, 10000).catch(() => {
    throw new Error(`child processes left: ${list().join('; ')}`);
  });
}

/** Resident set size of a process in MiB (0 if it is gone). */
export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Remembers every worker pid an engine ever reported, plus pids solvers printed ("child pid N"). */
export class PidTracker {
  readonly pids = new Set<number>();

  noteEngine(engine: Pick<Engine, 'poolStatus'>): void {
    for (const w of engine.poolStatus()?.workers ?? []) if (w.pid !== undefined) this.pids.add(w.pid);
  }

  noteLog(line: string): void {
    const m = /child pid (\d+)/.exec(line);
    if (m) this.pids.add(Number(m[1]));
  }

  async assertAllGone(): Promise<void> {
    await until(`processes ${[...this.pids].filter(isAlive).join(', ')} to exit`, () => [...this.pids].every((p) => !isAlive(p)), 10000);
  }
}

export function candidate(r: RunJson, task: string, name: string): CandidateJson {
  const t = r.tasks.find((x) => x.id === task);
  assert.ok(t, `task ${task} in the run (errors: ${JSON.stringify(r.errors)})`);
  const c = t.candidates.find((x) => x.name === name);
  assert.ok(c, `${name} among ${t.candidates.map((x) => x.name).join(', ')}`);
  return c;
}

/** [status, message] of every pair of a candidate, for exact assertions. */
export function verdicts(c: CandidateJson): Array<[string, string | undefined]> {
  return c.pairs.map((p) => [p.status, p.message]);
}

/**
 * The fault suites' teardown: dispose the engine, prove every worker and solver child it ever had is gone and this
 * process has no child left, then remove the temporary folders (also when a check fails). `report` prints a summary.
 */
export async function disposeAndCheck(engine: { dispose(): Promise<void> } | undefined, tracker: PidTracker, report?: () => void): Promise<void> {
  try {
    await engine?.dispose();
    await tracker.assertAllGone();
    await assertNoChildren();
    report?.();
  } finally {
    removeTemps();
  }
}
