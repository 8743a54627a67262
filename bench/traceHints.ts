/**
 * Section 11, save to inline values: drive the language server as the editor does. A 400-solver file (each solver
 * a few DSL lines: objects, a grid transform, a crop-free chain) is open; each of 30 saves edits one constant of one
 * solver and, as src/extension/inlineValues.ts does on a save, sends `batt/trace` for that solver at once; we time
 * didSave -> the trace answer (the hints are drawn from it). The save's own run of the solver goes on beside it,
 * as in the editor. Then the cursor moving back into an already traced solver: the cached trace.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { TraceRequest, type ServerSettings } from '../src/protocol/lsp';
import type { TraceJson } from '../src/protocol/trace';
import { DEFAULTS } from '../src/protocol/settings';
import type { BenchContext } from './context';
import { LspClient } from './lspClient';
import { median, percentile, round } from './measure';
import type { Report } from './report';
import { corpusIds, rng } from './workload';

/** One solver per task: objects, a chain of 1-3 rotations/mirrors, then `O = upscale(xN, ONE)` (what the saves edit). */
function solverFile(ids: string[], edited: Set<number>): string {
  const r = rng(11);
  const ops = ['rot90', 'rot180', 'hmirror', 'vmirror', 'dmirror'];
  const out = ['from dsl import *', 'from constants import *', '', ''];
  ids.forEach((id, i) => {
    const n = 1 + Math.floor(r() * 3);
    out.push(`def solve_${id}(I):`, '    x0 = objects(I, T, F, T)', '    c0 = size(x0)');
    let cur = 'I';
    for (let k = 1; k <= n; k++) {
      out.push(`    x${k} = ${ops[Math.floor(r() * ops.length)]}(${cur})`);
      cur = `x${k}`;
    }
    out.push(`    O = upscale(${cur}, ${edited.has(i) ? 'TWO' : 'ONE'})`, '    return O', '', '');
  });
  return out.join('\n');
}

export interface TraceHintsSection {
  saves: number;
  latencyMs: number[];
  p50: number;
  p95: number;
  cachedMs: number[];
  jobsMs: number[];
  runMs: number[];
  lines: number;
  pairs: number;
}

export async function traceHintsBench(ctx: BenchContext, report: Report): Promise<TraceHintsSection> {
  const dir = path.join(ctx.scratch, 'ws-trace-hints');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['dsl.py', 'constants.py']) fs.copyFileSync(path.join(ctx.repo, 'samples', f), path.join(dir, f));
  const ids = (ctx.taskIds.length >= 400 ? ctx.taskIds : [...ctx.taskIds, ...corpusIds(ctx.corpus).filter((x) => !ctx.taskIds.includes(x))]).slice(0, 400);
  const file = path.join(fs.realpathSync(dir), 'solvers400.py');
  const uri = pathToFileURL(file).toString();
  const edited = new Set<number>();
  fs.writeFileSync(file, solverFile(ids, edited));

  const serverJs = path.join(ctx.repo, 'dist', 'server.js');
  if (!fs.existsSync(serverJs)) throw new Error(`${serverJs} not found: run node esbuild.mjs first`);
  const settings: ServerSettings = { ...DEFAULTS, python: ctx.python, trusted: true, tasksPath: ctx.corpus, workers: 4, timeoutSeconds: 60 };
  const client = new LspClient(serverJs);
  const trace = (solver: string): Promise<TraceJson> => client.conn.sendRequest(TraceRequest.type, { uri, solver });
  try {
    await client.initialize(dir, settings);
    await client.open(file, fs.readFileSync(file, 'utf8'));
    ctx.log('11. warm-up save (starts the pool, runs the 400 solvers) and a first trace');
    await client.save(file);
    await client.nextRunResult((p) => p.reason === 'save', 180_000, 'the warm-up run result');
    const first = await trace(`solve_${ids[0]}`);
    await client.settle(300, 5000);

    const saves = ctx.quick ? 10 : 30;
    const latency: number[] = [];
    const jobsMs: number[] = [];
    const runMs: number[] = [];
    let lines = 0;
    let pairs = 0;
    for (let s = 0; s < saves; s++) {
      const i = 1 + s;
      const name = `solve_${ids[i]}`;
      edited.add(i);
      const text = solverFile(ids, edited);
      fs.writeFileSync(file, text);
      await client.change(file, text);
      await client.settle(150, 3000); // the as-you-type lint of the change, as before a user's save
      const result = client.nextRunResult((p) => p.reason === 'save', 60_000, `the save run of ${name}`);
      const t0 = performance.now();
      await client.save(file);
      const t = await trace(name);
      latency.push(performance.now() - t0);
      jobsMs.push(t.ms ?? NaN);
      const o = t.lines.find((l) => l.name === 'O');
      if (!o || !o.values.some((v) => v.type === 'grid')) throw new Error(`the trace of ${name} has no grid value for O: ${JSON.stringify(t).slice(0, 300)}`);
      lines += t.lines.length;
      pairs += t.pairs.length;
      runMs.push((await result).at - t0);
      await client.settle(200, 3000);
    }
    ctx.log(`11. ${saves} saves traced`);

    // the cursor back into solvers traced before: nothing changed, the cached traces answer
    const cached: number[] = [];
    for (let s = 0; s < Math.min(saves, 10); s++) {
      const t0 = performance.now();
      const t = await trace(`solve_${ids[1 + s]}`);
      cached.push(performance.now() - t0);
      if (!t.cached) ctx.log(`11. the retrace of solve_${ids[1 + s]} was not from the cache`);
    }

    const S = '11 trace hints';
    const p50 = median(latency);
    const p95 = percentile(latency, 95);
    report.info(S, `first trace after the warm-up (${first.lines.length} lines x ${first.pairs.length} pairs)`, first.ms ?? NaN, 'ms');
    report.check(S, `save -> batt/trace answer (hints drawn), p50 of ${saves} saves`, p50, 'ms', '<', 300);
    report.info(S, 'save -> batt/trace answer, p95', p95, 'ms');
    report.info(S, '  of which the trace jobs (TraceJson.ms), median', median(jobsMs), 'ms');
    report.info(S, 'the same saves -> their run result (diagnostics), p50, for scale', median(runMs), 'ms');
    report.info(S, 'cursor into a traced solver (cached trace), median', median(cached), 'ms');
    return { saves, latencyMs: latency.map((x) => round(x, 2)), p50, p95, cachedMs: cached.map((x) => round(x, 2)), jobsMs, runMs: runMs.map((x) => round(x, 2)), lines: lines / saves, pairs: pairs / saves };
  } catch (e) {
    throw new Error(`${(e as Error).message}\nserver log tail:\n${client.logs.slice(-20).join('\n')}`);
  } finally {
    await client.dispose();
  }
}
