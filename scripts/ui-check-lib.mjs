// Helpers for a UI check: drive the real VS Code workbench (server + headless chromium) with the
// development extension loaded, the way a user would, and keep screenshots in test-artifacts/.
// Typical use (see scripts/README-vscode-testing.md):
//   await runUiCheck({ name: 'panel', extensionDevelopmentPath: root, folder }, async ({ page, step }) => {
//     await step('status bar', () => waitForStatusBarText(page, 'ready'));
//   });
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { artifactsDir, launchBrowser, screenshot, startServer, stopAllServers, workbenchUrl } from './vscode-web.mjs';

export { artifactsDir, screenshot } from './vscode-web.mjs';

const DEFAULT_TIMEOUT_MS = 60_000;
const STATUS_BAR = '#workbench\\.parts\\.statusbar';
const QUICK_INPUT = '.quick-input-widget';

/** Profile dirs of open workbenches, removed on exit even when a signal cut close() short. */
const profileDirs = new Set();
process.on('exit', () => {
  for (const dir of profileDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Starts a server and a browser and opens the workbench with the dev extension(s) loaded.
 * `env` reaches the extension host (through the server's environment). Call close() when done;
 * runUiCheck does that and also on SIGINT/SIGTERM.
 * Without extensionDevelopmentPath only installed extensions load: pass `extensionsDir` (default: an empty one in
 * the temporary profile) to test a packaged extension installed there.
 * `keybindings` (the user's keybindings.json entries) lets a check run a command with arguments by a key, as a user would.
 * @param {{extensionDevelopmentPath?: string | string[], extensionsDir?: string, folder?: string,
 *   env?: NodeJS.ProcessEnv, timeoutMs?: number, viewport?: {width: number, height: number},
 *   keybindings?: Array<{key: string, command: string, args?: unknown}>}} opts
 */
export async function openWorkbench({ extensionDevelopmentPath = [], extensionsDir, folder, env,
  timeoutMs = DEFAULT_TIMEOUT_MS, viewport = { width: 1400, height: 900 }, keybindings }) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vscode-web-ui-'));
  profileDirs.add(userDataDir);
  if (keybindings) {
    fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
    fs.writeFileSync(path.join(userDataDir, 'User', 'keybindings.json'), JSON.stringify(keybindings, null, 2));
  }
  let server;
  let browser;
  const close = async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    fs.rmSync(userDataDir, { recursive: true, force: true });
    profileDirs.delete(userDataDir);
  };
  try {
    server = await startServer({ userDataDir, extensionsDir, env });
    browser = await launchBrowser({ handleSignals: false });
    const page = await browser.newPage({ viewport });
    page.setDefaultTimeout(timeoutMs);
    const dev = Array.isArray(extensionDevelopmentPath) ? extensionDevelopmentPath : [extensionDevelopmentPath];
    await page.goto(workbenchUrl(server, { folder, extensionDevelopmentPaths: dev.map((p) => path.resolve(p)) }));
    await page.locator('.monaco-workbench').waitFor();
    return { server, browser, page, close };
  } catch (err) {
    if (server) {
      process.stderr.write(`server log: ${server.logFile}\n`);
      fs.mkdirSync(artifactsDir, { recursive: true });
      try { fs.copyFileSync(server.logFile, path.join(artifactsDir, 'ui-check-server.log')); } catch { /* none */ }
    }
    await close();
    throw err;
  }
}

/** The status bar entry containing `text` (string or RegExp), once visible. */
export async function waitForStatusBarText(page, text, timeoutMs = DEFAULT_TIMEOUT_MS) {
  const item = page.locator(STATUS_BAR).getByText(text).first();
  await item.waitFor({ state: 'visible', timeout: timeoutMs });
  return item;
}

/** Types into the quick input, waits until a row with `rowText` is listed (Enter before that does nothing), picks it. */
async function pickFromQuickInput(page, typed, rowText, timeoutMs) {
  const input = page.locator(`${QUICK_INPUT} input`);
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(typed);
  await page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`).filter({ hasText: rowText }).first()
    .waitFor({ state: 'visible', timeout: timeoutMs });
  await input.press('Enter');
  await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** Runs a command from the palette by its title as shown there, e.g. 'Hello: Open Panel'. */
export async function runCommand(page, title, timeoutMs = DEFAULT_TIMEOUT_MS) {
  await page.keyboard.press('F1');
  await pickFromQuickInput(page, `>${title}`, title, timeoutMs);
}

/** Opens a workspace file via quick open (Ctrl+P) and waits for its editor tab to be active. */
export async function quickOpen(page, fileName, timeoutMs = DEFAULT_TIMEOUT_MS) {
  await page.keyboard.press('Control+P');
  await pickFromQuickInput(page, fileName, path.basename(fileName), timeoutMs);
  await page.locator('.tabs-container .tab.active').filter({ hasText: path.basename(fileName) })
    .waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Waits for a squiggle in the visible editor(s). kind: 'error' | 'warning' | 'info' | 'hint'. */
export async function waitForSquiggle(page, kind = 'warning', timeoutMs = DEFAULT_TIMEOUT_MS) {
  const squiggle = page.locator(`.monaco-editor .squiggly-${kind}`).first();
  await squiggle.waitFor({ state: 'attached', timeout: timeoutMs });
  return squiggle;
}

/** Frame locator for the content of the active webview (VS Code nests it in two iframes). */
export function webviewFrame(page) {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
}

/** Screenshot of one locator (e.g. the status bar) into test-artifacts/; returns the path or undefined. */
export async function screenshotLocator(locator, name) {
  fs.mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, name.endsWith('.png') ? name : `${name}.png`);
  try {
    await locator.screenshot({ path: file });
    return file;
  } catch (err) {
    process.stderr.write(`screenshot ${file} failed: ${err instanceof Error ? err.message : err}\n`);
    return undefined;
  }
}

/** The status bar part, for screenshots. */
export function statusBar(page) {
  return page.locator(STATUS_BAR);
}

/**
 * Opens the workbench, runs `body`, always cleans up, prints "N passed, N failed" (one per step) and
 * returns the exit code (0 = all steps passed). On failure saves test-artifacts/<name>-failure.png.
 * Optional `setup(step)` runs before the workbench opens (a failing setup step skips the rest) and
 * `teardown(step)` after it has closed (e.g. to check nothing was left running); both count their steps.
 * @param {{name: string, extensionDevelopmentPath?: string | string[], extensionsDir?: string, folder?: string,
 *   env?: NodeJS.ProcessEnv, timeoutMs?: number, viewport?: {width: number, height: number},
 *   keybindings?: Array<{key: string, command: string, args?: unknown}>,
 *   setup?: (step: (title: string, fn: () => Promise<unknown>) => Promise<void>) => Promise<void>,
 *   teardown?: (step: (title: string, fn: () => Promise<unknown>) => Promise<void>) => Promise<void>}} opts
 * @param {(ctx: {page: import('playwright-core').Page, server: object,
 *   step: (title: string, fn: () => Promise<unknown>) => Promise<void>}) => Promise<void>} body
 */
export async function runUiCheck(opts, body) {
  const started = Date.now();
  let passed = 0;
  let failed = 0;
  let wb;
  const step = async (title, fn) => {
    const t0 = Date.now();
    try {
      await fn();
    } catch (err) {
      failed++;
      process.stdout.write(`  ✗ ${title}\n`);
      throw err;
    }
    passed++;
    process.stdout.write(`  ✓ ${title} (${Date.now() - t0} ms)\n`);
  };
  const onSignal = (sig) => {
    process.stderr.write(`${opts.name}: ${sig}, stopping\n`);
    void Promise.resolve(wb?.close()).catch(() => undefined).then(stopAllServers).finally(() => process.exit(1));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (opts.setup) await opts.setup(step);
    wb = await openWorkbench(opts);
    await body({ page: wb.page, server: wb.server, step });
  } catch (err) {
    if (failed === 0) failed = 1; // failed outside a step (e.g. the server did not start)
    process.stderr.write(`${opts.name}: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    if (wb) {
      const shot = await screenshot(wb.page, `${opts.name}-failure.png`);
      if (shot) process.stderr.write(`screenshot ${shot}\n`);
    }
  } finally {
    await wb?.close();
    if (opts.teardown) {
      try {
        await opts.teardown(step);
      } catch (err) {
        process.stderr.write(`${opts.name}: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      }
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  process.stdout.write(`${opts.name}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

/**
 * Waits for an error squiggle. Monaco renders squiggles only on visible lines and Control+End may have scrolled the
 * errors out of view, so keep pressing F8 (Go to Next Problem, which scrolls to it) until one shows, then close the peek.
 */
export async function revealErrorSquiggle(page, timeoutMs = DEFAULT_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('F8');
    try {
      await waitForSquiggle(page, 'error', 2000);
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
  await page.keyboard.press('Escape');
}

/** Records of a workspace's run log `.batt/runs.jsonl` (one line per finished run); [] before the first run. */
export function runRecords(folder) {
  let text;
  try {
    text = fs.readFileSync(path.join(folder, '.batt', 'runs.jsonl'), 'utf8');
  } catch {
    return [];
  }
  // records are appended as '\n' + JSON (crash-safe): a line being written may not parse yet, so skip those
  return text.split('\n').flatMap((line) => {
    try {
      return line.trim() ? [JSON.parse(line)] : [];
    } catch {
      return [];
    }
  });
}

/**
 * The one polling helper of the scripts: polls `check` (sync or async) until it returns a truthy value, which it returns
 * (a deadline, no fixed sleep). A `check` that throws ends the wait with its error.
 */
export async function waitUntil(check, what, timeoutMs = DEFAULT_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Copies samples/ (without caches) to `folder` for a UI check, with autosave off so Control+S is what saves an edit
 * (the web workbench otherwise auto-saves after a delay).
 */
export function copySamples(root, folder) {
  fs.cpSync(path.join(root, 'samples'), folder, {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}.batt`) && !src.includes('__pycache__'),
  });
  fs.mkdirSync(path.join(folder, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify({ 'files.autoSave': 'off' }, null, 2));
}
