// The analyzer's sandbox: with Landlock it writes only its .pyc folder (it runs no user code, but parses workspace text).
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Analyzer } from '../../src/engine/workspace/analyzer';

const PYTHON = process.env.BATT_PYTHON ?? 'python3';
const WORKER = path.resolve(__dirname, '../../src/worker');
const SCRIPT = path.join(WORKER, 'analyzer', 'analyze.py');

function hasLandlock(): boolean {
  const probe = 'import sys; sys.path.insert(0, sys.argv[1]); import landlock; print(landlock.abi()[0])';
  const r = spawnSync(PYTHON, ['-c', probe, path.join(WORKER, 'scoring')], { encoding: 'utf8' });
  return Number(r.stdout.trim()) > 0;
}

describe('analyzer sandbox (Landlock)', function () {
  this.timeout(30000);
  let dir: string;
  const analyzers: Analyzer[] = [];
  const files = [{ path: '/ws/a.py', source: 'x = 1\n' }];

  before(function () {
    if (process.platform !== 'linux' || !hasLandlock()) this.skip();
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-analyzer-sandbox-')));
    for (const d of ['ws', 'pyc', 'elsewhere']) fs.mkdirSync(path.join(dir, d));
  });
  after(() => {
    for (const a of analyzers) a.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function analyzer(sandboxed: boolean): Analyzer {
    const a = new Analyzer({ python: PYTHON, script: SCRIPT, sandbox: sandboxed ? { roots: [path.join(dir, 'ws')], pycacheDir: path.join(dir, 'pyc') } : undefined });
    analyzers.push(a);
    return a;
  }

  it('sandboxed: precompiles into its .pyc folder, and cannot write anywhere else', async () => {
    const a = analyzer(true);
    assert.strictEqual(await a.precompile(path.join(dir, 'pyc'), files), 1);
    await assert.rejects(a.precompile(path.join(dir, 'elsewhere'), files), /PermissionError/);
    assert.deepStrictEqual(fs.readdirSync(path.join(dir, 'elsewhere')), []);
    assert.deepStrictEqual((await a.names('/ws/b.py', 'def f():\n    pass\n')).includes('f'), true, 'it still serves requests');
  });

  it('unsandboxed (the setting off): the same write elsewhere goes through', async () => {
    assert.strictEqual(await analyzer(false).precompile(path.join(dir, 'elsewhere'), files), 1);
  });
});
