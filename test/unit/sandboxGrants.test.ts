// What the workers' sandbox grants in the workspace (src/engine/pool/sandbox.ts): entry by entry on the way down to a
// tasks folder inside it, never the task files; when that set goes stale; which files are sent as text instead.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { taskFiles, WorkspaceGrants } from '../../src/engine/pool/sandbox';

describe('sandbox grants in the workspace', () => {
  let ws: string;
  beforeEach(() => {
    ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-grants-')));
    for (const d of ['data/training', 'data/evaluation', 'lib', '.batt']) fs.mkdirSync(path.join(ws, d), { recursive: true });
    for (const f of ['dsl.py', 'README.md', 'data/notes.txt', 'data/training/a.json', 'lib/x.py']) fs.writeFileSync(path.join(ws, f), '');
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));
  const rel = (ps: string[]) => ps.map((p) => path.relative(ws, p) || '.').sort();

  it('tasks outside the workspace: the whole workspace is readable, nothing is stale or sent', () => {
    const g = new WorkspaceGrants([ws], path.join(os.tmpdir(), 'elsewhere', 'training'));
    assert.deepStrictEqual([rel(g.read), g.list], [['.'], []]);
    fs.writeFileSync(path.join(ws, 'new.txt'), '');
    assert.strictEqual(g.stale(), false);
    assert.deepStrictEqual(g.uncovered([path.join(ws, 'late.py')]), []);
  });

  it('tasks in data/training: every entry on the way down but the tasks folder; the folders on the way listable only', () => {
    const g = new WorkspaceGrants([ws], path.join(ws, 'data', 'training'));
    assert.deepStrictEqual(rel(g.read), ['.batt', 'README.md', 'data/evaluation', 'data/notes.txt', 'dsl.py', 'lib']);
    assert.deepStrictEqual(rel(g.list), ['.', 'data']);
    assert.deepStrictEqual(rel(g.hidden), ['data/training']);
  });

  it('stale when a folder or non-Python file appears on the way down; a new or replaced .py file is sent instead', () => {
    const g = new WorkspaceGrants([ws], path.join(ws, 'data', 'training'));
    assert.strictEqual(g.stale(), false);
    const late = path.join(ws, 'late.py');
    fs.writeFileSync(late, '');
    fs.writeFileSync(path.join(ws, 'lib', 'deeper.txt'), '');
    for (const temp of ['.dsl.py.swp', '.#dsl.py', '#dsl.py#', 'dsl.py~']) fs.writeFileSync(path.join(ws, temp), '');
    assert.strictEqual(g.stale(), false, 'a .py file, editor temp files and anything under a granted folder need no restart');
    const dsl = path.join(ws, 'dsl.py');
    assert.deepStrictEqual(g.uncovered([dsl, late, path.join(ws, 'lib', 'x.py'), path.join(ws, 'data', 'training', 'y.py')]), [late]);
    fs.renameSync(late, dsl); // an atomic save: a new inode the grant does not hold
    assert.deepStrictEqual(g.uncovered([dsl]), [dsl]);
    fs.mkdirSync(path.join(ws, 'extra'));
    assert.strictEqual(g.stale(), true);
  });

  it('with the tasks inside, .batt/ is made first (with its .gitignore): the run log written later needs no restart', () => {
    fs.rmSync(path.join(ws, '.batt'), { recursive: true });
    const g = new WorkspaceGrants([ws], path.join(ws, 'data', 'training'));
    assert.ok(rel(g.read).includes('.batt') && fs.existsSync(path.join(ws, '.batt', '.gitignore')));
    fs.writeFileSync(path.join(ws, '.batt', 'runs.jsonl'), '');
    assert.strictEqual(g.stale(), false);
  });

  it('tasks in the workspace folder itself (or a folder holding it) cannot be hidden: the workspace stays readable', () => {
    for (const tasks of [ws, path.dirname(ws)]) {
      const g = new WorkspaceGrants([ws], tasks);
      assert.deepStrictEqual([rel(g.read), g.list, g.hidden], [['.'], [], []]);
    }
  });

  it('a Kaggle challenges file hides its solutions beside it (either separator)', () => {
    const ch = path.join(ws, 'data', 'arc-agi_training-challenges.json');
    assert.deepStrictEqual(rel(taskFiles(ch)), ['data/arc-agi_training-challenges.json', 'data/arc-agi_training-solutions.json', 'data/arc-agi_training_solutions.json']);
    fs.writeFileSync(ch, '{}');
    fs.writeFileSync(path.join(ws, 'data', 'arc-agi_training-solutions.json'), '{}');
    const g = new WorkspaceGrants([ws], ch);
    assert.deepStrictEqual(rel(g.read), ['.batt', 'README.md', 'data/evaluation', 'data/notes.txt', 'data/training', 'dsl.py', 'lib']);
  });
});
