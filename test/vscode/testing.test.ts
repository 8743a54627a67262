/**
 * The Testing view (issue 13) in a real VS Code, on the temporary copy of the sample workspace: the test tree (task →
 * candidate → pair, each candidate on its own task, exact items with their file ranges), Run from the Testing view
 * (`testing.runAll`: batt/runCandidates through the server's runs), a failing pair's TestMessage with the expected and
 * actual grids, continuous run making a save run with batt.runOnSave off, the cached verdicts after the language server
 * restarts (as on reopening the window), Stop (`testing.cancelRun`) killing the busy workers (/proc), and a solver
 * file written and deleted outside the editor (the file watcher).
 * Polls with deadlines; never sleeps a fixed time.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { BattApi } from '../../src/extension/extension';
import type { TestReport } from '../../src/extension/testing/controller';
import { until } from '../poll';
import { activateBatt } from './activate';

function ws(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'a workspace folder is open');
  return f.uri.fsPath;
}

/** The samples' test tree: each task with candidates, its candidates (by name) and their pairs. */
const TREE: Record<string, { candidates: string[]; demo: number; test: number }> = {
  '0d9e3b72': { candidates: ['solve_0d9e3b72', 'solve_0d9e3b72_trimmed', 'solve_0d9e3b72_triple'], demo: 3, test: 1 },
  '2ab8e5f0': { candidates: ['solve_2ab8e5f0'], demo: 3, test: 1 },
  '41c7d8ab': { candidates: ['solve_41c7d8ab', 'solve_41c7d8ab_mirrored', 'solve_41c7d8ab_transposed'], demo: 3, test: 1 },
  '63d5af2e': { candidates: ['solve_63d5af2e_largest', 'solve_63d5af2e_sic'], demo: 3, test: 1 },
  '7b4c2e91': { candidates: ['batt:12:7b4c2e91', 'solve_7b4c2e91', 'solve_7b4c2e91_background', 'solve_7b4c2e91_replace'], demo: 3, test: 2 },
  '9fd2a6c3': { candidates: ['solve_9fd2a6c3'], demo: 3, test: 1 },
  a3f1c07e: { candidates: ['batt:1:a3f1c07e', 'solve_a3f1c07e', 'solve_a3f1c07e_quarter'], demo: 3, test: 2 },
  b70e19d4: { candidates: ['solve_b70e19d4'], demo: 3, test: 1 },
  c81f4a6b: { candidates: ['solve_c81f4a6b', 'solve_c81f4a6b_beside', 'solve_c81f4a6b_copy'], demo: 3, test: 1 },
  d1e84c5a: { candidates: ['batt:10:d1e84c5a', 'solve_d1e84c5a', 'solve_d1e84c5a_shifted'], demo: 3, test: 1 },
  e6a05f38: { candidates: ['batt:7:e6a05f38', 'solve_e6a05f38', 'solve_e6a05f38_all'], demo: 3, test: 1 },
};
const CANDIDATES = Object.values(TREE).reduce((n, t) => n + t.candidates.length, 0);

function items(c: vscode.TestItemCollection): vscode.TestItem[] {
  const out: vscode.TestItem[] = [];
  c.forEach((i) => out.push(i));
  return out;
}

/** The tree as the Testing view has it: task label → candidate labels → pair labels. */
function treeOf(api: BattApi): Record<string, { candidates: string[]; demo: number; test: number }> {
  const out: Record<string, { candidates: string[]; demo: number; test: number }> = {};
  for (const t of items(api.testing.controller.items)) {
    const cs = items(t.children);
    const pairs = cs.length ? items(cs[0].children).map((p) => p.label) : [];
    out[t.label] = { candidates: cs.map((c) => c.label).sort(), demo: pairs.filter((p) => p.startsWith('demo')).length, test: pairs.filter((p) => p.startsWith('test')).length };
  }
  return out;
}

function candidateItem(api: BattApi, name: string): vscode.TestItem | undefined {
  for (const t of items(api.testing.controller.items)) for (const c of items(t.children)) if (c.label === name) return c;
  return undefined;
}

/** Reports since `from` of the candidate `name` (or its pair `pair`, e.g. "demo:1") in runs named `run`. */
function reportsOf(api: BattApi, from: number, run: string, name: string, pair?: string): TestReport[] {
  const tail = pair ? `#${name}/${pair}` : `#${name}`;
  return api.testing.reports.slice(from).filter((r) => r.run === run && r.id.endsWith(tail));
}

/** pid -> argv of every live (not zombie) process. */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

