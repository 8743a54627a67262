#!/usr/bin/env node
// The extension stays out of the way in a Python workspace that is not an ARC one: no status item, no language server,
// until a file with a solve_* function is opened. Drives the real workbench (VS Code server + headless Chromium).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { quickOpen, runUiCheck, statusBar, waitForStatusBarText, waitUntil } from './ui-check-lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const serverMain = path.join(root, 'tools/vscode-web/node_modules/code-server/lib/vscode/out/server-main.js');
if (!fs.existsSync(serverMain) || !fs.existsSync('/usr/bin/chromium')) {
  execFileSync('bash', [path.join(root, 'scripts/install-vscode-web.sh')], { stdio: 'inherit' });
}
if (!process.argv.includes('--no-build')) execFileSync(process.execPath, [path.join(root, 'esbuild.mjs')], { stdio: 'inherit', cwd: root });

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-dormant-ws-'));
fs.writeFileSync(path.join(folder, 'plain.py'), 'def main():\n    print("not an ARC workspace")\n');
// A solver file in a dot-folder, which the activation scan skips (like virtualenvs): present from the start so quick
// open lists it (a file created later may not be indexed in time), yet the workspace still looks non-ARC to batt.
fs.mkdirSync(path.join(folder, '.drafts'));
fs.writeFileSync(path.join(folder, '.drafts', 'solvers.py'), 'def solve_00000001(I):\n    O = I\n    return O\n');
process.on('exit', () => fs.rmSync(folder, { recursive: true, force: true }));

/** Lines of the status bar that belong to batt. */
async function battItems(page) {
  return (await statusBar(page).innerText()).split('\n').filter((l) => l.includes('batt:'));
}

const code = await runUiCheck({ name: 'dormant-check', extensionDevelopmentPath: root, folder, timeoutMs: 60_000 }, async ({ page, step }) => {
  await step('a plain Python workspace: no batt status item while a Python file is open (watched for 8 s)', async () => {
    await quickOpen(page, 'plain.py');
    // Absence over a window, polled: the extension has activated (onLanguage:python) and must have hidden itself.
    const end = Date.now() + 8000;
    await waitUntil(async () => {
      const items = await battItems(page);
      // the item may flash "starting" for the moment before the workspace scan ends; after 3 s it must be gone
      if (items.length && Date.now() > end - 5000) throw new Error(`batt shows in a non-ARC workspace: ${items.join(' | ')}`);
      return Date.now() >= end;
    }, 'the end of the 8 s window', 10_000);
  });
  await step('opening a file with a solve_* function starts batt', async () => {
    await quickOpen(page, 'solvers.py');
    await waitForStatusBarText(page, /^\s*batt:/);
  });
});
process.exit(code);
