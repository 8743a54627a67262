/**
 * batt in an UNTRUSTED workspace (Restricted Mode), in a real VS Code with workspace trust enforced
 * (scripts/vscode-untrusted-tests.mjs). Two modes, from BATT_UNTRUSTED_MODE:
 *   development  batt is the extension under development: VS Code never disables those, so batt activates and must
 *                itself run nothing and say so in the status bar;
 *   installed    batt is installed like a user's copy and a stub extension carries these tests: what happens follows
 *                the manifest (`untrustedWorkspaces.supported: false` -> VS Code keeps batt disabled, nothing of it
 *                runs; `"limited"` -> it activates as in development mode);
 *   control      the same installed copy with trust NOT enforced: it must activate, so "not even listed" above means
 *                Restricted Mode, not a broken install.
 * Either way: no batt diagnostics after a save, no Python worker/analyzer process. Polls with deadlines, never sleeps.
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { BattApi } from '../../src/extension/extension';
import { describe, isBattPython, isBattServer, relatedProcs } from './procs';
import { until } from '../poll';

const EXT_ID = 'batt-dev.batt';
const MODE = process.env.BATT_UNTRUSTED_MODE === 'installed' || process.env.BATT_UNTRUSTED_MODE === 'control' ? process.env.BATT_UNTRUSTED_MODE : 'development';
/** The batt copy under test (the repo in development mode, the installed folder otherwise). */
const EXT_ROOT = process.env.BATT_EXTENSION_ROOT ?? '';
/** Left by the workspace's fake_python.sh (its batt.pythonPath, set by the runner) when anything runs it. */
const MARKER = () => path.join(ws(), 'pythonpath-was-run');
/** How long a save gets to (wrongly) produce diagnostics; the trusted suite sees them within a few seconds. */
const QUIET_MS = Number(process.env.BATT_UNTRUSTED_QUIET_MS) || 15000;


