/**
 * The interpreter is part of the validation key (src/engine/workspace/interpreter.ts), with real workers: verdicts
 * cached under one interpreter are not reused under another, nor after a package is installed into a folder on
 * sys.path or a launcher picks another Python; an unchanged interpreter keeps hot runs hot without spawning a probe.
 * The interpreters are the test's Python and throw-away venvs (`python -m venv --without-pip`, offline) on top of it.
 */
import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Engine } from '../../src/engine/engine';
import { InterpreterFingerprints } from '../../src/engine/workspace/interpreter';
import type { CandidateJson, RunJson } from '../../src/protocol/results';
import { PYTHON, REPO } from '../workerFixtures';

const TASK = '0a1b2c3d';
const SOLVER = `def solve_${TASK}(I):\n    import battextmod\n    return battextmod.same(I)\n`;

let tmp: string;

function workspace(name: string): string {
  const ws = path.join(tmp, name);
  fs.mkdirSync(path.join(ws, 'tasks'), { recursive: true });
  fs.writeFileSync(path.join(ws, 'solvers.py'), SOLVER);
  const task = { train: [{ input: [[1, 2], [3, 4]], output: [[1, 2], [3, 4]] }], test: [{ input: [[5]], output: [[5]] }] };
  fs.writeFileSync(path.join(ws, 'tasks', `${TASK}.json`), JSON.stringify(task));
  return fs.realpathSync(ws);
}

/** A venv of the test's Python; returns its python and its site-packages folder. */
function venv(name: string): { python: string; site: string } {
  const dir = path.join(tmp, name);
  execFileSync(PYTHON, ['-m', 'venv', '--without-pip', dir]);
  const lib = path.join(dir, 'lib');
  const site = path.join(lib, fs.readdirSync(lib).find((d) => d.startsWith('python'))!, 'site-packages');
  assert.ok(fs.existsSync(site), site);
  return { python: path.join(dir, 'bin', 'python'), site };
}

/** A folder holding the module the solver imports. */
function moduleDir(): string {
  const dir = path.join(tmp, 'ext');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'battextmod.py'), 'def same(I):\n    return I\n');
  return dir;
}

function only(r: RunJson): CandidateJson {
  assert.strictEqual(r.tasks.length, 1, JSON.stringify(r.errors));
  assert.strictEqual(r.tasks[0].candidates.length, 1);
  return r.tasks[0].candidates[0];
}

function assertMissingModule(r: RunJson): void {
  const c = only(r);
  assert.strictEqual(c.status, 'error', JSON.stringify(c.pairs));
  assert.strictEqual(c.pairs[0].error?.type, 'ModuleNotFoundError', JSON.stringify(c.pairs[0]));
}

async function runWith(ws: string, python: string): Promise<RunJson> {
  const engine = new Engine({ workspace: ws, python, workers: 1, timeoutMs: 10000 });
  try {
    return await engine.run();
  } finally {
    await engine.dispose();
  }
}

/** A launcher (like a pyenv shim) that logs its first argument to `log`, then runs the Python `.python-version` in its
 *  cwd names, else `fallback`. */
function launcher(name: string, log: string, fallback: string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, `#!/bin/sh\necho "$1" >> '${log}'\nif [ -f .python-version ]; then exec "$(cat .python-version)" "$@"; fi\nexec '${fallback}' "$@"\n`, { mode: 0o755 });
  return p;
}

/** The probes the launcher ran: the probe's program comes on stdin (its first argument is `-`). */
function probes(log: string): number {
  return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter((l) => l === '-').length : 0;
}

