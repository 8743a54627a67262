/**
 * "Batt: Write submission" in a real VS Code, on the temporary copy of the sample workspace (12 tasks, their test
 * outputs known): the command, given the file (as the save dialog would), writes a competition-format submission of
 * every task, answers the report (score, oracle gap, unstable candidates, the text) and keeps it for the panel; the
 * report's button (Show Report) opens the panel on the Submission tab. Polls with deadlines; never sleeps a fixed time.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { BattApi } from '../../src/extension/extension';
import type { SubmissionResult } from '../../src/protocol/submission';
import { until } from '../poll';
import { activateBatt } from './activate';

suite('batt submission: Write submission', function () {
  let api: BattApi;

  suiteSetup(async function () {
    this.timeout(120000);
    api = await activateBatt();
  });

  test('writes every task two attempts per test input, answers the report, and the panel shows it', async function () {
    this.timeout(240000);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'a workspace folder is open');
    const out = path.join(folder.uri.fsPath, 'out', 'submission.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    try {
      const r = await vscode.commands.executeCommand<SubmissionResult | undefined>('batt.writeSubmission', { out });
      assert.ok(r, 'the command answered its report');
      assert.strictEqual(r.report.out, out);
      const file = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, Array<Record<string, unknown>>>;
      const tasks = fs.readdirSync(path.join(folder.uri.fsPath, 'tasks')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
      assert.deepStrictEqual(Object.keys(file).sort(), tasks, 'every task of the workspace');
      for (const [id, attempts] of Object.entries(file)) {
        assert.ok(attempts.length >= 1 && attempts.every((a) => Array.isArray(a.attempt_1) && Array.isArray(a.attempt_2)), `${id}: attempt_1 and attempt_2 per test input`);
      }
      assert.strictEqual(r.report.tasks, 12);
      assert.ok(r.report.score && r.report.score.right >= 8 && r.report.score.total === 14, JSON.stringify(r.report.score));
      assert.ok(Array.isArray(r.report.oracleGap) && Array.isArray(r.report.unstable));
      assert.match(r.text, /^score: \d+\/14 test outputs right/m);
      assert.strictEqual(api.model.submission, r, 'kept for the panel');

      // what the notification's Show Report does: the panel opens on the Submission tab
      api.panel.showSubmission(r);
      await until('the panel open with the submission', () => api.panel.visible && api.panel.ready && api.model.state().submission === r);
      assert.strictEqual(api.model.state().show?.view, 'submission');
    } finally {
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
    }
  });

  test('arguments that are not { folder?, out? } are refused, nothing is written', async () => {
    const r = await vscode.commands.executeCommand<SubmissionResult | undefined>('batt.writeSubmission', { out: 3 });
    assert.strictEqual(r, undefined);
  });
});
