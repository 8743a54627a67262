/**
 * The scoring workers' sandbox (Landlock), end to end: hostile solvers (test/fixtures/sandbox/hostile.py) that delete
 * or write workspace files, write into .batt/, read a task file of the tasks folder inside the workspace, or connect to
 * a listener of this test, each get an error verdict at their own line with the sandbox's note, and nothing happened;
 * a solver's temp file works; a file added at the top level later still runs. With the sandbox off (batt.json
 * "sandbox": false, `--no-sandbox`) or Landlock missing ($BATT_TEST_NO_LANDLOCK), the run says so once, and the delete
 * goes through (in a copy).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import type { RunJson } from '../../src/protocol/results';
import { spawnCli } from '../cliProcess';
import { candidate, disposeAndCheck, FAULT_TASK_ID, makeWorkspace, PidTracker, PYTHON, REPO, verdicts, writeJson } from './helpers';

const FIXTURE = path.join(REPO, 'test', 'fixtures', 'sandbox', 'hostile.py');
const READ_ONLY = '(batt sandbox: the workspace is read-only to solvers)';
const CARELESS = 'import os\nfrom dsl import *\n\n\ndef solve_fa000001_careless(I):\n    os.remove("dsl.py")\n    return rot180(I)\n';

function landlockAbi(): number {
  const r = spawnSync(PYTHON, ['-c', 'import sys; sys.path.insert(0, sys.argv[1]); import landlock; print(landlock.abi()[0])', path.join(REPO, 'src/worker/scoring')], { encoding: 'utf8' });
  return Number(r.stdout.trim()) || 0;
}

/** The line of the function's statement marked "refused here". */
function refusedLine(file: string, fn: string): number {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith(`def ${fn}(`));
  return start + 1 + lines.slice(start).findIndex((l) => l.includes('# refused here'));
}

const sandboxWarnings = (r: RunJson) => r.errors.filter((e) => /solvers are not sandboxed/.test(e.message));
const three = <T>(v: T): T[] => [v, v, v];

