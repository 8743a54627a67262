/**
 * Two `batt run` CLIs and the language server (batt/runAll) on one workspace and one cache folder at the same time;
 * one CLI is SIGKILLed as soon as it starts writing its caches. Afterwards every cache record, solver store file,
 * store index line and runs.jsonl line is complete or absent (at most the killed writer's last line is partial and
 * is skipped by readers), the killed CLI's workers are gone, and reruns (cached and not) give the same verdicts.
 *
 * The CLI and server are bundled into a temp folder (same esbuild settings as esbuild.mjs) rather than dist/, so this
 * suite neither races other builds of dist/ nor depends on unrelated bundles building.
 */
import { strict as assert } from 'node:assert';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { createMessageConnection, type MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { decodeRecord, KvStore } from '../../src/engine/store/kvStore';
import { PoolStatusNotification, RunAllRequest, RunResultNotification } from '../../src/protocol/lsp';
import type { RunJson } from '../../src/protocol/results';
import { DEFAULTS } from '../../src/protocol/settings';
import { expectedVerdict, generate, type GenTask } from './generate';
import { assertNoChildren, childPids, isAlive, makeTemp, makeWorkspace, PYTHON, REPO, removeTemps, writeJson } from './helpers';
import { until } from '../poll';
import { defaultCacheDir } from '../../src/engine/store/cacheLocation';

interface Cli {
  child: ChildProcess;
  stdout: Promise<string>;
  exit: Promise<{ code: number | null; signal: string | null }>;
}

function cli(dist: string, ws: string, ...extra: string[]): Cli {
  const child = spawn(process.execPath, [path.join(dist, 'cli.js'), 'run', '-w', ws, '--no-progress', '--json', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BATT_PYTHON: PYTHON },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.resume();
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, stdout: exit.then(() => out), exit };
}

/** "task/candidate" -> "status message|status message|..." for every pair. */
function verdictMap(r: RunJson): Map<string, string> {
  const m = new Map<string, string>();
  for (const t of r.tasks) for (const c of t.candidates) m.set(`${t.id}/${c.name}`, c.pairs.map((p) => `${p.status} ${p.message ?? ''}`).join('|'));
  return m;
}

function checkOracle(r: RunJson, tasks: GenTask[]): void {
  let n = 0;
  for (const gt of tasks) {
    const tj = r.tasks.find((t) => t.id === gt.id)!;
    for (const gc of gt.candidates) {
      const cj = tj.candidates.find((c) => c.name === gc.name)!;
      cj.pairs.forEach((p, i) => {
        const want = expectedVerdict(gc, gt.pairs[i], 30000, 512);
        assert.equal(p.status, want.status, `${gc.name} pair ${i}`);
        if (want.message) assert.match(p.message ?? '', want.message);
        n++;
      });
    }
  }
  assert.equal(n, tasks.length * 20 * 4);
}

/** Lines of a JSON-lines file that do not parse (a partial line from a killed writer). */
function badLines(file: string, parse: (line: string) => boolean): string[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '' && !parse(l));
}

const parses = (l: string): boolean => {
  try {
    JSON.parse(l);
    return true;
  } catch {
    return false;
  }
};

