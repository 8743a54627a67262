/**
 * The server's runs on a fake session: what batt/runResult carries (no actual grids or prints, the history records),
 * what the "Run batt on task" response keeps, what is published with which options, a superseded save publishing
 * nothing, an error shown once.
 */
import * as assert from 'assert';
import { pathToFileURL } from 'url';
import type { RunResultNotificationParams, TaskData } from '../../src/protocol/lsp';
import type { RunJson, RunRecord } from '../../src/protocol/results';
import type { PublishOptions } from '../../src/server/publisher';
import { Runs, RunSession, shownRun } from '../../src/server/runs';

const FILE = '/w/solvers.py';

function run(taskId = 'aaaa0000'): RunJson {
  return {
    version: 1, workspace: '/w', startedAt: '2026-01-01T00:00:00.000Z', temperature: 'cold', cancelled: false,
    summary: { tasks: 1, solved: 0, candidates: 1, jobs: 2, ran: 2, cached: 0, skipped: 0, cancelled: 0, wallMs: 5 },
    tasks: [{
      id: taskId, file: `/w/tasks/${taskId}.json`, solved: false, demoPairs: 2, testPairs: 0,
      candidates: [{
        name: `solve_${taskId}`, file: FILE, line: 4, hash: 'h', status: 'error', solved: false,
        demo: { passed: 0, total: 2 }, test: { passed: 0, total: 0, unknown: 0 }, ms: 2, length: 3, rank: 1,
        pairs: [
          { kind: 'demo', index: 0, status: 'fail', ms: 1, message: 'expected 1x1, got 2x2', actual: [[1, 2], [3, 4]], stdout: 'dbg\n' },
          { kind: 'demo', index: 1, status: 'error', ms: 1, message: 'IndexError: x', error: { type: 'IndexError', message: 'x', traceback: 'tb', file: FILE, line: 6 }, stderr: 'warn\n' },
        ],
      }],
    }],
    phases: [{ name: 'score', ms: 5 }], cache: { inline: { hits: 0, misses: 1, entries: 1, savedMs: 0 }, validation: { hits: 0, misses: 2, entries: 2, savedMs: 0 } },
    pool: { workers: 4, restarts: 0, started: true }, stored: [], errors: [],
  };
}

/** The run as the cache answers it: every verdict cached, nothing ran. */
function cachedRun(): RunJson {
  const r = run();
  return { ...r, temperature: 'hot', summary: { ...r.summary, ran: 0, cached: 2 } };
}

const TASK: TaskData = { id: 'aaaa0000', train: [{ input: [[1]], output: [[1]] }], test: [] };
const STALE: RunRecord = { at: 'x', temperature: 'cold', cancelled: true, summary: run().summary, phases: [], cache: { inline: { hits: 0, misses: 0 }, validation: { hits: 0, misses: 0 } }, pool: { workers: 4, restarts: 0 } };

function setup(over: Partial<RunSession> = {}) {
  const unsent: RunRecord[] = [STALE];
  const session: RunSession = {
    folders: ['/w', '/v'],
    runOnSaveEnabled: true,
    runOnSave: async () => run(),
    runTask: async (taskId) => ({ run: run(taskId), task: TASK }),
    runAll: async (root) => (root === '/w' ? run() : undefined),
    runCandidates: async (root) => (root === '/w' ? run() : undefined),
    runFromCache: async (root) => (root === '/w' ? cachedRun() : undefined),
    takeUnsentRecords: () => unsent.splice(0),
    ...over,
  };
  const published: Array<{ run: RunJson; opts?: PublishOptions }> = [];
  const results: RunResultNotificationParams[] = [];
  const errors: string[] = [];
  const versions = new Map([[pathToFileURL(FILE).toString(), 7]]);
  const runs = new Runs({
    session, versions: () => versions, showError: (m) => errors.push(m), log: () => undefined,
    publisher: { publishRun: (r, opts) => void published.push({ run: r, opts }) },
    sendResult: (p) => void results.push(p),
  });
  return { runs, published, results, errors, versions };
}

