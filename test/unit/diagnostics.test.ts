import * as assert from 'assert';
import { DiagnosticSeverity } from 'vscode-languageserver/node';
import { expressionRange, runDiagnostics, verdictText } from '../../src/server/diagnostics';
import type { CandidateJson, RunJson } from '../../src/protocol/results';

function cand(over: Partial<CandidateJson>): CandidateJson {
  return {
    name: 'solve_aaaa0000', file: '/w/solvers.py', line: 10, hash: 'h', status: 'pass', solved: true,
    demo: { passed: 3, total: 3 }, test: { passed: 1, total: 1, unknown: 0 }, ms: 1, length: 2, rank: 1, pairs: [], ...over,
  };
}

function run(cands: CandidateJson[], taskId = 'aaaa0000'): RunJson {
  return {
    version: 1, workspace: '/w', startedAt: '', temperature: 'cold', cancelled: false,
    summary: { tasks: 1, solved: 0, candidates: cands.length, jobs: 0, ran: 0, cached: 0, skipped: 0, cancelled: 0, wallMs: 1 },
    tasks: [{ id: taskId, file: `/w/tasks/${taskId}.json`, solved: false, demoPairs: 3, testPairs: 1, candidates: cands }],
    phases: [], cache: { inline: { hits: 0, misses: 0, entries: 0, savedMs: 0 }, validation: { hits: 0, misses: 0, entries: 0, savedMs: 0 } },
    pool: { workers: 4, restarts: 0, started: true }, stored: [],
    errors: [{ kind: 'syntax', file: '/w/broken.py', line: 2, col: 14, message: 'SyntaxError: bad' }],
  };
}

