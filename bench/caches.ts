/**
 * Section 2, caches: one 4-worker engine with its own cache directory: a cold run, a warm rerun with nothing
 * changed, a rerun after editing one candidate, and one after editing the DSL module. A second engine on the same
 * (warm) cache directory shows what a fresh process (the CLI) pays to load the caches.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { RunJson } from '../src/protocol/results';
import { BenchContext, newEngine, ownMs, phaseMs } from './context';
import type { Report } from './report';

interface Timed {
  wallMs: number;
  ran: number;
  jobs: number;
  temperature: RunJson['temperature'];
  phases: RunJson['phases'];
}

export interface CacheSection {
  cold: Timed;
  warm: Timed;
  warmFreshEngine: Timed;
  oneEdit: Timed & { edited: string; ownMs: number; overheadMs: number };
  dslEdit: Timed;
}

/** Rewrites the first `O = ...` line of `fn` so its program (and canonical hash) changes and it must run again. */
export function editCandidate(file: string, fn: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const start = text.indexOf(`def ${fn}(I):\n`);
  if (start < 0) throw new Error(`${file}: no function ${fn} to edit`);
  const at = text.indexOf('    O = ', start);
  const end = text.indexOf('\n', at);
  const line = text.slice(at, end);
  const edited = `    y = ${line.slice('    O = '.length)}\n    O = rot180(y)`;
  fs.writeFileSync(file, text.slice(0, at) + edited + text.slice(end));
}

async function timed(run: () => Promise<RunJson>): Promise<{ t: Timed; run: RunJson }> {
  const t0 = performance.now();
  const r = await run();
  const wallMs = performance.now() - t0;
  return { t: { wallMs, ran: r.summary.ran, jobs: r.summary.jobs, temperature: r.temperature, phases: r.phases }, run: r };
}

export async function caches(ctx: BenchContext, report: Report): Promise<CacheSection> {
  // A copy of the workload: the edits below must not touch the one section 1 measures.
  const dir = path.join(ctx.scratch, 'ws-cache');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(ctx.work.dir)) if (f.endsWith('.py')) fs.copyFileSync(path.join(ctx.work.dir, f), path.join(dir, f));
  const cacheDir = path.join(ctx.scratch, 'cache-section2');
  const engine = newEngine(ctx, 4, cacheDir, dir);
  const tasks = ctx.taskIds;
  try {
    ctx.log('2. cold run');
    const cold = await timed(() => engine.run({ tasks }));
    ctx.log('2. warm rerun');
    const warm = await timed(() => engine.run({ tasks }));
    const fresh = newEngine(ctx, 4, cacheDir, dir);
    const warmFresh = await timed(() => fresh.run({ tasks }));
    await fresh.dispose();

    // The edited candidate: a heavy one (an objects-based variant) so its own work is visible.
    const solvers = path.join(dir, 'solvers.py');
    const text = fs.readFileSync(solvers, 'utf8');
    const m = /def (solve_\w+)\(I\):\n(?: {4}x\d+ = .*\n)*? {4}x\d+ = objects\(/.exec(text);
    const edited = m ? m[1] : ctx.work.jobs[0].fns[0];
    editCandidate(solvers, edited);
    ctx.log(`2. rerun after editing ${edited}`);
    const one = await timed(() => engine.run({ tasks }));
    const own = ownMs(one.run, edited);

    fs.appendFileSync(path.join(dir, 'dsl.py'), '\n\ndef bench_unused_primitive(grid: Grid) -> Grid:\n    """Added by the bench: changes the module, not any result."""\n    return grid\n');
    ctx.log('2. rerun after editing dsl.py');
    const dsl = await timed(() => engine.run({ tasks }));

    const S = '2 cache';
    report.info(S, `cold run (${cold.t.ran} jobs)`, cold.t.wallMs, 'ms');
    report.info(S, 'warm rerun, nothing changed', warm.t.wallMs, 'ms');
    for (const p of ['discover', 'inline', 'score', 'unaccounted']) report.info(S, `warm rerun phase ${p}`, phaseMs(warm.run, p), 'ms');
    report.check(S, 'cold / warm', cold.t.wallMs / warm.t.wallMs, 'x', '>=', 20);
    report.check(S, 'warm rerun wall', warm.t.wallMs, 'ms', '<', 1000);
    report.info(S, 'warm rerun in a fresh engine (loads caches)', warmFresh.t.wallMs, 'ms');
    report.info(S, `one-edit rerun wall (${one.t.ran} jobs ran)`, one.t.wallMs, 'ms');
    report.info(S, 'one-edit: edited candidate own work', own, 'ms');
    report.check(S, 'one-edit rerun - own work', one.t.wallMs - own, 'ms', '<=', 100);
    for (const p of ['discover', 'inline', 'score']) report.info(S, `one-edit rerun phase ${p}`, phaseMs(one.run, p), 'ms');
    report.info(S, `DSL-edit rerun wall (${dsl.t.ran} jobs ran)`, dsl.t.wallMs, 'ms');
    report.info(S, 'DSL-edit rerun / cold', dsl.t.wallMs / cold.t.wallMs, 'x');
    if (warm.t.ran !== 0) report.check(S, 'jobs run by the warm rerun', warm.t.ran, '', '<=', 0);

    return {
      cold: cold.t,
      warm: warm.t,
      warmFreshEngine: warmFresh.t,
      oneEdit: { ...one.t, edited, ownMs: own, overheadMs: one.t.wallMs - own },
      dslEdit: dsl.t,
    };
  } finally {
    await engine.dispose();
  }
}
