#!/usr/bin/env node
// `npm run ui-check`: drives the real VS Code workbench (VS Code server + headless Chromium) with batt loaded, on a
// fresh temporary copy of samples/, the way a user would: status bar, save → squiggle, last run in the status bar,
// "Batt: Run batt on task" → timing panel (leaderboard, phases, grid diff). Screenshots go to test-artifacts/.
// Builds dist/ first so the check exercises the current sources (`--no-build` skips that).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copySamples, revealErrorSquiggle, runCommand, runRecords as libRunRecords, runUiCheck, waitUntil as libWaitUntil, screenshot, screenshotLocator, statusBar, waitForStatusBarText,
  webviewFrame, quickOpen } from './ui-check-lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const serverMain = path.join(root, 'tools/vscode-web/node_modules/code-server/lib/vscode/out/server-main.js');
const QUICK_INPUT = '.quick-input-widget';
/** The task whose run the panel shows: it has no solver of its own and is solved by transfer. */
const TASK = '5e2b9d14';
const TRANSFER_SOLVER = 'solve_a3f1c07e';
/** A sample solver with a classified mismatch on some pairs and a pass on another: the pair view's screenshot. */
const MISMATCH_TASK = 'b70e19d4';
const MISMATCH_SOLVER = 'solve_b70e19d4';
/** The explainer's words in the first diagnostic of samples/explained.py (a class, never only "cells differ"). */
const EXPLAINED = /rotated|flipped|transposed|permuted|replaced|moved|crop|padding|scale|taller|wider|times/;
/** Long enough for a cold language server and four Python workers on a busy 2-core machine. */
const STEP_TIMEOUT_MS = 90_000;

if (!fs.existsSync(serverMain) || !fs.existsSync('/usr/bin/chromium')) {
  execFileSync('bash', [path.join(root, 'scripts/install-vscode-web.sh')], { stdio: 'inherit' });
}
if (!process.argv.includes('--no-build')) {
  execFileSync(process.execPath, [path.join(root, 'esbuild.mjs')], { stdio: 'inherit', cwd: root });
}

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-ui-ws-'));
copySamples(root, folder);
const solversCopy = path.join(folder, 'solvers.py');
const solversBefore = fs.readFileSync(solversCopy, 'utf8');
const removeFolder = () => fs.rmSync(folder, { recursive: true, force: true });
process.on('exit', removeFolder); // also when a signal ends the check early

/**
 * Types into the open quick input and picks the row containing `rowText` once it is listed. Unlike the library's
 * helper it does not wait for the widget to close: the command picked here opens a quick pick of its own.
 */
