#!/usr/bin/env node
// Proves the packaged extension works as users get it: builds batt.vsix (`npm run package`; `--no-build` reuses an
// existing one), installs it with VS Code's own CLI into a fresh temporary extensions dir, checks the installed files,
// then opens a temporary copy of samples/ in the real workbench with ONLY that extensions dir (no development path):
// status bar, save solvers.py → error squiggle from a run in the installed extension's Python workers, and finally
// that nothing it started is left running. Prints "N passed, N failed"; exit code 0 only when every step passed.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copySamples, quickOpen, revealErrorSquiggle, runRecords as libRunRecords, runUiCheck, waitUntil as libWaitUntil, screenshotLocator, statusBar, waitForStatusBarText }
  from './ui-check-lib.mjs';
import { serverMain } from './vscode-web.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const vsix = path.join(root, 'batt.vsix');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const extensionId = `${manifest.publisher}.${manifest.name}`.toLowerCase();
/** What the installed extension needs at run time (the manifest's main, the language server, the panel, the worker). */
const REQUIRED_FILES = ['dist/extension.js', 'dist/server.js', 'dist/webview.js', 'dist/worker/scoring/main.py', 'dist/worker/analyzer/analyze.py'];
/** Long enough for a cold language server and four Python workers on a busy 2-core machine. */
const STEP_TIMEOUT_MS = 90_000;

if (!fs.existsSync(serverMain) || !fs.existsSync('/usr/bin/chromium')) {
  execFileSync('bash', [path.join(root, 'scripts/install-vscode-web.sh')], { stdio: 'inherit' });
}
const build = !process.argv.includes('--no-build');

// One temp dir for everything this check creates (extensions dir, CLI profile, workspace copy): removed on any exit.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-vsix-'));
const removeTmp = () => fs.rmSync(tmp, { recursive: true, force: true });
process.on('exit', removeTmp);
const extensionsDir = path.join(tmp, 'extensions');
const folder = path.join(tmp, 'workspace');
copySamples(root, folder);
const solversCopy = path.join(folder, 'solvers.py');
const solversBefore = fs.readFileSync(solversCopy, 'utf8');
let installedDir = '';

