#!/usr/bin/env node
// Runs an extension's mocha suite inside real VS Code (server + headless chromium) through
// @vscode/test-electron's runTests, with scripts/vscode-web-shim.mjs standing in for the VS Code binary.
//
//   node scripts/run-vscode-tests.mjs --extension <dir> --tests <compiled mocha index.js>
//        [--workspace <dir>] [--env KEY=VALUE]... [--result-file <path>] [--timeout <ms>] [--extensions-dir <dir>]
//
// --extensions-dir: installed extensions to run with (kept; default: an empty temporary one).
//
// Exit code 0 only when every test passed. The test index prints the final "N passed, N failed" line and,
// when VSCODE_TEST_RESULT_FILE is set (default test-artifacts/vscode-test-results.json), writes its JSON result.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import testElectron from '@vscode/test-electron';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
const USAGE = 'usage: node scripts/run-vscode-tests.mjs --extension <dir> --tests <index.js> [--workspace <dir>] '
  + '[--env KEY=VALUE]... [--result-file <path>] [--timeout <ms>] [--extensions-dir <dir>]';

class UsageError extends Error {}

function parseCli(argv) {
  const opts = { extensions: [], tests: undefined, workspace: undefined, env: {}, resultFile: undefined,
    timeout: undefined, extensionsDir: undefined };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '-h' || flag === '--help') throw new UsageError('');
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    i++;
    switch (flag) {
      case '--extension': opts.extensions.push(path.resolve(value)); break;
      case '--tests': opts.tests = path.resolve(value); break;
      case '--workspace': opts.workspace = path.resolve(value); break;
      case '--result-file': opts.resultFile = path.resolve(value); break;
      case '--extensions-dir': opts.extensionsDir = path.resolve(value); break;
      case '--timeout':
        if (!/^\d+$/.test(value)) throw new UsageError(`--timeout expects milliseconds, got "${value}"`);
        opts.timeout = value;
        break;
      case '--env': {
        const eq = value.indexOf('=');
        if (eq <= 0) throw new UsageError(`--env expects KEY=VALUE, got "${value}"`);
        opts.env[value.slice(0, eq)] = value.slice(eq + 1);
        break;
      }
      default: throw new UsageError(`unknown option ${flag}`);
    }
  }
  if (!opts.extensions.length) throw new UsageError('--extension <dir> is required');
  if (!opts.tests) throw new UsageError('--tests <compiled mocha index.js> is required');
  for (const dir of opts.extensions) {
    if (!fs.existsSync(path.join(dir, 'package.json'))) throw new UsageError(`--extension ${dir}: no package.json there`);
  }
  if (!fs.existsSync(opts.tests) && !fs.existsSync(`${opts.tests}.js`)) {
    throw new UsageError(`--tests ${opts.tests}: file not found (build the tests first)`);
  }
  if (opts.workspace && !fs.statSync(opts.workspace, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--workspace ${opts.workspace}: not a directory`);
  }
  if (opts.extensionsDir && !fs.statSync(opts.extensionsDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--extensions-dir ${opts.extensionsDir}: not a directory`);
  }
  return opts;
}

async function main() {
  let opts;
  try {
    opts = parseCli(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (err.message) process.stderr.write(`run-vscode-tests: ${err.message}\n`);
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const resultFile = opts.resultFile ?? path.join(repoRoot, 'test-artifacts', 'vscode-test-results.json');
  fs.mkdirSync(path.dirname(resultFile), { recursive: true });
  fs.rmSync(resultFile, { force: true });
  if (opts.timeout) process.env.VSCODE_WEB_TIMEOUT_MS = opts.timeout; // read by the shim

  // A fresh profile per run, so no editors or state leak between runs.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'vscode-web-profile-'));
  const started = Date.now();
  let code = 0;
  try {
    await testElectron.runTests({
      vscodeExecutablePath: path.join(here, 'vscode-web-shim.mjs'),
      extensionDevelopmentPath: opts.extensions.length === 1 ? opts.extensions[0] : opts.extensions,
      extensionTestsPath: opts.tests,
      launchArgs: [
        ...(opts.workspace ? [opts.workspace] : []),
        `--user-data-dir=${path.join(profile, 'user-data')}`,
        `--extensions-dir=${opts.extensionsDir ?? path.join(profile, 'extensions')}`,
      ],
      extensionTestsEnv: { VSCODE_TEST_RESULT_FILE: resultFile, ...opts.env },
    });
  } catch (err) {
    process.stderr.write(`run-vscode-tests: ${err instanceof Error ? err.message : String(err)}\n`);
    code = 1;
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
  if (code === 0 && !fs.existsSync(resultFile)) {
    process.stderr.write(`run-vscode-tests: exit 0 but the test index wrote no ${resultFile}\n`);
    code = 1;
  }
  process.stdout.write(`run-vscode-tests: ${code === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return code;
}

process.exitCode = await main();
