/**
 * The workspace stays clean in a real VS Code (issue 11 §6): after a run nothing binary of batt's is offered — no
 * .pyc anywhere, nothing under .batt/cache — because the caches and the bytecode are in the user cache folder
 * (the test profile's $XDG_CACHE_HOME, scripts/vscode-web.mjs), and the extension uses that cache: a second run is
 * served from it. Polls with deadlines; never sleeps a fixed time.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { BattApi } from '../../src/extension/extension';
import type { RunResultParams } from '../../src/protocol/lsp';
import { defaultCacheDir } from '../../src/engine/store/cacheLocation';
import { until } from '../poll';
import { activateBatt } from './activate';

function ws(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'a workspace folder is open');
  return f.uri.fsPath;
}

suite('batt keeps the workspace clean', function () {
  let api: BattApi;

  suiteSetup(async function () {
    this.timeout(120000);
    api = await activateBatt();
  });

  /** Runs every task and returns that run's result. */
  async function runAll(): Promise<RunResultParams> {
    const n = api.runResults.length;
    await vscode.commands.executeCommand('batt.runAll');
    return until('the "Run every task" result', () => api.runResults.slice(n).find((r) => r.reason === 'manual' && r.run.summary.tasks > 1), 90_000);
  }

  test('after a run no .pyc and nothing under .batt/cache is in the workspace; a second run comes from the cache', async function () {
    this.timeout(240000);
    await runAll();
    const second = await runAll();
    // null: no exclude at all, not even files.exclude: nothing is hidden, it is not there
    assert.deepStrictEqual((await vscode.workspace.findFiles('**/*.pyc', null)).map((u) => u.fsPath), [], 'no bytecode in the workspace');
    assert.deepStrictEqual((await vscode.workspace.findFiles('**/__pycache__/**', null)).map((u) => u.fsPath), []);
    assert.deepStrictEqual((await vscode.workspace.findFiles('.batt/cache/**', null)).map((u) => u.fsPath), [], 'no cache in the workspace');
    const batt = (await vscode.workspace.findFiles('.batt/**', null)).map((u) => path.relative(ws(), u.fsPath).split(path.sep).join('/'));
    assert.ok(batt.includes('.batt/.gitignore') && batt.includes('.batt/runs.jsonl'), batt.join(', '));
    assert.deepStrictEqual(batt.filter((f) => !/^\.batt\/(\.gitignore|runs\.jsonl|solvers\/[^/]+\.(py|jsonl))$/.test(f)), [], 'only the run log and the solver store');

    const cache = defaultCacheDir(ws());
    assert.ok(process.env.XDG_CACHE_HOME && cache.startsWith(process.env.XDG_CACHE_HOME), `${cache} is in the profile's user cache folder`);
    assert.ok(fs.readdirSync(path.join(cache, 'validation')).some((n) => n.startsWith('seg-')), 'the extension cached its verdicts there');
    const v = second.run.cache.validation;
    assert.ok(v.hits > 0 && v.hits > v.misses, `the second run was served from the cache (${v.hits} hits, ${v.misses} misses)`);
  });
});
