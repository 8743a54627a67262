// Each scoring worker's scratch folder (its TMPDIR, the one folder its sandbox lets solvers write): there while it
// runs, removed when it exits; the sandbox state is in its ready message.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { WorkerProcess } from '../../src/engine/pool/workerProcess';
import { PYTHON, SCRIPT } from '../workerFixtures';

describe('worker scratch folder', function () {
  this.timeout(30000);

  it('is created in os.tmpdir() named for this process, reported by the ready message, removed when the worker exits', async () => {
    const ws = fs.realpathSync(fs.mkdtempSync(`${os.tmpdir()}/batt-scratch-ws-`));
    const w = new WorkerProcess({ id: 0, python: PYTHON, script: SCRIPT, roots: [ws], memoryMB: 0, sandbox: { enabled: true, read: [ws], list: [], hidden: [] } });
    try {
      const ready = await w.ready;
      assert.ok(w.scratch.startsWith(`${fs.realpathSync(os.tmpdir())}/batt-worker-${process.pid}-`), w.scratch);
      assert.ok(fs.statSync(w.scratch).isDirectory());
      assert.deepEqual(fs.readdirSync(w.scratch), [], 'the worker removed its policy file once read');
      assert.equal(typeof ready.sandbox?.applied, 'boolean');
      await w.kill();
      assert.ok(!fs.existsSync(w.scratch), 'removed when the worker exited');
    } finally {
      await w.kill();
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });
});
