/**
 * batt/runCandidates: the runs chosen candidates need (own tasks, or the battery; one per folder), and what the server
 * does with each (diagnostics merged, the result sent like any run's, the response with the full pairs), on a fake
 * session.
 */
import * as assert from 'assert';
import { pathToFileURL } from 'url';
import type { RunResultNotificationParams } from '../../src/protocol/lsp';
import type { RunJson } from '../../src/protocol/results';
import type { PublishOptions } from '../../src/server/publisher';
import { candidatePlans, joinRuns, ownTaskOf } from '../../src/server/runCandidates';
import { KnownVerdicts } from '../../src/server/known';
import { Runs, RunSession, shownRun } from '../../src/server/runs';

const uri = (p: string) => pathToFileURL(p).toString();
const same = (p: string) => p;

function run(root: string, taskId: string): RunJson {
  return {
    version: 1, workspace: root, startedAt: '2026-01-01T00:00:00.000Z', temperature: 'cold', cancelled: false,
    summary: { tasks: 1, solved: 0, candidates: 1, jobs: 1, ran: 1, cached: 0, skipped: 0, cancelled: 0, wallMs: 5 },
    tasks: [{
      id: taskId, file: `${root}/tasks/${taskId}.json`, solved: false, demoPairs: 1, testPairs: 0,
      candidates: [{
        name: `solve_${taskId}`, file: `${root}/s.py`, line: 4, hash: 'h', status: 'fail', solved: false,
        demo: { passed: 0, total: 1 }, test: { passed: 0, total: 0, unknown: 0 }, ms: 2, length: 3, rank: 1,
        pairs: [{ kind: 'demo', index: 0, status: 'fail', ms: 1, message: 'expected 1x1, got 2x2', actual: [[1, 2], [3, 4]], stdout: 'dbg\n' }],
      }],
    }],
    phases: [], cache: { inline: { hits: 0, misses: 1, entries: 1, savedMs: 0 }, validation: { hits: 0, misses: 1, entries: 1, savedMs: 0 } },
    pool: { workers: 4, restarts: 0, started: true }, stored: [], errors: [],
  };
}

describe('batt/runCandidates: plans', () => {
  it('names the task a candidate is written for', () => {
    assert.strictEqual(ownTaskOf('solve_a3f1c07e'), 'a3f1c07e');
    assert.strictEqual(ownTaskOf('solve_a3f1c07e_v2_fast'), 'a3f1c07e');
    assert.strictEqual(ownTaskOf('batt:12:5e2b9d14'), '5e2b9d14');
    assert.strictEqual(ownTaskOf('helper'), undefined);
  });

  it('one run per folder, each candidate on its own tasks only, in the folders’ order', () => {
    const plans = candidatePlans(
      {
        solvers: [
          { uri: uri('/v/x.py'), solver: 'solve_bbbb' },
          { uri: uri('/w/s.py'), solver: 'solve_aaaa' },
          { uri: uri('/w/s.py'), solver: 'solve_aaaa_2' },
          { uri: uri('/w/s.py'), solver: 'solve_aaaa' }, // twice: once
          { uri: uri('/w/b.py'), solver: 'batt:3:cccc' },
          { uri: uri('/elsewhere/s.py'), solver: 'solve_dddd' }, // in no folder
          { uri: uri('/w/s.py'), solver: 'helper' }, // targets no task
          { uri: 'untitled:1', solver: 'solve_eeee' },
        ],
      },
      ['/w', '/v'],
      same,
    );
    assert.deepStrictEqual(plans, [
      {
        root: '/w',
        options: { candidates: [{ file: '/w/s.py', name: 'solve_aaaa' }, { file: '/w/s.py', name: 'solve_aaaa_2' }, { file: '/w/b.py', name: 'batt:3:cccc' }], tasks: ['aaaa', 'cccc'] },
        what: '3 candidates',
      },
      { root: '/v', options: { candidates: [{ file: '/v/x.py', name: 'solve_bbbb' }], tasks: ['bbbb'] }, what: 'solve_bbbb' },
    ]);
  });

  it('battery: the candidates on every task (no task list)', () => {
    const plans = candidatePlans({ solvers: [{ uri: uri('/w/s.py'), solver: 'solve_aaaa' }], battery: true }, ['/w'], same);
    assert.deepStrictEqual(plans, [{ root: '/w', options: { candidates: [{ file: '/w/s.py', name: 'solve_aaaa' }], battery: true }, what: 'solve_aaaa on every task' }]);
  });

  it('several folders’ runs are one result with every task', () => {
    const j = joinRuns([run('/w', 'aaaa'), run('/v', 'bbbb')]);
    assert.deepStrictEqual(j.tasks.map((t) => t.id), ['aaaa', 'bbbb']);
    assert.strictEqual(j.workspace, '/w');
  });
});

