/**
 * The timing panel at scale in a real VS Code (issue 11 §3), on the sample workspace: "Run every task" opens the
 * per-task table and a row opens its task's known leaderboard; the task quick pick shows candidates and verdicts,
 * unsolved first; during "Run batt on task" the panel gets progress, then opens on the leaderboard.
 * Polls with deadlines; never sleeps a fixed time.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { BattApi } from '../../src/extension/extension';
import { until } from '../poll';
import { activateBatt } from './activate';

suite('batt panel', function () {
  let api: BattApi;

  suiteSetup(async function () {
    this.timeout(120000);
    api = await activateBatt();
    await vscode.commands.executeCommand('batt.showTiming');
    await until('the panel to load and say ready', () => api.panel.ready, 60_000);
  });

  test('"Run every task" opens the per-task table; a row opens that task\'s known leaderboard without a run', async function () {
    this.timeout(120000);
    const n = api.runResults.length;
    await vscode.commands.executeCommand('batt.runAll');
    await until('the run\'s result', () => api.runResults.length > n || undefined, 60_000);
    const state = await until('the panel opened on the tasks', () => (api.model.state().show?.view === 'tasks' ? api.model.state() : undefined), 30_000);
    const rows = state.tasks ?? [];
    assert.ok(rows.length >= 10, `a row per sample task with candidates (${rows.length})`);
    const a3 = rows.find((r) => r.id === 'a3f1c07e');
    assert.ok(a3 && a3.solved && /a3f1c07e/.test(a3.best ?? '') && a3.passed === a3.pairs, JSON.stringify(a3));
    const bad = rows.find((r) => r.id === '9fd2a6c3');
    assert.ok(bad && !bad.solved && bad.passed > 0 && bad.passed < bad.pairs, JSON.stringify(bad));
    const shape = rows.find((r) => r.id === '0d9e3b72');
    assert.ok(shape, 'the wrong-shape sample task has a row');
    const runs = api.runResults.length;
    api.panel.receive({ type: 'openTask', taskId: '9fd2a6c3' });
    const lb = await until('the known leaderboard of 9fd2a6c3', () => (api.model.leaderboard?.taskId === '9fd2a6c3' ? api.model.leaderboard : undefined), 10_000);
    assert.strictEqual(api.model.state().show?.view, 'leaderboard');
    assert.deepStrictEqual(lb.run.tasks.map((t) => t.id), ['9fd2a6c3']);
    assert.strictEqual(api.runResults.length, runs, 'known results: nothing ran');
    assert.strictEqual(api.panel.dropped, 0);
  });

  test('the task quick pick: candidates and last verdict per task, unsolved first, a verdict filter button', async function () {
    this.timeout(60000);
    void vscode.commands.executeCommand('batt.runOnTask');
    const qp = await until('the task quick pick', () => {
      const p = api.taskPick();
      return p && p.items.length ? p : undefined;
    }, 30_000);
    try {
      const separators = qp.items.filter((i) => i.kind === vscode.QuickPickItemKind.Separator).map((i) => i.label);
      assert.match(separators[0], /^unsolved \(\d+\)$/);
      assert.ok(separators.indexOf(separators.find((l) => l.startsWith('solved'))!) > 0, `solved after unsolved: ${separators}`);
      const first = qp.items[1];
      assert.strictEqual(first.kind, undefined);
      assert.match(first.description ?? '', /^\d+ demo, \d+ test · \d+ candidates? · unsolved$/);
      assert.match(first.detail ?? '', /^last run: unsolved — best \S+, \d+\/\d+ pairs/);
      const a3 = qp.items.find((i) => i.label === 'a3f1c07e');
      assert.match(a3?.description ?? '', /· \d+ candidates? · solved$/);
      assert.strictEqual(qp.buttons.length, 1, 'the verdict filter');
      assert.strictEqual(qp.title, 'Run batt on task');
    } finally {
      qp.hide();
    }
    await until('the quick pick to close', () => !api.taskPick() || undefined, 10_000);
  });

  test('during "Run batt on task" the panel gets progress, then opens on the leaderboard', async function () {
    this.timeout(120000);
    await vscode.commands.executeCommand('batt.clearCache'); // so the battery has jobs to report
    const from = api.panel.posted.length;
    await vscode.commands.executeCommand('batt.runOnTask', '5e2b9d14');
    const lb = await until('the leaderboard of 5e2b9d14', () => (api.model.leaderboard?.taskId === '5e2b9d14' && api.model.leaderboard.task ? api.model.leaderboard : undefined), 60_000);
    const posted = api.panel.posted.slice(from);
    const firstProgress = posted.indexOf('progress');
    assert.ok(firstProgress >= 0, `progress posted to the panel: ${posted.join(',')}`);
    assert.ok(posted.lastIndexOf('state') > firstProgress, `the leaderboard state after the progress: ${posted.join(',')}`);
    const s = api.model.state();
    assert.strictEqual(s.show?.view, 'leaderboard');
    assert.strictEqual(s.leaderboard, lb);
    assert.strictEqual(s.progress, undefined, 'no progress left once the run is over');
    assert.ok(lb.run.tasks[0].candidates.length >= 10);
  });
});