async function pick(page, typed, rowText) {
  const input = page.locator(`${QUICK_INPUT} input`);
  await input.waitFor({ state: 'visible' });
  await input.fill(typed);
  await page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`).filter({ hasText: rowText }).first()
    .waitFor({ state: 'visible' });
  await input.press('Enter');
}

const runRecords = () => libRunRecords(folder);

/** "Batt: Run batt on task" from the palette, then the task from its quick pick (told apart by its title). */
async function runOnTask(page, task) {
  await page.keyboard.press('F1');
  await pick(page, '>Batt: Run batt on task', 'Batt: Run batt on task');
  await page.locator(`${QUICK_INPUT} .quick-input-title`).filter({ hasText: 'Run batt on task' }).waitFor({ state: 'visible' });
  await pick(page, task, task);
  await page.locator(QUICK_INPUT).waitFor({ state: 'hidden' });
  await webviewFrame(page).locator('#leaderboard-h').filter({ hasText: task }).waitFor({ state: 'visible' });
}
const waitUntil = (check, what, timeoutMs = STEP_TIMEOUT_MS) => libWaitUntil(check, what, timeoutMs);

/** Clicks a leaderboard row (on its name cell, not the location link) and waits until #grid-diff shows its pairs. */
async function selectRow(frame, row) {
  const name = (await row.locator('td.name').textContent())?.trim() ?? '';
  await row.locator('td.name').click();
  await frame.locator('#leaderboard tr.candidate[aria-selected="true"]').filter({ hasText: name }).waitFor({ state: 'visible' });
  await frame.locator('#grid-diff-h').filter({ hasText: `Pairs of ${name}` }).waitFor({ state: 'visible' });
}

const code = await runUiCheck(
  { name: 'ui-check', extensionDevelopmentPath: root, folder, timeoutMs: STEP_TIMEOUT_MS },
  async ({ page, step }) => {
    await step('workbench loads; the status bar shows "batt:"', () => waitForStatusBarText(page, /^\s*batt:/));

    await step('save solvers.py → error squiggle (solve_9fd2a6c3 raises)', async () => {
      await quickOpen(page, 'solvers.py');
      const editor = page.locator('.editor-group-container.active .monaco-editor').first();
      await editor.locator('.view-lines').click();
      await page.keyboard.press('Control+End');
      await page.keyboard.press('Enter'); // a blank line at the end: a real edit, harmless to Python
      await page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'visible' });
      const runsBefore = runRecords().length;
      await page.keyboard.press('Control+S');
      await page.locator('.tabs-container .tab.active:not(.dirty)').filter({ hasText: 'solvers.py' })
        .waitFor({ state: 'visible' });
      await waitUntil(() => fs.readFileSync(solversCopy, 'utf8') === `${solversBefore}\n`, 'the saved edit on disk');
      // the save's run (logged in .batt/runs.jsonl) is what publishes the verdict diagnostics
      await waitUntil(() => runRecords().length > runsBefore, 'the run on save in .batt/runs.jsonl');
      await revealErrorSquiggle(page, STEP_TIMEOUT_MS);
      await screenshotLocator(page.locator('#workbench\\.parts\\.editor'), 'ui-diagnostic.png');
    });

    await step('status bar shows the save\'s run (solved S/T … cache)', async () => {
      const { solved, tasks } = runRecords().at(-1).summary;
      const item = await waitForStatusBarText(page, new RegExp(`solved ${solved}/${tasks} .*cache`), STEP_TIMEOUT_MS);
      process.stdout.write(`    status bar: ${(await item.textContent())?.trim()}\n`);
      await screenshotLocator(statusBar(page), 'ui-statusbar.png');
    });

    await step(`Batt: Run batt on task → ${TASK} → timing panel`, async () => {
      // more room for the panel (it opens beside the editor): hide the side bar first
      await page.keyboard.press('Control+B');
      await page.locator('#workbench\\.parts\\.sidebar').waitFor({ state: 'hidden' });
      await runOnTask(page, TASK);

      const frame = webviewFrame(page);
      const row = frame.locator('#leaderboard tr.candidate').filter({ hasText: TRANSFER_SOLVER }).first();
      await row.waitFor({ state: 'visible' });

      // The best row starts selected, so select the last row first: the click on the first one must change the view.
      const rows = frame.locator('#leaderboard tr.candidate');
      await selectRow(frame, rows.last());
      await selectRow(frame, rows.first());
      await frame.locator('#grid-diff .grid .cell').first().waitFor({ state: 'visible' });
      await screenshot(page, 'ui-panel.png');
      await frame.locator('[data-key="tab:timing"]').click();
      await frame.locator('#phases td').filter({ hasText: /\d/ }).first().waitFor({ state: 'visible' });
      await screenshot(page, 'ui-timing.png');
      await frame.locator('[data-key="tab:leaderboard"]').click();
    });

    await step(`pair view: ${MISMATCH_TASK}'s solver — input | expected | actual, differing cells marked, diff only`, async () => {
      await runOnTask(page, MISMATCH_TASK);
      const frame = webviewFrame(page);
      const row = frame.locator(`#leaderboard tr.candidate[data-key="row:${MISMATCH_SOLVER}"]`);
      await row.waitFor({ state: 'visible' });
      await selectRow(frame, row);
      const view = frame.locator('#grid-diff');
      await view.locator('.pair.cell-diff .grid-actual .cell.diff').first().waitFor({ state: 'visible' });
      await view.locator('.grid-input').first().waitFor({ state: 'visible' });
      const marked = await view.locator('.pair.cell-diff').first().locator('.grid-actual .cell.diff').count();
      process.stdout.write(`    first mismatching pair: ${marked} cells marked\n`);
      await screenshotLocator(view, 'ui-pairview.png');
      await frame.locator('[data-key="diff-only"]').click();
      await frame.locator('#grid-diff.diff-only').waitFor({ state: 'visible' });
      await screenshotLocator(view, 'ui-pairview-diffonly.png');
      await frame.locator('[data-key="diff-only"]').click();
    });

    await step('save explained.py → a mismatch diagnostic whose hover is the explainer\'s text', async () => {
      await quickOpen(page, 'explained.py');
      const file = path.join(folder, 'explained.py');
      const before = fs.readFileSync(file, 'utf8');
      const editor = page.locator('.editor-group-container.active .monaco-editor').first();
      await editor.locator('.view-lines').click();
      await page.keyboard.press('Control+End');
      await page.keyboard.press('Enter');
      const runsBefore = runRecords().length;
      await page.keyboard.press('Control+S');
      await waitUntil(() => fs.readFileSync(file, 'utf8') === `${before}\n`, 'the saved edit on disk');
      await waitUntil(() => runRecords().length > runsBefore, 'the run on save in .batt/runs.jsonl');
      await page.keyboard.press('Control+Home');
      await revealErrorSquiggle(page, STEP_TIMEOUT_MS); // F8: the cursor is on the first problem
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+I'); // Show Hover at the cursor
      const hover = page.locator('.monaco-hover:not(.hidden)').filter({ hasText: EXPLAINED }).first();
      await hover.waitFor({ state: 'visible' });
      process.stdout.write(`    hover: ${(await hover.textContent())?.trim().slice(0, 160)}\n`);
      await screenshotLocator(page.locator('#workbench\\.parts\\.editor'), 'ui-hover.png');
      await page.keyboard.press('Escape');
    });

    await step(`Quick Fix on ${MISMATCH_SOLVER}'s diagnostic → "Show demo pair 1 in the batt panel" → that pair`, async () => {
      await page.keyboard.press('Control+1'); // the first editor group holds solvers.py (the panel and explained.py are beside it)
      await quickOpen(page, 'solvers.py');
      const line = fs.readFileSync(solversCopy, 'utf8').split('\n').findIndex((l) => l.startsWith(`def ${MISMATCH_SOLVER}(`)) + 1;
      if (line < 1) throw new Error(`no def ${MISMATCH_SOLVER} in solvers.py`);
      await page.keyboard.press('Control+G');
      await page.locator(`${QUICK_INPUT} input`).fill(`:${line}`);
      await page.locator(`${QUICK_INPUT} input`).press('Enter');
      await page.locator(QUICK_INPUT).waitFor({ state: 'hidden' });
      await page.keyboard.press('Control+.');
      const action = page.locator('.action-widget .monaco-list-row.action').filter({ hasText: 'Show demo pair 1 in the batt panel' });
      await action.waitFor({ state: 'visible' });
      await screenshotLocator(page.locator('#workbench\\.parts\\.editor'), 'ui-codeaction.png');
      await page.keyboard.press('Enter');
      const frame = webviewFrame(page);
      await frame.locator(`[data-key="pair:${MISMATCH_SOLVER}/demo:1"]`).waitFor({ state: 'visible' });
      await frame.locator('#leaderboard tr.candidate[aria-selected="true"]').filter({ hasText: MISMATCH_SOLVER }).waitFor({ state: 'visible' });
      await screenshot(page, 'ui-showpair.png');
    });

    await step('Reload Window on the now warm workspace: the status bar shows its cached verdicts, nothing runs', async () => {
      const runsBefore = runRecords().length;
      await runCommand(page, 'Developer: Reload Window', STEP_TIMEOUT_MS);
      await page.locator('.monaco-workbench').waitFor();
      const item = await waitForStatusBarText(page, /batt: ready · solved \d+\/\d+ · from the cache/, STEP_TIMEOUT_MS);
      process.stdout.write(`    status bar: ${(await item.textContent())?.trim()}\n`);
      if (runRecords().length !== runsBefore) throw new Error('reopening ran something (a new record in .batt/runs.jsonl)');
      await item.hover();
      await page.locator('.monaco-hover:not(.hidden)').filter({ hasText: 'from the cache' }).first().waitFor({ state: 'visible' });
      await screenshot(page, 'ui-statusbar-warm.png');
    });
  },
);
removeFolder();
process.exitCode = code;
