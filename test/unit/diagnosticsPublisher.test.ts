/**
 * The server's diagnostics without a connection: the publisher (document-version guard, save runs replace, task runs
 * merge, run and lint diagnostics merged per URI), the lint-to-diagnostic mapping and the lint scheduler's debounce
 * and version check, on a fake sink and a fake clock.
 */
import * as assert from 'assert';
import { pathToFileURL } from 'url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { LintProblem } from '../../src/engine/workspace/analyzer';
import type { CandidateJson, RunJson } from '../../src/protocol/results';
import { lintDiagnostics } from '../../src/server/diagnostics';
import { LintScheduler } from '../../src/server/lintScheduler';
import { DiagnosticsPublisher } from '../../src/server/publisher';
import { fakeClock } from '../fakeClock';

const FILE = '/w/solvers.py';
const URI = pathToFileURL(FILE).toString();

function cand(name: string, over: Partial<CandidateJson> = {}): CandidateJson {
  return {
    name, file: FILE, line: 10, hash: name, status: 'fail', solved: false,
    demo: { passed: 0, total: 1 }, test: { passed: 0, total: 1, unknown: 0 }, ms: 1, length: 2, rank: 1,
    pairs: [{ kind: 'demo', index: 0, status: 'fail', ms: 1, message: 'expected 3x3, got 9x9' }], ...over,
  };
}

function run(taskId: string, cands: CandidateJson[]): RunJson {
  return {
    version: 1, workspace: '/w', startedAt: '', temperature: 'cold', cancelled: false,
    summary: { tasks: 1, solved: 0, candidates: cands.length, jobs: 0, ran: 0, cached: 0, skipped: 0, cancelled: 0, wallMs: 1 },
    tasks: [{ id: taskId, file: `/w/tasks/${taskId}.json`, solved: false, demoPairs: 1, testPairs: 1, candidates: cands }],
    phases: [], cache: { inline: { hits: 0, misses: 0, entries: 0, savedMs: 0 }, validation: { hits: 0, misses: 0, entries: 0, savedMs: 0 } },
    pool: { workers: 4, restarts: 0, started: true }, stored: [], errors: [],
  };
}

function setup(versions: Record<string, number> = {}) {
  const sent: Array<{ uri: string; diagnostics: Diagnostic[] }> = [];
  const open = new Map(Object.entries(versions));
  const publisher = new DiagnosticsPublisher({ send: (uri, diagnostics) => sent.push({ uri, diagnostics }), version: (u) => open.get(u), isFile: () => true });
  const last = (uri = URI) => [...sent].reverse().find((s) => s.uri === uri)?.diagnostics;
  const names = (uri = URI) => (last(uri) ?? []).map((d) => d.message.split(':')[0]).sort();
  return { sent, open, publisher, last, names };
}

