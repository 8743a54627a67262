// Drives one real Python worker (src/worker/scoring/main.py) through WorkerProcess: protocol, isolation, overhead.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FromWorker, ResultMessage, RunMessage } from '../../src/protocol/worker';
import { WorkerProcess } from '../../src/engine/pool/workerProcess';
import { until } from '../poll';
import { FAULTY, isAlive, loadTask, PYTHON, REPO, SCRIPT } from '../workerFixtures';



/** Matches results to run ids; one persistent listener. */
class Client {
  private nextId = 0;
  private readonly waiting = new Map<number, (r: ResultMessage) => void>();
  readonly others: FromWorker[] = [];
  constructor(readonly proc: WorkerProcess) {
    proc.on('message', (m) => {
      if (m.t === 'result' && this.waiting.has(m.id)) {
        this.waiting.get(m.id)?.(m);
        this.waiting.delete(m.id);
      } else this.others.push(m);
    });
  }
  run(fields: Omit<RunMessage, 't' | 'id'>, timeoutMs = 15000): Promise<ResultMessage> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no result for ${fields.fn} within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.proc.send({ t: 'run', id, ...fields });
    });
  }
}


describe('Python worker (one WorkerProcess)', function () {
  this.timeout(60000);
  const task = loadTask('68b16354');
  const logs: Array<[string, string]> = [];
  let proc: WorkerProcess;
  let client: Client;
  const job = (file: string, fn: string, extra: Partial<RunMessage> = {}): Omit<RunMessage, 't' | 'id'> => ({
    file: path.join(FAULTY, file), fn, kind: 'I', task: task.key, taskId: '68b16354', pair: 'demo', index: 0, ...extra,
  });

  before(async () => {
    proc = new WorkerProcess({ id: 7, python: PYTHON, script: SCRIPT, roots: [FAULTY], memoryMB: 1024, onLog: (_id, s, l) => logs.push([s, l]) });
    client = new Client(proc);
    const ready = await proc.ready;
    assert.equal(ready.pid, proc.pid);
    assert.match(ready.python, /^3\.\d+\.\d+$/);
    proc.send(task);
    proc.send({ t: 'files', files: {} });
  });
  after(async () => {
    await proc.kill();
  });

  it('remembers which task keys it was sent', () => {
    assert.equal(proc.hasTask(task.key), true);
    assert.equal(proc.hasTask('other'), false);
  });

  it('scores demo and test pairs of a real ARC task', async () => {
    for (const [pair, n] of [['demo', task.train.length], ['test', task.test.length]] as const) {
      for (let index = 0; index < n; index++) {
        const r = await client.run(job('solvers.py', 'solve_68b16354', { pair, index }));
        assert.equal(r.ok, true);
        assert.deepEqual(r.outcome, { match: true });
        assert.ok(r.ms >= 0 && r.ms < 1000);
      }
    }
  });

  it('passes S as tuples of (input, output) to (S, I, C) solvers', async () => {
    const r = await client.run(job('solvers.py', 'solve_68b16354_sic', { kind: 'SIC' }));
    assert.deepEqual(r.outcome, { match: true }, JSON.stringify(r.error));
  });

  it('reports one outcome per distinct (t, source) of a batt, first wins', async () => {
    const r = await client.run(job('batt_mod.py', 'batt', { kind: 'batt' }));
    assert.equal(r.ok, true, JSON.stringify(r.error));
    const input = task.train[0][0];
    assert.deepEqual(r.batt, [
      { t: 1, mutated: false, source: '68b16354', match: true },
      { t: 2, mutated: true, source: '3c9b0459', match: false, output: input.map((row) => [...row].reverse()) },
      { t: 3, mutated: false, source: '68b16354', match: false, invalid: 'returned NoneType' },
    ]);
  });

  it('runs solvers in the workspace root, whatever folder batt was started from', async () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-cwd-')));
    const file = path.join(dir, 'cwd_solvers.py');
    // a relative open() finds the workspace's own file only when the cwd is the workspace root
    fs.writeFileSync(path.join(dir, 'marker.txt'), 'here');
    fs.writeFileSync(file, 'def solve_cwd(I):\n    with open("marker.txt") as f:\n        assert f.read() == "here"\n    return I\n');
    assert.notEqual(process.cwd(), dir);
    const w = new WorkerProcess({ id: 9, python: PYTHON, script: SCRIPT, roots: [dir], memoryMB: 0 });
    try {
      const c = new Client(w);
      await w.ready;
      w.send(task);
      w.send({ t: 'files', files: {} });
      const r = await c.run({ ...job('x', 'solve_cwd'), file });
      assert.deepEqual(r.outcome, { match: false, output: task.train[0][0] }, JSON.stringify(r.error));
    } finally {
      await w.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('forwards raw fd 1/2 output to the log, line by line, capped', async () => {
    const r = await client.run(job('solvers.py', 'solve_fd1'));
    assert.equal(r.ok, true);
    await until('the stdout line', () => logs.some(([s, l]) => s === 'stdout' && l === 'raw line on fd 1'), 10_000);
    await until('the stderr line', () => logs.some(([s, l]) => s === 'stderr' && l.startsWith('zzz')), 10_000);
    const long = logs.find(([s, l]) => s === 'stderr' && l.startsWith('zzz'));
    assert.ok(long && long[1].length < 2100, 'a 100 kB line is cut');
  });

  it('keeps an unchanged DSL imported and re-imports it (and its importers) when its sha changes', async () => {
    const dsl = path.join(FAULTY, 'dsl.py');
    const solvers = path.join(FAULTY, 'solvers.py');
    const files = (sha: string) => ({ [dsl]: { sha, deps: [] }, [solvers]: { sha: 's1', deps: [dsl] } });
    proc.send({ t: 'files', files: files('a') });
    const first = (await client.run(job('solvers.py', 'solve_imports'))).outcome?.output?.[0][0] as number;
    proc.send({ t: 'files', files: files('a') });
    const same = (await client.run(job('solvers.py', 'solve_imports'))).outcome?.output?.[0][0];
    assert.equal(same, first, 'unchanged sha: not re-imported');
    proc.send({ t: 'files', files: files('b') });
    const again = (await client.run(job('solvers.py', 'solve_imports'))).outcome?.output?.[0][0];
    assert.equal(again, (first + 1) % 10, 'changed sha: re-imported once');
  });

  it('refuses files outside the roots and unknown task keys', async () => {
    const outside = await client.run({ ...job('solvers.py', 'x'), file: path.join(REPO, 'src/worker/scoring/runner.py') });
    assert.equal(outside.ok, false);
    assert.equal(outside.error?.type, 'ImportRefused');
    const unknown = await client.run({ ...job('solvers.py', 'solve_68b16354'), task: 'nope' });
    assert.equal(unknown.error?.type, 'WorkerError');
    assert.match(unknown.error?.message ?? '', /unknown task key/);
  });

  it('answers a malformed line with a log message and keeps serving', async () => {
    (proc as unknown as { input: NodeJS.WritableStream }).input.write('{not json\n');
    await until('the log message', () => client.others.some((m) => m.t === 'log' && m.level === 'error'), 10_000);
    const r = await client.run(job('solvers.py', 'solve_68b16354'));
    assert.equal(r.ok, true);
  });

  it('stops a call at its CPU-time limit (limitMs) and lives on: the same process answers the next job', async () => {
    const seen = client.others.length;
    const r = await client.run(job('hang.py', 'solve_hang', { limitMs: 300 }));
    assert.deepEqual([r.ok, r.timedOut, r.outcome, r.error], [false, true, undefined, undefined]);
    assert.ok((r.cpuMs ?? 0) >= 300 && (r.cpuMs ?? 0) < 2000, `cpuMs ${r.cpuMs}`);
    assert.deepEqual(client.others.slice(seen), [{ t: 'phase', id: r.id, phase: 'import' }, { t: 'phase', id: r.id, phase: 'call' }]);
    const next = await client.run(job('solvers.py', 'solve_68b16354', { limitMs: 300 }));
    assert.deepEqual([next.ok, next.timedOut, next.outcome], [true, undefined, { match: true }]);
    assert.equal(proc.alive, true, 'no respawn: the same worker process');
  });

  it('announces an import (phase import) only when the module is not imported yet; a failed import has no call', async () => {
    const seen = client.others.length;
    const phases = () => client.others.slice(seen).flatMap((m) => (m.t === 'phase' ? [m.phase] : []));
    const broken = await client.run(job('baddsl_user.py', 'solve_x'));
    assert.equal(broken.error?.type, 'ZeroDivisionError');
    assert.deepEqual(phases(), ['import']);
    const missing = await client.run(job('crash.py', 'solve_missing_here'));
    assert.equal(missing.error?.type, 'MissingFunction');
    assert.deepEqual(phases(), ['import', 'import']);
    await client.run(job('crash.py', 'solve_missing_here'));
    assert.deepEqual(phases(), ['import', 'import'], 'crash.py stays imported: nothing announced');
  });

  it('costs well under a millisecond per trivial job (2000 jobs, median printed)', async () => {
    const times: number[] = [];
    const calls: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t0 = process.hrtime.bigint();
      const r = await client.run(job('solvers.py', 'solve_tiny'));
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      calls.push(r.ms);
      assert.equal(r.ok, true);
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    console.log(`      round trip median ${median(times).toFixed(3)} ms, call median ${median(calls).toFixed(4)} ms (2000 jobs)`);
    assert.ok(median(times) < 20, 'generous bound on a shared machine');
  });

  it('exits 0 on EOF of fd 3, and on an exit message', async () => {
    const a = new WorkerProcess({ id: 1, python: PYTHON, script: SCRIPT, roots: [FAULTY], memoryMB: 0 });
    await a.ready;
    a.closeInput();
    assert.deepEqual(await a.exited, { code: 0, signal: null });
    const b = new WorkerProcess({ id: 2, python: PYTHON, script: SCRIPT, roots: [FAULTY], memoryMB: 0 });
    await b.ready;
    b.send({ t: 'exit' });
    assert.deepEqual(await b.exited, { code: 0, signal: null });
  });

  it('kill() takes down the process group, including a solver\'s child process', async () => {
    const lines: string[] = [];
    const w = new WorkerProcess({ id: 3, python: PYTHON, script: SCRIPT, roots: [FAULTY], memoryMB: 0, onLog: (_i, _s, l) => lines.push(l) });
    const c = new Client(w);
    await w.ready;
    w.send(task);
    void c.run(job('orphan.py', 'solve_orphan'), 60000).catch(() => undefined);
    await until('the orphan pid', () => lines.some((l) => l.startsWith('orphan child pid')), 10_000);
    const childPid = Number(/(\d+)/.exec(lines.find((l) => l.startsWith('orphan child pid')) ?? '')?.[1]);
    assert.ok(isAlive(childPid));
    const exit = await w.kill();
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(isAlive(w.pid as number), false);
    await until('the orphan to be gone', () => !isAlive(childPid), 10_000);
  });

  it('rejects ready with a clear message for a missing interpreter or a failing script', async () => {
    const missing = new WorkerProcess({ id: 4, python: 'no-such-python-batt', script: SCRIPT, roots: [FAULTY], memoryMB: 0 });
    await assert.rejects(missing.ready, /Python interpreter 'no-such-python-batt' not found/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-worker-'));
    try {
      const bad = new WorkerProcess({ id: 5, python: PYTHON, script: path.join(dir, 'missing.py'), roots: [FAULTY], memoryMB: 0 });
      await assert.rejects(bad.ready, /exited with code 2 before it was ready:[\s\S]*missing\.py/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects ready for a Python older than 3.8 (BATT_OLD_PYTHON, or a pyenv 3.7 if present)', async function () {
    const pyenv = '/root/.pyenv/versions';
    const found = fs.existsSync(pyenv) ? fs.readdirSync(pyenv).find((v) => /^3\.[67]\./.test(v)) : undefined;
    const old = process.env.BATT_OLD_PYTHON ?? (found ? path.join(pyenv, found, 'bin', 'python3') : undefined);
    if (!old || !fs.existsSync(old)) this.skip();
    const w = new WorkerProcess({ id: 6, python: old, script: SCRIPT, roots: [FAULTY], memoryMB: 0 });
    await assert.rejects(w.ready, /Python 3\.[67]\.\d+ .* is too old: batt needs Python >= 3\.8/);
    await w.exited;
  });
});
