/**
 * The server's session and runs in plain Node, with real engines and Python workers on a temporary copy of the sample
 * workspace and a recording sink instead of the LSP connection: the pool state machine (untrusted / stopped /
 * starting / idle / busy / error), save supersession through the diagnostics publisher, workspace folder changes,
 * "Run batt on task" reading the task folder once.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Diagnostic } from 'vscode-languageserver/node';
import { readRunLog, runRecord } from '../../src/engine/store/runLog';
import type { PoolState, PoolStatusParams, ProgressParams, RunResultNotificationParams, ServerSettings } from '../../src/protocol/lsp';
import { DEFAULTS } from '../../src/protocol/settings';
import { DiagnosticsPublisher } from '../../src/server/publisher';
import { Runs } from '../../src/server/runs';
import { Session } from '../../src/server/session';
import { statusView } from '../../src/extension/statusView';
import { isAlive } from '../faults/helpers';
import { until } from '../poll';
import '../cacheHome';
import '../cacheHome';

const SAMPLES = path.join(__dirname, '..', '..', 'samples');

function copySamples(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-session-'));
  fs.cpSync(SAMPLES, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.batt`) && !src.includes('__pycache__') });
  return fs.realpathSync(dir);
}

/** Counts loadTasks' reads of a tasks folder (fs.promises.readdir(dir) with no options; discovery passes some). */
function countTaskReads(dirs: string[]) {
  const readdir = fs.promises.readdir;
  const counts = new Map(dirs.map((d) => [d, 0]));
  const spy = (...args: unknown[]) => {
    const dir = String(args[0]);
    if (args.length === 1 && counts.has(dir)) counts.set(dir, counts.get(dir)! + 1);
    return (readdir as (...a: unknown[]) => unknown).apply(fs.promises, args);
  };
  (fs.promises as { readdir: unknown }).readdir = spy;
  return {
    take: () => {
      const out = dirs.map((d) => counts.get(d)!);
      for (const d of dirs) counts.set(d, 0);
      return out;
    },
    restore: () => ((fs.promises as { readdir: unknown }).readdir = readdir),
  };
}

/** Two workers; the timeout (2 s) and the tasks folder come from the sample batt.json. */
function settings(over: Partial<ServerSettings> = {}): ServerSettings {
  return { ...DEFAULTS, workers: 2, python: 'python3', trusted: true, explicit: ['workers'], ...over };
}

/** Scoring workers (src/worker/scoring/main.py) among this process's children: pids. */
function scoringWorkers(): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (ppid === process.pid && cmd.some((a) => /scoring[\\/]main\.py$/.test(a))) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** A session with recorded events, and the runs on top of it publishing into a recording sink. */
function harness(roots: string[], s: ServerSettings) {
  const lines: string[] = [];
  const states: PoolState[] = [];
  const sent: Array<{ uri: string; diagnostics: Diagnostic[] }> = [];
  const results: RunResultNotificationParams[] = [];
  const progress: Array<ProgressParams & { at: number }> = [];
  const session = new Session(roots, s, {
    log: (l) => lines.push(l),
    status: (st: PoolStatusParams) => states.push(st.state),
    progress: (p) => progress.push({ ...p, at: performance.now() }),
  });
  const publisher = new DiagnosticsPublisher({ send: (uri, diagnostics) => sent.push({ uri, diagnostics }), version: () => undefined, isFile: (p) => fs.existsSync(p) });
  const errors: string[] = [];
  const runs = new Runs({ session, publisher, versions: () => new Map(), sendResult: (p) => results.push(p), showError: (m) => errors.push(m), log: () => undefined });
  return { session, runs, states, sent, results, errors, progress, lines };
}

