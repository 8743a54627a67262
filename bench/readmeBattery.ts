/**
 * Section 7, the README's battery example, as a user runs it the first time: the CLI (dist/cli.js, built by
 * `npm run bench`) on a copy of samples/ (its batt.json sets a 2 s timeout; the copy keeps the caches out of the
 * repository) with `--tasks <ARC-AGI-1 training> --battery`, timed from spawn to exit. Issue 9's target: under a
 * minute on 2 cores (it took 20 minutes when the samples' endless loop timed out on each of the 1,718 pairs).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { RunJson } from '../src/protocol/results';
import type { BenchContext } from './context';
import type { Report } from './report';

export interface ReadmeBatterySection {
  command: string;
  wallMs: number;
  summary: RunJson['summary'];
  timeouts: number;
}

/** Runs `node cli.js args`, resolving with its stdout; rejects on a non-zero exit. */
function cli(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`batt ${args.join(' ')} exited with ${code}: ${err.slice(-2000)}`))));
  });
}

export async function readmeBattery(ctx: BenchContext, report: Report): Promise<ReadmeBatterySection> {
  const script = path.join(ctx.repo, 'dist', 'cli.js');
  if (!fs.existsSync(script)) throw new Error(`${script} not found: npm run build first`);
  const ws = path.join(ctx.scratch, 'ws-readme');
  fs.cpSync(path.join(ctx.repo, 'samples'), ws, { recursive: true, filter: (src) => !/[\\/](\.batt|__pycache__)([\\/]|$)/.test(src) });
  const args = ['run', '--workspace', ws, '--tasks', ctx.corpus, '--battery', '--json'];
  ctx.log(`7. batt ${args.join(' ')}`);
  const t0 = performance.now();
  const run = JSON.parse(await cli(script, args)) as RunJson;
  const wallMs = performance.now() - t0;
  let timeouts = 0;
  for (const t of run.tasks) for (const c of t.candidates) if (!c.duplicateOf) for (const p of c.pairs) if (!p.cached && p.status === 'timeout') timeouts++;

  const S = '7 readme';
  const s = run.summary;
  report.info(S, `batt run --workspace samples --battery: ${s.tasks} tasks, jobs (ran ${s.ran}, ${s.skipped} skipped, ${timeouts} timeouts)`, s.jobs, '');
  report.check(S, "README's battery example, first run, wall (spawn to exit)", wallMs, 'ms', '<', 60_000);
  return { command: `batt ${args.join(' ')}`, wallMs, summary: s, timeouts };
}
