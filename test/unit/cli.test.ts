// The `batt` command as a user runs it (a real process): the JSON document's schema, the text report, exit codes.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { RunJson } from '../../src/protocol/results';
import { spawnCli } from '../cliProcess';

const REPO = path.resolve(__dirname, '../..');

function batt(args: string[], cwd = REPO): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(REPO, 'src/cli/main.ts'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: path.join(REPO, 'node_modules') },
    timeout: 120000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

type Json = Record<string, unknown>;

/** Checks that `v` has exactly the listed keys' types (optional keys marked with ?). */
function shape(v: unknown, spec: Record<string, string>, where: string): Json {
  assert.ok(v && typeof v === 'object' && !Array.isArray(v), `${where} is an object`);
  const o = v as Json;
  for (const [k, t] of Object.entries(spec)) {
    const optional = k.endsWith('?');
    const key = optional ? k.slice(0, -1) : k;
    if (!(key in o)) {
      assert.ok(optional, `${where}.${key} is present`);
      continue;
    }
    const value = o[key];
    const ok = t === 'array' ? Array.isArray(value) : t === 'integer' ? Number.isInteger(value) : typeof value === t;
    assert.ok(ok, `${where}.${key} is ${t} (got ${JSON.stringify(value)?.slice(0, 60)})`);
  }
  return o;
}

const STATUS = ['pass', 'fail', 'error', 'timeout', 'crash'];

