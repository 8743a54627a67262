/**
 * Results persist (issue 11 §4) in a real VS Code: with the workspace's cache warm (a `batt run` of the CLI, which
 * shares the cache folder with the extension), a language server that starts anew — here the running one is killed
 * and the client restarts it, as after a crash or a reopened window — shows the cached verdicts at once, without any
 * save: diagnostics on the solver file and the status bar, marked as from the cache, and it starts no worker.
 * Polls with deadlines; never sleeps a fixed time.
 */
import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { BattApi } from '../../src/extension/extension';
import { until } from '../poll';
import { activateBatt, EXT_ID } from './activate';


function ws(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'a workspace folder is open');
  return f.uri.fsPath;
}

/** pid -> [ppid, argv] of every process (/proc). */
function processes(): Map<number, { ppid: number; argv: string[] }> {
  const out = new Map<number, { ppid: number; argv: string[] }>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.set(Number(d), { ppid, argv: fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0') });
    } catch {
      /* gone */
    }
  }
  return out;
}

/** This extension host's batt language server (dist/server.js) pids. */
function servers(): number[] {
  return [...processes()].filter(([, p]) => p.ppid === process.pid && p.argv.some((a) => /dist[\\/]server\.js$/.test(a))).map(([pid]) => pid);
}

/** Scoring workers (src/worker/scoring/main.py) started by `server`. */
function workersOf(server: number): number[] {
  return [...processes()].filter(([, p]) => p.ppid === server && p.argv.some((a) => /scoring[\\/]main\.py$/.test(a))).map(([pid]) => pid);
}

suite('results persist', function () {
  let api: BattApi;

  suiteSetup(async function () {
    this.timeout(120000);
    api = await activateBatt();
  });

  test('a server that starts on a warm cache shows the cached verdicts without a save, and starts no worker', async function () {
    this.timeout(240000);
    const ext = vscode.extensions.getExtension(EXT_ID)!;
    // warm the cache with the CLI (every task's own candidates); its exit code says what failed, not whether it ran
    // (not spawnSync: the extension host, and the language client in it, must keep running meanwhile)
    const cli = await new Promise<{ signal: string | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [path.join(ext.extensionPath, 'dist', 'cli.js'), 'run', '--workspace', ws()], { timeout: 180000 }, (_err, stdout, stderr) =>
        resolve({ signal: child.signalCode, stdout, stderr }),
      );
    });
    assert.ok(cli.signal === null && /solved/i.test(cli.stdout), `batt run (${cli.signal}): ${cli.stderr}`);

    const file = path.join(ws(), 'solvers.py');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    const [old] = await until('the language server', () => (servers().length === 1 ? servers() : undefined), 60000);
    const results = api.runResults.length;
    process.kill(old, 'SIGKILL');
    const server = await until('the restarted language server', () => servers().find((p) => p !== old), 60000);

    // (the killed server's own start, on a cold cache, may have shown "from the cache" too: wait for the new one's)
    const cached = await until('a result of reason cache from the new server', () => api.runResults.slice(results).find((r) => r.reason === 'cache'), 90000);
    assert.strictEqual(cached.run.summary.ran, 0, 'nothing ran');
    assert.ok(cached.run.summary.solved > 0, 'the warm cache knows solved tasks');
    await until('the status bar to show the cached verdicts', () => {
      const t = api.statusText();
      return new RegExp(`batt: ready · solved ${cached.run.summary.solved}/\\d+ · from the cache$`).test(t) ? t : undefined;
    }, 60000);
    await until('the cached diagnostics on solvers.py', () => {
      const d = vscode.languages.getDiagnostics(vscode.Uri.file(file)).filter((x) => x.source === 'batt');
      return d.some((x) => x.code === 'IndexError') && d.some((x) => x.code === 'mismatch') ? d : undefined;
    }, 60000);
    const s = api.status();
    assert.ok(s && s.state === 'stopped' && s.lastRun?.reason === 'cache', `pool ${s?.state}, last run ${s?.lastRun?.reason}`);
    assert.deepStrictEqual(workersOf(server), [], 'no scoring worker process under the new server (/proc)');
  });
});
