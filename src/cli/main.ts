/** The `batt` command line on the engine. */
import * as fs from 'fs';
import * as path from 'path';
import { Engine } from '../engine/engine';
import { UsageError } from '../engine/errors';
import { cacheStatistics, clusterSummary, errorLines, inputErrorCount, stabilityLine, summaryLine, taskLines, timingSummary } from '../engine/report';
import { printableLines } from '../engine/tasks/printable';
import { Args, CACHE_USAGE, CacheArgs, parseArgs, RunArgs, USAGE } from './args';
import { cliEngine, onInterrupt } from './setup';
import { ProgressBar } from './progress';
import { submitCommand } from './submit';
import { traceCommand } from './trace';

const VERSION = '0.1.0';

async function runCommand(a: RunArgs): Promise<number> {
  const engine = cliEngine(a);
  const stop = onInterrupt();
  const bar = new ProgressBar(process.stderr, a.progress && !a.json && !!process.stderr.isTTY);
  try {
    const r = await engine.run({
      tasks: a.taskIds,
      battery: a.battery,
      allPairs: a.allPairs,
      checkStable: a.checkStable,
      includeStore: a.includeStore || a.battery,
      store: a.store,
      signal: stop.signal,
      noCache: a.noCache,
      onProgress: (done, total) => bar.update(done, total),
    });
    bar.done();
    if (a.json) {
      process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    } else {
      // The report on stdout, the input problems (`warning:` / `error:`) on stderr where they stood in it; every line
      // made printable as a last guard (no control bytes from task files or solver messages reach the terminal).
      const tasks = taskLines(r, { verbose: a.verbose });
      if (tasks) process.stdout.write(printableLines(tasks) + '\n');
      if (r.errors.length) process.stderr.write(`${tasks ? '\n' : ''}${printableLines(errorLines(r))}\n`);
      const parts: string[] = [];
      if (r.stored.length) parts.push('', ...r.stored.map((s) => `stored ${s.name} for ${s.task}: ${path.relative(process.cwd(), s.path)}`));
      const stability = stabilityLine(r);
      parts.push('', summaryLine(r), ...(stability ? [stability] : []), cacheStatistics(r), timingSummary(r), ...(r.pool.cluster ? [clusterSummary(r)] : []), '');
      process.stdout.write(printableLines(parts.join('\n')));
    }
    if (stop.interrupted) return 130;
    const errors = inputErrorCount(r);
    if (a.strict && errors > 0) {
      process.stderr.write(`batt: --strict: ${errors} input error${errors === 1 ? '' : 's'} (exit 3)\n`);
      return 3;
    }
    return 0;
  } finally {
    bar.done();
    stop.dispose();
    await engine.dispose();
  }
}

async function cacheCommand(a: CacheArgs): Promise<number> {
  const engine = new Engine({ workspace: path.resolve(a.workspace), cacheDir: a.cacheDir ? path.resolve(a.cacheDir) : undefined, explicitFrom: 'cli' });
  try {
    if (a.action === 'clear') {
      const before = await engine.cacheInfo();
      await engine.clearCache();
      const n = Object.values(before).reduce((s, x) => s + x.entries, 0);
      process.stdout.write(a.json ? JSON.stringify({ cleared: n, cacheDir: engine.cacheDir }) + '\n' : `Cleared ${n} cache entries in ${engine.cacheDir}\n`);
      return 0;
    }
    const info = await engine.cacheInfo();
    if (a.json) {
      process.stdout.write(JSON.stringify({ cacheDir: engine.cacheDir, ...info }, null, 2) + '\n');
      return 0;
    }
    const age = (t?: number) => (t ? `${((Date.now() - t) / 86400000).toFixed(1)} days` : '-');
    const bytes = (n: number) => (n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : n < 1024 ** 3 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024 ** 3).toFixed(2)} GiB`);
    const lines = [`Cache folder: ${engine.cacheDir}`, ''];
    for (const [name, s] of Object.entries(info)) {
      const bound = `${bytes(s.maxBytes)}${s.maxEntries ? ` or ${s.maxEntries} entries` : ''}`;
      lines.push(
        `${name[0].toUpperCase()}${name.slice(1)} Cache:`,
        `  Entries: ${s.entries}`,
        `  Size: ${bytes(s.liveBytes)} of records (bound ${bound}; beyond it the least recently used are evicted)`,
        `  On disk: ${bytes(s.bytes)} in ${s.segments} segment${s.segments === 1 ? '' : 's'}`,
        `  Oldest: ${age(s.oldest)}`,
        `  Newest: ${age(s.newest)}`,
      );
      if (s.corrupt) lines.push(`  Corrupt records skipped: ${s.corrupt}`);
      lines.push('');
    }
    process.stdout.write(lines.join('\n'));
    return 0;
  } finally {
    await engine.dispose();
  }
}

export async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`batt: ${printableLines(e.message)}\n`);
      return 2;
    }
    throw e;
  }
  try {
    switch (args.cmd) {
      case 'help':
        process.stdout.write((args.topic === 'cache' ? CACHE_USAGE : USAGE) + '\n');
        return 0;
      case 'version':
        process.stdout.write(`batt ${VERSION}\n`);
        return 0;
      case 'run':
        if (!fs.existsSync(args.workspace)) throw new UsageError(`workspace ${args.workspace} does not exist`);
        return await runCommand(args);
      case 'cache':
        return await cacheCommand(args);
      case 'submit':
        return await submitCommand(args.argv);
      case 'trace':
        return await traceCommand(args.argv);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`batt: ${printableLines(e.message)}\n`);
      return 2;
    }
    process.stderr.write(`batt: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

if (require.main === module || process.env.BATT_CLI_MAIN === '1') {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`batt: internal error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
