#!/usr/bin/env node
// `npm test`: type-check, lint (ESLint + pyright), build, unit tests (plain Node, real Python workers), then the
// real-VS-Code suite and the UI check. Streams every stage's output and ends with one line "N passed, N failed" summing all stages.
import { spawn } from 'child_process';
import * as path from 'path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const only = process.argv.slice(2);
const stages = [
  { name: 'typecheck', cmd: ['npm', 'run', '--silent', 'typecheck'], counts: false },
  { name: 'lint', cmd: ['npm', 'run', '--silent', 'lint'], counts: false },
  { name: 'build', cmd: [process.execPath, 'esbuild.mjs'], counts: false },
  { name: 'unit', cmd: ['npx', 'mocha'], counts: true },
  { name: 'faults', cmd: ['npx', 'mocha', '--config', 'test/faults/mocharc.json'], counts: true },
  { name: 'cluster', cmd: [process.execPath, 'scripts/cluster-tests.mjs'], counts: true },
  { name: 'vscode', cmd: [process.execPath, 'scripts/vscode-tests.mjs'], counts: true },
  { name: 'untrusted', cmd: [process.execPath, 'scripts/vscode-untrusted-tests.mjs'], counts: true },
  { name: 'ui', cmd: [process.execPath, 'scripts/ui-check.mjs'], counts: true },
  { name: 'ui-scale', cmd: [process.execPath, 'scripts/ui-check-scale.mjs', '--no-build'], counts: true },
  { name: 'ui-insight', cmd: [process.execPath, 'scripts/ui-check-insight.mjs', '--no-build'], counts: true },
  { name: 'dormant', cmd: [process.execPath, 'scripts/dormant-check.mjs', '--no-build'], counts: true },
  { name: 'vsix', cmd: [process.execPath, 'scripts/vsix-check.mjs'], counts: true },
  { name: 'install', cmd: [process.execPath, 'scripts/cli-install-check.mjs'], counts: true },
].filter((s) => !only.length || only.includes(s.name));

function run(stage) {
  return new Promise((resolve) => {
    const child = spawn(stage.cmd[0], stage.cmd.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let last;
    const scan = (buf, out) => {
      out.write(buf);
      for (const m of buf.toString().matchAll(/^(?:\w+: )?(\d+) passed, (\d+) failed/gm)) last = { passed: +m[1], failed: +m[2] };
    };
    child.stdout.on('data', (b) => scan(b, process.stdout));
    child.stderr.on('data', (b) => scan(b, process.stderr));
    child.on('close', (code) => resolve({ code: code ?? 1, last }));
  });
}

let passed = 0;
let failed = 0;
const summary = [];
for (const stage of stages) {
  console.log(`\n=== ${stage.name}: ${stage.cmd.join(' ')} ===`);
  const t0 = Date.now();
  const { code, last } = await run(stage);
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (stage.counts) {
    const p = last?.passed ?? 0;
    // a stage that failed without reporting counts (crash, no tests) counts as one failure
    const f = last ? last.failed + (code !== 0 && last.failed === 0 ? 1 : 0) : code === 0 ? 0 : 1;
    passed += p;
    failed += f;
    summary.push(`${stage.name}: ${p} passed, ${f} failed (${secs} s)`);
  } else {
    if (code !== 0) failed++;
    summary.push(`${stage.name}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} (${secs} s)`);
  }
}
console.log(`\n=== summary ===\n${summary.join('\n')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
