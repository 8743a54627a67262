/**
 * `npm run bench`: measures the engine, the pool, the language server and batteries (section 6: against a plain loop
 * that stops at first failures, and what edits rerun; 7: the README's battery example) on the ARC-AGI-1 training corpus and prints ratios measured
 * side by side in one run (the machine is shared and noisy: absolute times are not asserted).
 *
 *   node dist/bench.js [--quick] [--only 1,2,3,4,6,7,8,9,10,11] [--python python3] [--corpus <dir>] [--keep]
 *
 * Writes bench/results/<timestamp>.json. Exit code 0 even when a target is missed (MISS rows say which);
 * 1 when the bench itself failed.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { battery } from './battery';
import { caches } from './caches';
import { clusterBench } from './cluster';
import { discoveryBench } from './discovery';
import { BenchContext, repoRoot, workerDir } from './context';
import { lspBench } from './lsp';
import { machineInfo } from './measure';
import { overhead } from './overhead';
import { poolVsLoop } from './poolVsLoop';
import { readmeBattery } from './readmeBattery';
import { Report } from './report';
import { traceHintsBench } from './traceHints';
import { traceBench } from './trace';
import { corpusIds, countPairs, writeWorkspace } from './workload';

interface Args {
  quick: boolean;
  only: Set<string>;
  python: string;
  corpus?: string;
  keep: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, only: new Set(['1', '2', '3', '4', '6', '7', '8', '9', '10', '11']), python: process.env.BATT_PYTHON || 'python3', keep: false };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${x} needs a value`);
      return v;
    };
    if (x === '--quick') a.quick = true;
    else if (x === '--keep') a.keep = true;
    else if (x === '--only') a.only = new Set(value().split(','));
    else if (x === '--python') a.python = value();
    else if (x === '--corpus') a.corpus = value();
    else throw new Error(`unknown argument ${x} (usage: bench.js [--quick] [--only 1,2,3,4,6,7,8,9,10,11] [--python P] [--corpus DIR] [--keep])`);
  }
  return a;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const repo = repoRoot();
  const corpus = args.corpus ?? path.resolve(repo, '..', 'shared', 'arc-agi-1', 'training');
  if (!fs.existsSync(corpus)) throw new Error(`ARC corpus ${corpus} not found (pass --corpus <dir of task .json files>)`);
  const started = new Date();
  const machine = machineInfo(args.python);
  console.log(`batt bench${args.quick ? ' --quick' : ''}: ${machine.cpus} x ${machine.model}, ${machine.memGB} GB, ${machine.platform}`);
  console.log(`node ${machine.node}, ${machine.python}, load average at start ${machine.loadavg.join(' ')}`);

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-bench-'));
  // every engine, CLI and language server the bench starts keeps its default caches in the scratch folder, not ~/.cache
  process.env.XDG_CACHE_HOME = path.join(scratch, 'xdg-cache');
  const all = corpusIds(corpus);
  const taskIds = args.quick ? all.filter((_, i) => i % 4 === 0) : all;
  const perTask = 4;
  const work = writeWorkspace(path.join(scratch, 'ws'), path.join(repo, 'samples'), taskIds, perTask, 0.5);
  const pairs = countPairs(corpus, taskIds);
  console.log(`workload: ${taskIds.length} tasks, ${pairs} pairs, ${work.functions} generated solvers (${perTask} per task); scratch ${scratch}`);
  const ctx: BenchContext = {
    quick: args.quick,
    python: args.python,
    repo,
    corpus,
    scratch,
    workerDir: workerDir(repo),
    taskIds,
    work,
    log: (l) => console.log(`  … ${l}`),
  };

  const report = new Report();
  const out: Record<string, unknown> = { startedAt: started.toISOString(), quick: args.quick, machine, workload: { tasks: taskIds.length, pairs, solvers: work.functions, corpus } };
  const sections: Array<[string, string, () => Promise<unknown>]> = [
    ['1', 'poolVsLoop', () => poolVsLoop(ctx, report)],
    ['2', 'caches', () => caches(ctx, report)],
    ['3', 'lsp', () => lspBench(ctx, report)],
    ['4', 'overhead', () => overhead(ctx, report)],
    ['6', 'battery', () => battery(ctx, report)],
    ['7', 'readmeBattery', () => readmeBattery(ctx, report)],
    ['8', 'trace', () => traceBench(ctx, report)],
    ['9', 'discovery', () => discoveryBench(ctx, report)],
    ['10', 'cluster', () => clusterBench(ctx, report)],
    ['11', 'traceHints', () => traceHintsBench(ctx, report)],
  ];
  let failed = false;
  for (const [id, name, fn] of sections) {
    if (!args.only.has(id)) continue;
    const t0 = performance.now();
    try {
      out[name] = await fn();
    } catch (e) {
      failed = true;
      out[name] = { error: (e as Error).stack ?? String(e) };
      console.error(`section ${id} (${name}) failed: ${(e as Error).stack ?? e}`);
    }
    console.log(`  … section ${id} took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  out.rows = report.rows;
  out.loadavgAtEnd = os.loadavg();
  out.totalSeconds = (Date.now() - started.getTime()) / 1000;

  console.log('');
  console.log(report.table());
  const dir = path.join(repo, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${started.toISOString().replace(/[:.]/g, '-')}${args.quick ? '-quick' : ''}.json`);
  fs.writeFileSync(file, JSON.stringify(out, null, 2));
  const misses = report.rows.filter((r) => r.target && !r.pass).length;
  console.log(`\n${report.rows.filter((r) => r.target).length - misses} PASS, ${misses} MISS in ${out.totalSeconds} s; results: ${file}`);
  if (!args.keep) fs.rmSync(scratch, { recursive: true, force: true });
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  console.error(`bench failed: ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
});
