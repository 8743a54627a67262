// Invalidation at the level of code through the `batt` command (a real process per run, the cache on disk between
// runs): a comment and a docstring rerun nothing, a primitive edit reruns its dependents only, an error verdict's
// line follows a blank line, and a computed getattr on a module falls back with a log line (BATT_DEBUG).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { RunJson } from '../../src/protocol/results';
import '../cacheHome';

const REPO = path.resolve(__dirname, '../..');
const FIXTURE = path.join(REPO, 'test', 'fixtures', 'invalidation');

function batt(ws: string, env: Record<string, string> = {}): { json: RunJson; stderr: string } {
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(REPO, 'src/cli/main.ts'), 'run', '-w', ws, '--json', '-n', '2'], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: path.join(REPO, 'node_modules'), ...env },
    timeout: 120000,
  });
  assert.equal(r.status, 0, r.stderr);
  return { json: JSON.parse(r.stdout) as RunJson, stderr: r.stderr };
}

describe('invalidation through the batt CLI', function () {
  this.timeout(300000);
  let ws: string;
  before(() => {
    ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-inval-cli-')));
    fs.cpSync(FIXTURE, ws, { recursive: true });
  });
  after(() => fs.rmSync(ws, { recursive: true, force: true }));

  const edit = (name: string, from: string, to: string) => {
    const p = path.join(ws, name);
    const text = fs.readFileSync(p, 'utf8');
    assert.ok(text.includes(from), `${from} in ${name}`);
    fs.writeFileSync(p, text.replace(from, to));
  };
  const errorOf = (r: RunJson) => r.tasks.find((t) => t.id === 'aa000005')!.candidates[0].pairs[0].error!;

  it('reruns nothing for comments and docstrings, only dependents for a primitive edit, and keeps lines honest', () => {
    const cold = batt(ws).json;
    assert.equal(cold.summary.ran, 12);
    const line = errorOf(cold).line!;

    edit('dsl.py', 'def flip(g):\n', '# mirror\ndef flip(g):\n    """Left-right."""\n');
    edit('solvers.py', 'def solve_aa000005(I):\n', '\n# raises in the DSL\ndef solve_aa000005(I):\n');
    const comments = batt(ws).json;
    assert.equal(comments.summary.ran, 0);
    assert.equal(comments.summary.cached, 12);
    assert.equal(errorOf(comments).line, line + 2);

    edit('dsl.py', 'return tuple(tuple(row[::-1]) for row in g)', 'return tuple(tuple(reversed(row)) for row in g)');
    assert.equal(batt(ws).json.summary.ran, 4); // solve_aa000002 and solve_aa000004 (which calls it), two pairs each
  });

  it('a computed getattr on a workspace module falls back to the whole module and says so', () => {
    fs.writeFileSync(path.join(ws, 'dynamic.py'), 'import dsl\n\n\ndef solve_aa000001_dyn(I):\n    O = getattr(dsl, "id" + "ent")(I)\n    return O\n');
    const r = batt(ws, { BATT_DEBUG: '1' });
    assert.equal(r.json.summary.ran, 2);
    assert.match(r.stderr, /dynamic\.py:5: `getattr\(dsl, \.\.\.\)` with a computed name on a workspace module: its dependents depend on the whole module/);
    edit('dsl.py', 'return g[99]', 'return g[98]');
    assert.equal(batt(ws).json.summary.ran, 4); // solve_aa000005 (reads boom) and the dynamic one (all of dsl)
  });
});
