/**
 * Code actions on batt diagnostics (issue 11 §5): which diagnostics offer "Show pair N in the batt panel", with which
 * command arguments, and the validation of those arguments (they come back from the client).
 */
import * as assert from 'assert';
import { CodeActionKind, DiagnosticSeverity, type CodeActionParams, type Diagnostic } from 'vscode-languageserver/node';
import { parsePairRef, SHOW_PAIR_COMMAND } from '../../src/protocol/codeActions';
import type { CandidateJson, RunJson } from '../../src/protocol/results';
import { codeActions } from '../../src/server/codeActions';
import { runDiagnostics } from '../../src/server/diagnostics';

const FILE = '/w/solvers.py';

function cand(over: Partial<CandidateJson>): CandidateJson {
  return {
    name: 'solve_aaaa0000', file: FILE, line: 10, hash: 'h', status: 'pass', solved: true,
    demo: { passed: 3, total: 3 }, test: { passed: 1, total: 1, unknown: 0 }, ms: 1, length: 2, rank: 1, pairs: [], ...over,
  };
}

function run(cands: CandidateJson[]): RunJson {
  return {
    version: 1, workspace: '/w', startedAt: '', temperature: 'cold', cancelled: false,
    summary: { tasks: 1, solved: 0, candidates: cands.length, jobs: 0, ran: 0, cached: 0, skipped: 0, cancelled: 0, wallMs: 1 },
    tasks: [{ id: 'aaaa0000', file: '/w/tasks/aaaa0000.json', solved: false, demoPairs: 3, testPairs: 1, candidates: cands }],
    phases: [], cache: { inline: { hits: 0, misses: 0, entries: 0, savedMs: 0 }, validation: { hits: 0, misses: 0, entries: 0, savedMs: 0 } },
    pool: { workers: 4, restarts: 0, started: true }, stored: [],
    errors: [{ kind: 'syntax', file: '/w/broken.py', line: 2, col: 14, message: 'SyntaxError: bad' }],
  };
}

const mismatch = cand({
  name: 'solve_aaaa0000_x', status: 'fail', solved: false, demo: { passed: 2, total: 3 },
  pairs: [
    { kind: 'demo', index: 0, status: 'pass', ms: 1 },
    { kind: 'demo', index: 1, status: 'fail', ms: 1, message: 'expected 3x3, got 9x9' },
    { kind: 'test', index: 0, status: 'fail', ms: 1, message: '2 of 9 cells differ' },
  ],
});
const exception = cand({
  name: 'solve_aaaa0000_e', status: 'error', solved: false, demo: { passed: 1, total: 3 },
  pairs: [
    { kind: 'demo', index: 0, status: 'fail', ms: 1, message: 'expected 3x3, got 9x9' },
    { kind: 'demo', index: 1, status: 'pass', ms: 1 },
    { kind: 'demo', index: 2, status: 'error', ms: 1, message: 'IndexError: x', error: { type: 'IndexError', message: 'x', file: FILE, line: 23, traceback: '' } },
  ],
});
const timeout = cand({ name: 'solve_aaaa0000_t', status: 'timeout', solved: false, demo: { passed: 3, total: 3 }, pairs: [{ kind: 'test', index: 0, status: 'timeout', ms: 2000, message: 'timeout' }] });
const duplicate = cand({ name: 'solve_aaaa0000_copy', line: 30, duplicateOf: 'solve_aaaa0000' });

function diagnostics(): Diagnostic[] {
  const byFile = runDiagnostics(run([cand({}), mismatch, exception, timeout, duplicate]));
  return [...byFile.values()].flatMap((byKey) => [...byKey.values()].flat());
}

function params(diags: Diagnostic[], only?: string[]): CodeActionParams {
  return { textDocument: { uri: 'file:///w/solvers.py' }, range: { start: { line: 0, character: 0 }, end: { line: 99, character: 0 } }, context: { diagnostics: diags, only } };
}

