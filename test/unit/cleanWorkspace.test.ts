// Issue 11 §6, through the `batt` process: a run leaves nothing binary and no cache in the workspace. What batt adds
// is `.batt/.gitignore`, `.batt/runs.jsonl` and, with --store, `.batt/solvers/`; the caches and the bytecode the
// workers import are in the user cache folder ($XDG_CACHE_HOME, a temporary folder here: test/cacheHome.ts).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { RunJson } from '../../src/protocol/results';
import { defaultCacheDir } from '../../src/engine/store/cacheLocation';
import { spawnCli } from '../cliProcess';

const REPO = path.resolve(__dirname, '../..');

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

async function batt(args: string[]): Promise<RunJson> {
  const cli = spawnCli([...args, '--json', '--no-progress', '--workers', '2']);
  try {
    assert.equal(await cli.exited, 0, cli.stderr());
    return JSON.parse(cli.stdout()) as RunJson;
  } finally {
    cli.kill();
  }
}

describe('a batt run leaves the workspace clean (issue 11 §6)', function () {
  this.timeout(180000);
  let ws: string;

  before(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-clean-'));
    fs.cpSync(path.join(REPO, 'samples'), ws, { recursive: true, filter: (s) => !/[\\/](\.batt|__pycache__)([\\/]|$)/.test(s) });
  });
  after(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('only .batt/.gitignore, runs.jsonl and the solver store are added; no binary file, no cache in the workspace', async () => {
    const before = filesUnder(ws);
    const first = await batt(['run', '-w', ws, '--store']);
    assert.ok(first.stored.length > 0, 'something was stored');
    // the stored solvers run too: importing them leaves no bytecode beside them either
    const second = await batt(['run', '-w', ws, '--include-store']);
    const added = filesUnder(ws).filter((f) => !before.includes(f));
    const expected = ['.batt/.gitignore', '.batt/runs.jsonl', '.batt/solvers/index.jsonl', ...first.stored.map((s) => path.relative(ws, s.path))].map((f) => f.split('/').join(path.sep));
    assert.deepEqual(added, expected.sort(), 'what batt added to the workspace');
    assert.deepEqual(before.filter((f) => !fs.existsSync(path.join(ws, f))), [], 'nothing removed');
    const binary = filesUnder(ws).filter((f) => fs.readFileSync(path.join(ws, f)).includes(0));
    assert.deepEqual(binary, [], 'no binary file in the workspace');
    assert.equal(fs.readFileSync(path.join(ws, '.batt', '.gitignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).join(), '*');

    const cache = defaultCacheDir(ws);
    assert.ok(cache.startsWith(path.join(process.env.XDG_CACHE_HOME!, 'batt') + path.sep), cache);
    const cached = filesUnder(cache);
    assert.ok(cached.some((f) => f.startsWith(`validation${path.sep}seg-`)), 'the verdicts are cached there');
    assert.ok(cached.some((f) => f.startsWith(`pyc${path.sep}`) && f.endsWith('.pyc')), 'the bytecode is there');
    assert.ok(second.cache.validation.hits > 0, 'the second run reused the cache');
    assert.equal(second.errors.filter((e) => /older batt/.test(e.message)).length, 0, 'no old-cache note on a fresh workspace');
  });

  it('an old <workspace>/.batt/cache is left alone and noted once per run', async () => {
    const old = path.join(ws, '.batt', 'cache', 'validation');
    fs.mkdirSync(old, { recursive: true });
    fs.writeFileSync(path.join(old, 'seg-1-abcdef.jsonl'), '\n');
    const r = await batt(['run', '-w', ws, '--task', '5e2b9d14']);
    const notes = r.errors.filter((e) => /older batt/.test(e.message));
    assert.equal(notes.length, 1, JSON.stringify(r.errors));
    assert.equal(notes[0].severity, 'warning');
    assert.equal(notes[0].file, path.join(fs.realpathSync(ws), '.batt', 'cache'));
    assert.ok(fs.existsSync(path.join(old, 'seg-1-abcdef.jsonl')), 'not deleted');
  });
});