/** Holds `check` true for the whole window (a deadline, not a sleep: it fails as soon as the check does). */
async function holds(what: string, check: () => string | undefined, windowMs: number): Promise<void> {
  const deadline = Date.now() + windowMs;
  for (;;) {
    const bad = check();
    if (bad) throw new Error(`${what}: ${bad}`);
    if (Date.now() >= deadline) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function ws(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'a workspace folder is open');
  return f.uri.fsPath;
}

function manifest(): { capabilities?: { untrustedWorkspaces?: { supported?: boolean | 'limited' } } } {
  assert.ok(EXT_ROOT, 'BATT_EXTENSION_ROOT is set by the runner');
  return JSON.parse(fs.readFileSync(path.join(EXT_ROOT, 'package.json'), 'utf8'));
}

/** Does VS Code let batt run here? Extensions under development are never disabled (abstractExtensionService). */
function expectActive(): boolean {
  return MODE === 'development' || manifest().capabilities?.untrustedWorkspaces?.supported !== false;
}

function battDiagnostics(): string | undefined {
  const found = vscode.languages.getDiagnostics().flatMap(([uri, ds]) => ds.filter((d) => d.source?.startsWith('batt')).map((d) => `${uri.fsPath}:${d.range.start.line + 1} ${d.message}`));
  return found.length ? found.join('\n') : undefined;
}

function battPythons(): string | undefined {
  const ps = relatedProcs(ws()).filter(isBattPython);
  return ps.length ? describe(ps) : undefined;
}

async function editAndSave(file: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(file);
  const editor = await vscode.window.showTextDocument(doc);
  const text = doc.getText();
  await editor.edit((b) => b.insert(doc.positionAt(text.length), '\n'));
  assert.ok(doc.isDirty, 'the edit changed the document');
  assert.ok(await doc.save(), `saved ${file}`);
}

if (MODE === 'control') {
  suite('control: the installed batt in a trusted workspace', () => {
    test('is listed, activates and leaves the untrusted state', async function () {
      this.timeout(120000);
      assert.strictEqual(vscode.workspace.isTrusted, true);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(path.join(ws(), 'solvers.py')));
      const ext = vscode.extensions.getExtension<BattApi>(EXT_ID);
      assert.ok(ext, `${EXT_ID} is listed`);
      assert.strictEqual(ext.extensionPath, EXT_ROOT, 'the installed copy, not another one');
      const api = await ext.activate();
      await api.ready;
      const s = await until('a pool status from the server', () => api.status(), 60_000);
      assert.notStrictEqual(s.state, 'untrusted');
      await until('the workspace\'s batt.pythonPath script to run', () => fs.existsSync(MARKER()), 60_000);
    });
  });
} else suite(`batt in an untrusted workspace (${MODE})`, function () {
  let api: BattApi | undefined;

  suiteSetup(async function () {
    this.timeout(120000);
    // Opening a Python file fires batt's onLanguage:python activation event (when VS Code lets it run at all).
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(path.join(ws(), 'solvers.py')));
    if (expectActive()) {
      const ext = vscode.extensions.getExtension<BattApi>(EXT_ID);
      assert.ok(ext, `${EXT_ID} is present`);
      api = await ext.activate();
      await api.ready;
    }
  });

  test('the workspace is not trusted', () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
  });

  test('the process scan finds a worker-like process (control)', async () => {
    // Proves the later "no worker" checks can fail: a stand-in with a worker's command line, started from this host.
    const fake = path.join(ws(), 'dist', 'worker', 'scoring', 'main.py');
    const child = spawn('python3', ['-c', 'import sys, time; time.sleep(60)', fake], { stdio: 'ignore' });
    try {
      await until('the stand-in in the scan', () => relatedProcs(ws()).some((p) => p.pid === child.pid && isBattPython(p)), 20000);
    } finally {
      child.kill('SIGKILL');
    }
    await until('the stand-in to be gone', () => !battPythons(), 20000);
  });

  if (MODE === 'installed') {
    test('VS Code runs batt only as the manifest allows', async () => {
      const ext = vscode.extensions.getExtension(EXT_ID);
      if (expectActive()) {
        assert.ok(ext?.isActive, `${EXT_ID} is active`);
        return;
      }
      // untrustedWorkspaces.supported === false: disabled in Restricted Mode, so VS Code does not even hand it to the
      // extension host (the control run shows the same installed copy listed and active when trust is off).
      assert.strictEqual(ext, undefined, `${EXT_ID} must be disabled, not even listed`);
      const servers = relatedProcs(ws()).filter((p) => isBattServer(p, EXT_ROOT));
      assert.strictEqual(servers.length, 0, `no batt language server may run:\n${describe(servers)}`);
    });
  }

  if (expectActive()) {
    test('the status bar says the workspace is untrusted', async () => {
      const a = api!;
      const text = await until('status bar "untrusted"', () => (/batt: untrusted/.test(a.statusText()) ? a.statusText() : undefined), 60_000);
      assert.match(text, /\$\(shield\) batt: untrusted/);
      const s = await until('a pool status from the server', () => a.status(), 60_000);
      assert.strictEqual(s.state, 'untrusted', 'the language server itself got trusted=false');
      assert.strictEqual(s.workers, 0);
    });

    test('every batt command runs nothing', async function () {
      this.timeout(120000);
      const a = api!;
      await vscode.commands.executeCommand('batt.runOnTask', '5e2b9d14');
      assert.strictEqual(a.model.leaderboard, undefined);
      // clearCache creates the folder's engine; restartWorkers must still not start its pool
      for (const cmd of ['batt.clearCache', 'batt.restartWorkers', 'batt.runAll', 'batt.showTiming']) {
        await vscode.commands.executeCommand(cmd);
        const bad = battPythons();
        assert.ok(!bad, `${cmd} started batt Python processes in an untrusted workspace:\n${bad}`);
      }
      await holds('batt Python processes appeared after the commands', battPythons, 3000);
      assert.strictEqual(a.runResults.length, 0, 'no run result');
    });
  }

  test('saving solver files publishes no batt diagnostics', async function () {
    this.timeout(QUIET_MS + 60000);
    await editAndSave(path.join(ws(), 'solvers.py'));
    await editAndSave(path.join(ws(), 'slow_solvers.py'));
    await holds('batt diagnostics appeared in an untrusted workspace', battDiagnostics, QUIET_MS);
  });

  test('no batt Python worker or analyzer runs, nothing was recorded', async () => {
    const bad = battPythons();
    assert.ok(!bad, `batt Python processes in an untrusted workspace:\n${bad}`);
    assert.ok(!fs.existsSync(path.join(ws(), '.batt', 'runs.jsonl')), 'no run history was written');
    assert.ok(fs.existsSync(path.join(ws(), 'fake_python.sh')), 'the runner set up the hostile batt.pythonPath');
    assert.ok(!fs.existsSync(MARKER()), "the workspace's batt.pythonPath was executed");
    if (api) assert.strictEqual(api.runResults.length, 0, 'no run result');
    if (!expectActive()) assert.ok(!vscode.extensions.getExtension(EXT_ID)?.isActive, `${EXT_ID} stayed inactive`);
  });
});
