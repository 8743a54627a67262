/**
 * Section 6, batteries: every candidate of the battery workload (batteryWorkload.ts: ~400 solvers) on 40 ARC-AGI-1
 * training tasks with `battery: true` and a 2 s per-pair limit, against the plain single-process loop that stops
 * each candidate at its first failing pair with the same limit (plainLoop.ts). batt runs cold (a fresh cache
 * folder and noCache), timed from just before run() to just after; the loop from spawn to exit; the two run side by
 * side twice (once with --quick) and the fastest of each is compared. Both must find the same solved (task,
 * candidate) pairs. Then, on the warm cache: a rerun with nothing changed, a comment edit in dsl.py, a comment edit
 * in solvers.py, and an edit of one primitive called by 5% of the solvers. Each edit starts from the cold run's files
 * (the previous edit is undone first) so each rerun counts what that edit alone costs; a rerun that has run 20% of
 * the jobs has missed its target and is stopped there (its count is then a lower bound).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Engine } from '../src/engine/engine';
import type { RunJson } from '../src/protocol/results';
import { EDITED_PRIMITIVE, writeBatteryWorkspace } from './batteryWorkload';
import { BenchContext, newEngine } from './context';
import { childrenCpuMs } from './measure';
import { LoopResult, runPlainLoop } from './plainLoop';
import type { Report } from './report';
import { corpusIds, countPairs } from './workload';

const TIMEOUT_S = 2;

interface BattRun {
  wallMs: number;
  ran: number;
  jobs: number;
  cached: number;
  skipped: number;
  cancelled: number;
  /** pairs that ran and timed out: "task candidate kind index ms: message" */
  timeouts: string[];
  phases: RunJson['phases'];
}

/** A run after the cold one, compared with it. */
export interface LaterRun extends BattRun {
  /** pairs that timed out in the cold run and ran again, of candidates the change does not reach (a timeout stopped
   *  by the wall backstop is not final) */
  timeoutRetries: number;
  /** ran - timeoutRetries: the jobs the change made the run redo */
  rerun: number;
  /** cached pairs of candidates the change reaches: verdicts of the old code reused (must be 0) */
  stale: number;
  /** "task candidate kind index status" of the pairs that ran (the first 50) */
  ranPairs: string[];
}

export interface EditRerun extends LaterRun {
  edit: string;
  /** the run was stopped once it had run more than `cap` jobs: `ran` is a lower bound */
  stoppedEarly: boolean;
  cap: number;
}

export interface BatterySection {
  candidates: number;
  tasks: string[];
  pairs: number;
  taskKinds: Record<string, number>;
  loop: { wallMs: number; loopMs: number; jobs: number; cpuMs: number; timeouts: number; errors: number; solvedPairs: number };
  cold: BattRun & { hostCpuMs: number; childCpuMs: number; workerMs: number };
  ratio: number;
  solvedPairs: number;
  /** "task candidate: found by loop|batt only" */
  differences: string[];
  warm: LaterRun;
  editedPrimitive: { name: string; callers: number; share: number };
  edits: EditRerun[];
}

function battRun(run: RunJson, wallMs: number): BattRun {
  const s = run.summary;
  const timeouts: string[] = [];
  for (const t of run.tasks) {
    for (const c of t.candidates) {
      if (c.duplicateOf) continue;
      for (const p of c.pairs) if (!p.cached && p.status === 'timeout') timeouts.push(`${t.id} ${c.name} ${p.kind} ${p.index} ${Math.round(p.ms)} ms${p.message ? `: ${p.message}` : ''}`);
    }
  }
  return { wallMs, ran: s.ran, jobs: s.jobs, cached: s.cached, skipped: s.skipped, cancelled: s.cancelled, timeouts, phases: run.phases };
}

/** "task candidate" of every candidate that solved its task (duplicates carry their original's verdicts). */
export function battSolvedPairs(run: RunJson): string[] {
  const out: string[] = [];
  for (const t of run.tasks) for (const c of t.candidates) if (c.solved) out.push(`${t.id} ${c.name}`);
  return out.sort();
}

/** The pairs found by only one side, as "task candidate: loop only" / "... batt only". */
export function solvedDifferences(loop: string[], batt: string[]): string[] {
  const a = new Set(loop);
  const b = new Set(batt);
  return [...loop.filter((x) => !b.has(x)).map((x) => `${x}: loop only`), ...batt.filter((x) => !a.has(x)).map((x) => `${x}: batt only`)].sort();
}

