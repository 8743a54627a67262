/**
 * Generated batt modules (issue 9, item 12) end to end through the `batt` command (a real process): entries are
 * duplicates of equal hand-written solvers and of equal entries of other modules, have their own lengths, show their
 * mutated flag (text and JSON), are stored as self-contained programs that outlive the module, share the module
 * call's time (Time Saved counts a call once), and rank numerically among ties.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunJson } from '../../src/protocol/results';
import { battWorkspace, cand, paddedModule, SLOW_MODULE } from '../fixtures/battModules/workspace';
import '../cacheHome';

const REPO = path.resolve(__dirname, '../..');

function batt(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(REPO, 'src/cli/main.ts'), ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: path.join(REPO, 'node_modules') },
    timeout: 120000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function json(args: string[]): RunJson {
  const r = batt([...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as RunJson;
}

describe('batt CLI on generated batt modules', function () {
  this.timeout(180000);
  const made: string[] = [];
  const workspace = (files: Record<string, string | null>) => {
    const ws = battWorkspace(files);
    made.push(ws);
    return ws;
  };
  after(() => made.forEach((ws) => fs.rmSync(ws, { recursive: true, force: true })));

  it('reports entries as duplicates of equal programs, with their own lengths and the mutated flag', () => {
    const ws = workspace({ 'solvers.py': null, 'batt_gen_a.py': null, 'batt_gen_b.py': null });
    const doc = json(['run', '--workspace', ws, '--timeout', '5']);
    assert.equal(cand(doc, 'e6a05f38', 'batt:21:e6a05f38').duplicateOf, 'solve_e6a05f38');
    assert.equal(cand(doc, 'e6a05f38', 'batt:21:e6a05f38').hash, cand(doc, 'e6a05f38', 'solve_e6a05f38').hash);
    assert.equal(cand(doc, 'c81f4a6b', 'batt:15:c81f4a6b').duplicateOf, 'solve_c81f4a6b');
    assert.equal(cand(doc, '7b4c2e91', 'batt:14:7b4c2e91').duplicateOf, 'batt:38:7b4c2e91');
    assert.deepEqual(['batt:21:e6a05f38', 'batt:30:d1e84c5a', 'batt:38:7b4c2e91', 'batt:45:63d5af2e'].map((n) => cand(doc, n.split(':')[2], n).length), [4, 5, 6, 7]);
    assert.equal(cand(doc, 'd1e84c5a', 'batt:30:d1e84c5a').mutated, true);
    assert.equal(cand(doc, 'd1e84c5a', 'solve_d1e84c5a').mutated, undefined);

    const text = batt(['run', '--workspace', ws, '--timeout', '5', '--task', 'd1e84c5a,e6a05f38']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^ +\d+\. batt:30:d1e84c5a mutated +✗+ +fail /m);
    assert.match(text.stdout, /^ +\d+\. batt:21:e6a05f38 +✓+ +duplicate .*same program as solve_e6a05f38/ms);
  });

  it('--store keeps an entry as its own program, which passes after the generator overwrites the module', () => {
    const ws = workspace({ 'solvers.py': null, 'batt_gen_a.py': null, 'batt_gen_b.py': null });
    const stored = json(['run', '--workspace', ws, '--timeout', '5', '--task', '7b4c2e91,63d5af2e', '--store']).stored;
    assert.deepEqual(stored.map((s) => s.name).sort(), ['batt:38:7b4c2e91', 'batt:45:63d5af2e']);
    fs.copyFileSync(path.join(REPO, 'test/fixtures/battModules/batt_gen_a_next.py'), path.join(ws, 'batt_gen_a.py'));
    const after = json(['run', '--workspace', ws, '--timeout', '5', '--task', '7b4c2e91,63d5af2e', '--include-store']);
    for (const t of after.tasks) {
      const fromStore = t.candidates.filter((c) => c.file.includes(`${path.sep}.batt${path.sep}solvers${path.sep}`));
      assert.equal(fromStore.length, 1, t.id);
      assert.equal(fromStore[0].status, 'pass', JSON.stringify(fromStore[0].pairs.map((p) => p.message)));
    }
  });

  it('times a module call once: entries share it, and a hot run saves it once', () => {
    const ws = workspace({ 'batt_slow.py': SLOW_MODULE });
    const cold = json(['run', '--workspace', ws, '--timeout', '5', '--task', 'a3f1c07e', '--battery']);
    const entries = cold.tasks[0].candidates;
    assert.equal(entries.length, 4);
    const calls = entries[0].pairs.map((_, at) => entries.reduce((s, c) => s + c.pairs[at].ms, 0));
    assert.ok(calls.every((ms) => ms >= 300), `each call sleeps 300 ms: ${calls.join(', ')}`);
    // a call sleeps 300 ms and scores four entries: each has a quarter, not the whole call (as it had)
    assert.ok(entries.every((c) => c.pairs.every((p, at) => p.ms < 300 && Math.abs(p.ms - calls[at] / 4) < 0.01)), JSON.stringify(entries.map((c) => c.pairs.map((p) => p.ms))));
    const hot = json(['run', '--workspace', ws, '--timeout', '5', '--task', 'a3f1c07e', '--battery']);
    assert.equal(hot.summary.ran, 0);
    const sum = calls.reduce((s, x) => s + x, 0);
    assert.ok(Math.abs(hot.cache.validation.savedMs - sum) < 1, `Time Saved ${hot.cache.validation.savedMs} ms, calls ${sum} ms`);
    const text = batt(['run', '--workspace', ws, '--timeout', '5', '--task', 'a3f1c07e', '--battery']);
    const saved = /Validation Cache:[\s\S]*?Time Saved: ~([\d.]+)s/.exec(text.stdout);
    assert.ok(saved, text.stdout);
    assert.ok(Math.abs(Number(saved[1]) - sum / 1000) < 0.011, `${saved[1]} s vs ${sum / 1000} s`);
  });

  it('ranks tied entries by their numbers (batt:5 before batt:1026)', () => {
    const pad = paddedModule();
    const ws = workspace({ 'batt_big.py': pad.text });
    const doc = json(['run', '--workspace', ws, '--timeout', '5', '--task', '0d9e3b72', '--battery']);
    const order = doc.tasks[0].candidates.map((c) => c.name);
    assert.deepEqual(order, [pad.small, pad.big]);
    const text = batt(['run', '--workspace', ws, '--timeout', '5', '--task', '0d9e3b72', '--battery']);
    assert.ok(text.stdout.indexOf(`1. ${pad.small}`) >= 0 && text.stdout.indexOf(`2. ${pad.big}`) > text.stdout.indexOf(`1. ${pad.small}`), text.stdout);
  });
});
