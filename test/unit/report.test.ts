import * as assert from 'assert';
import { cacheStatistics, errorLines, inputErrorCount, summaryLine, taskLines, timingSummary } from '../../src/engine/report';
import type { CandidateJson, PairJson, RunJson } from '../../src/protocol/results';

function run(): RunJson {
  return {
    version: 1, workspace: '/w', startedAt: '', temperature: 'warm', cancelled: false,
    summary: { tasks: 1, solved: 1, candidates: 2, jobs: 8, ran: 4, cached: 4, skipped: 0, cancelled: 0, wallMs: 2932.4 },
    tasks: [],
    phases: [{ name: 'startup', ms: 120 }, { name: 'discover', ms: 30.5 }, { name: 'inline', ms: 5 }, { name: 'score', ms: 2140 }, { name: 'store', ms: 0 }, { name: 'unaccounted', ms: 636.9 }],
    cache: { inline: { hits: 42275, misses: 77, entries: 78, savedMs: 6341250 }, validation: { hits: 0, misses: 32, entries: 32, savedMs: 0 } },
    pool: { workers: 4, restarts: 0, started: true }, stored: [], errors: [],
  };
}

describe('report formats (domain.md §6)', () => {
  it('prints the Timing summary in run_batt layout, sorted descending, parseable by the documented regex', () => {
    const text = timingSummary(run());
    const lines = text.split('\n');
    assert.strictEqual(lines[0], '');
    assert.strictEqual(lines[1], 'Timing summary (seconds):');
    const rows = lines.slice(2, lines.indexOf('', 2));
    assert.strictEqual(rows[0], `  ${'batt.total'.padEnd(32)} ${'2.932'.padStart(8)}`);
    const parsed = rows.map((l) => /^\s{2}(\S+)\s+(-?\d+\.\d{3})$/.exec(l));
    assert.ok(parsed.every(Boolean), rows.join('\n'));
    const values = parsed.map((m) => Number(m![2]));
    assert.deepStrictEqual(values, [...values].sort((a, b) => b - a));
    assert.ok(rows.some((l) => l.includes('batt.unaccounted') && l.endsWith('0.637')));
    assert.match(text, /Share of wall time \(%\):\n {2}batt\.score\s+73\.0/);
  });
  it('prints Cache Statistics exactly like batt_cache.print_cache_stats', () => {
    assert.strictEqual(
      cacheStatistics(run()),
      [
        '', '=== Cache Statistics ===', '',
        'Validation Cache:', '  Hits: 0', '  Misses: 32', '  Total: 32', '  Hit Rate: 0.0%', '  Cache Size: 32 entries', '',
        'Inlining Cache:', '  Hits: 42275', '  Misses: 77', '  Total: 42352', '  Hit Rate: 99.8%', '  Cache Size: 78 entries',
        '  Time Saved: ~6341.25s', '', 'Total Time Saved: ~6341.25s',
      ].join('\n'),
    );
  });
  it('summary line: jobs are the verdicts the run needed, split into ran, cached, cancelled, plus skipped', () => {
    const hot = run();
    hot.temperature = 'hot';
    hot.summary = { ...hot.summary, jobs: 1718, ran: 0, cached: 1718 };
    assert.match(summaryLine(hot), / - jobs = 1718 \(ran 0, 1718 cached\) in 2\.932s \[hot;/);
    assert.match(summaryLine(run()), / - jobs = 8 \(ran 4, 4 cached\) in /);
    const partial = run();
    partial.summary = { ...partial.summary, jobs: 80, ran: 20, cached: 2, cancelled: 58, skipped: 6 };
    assert.match(summaryLine(partial), / - jobs = 80 \(ran 20, 2 cached, 58 cancelled\), 6 skipped in /);
  });
  it('task lines: pairs that did not run have their own marks (· skipped, - cancelled) and are never the problem shown', () => {
    const p = (index: number, status: PairJson['status'], message?: string): PairJson => ({ kind: index < 3 ? 'demo' : 'test', index: index < 3 ? index : 0, status, ms: 1, ...(message ? { message } : {}) });
    const c = (name: string, rank: number, status: CandidateJson['status'], pairs: PairJson[]): CandidateJson => ({
      name, file: '/w/s.py', line: rank, hash: name, status, solved: false, demo: { passed: 0, total: 3 }, test: { passed: 0, total: 1, unknown: 0 }, ms: 1, length: 1, rank, pairs,
    });
    const r = run();
    r.cancelled = true;
    r.summary = { ...r.summary, jobs: 12, ran: 3, cached: 1, cancelled: 8 };
    r.tasks = [{
      id: 't', file: '/w/t.json', solved: false, demoPairs: 3, testPairs: 1,
      candidates: [
        c('solve_half', 1, 'fail', [p(0, 'cancelled', 'cancelled before it ran'), p(1, 'pass'), p(2, 'fail', 'expected 3x3, got 9x9'), p(3, 'cancelled', 'cancelled before it ran')]),
        c('solve_none', 2, 'cancelled', [0, 1, 2, 3].map((i) => p(i, 'cancelled', 'cancelled before it ran'))),
        c('solve_quarantined', 3, 'skipped', [0, 1, 2, 3].map((i) => p(i, 'skipped', 'skipped (timed out on 2 tasks)'))),
        c('solve_stopped', 4, 'error', [p(0, 'error', 'IndexError: tuple index out of range'), p(1, 'skipped'), p(2, 'skipped'), p(3, 'skipped')]),
      ],
    }];
    const lines = taskLines(r).split('\n');
    assert.match(lines[1], /^ {4}1\. solve_half +-✓✗- +fail +demo 0\/3/);
    assert.strictEqual(lines[2], '        demo 2: expected 3x3, got 9x9');
    assert.match(lines[3], /^ {4}2\. solve_none +---- +cancelled +demo 0\/3, test 0\/1 /);
    assert.match(lines[4], /^ {4}3\. solve_quarantined +···· +skipped +demo 0\/3/);
    assert.strictEqual(lines[5], '        demo 0: skipped (timed out on 2 tasks)');
    assert.match(lines[6], /^ {4}4\. solve_stopped +!··· +error /);
    assert.strictEqual(lines[7], '        demo 0: IndexError: tuple index out of range');
    assert.strictEqual(lines.length, 8);
    assert.match(summaryLine(r), / - jobs = 12 \(ran 3, 1 cached, 8 cancelled\) in 2\.932s \[warm, cancelled after 4 of 12 jobs; pool 4 workers/);
  });
  it('warnings and errors are told apart; --strict counts only the errors (issue 10)', () => {
    const r = run();
    r.errors = [
      { kind: 'config', file: '/t/x_challenges.json', message: 'no solutions file x_solutions.json beside it: test verdicts will be unknown', severity: 'warning' },
      { kind: 'task', file: '/t/bad.json', line: 3, col: 7, message: 'invalid JSON at line 3, column 7: unexpected end of JSON input' },
      { kind: 'task', file: '/t/b.json', place: 'train[0].output', message: 'grid is empty' },
    ];
    assert.strictEqual(errorLines(r), [
      'warning: /t/x_challenges.json: no solutions file x_solutions.json beside it: test verdicts will be unknown',
      'error: /t/bad.json:3:7: invalid JSON at line 3, column 7: unexpected end of JSON input',
      'error: /t/b.json train[0].output: grid is empty',
    ].join('\n'));
    assert.strictEqual(inputErrorCount(r), 2);
    r.errors = [r.errors[0]];
    assert.strictEqual(inputErrorCount(r), 0);
  });
  it('the summary says when test outputs are unknown, and why, instead of solved = 0 (issue 10)', () => {
    const r = run();
    r.summary = { ...r.summary, tasks: 3, solved: 0, unknownOutputs: { tasks: 3, reasons: ['no solutions file x_solutions.json beside x_challenges.json'] } };
    assert.match(summaryLine(r), /^3 tasks - solved = \? \(test outputs unknown: no solutions file x_solutions\.json beside x_challenges\.json\) - candidates = 2 - /);
    r.summary = { ...r.summary, tasks: 5, solved: 1, unknownOutputs: { tasks: 2, reasons: ['no usable solutions in y_solutions.json', 'a', 'b', 'c'] } };
    assert.match(summaryLine(r), /^5 tasks - solved = 1 \(test outputs unknown for 2 of 5 tasks: no usable solutions in y_solutions\.json; a; 2 more\) - /);
    assert.match(summaryLine(run()), /^1 tasks - solved = 1 - candidates/);
  });
});