/** Runs a command to completion (stdin closed so nothing can prompt); rejects with its output's tail on failure. */
function run(cmd, args, { echo = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const take = (b) => {
      out += b.toString();
      if (echo) process.stdout.write(b);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${out.trimEnd().split('\n').slice(-20).join('\n')}`));
    });
  });
}

/** Live processes (pid, parent, command line) from /proc; zombies skipped. */
function processes() {
  const list = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] === 'Z') continue;
      const cmd = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').join(' ').trim();
      list.push({ pid: Number(e), ppid: Number(rest[1]), cmd });
    } catch { /* gone meanwhile */ }
  }
  return list;
}

/** Whether `pid` descends from `ancestor` (workers are detached into their own groups, but stay descendants). */
function descendsFrom(pid, ancestor, byPid) {
  for (let p = byPid.get(pid); p; p = byPid.get(p.ppid)) if (p.ppid === ancestor) return true;
  return false;
}

const runRecords = () => libRunRecords(folder);
const waitUntil = (check, what, timeoutMs = STEP_TIMEOUT_MS) => libWaitUntil(check, what, timeoutMs);

const setup = async (step) => {
  if (build) {
    await step('npm run package builds batt.vsix', async () => {
      const before = fs.existsSync(vsix) ? fs.statSync(vsix).mtimeMs : 0;
      await run('npm', ['run', 'package']);
      if (!fs.existsSync(vsix) || fs.statSync(vsix).mtimeMs === before) throw new Error(`${vsix} was not (re)written`);
    });
  } else if (!fs.existsSync(vsix)) {
    throw new Error(`${vsix} is missing: run without --no-build (or npm run package) first`);
  }
  process.stdout.write(`    ${path.relative(root, vsix)}: ${(fs.statSync(vsix).size / 1024).toFixed(0)} KiB\n`);

  await step('VS Code CLI installs batt.vsix into a fresh extensions dir', async () => {
    // VS Code's own server CLI (code-server's wrapper would also write ~/.config/code-server)
    const out = await run(process.execPath, [serverMain, '--accept-server-license-terms',
      '--extensions-dir', extensionsDir, '--user-data-dir', path.join(tmp, 'cli-profile'),
      '--server-data-dir', path.join(tmp, 'cli-server-data'), '--install-extension', vsix]);
    if (!/successfully installed/.test(out)) throw new Error(`unexpected install output:\n${out}`);
    const registry = JSON.parse(fs.readFileSync(path.join(extensionsDir, 'extensions.json'), 'utf8'));
    const entry = registry.find((e) => e.identifier?.id?.toLowerCase() === extensionId);
    if (!entry) throw new Error(`${extensionId} not in ${path.join(extensionsDir, 'extensions.json')}`);
    if (entry.version !== manifest.version) throw new Error(`installed version ${entry.version}, package.json says ${manifest.version}`);
    installedDir = path.join(extensionsDir, entry.relativeLocation);
  });

  await step(`installed folder has ${REQUIRED_FILES.join(', ')}`, async () => {
    const missing = REQUIRED_FILES.filter((f) => !fs.statSync(path.join(installedDir, f), { throwIfNoEntry: false })?.isFile());
    if (missing.length) throw new Error(`missing in ${installedDir}: ${missing.join(', ')}`);
    const installed = JSON.parse(fs.readFileSync(path.join(installedDir, 'package.json'), 'utf8'));
    if (!fs.existsSync(path.join(installedDir, installed.main))) throw new Error(`main ${installed.main} is missing in ${installedDir}`);
  });
};

const teardown = async (step) => {
  await step('nothing the installed extension started is left running', async () => {
    // everything it started names the temp dir on its command line: the server (--extensions-dir), the language
    // server and the workers (their scripts are in the installed folder), the workers' --root (the workspace copy)
    const ours = () => processes().filter((p) => p.pid !== process.pid && p.cmd.includes(tmp));
    try {
      await waitUntil(() => ours().length === 0, 'the extension\'s processes to exit', 15_000);
    } catch (err) {
      const left = ours();
      for (const p of left) {
        try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
      }
      throw new Error(`${err.message}; killed: ${left.map((p) => `${p.pid} ${p.cmd}`).join('; ')}`);
    }
  });
};

const code = await runUiCheck(
  { name: 'vsix-check', extensionsDir, folder, timeoutMs: STEP_TIMEOUT_MS, setup, teardown },
  async ({ page, server, step }) => {
    await step('workbench loads the installed extension; the status bar shows "batt:"',
      () => waitForStatusBarText(page, /^\s*batt:/));

    await step('save solvers.py → error squiggle from the installed extension\'s Python workers', async () => {
      await quickOpen(page, 'solvers.py');
      const editor = page.locator('.editor-group-container.active .monaco-editor').first();
      await editor.locator('.view-lines').click();
      await page.keyboard.press('Control+End');
      await page.keyboard.press('Enter'); // a blank line at the end: a real edit, harmless to Python
      await page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'visible' });
      const runsBefore = runRecords().length;
      await page.keyboard.press('Control+S');
      await waitUntil(() => fs.readFileSync(solversCopy, 'utf8') === `${solversBefore}\n`, 'the saved edit on disk');
      await waitUntil(() => runRecords().length > runsBefore, 'the run on save in .batt/runs.jsonl');
      await revealErrorSquiggle(page, STEP_TIMEOUT_MS);
      await screenshotLocator(page.locator('#workbench\\.parts\\.editor'), 'vsix-diagnostic.png');

      // the workers that ran it are the installed copy's, started under this server
      const workerScript = path.join(installedDir, 'dist', 'worker', 'scoring', 'main.py');
      const all = processes();
      const byPid = new Map(all.map((p) => [p.pid, p]));
      const workers = all.filter((p) => /worker[/\\]scoring[/\\]main\.py/.test(p.cmd) && descendsFrom(p.pid, server.pid, byPid));
      if (!workers.length) throw new Error(`no Python worker under the server (pid ${server.pid})`);
      const foreign = workers.filter((p) => !p.cmd.includes(workerScript));
      if (foreign.length) throw new Error(`workers not from ${workerScript}: ${foreign.map((p) => p.cmd).join('; ')}`);
      process.stdout.write(`    ${workers.length} worker(s) running ${path.relative(tmp, workerScript)}\n`);
      await screenshotLocator(statusBar(page), 'vsix-statusbar.png');
    });
  },
);
removeTmp();
process.exitCode = code;
