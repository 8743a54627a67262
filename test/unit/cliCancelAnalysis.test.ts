/**
 * End to end (issue 9, item 13): Ctrl-C while batt is still discovering a 5 MB file of 46,000 solvers ends it within
 * a couple of seconds, with a cancelled report and no verdicts, and leaves no analyzer behind.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnCli } from '../cliProcess';
import { until } from '../poll';

const SOLVERS = 46000;

/** arc-dsl style solvers with distinct 8-hex-digit task ids and a few body shapes (about 5 MB for 46k). */
function solverFile(count: number): string {
  const bodies = [
    ['x1 = hmirror(I)', 'O = vconcat(I, x1)'],
    ['O = upscale(I, TWO)'],
    ['x1 = palette(I)', 'x2 = remove(ZERO, x1)', 'x3 = first(x2)', 'x4 = last(x2)', 'O = switch(I, x3, x4)'],
    ['x1 = objects(I, T, F, T)', 'x2 = argmax(x1, size)', 'O = subgrid(x2, I)'],
  ];
  const lines = ['from dsl import *', 'from constants import *', '', ''];
  for (let i = 0; i < count; i++) {
    if (i % 10 === 3) lines.push(`# variant ${i}`);
    lines.push(`def solve_${(0x10000000 + i * 7919).toString(16)}(I):`, ...bodies[i % bodies.length].map((l) => `    ${l}`), '    return O', '', '');
  }
  return lines.join('\n');
}

/** Pids in process group `pgid` whose command line mentions `what` (Linux /proc). */
function groupPids(pgid: number, what: string): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // state ppid pgrp ...
      if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(what)) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe('batt CLI: Ctrl-C during the analysis of a huge file', function () {
  this.timeout(180000);
  let ws: string;
  before(function () {
    if (process.platform !== 'linux') this.skip(); // finds the analyzer through /proc
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-cli-scale-'));
    fs.mkdirSync(path.join(ws, 'tasks'));
    const grid = [[1, 2], [3, 4]];
    fs.writeFileSync(path.join(ws, 'tasks', 'a3f1c07e.json'), JSON.stringify({ train: [{ input: grid, output: grid }], test: [{ input: grid, output: grid }] }));
    fs.writeFileSync(path.join(ws, 'solvers.py'), solverFile(SOLVERS));
  });
  after(() => ws && fs.rmSync(ws, { recursive: true, force: true }));

  it('exits within a couple of seconds of one SIGINT, reporting a cancelled run with no verdicts', async () => {
    assert.ok(fs.statSync(path.join(ws, 'solvers.py')).size > 4_500_000);
    const cli = spawnCli(['run', '--workspace', ws, '--json', '--no-cache']);
    const { child, exited } = cli;
    const pgid = child.pid!;
    try {
      // The analyzer has the 5 MB file (seconds of parsing) when the Ctrl-C comes.
      const analyzers = await until('batt to start its analyzer', () => {
        assert.strictEqual(child.exitCode, null, `batt exited early: ${cli.stderr()}`);
        const p = groupPids(pgid, 'analyze.py');
        return p.length ? p : undefined;
      }, 60000, 20);
      const t0 = Date.now();
      process.kill(-pgid, 'SIGINT');
      const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30000))]);
      const ms = Date.now() - t0;
      assert.notStrictEqual(code, 'hung', `batt did not exit within 30 s of one SIGINT: ${cli.stderr()}`);
      console.log(`      exited ${ms} ms after SIGINT (code ${code})`);
      assert.strictEqual(code, 130, cli.stderr());
      assert.ok(ms < 3000, `batt took ${ms} ms to exit after SIGINT`);
      const r = JSON.parse(cli.stdout()) as { cancelled: boolean; summary: { ran: number }; tasks: Array<{ solved: boolean; candidates: Array<{ status: string }> }> };
      assert.strictEqual(r.cancelled, true);
      assert.strictEqual(r.summary.ran, 0);
      assert.ok(r.tasks.every((t) => !t.solved && t.candidates.every((c) => c.status === 'cancelled')), cli.stdout().slice(0, 400));
      assert.doesNotMatch(cli.stderr(), /internal error/);
      await until('the analyzers to be gone', () => analyzers.every((p) => !fs.existsSync(`/proc/${p}`) || /^State:\s+Z/m.test(fs.readFileSync(`/proc/${p}/status`, 'utf8'))), 5000);
    } finally {
      cli.kill();
    }
  });
});
