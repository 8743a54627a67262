// A cache folder or workspace the file system refuses to write (issue 10), through the `batt` process: the run
// completes and prints its verdicts; the cache (and the run log, the solver store) is skipped with ONE warning.
// Truly read-only even as root (CI runs as root, where chmod does not stop writes): a read-only bind mount in a
// private mount namespace (unshare -m); as another user, chmod 555.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { RunJson } from '../../src/protocol/results';
import { SkippedWrites } from '../../src/engine/store/skippedWrites';
import { spawnCli } from '../cliProcess';

const G = [[1, 2], [3, 4]];
const TASK = { train: [{ input: G, output: G }], test: [{ input: G, output: G }] };
const SOLVERS = 'def solve_aaaaaaaa(I):\n    return I\n';
const isRoot = process.getuid?.() === 0;

/** Why a folder cannot be made read-only here, or undefined when it can. */
function readOnlyUnavailable(): string | undefined {
  if (!isRoot) return undefined; // chmod 555 works for other users
  const r = spawnSync('unshare', ['-m', 'sh', '-c', 'd=$(mktemp -d) && mount --bind "$d" "$d" && mount -o remount,bind,ro "$d" && ! touch "$d/x" 2>/dev/null'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `running as root and a read-only bind mount is unavailable (unshare -m: ${r.error?.message ?? (r.stderr.trim() || `exit ${r.status}`)})`;
}

/** Runs the CLI with `dir` read-only (a read-only bind mount as root, else chmod 555 for the run). */
async function battReadOnly(dir: string, args: string[], env?: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const prefix = isRoot ? ['unshare', '-m', 'sh', '-c', 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"', 'sh', dir] : [];
  if (!isRoot) fs.chmodSync(dir, 0o555);
  const cli = spawnCli([...args, '--no-progress', '--workers', '1'], { prefix, env });
  try {
    const code = await cli.exited;
    return { code, stdout: cli.stdout(), stderr: cli.stderr() };
  } finally {
    cli.kill();
    if (!isRoot) fs.chmodSync(dir, 0o755);
  }
}

/** The run completed with its verdict (task aaaaaaaa solved) and exactly one warning, which is returned. */
function completedWithOneWarning(r: { code: number | null; stdout: string; stderr: string }): RunJson['errors'][number] {
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  const doc = JSON.parse(r.stdout) as RunJson;
  assert.deepEqual([doc.summary.tasks, doc.summary.solved], [1, 1], 'the verdicts are there');
  assert.equal(doc.tasks[0].candidates[0].status, 'pass');
  assert.equal(doc.errors.length, 1, JSON.stringify(doc.errors));
  assert.equal(doc.errors[0].severity, 'warning');
  return doc.errors[0];
}

describe('batt CLI on a read-only cache or workspace (issue 10)', function () {
  this.timeout(120000);
  let tmp: string;
  let ws: string;

  before(function () {
    const why = readOnlyUnavailable();
    if (why) {
      console.log(`      skipped: ${why}`); // the tests show as pending, with this reason above them
      this.skip();
    }
  });

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-readonly-'));
    ws = path.join(tmp, 'ws');
    fs.mkdirSync(path.join(ws, 'tasks'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'tasks', 'aaaaaaaa.json'), JSON.stringify(TASK));
    fs.writeFileSync(path.join(ws, 'solvers.py'), SOLVERS);
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a read-only cache folder: verdicts printed, the cache skipped with one warning (also with --no-cache)', async () => {
    const cache = path.join(tmp, 'cache');
    fs.mkdirSync(cache);
    for (const extra of [[], ['--no-cache']]) {
      const w = completedWithOneWarning(await battReadOnly(cache, ['run', '-w', ws, '--json', '--cache-dir', cache, ...extra]));
      assert.equal(w.file, cache, 'names the cache folder');
      assert.match(w.message, /^cannot be written \((EROFS: read-only file system|EACCES: permission denied)\): the cache was skipped; the verdicts are complete but not saved$/);
    }
    assert.deepEqual(fs.readdirSync(cache), [], 'nothing was written');
    assert.ok(fs.existsSync(path.join(ws, '.batt', 'runs.jsonl')), 'the run log, outside the cache, was written');
  });

  it('a read-only workspace: verdicts printed; the cache, the solver store and the run log skipped with one warning', async () => {
    // the cache in the workspace, as batt kept it before the user cache folder
    const w = completedWithOneWarning(await battReadOnly(ws, ['run', '-w', ws, '--json', '--store', '--cache-dir', path.join(ws, '.batt', 'cache')]));
    assert.equal(w.file, path.join(fs.realpathSync(ws), '.batt'), 'names the folder that could not be created');
    assert.match(w.message, /\): the cache, the solver store and the run log were skipped; the verdicts are complete but not saved$/);
    assert.ok(!fs.existsSync(path.join(ws, '.batt')), 'nothing was written');
  });

  it('a read-only workspace with the default cache folder: only the solver store and the run log are skipped', async () => {
    const home = path.join(tmp, 'user-cache');
    const env = { XDG_CACHE_HOME: home };
    const w = completedWithOneWarning(await battReadOnly(ws, ['run', '-w', ws, '--json', '--store'], env));
    assert.equal(w.file, path.join(fs.realpathSync(ws), '.batt'));
    assert.match(w.message, /\): the solver store and the run log were skipped; the verdicts are complete but not saved$/);
    assert.ok(!fs.existsSync(path.join(ws, '.batt')), 'nothing was written in the workspace');
    const again = JSON.parse((await battReadOnly(ws, ['run', '-w', ws, '--json'], env)).stdout) as RunJson;
    assert.deepEqual([again.cache.validation.hits, again.cache.validation.misses], [2, 0], 'the cache outside the workspace was written');
  });

  it('a read-only user cache folder: verdicts printed, one warning naming it and how to choose another', async () => {
    const home = path.join(tmp, 'user-cache');
    fs.mkdirSync(home);
    const w = completedWithOneWarning(await battReadOnly(home, ['run', '-w', ws, '--json'], { XDG_CACHE_HOME: home }));
    assert.equal(w.file, path.join(home, 'batt'), 'names the folder that could not be created');
    assert.match(w.message, /\): the cache was skipped; the verdicts are complete but not saved; choose another cache folder with --cache-dir or "cacheDir" in batt.json$/);
    assert.deepEqual(fs.readdirSync(home), [], 'nothing was written');
    assert.ok(fs.existsSync(path.join(ws, '.batt', 'runs.jsonl')), 'the run log, in the workspace, was written');
  });

  it('batt cache clear on a read-only cache folder: exit 2 saying it cannot', async () => {
    const cache = path.join(tmp, 'cache');
    fs.mkdirSync(path.join(cache, 'validation'), { recursive: true });
    fs.writeFileSync(path.join(cache, 'validation', 'seg-1-abcdef.jsonl'), '\n');
    const prefix = isRoot ? ['unshare', '-m', 'sh', '-c', 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"', 'sh', cache] : [];
    if (!isRoot) fs.chmodSync(path.join(cache, 'validation'), 0o555);
    const cli = spawnCli(['cache', 'clear', '-w', ws, '--cache-dir', cache], { prefix });
    try {
      assert.equal(await cli.exited, 2, cli.stderr());
      assert.match(cli.stderr(), new RegExp(`^batt: cannot clear the cache in ${cache}: (EROFS|EACCES)`));
    } finally {
      cli.kill();
      if (!isRoot) fs.chmodSync(path.join(cache, 'validation'), 0o755);
    }
    assert.ok(fs.existsSync(path.join(cache, 'validation', 'seg-1-abcdef.jsonl')));
  });

  it('the text report of a read-only workspace still lists the verdicts', async () => {
    const r = await battReadOnly(ws, ['run', '-w', ws, '--cache-dir', path.join(ws, '.batt', 'cache')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /aaaaaaaa\s+SOLVED/);
    assert.match(`${r.stdout}${r.stderr}`, /cannot be written .*the cache and the run log were skipped/);
  });
});

describe('skipped writes: one warning for everything skipped (issue 10)', () => {
  it('only refusals (EACCES, EPERM, EROFS, also as a cause) are noted; the first names the folder', () => {
    const w = new SkippedWrites();
    const refused = (code: string, p: string) => Object.assign(new Error(code), { code, path: p });
    assert.equal(w.note('the cache', new Error('wrapped', { cause: refused('EACCES', '/c/validation') }), '/c'), true);
    assert.equal(w.note('the cache', refused('EROFS', '/c/parses'), '/c'), true, 'the same part again: noted once');
    assert.equal(w.note('the run log', refused('EPERM', '/ws/.batt/runs.jsonl')), true);
    assert.equal(w.note('the solver store', refused('ENOSPC', '/ws/.batt/solvers')), false, 'another error is not a refusal');
    assert.deepEqual(w.warning('/fallback'), {
      kind: 'config',
      severity: 'warning',
      file: '/c',
      message: 'cannot be written (EACCES: permission denied): the cache and the run log were skipped; the verdicts are complete but not saved',
    });
    assert.equal(new SkippedWrites().warning('/x'), undefined);
  });
});
