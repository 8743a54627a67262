/**
 * Section 3, save to diagnostic: drive the language server as an editor would. A 400-solver file is opened; each of
 * 30 saves edits one constant in one solver (upscale(x, ONE) -> TWO, so that solver's verdict message changes) and
 * we time didSave -> the publishDiagnostics that reflects the edit, minus the edited solver's own run time (from
 * the batt/runResult it triggers). Then the stale-run case: a save arrives while a long run of a slow file keeps
 * every worker busy.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { DEFAULTS } from '../src/protocol/settings';
import type { ServerSettings } from '../src/protocol/lsp';
import { BenchContext, ownMs } from './context';
import { LspClient } from './lspClient';
import { median, percentile, round, sampleTree } from './measure';
import type { Report } from './report';
import { corpusIds, rng } from './workload';

const SLOW_SECONDS = 3;

/** One solver per task: a chain of 1-3 rotations/mirrors, then `O = upscale(xN, ONE)` (the constant the saves edit). */
function solverFile(ids: string[], edited: Set<number>): string {
  const r = rng(7);
  const ops = ['rot90', 'rot180', 'hmirror', 'vmirror', 'dmirror'];
  const out = ['from dsl import *', 'from constants import *', '', ''];
  ids.forEach((id, i) => {
    const n = 1 + Math.floor(r() * 3);
    out.push(`def solve_${id}(I):`);
    let cur = 'I';
    for (let k = 1; k <= n; k++) {
      out.push(`    x${k} = ${ops[Math.floor(r() * ops.length)]}(${cur})`);
      cur = `x${k}`;
    }
    out.push(`    O = upscale(${cur}, ${edited.has(i) ? 'TWO' : 'ONE'})`, '    return O', '', '');
  });
  return out.join('\n');
}

function slowFile(ids: string[], rep: number): string {
  const lines = ['import time', '', 'from dsl import *', '', ''];
  for (const id of ids) lines.push(`def solve_${id}_slow(I):`, `    time.sleep(${(SLOW_SECONDS + rep * 0.001).toFixed(3)})`, '    O = rot90(I)', '    return O', '', '');
  return lines.join('\n');
}

export interface LspSection {
  saves: number;
  latencyMs: number[];
  ownMs: number[];
  p50: number;
  p95: number;
  stale: Array<{ latencyMs: number; ownMs: number; runWallMs: number }>;
  phasesMedianMs: Record<string, number>;
  serverIdleMB: number;
  serverProcesses: number;
  warmupMs: number;
}

