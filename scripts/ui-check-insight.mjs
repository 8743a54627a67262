#!/usr/bin/env node
// The insight features (issues 12-14) in the real workbench, on fresh temporary copies of samples/ and of
// test/fixtures/stable: inline values after a save, the trace hover's grid images, "Batt: Trace solver" → the panel's
// Trace tab (first differences, a cell full size), the CodeLens verdicts, the Testing view (tree, run, a failing pair's
// diff), and "Batt: Write submission" (its summary notification, the panel's Submission tab). Every screenshot is also
// an assertion on what the DOM shows. Screenshots go to test-artifacts/. `--no-build` skips building dist/.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { workbenchUrl } from './vscode-web.mjs';
import { copySamples, quickOpen, runCommand, runRecords, runUiCheck, screenshot, screenshotLocator, waitForStatusBarText,
  waitUntil as libWaitUntil, webviewFrame } from './ui-check-lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const serverMain = path.join(root, 'tools/vscode-web/node_modules/code-server/lib/vscode/out/server-main.js');
const QUICK_INPUT = '.quick-input-widget';
const EDITOR_PART = '#workbench\\.parts\\.editor';
/** Raises IndexError on demo 1 and test 0 at `x3 = first(x2)` (samples/solvers.py). */
const TRACED = 'solve_9fd2a6c3';
const ROTATED = 'solve_b70e19d4';
const TRANSFER = 'solve_a3f1c07e';
/** Runs "Batt: Write submission" with its {out} argument, as a keybinding can (the fallback when the dialog cannot be driven). */
const SUBMIT_KEY = 'ctrl+alt+shift+u';
const SUBMIT_KEY_PRESS = 'Control+Alt+Shift+U';
const STEP_TIMEOUT_MS = 120_000;

if (!fs.existsSync(serverMain) || !fs.existsSync('/usr/bin/chromium')) {
  execFileSync('bash', [path.join(root, 'scripts/install-vscode-web.sh')], { stdio: 'inherit' });
}
if (!process.argv.includes('--no-build')) execFileSync(process.execPath, [path.join(root, 'esbuild.mjs')], { stdio: 'inherit', cwd: root });

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-ui-insight-'));
const stable = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-ui-stable-'));
process.on('exit', () => {
  fs.rmSync(folder, { recursive: true, force: true });
  fs.rmSync(stable, { recursive: true, force: true });
});
copySamples(root, folder);
// the check opens the failing pair's peek itself (from the Testing view), none opens on its own when a run ends
// and its diff is side by side (expected | actual) even in a narrow peek
const workspaceSettings = { 'files.autoSave': 'off', 'testing.automaticallyOpenPeekView': 'never', 'diffEditor.useInlineViewWhenSpaceIsLimited': false };
fs.writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify(workspaceSettings, null, 2));
fs.cpSync(path.join(root, 'test/fixtures/stable'), stable, { recursive: true, filter: (src) => !src.includes(`${path.sep}.batt`) && !src.includes('__pycache__') });
fs.mkdirSync(path.join(stable, '.vscode'), { recursive: true });
fs.writeFileSync(path.join(stable, '.vscode', 'settings.json'), JSON.stringify({ 'files.autoSave': 'off' }, null, 2));
const submissionFile = path.join(stable, 'submission.json');

const solversFile = path.join(folder, 'solvers.py');
const solverLines = fs.readFileSync(solversFile, 'utf8').split('\n');
/** 1-based line of `def <solver>(`. */
function defLine(solver) {
  const i = solverLines.findIndex((l) => l.startsWith(`def ${solver}(`));
  if (i < 0) throw new Error(`no def ${solver} in solvers.py`);
  return i + 1;
}
const TRACED_DEF = defLine(TRACED);
/** The traced solver's four statements, 1-based: x1 = objects, x2 = sizefilter, x3 = first, O = subgrid. */
const [X1, X2, X3, OUT] = [1, 2, 3, 4].map((k) => TRACED_DEF + k);
if (!/x1 = objects\(I, T, F, T\)/.test(solverLines[X1 - 1]) || !/O = subgrid\(x3, I\)/.test(solverLines[OUT - 1])) {
  throw new Error(`${TRACED}'s body moved: line ${X1} is "${solverLines[X1 - 1]}"`);
}