describe('diagnostics publisher', () => {
  it('a save run replaces the file\'s run diagnostics', () => {
    const { publisher, names } = setup();
    publisher.publishRun(run('aaaa0000', [cand('solve_aaaa0000'), cand('solve_aaaa0000_b')]));
    assert.deepStrictEqual(names(), ['solve_aaaa0000', 'solve_aaaa0000_b']);
    publisher.publishRun(run('aaaa0000', [cand('solve_aaaa0000')]));
    assert.deepStrictEqual(names(), ['solve_aaaa0000'], 'a candidate gone from the file loses its diagnostic');
  });

  it('a task run merges: only the candidates it scored on their own task change', () => {
    const { publisher, names, last } = setup();
    publisher.publishRun(run('aaaa0000', [cand('solve_aaaa0000')]));
    publisher.publishRun(run('bbbb1111', [cand('solve_bbbb1111'), cand('solve_aaaa0000', { status: 'pass', solved: true })]), { merge: true });
    assert.deepStrictEqual(names(), ['solve_aaaa0000', 'solve_bbbb1111'], 'the transfer attempt on another task is not a diagnostic');
    publisher.publishRun(run('bbbb1111', [cand('solve_bbbb1111', { status: 'pass', solved: true })]), { merge: true });
    assert.deepStrictEqual(names(), ['solve_aaaa0000'], 'a candidate that now passes clears, the others stay');
    assert.ok(last()!.every((d) => d.severity === DiagnosticSeverity.Error));
  });

  it('a document edited since the run started keeps its old diagnostics', () => {
    const { publisher, sent, open, names } = setup({ [URI]: 3 });
    publisher.publishRun(run('aaaa0000', [cand('solve_aaaa0000')]), { versions: new Map([[URI, 3]]) });
    assert.deepStrictEqual(names(), ['solve_aaaa0000']);
    open.set(URI, 4); // edited while the next run went
    const before = sent.length;
    publisher.publishRun(run('aaaa0000', [cand('solve_aaaa0000_new')]), { versions: new Map([[URI, 3]]) });
    assert.strictEqual(sent.length, before, 'nothing published for the outdated version');
    assert.deepStrictEqual(names(), ['solve_aaaa0000']);
    // a closed document (no version) and a run without a snapshot are published
    open.delete(URI);
    publisher.publishRun(run('aaaa0000', [cand('solve_aaaa0000_new')]), { versions: new Map([[URI, 3]]) });
    assert.deepStrictEqual(names(), ['solve_aaaa0000_new']);
  });

  it('the saved file is published even with nothing in the run (a fixed syntax error clears)', () => {
    const { publisher, last } = setup();
    const broken = { ...run('aaaa0000', []), errors: [{ kind: 'syntax' as const, file: FILE, line: 2, col: 3, message: 'SyntaxError: bad' }] };
    publisher.publishRun(broken);
    assert.strictEqual(last()!.length, 1);
    publisher.publishRun(run('aaaa0000', []), { saved: FILE });
    assert.deepStrictEqual(last(), []);
  });

  const broken = (line: number) => ({ ...run('aaaa0000', []), errors: [{ kind: 'syntax' as const, file: FILE, line, col: 3, message: 'SyntaxError: bad' }] });

  it('a save with a syntax error keeps the file\'s verdicts, marked, until a run parses it again (issue 11 §5)', () => {
    const { publisher, last, names } = setup();
    publisher.publishRun(run('aaaa0000', [cand('solve_aaaa0000'), cand('solve_aaaa0000_b')]), { saved: FILE });
    for (let i = 0; i < 2; i++) {
      publisher.publishRun(broken(7), { saved: FILE });
      const d = last()!;
      assert.deepStrictEqual(d.map((x) => x.code), ['syntax', 'mismatch', 'mismatch'], `save ${i + 1} with the syntax error`);
      for (const v of d.slice(1)) {
        assert.match(v.message, /^solve_aaaa0000(_b)?: demo 0\/1 — pair 0: expected 3x3, got 9x9; test 0\/1 \[task aaaa0000\] \(from the last run that parsed this file: line 7 has a syntax error\)$/);
        assert.deepStrictEqual(v.relatedInformation!.map((r) => [r.location.uri, r.location.range.start.line]), [[URI, 6]]);
        assert.deepStrictEqual(v.data, { taskId: 'aaaa0000', candidate: v.message.split(':')[0], kind: 'demo', index: 0 }, 'still offers its pair');
      }
    }
    publisher.publishRun(run('aaaa0000', [cand('solve_aaaa0000')]), { saved: FILE });
    assert.deepStrictEqual(names(), ['solve_aaaa0000'], 'parsed again: fresh verdicts only');
    assert.ok(!last()!.some((d) => /last run that parsed/.test(d.message) || d.code === 'syntax'));
    publisher.publishRun(broken(2), { saved: FILE });
    publisher.publishRun(run('aaaa0000', []), { saved: FILE });
    assert.deepStrictEqual(last(), [], 'fixed, and no candidate left: nothing');
  });

  it('a task run that finds a syntax error keeps the verdicts too; one that parses the file again clears it', () => {
    const { publisher, last } = setup();
    publisher.publishRun(run('aaaa0000', [cand('solve_aaaa0000'), cand('solve_aaaa0000_b')]));
    publisher.publishRun(broken(4), { merge: true });
    assert.deepStrictEqual(last()!.map((d) => [d.code, /line 4 has a syntax error/.test(d.message)]), [['syntax', false], ['mismatch', true], ['mismatch', true]]);
    publisher.publishRun(run('aaaa0000', [cand('solve_aaaa0000', { status: 'pass', solved: true })]), { merge: true });
    assert.deepStrictEqual(last()!.map((d) => d.message.split(':')[0]), ['solve_aaaa0000_b'], 'the syntax error and the scored verdict go; the other verdict stays, unmarked');
    assert.doesNotMatch(last()![0].message, /last run that parsed/);
  });

  it('a linted document\'s syntax error is the lint\'s: typing one keeps the verdicts as they are, a save does not repeat it', () => {
    const { publisher, last } = setup();
    publisher.publishRun(run('aaaa0000', [cand('solve_aaaa0000')]), { saved: FILE });
    const lintSyntax = lintDiagnostics([{ line: 7, col: 3, endCol: 4, severity: 'error', code: 'syntax', message: 'SyntaxError: bad' }]);
    publisher.setLint(URI, lintSyntax);
    assert.deepStrictEqual(last()!.map((d) => [d.source, d.code]), [['batt', 'mismatch'], ['batt-lint', 'syntax']], 'typed, not saved');
    assert.doesNotMatch(last()![0].message, /last run that parsed/);
    publisher.publishRun(broken(7), { saved: FILE });
    assert.deepStrictEqual(last()!.map((d) => [d.source, d.code]), [['batt', 'mismatch'], ['batt-lint', 'syntax']], 'saved: one syntax error');
    assert.match(last()![0].message, /from the last run that parsed this file: line 7 has a syntax error/);
    publisher.clearLint(URI);
    assert.deepStrictEqual(last()!.map((d) => [d.source, d.code]), [['batt', 'syntax'], ['batt', 'mismatch']], 'closed: the run\'s syntax error shows');
  });

  it('cuts an exception\'s range to the raising expression of the file\'s text, read once per file', () => {
    const reads: string[] = [];
    const text = 'from dsl import *\n\ndef solve_aaaa0000(I):\n    x1 = first(I)\n    O = last(x1)\n    return O\n';
    const sent: Diagnostic[][] = [];
    const publisher = new DiagnosticsPublisher({ send: (_u, d) => sent.push(d), version: () => undefined, isFile: () => true, readFile: (p) => (reads.push(p), text) });
    const error = (name: string, line: number) =>
      cand(name, { status: 'error', pairs: [{ kind: 'demo', index: 0, status: 'error', ms: 1, message: 'IndexError: x', error: { type: 'IndexError', message: 'x', file: FILE, line, traceback: '' } }] });
    publisher.publishRun(run('aaaa0000', [error('solve_aaaa0000', 4), error('solve_aaaa0000_b', 5)]));
    assert.deepStrictEqual(sent.at(-1)!.map((d) => [d.range.start, d.range.end]), [
      [{ line: 3, character: 9 }, { line: 3, character: 17 }],
      [{ line: 4, character: 8 }, { line: 4, character: 16 }],
    ]);
    assert.deepStrictEqual(reads, [FILE]);
  });

  it('files that are gone get nothing', () => {
    const sent: string[] = [];
    const publisher = new DiagnosticsPublisher({ send: (uri) => sent.push(uri), version: () => undefined, isFile: () => false });
    publisher.publishRun(run('aaaa0000', [cand('solve_aaaa0000')]));
    assert.deepStrictEqual(sent, []);
  });

  it('run and lint diagnostics are merged per URI; closing drops the lint ones only', () => {
    const { publisher, last } = setup();
    publisher.publishRun(run('aaaa0000', [cand('solve_aaaa0000')]));
    publisher.setLint(URI, lintDiagnostics([{ line: 3, col: 5, endCol: 9, severity: 'warning', code: 'nested-call', message: 'one call per line' }]));
    assert.deepStrictEqual(last()!.map((d) => d.source), ['batt', 'batt-lint']);
    publisher.publishRun(run('aaaa0000', [cand('solve_aaaa0000_b')]));
    assert.deepStrictEqual(last()!.map((d) => d.source), ['batt', 'batt-lint'], 'a run keeps the lint diagnostics');
    publisher.clearLint(URI);
    assert.deepStrictEqual(last()!.map((d) => d.source), ['batt']);
  });
});

