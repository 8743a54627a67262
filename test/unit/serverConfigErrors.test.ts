/**
 * Configuration that does not work, in the language server (issue 10), with a real session, runs and diagnostics
 * publisher on a temporary workspace: batt.json that is not valid JSON runs nothing and is a diagnostic at its line and
 * column until it is fixed and saved; an interpreter that does not work reaches the status bar and one message as a
 * line naming batt.pythonPath, not a stack trace.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Diagnostic } from 'vscode-languageserver/node';
import type { RunResultNotificationParams, ServerSettings } from '../../src/protocol/lsp';
import { DEFAULTS } from '../../src/protocol/settings';
import { DiagnosticsPublisher } from '../../src/server/publisher';
import { Runs } from '../../src/server/runs';
import { Session } from '../../src/server/session';
import '../cacheHome';

const G = [[1, 2], [3, 4]];
const TASK = { train: [{ input: G, output: G }], test: [{ input: G, output: G }] };

function harness(root: string, over: Partial<ServerSettings> = {}) {
  const settings: ServerSettings = { ...DEFAULTS, workers: 1, python: '', trusted: true, explicit: ['workers'], ...over };
  const session = new Session([root], settings, { log: () => undefined, status: () => undefined, progress: () => undefined });
  const diagnostics = new Map<string, Diagnostic[]>();
  const publisher = new DiagnosticsPublisher({ send: (uri, d) => diagnostics.set(uri, d), version: () => undefined, isFile: (p) => fs.existsSync(p) });
  const errors: string[] = [];
  const results: RunResultNotificationParams[] = [];
  const runs = new Runs({ session, publisher, versions: () => new Map(), sendResult: (p) => results.push(p), showError: (m) => errors.push(m), log: () => undefined });
  return { session, runs, diagnostics, errors, results };
}

describe('language server on bad configuration (issue 10)', function () {
  this.timeout(120000);
  let root: string;
  let solvers: string;
  let battJson: string;
  const sessions: Session[] = [];

  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-server-config-')));
    fs.mkdirSync(path.join(root, 'tasks'));
    fs.writeFileSync(path.join(root, 'tasks', 'aaaaaaaa.json'), JSON.stringify(TASK));
    solvers = path.join(root, 'solvers.py');
    fs.writeFileSync(solvers, 'def solve_aaaaaaaa(I):\n    return I\n');
    battJson = path.join(root, 'batt.json');
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.dispose()));
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('batt.json not valid JSON: nothing runs; a diagnostic at its line and column; fixed and saved, it clears', async () => {
    fs.writeFileSync(battJson, '{\n  "tasks": "tasks",\n  "timeoutSeconds": 2,\n}\n');
    const h = harness(root);
    sessions.push(h.session);
    await h.runs.onSave(pathToFileURL(solvers).toString());
    assert.deepStrictEqual(h.results, [], 'no run on a guess of its settings');
    const uri = pathToFileURL(battJson).toString();
    const [d] = h.diagnostics.get(uri) ?? [];
    assert.ok(d, `a diagnostic on batt.json: ${JSON.stringify([...h.diagnostics])}`);
    assert.deepStrictEqual([d.range.start, d.severity], [{ line: 3, character: 0 }, 1], 'line 4, column 1, an Error');
    assert.match(d.message, /^invalid JSON: .*\(a trailing comma\?\); fix batt\.json/);
    assert.strictEqual(h.session.status().state, 'error');
    assert.match(h.session.status().message ?? '', new RegExp(`^${battJson}:4:1: invalid JSON`));
    assert.deepStrictEqual(h.errors.length, 1);
    assert.doesNotMatch(h.errors[0], /\n\s+at /, 'no stack trace');

    fs.writeFileSync(battJson, '{ "tasks": "tasks", "timeoutSeconds": 2 }\n');
    await h.runs.onSave(uri);
    assert.deepStrictEqual(h.diagnostics.get(uri), [], 'saving the fixed batt.json clears it');
    assert.strictEqual(h.results.length, 1, 'and runs again');
    assert.notStrictEqual(h.session.status().state, 'error');
  });

  it('batt.pythonPath that does not exist: one line naming batt.pythonPath in the status bar and a message', async () => {
    const h = harness(root, { python: '/nonexistent/python' });
    sessions.push(h.session);
    await h.runs.onSave(pathToFileURL(solvers).toString());
    const expected = 'interpreter /nonexistent/python (batt.pythonPath) does not exist; point batt.pythonPath at a Python 3.8 or newer interpreter';
    assert.strictEqual(h.session.status().message, expected);
    assert.deepStrictEqual(h.errors, [`batt: ${expected}`]);
    await assert.rejects(h.session.engine(root).startWorkers(), (e: Error) => e.message === expected);
  });
});
