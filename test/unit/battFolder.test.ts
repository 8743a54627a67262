// Issue 11 §6: batt writes `.batt/.gitignore` when it creates `.batt/` (solver store, run log), so git never offers it.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BATT_GITIGNORE, ensureBattFolder } from '../../src/engine/store/battFolder';

describe('.batt/ has its own .gitignore (issue 11 §6)', () => {
  let tmp: string;
  beforeEach(() => (tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-battdir-')))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('written with `*` when batt creates .batt/, never over a .gitignore there or into a .batt/ that exists', async () => {
    const dir = await ensureBattFolder(tmp);
    assert.equal(dir, path.join(tmp, '.batt'));
    const text = fs.readFileSync(path.join(dir, '.gitignore'), 'utf8');
    assert.equal(text, BATT_GITIGNORE);
    assert.deepEqual(text.split('\n').filter((l) => l && !l.startsWith('#')), ['*']);
    fs.writeFileSync(path.join(dir, '.gitignore'), 'mine\n');
    await ensureBattFolder(tmp);
    assert.equal(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8'), 'mine\n', 'left as the user made it');
    fs.rmSync(path.join(dir, '.gitignore'));
    await ensureBattFolder(tmp);
    assert.ok(!fs.existsSync(path.join(dir, '.gitignore')), 'a removed one stays removed');
  });
});