describe('lint diagnostics', () => {
  it('maps 1-based lines and columns (endCol exclusive) to LSP ranges, error or warning', () => {
    const problems: LintProblem[] = [
      { line: 3, col: 5, endCol: 22, severity: 'warning', code: 'nested-call', message: 'nested call' },
      { line: 1, col: 1, endCol: 1, severity: 'error', code: 'undefined-name', message: 'x9 is not defined' },
    ];
    assert.deepStrictEqual(lintDiagnostics(problems), [
      { severity: DiagnosticSeverity.Warning, source: 'batt-lint', code: 'nested-call', message: 'nested call', range: { start: { line: 2, character: 4 }, end: { line: 2, character: 21 } } },
      { severity: DiagnosticSeverity.Error, source: 'batt-lint', code: 'undefined-name', message: 'x9 is not defined', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } },
    ]);
  });
});

describe('lint scheduler', () => {
  const problem: LintProblem = { line: 1, col: 1, endCol: 2, severity: 'warning', code: 'nested-call', message: 'm' };

  function scheduler(version: () => number | undefined, enabled = true) {
    const { clock, advance, pending } = fakeClock();
    const linted: string[] = [];
    const published: Array<{ uri: string; n: number }> = [];
    const lint = new LintScheduler({
      enabled: () => enabled,
      lint: async (_file, text) => (linted.push(text), [problem]),
      version: () => version(),
      publish: (uri, d) => published.push({ uri, n: d.length }),
      log: () => undefined,
      clock,
    });
    return { lint, linted, published, advance, pending };
  }

  const doc = (text: string, version = 1, languageId = 'python') => ({ uri: URI, version, languageId, getText: () => text });
  const settle = () => new Promise((r) => setImmediate(r));

  it('lints once after the last change, and publishes for the current version', async () => {
    const s = scheduler(() => 2);
    s.lint.schedule(doc('a', 1));
    s.advance(100);
    s.lint.schedule(doc('ab', 2));
    s.advance(100);
    assert.deepStrictEqual(s.linted, [], 'still within the debounce of the second change');
    s.advance(50);
    await settle();
    assert.deepStrictEqual(s.linted, ['ab']);
    assert.deepStrictEqual(s.published, [{ uri: URI, n: 1 }]);
  });

  it('drops a result for a version that was edited (or closed) meanwhile', async () => {
    let current: number | undefined = 3;
    const s = scheduler(() => current);
    s.lint.schedule(doc('x', 1));
    s.advance(150);
    await settle();
    assert.deepStrictEqual(s.linted, ['x']);
    assert.deepStrictEqual(s.published, []);
    current = undefined;
    s.lint.schedule(doc('x', 3));
    s.advance(150);
    await settle();
    assert.deepStrictEqual(s.published, []);
  });

  it('lints nothing in an untrusted workspace or in other languages; cancel and dispose drop the pending lint', () => {
    const off = scheduler(() => 1, false);
    off.lint.schedule(doc('x'));
    assert.strictEqual(off.pending(), 0);
    const s = scheduler(() => 1);
    s.lint.schedule(doc('x', 1, 'json'));
    assert.strictEqual(s.pending(), 0);
    s.lint.schedule(doc('x'));
    s.lint.cancel(URI);
    assert.strictEqual(s.pending(), 0);
    s.lint.schedule(doc('x'));
    s.lint.dispose();
    assert.strictEqual(s.pending(), 0);
  });
});