describe('the sandbox: hostile solvers through Engine.run', function () {
  this.timeout(120000);
  const tracker = new PidTracker();
  let ws: string;
  let file: string;
  let engine: Engine | undefined;
  let server: net.Server;
  let connections = 0;
  const logs: string[] = [];

  before(async function () {
    if (process.platform !== 'linux' || landlockAbi() < 4) this.skip(); // needs Landlock with TCP rules (Linux 6.7+)
    server = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    ws = makeWorkspace('sandbox');
    file = path.join(ws, 'hostile.py');
    fs.writeFileSync(file, fs.readFileSync(FIXTURE, 'utf8').replace('PORT = 0', `PORT = ${port}`));
    engine = new Engine({ workspace: ws, python: PYTHON, timeoutMs: 5000, workers: 2, log: (l) => logs.push(l) });
  });

  after(async () => {
    server?.close();
    await disposeAndCheck(engine, tracker);
  });

  it('deleting or writing workspace files, writing into .batt/, reading a task file, connecting: refused at the solver line', async () => {
    const dsl = fs.readFileSync(path.join(ws, 'dsl.py'), 'utf8');
    const r = await engine!.run({ files: [file], noCache: true });
    tracker.noteEngine(engine!);
    const expect: Record<string, string> = {
      solve_fa000001_delete: `PermissionError: [Errno 13] Permission denied: 'dsl.py' ${READ_ONLY}`,
      solve_fa000001_write: `PermissionError: [Errno 13] Permission denied: 'notes.txt' ${READ_ONLY}`,
      solve_fa000001_batt: `PermissionError: [Errno 13] Permission denied: '.batt/planted.txt' ${READ_ONLY}`,
      solve_fa000001_peek: "PermissionError: [Errno 13] Permission denied: 'tasks/fa000001.json' (batt sandbox: task files are not readable by solvers)",
      solve_fa000001_connect: 'PermissionError: [Errno 13] Permission denied (batt sandbox: solvers may not open network connections)',
    };
    for (const [fn, message] of Object.entries(expect)) {
      const c = candidate(r, FAULT_TASK_ID, fn);
      assert.deepEqual(verdicts(c), three<[string, string | undefined]>(['error', message]), fn);
      assert.deepEqual(c.pairs.map((p) => [p.error?.file, p.error?.line]), three([file, refusedLine(file, fn)]), `${fn}: at the solver's own line`);
    }
    assert.equal(fs.readFileSync(path.join(ws, 'dsl.py'), 'utf8'), dsl, 'dsl.py is still there, unchanged');
    assert.ok(!fs.existsSync(path.join(ws, 'notes.txt')), 'nothing written in the workspace');
    assert.ok(!fs.existsSync(path.join(ws, '.batt', 'planted.txt')), 'nothing written in .batt/');
    assert.equal(connections, 0, 'the listener got no connection');
    assert.deepEqual(verdicts(candidate(r, FAULT_TASK_ID, 'solve_fa000001_tempfile')), three(['pass', undefined]), 'the temp folder is writable');
    assert.deepEqual(sandboxWarnings(r), [], 'sandboxed: no warning');
    assert.ok(logs.some((l) => /solvers are sandboxed \(Landlock ABI \d+/.test(l)), 'the log says the workers are sandboxed');
  });

  it('a solver file added at the top level after the workers started runs (its text is sent), the tasks stay hidden', async () => {
    const pids = engine!.poolStatus()!.workers.map((w) => w.pid);
    const late = path.join(ws, 'late.py');
    fs.writeFileSync(late, 'from dsl import *\n\n\ndef solve_fa000001_late(I):\n    return rot180(I)\n\n\ndef solve_fa000001_late_peek(I):\n    open("tasks/fa000001.json").read()\n');
    const r = await engine!.run({ files: [late], noCache: true });
    assert.deepEqual(verdicts(candidate(r, FAULT_TASK_ID, 'solve_fa000001_late')), three(['pass', undefined]));
    const peek = candidate(r, FAULT_TASK_ID, 'solve_fa000001_late_peek');
    assert.deepEqual(verdicts(peek), three(['error', "PermissionError: [Errno 13] Permission denied: 'tasks/fa000001.json' (batt sandbox: task files are not readable by solvers)"]));
    assert.equal(peek.pairs[0].error?.line, 9);
    assert.deepEqual(engine!.poolStatus()!.workers.map((w) => w.pid), pids, 'served, not restarted');
  });

  it('a folder added at the top level: the workers restart and can read it', async () => {
    fs.mkdirSync(path.join(ws, 'data'));
    fs.writeFileSync(path.join(ws, 'data', 'hint.txt'), 'rot180');
    const reader = path.join(ws, 'reader.py');
    fs.writeFileSync(reader, 'from dsl import *\n\n\ndef solve_fa000001_reader(I):\n    assert open("data/hint.txt").read() == "rot180"\n    return rot180(I)\n');
    const r = await engine!.run({ files: [reader], noCache: true });
    tracker.noteEngine(engine!);
    assert.deepEqual(verdicts(candidate(r, FAULT_TASK_ID, 'solve_fa000001_reader')), three(['pass', undefined]));
    assert.ok(logs.some((l) => l.includes('restarting the sandboxed workers')), 'the workers were restarted');
  });

  it('batt.json "sandbox": false: one warning, and the delete goes through (in a copy)', async () => {
    const copy = makeWorkspace('sandbox-off');
    writeJson(path.join(copy, 'batt.json'), { sandbox: false });
    fs.writeFileSync(path.join(copy, 'careless.py'), CARELESS);
    const off = new Engine({ workspace: copy, python: PYTHON, timeoutMs: 5000, workers: 1 });
    try {
      const r = await off.run({ noCache: true });
      tracker.noteEngine(off);
      const warnings = sandboxWarnings(r);
      assert.equal(warnings.length, 1, JSON.stringify(r.errors));
      assert.equal(warnings[0].severity, 'warning');
      assert.match(warnings[0].message, /^solvers are not sandboxed: turned off \(batt\.sandbox: false, or --no-sandbox\)/);
      const statuses = candidate(r, FAULT_TASK_ID, 'solve_fa000001_careless').pairs.map((p) => `${p.status} ${p.message ?? ''}`.trim());
      assert.deepEqual(statuses.sort(), ['error FileNotFoundError: [Errno 2] No such file or directory: \'dsl.py\'', 'error FileNotFoundError: [Errno 2] No such file or directory: \'dsl.py\'', 'pass'], 'the first pair deleted it');
      assert.ok(!fs.existsSync(path.join(copy, 'dsl.py')), 'unsandboxed, the solver deleted dsl.py');
    } finally {
      await off.dispose();
    }
  });

  for (const [name, args, env] of [
    ['--no-sandbox', ['--no-sandbox'], {}],
    ['a kernel without Landlock ($BATT_TEST_NO_LANDLOCK)', [], { BATT_TEST_NO_LANDLOCK: '1' }],
  ] as Array<[string, string[], Record<string, string>]>) {
    it(`${name}: the CLI says once that solvers are not sandboxed, and the delete goes through (in a copy)`, async () => {
      const copy = makeWorkspace('sandbox-cli');
      fs.writeFileSync(path.join(copy, 'careless.py'), CARELESS);
      const cli = spawnCli(['run', '--workspace', copy, '--workers', '1', '--no-progress', ...args], { env });
      try {
        assert.equal(await cli.exited, 0, cli.stderr());
        const said = (cli.stdout() + cli.stderr()).split('\n').filter((l) => l.includes('solvers are not sandboxed'));
        assert.equal(said.length, 1, cli.stdout() + cli.stderr());
        assert.match(said[0], env.BATT_TEST_NO_LANDLOCK ? /Landlock is not available \(simulated/ : /turned off/);
        assert.ok(!fs.existsSync(path.join(copy, 'dsl.py')), 'unsandboxed, the solver deleted dsl.py');
      } finally {
        cli.kill();
      }
    });
  }
});