describe('server runs', () => {
  it('a save publishes the full run and sends it without actual grids or prints, with its records', async () => {
    const s = setup();
    await s.runs.onSave(pathToFileURL(FILE).toString());
    assert.strictEqual(s.published.length, 1);
    assert.deepStrictEqual(s.published[0].run, run(), 'diagnostics come from the full run');
    assert.deepStrictEqual(s.published[0].opts, { versions: s.versions, saved: FILE });
    const [r] = s.results;
    assert.strictEqual(r.reason, 'save');
    const pairs = r.run.tasks[0].candidates[0].pairs;
    assert.deepStrictEqual(pairs, [
      { kind: 'demo', index: 0, status: 'fail', ms: 1, message: 'expected 1x1, got 2x2' },
      { kind: 'demo', index: 1, status: 'error', ms: 1, message: 'IndexError: x', error: { type: 'IndexError', message: 'x', traceback: 'tb', file: FILE, line: 6 } },
    ]);
    assert.deepStrictEqual({ ...r.run, tasks: [] }, { ...run(), tasks: [] }, 'summary, phases, cache unchanged');
    assert.deepStrictEqual(r.record!.summary, run().summary);
    assert.deepStrictEqual(r.earlier, [STALE], 'a run that ended without a result rides along once');
    await s.runs.onSave(pathToFileURL(FILE).toString());
    assert.deepStrictEqual(s.results[1].earlier, []);
  });

  it('"Run batt on task": the response keeps the grids, prints and task data; the notification does not', async () => {
    const s = setup();
    const resp = await s.runs.runTask('aaaa0000', new AbortController().signal);
    assert.ok(resp);
    assert.deepStrictEqual(resp.run, run());
    assert.deepStrictEqual(resp.task, TASK);
    assert.strictEqual(resp.taskId, 'aaaa0000');
    const [r] = s.results;
    assert.deepStrictEqual([r.reason, r.taskId, r.task], ['task', 'aaaa0000', undefined]);
    assert.deepStrictEqual(r.run, shownRun(run()));
    assert.deepStrictEqual(s.published[0].opts, { versions: s.versions, merge: true });
    const cancelled = setup({ runTask: async () => undefined });
    assert.strictEqual(await cancelled.runs.runTask('aaaa0000', new AbortController().signal), null);
    assert.deepStrictEqual([cancelled.results.length, cancelled.published.length], [0, 0]);
  });

  it('"Run every task" runs each folder, publishes with the versions it started from, counts completed runs', async () => {
    const s = setup();
    assert.strictEqual(await s.runs.runAll(new AbortController().signal), 1);
    assert.deepStrictEqual(s.published.map((p) => p.opts), [{ versions: s.versions }]);
    assert.deepStrictEqual(s.results.map((r) => r.reason), ['manual']);
  });

  it('a superseded save, a non-Python file and runOnSave off publish and send nothing; an error is shown once', async () => {
    const s = setup({ runOnSave: async () => undefined });
    await s.runs.onSave(pathToFileURL(FILE).toString());
    const off = setup({ runOnSaveEnabled: false });
    await off.runs.onSave(pathToFileURL(FILE).toString());
    await off.runs.onSave(pathToFileURL('/w/notes.txt').toString());
    assert.deepStrictEqual([s.published.length, s.results.length, off.published.length, off.results.length], [0, 0, 0, 0]);

    const bad = setup({ runOnSave: async () => { throw new Error('no tasks found'); } });
    await bad.runs.onSave(pathToFileURL(FILE).toString());
    await bad.runs.onSave(pathToFileURL(FILE).toString());
    assert.deepStrictEqual(bad.errors, ['batt: no tasks found']);
  });

  it('cached verdicts at start: published and sent with no record, unless a run published since they were looked up', async () => {
    const s = setup();
    await s.runs.fromCache();
    assert.deepStrictEqual(s.published.map((p) => p.opts), [{ versions: s.versions }]);
    assert.deepStrictEqual(s.results.map((r) => [r.reason, r.record, r.earlier]), [['cache', undefined, [STALE]]]);

    let release!: () => void;
    const late = setup({ runFromCache: (root) => (root === '/w' ? new Promise((ok) => (release = () => ok(cachedRun()))) : Promise.resolve(undefined)) });
    const lookup = late.runs.fromCache();
    await late.runs.onSave(pathToFileURL(FILE).toString()); // a save finishes first
    release();
    await lookup;
    assert.deepStrictEqual(late.results.map((r) => r.reason), ['save'], 'the older cached verdicts are dropped');
    assert.strictEqual(late.published.length, 1);

    const cold = setup({ runFromCache: async () => run() }); // nothing in the cache
    await cold.runs.fromCache();
    assert.deepStrictEqual([cold.published.length, cold.results.length], [0, 0], 'an empty cache shows nothing');
  });
});