describe('batt/runCandidates: the server’s runs', () => {
  function setup(over: Partial<RunSession> = {}) {
    const calls: Array<{ root: string; what: string; options: unknown }> = [];
    const session: RunSession = {
      folders: ['/w', '/v'],
      runOnSaveEnabled: true,
      runOnSave: async () => undefined,
      runTask: async () => undefined,
      runAll: async () => undefined,
      runCandidates: async (root, options, what) => {
        calls.push({ root, options, what });
        return run(root, root === '/w' ? 'aaaa' : 'bbbb');
      },
      runFromCache: async () => undefined,
      takeUnsentRecords: () => [],
      ...over,
    };
    const published: Array<{ run: RunJson; opts?: PublishOptions }> = [];
    const results: RunResultNotificationParams[] = [];
    const versions = new Map<string, number>();
    const runs = new Runs({
      session, versions: () => versions, showError: () => undefined, log: () => undefined,
      publisher: { publishRun: (r, opts) => void published.push({ run: r, opts }) },
      sendResult: (p) => void results.push(p),
    });
    return { runs, published, results, calls, versions };
  }

  it('merges each run into the diagnostics, sends it like any run, answers with the full pairs', async () => {
    const s = setup();
    const resp = await s.runs.runCandidates({ solvers: [{ uri: uri('/w/s.py'), solver: 'solve_aaaa' }, { uri: uri('/v/x.py'), solver: 'solve_bbbb' }] }, new AbortController().signal);
    assert.deepStrictEqual(s.calls.map((c) => c.root), ['/w', '/v']);
    assert.deepStrictEqual(s.published.map((p) => p.opts), [{ versions: s.versions, merge: true }, { versions: s.versions, merge: true }]);
    assert.deepStrictEqual(s.results.map((r) => [r.reason, r.run]), [['candidates', shownRun(run('/w', 'aaaa'))], ['candidates', shownRun(run('/v', 'bbbb'))]]);
    assert.ok(resp);
    assert.strictEqual(resp.reason, 'candidates');
    assert.deepStrictEqual(resp.run.tasks[0].candidates[0].pairs[0].actual, [[1, 2], [3, 4]], 'the response keeps the actual grids');
    assert.deepStrictEqual(resp.run.tasks.map((t) => t.id), ['aaaa', 'bbbb']);
  });

  it('null when cancelled, and nothing published', async () => {
    const s = setup({ runCandidates: async () => undefined });
    const resp = await s.runs.runCandidates({ solvers: [{ uri: uri('/w/s.py'), solver: 'solve_aaaa' }] }, new AbortController().signal);
    assert.strictEqual(resp, null);
    assert.deepStrictEqual([s.published.length, s.results.length], [0, 0]);
  });
});

describe('batt/runCandidates: the workspace as known', () => {
  it('a chosen candidate’s verdict replaces its own; the same file’s other candidates keep theirs', () => {
    const k = new KnownVerdicts();
    const all = run('/w', 'aaaa');
    const other = { ...all.tasks[0].candidates[0], name: 'solve_aaaa_2', solved: true, status: 'pass' as const };
    all.tasks[0].candidates.push(other);
    k.add('/w', all, 'manual');
    assert.strictEqual(k.verdict('/w', 'aaaa'), 'solved');
    k.add('/w', run('/w', 'aaaa'), 'candidates'); // solve_aaaa alone, failing
    assert.strictEqual(k.verdict('/w', 'aaaa'), 'solved', 'solve_aaaa_2 still solves it');
  });
});
