/**
 * Diagnostics that help fix the solver (issue 11 §5) in a real VS Code, on the temporary copy of the sample workspace:
 * a mismatch diagnostic offers "Show demo pair 1 in the batt panel", which opens the panel's pair view on that pair
 * (the webview answers pairShown once the pair is in view); a syntax error typed is a batt-lint diagnostic before any
 * save, the verdicts stay, and a save keeps them, marked, until the file parses again.
 * Polls with deadlines; never sleeps a fixed time.
 */
import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import type { BattApi } from '../../src/extension/extension';
import { until } from '../poll';
import { activateBatt } from './activate';

/** The sample solver whose output is the expected one rotated: a mismatch on demo pair 1 (samples/README.md). */
const ROTATED = 'solve_b70e19d4';
const MARK = /\(from the last run that parsed this file: line \d+ has a syntax error\)$/;

function solversFile(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'a workspace folder is open');
  return path.join(f.uri.fsPath, 'solvers.py');
}

function diags(uri: vscode.Uri, source = 'batt'): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === source);
}

function rotated(uri: vscode.Uri): vscode.Diagnostic | undefined {
  return diags(uri).find((d) => d.code === 'mismatch' && d.message.startsWith(`${ROTATED}:`));
}

async function actionsAt(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  return (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range)) ?? [];
}

suite('batt code actions and syntax errors', function () {
  let api: BattApi;

  suiteSetup(async function () {
    this.timeout(120000);
    api = await activateBatt();
  });

  test('a mismatch offers "Show demo pair 1 in the batt panel", which opens the pair view on that pair', async function () {
    this.timeout(180000);
    const doc = await vscode.workspace.openTextDocument(solversFile());
    await vscode.window.showTextDocument(doc);
    if (!rotated(doc.uri)) {
      // no verdicts yet (this suite alone): a save runs the file
      const editor = await vscode.window.showTextDocument(doc);
      await editor.edit((b) => b.insert(doc.positionAt(doc.getText().length), '\n'));
      assert.ok(await doc.save());
    }
    const d = await until(`the mismatch diagnostic of ${ROTATED}`, () => rotated(doc.uri), 90_000);
    assert.match(d.message, /— pair 1: /);
    const actions = await until('the code actions on it', async () => {
      const a = await actionsAt(doc.uri, d.range);
      return a.length ? a : undefined;
    }, 30_000);
    const show = actions.find((a) => a.title === 'Show demo pair 1 in the batt panel');
    assert.ok(show, `offered: ${actions.map((a) => a.title).join(', ')}`);
    assert.strictEqual(show.kind?.value, vscode.CodeActionKind.QuickFix.value);
    assert.strictEqual(show.command?.command, 'batt.showPair');
    const ref = { taskId: 'b70e19d4', candidate: ROTATED, kind: 'demo', index: 1 };
    assert.deepStrictEqual(show.command.arguments, [ref]);
    assert.ok(!actions.some((a) => /pair/.test(a.title) && a !== show), 'one action for the pair');

    const from = api.panel.received.length;
    await vscode.commands.executeCommand(show.command.command, ...(show.command.arguments ?? []));
    const shown = await until('the webview to show the pair', () =>
      api.panel.received.slice(from).find((m) => m.type === 'pairShown' && m.candidate === ROTATED && m.kind === 'demo' && m.index === 1), 120_000,
    );
    assert.deepStrictEqual(shown, { type: 'pairShown', found: true, candidate: ROTATED, kind: 'demo', index: 1 });
    const lb = api.model.leaderboard;
    assert.strictEqual(lb?.taskId, 'b70e19d4');
    assert.ok(lb.task, 'the leaderboard has the task\'s grids');
    assert.ok(lb.run.tasks[0].candidates.find((c) => c.name === ROTATED)?.pairs.find((p) => p.kind === 'demo' && p.index === 1)?.actual, 'and the actual grid');
    assert.deepStrictEqual(api.model.state().show?.pair, { candidate: ROTATED, kind: 'demo', index: 1 });
    assert.ok(api.panel.visible);

    // bad arguments (the command is reachable by any extension) are refused, the panel stays as it is
    const before = api.model.state().show?.seq;
    await vscode.commands.executeCommand('batt.showPair', { ...ref, index: -1 });
    await vscode.commands.executeCommand('batt.showPair', '../../etc');
    assert.strictEqual(api.model.state().show?.seq, before);
    assert.strictEqual(api.panel.dropped, 0);
  });

  test('a syntax error typed is a batt-lint diagnostic before saving; the verdicts stay, a save keeps them marked', async function () {
    this.timeout(180000);
    const doc = await vscode.workspace.openTextDocument(solversFile());
    const editor = await vscode.window.showTextDocument(doc);
    const verdict = await until(`the mismatch diagnostic of ${ROTATED}`, () => rotated(doc.uri), 90_000);
    const verdicts = diags(doc.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length;
    const text = doc.getText();
    const line = text.split('\n').findIndex((l) => l === '    O = rot180(I)');
    assert.ok(line >= 0, 'solve_a3f1c07e\'s body');
    const runs = api.runResults.length;
    try {
      await editor.edit((b) => b.replace(doc.lineAt(line).range, '    O = rot180(I'));
      const lint = await until('a batt-lint syntax error before saving', () => diags(doc.uri, 'batt-lint').find((d) => d.code === 'syntax'), 60_000);
      assert.strictEqual(lint.severity, vscode.DiagnosticSeverity.Error);
      assert.match(lint.message, /^SyntaxError: /);
      assert.ok(doc.isDirty, 'not saved');
      assert.strictEqual(rotated(doc.uri)?.message, verdict.message, 'the verdicts stay as they were');
      assert.strictEqual(api.runResults.length, runs, 'nothing ran');

      assert.ok(await doc.save());
      const kept = await until('the verdicts kept, marked, after the save', () => {
        const r = rotated(doc.uri);
        return r && MARK.test(r.message) ? r : undefined;
      }, 90_000);
      assert.ok(kept.message.startsWith(verdict.message), kept.message);
      assert.ok(kept.relatedInformation?.some((ri) => /does not parse/.test(ri.message)));
      assert.strictEqual(diags(doc.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error && MARK.test(d.message)).length, verdicts, 'every verdict kept');
      const syntax = [...diags(doc.uri), ...diags(doc.uri, 'batt-lint')].filter((d) => d.code === 'syntax');
      assert.deepStrictEqual(syntax.map((d) => d.source), ['batt-lint'], 'the syntax error once');
      const actions = await actionsAt(doc.uri, kept.range);
      assert.ok(actions.some((a) => a.title === 'Show demo pair 1 in the batt panel'), 'a kept verdict still offers its pair');
    } finally {
      await editor.edit((b) => b.replace(doc.lineAt(line).range, '    O = rot180(I)'));
      await doc.save();
    }
    await until('fresh verdicts once the file parses again', () => {
      const r = rotated(doc.uri);
      const all = [...diags(doc.uri), ...diags(doc.uri, 'batt-lint')];
      return r && r.message === verdict.message && !all.some((d) => d.code === 'syntax' || MARK.test(d.message)) ? r : undefined;
    }, 90_000);
  });
});
