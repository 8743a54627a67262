#!/usr/bin/env node
// Proves `batt` installs onto the PATH the two ways the README says, outside the checkout: the packed tarball
// (`npm pack`, then `npm install -g batt-<version>.tgz`) and the checkout itself (`npm install -g .`, what `npm link`
// does). Each goes into its own temporary npm prefix, offline; the installed `batt` then runs from another folder on a
// copy of samples/. Needs a built dist/ (the build stage, or `npm run build`). Prints "N passed, N failed".
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-install-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
/** What the `batt` command needs at run time, and what the tarball must not carry. */
const REQUIRED = ['package/bin/batt.js', 'package/dist/cli.js', 'package/dist/worker/scoring/main.py', 'package/dist/worker/analyzer/analyze.py'];
const FORBIDDEN = /^package\/(src|test|node_modules|samples|bench|scripts)\/|\.map$|__pycache__/;

/** Runs a command to completion with stdin closed; resolves {code, out} (stdout and stderr interleaved). */
function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? root, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), out }));
  });
}

async function ok(cmd, args, opts) {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}:\n${r.out.trimEnd().split('\n').slice(-15).join('\n')}`);
  return r.out;
}

let passed = 0;
let failed = 0;
async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`  ✔ ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`  ✘ ${name}\n    ${String(e.message ?? e).split('\n').join('\n    ')}`);
  }
}

/** An npm that installs into `prefix` without touching the user's global folder, config or the network. */
const npmIn = (prefix) => ({ env: { npm_config_prefix: prefix, npm_config_cache: path.join(tmp, 'npm-cache'), npm_config_update_notifier: 'false' } });
const npmInstallFlags = ['--offline', '--no-audit', '--no-fund'];

/** `batt --version`, `batt run --help` and a run on a samples copy, by the `batt` on the prefix's bin folder. */
async function useInstalled(prefix, label) {
  const batt = path.join(prefix, 'bin', 'batt');
  const elsewhere = fs.mkdtempSync(path.join(tmp, 'cwd-'));
  await step(`${label}: batt --version prints batt ${manifest.version}`, async () => {
    if (!fs.existsSync(batt)) throw new Error(`${batt} was not created`);
    const out = await ok(batt, ['--version'], { cwd: elsewhere });
    if (out.trim() !== `batt ${manifest.version}`) throw new Error(`got ${JSON.stringify(out.trim())}`);
  });
  await step(`${label}: batt run on a samples copy from another folder`, async () => {
    const ws = path.join(elsewhere, 'samples');
    fs.cpSync(path.join(root, 'samples'), ws, { recursive: true, filter: (s) => !s.includes(`${path.sep}.batt`) && !s.includes('__pycache__') });
    // the default cache folder is the user cache folder: a temporary one here
    const out = await ok(batt, ['run', '--workspace', 'samples', '--no-progress'], { cwd: elsewhere, env: { XDG_CACHE_HOME: path.join(tmp, 'xdg-cache') } });
    if (!/^\d+ tasks - solved = \d+ - candidates = \d+/m.test(out)) throw new Error(`no summary line in:\n${out}`);
  });
}

console.log(`cli-install-check: ${manifest.name} ${manifest.version}, temp ${tmp}`);
if (!fs.existsSync(path.join(root, 'dist', 'cli.js'))) await ok(process.execPath, ['esbuild.mjs']);

let tarball = '';
await step('npm pack writes a tarball with the CLI and the workers only', async () => {
  const out = await ok('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp], npmIn(path.join(tmp, 'unused')));
  tarball = path.join(tmp, out.trim().split('\n').pop());
  const files = (await ok('tar', ['tzf', tarball])).trim().split('\n');
  const missing = REQUIRED.filter((f) => !files.includes(f));
  const extra = files.filter((f) => FORBIDDEN.test(f));
  if (missing.length || extra.length) throw new Error(`missing: ${missing.join(', ') || '-'}; not wanted: ${extra.join(', ') || '-'}`);
  const packed = JSON.parse(await ok('tar', ['xzOf', tarball, 'package/package.json']));
  if (Object.keys(packed.dependencies ?? {}).length) throw new Error(`runtime dependencies would need the registry: ${Object.keys(packed.dependencies)}`);
});

const fromTarball = path.join(tmp, 'prefix-tarball');
await step('npm install -g batt-<version>.tgz into a temporary prefix', async () => {
  if (!tarball) throw new Error('no tarball (previous step failed)');
  await ok('npm', ['install', '-g', ...npmInstallFlags, tarball], npmIn(fromTarball));
});
await useInstalled(fromTarball, 'tarball');

const fromCheckout = path.join(tmp, 'prefix-checkout');
await step('npm install -g . (the checkout, as npm link does) into a temporary prefix', async () => {
  await ok('npm', ['install', '-g', ...npmInstallFlags, '--ignore-scripts', '.'], npmIn(fromCheckout));
  const link = path.join(fromCheckout, 'lib', 'node_modules', manifest.name);
  if (fs.realpathSync(link) !== fs.realpathSync(root)) throw new Error(`${link} does not point at the checkout`);
});
await useInstalled(fromCheckout, 'checkout');

console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
