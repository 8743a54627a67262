#!/usr/bin/env node
// The panel at scale, in the real workbench: the benchmark's 400-candidate battery workspace on the 400 ARC-AGI-1
// training tasks (../shared/arc-agi-1/training; bench/writeBatteryWorkspaceCli.ts writes it to a temp folder).
// "Run batt on task" → a 400-row leaderboard, filtered by status and name; "Run every task" → the per-task table,
// filtered to unsolved. Screenshots go to test-artifacts/. `--no-build` skips building dist/.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand, runUiCheck, screenshot, waitForStatusBarText, webviewFrame } from './ui-check-lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const serverMain = path.join(root, 'tools/vscode-web/node_modules/code-server/lib/vscode/out/server-main.js');
const corpus = path.resolve(root, '..', 'shared', 'arc-agi-1', 'training');
const QUICK_INPUT = '.quick-input-widget';
/** A task one real solver of the workload solves (rot180) among 400 candidates. */
const TASK = '3c9b0459';
const STEP_TIMEOUT_MS = 180_000;

if (!fs.existsSync(corpus)) {
  console.log(`ui-check-scale: no ARC-AGI-1 corpus at ${corpus}\n0 passed, 1 failed`);
  process.exit(1);
}
if (!fs.existsSync(serverMain) || !fs.existsSync('/usr/bin/chromium')) {
  execFileSync('bash', [path.join(root, 'scripts/install-vscode-web.sh')], { stdio: 'inherit' });
}
if (!process.argv.includes('--no-build')) execFileSync(process.execPath, [path.join(root, 'esbuild.mjs')], { stdio: 'inherit', cwd: root });

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-ui-scale-'));
process.on('exit', () => fs.rmSync(folder, { recursive: true, force: true }));
const work = JSON.parse(execFileSync('npx', ['tsx', path.join(root, 'bench', 'writeBatteryWorkspaceCli.ts'), folder, corpus], { cwd: root, encoding: 'utf8' }));
fs.mkdirSync(path.join(folder, '.vscode'), { recursive: true });
fs.writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify({ 'files.autoSave': 'off' }, null, 2));
process.stdout.write(`ui-check-scale: ${work.candidates} candidates, tasks ${corpus}\n`);

/** Types into the open quick input and picks the row containing `rowText` (the command opens a pick of its own). */
async function pick(page, typed, rowText) {
  const input = page.locator(`${QUICK_INPUT} input`);
  await input.waitFor({ state: 'visible' });
  await input.fill(typed);
  await page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`).filter({ hasText: rowText }).first().waitFor({ state: 'visible' });
  await input.press('Enter');
}

const code = await runUiCheck(
  { name: 'ui-check-scale', extensionDevelopmentPath: root, folder, timeoutMs: STEP_TIMEOUT_MS, viewport: { width: 1600, height: 1000 } },
  async ({ page, step }) => {
    await step('workbench loads; the status bar shows "batt:"', () => waitForStatusBarText(page, /^\s*batt:/, STEP_TIMEOUT_MS));

    await step(`Run batt on task ${TASK}: 400 candidates, filtered by status and name`, async () => {
      await page.keyboard.press('Control+B');
      await page.locator('#workbench\\.parts\\.sidebar').waitFor({ state: 'hidden' });
      await page.keyboard.press('F1');
      await pick(page, '>Batt: Run batt on task', 'Batt: Run batt on task');
      await page.locator(`${QUICK_INPUT} .quick-input-title`).filter({ hasText: 'Run batt on task' }).waitFor({ state: 'visible' });
      await pick(page, TASK, TASK);
      await page.locator(QUICK_INPUT).waitFor({ state: 'hidden' });
      const frame = webviewFrame(page);
      const count = frame.locator('[data-key="lb.count"]');
      await frame.locator('#leaderboard tr.candidate').first().waitFor({ state: 'visible' });
      const all = (await count.textContent())?.trim() ?? '';
      if (!/\b400 candidates\b/.test(all)) throw new Error(`expected 400 candidates on the board, it says "${all}"`);
      await frame.locator('#leaderboard tr.pairs-row #grid-diff').waitFor({ state: 'visible' });
      await frame.locator('select[data-key="lb.status"]').selectOption('fail');
      await frame.locator('input[data-key="lb.text"]').fill('solve_');
      await frame.locator('[data-key="lb.sort:ms"]').click();
      await frame.locator('th[aria-sort]').first().waitFor({ state: 'visible' });
      const filtered = (await count.textContent())?.trim() ?? '';
      if (!/^\d+ of 400 candidates$/.test(filtered)) throw new Error(`the filtered count says "${filtered}"`);
      process.stdout.write(`    leaderboard: ${filtered}\n`);
      await screenshot(page, 'ui-leaderboard-400.png');
    });

    await step('Run every task: the per-task table of 400 tasks, unsolved first, filtered', async () => {
      await runCommand(page, 'Batt: Run every task', STEP_TIMEOUT_MS);
      const frame = webviewFrame(page);
      await frame.locator('#tasks tr.task').first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await frame.locator('select[data-key="tt.status"]').selectOption('unsolved');
      await frame.locator('#tasks tr.task').first().waitFor({ state: 'visible' });
      const rows = await frame.locator('#tasks tr.task').count();
      process.stdout.write(`    task table: ${rows} rows on the first page\n`);
      await screenshot(page, 'ui-tasks.png');
    });
  },
);
process.exitCode = code;