/** The statuses of one candidate's pairs on one task, e.g. "demo 0 pass, demo 1 skipped". */
function pairMarks(run: RunJson, task: string, fn: string): string {
  const c = run.tasks.find((t) => t.id === task)?.candidates.find((x) => x.name === fn);
  return c ? c.pairs.map((p) => `${p.kind} ${p.index} ${p.status}${p.message ? ` (${p.message.slice(0, 60)})` : ''}`).join(', ') || 'no pairs' : 'not a candidate';
}

/** Sum of the worker-measured times of the pairs that ran. */
function workerMs(run: RunJson): number {
  let ms = 0;
  for (const t of run.tasks) for (const c of t.candidates) if (!c.duplicateOf) for (const p of c.pairs) if (!p.cached && p.status !== 'skipped' && p.status !== 'cancelled') ms += p.ms;
  return ms;
}

/** "task candidate kind index status" of every pair that ran (not cached, not skipped or cancelled). */
function ranPairs(run: RunJson): string[] {
  const out: string[] = [];
  for (const t of run.tasks) for (const c of t.candidates) if (!c.duplicateOf) for (const p of c.pairs) if (!p.cached && p.status !== 'skipped' && p.status !== 'cancelled') out.push(`${t.id} ${c.name} ${p.kind} ${p.index} ${p.status}`);
  return out;
}

/** Inserts `line` into the body of `def fn(` in `text`: after the def line, or before its first `return`. */
export function insertInFunction(text: string, fn: string, line: string, where: 'top' | 'beforeReturn'): string {
  const start = text.indexOf(`\ndef ${fn}(`);
  if (start < 0) throw new Error(`no function ${fn} to edit`);
  const defEnd = text.indexOf('\n', start + 1);
  const at = where === 'top' ? defEnd + 1 : text.indexOf('\n    return ', defEnd) + 1;
  if (at <= 0 || at > (text.indexOf('\ndef ', defEnd) + 1 || text.length)) throw new Error(`no return line in ${fn} to edit before`);
  return `${text.slice(0, at)}${line}\n${text.slice(at)}`;
}