const waitUntil = (check, what, timeoutMs = STEP_TIMEOUT_MS) => libWaitUntil(check, what, timeoutMs);

/** Types into the open quick input and picks the row containing `rowText` (it may open a quick input of its own). */
async function pick(page, typed, rowText) {
  const input = page.locator(`${QUICK_INPUT} input`);
  await input.waitFor({ state: 'visible' });
  await input.fill(typed);
  await page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`).filter({ hasText: rowText }).first().waitFor({ state: 'visible' });
  await input.press('Enter');
}

/** Go to Line (Ctrl+G) `spec` ("61" or "64:12") in the active editor. */
async function gotoLine(page, spec) {
  await page.keyboard.press('Control+G');
  await page.locator(`${QUICK_INPUT} input`).fill(`:${spec}`);
  await page.locator(`${QUICK_INPUT} input`).press('Enter');
  await page.locator(QUICK_INPUT).waitFor({ state: 'hidden' });
}

function activeEditor(page) {
  return page.locator('.editor-group-container.active .monaco-editor').first();
}

/**
 * The end-of-line decorations the editor shows: [{line, text, color}] for every span whose ::after has content (the
 * inline values are CSS ::after content), the line from the gutter row at the same height.
 */
async function afterTexts(page) {
  return activeEditor(page).evaluate((ed) => {
    const numbers = new Map();
    for (const row of ed.querySelectorAll('.margin-view-overlays > div')) {
      const n = row.querySelector('.line-numbers');
      if (n) numbers.set(row.style.top, Number(n.textContent.trim()));
    }
    const out = [];
    for (const vl of ed.querySelectorAll('.view-lines .view-line')) {
      for (const span of vl.querySelectorAll('span')) {
        const st = getComputedStyle(span, '::after');
        if (!st.content || st.content === 'none' || st.content === 'normal') continue;
        const text = st.content.replace(/^"|"$/g, '').replace(/\\"/g, '"');
        if (!text.trim()) continue;
        // what is on top a few pixels into the hint: the hint itself, or something drawn over it
        const r = span.getBoundingClientRect();
        const top = document.elementFromPoint(r.left + 6, r.top + r.height / 2);
        const covered = top && top !== span && !span.contains(top) ? `${top.tagName.toLowerCase()}.${[...top.classList].join('.')} "${(top.textContent ?? '').slice(0, 40)}"` : undefined;
        out.push({ line: numbers.get(vl.style.top), text, color: st.color, covered });
      }
    }
    return out;
  });
}

/** A theme colour's CSS variable as the rgb()/rgba() string getComputedStyle gives. */
async function themeColour(page, name) {
  return page.evaluate((v) => {
    const probe = document.createElement('span');
    probe.style.color = `var(${v})`;
    document.querySelector('.monaco-workbench').appendChild(probe);
    const c = getComputedStyle(probe).color;
    probe.remove();
    return c;
  }, `--vscode-${name.replace(/\./g, '-')}`);
}

/** Show Hover (Ctrl+K Ctrl+I) at `spec` and wait until its images are loaded; returns {imgs, table, text}. */
async function hoverImages(page, spec, count) {
  await gotoLine(page, spec);
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+I');
  const hover = page.locator('.monaco-hover:not(.hidden)').filter({ has: page.locator('img') }).first();
  await hover.waitFor({ state: 'visible' });
  return waitUntil(async () => {
    const r = await hover.evaluate((el) => ({
      imgs: [...el.querySelectorAll('img')].map((i) => ({ data: i.src.startsWith('data:image/png;base64,'), loaded: i.complete && i.naturalWidth > 0, w: i.naturalWidth, h: i.naturalHeight })),
      table: !!el.querySelector('table'),
      text: el.textContent ?? '',
    }));
    return r.imgs.length === count && r.imgs.every((i) => i.data && i.loaded) ? r : undefined;
  }, `${count} loaded data: images in the hover at ${spec}`, 30_000);
}

/** Test Explorer rows as [data-index, label]: the item's own text (its `.label` also holds the duration, "b70e19d4" + "0.9ms"). */
function rowLabels(rows) {
  return rows.evaluateAll((els) => els.map((e) => [e.dataset.index, (e.querySelector('.label')?.childNodes[0]?.textContent ?? '').trim()]));
}

/** The first Test Explorer row labelled `label` (by its data-index), once shown. */
async function explorerRow(page, label) {
  const rows = page.locator('.test-explorer .monaco-list-row');
  const index = await waitUntil(async () => {
    return (await rowLabels(rows)).find(([, l]) => l === label)?.[0];
  }, `the Test Explorer row ${label}`, 30_000);
  return rows.and(page.locator(`[data-index="${index}"]`));
}

/** The tree row of `label` in the Test Explorer, expanded when it has children. */
async function expandRow(page, label) {
  const row = await explorerRow(page, label);
  await row.waitFor({ state: 'visible' });
  if (await row.locator('.monaco-tl-twistie.collapsed').count()) {
    await row.locator('.monaco-tl-twistie').click();
    await row.locator('.monaco-tl-twistie.collapsed').waitFor({ state: 'detached' });
  }
  return row;
}

/** solve_b70e19d4's demo 1 row in the Test Explorer (found by the tree step, clicked by the diff step). */
let demoOneRow;

const code = await runUiCheck(
  { name: 'ui-check-insight', extensionDevelopmentPath: root, folder, timeoutMs: STEP_TIMEOUT_MS,
    keybindings: [{ key: SUBMIT_KEY, command: 'batt.writeSubmission', args: { out: submissionFile } }] },
  async ({ page, server, step }) => {
    await step('workbench loads; the status bar shows "batt:"', () => waitForStatusBarText(page, /^\s*batt:/, STEP_TIMEOUT_MS));

    await step(`inline values: save with the cursor in ${TRACED} → values per pair at the ends of lines ${X1}-${OUT}`, async () => {
      await page.keyboard.press('Control+B'); // the side bar off: room for the hints
      await page.locator('#workbench\\.parts\\.sidebar').waitFor({ state: 'hidden' });
      await quickOpen(page, 'solvers.py');
      await activeEditor(page).locator('.view-lines').click();
      await page.keyboard.press('Control+End');
      await page.keyboard.press('Enter'); // a blank line at the end: a real edit, harmless to Python
      await gotoLine(page, String(X1));
      const runsBefore = runRecords(folder).length;
      await page.keyboard.press('Control+S');
      await page.locator('.tabs-container .tab.active:not(.dirty)').filter({ hasText: 'solvers.py' }).waitFor({ state: 'visible' });
      await waitUntil(() => runRecords(folder).length > runsBefore, 'the run on save in .batt/runs.jsonl');
      const want = {
        [X1]: /^3 obj · 3 obj · 3 obj \| 3 obj$/,
        [X2]: /^1 obj · ≠∅ · 1 obj \| ≠∅$/,
        [X3]: /^1 cell · ✗ IndexError: .+ · 1 cell \| ✗ IndexError: /,
        [OUT]: /^1x1 · – · 1x1 \| –$/,
      };
      const hints = await waitUntil(async () => {
        const all = await afterTexts(page);
        const mine = Object.keys(want).map((l) => all.find((h) => h.line === Number(l) && h.text.includes('·')));
        return mine.every((h, i) => h && Object.values(want)[i].test(h.text)) ? mine : undefined;
      }, `the inline values on lines ${X1}-${OUT}`);
      for (const h of hints) process.stdout.write(`    ${h.line}: ${h.text}  (${h.color})\n`);
      // a test message's inline badge on the raising line (the Testing view's failure) sits over that line's hint:
      // said, not failed (product behaviour); the other lines' hints must be in plain view
      for (const h of hints) if (h.covered) process.stdout.write(`    ! line ${h.line}'s hint is covered by ${h.covered}\n`);
      const hidden = hints.filter((h) => h.covered && h.line !== X3);
      if (hidden.length) throw new Error(`hints drawn over: ${hidden.map((h) => `${h.line} by ${h.covered}`).join('; ')}`);
      const [plain, divergent, error] = [hints[0].color, hints[1].color, hints[2].color];
      const warn = await themeColour(page, 'editorWarning.foreground');
      const err = await themeColour(page, 'editorError.foreground');
      if (divergent !== warn) throw new Error(`the divergent line's hint is ${divergent}, not the warning colour ${warn}`);
      if (error !== err) throw new Error(`the raising line's hint is ${error}, not the error colour ${err}`);
      if (plain === warn || plain === err || hints[3].color !== plain) throw new Error(`plain hints ${plain}/${hints[3].color} should share a colour of their own`);
      // the Testing view's inline failure widgets may have arrived since: say what covers a hint in the screenshot
      for (const h of await afterTexts(page)) if (h.covered && h.line >= X1 && h.line <= OUT) process.stdout.write(`    ! at the screenshot, line ${h.line}'s hint is covered by ${h.covered}\n`);
      await screenshotLocator(page.locator(EDITOR_PART), 'ui-inline-values.png');
    });

    await step(`trace hover on line ${OUT} (O = subgrid): a table of pairs with PNG grids`, async () => {
      const h = await hoverImages(page, `${OUT}:12`, 2);
      if (!h.table) throw new Error('the hover has no table of pairs');
      if (!/demo 0 ✓/.test(h.text) || !/test 0 !/.test(h.text)) throw new Error(`the hover's pairs: ${h.text.slice(0, 200)}`);
      process.stdout.write(`    ${h.imgs.length} images ${h.imgs.map((i) => `${i.w}x${i.h}`).join(', ')}\n`);
      await screenshot(page, 'ui-trace-hover.png');
      await page.keyboard.press('Escape');
      await page.locator('.monaco-hover:not(.hidden) img').first().waitFor({ state: 'detached' });
    });

    await step(`trace hover on line ${X1} (x1 = objects): the objects over each pair's darkened input`, async () => {
      const h = await hoverImages(page, `${X1}:12`, 4);
      if (!h.table || !/3 obj/.test(h.text)) throw new Error(`the hover: ${h.text.slice(0, 200)}`);
      await screenshot(page, 'ui-trace-hover-objects.png');
      await page.keyboard.press('Escape');
      await page.locator('.monaco-hover:not(.hidden) img').first().waitFor({ state: 'detached' });
    });

    await step(`CodeLens: ${ROTATED}'s mismatch and ${TRANSFER}'s pass above their defs, codicons rendered`, async () => {
      // a taller window, so that both solvers (lines ${defLine(TRANSFER)} and ${defLine(ROTATED)}) are in view at once
      await page.setViewportSize({ width: 1400, height: 1900 });
      await page.keyboard.press('Control+Home');
      const lens = (re) => page.locator(`${EDITOR_PART} .codelens-decoration`).filter({ hasText: re }).first();
      const rotated = lens(/demo 1\/3 · test 0\/1 · demo 1: rotated 180°/);
      const transfer = lens(/demo 3\/3 · test 2\/2 · (< )?\d+(\.\d+)? m?s/);
      await rotated.waitFor({ state: 'visible' });
      await transfer.waitFor({ state: 'visible' });
      for (const [l, solver, icon] of [[rotated, ROTATED, 'error'], [transfer, TRANSFER, 'pass']]) {
        const text = (await l.textContent()) ?? '';
        if (text.includes('$(')) throw new Error(`a literal codicon in the lens: ${text}`);
        if (!(await l.locator(`.codicon-${icon}`).count())) throw new Error(`no rendered $(${icon}) codicon in "${text}"`);
        if (!/Run/.test(text) || !/Trace/.test(text) || !/Try on every task/.test(text)) throw new Error(`the lens's actions: ${text}`);
        // the lens is the row right above its def
        const def = page.locator(`${EDITOR_PART} .view-line`).filter({ hasText: new RegExp(`def.${solver}\\(`) }).first();
        const [lb, db] = [await l.boundingBox(), await def.boundingBox()];
        if (!lb || !db || db.y < lb.y || db.y - lb.y > 40) throw new Error(`the lens "${text}" is not right above def ${solver} (${lb?.y} vs ${db?.y})`);
        process.stdout.write(`    ${solver}: ${text.replace(/\s+/g, ' ').trim()}\n`);
      }
      await screenshotLocator(page.locator(EDITOR_PART), 'ui-codelens.png');
      await page.setViewportSize({ width: 1400, height: 900 });
    });

    await step(`Batt: Trace solver in ${TRACED} → the Trace tab: ≠ lines, first differences, IndexError cells`, async () => {
      await gotoLine(page, `${OUT}:12`);
      await runCommand(page, 'Batt: Trace solver', STEP_TIMEOUT_MS);
      const frame = webviewFrame(page);
      await frame.locator('#trace-h').filter({ hasText: `Trace of ${TRACED}` }).waitFor({ state: 'visible' });
      await frame.locator('[data-key="tab:trace"][aria-selected="true"]').filter({ hasText: `Trace — ${TRACED}` }).waitFor({ state: 'visible' });
      const divergent = await frame.locator('tr.trace-row.divergent .trace-lineno').allTextContents();
      if (divergent.map((t) => t.trim()).join(',') !== `${X2},${X3}`) throw new Error(`≠ on lines ${divergent.join(',')}, want ${X2},${X3}`);
      const firsts = await frame.locator('td.first-divergence .trace-cell-btn').evaluateAll((els) => els.map((e) => e.dataset.key));
      if (firsts.sort().join(',') !== `trace:${X2}:1,trace:${X2}:3`) throw new Error(`first differences at ${firsts.join(',')}, want x2 on demo 1 and test 0`);
      const raised = await frame.locator('td.trace-raised').evaluateAll((els) => els.map((e) => `${e.querySelector('.trace-cell-btn').dataset.key} ${e.textContent}`));
      if (raised.length !== 2 || !raised.every((r) => r.startsWith(`trace:${X3}:`) && r.includes('IndexError'))) throw new Error(`raised cells: ${raised.join(' | ')}`);
      // the thumbnails are canvases painted after the render: some pixel is drawn
      await waitUntil(() => frame.locator('canvas.trace-thumb').first().evaluate((c) => c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some((v, i) => i % 4 === 3 && v > 0)), 'a painted thumbnail');
      process.stdout.write(`    ${await frame.locator('tr.trace-row').count()} lines, ${await frame.locator('canvas.trace-thumb').count()} thumbnails\n`);
      await screenshot(page, 'ui-trace-view.png');
    });

    await step('Trace tab: x2 on demo 0 opens full size under its row', async () => {
      const frame = webviewFrame(page);
      await frame.locator(`[data-key="trace:${X2}:0"]`).click();
      const pair = frame.locator('#trace-pair');
      await pair.locator('#trace-pair-h').filter({ hasText: 'x2 on demo 0' }).waitFor({ state: 'visible' });
      await pair.locator('.grid .cell').first().waitFor({ state: 'visible' });
      const under = await frame.locator('tr.trace-detail-row').evaluate((tr, key) => !!tr.previousElementSibling?.querySelector(`[data-key="${key}"]`), `trace:${X2}:0`);
      if (!under) throw new Error('the open cell is not under the x2 row');
      await pair.scrollIntoViewIfNeeded();
      await screenshot(page, 'ui-trace-cell.png');
    });

    await step('Testing view: Run All Tests → tasks → candidates → pairs with pass/fail icons', async () => {
      await page.keyboard.press('Control+1');
      // the panel's group closed: the peek's side-by-side diff needs the width
      await runCommand(page, 'View: Close Editors in Other Groups', STEP_TIMEOUT_MS);
      await webviewFrame(page).locator('#trace-h').waitFor({ state: 'detached' });
      await runCommand(page, 'Testing: Focus on Test Explorer View', STEP_TIMEOUT_MS);
      await page.locator('.test-explorer .monaco-list-row').first().waitFor({ state: 'visible' });
      const explorer = page.locator('.test-explorer');
      const busy = () => explorer.locator('.codicon-loading, .codicon-testing-queued-icon').count();
      await runCommand(page, 'Test: Run All Tests', STEP_TIMEOUT_MS);
      // the save's verdicts are already in the tree: wait for this run to start, then to end
      await waitUntil(async () => (await busy()) > 0, 'the run to start in the Testing view', 60_000);
      // done: every task row has its result (a task with a failing candidate shows failed), nothing queued or running
      await waitUntil(async () => (await explorer.locator('.codicon-testing-failed-icon, .codicon-testing-error-icon').count()) > 0
        && (await busy()) === 0 && (await explorer.locator('.codicon-testing-unset-icon').count()) === 0, 'the run done in the Testing view', 240_000);
      // a3f1c07e's subtree first: it is above b70e19d4's, whose rows are then found by their index
      await expandRow(page, 'a3f1c07e');
      const transferRow = await explorerRow(page, TRANSFER);
      if (!(await transferRow.locator('.codicon-testing-passed-icon').count())) throw new Error(`${TRANSFER} is not marked passed`);
      await expandRow(page, 'b70e19d4');
      const cand = await expandRow(page, ROTATED);
      // its pairs are the rows right under it
      const at = Number(await cand.getAttribute('data-index'));
      const pairRow = (k) => explorer.locator(`.monaco-list-row[data-index="${at + 1 + k}"]`);
      await pairRow(3).waitFor({ state: 'visible' });
      const labels = await Promise.all([0, 1, 2, 3].map(async (k) => (await rowLabels(pairRow(k)))[0]?.[1]));
      if (labels.join(',') !== 'demo 0,demo 1,demo 2,test 0') throw new Error(`the pairs under ${ROTATED}: ${labels.join(', ')}`);
      if (!(await pairRow(1).locator('.codicon-testing-failed-icon').count())) throw new Error('demo 1 of solve_b70e19d4 is not marked failed');
      if (!(await pairRow(0).locator('.codicon-testing-passed-icon').count())) throw new Error('demo 0 of solve_b70e19d4 is not marked passed');
      demoOneRow = pairRow(1);
      process.stdout.write(`    ${await explorer.locator('.monaco-list-row').count()} rows shown, ${await explorer.locator('.codicon-testing-passed-icon').count()} passed, ${await explorer.locator('.codicon-testing-failed-icon, .codicon-testing-error-icon').count()} failed or errored\n`);
      await screenshot(page, 'ui-testing.png');
      await runCommand(page, 'View: Hide Panel', STEP_TIMEOUT_MS); // the Test Results panel: the editor gets the height
    });

    await step('Testing view: the failing pair demo 1 → its peek: expected and actual grids as rows of digits', async () => {
      await demoOneRow.locator('.label').click();
      const peek = page.locator('.peekview-widget').filter({ has: page.locator('.monaco-diff-editor') }).first();
      await peek.waitFor({ state: 'visible' });
      await page.keyboard.press('Control+B'); // the side bar off: the peek gets the window's width
      await page.locator('#workbench\\.parts\\.sidebar').waitFor({ state: 'hidden' });
      // side by side: each editor's lines; an inline diff: the deleted (expected) lines are view zones of the modified one
      const rows = async (side) => {
        const lines = await peek.locator(`.monaco-diff-editor .editor.${side} .view-lines .view-line`).allTextContents();
        if (lines.length || side === 'modified') return lines;
        return peek.locator('.monaco-diff-editor .editor.modified .view-zones .view-line').allTextContents();
      };
      const [expected, actual] = await waitUntil(async () => {
        const e = await rows('original');
        const a = await rows('modified');
        return e.length && a.length ? [e, a] : undefined;
      }, 'the diff editor in the peek', 30_000);
      const digits = (ls) => ls.every((l) => /^\d+$/.test(l.replace(/\u00a0/g, '').trim()));
      if (!digits(expected) || !digits(actual)) throw new Error(`not rows of digits: ${JSON.stringify({ expected, actual })}`);
      if (expected.join('/') === actual.join('/')) throw new Error('expected and actual are the same');
      process.stdout.write(`    expected ${expected.join('/')}  actual ${actual.join('/')}\n`);
      await screenshot(page, 'ui-testing-diff.png');
      await page.keyboard.press('Escape');
    });

    await step('a copy of test/fixtures/stable opens; the status bar shows "batt:"', async () => {
      await page.goto(workbenchUrl(server, { folder: stable, extensionDevelopmentPaths: [root] }));
      await page.locator('.monaco-workbench').waitFor();
      await waitForStatusBarText(page, /^\s*batt:/, STEP_TIMEOUT_MS);
    });

    await step('Batt: Write submission → the summary notification (score, oracle gap, unstable)', async () => {
      await page.keyboard.press('F1');
      await pick(page, '>Batt: Write submission', 'Batt: Write submission');
      // the save dialog: in the web workbench it is VS Code's own path input (a quick input), prefilled
      const title = page.locator(`${QUICK_INPUT} .quick-input-title`).filter({ hasText: 'where to write the submission' });
      let route = 'the command palette and its save dialog';
      try {
        await title.waitFor({ state: 'visible', timeout: 20_000 });
        const value = await page.locator(`${QUICK_INPUT} input`).inputValue();
        if (!value.endsWith('submission.json')) throw new Error(`the dialog offers "${value}"`);
        await page.locator(`${QUICK_INPUT} input`).press('Enter');
        await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 20_000 });
      } catch (err) {
        route = `its keybinding with {out} (the dialog did not answer: ${err instanceof Error ? err.message.split('\n')[0] : err})`;
        await page.keyboard.press('Escape');
        await page.locator(QUICK_INPUT).waitFor({ state: 'hidden' });
        await page.keyboard.press(SUBMIT_KEY_PRESS);
      }
      process.stdout.write(`    ran through ${route}\n`);
      const toast = page.locator('.notifications-toasts .notification-list-item').filter({ hasText: 'batt: wrote submission.json' }).first();
      await toast.waitFor({ state: 'visible', timeout: 240_000 });
      const text = ((await toast.locator('.notification-list-item-message').textContent()) ?? '').trim();
      process.stdout.write(`    ${text}\n`);
      if (!/^batt: wrote submission\.json \(1 tasks?\): score \d+\/\d+ test outputs? right \([\d.]+%\), oracle gap \d+ test outputs?, [1-9]\d* unstable candidates?\.$/.test(text)) {
        throw new Error(`the notification says "${text}"`);
      }
      const file = JSON.parse(fs.readFileSync(submissionFile, 'utf8'));
      if (!Array.isArray(file['5e7a0b1c'])) throw new Error(`submission.json has no 5e7a0b1c: ${Object.keys(file)}`);
      await screenshot(page, 'ui-submission.png');
    });

    await step('Show Report → the panel\'s Submission tab with the report and the unstable candidate', async () => {
      const toast = page.locator('.notifications-toasts .notification-list-item').filter({ hasText: 'batt: wrote submission.json' }).first();
      await toast.locator('.monaco-button').filter({ hasText: 'Show Report' }).click();
      const frame = webviewFrame(page);
      await frame.locator('#submission-h').waitFor({ state: 'visible' });
      await frame.locator('.submission-summary').filter({ hasText: /score \d+\/\d+ .* oracle gap .* unstable candidate/ }).waitFor({ state: 'visible' });
      await frame.locator('.submission-text').filter({ hasText: 'score:' }).waitFor({ state: 'visible' });
      await frame.locator('[data-key^="unstable:5e7a0b1c:"]').first().waitFor({ state: 'visible' });
      await screenshot(page, 'ui-submission-report.png');
    });
  },
);
process.exitCode = code;
