#!/usr/bin/env node
// Stand-in "VS Code binary" for @vscode/test-electron's runTests (vscodeExecutablePath = this file).
// It accepts the desktop flags runTests passes, runs the tests in VS Code's server (Node extension host)
// with a headless chromium workbench, prints the extension host's console and exits with the test result.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { artifactsDir, launchBrowser, screenshot, startServer, stopAllServers, workbenchUrl } from './vscode-web.mjs';

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** Picks the flags we need out of the desktop command line; the first bare argument is the folder to open. */
function parseArgs(argv) {
  const out = { extensionDevelopmentPaths: [], extensionTestsPath: undefined, userDataDir: undefined,
    extensionsDir: undefined, folder: undefined };
  for (const arg of argv) {
    const m = /^--([^=]+)=(.*)$/s.exec(arg);
    if (m) {
      const [, key, value] = m;
      if (key === 'extensionDevelopmentPath') out.extensionDevelopmentPaths.push(path.resolve(value));
      else if (key === 'extensionTestsPath') out.extensionTestsPath = path.resolve(value);
      else if (key === 'user-data-dir') out.userDataDir = path.resolve(value);
      else if (key === 'extensions-dir') out.extensionsDir = path.resolve(value);
    } else if (!arg.startsWith('-') && out.folder === undefined) {
      out.folder = path.resolve(arg);
    }
  }
  return out;
}

function timeoutMs() {
  const v = Number(process.env.VSCODE_WEB_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_TIMEOUT_MS;
}

/** Workbench chatter of this setup that says nothing about the tests; shown only with VSCODE_WEB_VERBOSE=1. */
const NOISE = [
  /^Resolv(ing|ed) connection token/, /^Creating a socket \(renderer-/, /^Ignoring fetching additional builtin/,
  /^Updating additional builtin extensions cache/, /^ChatSessionStore: /, /^\[Service Worker\] registration/,
];

/** Log lines arrive as (level, console arguments); older builds pass one string. */
function formatLog(args) {
  return Array.isArray(args) ? util.format(...args) : String(args);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!args.extensionTestsPath) throw new Error('vscode-web-shim: --extensionTestsPath=<path> is required');
  for (const p of [args.extensionTestsPath, ...args.extensionDevelopmentPaths, ...(args.folder ? [args.folder] : [])]) {
    // the tests path may be given without its .js extension, as with desktop VS Code
    if (!fs.existsSync(p) && !fs.existsSync(`${p}.js`)) throw new Error(`vscode-web-shim: ${p} does not exist`);
  }
  const userDataDir = args.userDataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vscode-web-ud-'));

  let server;
  let browser;
  let page;
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await browser?.close().catch(() => undefined);
    await stopAllServers(); // also a server still waiting to become ready
  };
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      process.stderr.write(`vscode-web-shim: ${sig}, stopping\n`);
      void cleanup().finally(() => {
        if (!args.userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
        process.exit(1);
      });
    });
  }

  let code = 1;
  try {
    // process.env already holds runTests' extensionTestsEnv; the server hands it on to the extension host.
    // VSCODE_WEB_WORKSPACE_TRUST=1 (scripts/vscode-untrusted-tests.mjs): trust enforced, the folder untrusted.
    server = await startServer({ userDataDir, extensionsDir: args.extensionsDir, trust: process.env.VSCODE_WEB_WORKSPACE_TRUST === '1' });
    browser = await launchBrowser({ handleSignals: false });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });

    let settle;
    const exited = new Promise((resolve) => { settle = resolve; });
    await page.exposeFunction('codeAutomationLog', (level, message) => {
      const line = formatLog(message);
      if (!process.env.VSCODE_WEB_VERBOSE && NOISE.some((re) => re.test(line))) return;
      (level === 'error' ? process.stderr : process.stdout).write(line.endsWith('\n') ? line : `${line}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (exitCode) => settle(Number(exitCode) || 0));
    if (process.env.VSCODE_WEB_VERBOSE) page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));

    let timer;
    const limit = timeoutMs();
    const timedOut = new Promise((resolve) => {
      timer = setTimeout(() => {
        process.stderr.write(`vscode-web-shim: tests did not finish within ${limit} ms\n`);
        resolve(1);
      }, limit);
    });
    await page.goto(workbenchUrl(server, {
      folder: args.folder,
      extensionDevelopmentPaths: args.extensionDevelopmentPaths,
      extensionTestsPath: args.extensionTestsPath,
    }));
    code = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
  } catch (err) {
    process.stderr.write(`vscode-web-shim: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    code = 1;
  }

  if (code !== 0) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    if (page) {
      const shot = await screenshot(page, `vscode-tests-failure-${stamp}.png`);
      if (shot) process.stderr.write(`vscode-web-shim: screenshot ${shot}\n`);
    }
    if (server) {
      fs.mkdirSync(artifactsDir, { recursive: true });
      const logCopy = path.join(artifactsDir, `vscode-tests-failure-${stamp}-server.log`);
      try {
        fs.copyFileSync(server.logFile, logCopy);
        process.stderr.write(`vscode-web-shim: server log ${logCopy}\n`);
      } catch { /* no log written */ }
    }
  }
  await cleanup();
  if (!args.userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  process.exit(code);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