export async function battery(ctx: BenchContext, report: Report): Promise<BatterySection> {
  const size = ctx.quick ? { candidates: 120, tasks: 12 } : { candidates: 400, tasks: 40 };
  const work = writeBatteryWorkspace(path.join(ctx.scratch, 'ws-battery'), path.join(ctx.repo, 'samples'), corpusIds(ctx.corpus), size);
  const pairs = countPairs(ctx.corpus, work.tasks);
  ctx.log(`6. battery workload: ${work.functions} candidates x ${work.tasks.length} tasks (${pairs} pairs, ${work.functions * pairs} candidate x pair)`);

  const repeats = ctx.quick ? 1 : 2;
  const run = async (engine: Engine, o: { noCache?: boolean; cap?: number } = {}) => {
    const ac = new AbortController();
    const t0 = performance.now();
    const r = await engine.run({
      tasks: work.tasks,
      battery: true,
      noCache: o.noCache,
      signal: ac.signal,
      onProgress: (done) => {
        if (o.cap !== undefined && done > o.cap && !ac.signal.aborted) ac.abort();
      },
    });
    return { r, wallMs: performance.now() - t0, stoppedEarly: ac.signal.aborted };
  };
  let engine: Engine | undefined;
  try {
    // Side by side, `repeats` times (the machine is shared): the fastest of each is compared; every cold run's
    // solved pairs are checked against the loop's. The last engine keeps its cache for the reruns below.
    let loop: LoopResult | undefined;
    let cold: BatterySection['cold'] | undefined;
    let coldRun: Awaited<ReturnType<typeof run>> | undefined;
    const differences = new Set<string>();
    for (let i = 0; i < repeats; i++) {
      ctx.log(`6. plain loop: first failure stops, ${TIMEOUT_S} s CPU limit per pair (${i + 1}/${repeats})`);
      const l = await runPlainLoop(ctx.python, work, ctx.corpus, ctx.scratch, { stopAtFirstFailure: true, timeoutS: TIMEOUT_S, name: 'battery_loop' });
      if (!loop || l.wallMs < loop.wallMs) loop = l;
      await engine?.dispose();
      engine = newEngine(ctx, 4, path.join(ctx.scratch, `cache-battery-${i}`), work.dir, TIMEOUT_S * 1000);
      ctx.log(`6. batt cold: fresh cache, noCache (${i + 1}/${repeats})`);
      const cpu0 = process.cpuUsage();
      coldRun = await run(engine, { noCache: true });
      const cpu = process.cpuUsage(cpu0);
      const c = { ...battRun(coldRun.r, coldRun.wallMs), hostCpuMs: (cpu.user + cpu.system) / 1000, childCpuMs: childrenCpuMs(process.pid), workerMs: workerMs(coldRun.r) };
      if (!cold || c.wallMs < cold.wallMs) cold = c;
      const r = coldRun.r;
      for (const d of solvedDifferences(l.solvedPairs, battSolvedPairs(r))) differences.add(`${d} (batt: ${pairMarks(r, d.split(' ')[0], d.split(' ')[1].replace(/:$/, ''))})`);
    }
    if (!loop || !cold || !coldRun || !engine) throw new Error('no battery run');
    const last = engine;
    for (const d of [...differences].slice(0, 20)) ctx.log(`6. solved pair differs: ${d}`);
    // A later run's pair that ran again although its candidate's code did not change is a rerun, except a retried
    // timeout (a timeout stopped by the wall backstop is not final: item 3).
    const coldStatus = new Map<string, string>();
    for (const t of coldRun.r.tasks) for (const c of t.candidates) for (const p of c.pairs) coldStatus.set(`${t.id} ${c.name} ${p.kind} ${p.index}`, p.status);
    const later = (r: RunJson, wallMs: number, reaches: Set<string>): LaterRun => {
      const ran = ranPairs(r);
      const retried = ran.filter((j) => !reaches.has(j.split(' ')[1]) && coldStatus.get(j.split(' ').slice(0, 4).join(' ')) === 'timeout');
      let stale = 0;
      for (const t of r.tasks) for (const c of t.candidates) if (!c.duplicateOf && reaches.has(c.name)) for (const p of c.pairs) if (p.cached) stale++;
      return { ...battRun(r, wallMs), timeoutRetries: retried.length, rerun: ran.length - retried.length, stale, ranPairs: ran.slice(0, 50) };
    };
    const none = new Set<string>();
    ctx.log('6. batt warm rerun');
    const warmRun = await run(last);
    const warm = later(warmRun.r, warmRun.wallMs, none);
    for (const j of warm.ranPairs.slice(0, 20)) ctx.log(`6. warm rerun ran ${j}`);

    // The edits. A run that has run more than 20% of the jobs has missed every edit target: it is stopped there
    // (its `ran` is then a lower bound; its `jobs` counts every pair it did not get to as cancelled).
    const cap = Math.ceil(warm.jobs * 0.2);
    const dsl = path.join(work.dir, 'dsl.py');
    const edit = async (label: string, file: string, change: (text: string) => string, reaches: Set<string>): Promise<EditRerun> => {
      const original = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, change(original));
      ctx.log(`6. rerun after ${label}`);
      try {
        const { r, wallMs, stoppedEarly } = await run(last, { cap });
        const e = { ...later(r, wallMs, reaches), edit: label, stoppedEarly, cap };
        for (const j of e.ranPairs.slice(0, 5)) ctx.log(`6. ${label}: ran ${j}`);
        return e;
      } finally {
        fs.writeFileSync(file, original);
      }
    };
    const first = [...work.real.keys()][0];
    const edits = [
      await edit('a comment in dsl.py', dsl, (t) => insertInFunction(t, EDITED_PRIMITIVE, '    # bench: a comment inside a primitive', 'top'), none),
      await edit('a comment in solvers.py', work.file, (t) => insertInFunction(t, first, '    # bench: a comment inside a solver', 'top'), none),
      await edit(`an edit of ${EDITED_PRIMITIVE} in dsl.py`, dsl, (t) => insertInFunction(t, EDITED_PRIMITIVE, '    grid = _grid(grid)', 'beforeReturn'), new Set(work.editedUsers)),
    ];

    const S = '6 battery';
    const ratio = cold.wallMs / loop.wallMs;
    const loopTimeouts = loop.jobs.filter((j) => j.status === 'timeout').length;
    const loopErrors = loop.jobs.filter((j) => j.status === 'error').length;
    report.info(S, `workload: ${work.functions} candidates x ${work.tasks.length} tasks, pairs`, pairs, '');
    report.info(S, `plain loop wall (spawn to exit; ${TIMEOUT_S} s CPU limit)`, loop.wallMs, 'ms');
    report.info(S, `plain loop jobs ran (${loopErrors} errors, ${loopTimeouts} timeouts)`, loop.jobs.length, '');
    report.info(S, 'plain loop CPU of the jobs', loop.totalCpuMs, 'ms');
    report.info(S, 'batt cold wall (battery, noCache, 4 workers)', cold.wallMs, 'ms');
    report.info(S, `batt cold jobs ran (${cold.timeouts.length} timeouts; ${cold.skipped} pairs skipped)`, cold.ran, '');
    for (const t of cold.timeouts.slice(0, 10)) ctx.log(`6. batt cold timeout: ${t}`);
    for (const j of loop.jobs.filter((x) => x.status === 'timeout').slice(0, 10)) ctx.log(`6. loop timeout: ${j.task} ${j.fn} ${j.kind} ${j.index} ${Math.round(j.cpuMs)} ms CPU, ${Math.round(j.wallMs)} ms wall`);
    report.info(S, 'batt cold jobs (ran + cached + cancelled)', cold.jobs, '');
    report.info(S, 'batt cold: sum of the pair times (worker-measured)', cold.workerMs, 'ms');
    report.info(S, 'batt cold CPU: workers alive at the end + analyzers', cold.childCpuMs, 'ms');
    report.info(S, 'batt cold CPU: node host', cold.hostCpuMs, 'ms');
    for (const p of ['startup', 'discover', 'inline', 'score']) report.info(S, `batt cold phase ${p}`, cold.phases.find((x) => x.name === p)?.ms ?? 0, 'ms');
    report.check(S, 'batt cold / plain loop', ratio, 'x', '<=', 0.6);
    report.info(S, 'solved (task, candidate) pairs (loop)', loop.solvedPairs.length, '');
    report.check(S, `solved pairs found by only one of batt, loop (${repeats} run${repeats > 1 ? 's' : ''} each)`, differences.size, '', '<=', 0);
    report.info(S, `batt warm rerun wall (${warm.ran} jobs ran)`, warm.wallMs, 'ms');
    report.check(S, `batt warm rerun: jobs run again (${warm.timeoutRetries} timeouts retried not counted)`, warm.rerun, '', '<=', 0);

    const E = '6 edits';
    const share = work.editedUsers.length / work.functions;
    report.info(E, `solvers calling ${EDITED_PRIMITIVE} (of ${work.functions})`, work.editedUsers.length, '');
    const [dslComment, solversComment, primitive] = edits;
    // A stopped run counts the pairs it did not get to as jobs (cancelled): the warm run's jobs are what it needs.
    const needed = (e: EditRerun) => (e.stoppedEarly ? warm.jobs : e.jobs);
    const note = (e: EditRerun) => `${e.timeoutRetries ? `; ${e.timeoutRetries} timeouts retried not counted` : ''}${e.stoppedEarly ? `; stopped after ${e.cap}: a lower bound` : ''}`;
    for (const e of [dslComment, solversComment]) {
      report.check(E, `${e.edit}: jobs rerun (of ${needed(e)}${note(e)})`, e.rerun, '', '<=', 0);
      report.info(E, `${e.edit}: rerun wall`, e.wallMs, 'ms');
    }
    report.check(E, `${primitive.edit}: jobs rerun / jobs (${primitive.rerun} of ${needed(primitive)}${note(primitive)})`, (100 * primitive.rerun) / needed(primitive), '%', '<=', 10);
    report.check(E, `${primitive.edit}: cached verdicts of its callers reused`, primitive.stale, '', '<=', 0);
    report.info(E, `${primitive.edit}: rerun wall`, primitive.wallMs, 'ms');

    return {
      candidates: work.functions,
      tasks: work.tasks,
      pairs,
      taskKinds: work.taskKinds,
      loop: { wallMs: loop.wallMs, loopMs: loop.loopMs, jobs: loop.jobs.length, cpuMs: loop.totalCpuMs, timeouts: loopTimeouts, errors: loopErrors, solvedPairs: loop.solvedPairs.length },
      cold,
      ratio,
      solvedPairs: battSolvedPairs(coldRun.r).length,
      differences: [...differences],
      warm,
      editedPrimitive: { name: EDITED_PRIMITIVE, callers: work.editedUsers.length, share },
      edits,
    };
  } finally {
    await engine?.dispose();
  }
}