describe('run diagnostics', () => {
  const mismatch = cand({
    name: 'solve_aaaa0000_x', status: 'fail', solved: false, demo: { passed: 2, total: 3 }, test: { passed: 0, total: 1, unknown: 0 },
    pairs: [
      { kind: 'demo', index: 0, status: 'pass', ms: 1 },
      { kind: 'demo', index: 1, status: 'fail', ms: 1, message: 'expected 3x3, got 9x9' },
      { kind: 'demo', index: 2, status: 'pass', ms: 1 },
      { kind: 'test', index: 0, status: 'fail', ms: 1, message: '2 of 9 cells differ' },
    ],
  });
  it('words a mismatch as the issue shows it', () => {
    assert.strictEqual(verdictText(mismatch), 'demo 2/3 — pair 1: expected 3x3, got 9x9; test 0/1');
  });
  it('puts an exception on the line where it surfaced, a mismatch on the def line, a duplicate as a hint', () => {
    const exc = cand({
      name: 'solve_aaaa0000_e', line: 20, status: 'error', solved: false, demo: { passed: 0, total: 3 },
      pairs: [{ kind: 'demo', index: 0, status: 'error', ms: 1, message: 'IndexError: x (in first, dsl.py:9)', error: { type: 'IndexError', message: 'x', file: '/w/solvers.py', line: 23, dslFunc: 'first', dslFile: '/w/dsl.py', dslLine: 9, traceback: '' } }],
    });
    const dup = cand({ name: 'solve_aaaa0000_copy', line: 30, duplicateOf: 'solve_aaaa0000' });
    const d = runDiagnostics(run([cand({}), mismatch, exc, dup])).get('/w/solvers.py')!;
    assert.strictEqual(d.get('solve_aaaa0000')!.length, 0, 'a pass has no diagnostic');
    const m = d.get('solve_aaaa0000_x')![0];
    assert.deepStrictEqual([m.range.start.line, m.severity, m.code], [9, DiagnosticSeverity.Error, 'mismatch']);
    const e = d.get('solve_aaaa0000_e')![0];
    assert.deepStrictEqual([e.range.start.line, e.code], [22, 'IndexError']);
    assert.match(e.message, /IndexError: x \(in first, dsl\.py:9\)/);
    assert.strictEqual(e.relatedInformation![0].location.range.start.line, 8);
    const h = d.get('solve_aaaa0000_copy')![0];
    assert.strictEqual(h.severity, DiagnosticSeverity.Hint);
    assert.match(h.message, /same program as solve_aaaa0000 \(line 10\)/);
    const syn = runDiagnostics(run([])).get('/w/broken.py')!.get('input')![0];
    assert.deepStrictEqual([syn.range.start.line, syn.range.start.character], [1, 13]);
  });
  it('says an exception once: the pair, its message, the counts (issue 11 §5)', () => {
    const exc = cand({
      name: 'solve_aaaa0000_e', status: 'error', solved: false, demo: { passed: 2, total: 3 }, test: { passed: 0, total: 1, unknown: 0 },
      pairs: [
        { kind: 'demo', index: 0, status: 'fail', ms: 1, message: 'expected 3x3, got 9x9: actual is 3x the expected in both dimensions' },
        { kind: 'demo', index: 1, status: 'error', ms: 1, message: 'IndexError: x (in first, dsl.py:9)', error: { type: 'IndexError', message: 'x', file: '/w/solvers.py', line: 23, traceback: '' } },
        { kind: 'demo', index: 2, status: 'pass', ms: 1 },
        { kind: 'test', index: 0, status: 'error', ms: 1, message: 'IndexError: x (in first, dsl.py:9)' },
      ],
    });
    const e = runDiagnostics(run([exc])).get('/w/solvers.py')!.get('solve_aaaa0000_e')![0];
    assert.strictEqual(e.message, 'solve_aaaa0000_e: demo 2/3 — pair 1: IndexError: x (in first, dsl.py:9); test 0/1 [task aaaa0000]');
  });
  it('an exception squiggle covers the expression that raised, not the indentation', () => {
    const exc = cand({
      name: 'solve_aaaa0000_e', status: 'error', solved: false, demo: { passed: 0, total: 1 },
      pairs: [{ kind: 'demo', index: 0, status: 'error', ms: 1, message: 'IndexError: x', error: { type: 'IndexError', message: 'x', file: '/w/solvers.py', line: 23, traceback: '' } }],
    });
    const lines: Record<number, string> = { 23: '    x3 = first(x2)  # the smallest object' };
    const e = runDiagnostics(run([exc]), (file, line) => (file === '/w/solvers.py' ? lines[line] : undefined)).get('/w/solvers.py')!.get('solve_aaaa0000_e')![0];
    assert.deepStrictEqual(e.range, { start: { line: 22, character: 9 }, end: { line: 22, character: 18 } });
    assert.deepStrictEqual(expressionRange(5, '\treturn f(x)'), { start: { line: 4, character: 8 }, end: { line: 4, character: 12 } });
    assert.deepStrictEqual(expressionRange(5, "  raise ValueError('a # b')"), { start: { line: 4, character: 2 }, end: { line: 4, character: 27 } });
    assert.deepStrictEqual(expressionRange(5, '    if x == y:'), { start: { line: 4, character: 4 }, end: { line: 4, character: 14 } });
    assert.deepStrictEqual(expressionRange(5, '    x = ('), { start: { line: 4, character: 8 }, end: { line: 4, character: 9 } });
    assert.strictEqual(expressionRange(5, undefined).start.character, 0, 'no source: the whole line');
  });
  it('an input problem of severity warning is a Warning, an error an Error', () => {
    const r = run([]);
    r.errors = [
      { kind: 'task', file: '/w/tasks/k.json', message: 'test outputs unknown', severity: 'warning' },
      { kind: 'syntax', file: '/w/b.py', line: 3, col: 1, message: 'SyntaxError: bad' },
      { kind: 'config', file: '/w/batt.json', line: 2, col: 5, message: 'memory cap below 256 MB', severity: 'warning' },
    ];
    const d = runDiagnostics(r);
    assert.strictEqual(d.get('/w/tasks/k.json')!.get('input')![0].severity, DiagnosticSeverity.Warning);
    assert.strictEqual(d.get('/w/b.py')!.get('input')![0].severity, DiagnosticSeverity.Error);
    assert.strictEqual(d.get('/w/batt.json')!.get('input')![0].severity, DiagnosticSeverity.Warning);
  });
  it('a battery\'s transfer attempts on other tasks are not diagnostics', () => {
    const other = cand({ name: 'solve_bbbb1111', status: 'fail', solved: false });
    assert.strictEqual(runDiagnostics(run([other])).get('/w/solvers.py'), undefined);
  });
});