describe('batt CLI', function () {
  this.timeout(180000);
  let ws: string;

  before(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-cli-'));
    fs.cpSync(path.join(REPO, 'samples'), ws, { recursive: true, filter: (s) => !s.includes(`${path.sep}.batt`) });
  });
  after(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('--json prints one document with the documented schema', () => {
    const r = batt(['run', '--workspace', ws, '--json', '--timeout', '1']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Json;
    const summary = shape(doc.summary, { tasks: 'integer', solved: 'integer', candidates: 'integer', jobs: 'integer', ran: 'integer', wallMs: 'number' }, 'summary');
    assert.deepEqual([summary.tasks, summary.solved, summary.candidates], [12, 8, 27]);
    const tasks = doc.tasks as Json[];
    assert.equal(tasks.length, 12);
    for (const t of tasks) {
      shape(t, { id: 'string', solved: 'boolean', candidates: 'array' }, `task`);
      for (const c of t.candidates as Json[]) {
        shape(c, { name: 'string', file: 'string', line: 'integer', hash: 'string', 'duplicateOf?': 'string', status: 'string', demo: 'object', test: 'object', ms: 'number', pairs: 'array' }, `candidate ${c.name}`);
        assert.ok(STATUS.includes(c.status as string), `status ${c.status}`);
        shape(c.demo, { passed: 'integer', total: 'integer' }, 'demo');
        shape(c.test, { passed: 'integer', total: 'integer', unknown: 'integer' }, 'test');
        for (const p of c.pairs as Json[]) {
          shape(p, { kind: 'string', index: 'integer', status: 'string', ms: 'number', 'message?': 'string' }, 'pair');
          assert.ok(['demo', 'test'].includes(p.kind as string));
          assert.ok([...STATUS, 'unknown'].includes(p.status as string));
        }
      }
    }
    const phases = doc.phases as Json[];
    assert.deepEqual(phases.map((p) => p.name), ['startup', 'discover', 'inline', 'score', 'store', 'unaccounted']);
    phases.forEach((p) => shape(p, { name: 'string', ms: 'number' }, 'phase'));
    const cache = shape(doc.cache, { inline: 'object', validation: 'object' }, 'cache');
    shape(cache.inline, { hits: 'integer', misses: 'integer' }, 'cache.inline');
    shape(cache.validation, { hits: 'integer', misses: 'integer' }, 'cache.validation');
    shape(doc.pool, { workers: 'integer', restarts: 'integer' }, 'pool');
    assert.ok(Array.isArray(doc.errors));
  });

  it('prints verdicts, a summary, the Cache Statistics block and the Timing summary', () => {
    const r = batt(['run', '--workspace', ws, '--timeout', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^0d9e3b72 {2}SOLVED/m);
    assert.match(r.stdout, /demo 0: expected 6x6, got 9x9/);
    assert.match(r.stdout, /^12 tasks - solved = 8 - candidates = 27/m);
    assert.match(r.stdout, /\n=== Cache Statistics ===\n\nValidation Cache:\n {2}Hits: \d+\n {2}Misses: \d+\n/);
    assert.match(r.stdout, /\nTiming summary \(seconds\):\n( {2}\S+\s+-?\d+\.\d{3}\n)+/);
    assert.equal(r.stderr, '', 'no progress bar when stderr is not a terminal');
  });

  it('help per command exits 0; a bare word and a fractional --workers exit 2 saying what to fix (issue 10)', () => {
    const runHelp = batt(['run', '--help']);
    assert.deepStrictEqual([runHelp.code, /Options for run:/.test(runHelp.stdout)], [0, true], runHelp.stderr);
    const cacheHelp = batt(['cache', '--help']);
    assert.deepStrictEqual([cacheHelp.code, /batt cache stats \[options\]/.test(cacheHelp.stdout)], [0, true], cacheHelp.stderr);
    const bare = batt(['run', 'samples']);
    assert.deepStrictEqual([bare.code, bare.stderr.trim()], [2, 'batt: unexpected argument "samples" (did you mean --workspace samples?)']);
    const frac = batt(['run', '--workers', '2.5']);
    assert.deepStrictEqual([frac.code, frac.stderr.trim()], [2, 'batt: --workers must be a number: an integer from 1 to 64, got "2.5"']);
  });

  it('exit code 2 with a message that says what to fix', () => {
    const bad = batt(['run', '--workers', 'many']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--workers must be a number/);
    const noTasks = batt(['run', '--workspace', path.join(ws, 'tools')]);
    assert.equal(noTasks.code, 2);
    assert.match(noTasks.stderr, /no tasks found .* pass --tasks/);
    const unknownTask = batt(['run', '--workspace', ws, '--task', 'ffffffff']);
    assert.equal(unknownTask.code, 2);
    assert.match(unknownTask.stderr, /task ffffffff not found/);
    const badId = batt(['run', '--workspace', ws, '--task', '../../x']);
    assert.equal(badId.code, 2);
  });

  it('cache stats prints each cache\'s bound and its size in bytes and entries', () => {
    const r = batt(['cache', 'stats', '--workspace', ws]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\nValidation Cache:\n {2}Entries: [1-9]\d*\n {2}Size: [\d.]+ KiB of records \(bound 640\.0 MiB; beyond it the least recently used are evicted\)\n {2}On disk: [\d.]+ KiB in \d+ segments?\n/);
    const doc = JSON.parse(batt(['cache', 'stats', '--workspace', ws, '--json']).stdout) as Record<string, { maxBytes: number; liveBytes: number; bytes: number }>;
    assert.equal(doc.validation.maxBytes, 640 * 1024 * 1024);
    assert.ok(doc.validation.liveBytes > 0 && doc.validation.liveBytes <= doc.validation.bytes);
  });

  it('cache stats and clear', () => {
    const stats = batt(['cache', 'stats', '--workspace', ws, '--json']);
    assert.equal(stats.code, 0, stats.stderr);
    const s = JSON.parse(stats.stdout) as Json;
    assert.ok(((s.validation as Json).entries as number) > 0);
    const clear = batt(['cache', 'clear', '--workspace', ws]);
    assert.equal(clear.code, 0);
    assert.match(clear.stdout, /^Cleared \d+ cache entries/);
    const after = JSON.parse(batt(['cache', 'stats', '--workspace', ws, '--json']).stdout) as Json;
    assert.equal((after.validation as Json).entries, 0);
  });
});

/**
 * Ctrl-C at a terminal: SIGINT to batt's whole process group (as the terminal, and `timeout -s INT`, send it) once a
 * solver has started. Returns the exit code and what batt printed by then.
 */
async function interrupted(args: string[], started: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = spawnCli(args);
  try {
    const deadline = Date.now() + 60000;
    while (!fs.existsSync(started)) {
      assert.ok(Date.now() < deadline, `no solver started within 60 s: ${cli.stderr()}`);
      assert.equal(cli.child.exitCode, null, `batt exited before any solver started: ${cli.stderr()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    process.kill(-cli.child.pid!, 'SIGINT');
    const code = await Promise.race([cli.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 60000))]);
    assert.notEqual(code, 'hung', `batt did not exit within 60 s of one SIGINT: ${cli.stderr()}`);
    return { code: code as number | null, stdout: cli.stdout(), stderr: cli.stderr() };
  } finally {
    cli.kill();
  }
}

describe('batt CLI cancelled by Ctrl-C', function () {
  this.timeout(180000);
  let ws: string;
  const started = () => path.join(ws, 'started');
  const CANDIDATES = 40;

  before(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-cli-int-'));
    const grid = [[1, 2], [3, 4]];
    const pair = { input: grid, output: grid };
    fs.mkdirSync(path.join(ws, 'tasks'));
    fs.writeFileSync(path.join(ws, 'tasks', 'aaaaaaaa.json'), JSON.stringify({ train: [pair, pair, pair], test: [pair] }));
    // Every candidate passes every pair it runs, slowly: a candidate reported 'pass' must have run all its pairs.
    const solvers = ['import time', ''];
    for (let k = 0; k < CANDIDATES; k++) {
      solvers.push(`def solve_aaaaaaaa_${k}(I):`, `    open(${JSON.stringify(started())}, 'a').close()`, `    time.sleep(0.5 + ${k} * 0.001)`, '    return I', '');
    }
    fs.writeFileSync(path.join(ws, 'solvers.py'), solvers.join('\n'));
  });
  beforeEach(() => fs.rmSync(started(), { force: true }));
  after(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('--json: exits 130 with the partial report; candidates that did not run are cancelled, never pass', async () => {
    const r = await interrupted(['run', '--workspace', ws, '--no-cache', '--no-sandbox', '--workers', '2', '--json'], started());
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /cancelling \(Ctrl-C again to quit at once\)/);
    const doc = JSON.parse(r.stdout) as RunJson;
    assert.equal(doc.cancelled, true);
    const s = doc.summary;
    assert.equal(s.candidates, CANDIDATES);
    assert.equal(s.jobs, CANDIDATES * 4);
    assert.ok(s.ran < s.jobs, `ran ${s.ran} of ${s.jobs}`);
    assert.equal(s.ran + s.cached + s.cancelled, s.jobs);
    const candidates = doc.tasks[0].candidates;
    const notRun = candidates.filter((c) => c.pairs.some((p) => p.status === 'cancelled'));
    assert.ok(notRun.length > 0);
    for (const c of notRun) {
      assert.equal(c.status, 'cancelled', `${c.name}: ${c.pairs.map((p) => p.status).join(' ')}`);
      assert.equal(c.solved, false);
    }
    assert.ok(candidates.filter((c) => c.status === 'pass').every((c) => c.pairs.length === 4 && c.pairs.every((p) => p.status === 'pass')));
    assert.equal(notRun.reduce((n, c) => n + c.pairs.filter((p) => p.status === 'cancelled').length, 0), s.cancelled);
  });

  it('text: exits 130 and says how far it got; candidates that did not run show cancelled with - marks', async () => {
    const r = await interrupted(['run', '--workspace', ws, '--no-cache', '--no-sandbox', '--workers', '2', '--verbose'], started());
    assert.equal(r.code, 130, r.stderr);
    const m = /cancelled after (\d+) of (\d+) jobs/.exec(r.stdout);
    assert.ok(m, r.stdout.slice(-2000));
    assert.equal(Number(m[2]), CANDIDATES * 4);
    assert.ok(Number(m[1]) < Number(m[2]));
    assert.match(r.stdout, new RegExp(`jobs = ${CANDIDATES * 4} \\(ran ${m[1]}, 0 cached, ${CANDIDATES * 4 - Number(m[1])} cancelled\\)`));
    assert.match(r.stdout, /^ +\d+\. solve_aaaaaaaa_\d+ +---- +cancelled +demo 0\/3, test 0\/1 /m);
    assert.doesNotMatch(r.stdout, /cancelled before it ran/, 'a pair that did not run is a mark, not a problem');
    assert.doesNotMatch(r.stdout, / pass +demo [0-2]\/3/);
  });
});
