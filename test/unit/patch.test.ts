// In-place patches of edited solvers in a live worker (FilePatch): the edit takes effect, the module is not
// re-imported, moved solvers report their new lines, and anything unsafe falls back to a re-import.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Analyzer } from '../../src/engine/workspace/analyzer';
import type { WorkspaceFile } from '../../src/engine/workspace/discover';
import { sha256 } from '../../src/engine/fsutil';
import { patchFor } from '../../src/engine/workspace/patch';
import { WorkerProcess } from '../../src/engine/pool/workerProcess';
import type { FilePatch, ResultMessage, RunMessage } from '../../src/protocol/worker';

const PYTHON = process.env.BATT_PYTHON ?? 'python3';
const REPO = path.resolve(__dirname, '../..');

const SOLVERS = `import builtins
builtins.batt_test_imports = getattr(builtins, "batt_test_imports", 0) + 1
LIMIT = 3


def solve_00000001(I):
    O = ((builtins.batt_test_imports, 1),)
    return O


def solve_00000002(I):
    x1 = I[0][0]
    O = ((x1 // 0,),)
    return O
`;

describe('solver patches in a live worker', function () {
  this.timeout(60000);
  let dir: string;
  let file: string;
  let proc: WorkerProcess;
  let analyzer: Analyzer;
  let nextId = 0;
  let sent: WorkspaceFile;

  const parse = async (text: string): Promise<WorkspaceFile> => ({
    path: file,
    text,
    sha: sha256(text),
    deps: [],
    parse: (await analyzer.parse(file, text)) as unknown as WorkspaceFile['parse'],
  });

  function run(fn: string): Promise<ResultMessage> {
    const id = ++nextId;
    return new Promise((resolve) => {
      const onMsg = (m: { t: string; id?: number }) => {
        if (m.t === 'result' && m.id === id) {
          proc.off('message', onMsg);
          resolve(m as ResultMessage);
        }
      };
      proc.on('message', onMsg);
      const msg: RunMessage = { t: 'run', id, file, fn, kind: 'I', task: 'k', taskId: '00000001', pair: 'demo', index: 0 };
      proc.send(msg);
    });
  }

  /** Writes the new text, tells the worker (with a patch when one is safe), returns the patch. */
  async function edit(text: string): Promise<FilePatch | undefined> {
    fs.writeFileSync(file, text);
    const cur = await parse(text);
    const patch = patchFor(sent, cur);
    proc.send({ t: 'files', files: { [file]: patch ? { sha: cur.sha, deps: [], patch } : { sha: cur.sha, deps: [] } } });
    sent = cur;
    return patch;
  }

  const imports = async () => (await run('solve_00000001')).outcome?.output?.[0][0];

  before(async () => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-patch-')));
    file = path.join(dir, 'solvers.py');
    fs.writeFileSync(file, SOLVERS);
    analyzer = new Analyzer({ python: PYTHON, script: path.join(REPO, 'src/worker/analyzer/analyze.py') });
    proc = new WorkerProcess({ id: 1, python: PYTHON, script: path.join(REPO, 'src/worker/scoring/main.py'), roots: [dir], memoryMB: 0 });
    await proc.ready;
    proc.send({ t: 'task', key: 'k', train: [[[[5]], [[5]]]], test: [] });
    sent = await parse(SOLVERS);
    proc.send({ t: 'files', files: { [file]: { sha: sent.sha, deps: [] } } });
    assert.equal(await imports(), 1);
  });

  after(async () => {
    await proc.kill();
    analyzer.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('applies an edit confined to a solver without re-importing the module', async () => {
    const patch = await edit(SOLVERS.replace('O = ((builtins.batt_test_imports, 1),)', 'O = ((builtins.batt_test_imports, 2),)'));
    assert.ok(patch, 'the edit is patchable');
    assert.deepEqual(patch.fns.map((f) => f.name), ['solve_00000001']);
    const r = await run('solve_00000001');
    assert.deepEqual(r.outcome?.output, [[1, 2]], 'new body, same import');
  });

  it('moves the line numbers of solvers below an edit that added lines', async () => {
    const text = sent.text.replace('    O = ((builtins.batt_test_imports, 2),)', '    x1 = 1\n    x2 = 2\n    O = ((builtins.batt_test_imports, 2),)');
    const patch = await edit(text);
    assert.ok(patch);
    assert.deepEqual(patch.moves, [{ name: 'solve_00000002', delta: 2 }]);
    const r = await run('solve_00000002');
    assert.equal(r.error?.type, 'ZeroDivisionError');
    const line = text.split('\n').findIndex((l) => l.includes('x1 // 0')) + 1;
    assert.equal(r.error?.line, line, 'the exception is reported at the moved line');
    assert.equal(await imports(), 1, 'still not re-imported');
  });

  it('re-imports when module-level code changed', async () => {
    const patch = await edit(sent.text.replace('LIMIT = 3', 'LIMIT = 4'));
    assert.equal(patch, undefined);
    assert.equal(await imports(), 2);
  });

  it('re-imports when the worker holds another version than the patch base', async () => {
    const text = sent.text.replace('O = ((builtins.batt_test_imports, 2),)', 'O = ((builtins.batt_test_imports, 3),)');
    fs.writeFileSync(file, text);
    const cur = await parse(text);
    const patch = patchFor(sent, cur)!;
    proc.send({ t: 'files', files: { [file]: { sha: cur.sha, deps: [], patch: { ...patch, base: 'not-what-the-worker-has' } } } });
    sent = cur;
    assert.deepEqual((await run('solve_00000001')).outcome?.output, [[3, 3]]);
  });
});
