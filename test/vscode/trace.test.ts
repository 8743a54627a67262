/**
 * The solver trace in a real VS Code (issue 12), on the temporary copy of the sample workspace: after a save, each
 * statement of the solver under the cursor shows a value per pair at the end of its line (solve_9fd2a6c3: three
 * objects on every pair, an IndexError on demo 1 and test 0 at `x3 = first(x2)`, the empty `x2` on those pairs marked
 * divergent); an edit clears them and the next save brings the new version's values on the moved lines; the hover
 * on a traced line carries each pair's grid as a PNG data URI. Polls with deadlines; never sleeps a fixed time.
 */
import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import type { BattApi } from '../../src/extension/extension';
import type { ShownHint } from '../../src/extension/inlineValues';
import { until } from '../poll';
import { activateBatt } from './activate';

const SOLVER = 'solve_9fd2a6c3';

function solversFile(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'a workspace folder is open');
  return path.join(f.uri.fsPath, 'solvers.py');
}

/** 0-based line of `text` inside SOLVER's body. */
function lineOf(doc: vscode.TextDocument, text: string): number {
  const lines = doc.getText().split('\n');
  const def = lines.indexOf(`def ${SOLVER}(I):`);
  assert.ok(def >= 0, `${SOLVER} in solvers.py`);
  const i = lines.findIndex((l, n) => n > def && l === text);
  assert.ok(i > def, `${text} in ${SOLVER}`);
  return i;
}

function hintAt(hints: ShownHint[], line0: number): ShownHint | undefined {
  return hints.find((h) => h.line === line0 + 1);
}

/** Saves `doc`; true once it is saved (by this call, or by an auto save that came first: save() is then false). */
async function save(doc: vscode.TextDocument): Promise<void> {
  const saved = await doc.save();
  assert.ok(saved || !doc.isDirty, 'the document is saved');
}

async function hoverText(uri: vscode.Uri, pos: vscode.Position): Promise<string> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos)) ?? [];
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

