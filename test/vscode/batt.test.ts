/**
 * The extension in a real VS Code (server + Node extension host), on a temporary copy of the sample workspace.
 * Polls with deadlines; never sleeps a fixed time.
 */
import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import type { BattApi } from '../../src/extension/extension';
import { until } from '../poll';
import { activateBatt, EXT_ID } from './activate';



function ws(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'a workspace folder is open');
  return f.uri.fsPath;
}

function battDiags(file: string): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(vscode.Uri.file(file)).filter((d) => d.source === 'batt');
}

/** Opens a file, applies an edit (or a no-op touch), saves it. */
async function editAndSave(file: string, edit?: (text: string) => string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(file);
  const editor = await vscode.window.showTextDocument(doc);
  const text = doc.getText();
  const next = edit ? edit(text) : text.endsWith('\n\n') ? text.slice(0, -1) : text + '\n';
  assert.notStrictEqual(next, text, 'the edit changes the file');
  await editor.edit((b) => b.replace(new vscode.Range(doc.positionAt(0), doc.positionAt(text.length)), next));
  assert.ok(await doc.save(), 'saved');
  return doc;
}

/** 0-based line of `needle`, searching from the line holding `after` when given. */
function lineOf(doc: vscode.TextDocument, needle: string, after?: string): number {
  const lines = doc.getText().split('\n');
  const from = after ? lines.findIndex((l) => l.includes(after)) : 0;
  const i = lines.findIndex((l, n) => n >= from && l.includes(needle));
  assert.ok(i >= 0, `${needle} in ${doc.fileName}`);
  return i;
}