describe('code actions', () => {
  it('a verdict offers "Show pair N in the batt panel" for the pair its message names', () => {
    const actions = codeActions(params(diagnostics()));
    assert.deepStrictEqual(
      actions.map((a) => [a.title, a.kind, a.command?.command, a.command?.arguments]),
      [
        ['Show demo pair 1 in the batt panel', CodeActionKind.QuickFix, SHOW_PAIR_COMMAND, [{ taskId: 'aaaa0000', candidate: 'solve_aaaa0000_x', kind: 'demo', index: 1 }]],
        // an exception: the pair that raised, not the first failure
        ['Show demo pair 2 in the batt panel', CodeActionKind.QuickFix, SHOW_PAIR_COMMAND, [{ taskId: 'aaaa0000', candidate: 'solve_aaaa0000_e', kind: 'demo', index: 2 }]],
        ['Show test pair 0 in the batt panel', CodeActionKind.QuickFix, SHOW_PAIR_COMMAND, [{ taskId: 'aaaa0000', candidate: 'solve_aaaa0000_t', kind: 'test', index: 0 }]],
      ],
    );
    for (const a of actions) assert.strictEqual(a.diagnostics?.length, 1, 'each action names its diagnostic');
    assert.match(actions[0].diagnostics![0].message, /^solve_aaaa0000_x: demo 2\/3 — pair 1: expected 3x3, got 9x9/);
  });

  it('a duplicate hint, a syntax error and lint diagnostics offer nothing', () => {
    const all = diagnostics();
    const none = all.filter((d) => d.severity === DiagnosticSeverity.Hint || d.code === 'syntax');
    assert.strictEqual(none.length, 2);
    const lint: Diagnostic = { ...all.find((d) => d.code === 'mismatch')!, source: 'batt-lint' };
    assert.deepStrictEqual(codeActions(params([...none, lint])), []);
  });

  it('offers one action per pair, and none when only other kinds are asked for', () => {
    const d = diagnostics().find((x) => x.code === 'mismatch')!;
    assert.strictEqual(codeActions(params([d, { ...d }])).length, 1);
    assert.strictEqual(codeActions(params([d], [CodeActionKind.Refactor])).length, 0);
    assert.strictEqual(codeActions(params([d], [CodeActionKind.QuickFix])).length, 1);
    assert.strictEqual(codeActions(params([d], [CodeActionKind.Empty])).length, 1);
  });

  it('a diagnostic whose data is not a pair offers nothing', () => {
    const d = diagnostics().find((x) => x.code === 'mismatch')!;
    for (const data of [undefined, 'x', { taskId: 'aaaa0000', candidate: 'c', kind: 'demo' }, { taskId: '../etc', candidate: 'c', kind: 'demo', index: 0 }]) {
      assert.deepStrictEqual(codeActions(params([{ ...d, data }])), [], JSON.stringify(data));
    }
  });
});

describe('show pair arguments', () => {
  const ok = { taskId: '0d9e3b72', candidate: 'batt:1:a3f1c07e', kind: 'test', index: 0 };
  it('accepts exactly a pair reference', () => {
    assert.deepStrictEqual(parsePairRef(ok), ok);
    assert.notStrictEqual(parsePairRef(ok), ok, 'a copy');
  });
  it('rejects anything else', () => {
    const bad: unknown[] = [
      undefined, null, [ok], 'pair', { ...ok, extra: 1 }, { ...ok, taskId: '' }, { ...ok, taskId: 'a/b' }, { ...ok, taskId: 'a..b' },
      { ...ok, candidate: '' }, { ...ok, candidate: 'x'.repeat(501) }, { ...ok, candidate: 3 }, { ...ok, kind: 'train' },
      { ...ok, index: -1 }, { ...ok, index: 1.5 }, { ...ok, index: '1' }, { ...ok, index: 10000 },
    ];
    for (const v of bad) assert.strictEqual(parsePairRef(v), undefined, JSON.stringify(v));
  });
});