describe('interpreter in the validation key', function () {
  this.timeout(120000);
  let withModule: { python: string; site: string };

  before(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-interp-')));
    withModule = venv('venv-with');
    fs.writeFileSync(path.join(withModule.site, 'battext.pth'), moduleDir() + '\n');
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('reruns under an interpreter that can import what the first could not', async () => {
    const ws = workspace('two-interpreters');
    assertMissingModule(await runWith(ws, PYTHON));
    const second = await runWith(ws, withModule.python);
    assert.strictEqual(second.summary.ran, 2);
    assert.strictEqual(only(second).status, 'pass', JSON.stringify(only(second).pairs));
    // and back: the first interpreter's verdicts are still cached under its own key
    const back = await runWith(ws, PYTHON);
    assert.strictEqual(back.summary.ran, 0);
    assertMissingModule(back);
  });

  it('reruns after a package is installed into (or removed from) a folder on sys.path', async () => {
    const ws = workspace('install');
    const v = venv('venv-install');
    const engine = new Engine({ workspace: ws, python: v.python, workers: 1, timeoutMs: 10000 });
    try {
      assertMissingModule(await engine.run());
      fs.copyFileSync(path.join(moduleDir(), 'battextmod.py'), path.join(v.site, 'battextmod.py'));
      const installed = await engine.run(); // the same engine: its remembered probe is re-checked
      assert.strictEqual(installed.summary.ran, 2);
      assert.strictEqual(only(installed).status, 'pass', JSON.stringify(only(installed).pairs));
    } finally {
      await engine.dispose();
    }
    fs.rmSync(path.join(v.site, 'battextmod.py'));
    const removed = await runWith(ws, v.python); // a new engine: the probe remembered in the cache folder is re-checked
    assert.strictEqual(removed.summary.ran, 2);
    assertMissingModule(removed);
  });

  it('keeps an unchanged interpreter hot without spawning a probe', async () => {
    const ws = workspace('hot');
    const log = path.join(tmp, 'hot.log');
    const python = launcher('python-hot', log, withModule.python);
    const engine = new Engine({ workspace: ws, python, workers: 1, timeoutMs: 10000 });
    try {
      assert.strictEqual((await engine.run()).summary.ran, 2);
      assert.strictEqual(probes(log), 1);
      const again = await engine.run();
      assert.strictEqual(again.summary.ran, 0);
      assert.strictEqual(again.temperature, 'hot');
    } finally {
      await engine.dispose();
    }
    const fresh = new Engine({ workspace: ws, python, workers: 1, timeoutMs: 10000 });
    try {
      const hot = await fresh.run();
      assert.strictEqual(hot.summary.ran, 0);
      assert.strictEqual(hot.summary.cached, 2);
      assert.strictEqual(hot.pool.started, false);
    } finally {
      await fresh.dispose();
    }
    assert.strictEqual(probes(log), 1, fs.readFileSync(log, 'utf8'));
  });

  it('re-probes a launcher when the version file it reads in the workspace root changes, and restarts the workers', async () => {
    const ws = workspace('launcher');
    const log = path.join(tmp, 'launcher.log');
    const engine = new Engine({ workspace: ws, python: launcher('python-launcher', log, PYTHON), workers: 1, timeoutMs: 10000 });
    try {
      assertMissingModule(await engine.run());
      fs.writeFileSync(path.join(ws, '.python-version'), withModule.python);
      const switched = await engine.run();
      assert.strictEqual(switched.summary.ran, 2);
      assert.strictEqual(only(switched).status, 'pass', JSON.stringify(only(switched).pairs));
      assert.strictEqual(probes(log), 2);
    } finally {
      await engine.dispose();
    }
  });

  it('reuses nothing under an interpreter that cannot be probed: the pool start reports it', async () => {
    const ws = workspace('missing');
    assert.strictEqual((await runWith(ws, withModule.python)).summary.ran, 2);
    const missing = path.join(tmp, 'no-such-python');
    await assert.rejects(runWith(ws, missing), (e: Error) => e.message.includes(missing));
  });

  it('batt run --python: the CLI reruns under the other interpreter', () => {
    const ws = workspace('cli');
    const batt = (python: string): RunJson => {
      const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(REPO, 'src/cli/main.ts'), 'run', '-w', ws, '--python', python, '--json'], {
        cwd: tmp,
        encoding: 'utf8',
        env: { ...process.env, NODE_PATH: path.join(REPO, 'node_modules') },
        timeout: 120000,
      });
      assert.strictEqual(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as RunJson;
    };
    assertMissingModule(batt(PYTHON));
    const other = batt(withModule.python);
    assert.strictEqual(other.summary.ran, 2);
    assert.strictEqual(only(other).status, 'pass');
    const hot = batt(withModule.python);
    assert.strictEqual(hot.summary.ran, 0);
    assert.strictEqual(hot.temperature, 'hot');
  });
});

describe('interpreter problems (issue 10)', function () {
  this.timeout(60000);
  let dir: string;
  let fps: InterpreterFingerprints;
  const problem = (command: string) => fps.problem(command, dir, [dir]);

  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-interp-problem-')));
    fps = new InterpreterFingerprints(path.join(dir, 'interpreters.json'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('says what is wrong: missing, not on PATH, a folder, not executable, not Python (with what it printed)', async () => {
    assert.strictEqual(await problem(path.join(dir, 'nope')), 'does not exist');
    assert.strictEqual(await problem('batt-no-such-python'), 'is not found on PATH');
    assert.strictEqual(await problem(dir), 'is a folder, not an interpreter');
    const plain = path.join(dir, 'plain');
    fs.writeFileSync(plain, 'x', { mode: 0o644 });
    if (process.getuid?.() !== 0) assert.strictEqual(await problem(plain), 'is not executable'); // root may execute it anyway
    assert.match((await problem('/bin/ls')) ?? '', /^is not a Python interpreter \(it exited with code 2, and it printed: .*ls: cannot access '-'.*\)$/);
    assert.strictEqual(await problem('/bin/true'), 'is not a Python interpreter (it printed nothing)');
  });

  it('a Python older than 3.8 is named with its version; a working one has no problem and a real fingerprint', async () => {
    const old = path.join(dir, 'python3.7');
    const probe = JSON.stringify({ exe: old, version: '3.7.17 (default)', prefix: dir, path: [], userSite: null });
    fs.writeFileSync(old, `#!/bin/sh\ncat > /dev/null\necho '${probe}'\n`, { mode: 0o755 });
    assert.strictEqual(await problem(old), 'is Python 3.7.17; batt needs Python 3.8 or newer');
    assert.strictEqual(await problem(PYTHON), undefined);
    assert.notStrictEqual(await fps.fingerprint(PYTHON, dir, [dir]), await fps.fingerprint(old, dir, [dir]));
  });
});