describe('two CLIs and the language server on one workspace, one CLI SIGKILLed while writing', function () {
  this.timeout(300000);
  let dist: string;
  let ws: string;
  let tasks: GenTask[];
  let server: ChildProcess | undefined;
  let conn: MessageConnection | undefined;

  before(async () => {
    dist = makeTemp('dist');
    // buildSync: no long-lived esbuild service process (its stopped child can linger unreaped as this process's zombie).
    esbuild.buildSync({
      entryPoints: { cli: path.join(REPO, 'src/cli/main.ts'), server: path.join(REPO, 'src/server/server.ts') },
      outdir: dist, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], logLevel: 'warning',
    });
    fs.cpSync(path.join(REPO, 'src/worker'), path.join(dist, 'worker'), { recursive: true, filter: (p) => !p.includes('__pycache__') });
    ws = makeWorkspace('concurrency');
    fs.rmSync(path.join(ws, 'tasks', 'fa000001.json'));
    tasks = generate(ws, { tasks: 32, candidates: 20, tasksPerFile: 16, faultRate: 0.06, mix: [['raise', 0.5], ['nongrid', 0.3], ['crash', 0.2]], seed: 7 });
    writeJson(path.join(ws, 'batt.json'), { tasks: 'tasks', workers: 2, timeoutSeconds: 30, memoryLimitMB: 512 });
  });

  const serverWorkers = new Set<number>();

  after(async () => {
    try {
      if (conn && server) {
        // The LSP way out: shutdown, then exit; SIGKILL only if it does not go.
        await Promise.race([conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 5000))]).catch(() => undefined);
        await conn.sendNotification('exit').catch(() => undefined);
        await until('the server to exit', () => server!.exitCode !== null || server!.signalCode !== null, 5000).catch(() => server!.kill('SIGKILL'));
      }
      conn?.dispose();
      await until('the server to exit', () => !server || server.exitCode !== null || server.signalCode !== null);
      await until('the server\'s workers to exit', () => [...serverWorkers].every((p) => !isAlive(p)), 10000);
      await assertNoChildren();
    } finally {
      removeTemps();
    }
  });

  it('every cache entry, store file and log line is whole or absent; reruns give the same verdicts', async () => {
    // The language server.
    server = spawn(process.execPath, [path.join(dist, 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, BATT_PYTHON: PYTHON } });
    server.stderr!.resume();
    conn = createMessageConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
    const lspRuns: RunJson[] = [];
    conn.onNotification(RunResultNotification.type, (p) => void lspRuns.push(p.run));
    conn.onNotification(PoolStatusNotification.type, (p) => p.detail.forEach((w) => w.pid !== undefined && serverWorkers.add(w.pid)));
    conn.onRequest(() => null); // workspace/configuration and the like: nothing to say
    conn.listen();
    const uri = pathToFileURL(ws).toString();
    await conn.sendRequest('initialize', {
      processId: process.pid, rootUri: uri, workspaceFolders: [{ uri, name: 'ws' }], capabilities: {},
      initializationOptions: { ...DEFAULTS, python: PYTHON, trusted: true },
    });
    await conn.sendNotification('initialized', {});

    // Two CLIs and runAll at once.
    const survivor = cli(dist, ws, '--store');
    const victim = cli(dist, ws, '--store');
    const lsp = conn.sendRequest(RunAllRequest.type);

    // Kill the victim the moment its first cache segment appears: it is flushing (or about to store).
    const victimPid = victim.child.pid!;
    const cacheDir = defaultCacheDir(ws); // the default: in the user cache folder (test/cacheHome.ts)
    let victimChildren: number[] = [];
    let killedWhile = 'never (it finished first)';
    let done = false;
    void victim.exit.then(() => (done = true));
    const segOf = (dir: string) => fs.existsSync(dir) && fs.readdirSync(dir).some((n) => n.startsWith(`seg-${victimPid}-`));
    await until('the victim to start writing', () => {
      if (done) return true;
      const kids = childPids(victimPid);
      if (kids.length) victimChildren = [...new Set([...victimChildren, ...kids])];
      for (const sub of ['validation', 'durations', 'files', 'inlining']) {
        if (segOf(path.join(cacheDir, sub))) {
          victim.child.kill('SIGKILL');
          killedWhile = `writing its ${sub} cache`;
          return true;
        }
      }
      return false;
    }, 240000, 1);
    const vexit = await victim.exit;
    console.log(`      victim killed while ${killedWhile}: exit ${JSON.stringify(vexit)}; its workers ${victimChildren.join(', ')}`);
    assert.equal(vexit.signal, 'SIGKILL', `the victim was killed mid-run (${killedWhile})`);
    await until('the killed CLI\'s workers and analyzer to die (PDEATHSIG)', () => victimChildren.every((p) => !isAlive(p)), 15000);

    const a = await survivor.exit;
    assert.equal(a.code, 0);
    const runA = JSON.parse(await survivor.stdout) as RunJson;
    assert.equal(await lsp, 1);
    assert.equal(lspRuns.length, 1);
    checkOracle(runA, tasks);
    checkOracle(lspRuns[0], tasks);

    // Caches: every line of every segment decodes, except at most the last line of the victim's segments.
    let partial = 0;
    const partialIn: Record<string, number> = {};
    // (the cache folder also holds files, e.g. interpreters.json: only the stores' folders have segments)
    for (const sub of fs.readdirSync(cacheDir).filter((n) => fs.statSync(path.join(cacheDir, n)).isDirectory())) {
      const before = partial;
      for (const name of fs.readdirSync(path.join(cacheDir, sub)).filter((n) => n.startsWith('seg-'))) {
        const lines = fs.readFileSync(path.join(cacheDir, sub, name), 'utf8').split('\n').filter((l) => l !== '');
        lines.forEach((l, i) => {
          if (decodeRecord(l)) return;
          assert.ok(name.startsWith(`seg-${victimPid}-`) && i === lines.length - 1, `${sub}/${name} line ${i + 1} is damaged`);
          partial++;
        });
      }
      const stats = await new KvStore(path.join(cacheDir, sub)).stats();
      assert.equal(stats.corrupt, partial - before, `${sub}: a reader counts exactly the partial lines as corrupt (misses)`);
      partialIn[sub] = partial - before;
    }
    // The solver store: whole files only (they are linked into place complete), index lines whole or skipped.
    const store = path.join(ws, '.batt', 'solvers');
    const stored = fs.readdirSync(store).filter((n) => /^[0-9a-f]{16,}\.py$/.test(n));
    assert.ok(stored.length > 0);
    execFileSync(PYTHON, ['-c', 'import sys, ast\nfor p in sys.argv[1:]:\n    ast.parse(open(p).read(), p)', ...stored.map((n) => path.join(store, n))]);
    for (const n of stored) assert.match(fs.readFileSync(path.join(store, n), 'utf8'), /def solve_s\d+_[0-9a-f]{8}\(I\):[\s\S]*return O\n$/);
    const badIndex = badLines(path.join(store, 'index.jsonl'), parses);
    const badRuns = badLines(path.join(ws, '.batt', 'runs.jsonl'), parses);
    assert.ok(badIndex.length <= 1 && badRuns.length <= 1, `partial lines: index ${badIndex.length}, runs ${badRuns.length}`);
    assert.ok(serverWorkers.size >= 2, 'the server reported its workers');
    console.log(`      after the kill: ${partial} partial cache line(s), ${badIndex.length} partial index line(s), ${badRuns.length} partial runs.jsonl line(s), ${stored.length} stored solvers`);

    // A SIGKILL rarely lands inside the one write() of a flush, so also leave what such a kill would: half a record
    // at the end of the victim's validation segment and of both logs (a later append's leading newline ends it).
    const valDir = path.join(cacheDir, 'validation');
    const seg = fs.readdirSync(valDir).find((n) => n.startsWith('seg-')) as string;
    const whole = fs.readFileSync(path.join(valDir, seg), 'utf8').split('\n').filter(Boolean)[0];
    const torn = `seg-${victimPid}-0badc0de.jsonl`;
    fs.appendFileSync(path.join(valDir, torn), `\n${whole}\n${whole.slice(0, Math.floor(whole.length / 2))}`);
    for (const log of [path.join(store, 'index.jsonl'), path.join(ws, '.batt', 'runs.jsonl')]) fs.appendFileSync(log, '\n{"at":"2024-01-01T00:0');
    // (plus any line the real kill tore in the victim's own validation segment)
    assert.equal((await new KvStore(valDir).stats()).corrupt, (partialIn.validation ?? 0) + 1, 'the torn record reads as a miss');

    // Reruns: with the cache (whatever the victim left) and without it, the same verdicts as the survivor's run.
    const cached = JSON.parse(await cli(dist, ws).stdout) as RunJson;
    const fresh = JSON.parse(await cli(dist, ws, '--no-cache').stdout) as RunJson;
    assert.ok(cached.cache.validation.hits > 0, 'the rerun used the shared cache');
    const want = verdictMap(runA);
    assert.deepEqual(verdictMap(cached), want);
    assert.deepEqual(verdictMap(fresh), want);
    assert.deepEqual(verdictMap(lspRuns[0]), want);
    assert.equal(badLines(path.join(ws, '.batt', 'runs.jsonl'), parses).length, 1 + badRuns.length, 'the torn line stays one skipped line');
    assert.ok(fs.readFileSync(path.join(ws, '.batt', 'runs.jsonl'), 'utf8').endsWith('}'), 'later records are whole');
  });
});