describe('session: pool states and runs on save', function () {
  this.timeout(120000);
  let ws: string;
  const sessions: Session[] = [];

  before(() => {
    ws = copySamples();
  });
  after(async () => {
    await Promise.all(sessions.map((s) => s.dispose()));
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('untrusted: says so and runs nothing', async () => {
    const h = harness([ws], settings({ trusted: false }));
    sessions.push(h.session);
    assert.strictEqual(h.session.status().state, 'untrusted');
    assert.strictEqual(await h.session.runOnSave(path.join(ws, 'solvers.py')), undefined);
    await h.runs.onSave(pathToFileURL(path.join(ws, 'solvers.py')).toString());
    assert.deepStrictEqual(await h.session.listTasks(), []);
    assert.throws(() => h.session.engine(ws), /not trusted/);
    assert.deepStrictEqual([h.results.length, h.sent.length], [0, 0]);
    assert.strictEqual(h.session.status().state, 'untrusted');
  });

  it('stopped, starting, idle; busy while a save runs; a newer save supersedes it and the stale one publishes nothing', async () => {
    const h = harness([ws], settings());
    sessions.push(h.session);
    assert.strictEqual(h.session.status().state, 'stopped', 'no engine yet');

    const solvers = pathToFileURL(path.join(ws, 'solvers.py')).toString();
    const slow = pathToFileURL(path.join(ws, 'slow_solvers.py')).toString();
    await h.runs.onSave(solvers);
    assert.strictEqual(h.states[0], 'starting', `first state of the first run (${h.states.join(', ')})`);
    assert.strictEqual(h.session.status().state, 'idle');
    assert.strictEqual(h.results.length, 1);
    assert.ok(h.sent.some((s) => s.uri === solvers && s.diagnostics.some((d) => d.code === 'IndexError')));
    const last = h.progress.at(-1)!;
    assert.ok(last.total > 0 && last.done === last.total, `the run's last progress is sent (${JSON.stringify(last)})`);
    const spaced = h.progress.slice(0, -1).every((p, i) => i === 0 || p.at - h.progress[i - 1].at >= 95);
    assert.ok(spaced, `progress at most every 100 ms but the final flush: ${h.progress.map((p) => `${p.done}@${Math.round(p.at)}`).join(' ')}`);

    // slow_solvers.py never returns (2 s timeout per pair): the pool is busy until a newer save cancels the run.
    h.sent.length = 0;
    h.results.length = 0;
    const stale = h.runs.onSave(slow);
    await until('the slow save to occupy the pool', () => h.session.status().state === 'busy', 20000);
    const fresh = h.runs.onSave(solvers);
    await Promise.all([stale, fresh]);
    assert.deepStrictEqual(h.results.map((r) => r.reason), ['save'], 'one result: the newer save');
    assert.ok(h.results[0].run.tasks.some((t) => t.candidates.some((c) => c.name === 'solve_9fd2a6c3')), 'the newer save ran solvers.py');
    assert.ok(!h.results[0].run.tasks.some((t) => t.candidates.some((c) => c.name === 'solve_2ab8e5f0')));
    assert.ok(h.sent.length > 0 && h.sent.every((s) => s.uri !== slow), 'nothing published for the stale run');
    // the history: the stale run's record rides along with the newer result, which brings its own
    // (or, when the cached newer run ended before the cancelled one had wound down, with the next result)
    const r = h.results[0];
    assert.deepStrictEqual(r.record, runRecord(r.run));
    const held = [...r.earlier, ...h.session.takeUnsentRecords()];
    assert.deepStrictEqual(held.map((e) => e.cancelled), [true], 'the stale run\'s record is sent once');
    const file = await readRunLog(ws, 50);
    const lastTwo = (recs: unknown[]) => recs.map((x) => JSON.stringify(x)).sort();
    assert.deepStrictEqual(lastTwo(file.slice(-2)), lastTwo([...held, r.record]), 'the records are the lines of runs.jsonl');
    assert.deepStrictEqual(await h.session.history(50), file, 'and the server\'s history has them all');
    await until('the pool to be idle again (the killed worker respawned)', () => h.session.status().state === 'idle', 20000);
  });

  it('error when a run fails, idle after the next good run, stopped after dispose', async () => {
    const h = harness([ws], settings({ tasksPath: 'no-such-tasks' }));
    sessions.push(h.session);
    const solvers = pathToFileURL(path.join(ws, 'solvers.py')).toString();
    await h.runs.onSave(solvers);
    const st = h.session.status();
    assert.strictEqual(st.state, 'error');
    assert.match(st.message ?? '', /no tasks found/);
    await h.runs.onSave(solvers);
    assert.strictEqual(h.errors.length, 1, 'the same error is shown once');

    await h.session.update(settings());
    await h.runs.onSave(solvers);
    assert.strictEqual(h.session.status().message, undefined, 'a good run clears the error');
    // a hot run needs no worker: the eager pool may still be starting when it ends
    await until('the pool to be idle', () => h.session.status().state === 'idle', 20000);
    await h.session.dispose();
    assert.strictEqual(h.session.status().state, 'stopped');
  });

  it('a removed folder\'s runs are cancelled and its engine disposed; the other folder\'s pool keeps running', async () => {
    const other = copySamples();
    const h = harness([ws, other], settings());
    try {
      await h.runs.onSave(pathToFileURL(path.join(ws, 'solvers.py')).toString());
      await until('the first folder\'s two workers', () => h.session.status().detail.filter((w) => w.state === 'idle').length === 2, 20000);
      const kept = h.session.status().detail.map((w) => w.pid!);
      const stale = h.session.runOnSave(path.join(other, 'slow_solvers.py'));
      await until('both folders\' pools, one busy', () => h.session.status().detail.length === 4 && h.session.status().state === 'busy', 20000);
      const gone = h.session.status().detail.map((w) => w.pid!).filter((p) => !kept.includes(p));
      assert.strictEqual(gone.length, 2);

      await h.session.changeFolders([], [other]);
      assert.strictEqual(await stale, undefined, 'the removed folder\'s run was cancelled');
      assert.deepStrictEqual(h.session.folders, [ws]);
      await until('the removed folder\'s workers to exit', () => gone.every((p) => !isAlive(p)), 10000);
      assert.deepStrictEqual(h.session.status().detail.map((w) => w.pid), kept, 'the other pool is untouched');
      assert.strictEqual(await h.session.runOnSave(path.join(other, 'solvers.py')), undefined, 'a file of the removed folder runs nothing');
      assert.deepStrictEqual(await h.session.runAll(other), undefined);

      await h.session.changeFolders([other], []);
      assert.deepStrictEqual(h.session.folders, [ws, other]);
      const run = await h.session.runOnSave(path.join(other, 'solvers.py'));
      assert.ok(run && run.workspace === other, 'an added folder runs');
      assert.deepStrictEqual(h.session.status().detail.filter((w) => kept.includes(w.pid!)).length, 2);
    } finally {
      await h.session.dispose();
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('"Run batt on task" reads the task folder once: by the run, which also gives the task\'s grids', async () => {
    const a = copySamples();
    const b = copySamples();
    for (const d of [a, b]) fs.rmSync(path.join(d, 'slow_solvers.py')); // no 2 s timeouts in the battery
    const reads = countTaskReads([path.join(a, 'tasks'), path.join(b, 'tasks')]);
    const one = harness([a], settings());
    const two = harness([a, b], settings());
    try {
      const r = await one.session.runTask('5e2b9d14');
      assert.deepStrictEqual(reads.take(), [1, 0], 'one folder: the run is the only read');
      assert.ok(r && r.task && r.task.id === '5e2b9d14' && r.task.train.length === 2 && r.task.test.length === 1, 'the task\'s grids');
      assert.ok(r.run.tasks[0].candidates.length >= 9, 'the battery ran');

      await two.session.listTasks(); // the quick pick
      assert.deepStrictEqual(reads.take(), [1, 1]);
      const r2 = await two.session.runTask('5e2b9d14');
      assert.deepStrictEqual(reads.take(), [1, 0], 'the folder comes from the quick pick\'s list; the run reads once');
      assert.strictEqual(r2?.run.workspace, a, 'the first folder holding the task, as before');
      assert.deepStrictEqual(r2?.task, r.task);
      await assert.rejects(two.session.runTask('ffff0000'), /task ffff0000 not found/);
    } finally {
      reads.restore();
      await Promise.all([one.session.dispose(), two.session.dispose()]);
      for (const d of [a, b]) fs.rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('session: the workspace as known, cached verdicts at start, the log, cancel by run id', function () {
  this.timeout(120000);
  let ws: string;
  const sessions: Session[] = [];
  const fresh = () => {
    const h = harness([ws], settings());
    sessions.push(h.session);
    return h;
  };

  before(async () => {
    ws = copySamples();
    const warm = fresh();
    await warm.runs.runAll(new AbortController().signal); // every task, once: the cache is warm
    await warm.session.dispose();
  });
  after(async () => {
    await Promise.all(sessions.map((s) => s.dispose()));
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('at start the cached verdicts are published and sent, marked as from the cache, and no worker starts', async () => {
    assert.deepStrictEqual(scoringWorkers(), [], 'no worker before');
    const h = fresh();
    await h.runs.fromCache();
    const solvers = pathToFileURL(path.join(ws, 'solvers.py')).toString();
    assert.ok(h.sent.some((s) => s.uri === solvers && s.diagnostics.some((d) => d.code === 'IndexError')), 'the cached exception is a diagnostic');
    assert.deepStrictEqual(h.results.map((r) => [r.reason, r.record]), [['cache', undefined]], 'one result, no history record');
    const run = h.results[0].run;
    assert.deepStrictEqual([run.summary.ran, run.pool.started, run.temperature], [0, false, 'hot']);
    const st = h.session.status();
    assert.deepStrictEqual([st.state, st.detail.length, st.lastRun?.reason, st.known], ['stopped', 0, 'cache', { solved: run.summary.solved, tasks: 12 }]);
    assert.ok(!h.states.includes('starting'), `never starting (${h.states.join(', ')})`);
    assert.deepStrictEqual(scoringWorkers(), [], 'no worker process (/proc)');
    const view = statusView(st);
    assert.match(view.text, new RegExp(`batt: ready · solved ${run.summary.solved}/12 · from the cache$`));
    assert.match(view.tooltip, /Verdicts from the cache, .*: nothing ran/);
    assert.doesNotMatch(view.tooltip, /stopped/, 'the tooltip says what the label says');
    assert.ok(h.lines.some((l) => /^run \d+, cached verdicts \(nothing runs\): 12 tasks, \d+ candidates, \d+ jobs \(0 ran, \d+ cached, 0 cancelled; \d+ skipped\)/.test(l)), h.lines.join('\n'));
  });

  it('a save after it keeps the workspace\'s count; the log has a line per run and per pool restart', async () => {
    const h = fresh();
    await h.runs.fromCache();
    const all = h.session.status().known!;
    assert.strictEqual(all.tasks, 12);
    await h.runs.onSave(pathToFileURL(path.join(ws, 'explained.py')).toString());
    const ran = h.results.at(-1)!.run;
    assert.ok(ran.summary.tasks === 12 && ran.summary.solved < all.solved, `the save's own scope is smaller (${ran.summary.solved} solved)`);
    assert.deepStrictEqual(h.session.status().known, all, 'solved X of Y from everything known, not the save\'s scope');
    assert.match(statusView(h.session.status()).text, new RegExp(`solved ${all.solved}/12 · [\\d.]+ s · cache 100%$`));
    const line = h.lines.find((l) => l.includes('save of explained.py'));
    assert.match(line ?? '', /^run \d+, save of explained\.py: 12 tasks, \d+ candidates, \d+ jobs \(0 ran, \d+ cached, 0 cancelled; \d+ skipped\), solved \d+, [\d.]+ s, \d+ restarts?$/);

    // every worker up and the pool's start over (a worker killed while the pool starts fails the start: no respawn)
    await until('the pool started, every worker idle', () => h.session.engine(ws).poolStatus()?.workers.every((w) => w.state === 'idle'), 30000);
    const victim = h.session.status().detail[0];
    process.kill(victim.pid!, 'SIGKILL');
    const restarted = new RegExp(`^pool of .*: worker ${victim.id} respawned \\(\\d+ restarts? so far\\)$`);
    await until('a restart line in the log', () => h.lines.find((l) => restarted.test(l)) ?? Promise.reject(new Error(h.lines.slice(-4).join(' | '))), 20000);
  });

  it('a trust grant says so (the server then shows the cached verdicts); other updates do not', async () => {
    const h = harness([ws], settings({ trusted: false }));
    sessions.push(h.session);
    assert.strictEqual(await h.session.update(settings({ trusted: false, workers: 3 })), false);
    assert.strictEqual(await h.session.update(settings()), true);
    assert.strictEqual(await h.session.update(settings({ workers: 3 })), false);
    const run = await h.session.runFromCache(ws);
    assert.ok(run && run.summary.cached > 0 && run.summary.ran === 0);
    assert.strictEqual(h.session.status().lastRun?.reason, 'cache');
  });

  it('cancelRun stops that save run (a save run only); its progress ends', async () => {
    const h = fresh();
    // a new endless candidate: not in the cache, so the save runs it (2 s CPU limit per pair)
    const file = path.join(ws, 'slow_solvers.py');
    fs.appendFileSync(file, '\n\ndef solve_2ab8e5f0_again(I):\n    x1 = rot180(I)\n    O = settle(x1)\n    return O\n');
    const slow = h.session.runOnSave(file);
    const p = await until('the slow save\'s progress', () => h.progress.find((x) => x.reason === 'save' && x.total > 0), 20000);
    await until('the slow save to occupy the pool', () => h.session.status().state === 'busy', 20000);
    h.session.cancelRun(p.runId + 1000); // no such run: nothing happens
    assert.strictEqual(h.session.status().state, 'busy');
    h.session.cancelRun(p.runId);
    assert.strictEqual(await slow, undefined, 'cancelled: no result');
    const end = h.progress.at(-1)!;
    assert.deepStrictEqual([end.runId, end.end], [p.runId, true]);
    assert.ok(h.lines.some((l) => new RegExp(`^run ${p.runId}, save of slow_solvers\\.py \\(cancelled\\)`).test(l)), h.lines.join('\n'));
  });
});