export async function lspBench(ctx: BenchContext, report: Report): Promise<LspSection> {
  const dir = path.join(ctx.scratch, 'ws-lsp');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['dsl.py', 'constants.py']) fs.copyFileSync(path.join(ctx.repo, 'samples', f), path.join(dir, f));
  const ids = ctx.taskIds.length >= 400 ? ctx.taskIds.slice(0, 400) : [...ctx.taskIds, ...corpusIds(ctx.corpus).filter((x) => !ctx.taskIds.includes(x))].slice(0, 400);
  const file = path.join(fs.realpathSync(dir), 'solvers400.py');
  const slow = path.join(fs.realpathSync(dir), 'slow.py');
  const uri = pathToFileURL(file).toString();
  const edited = new Set<number>();
  fs.writeFileSync(file, solverFile(ids, edited));
  fs.writeFileSync(slow, slowFile(ids.slice(0, 4), 0));

  const serverJs = path.join(ctx.repo, 'dist', 'server.js');
  if (!fs.existsSync(serverJs)) throw new Error(`${serverJs} not found: run npm run build first`);
  const settings: ServerSettings = { ...DEFAULTS, python: ctx.python, trusted: true, tasksPath: ctx.corpus, workers: 4, timeoutSeconds: 60 };
  const client = new LspClient(serverJs);
  try {
    await client.initialize(dir, settings);
    await client.open(file, fs.readFileSync(file, 'utf8'));
    await client.open(slow, fs.readFileSync(slow, 'utf8'));

    // Warm-up: the first save starts the pool and runs all 400 solvers.
    ctx.log('3. warm-up save (starts the pool, runs the 400 solvers)');
    const w0 = performance.now();
    await client.save(file);
    await client.nextRunResult((p) => p.reason === 'save', 120_000, 'the warm-up run result');
    const warmupMs = performance.now() - w0;
    await client.settle(300, 5000);
    const idle = sampleTree(client.child.pid!);

    const messageOf = (name: string): string =>
      (client.diags.get(uri) ?? []).filter((d) => d.source === 'batt' && d.message.startsWith(`${name}:`)).map((d) => d.message).join('\n');

    /** Edits solver i, saves, and returns (latency to the reflecting diagnostics, the solver's own run time). */
    const saveEdit = async (i: number, beforeSave?: () => Promise<void>) => {
      const name = `solve_${ids[i]}`;
      const before = messageOf(name);
      edited.add(i);
      const text = solverFile(ids, edited);
      fs.writeFileSync(file, text);
      await client.change(file, text);
      if (beforeSave) await beforeSave();
      const diag = client.nextDiagnostics((p) => p.uri === uri && messageOf(name) !== before, 60_000, `diagnostics reflecting the edit of ${name}`);
      const result = client.nextRunResult((p) => p.reason === 'save' && p.run.tasks.some((t) => t.candidates.some((c) => c.name === name)), 60_000, `the run result of ${name}`);
      const t0 = performance.now();
      await client.save(file);
      const [d, r] = await Promise.all([diag, result]);
      return { latencyMs: d.at - t0, ownMs: ownMs(r.value.run, name), runWallMs: r.value.run.summary.wallMs, phases: r.value.run.phases };
    };

    const saves = ctx.quick ? 10 : 30;
    const latency: number[] = [];
    const own: number[] = [];
    const phases = new Map<string, number[]>();
    for (let s = 0; s < saves; s++) {
      const r = await saveEdit(s);
      latency.push(r.latencyMs - r.ownMs);
      own.push(r.ownMs);
      for (const p of r.phases) phases.set(p.name, [...(phases.get(p.name) ?? []), p.ms]);
      phases.set('outside the run (save handling, publish)', [...(phases.get('outside the run (save handling, publish)') ?? []), r.latencyMs - r.runWallMs]);
      await client.settle(200, 3000); // the as-you-type lint of the change, as between a user's saves
    }
    ctx.log(`3. ${saves} saves done`);

    const stale: LspSection['stale'] = [];
    const reps = ctx.quick ? 2 : 5;
    for (let k = 0; k < reps; k++) {
      const text = slowFile(ids.slice(0, 4), k + 1);
      fs.writeFileSync(slow, text);
      await client.change(slow, text);
      const r = await saveEdit(saves + k, async () => {
        await client.save(slow);
        await client.nextStatus((p) => p.busy >= 4, 30_000, 'the slow run to occupy every worker');
      });
      stale.push({ latencyMs: r.latencyMs - r.ownMs, ownMs: r.ownMs, runWallMs: r.runWallMs });
      ctx.log(`3. stale ${k + 1}: run phases ${r.phases.map((p) => `${p.name} ${p.ms.toFixed(0)}`).join(', ')}`);
      await client.settle(200, 3000);
    }
    ctx.log(`3. ${reps} saves during a stale run done`);

    const S = '3 lsp';
    const p50 = median(latency);
    const p95 = percentile(latency, 95);
    report.info(S, 'warm-up save (pool start + 400 solvers)', warmupMs, 'ms');
    report.info(S, `edited solver own run time, median of ${saves}`, median(own), 'ms');
    report.check(S, `save -> diagnostics - own, p50 (${saves} saves)`, p50, 'ms', '<', 150);
    report.check(S, 'save -> diagnostics - own, p95', p95, 'ms', '<', 300);
    for (const [name, xs] of phases) if (name !== 'store' && name !== 'startup') report.info(S, `  median ${name}`, median(xs), 'ms');
    const staleMax = Math.max(...stale.map((x) => x.latencyMs));
    report.info(S, `save during a stale run - own, median of ${reps}`, median(stale.map((x) => x.latencyMs)), 'ms');
    report.check(S, 'save during a stale run - own, worst', staleMax, 'ms', '<=', 250);
    report.info('5 mem', `language server + ${idle.processes - 1} children RSS, idle (warm)`, idle.totalMB, 'MB');

    return {
      saves,
      latencyMs: latency.map((x) => round(x, 2)),
      ownMs: own.map((x) => round(x, 2)),
      p50,
      p95,
      stale,
      phasesMedianMs: Object.fromEntries([...phases].map(([k, xs]) => [k, median(xs)])),
      serverIdleMB: idle.totalMB,
      serverProcesses: idle.processes,
      warmupMs,
    };
  } catch (e) {
    throw new Error(`${(e as Error).message}\nserver log tail:\n${client.logs.slice(-20).join('\n')}`);
  } finally {
    await client.dispose();
  }
}
