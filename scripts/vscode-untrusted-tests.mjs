#!/usr/bin/env node
// The untrusted-workspace suite (test/vscode-untrusted) in a real VS Code with workspace trust ENFORCED
// (VSCODE_WEB_WORKSPACE_TRUST=1: the folder opens in Restricted Mode), twice, each on a fresh copy of samples/:
//   development  batt loaded as the extension under development (VS Code never disables those);
//   installed    batt installed into the extensions dir like a user's copy (so its manifest's
//                untrustedWorkspaces capability applies), the tests carried by a stub extension;
//   control      that installed copy with trust not enforced: it must activate (the install itself works).
// Ends with one "N passed, N failed" line summing both runs.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const serverMain = path.join(root, 'tools/vscode-web/node_modules/code-server/lib/vscode/out/server-main.js');
const tests = path.join(root, 'dist/test/vscode-untrusted/index.js');
if (!fs.existsSync(serverMain) || !fs.existsSync('/usr/bin/chromium')) {
  execFileSync('bash', [path.join(root, 'scripts/install-vscode-web.sh')], { stdio: 'inherit' });
}
if (!fs.existsSync(tests) || !fs.existsSync(path.join(root, 'dist/extension.js'))) {
  execFileSync(process.execPath, [path.join(root, 'esbuild.mjs')], { stdio: 'inherit', cwd: root });
}
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const temps = [];
const tmp = (prefix) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(d);
  return d;
};

/** Copies what the packaged extension holds (.vscodeignore allowlist) into `<extDir>/<publisher>.<name>-<version>`
 * and registers it in extensions.json, as installing the .vsix would. */
function installCopy(extDir) {
  const rel = `${manifest.publisher}.${manifest.name}-${manifest.version}`;
  const dest = path.join(extDir, rel);
  fs.mkdirSync(path.join(dest, 'dist'), { recursive: true });
  for (const f of ['package.json', 'README.md', 'LICENSE', 'dist/extension.js', 'dist/server.js', 'dist/webview.js']) {
    if (fs.existsSync(path.join(root, f))) fs.copyFileSync(path.join(root, f), path.join(dest, f));
  }
  fs.cpSync(path.join(root, 'dist', 'worker'), path.join(dest, 'dist', 'worker'), { recursive: true, filter: (p) => !p.includes('__pycache__') });
  for (const d of ['media', 'syntaxes']) fs.cpSync(path.join(root, d), path.join(dest, d), { recursive: true });
  const entry = {
    identifier: { id: `${manifest.publisher}.${manifest.name}` },
    version: manifest.version,
    location: { $mid: 1, scheme: 'file', path: dest },
    relativeLocation: rel,
    metadata: { installedTimestamp: Date.now(), source: 'vsix' },
  };
  fs.writeFileSync(path.join(extDir, 'extensions.json'), JSON.stringify([entry]));
  // VS Code's own CLI must list it, or the "installed" run would prove nothing.
  const listed = execFileSync(process.execPath, [serverMain, '--list-extensions', '--extensions-dir', extDir, '--accept-server-license-terms'], { encoding: 'utf8', env: { ...process.env, EXTENSIONS_GALLERY: '{}' } });
  if (!listed.split(/\s+/).some((id) => id.toLowerCase() === entry.identifier.id.toLowerCase())) {
    throw new Error(`VS Code does not list the installed copy in ${extDir}:\n${listed}`);
  }
  return dest;
}

/** A do-nothing extension whose only job is to be the "extension under development" that carries the tests. */
function stubExtension() {
  const dir = tmp('batt-untrusted-stub-');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'batt-untrusted-tests', publisher: 'batt-dev', version: '0.0.0', engines: { vscode: manifest.engines.vscode },
    capabilities: { untrustedWorkspaces: { supported: true } },
  }));
  return dir;
}

function run(mode, trust = true) {
  const ws = tmp('batt-untrusted-ws-');
  fs.cpSync(path.join(root, 'samples'), ws, { recursive: true, filter: (src) => !src.includes(`${path.sep}.batt`) && !src.includes('__pycache__') });
  // A hostile workspace setting: batt.pythonPath names a script of the workspace that leaves a marker when run
  // (the control run proves it does run once the workspace is trusted).
  fs.writeFileSync(path.join(ws, 'fake_python.sh'), '#!/bin/sh\ntouch "$(dirname "$0")/pythonpath-was-run"\nexec python3 "$@"\n', { mode: 0o755 });
  fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'batt.pythonPath': path.join(ws, 'fake_python.sh') }));
  const resultFile = path.join(root, 'test-artifacts', `vscode-untrusted-${mode}.json`);
  let extension = root;
  let extRoot = root;
  const extra = [];
  if (mode !== 'development') {
    const extDir = tmp('batt-untrusted-exts-');
    extRoot = installCopy(extDir);
    extension = stubExtension();
    extra.push('--extensions-dir', extDir);
  }
  console.log(`\n--- ${trust ? 'untrusted' : 'trusted (control)'} workspace, batt ${mode === 'development' ? 'under development' : 'installed'} ---`);
  const r = spawnSync(process.execPath, [
    path.join(root, 'scripts/run-vscode-tests.mjs'), '--extension', extension, '--tests', tests, '--workspace', ws,
    '--result-file', resultFile, ...extra,
    '--env', `BATT_UNTRUSTED_MODE=${mode}`, '--env', `BATT_EXTENSION_ROOT=${extRoot}`, '--env', 'CI=' + (process.env.CI ?? ''),
  ], { stdio: 'inherit', cwd: root, env: { ...process.env, VSCODE_WEB_WORKSPACE_TRUST: trust ? '1' : '' } });
  let res;
  try {
    res = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  } catch {
    res = undefined;
  }
  const passes = res?.passes ?? 0;
  // a run that failed without a result (crash, timeout) counts as one failure
  const failures = (res?.failures ?? 0) + (r.status !== 0 && !res?.failures ? 1 : 0);
  return { passes, failures };
}

let passed = 0;
let failed = 0;
try {
  for (const mode of ['development', 'installed', 'control']) {
    try {
      const r = run(mode, mode !== 'control');
      passed += r.passes;
      failed += r.failures;
    } catch (err) {
      console.error(`untrusted (${mode}): ${err instanceof Error ? err.message : String(err)}`);
      failed++;
    }
  }
} finally {
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
