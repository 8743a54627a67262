// Precompiled, hash-checked bytecode: the analyzer writes it, workers started with --pycache read it, and a .pyc
// whose source hash does not match the file on disk is never used.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Analyzer } from '../../src/engine/workspace/analyzer';
import { WorkerProcess } from '../../src/engine/pool/workerProcess';
import type { ResultMessage } from '../../src/protocol/worker';

const PYTHON = process.env.BATT_PYTHON ?? 'python3';
const REPO = path.resolve(__dirname, '../..');

function pycPath(prefix: string, file: string): string {
  return execFileSync(PYTHON, ['-c', 'import sys, importlib.util; sys.pycache_prefix = sys.argv[1]; print(importlib.util.cache_from_source(sys.argv[2]))', prefix, file], { encoding: 'utf8' }).trim();
}

/** Writes a hash-checked .pyc for `file` whose code comes from `codeSource` but whose hash is that of the file. */
function forgePyc(prefix: string, file: string, codeSource: string): void {
  const script = [
    'import sys, os, importlib.util',
    'from importlib._bootstrap_external import _code_to_hash_pyc',
    'prefix, path, src = sys.argv[1], sys.argv[2], sys.argv[3]',
    'sys.pycache_prefix = prefix',
    'h = importlib.util.source_hash(open(path, "rb").read())',
    'c = importlib.util.cache_from_source(path)',
    'os.makedirs(os.path.dirname(c), exist_ok=True)',
    'open(c, "wb").write(_code_to_hash_pyc(compile(src, path, "exec"), h, checked=True))',
  ].join('\n');
  execFileSync(PYTHON, ['-c', script, prefix, file, codeSource]);
}

describe('precompiled bytecode for workers', function () {
  this.timeout(60000);
  let dir: string;
  let prefix: string;
  const analyzer = new Analyzer({ python: PYTHON, script: path.join(REPO, 'src/worker/analyzer/analyze.py') });

  before(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-pyc-')));
    prefix = path.join(dir, '.cache', 'pyc');
  });
  after(() => {
    analyzer.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function runIn(file: string, pycache?: string): Promise<ResultMessage> {
    const proc = new WorkerProcess({ id: 1, python: PYTHON, script: path.join(REPO, 'src/worker/scoring/main.py'), roots: [dir], memoryMB: 0, pycacheDir: pycache });
    try {
      await proc.ready;
      proc.send({ t: 'task', key: 'k', train: [[[[1]], [[1]]]], test: [] });
      return await new Promise<ResultMessage>((resolve) => {
        proc.on('message', (m) => m.t === 'result' && resolve(m));
        proc.send({ t: 'run', id: 1, file, fn: 'solve_00000001', kind: 'I', task: 'k', taskId: '00000001', pair: 'demo', index: 0 });
      });
    } finally {
      await proc.kill();
    }
  }

  it('the analyzer writes a hash-checked .pyc once per content, and never into the workspace', async () => {
    const file = path.join(dir, 'a.py');
    const text = 'def solve_00000001(I):\n    O = ((7,),)\n    return O\n';
    fs.writeFileSync(file, text);
    assert.equal(await analyzer.precompile(prefix, [{ path: file, source: text }]), 1);
    assert.equal(await analyzer.precompile(prefix, [{ path: file, source: text }]), 0, 'unchanged: not rewritten');
    const pyc = pycPath(prefix, file);
    assert.ok(pyc.startsWith(prefix) && fs.existsSync(pyc));
    const head = fs.readFileSync(pyc);
    assert.equal(head.readUInt32LE(4), 0b11, 'flags: hash-based, checked');
    assert.ok(!fs.existsSync(path.join(dir, '__pycache__')));
  });

  it('a worker started with --pycache uses a matching .pyc; a stale one is ignored', async () => {
    const file = path.join(dir, 'b.py');
    fs.writeFileSync(file, 'def solve_00000001(I):\n    O = ((1,),)\n    return O\n');
    // A .pyc that matches the file's bytes but holds other code: only a worker that reads it answers 2.
    forgePyc(prefix, file, 'def solve_00000001(I):\n    O = ((2,),)\n    return O\n');
    assert.deepEqual((await runIn(file, prefix)).outcome?.output, [[2]], 'read from the .pyc');
    assert.deepEqual((await runIn(file)).outcome, { match: true }, 'without --pycache: from source');
    fs.writeFileSync(file, 'def solve_00000001(I):\n    O = ((3,),)\n    return O\n');
    assert.deepEqual((await runIn(file, prefix)).outcome?.output, [[3]], 'the file changed: its .pyc is stale and ignored');
  });

  it('the public-API fallback builds the same bytes as CPython\'s private _code_to_hash_pyc, and is used without it', () => {
    const script = [
      'import sys, importlib.util, importlib._bootstrap_external as be',
      'sys.path.insert(0, sys.argv[1])',
      'import pyc',
      'src = b"def solve_00000001(I):\\n    O = ((7,),)\\n    return O\\n"',
      'code = compile(src, "a.py", "exec", dont_inherit=True)',
      'h = importlib.util.source_hash(src)',
      'private = be._code_to_hash_pyc(code, h, checked=True)',
      'fallback = pyc.hash_pyc_fallback(code, h)',
      'used = pyc.code_to_hash_pyc(code, h)',
      'del be._code_to_hash_pyc',
      'without = pyc.code_to_hash_pyc(code, h)',
      'print(bytes(private).hex(), fallback.hex(), used.hex(), without.hex())',
    ].join('\n');
    const [priv, fallback, used, without] = execFileSync(PYTHON, ['-c', script, path.join(REPO, 'src/worker/analyzer')], { encoding: 'utf8' }).trim().split(' ');
    assert.ok(priv.length > 32, 'the private function wrote a header and code');
    assert.equal(fallback, priv, 'fallback bytes equal _code_to_hash_pyc bytes');
    assert.equal(used, priv);
    assert.equal(without, priv, 'without the private function: the fallback, same bytes');
    assert.equal(Buffer.from(fallback, 'hex').readUInt32LE(4), 0b11, 'flags: hash-based, checked');
  });
});
