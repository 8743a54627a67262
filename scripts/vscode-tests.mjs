#!/usr/bin/env node
// `npm run test:vscode`: the extension's suite in a real VS Code (VS Code server from code-server + headless Chromium),
// on a fresh temporary copy of the bundled sample workspace. Installs the VS Code server first when missing.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const serverMain = path.join(root, 'tools/vscode-web/node_modules/code-server/lib/vscode/out/server-main.js');
if (!fs.existsSync(serverMain) || !fs.existsSync('/usr/bin/chromium')) {
  execFileSync('bash', [path.join(root, 'scripts/install-vscode-web.sh')], { stdio: 'inherit' });
}
if (!fs.existsSync(path.join(root, 'dist/test/vscode/index.js'))) execFileSync(process.execPath, [path.join(root, 'esbuild.mjs')], { stdio: 'inherit', cwd: root });

const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-vscode-ws-'));
fs.cpSync(path.join(root, 'samples'), ws, { recursive: true, filter: (src) => !src.includes(`${path.sep}.batt`) && !src.includes('__pycache__') });
const r = spawnSync(
  process.execPath,
  [path.join(root, 'scripts/run-vscode-tests.mjs'), '--extension', root, '--tests', path.join(root, 'dist/test/vscode/index.js'), '--workspace', ws, '--env', 'CI=' + (process.env.CI ?? '')],
  { stdio: 'inherit', cwd: root },
);
fs.rmSync(ws, { recursive: true, force: true });
process.exit(r.status ?? 1);