suite('batt extension', function () {
  let api: BattApi;

  suiteSetup(async function () {
    this.timeout(120000);
    api = await activateBatt();
  });

  test('activates, contributes its commands and reports the pool', async () => {
    const ext = vscode.extensions.getExtension(EXT_ID)!;
    assert.ok(ext.isActive);
    const titles = (ext.packageJSON.contributes.commands as Array<{ command: string; title: string; category: string }>).map((c) => `${c.category}: ${c.title}`);
    for (const t of ['Batt: Run batt on task', 'Batt: Show timing', 'Batt: Restart workers', 'Batt: Clear cache', 'Batt: Select tasks folder']) assert.ok(titles.includes(t), t);
    const all = await vscode.commands.getCommands(true);
    assert.ok(all.includes('batt.runOnTask'));
    const s = await until('a pool status from the server', () => api.status(), 60_000);
    assert.ok(['stopped', 'idle', 'starting', 'busy'].includes(s.state), s.state);
  });

  test('a save publishes diagnostics: exception line, mismatch text', async function () {
    this.timeout(120000);
    const file = path.join(ws(), 'solvers.py');
    const doc = await editAndSave(file);
    const diags = await until('batt diagnostics on solvers.py', () => {
      const d = battDiags(file);
      return d.some((x) => x.code === 'IndexError') && d.some((x) => x.code === 'mismatch') ? d : undefined;
    }, 60_000);
    const exc = diags.find((d) => d.code === 'IndexError')!;
    assert.strictEqual(exc.severity, vscode.DiagnosticSeverity.Error);
    assert.strictEqual(exc.range.start.line, lineOf(doc, 'x3 = first(x2)', 'def solve_9fd2a6c3'), 'the exception is on the line where it surfaced');
    assert.match(exc.message, /IndexError: .* \(in first, dsl\.py:\d+\)/);
    const shape = diags.find((d) => d.code === 'mismatch' && d.message.includes('solve_0d9e3b72_triple'))!;
    assert.strictEqual(shape.range.start.line, lineOf(doc, 'def solve_0d9e3b72_triple'));
    assert.match(shape.message, /demo 0\/3 — pair 0: expected 6x6, got 9x9: actual is 1\.5x the expected in both dimensions — the same picture at another scale; test 0\/1/);
    const cells = diags.find((d) => d.message.includes('solve_b70e19d4'))!;
    assert.match(cells.message, /demo 1\/3 — pair 1: the expected is the actual rotated 180°; \d+ of \d+ cells right; test 0\/1/);
    const dup = vscode.languages.getDiagnostics(vscode.Uri.file(file)).find((d) => d.source === 'batt' && d.code === 'duplicate');
    assert.ok(dup && dup.severity === vscode.DiagnosticSeverity.Hint && /same program as solve_c81f4a6b/.test(dup.message));
  });

  test('a solver that never returns gets a timeout diagnostic', async function () {
    this.timeout(120000);
    const file = path.join(ws(), 'slow_solvers.py');
    const doc = await editAndSave(file);
    const d = await until('timeout diagnostic', () => battDiags(file).find((x) => x.code === 'timeout'), 90000);
    assert.strictEqual(d.range.start.line, lineOf(doc, 'def solve_2ab8e5f0'));
    assert.match(d.message, /timeout: over 2 s of CPU time/);
  });

  test('fixing a solver and saving clears its diagnostic', async function () {
    this.timeout(120000);
    const file = path.join(ws(), 'solvers.py');
    await until('the mismatch diagnostic first', () => battDiags(file).find((d) => d.message.includes('solve_0d9e3b72_triple') && d.code === 'mismatch'), 60_000);
    await editAndSave(file, (t) => t.replace('O = upscale(I, THREE)', 'O = upscale(I, TWO)'));
    await until('the mismatch diagnostic to go', () => !battDiags(file).some((d) => d.message.includes('solve_0d9e3b72_triple') && d.severity === vscode.DiagnosticSeverity.Error) || undefined, 60_000);
    // now a duplicate of solve_0d9e3b72: a hint, not an error
    assert.ok(battDiags(file).some((d) => d.code === 'duplicate' && d.message.startsWith('solve_0d9e3b72_triple is the same program as solve_0d9e3b72')));
    await editAndSave(file, (t) => t.replace('O = upscale(I, TWO)\n    return O\n\n\ndef solve_7b4c2e91', 'O = upscale(I, THREE)\n    return O\n\n\ndef solve_7b4c2e91'));
  });

  test('the status bar shows the pool and the last run', async () => {
    // Workers killed by the timeout test may still be restarting: poll until the pool is back, with the last run.
    const text = await until('status bar with the pool and a last run', () => {
      const t = api.statusText();
      return /batt: (idle 4\/4|busy \d\/4) · solved \d+\/\d+ · [\d.]+ s · cache/.test(t) ? t : undefined;
    }, 60_000);
    assert.match(text, /cache (\d+%|–)$/);
  });

  test('"Run batt on task" fills the leaderboard and the panel shows real phase numbers', async function () {
    this.timeout(120000);
    await vscode.commands.executeCommand('batt.runOnTask', '5e2b9d14');
    const lb = await until('leaderboard', () => api.model.leaderboard, 60_000);
    assert.strictEqual(lb.taskId, '5e2b9d14');
    const cands = lb.run.tasks[0].candidates;
    assert.ok(cands.length >= 10, `battery: every workspace candidate (${cands.length})`);
    assert.deepStrictEqual(cands.filter((c) => c.solved).map((c) => c.name).sort(), ['batt:1:a3f1c07e', 'solve_a3f1c07e']);
    assert.strictEqual(cands[0].rank, 1);
    assert.ok(cands[0].solved);
    assert.ok(lb.task && lb.task.train.length === 2, 'task grids for the diff view');
    await until('the panel to load and say ready', () => api.panel.ready, 60_000);
    assert.ok(api.panel.received.some((m) => m.type === 'ready'));
    const phases = lb.run.phases;
    assert.ok(phases.find((p) => p.name === 'score')!.ms > 0);
    assert.ok(Math.abs(phases.reduce((s, p) => s + p.ms, 0) - lb.run.summary.wallMs) < 1);
    assert.strictEqual(api.panel.dropped, 0);
  });

  test('lint as you type: an arc-dsl formatting problem is flagged before saving', async function () {
    this.timeout(60000);
    const file = path.join(ws(), 'solvers.py');
    const doc = await vscode.workspace.openTextDocument(file);
    const editor = await vscode.window.showTextDocument(doc);
    const line = lineOf(doc, 'O = upscale(I, TWO)', 'def solve_0d9e3b72(I)');
    const range = doc.lineAt(line).range;
    await editor.edit((b) => b.replace(range, '    O = upscale(rot90(I), TWO)'));
    const d = await until('a batt-lint diagnostic', () =>
      vscode.languages.getDiagnostics(doc.uri).find((x) => x.source === 'batt-lint' && x.range.start.line === line), 60_000,
    );
    assert.strictEqual(d.code, 'nested-call');
    await editor.edit((b) => b.replace(doc.lineAt(line).range, '    O = upscale(I, TWO)'));
    await until('the lint diagnostic to clear', () => !vscode.languages.getDiagnostics(doc.uri).some((x) => x.source === 'batt-lint' && x.range.start.line === line) || undefined, 60_000);
    await doc.save();
  });

  test('changing batt.workers restarts the pool with the new size, without a reload', async function () {
    this.timeout(120000);
    const cfg = vscode.workspace.getConfiguration('batt');
    await cfg.update('workers', 2, vscode.ConfigurationTarget.Workspace);
    try {
      await until('a pool of 2 workers', () => {
        const s = api.status();
        return s && s.detail.length === 2 && s.detail.every((w) => w.state === 'idle') ? s : undefined;
      }, 60_000);
    } finally {
      await cfg.update('workers', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await until('back to 4 workers', () => {
      const s = api.status();
      return s && s.detail.length === 4 && s.detail.every((w) => w.state === 'idle') ? s : undefined;
    }, 60_000);
  });

  test('restart workers recovers the pool', async function () {
    this.timeout(120000);
    const before = await until('live workers', () => {
      const s = api.status();
      return s && s.detail.length === 4 && s.detail.every((w) => w.pid) ? s : undefined;
    }, 60_000);
    const pids = new Set(before.detail.map((w) => w.pid));
    await vscode.commands.executeCommand('batt.restartWorkers');
    const after = await until('four new idle workers', () => {
      const s = api.status();
      return s && s.state === 'idle' && s.detail.length === 4 && s.detail.every((w) => w.pid && !pids.has(w.pid)) ? s : undefined;
    }, 60_000);
    assert.strictEqual(after.workers, 4);
    // and the pool serves the next save
    const file = path.join(ws(), 'solvers.py');
    const n = api.runResults.length;
    await editAndSave(file);
    const r = await until('a run after the restart', () => (api.runResults.length > n ? api.runResults[api.runResults.length - 1] : undefined), 60_000);
    assert.strictEqual(r.reason, 'save');
    assert.ok(r.run.tasks.some((t) => t.solved));
  });
});