suite('batt in the Testing view', function () {
  let api: BattApi;

  suiteSetup(async function () {
    this.timeout(120000);
    api = await activateBatt();
  });

  test('the test tree of the samples: each task with its own candidates and their pairs, at their lines', async function () {
    this.timeout(90000);
    const tree = await until('the samples’ test tree', () => {
      const t = treeOf(api);
      return Object.values(t).reduce((n, x) => n + x.candidates.length, 0) === CANDIDATES ? t : undefined;
    }, 60000);
    assert.deepStrictEqual(tree, TREE);
    assert.ok(!('5e2b9d14' in tree), 'a task no candidate of its own targets is no item (transfers stay in the leaderboard)');
    // each solver's range starts on its def line: the gutter's run button
    for (const name of ['solve_b70e19d4', 'solve_2ab8e5f0', 'solve_a3f1c07e_quarter']) {
      const c = candidateItem(api, name)!;
      const doc = await vscode.workspace.openTextDocument(c.uri!);
      assert.ok(doc.lineAt(c.range!.start.line).text.startsWith(`def ${name}(`), `${name} at line ${c.range!.start.line + 1}`);
    }
    const entry = candidateItem(api, 'batt:1:a3f1c07e')!;
    assert.strictEqual(path.basename(entry.uri!.fsPath), 'batt_sample.py');
    const pair = items(candidateItem(api, 'solve_b70e19d4')!.children).find((p) => p.label === 'demo 1')!;
    assert.strictEqual(path.basename(pair.uri!.fsPath), 'b70e19d4.json', 'a pair item is in its task file');
  });

  test('Run from the Testing view runs every candidate through the pool: passed, failed, errored with durations', async function () {
    this.timeout(240000);
    const from = api.testing.reports.length;
    const results = api.runResults.length;
    await vscode.commands.executeCommand('testing.runAll');
    const all = await until('a report for every candidate', () => {
      const names = new Set(api.testing.reports.slice(from).filter((r) => r.run === 'batt: run' && /#[^/]+$/.test(r.id)).map((r) => r.id.replace(/^.*#/, '')));
      return names.size === CANDIDATES ? names : undefined;
    }, 200000);
    assert.strictEqual(all.size, CANDIDATES);
    const state = (name: string) => reportsOf(api, from, 'batt: run', name).at(-1);
    assert.strictEqual(state('solve_a3f1c07e')?.state, 'passed');
    assert.strictEqual(typeof state('solve_a3f1c07e')?.ms, 'number');
    assert.strictEqual(state('solve_b70e19d4')?.state, 'failed');
    assert.strictEqual(state('solve_9fd2a6c3')?.state, 'errored');
    const timeout = state('solve_2ab8e5f0');
    assert.strictEqual(timeout?.state, 'errored');
    assert.match(timeout.messages[0].text, /2 s/, 'a timeout says the limit');
    const exc = reportsOf(api, from, 'batt: run', 'solve_9fd2a6c3', 'demo:1').at(-1)!;
    assert.match(exc.messages[0].text, /IndexError[\s\S]*raised in first/);
    assert.ok(exc.messages[0].frames?.some((f) => /^first .*dsl\.py:\d+$/.test(f)), `the DSL frame: ${exc.messages[0].frames?.join(', ')}`);
    const doc = await vscode.workspace.openTextDocument(path.join(ws(), 'solvers.py'));
    assert.match(doc.lineAt(exc.messages[0].line! - 1).text, /x3 = first\(x2\)/, 'the exception is at its raising line');
    // the same runs as the rest of batt: the panel and the diagnostics got it
    assert.ok(api.runResults.slice(results).some((r) => r.reason === 'candidates'), 'a batt/runResult of the run');
    assert.ok(candidateItem(api, 'solve_b70e19d4')!.tags.some((t) => t.id === 'unsolved'));
    assert.ok(candidateItem(api, 'solve_c81f4a6b_copy')!.tags.some((t) => t.id === 'duplicate'));
  });

  test('a failing pair is a TestMessage with the expected and actual grids as rows of digits, at the pair', async function () {
    this.timeout(60000);
    const pair = api.testing.reports.filter((r) => r.run === 'batt: run' && r.id.endsWith('#solve_b70e19d4/demo:1')).at(-1);
    assert.ok(pair, 'the run reported solve_b70e19d4 demo 1');
    assert.strictEqual(pair.state, 'failed');
    const m = pair.messages[0];
    assert.match(m.expected ?? '', /^\d+(\n\d+)*$/, 'expected: rows of digits');
    assert.match(m.actual ?? '', /^\d+(\n\d+)*$/, 'actual: rows of digits');
    assert.notStrictEqual(m.expected, m.actual);
    assert.match(m.text, /^demo pair 1: /);
    assert.ok(m.uri?.endsWith('/tasks/b70e19d4.json'), `at the pair: ${m.uri}`);
    assert.strictEqual(m.contextValue, 'batt.pair', '"Show in batt panel" is offered on it');
    const cand = api.testing.reports.filter((r) => r.run === 'batt: run' && r.id.endsWith('#solve_b70e19d4')).at(-1)!;
    assert.ok(cand.messages[0].uri?.endsWith('/solvers.py') && cand.messages[0].expected === m.expected, 'the candidate’s message, on its def line, has the same diff');
    // "Show in batt panel" opens the pair view on that pair
    const from = api.panel.received.length;
    const item = items(candidateItem(api, 'solve_b70e19d4')!.children).find((p) => p.label === 'demo 1')!;
    await vscode.commands.executeCommand('batt.testing.showPair', { test: item });
    await until('the pair view of demo 1', () => api.panel.received.slice(from).find((x) => x.type === 'pairShown' && x.candidate === 'solve_b70e19d4' && x.index === 1), 50000);
  });

  test('continuous run is the on-save behaviour: with batt.runOnSave off, a save runs while it is on', async function () {
    this.timeout(180000);
    const config = vscode.workspace.getConfiguration('batt');
    await config.update('runOnSave', false, vscode.ConfigurationTarget.Workspace);
    try {
      await vscode.commands.executeCommand('testing.startContinuousRun');
      await until('the continuous run to start', () => api.testing.continuousOn(), 30000);
      const from = api.testing.reports.length;
      const doc = await vscode.workspace.openTextDocument(path.join(ws(), 'solvers.py'));
      const editor = await vscode.window.showTextDocument(doc);
      await editor.edit((b) => b.insert(doc.positionAt(doc.getText().length), '\n'));
      assert.ok(await doc.save());
      const r = await until('the save run’s verdicts in the Testing view', () => reportsOf(api, from, 'batt: on save', 'solve_b70e19d4').at(-1), 120000);
      assert.strictEqual(r.state, 'failed');
    } finally {
      await vscode.commands.executeCommand('testing.stopContinuousRun');
      await until('the continuous run to stop', () => !api.testing.continuousOn(), 30000);
      await config.update('runOnSave', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('the cached verdicts appear when the language server starts again, marked as from the cache', async function () {
    this.timeout(180000);
    const servers = () =>
      fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
        try {
          const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid && /dist[\\/]server\.js/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
        } catch {
          return false;
        }
      });
    const [old] = await until('the language server', () => (servers().length === 1 ? servers() : undefined), 60000);
    const from = api.testing.reports.length;
    process.kill(old, 'SIGKILL');
    const cached = 'batt: cached verdicts (nothing ran)';
    const r = await until('the cached verdict of solve_b70e19d4', () => reportsOf(api, from, cached, 'solve_b70e19d4').at(-1), 120000);
    assert.strictEqual(r.state, 'failed');
    assert.match(r.messages[0].text, /from the cache/);
    assert.ok(reportsOf(api, from, cached, 'solve_a3f1c07e').some((x) => x.state === 'passed'));
    assert.ok(!api.testing.reports.slice(from).some((x) => x.run === 'batt: run' || x.run === 'batt: on save'), 'nothing ran');
  });

  test('Stop cancels the run: the busy workers are killed (/proc) and the queue is dropped', async function () {
    this.timeout(240000);
    await until('the tree after the restart', () => candidateItem(api, 'solve_2ab8e5f0'), 60000);
    await vscode.commands.executeCommand('batt.clearCache'); // the endless solver must run, not come from the cache
    const from = api.testing.reports.length;
    void vscode.commands.executeCommand('testing.runAll');
    const busy = await until('a worker running the endless solver', () => {
      const pids = (api.status()?.detail ?? []).filter((w) => w.state === 'busy' && w.job?.includes('solve_2ab8e5f0') && w.pid).map((w) => w.pid!);
      return pids.length ? pids : undefined;
    }, 120000, 20);
    assert.ok(busy.every(alive));
    await vscode.commands.executeCommand('testing.cancelRun');
    await until('the busy workers to be killed', () => busy.every((pid) => !alive(pid)), 30000);
    await until('the run to end, its unfinished items skipped', () => api.testing.reports.slice(from).some((r) => r.run === 'batt: run' && r.state === 'skipped'), 30000);
    const s = await until('an empty queue', () => (api.status()?.queued === 0 && !(api.status()?.detail ?? []).some((w) => w.job?.includes('solve_2ab8e5f0')) ? api.status() : undefined), 30000);
    assert.strictEqual(s?.queued, 0);
    assert.ok(reportsOf(api, from, 'batt: run', 'solve_2ab8e5f0').every((r) => r.state === 'skipped'), 'the endless solver was stopped: no verdict');
  });

  test('a solver file written outside the editor joins the tree, and leaves it when deleted', async function () {
    this.timeout(90000);
    const file = path.join(ws(), 'outside_solvers.py');
    fs.writeFileSync(file, 'from dsl import *\n\n\ndef solve_b70e19d4_outside(I):\n    x1 = rot90(I)\n    return x1\n');
    try {
      const c = await until('the new candidate in the tree', () => candidateItem(api, 'solve_b70e19d4_outside'), 60000);
      assert.strictEqual(path.basename(c.uri!.fsPath), 'outside_solvers.py');
      assert.strictEqual(c.range?.start.line, 3, 'at its def line');
      assert.ok(candidateItem(api, 'solve_b70e19d4'), 'the rest of the tree stays');
    } finally {
      fs.rmSync(file, { force: true });
    }
    await until('the deleted file’s candidate gone', () => !candidateItem(api, 'solve_b70e19d4_outside'), 60000);
    assert.ok(candidateItem(api, 'solve_b70e19d4'), 'the rest of the tree stays');
  });
});
