// `batt trace` as a user runs it (a real process) on a copy of the samples: the text table, colour, the JSON schema of
// the issue, exit codes.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TraceJson } from '../../src/protocol/trace';
import '../cacheHome';

const REPO = path.resolve(__dirname, '../..');
const ESC = '\x1b';

function batt(args: string[], env: Record<string, string | undefined> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(REPO, 'src/cli/main.ts'), ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: path.join(REPO, 'node_modules'), FORCE_COLOR: undefined, NO_COLOR: undefined, ...env },
    timeout: 120000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const TYPES = ['grid', 'object', 'objects', 'indices', 'int', 'bool', 'tuple', 'function', 'other'];

describe('batt trace (CLI)', function () {
  this.timeout(180000);
  let ws: string;

  before(() => {
    ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-trace-cli-')));
    fs.cpSync(path.join(REPO, 'samples'), ws, { recursive: true, filter: (s) => !s.includes(`${path.sep}.batt`) && !s.includes('__pycache__') });
  });
  after(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('prints a table of lines x pairs: verdicts, sizes and colours, divergent rows, the exception (no colour off a terminal)', () => {
    const r = batt(['trace', 'solve_9fd2a6c3', '--workspace', ws]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes(ESC), 'no escape codes when stdout is not a terminal');
    const lines = r.stdout.split('\n');
    assert.match(lines[0], /^solve_9fd2a6c3 on 9fd2a6c3 {2}\(.*solvers\.py; 3 demo, 1 test\)$/);
    const row = (start: RegExp) => {
      const l = lines.find((x) => start.test(x));
      assert.ok(l, `a row ${start} in\n${r.stdout}`);
      return l.trim().split(/\s{2,}/);
    };
    assert.deepEqual(row(/^\s+line\s+statement/), ['line', 'statement', 'demo 0', 'demo 1', 'demo 2', 'test 0']);
    assert.deepEqual(row(/^\s+verdict/), ['verdict', '✓ pass', '! error', '✓ pass', '! error']);
    assert.deepEqual(row(/^\s+I\s/), ['I', '8x8 {049}', '9x9 {0146}', '8x9 {0129}', '10x10 {048}']);
    assert.deepEqual(row(/^\s+61\s/), ['61', 'x1 = objects(I, T, F, T)', '3 obj {49}', '3 obj {146}', '3 obj {129}', '3 obj {48}']);
    assert.deepEqual(row(/^\*\s+62\s/), ['*', '62', 'x2 = sizefilter(x1, ONE)', '1 obj {4}', '∅ *', '1 obj {1}', '∅ *']);
    assert.deepEqual(row(/^\*\s+63\s/), ['*', '63', 'x3 = first(x2)', '1 cell {4}', 'IndexError *', '1 cell {1}', 'IndexError *']);
    assert.deepEqual(row(/^\s+64\s/), ['64', 'O = subgrid(x3, I)', '1x1 {4}', '·', '1x1 {1}', '·']);
    assert.ok(lines.includes('demo 1, line 63: IndexError: tuple index out of range'), r.stdout);
    assert.ok(lines.includes('test 0, line 63: IndexError: tuple index out of range'), r.stdout);
  });

  it('draws small grids in the ARC palette with FORCE_COLOR, and not with NO_COLOR', () => {
    const forced = batt(['trace', 'solve_e6a05f38', '-w', ws], { FORCE_COLOR: '1' });
    assert.equal(forced.code, 0, forced.stderr);
    assert.ok(forced.stdout.includes(`${ESC}[48;2;170;170;170m  `), 'grey (5) cells of the demo 0 output are drawn');
    assert.match(forced.stdout, /\n49 {2}O = subgrid\(x2, I\)\n/);
    const plain = batt(['trace', 'solve_e6a05f38', '-w', ws], { NO_COLOR: '1' });
    assert.equal(plain.code, 0, plain.stderr);
    assert.ok(!plain.stdout.includes(ESC));
    assert.match(plain.stdout, /cached/, 'the second trace comes from the cache');
  });

  it('--json prints TraceJson with the schema of the issue', () => {
    const r = batt(['trace', 'solve_9fd2a6c3', '-w', ws, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const t = JSON.parse(r.stdout) as TraceJson;
    assert.equal(t.solver, 'solve_9fd2a6c3');
    assert.equal(t.task, '9fd2a6c3');
    assert.equal(t.file, path.join(ws, 'solvers.py'));
    for (const p of t.pairs) {
      assert.ok(p.kind === 'demo' || p.kind === 'test');
      assert.ok(Number.isInteger(p.index));
      assert.equal(typeof p.status, 'string');
    }
    assert.ok(t.lines.length === 4);
    for (const l of t.lines) {
      assert.ok(Number.isInteger(l.line) && typeof l.name === 'string' && typeof l.source === 'string');
      for (const v of l.values) {
        assert.ok(Number.isInteger(v.pair) && v.pair < t.pairs.length);
        assert.ok(TYPES.includes(v.type), v.type);
        assert.equal(typeof v.summary, 'string');
        if (v.type === 'grid') {
          assert.deepEqual(v.shape, [v.grid!.length, v.grid![0].length]);
          assert.ok(v.grid!.every((row) => row.every((c) => Number.isInteger(c) && c >= 0 && c <= 9)));
        }
        if (v.size !== undefined) assert.ok(Number.isInteger(v.size));
        if (v.error !== undefined) assert.equal(typeof v.error, 'string');
      }
    }
    assert.deepEqual(t.lines[2].values.filter((v) => v.error).map((v) => v.pair), [1, 3]);
  });

  it('batt cache stats lists the traces store like the others; batt cache clear empties it and counts it', () => {
    assert.equal(batt(['trace', 'solve_9fd2a6c3', '-w', ws]).code, 0);
    const text = batt(['cache', 'stats', '-w', ws]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /\nTraces Cache:\n {2}Entries: [1-9]\d*\n {2}Size: [\d.]+ KiB of records \(bound [\d.]+ [KMG]iB[^)]*; beyond it the least recently used are evicted\)\n {2}On disk: [\d.]+ KiB in \d+ segments?\n {2}Oldest: [\d.]+ days\n {2}Newest: [\d.]+ days\n/);
    const doc = JSON.parse(batt(['cache', 'stats', '-w', ws, '--json']).stdout) as Record<string, { entries: number }>;
    const entries = Object.entries(doc).filter(([k]) => k !== 'cacheDir').reduce((n, [, v]) => n + v.entries, 0);
    assert.ok(doc.traces.entries > 0);
    const clear = batt(['cache', 'clear', '-w', ws]);
    assert.equal(clear.code, 0, clear.stderr);
    assert.equal(clear.stdout, `Cleared ${entries} cache entries in ${(doc as unknown as { cacheDir: string }).cacheDir}\n`);
    assert.equal((JSON.parse(batt(['cache', 'stats', '-w', ws, '--json']).stdout) as Record<string, { entries: number }>).traces.entries, 0);
  });

  it('exit 2 naming an unknown solver or task; --help; flags of run that make no sense here', () => {
    const solver = batt(['trace', 'solve_nothing', '-w', ws]);
    assert.equal(solver.code, 2);
    assert.match(solver.stderr, /^batt: solver solve_nothing not found in workspace /);
    const task = batt(['trace', 'solve_a3f1c07e', '-w', ws, '--task', 'ffffffff']);
    assert.equal(task.code, 2);
    assert.match(task.stderr, /^batt: task ffffffff not found in /);
    const help = batt(['trace', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage:\n {2}batt trace SOLVER \[options\]/);
    for (const flag of ['--workspace', '--tasks', '--task', '--json']) assert.ok(help.stdout.includes(flag), flag);
    assert.match(batt(['--help']).stdout, /batt trace SOLVER/);
    const battery = batt(['trace', 'solve_a3f1c07e', '--battery']);
    assert.equal(battery.code, 2);
    assert.match(battery.stderr, /--battery is not an option of batt trace/);
    const cluster = batt(['trace', 'solve_a3f1c07e', '-w', ws, '--cluster', 'tcp://127.0.0.1:8786']);
    assert.equal(cluster.code, 2, 'a trace runs on the local pool: --cluster is refused, not ignored');
    assert.match(cluster.stderr, /--cluster is not an option of batt trace/);
    assert.equal(batt(['trace', '-w', ws]).code, 2, 'no solver');
  });
});