suite('batt trace: inline values and hover', function () {
  let api: BattApi;

  let autoSave: string | undefined;

  suiteSetup(async function () {
    this.timeout(120000);
    api = await activateBatt();
    // saves are the test's own: an auto save between an edit and the checks on it would race them
    const files = vscode.workspace.getConfiguration('files');
    autoSave = files.inspect<string>('autoSave')?.workspaceValue;
    if (files.get('autoSave') !== 'off') await files.update('autoSave', 'off', vscode.ConfigurationTarget.Workspace);
  });

  suiteTeardown(async function () {
    const files = vscode.workspace.getConfiguration('files');
    if (files.inspect<string>('autoSave')?.workspaceValue !== autoSave) await files.update('autoSave', autoSave, vscode.ConfigurationTarget.Workspace);
  });

  test('hints after a save with the per-pair values; an edit clears them, the next save shows the new version; hover has images', async function () {
    this.timeout(240000);
    const doc = await vscode.workspace.openTextDocument(solversFile());
    const editor = await vscode.window.showTextDocument(doc);
    const x1 = lineOf(doc, '    x1 = objects(I, T, F, T)');
    editor.selection = new vscode.Selection(x1, 4, x1, 4);
    const original = doc.getText();
    try {
      // an edit (a blank line at the end) and a save: the solver under the cursor is traced
      await editor.edit((b) => b.insert(doc.positionAt(doc.getText().length), '\n'));
      await save(doc);
      const shown = await until('the inline values of the saved version', () => {
        const s = api.inlineValues.state(doc.uri);
        return s && s.solver === SOLVER && s.version === doc.version && !s.stale && s.hints.length ? s : undefined;
      }, 150_000);
      const pairs = shown.trace?.pairs.map((p) => `${p.kind} ${p.index}`);
      assert.deepStrictEqual(pairs, ['demo 0', 'demo 1', 'demo 2', 'test 0'], 'demo pairs, then test');
      assert.deepStrictEqual(hintAt(shown.hints, x1), { line: x1 + 1, text: '3 obj · 3 obj · 3 obj | 3 obj', kind: 'plain' });
      const x2 = hintAt(shown.hints, lineOf(doc, '    x2 = sizefilter(x1, ONE)'));
      assert.ok(x2 && x2.kind === 'divergent' && /^1 obj · ≠\S+ · 1 obj \| ≠\S+$/.test(x2.text), JSON.stringify(x2));
      const x3 = hintAt(shown.hints, lineOf(doc, '    x3 = first(x2)'));
      assert.ok(x3 && x3.kind === 'error', JSON.stringify(x3));
      assert.match(x3.text, /^1 cell · ✗ IndexError: [^·|]+ · 1 cell \| ✗ IndexError: /);
      const o = hintAt(shown.hints, lineOf(doc, '    O = subgrid(x3, I)'));
      assert.deepStrictEqual(o?.text, '1x1 · – · 1x1 | –', 'pairs that raised earlier have no value here');

      // the hover on the O line: each pair's grid as an ARC-palette PNG
      const oLine = lineOf(doc, '    O = subgrid(x3, I)');
      const md = await until('the hover on the O line', async () => {
        const t = await hoverText(doc.uri, new vscode.Position(oLine, 6));
        return /data:image\/png;base64,/.test(t) ? t : undefined;
      }, 30_000);
      const imgs = [...md.matchAll(/!\[[^\]]*\]\(data:image\/png;base64,([A-Za-z0-9+/=]+)\)/g)].map((m) => Buffer.from(m[1], 'base64'));
      assert.strictEqual(imgs.length, 2, 'demo 0 and demo 2 reached O');
      for (const png of imgs) assert.deepStrictEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG');
      assert.match(md, /\| demo 0 ✓ \| demo 1 ! \| demo 2 ✓ \| test 0 ! \|/);
      // on a name: the value of the line that assigned it
      const onX3 = await hoverText(doc.uri, new vscode.Position(oLine, doc.lineAt(oLine).text.indexOf('x3') + 1));
      assert.match(onX3, /\*\*x3\*\* on each pair/);

      // an edit: the hints of the older version go at once, and no hover answers from it
      await editor.edit((b) => b.insert(new vscode.Position(x1, 0), '    x0 = palette(I)\n'));
      await until('the hints cleared by the edit', () => api.inlineValues.state(doc.uri)?.hints.length === 0, 10_000);
      assert.strictEqual(await hoverText(doc.uri, new vscode.Position(x1 + 1, 6)), '', 'no hover from the older version');
      await save(doc);
      const after = await until('the inline values of the edited version', () => {
        const s = api.inlineValues.state(doc.uri);
        return s && s.version === doc.version && !s.stale && s.hints.length ? s : undefined;
      }, 120_000);
      assert.strictEqual(hintAt(after.hints, x1 + 1)?.text, '3 obj · 3 obj · 3 obj | 3 obj', 'x1 moved down a line with its values');
      const x0 = hintAt(after.hints, x1);
      assert.ok(x0 && !x0.text.includes('obj'), `the new line has its own values: ${JSON.stringify(x0)}`);
      assert.ok(after.trace?.lines.some((l) => l.name === 'x0' && l.line === x1 + 1));
    } finally {
      await editor.edit((b) => b.replace(new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), original));
      await doc.save();
    }
  });

  test('"Trace solver" traces on demand and opens the panel\'s Trace view; "Toggle inline values" flips the setting', async function () {
    this.timeout(120000);
    const doc = await vscode.workspace.openTextDocument(solversFile());
    await vscode.window.showTextDocument(doc);
    const t = await vscode.commands.executeCommand<{ solver: string } | undefined>('batt.traceSolver', { uri: doc.uri.toString(), solver: 'solve_e6a05f38' });
    assert.strictEqual(t?.solver, 'solve_e6a05f38');
    await until('the Trace view on it', () => api.model.state().trace?.solver === 'solve_e6a05f38' && api.model.state().show?.view === 'trace', 10_000);
    const before = vscode.workspace.getConfiguration('batt').get<boolean>('inlineValues');
    await vscode.commands.executeCommand('batt.toggleInlineValues');
    try {
      await until('the setting flipped', () => vscode.workspace.getConfiguration('batt').get<boolean>('inlineValues') === !before, 10_000);
      if (before) await until('the hints gone with it', () => !api.inlineValues.state(doc.uri), 10_000);
    } finally {
      await vscode.commands.executeCommand('batt.toggleInlineValues');
    }
    await until('the setting back', () => vscode.workspace.getConfiguration('batt').get<boolean>('inlineValues') === before, 10_000);
    // a trace that cannot be made is an error message, not hints
    const none = await vscode.commands.executeCommand('batt.traceSolver', { uri: doc.uri.toString(), solver: 'solve_nonexistent' });
    assert.strictEqual(none, undefined);
  });
});
