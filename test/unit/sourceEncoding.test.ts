/**
 * Source that Python refuses is not scored (issue 9 item 5): decodeSource against what the real interpreter says when
 * it runs the same bytes, and an engine run on a workspace with a non-UTF-8 file and a latin-1 file.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Engine } from '../../src/engine/engine';
import { decodeSource } from '../../src/engine/workspace/files';
import { PYTHON } from '../workerFixtures';

const b = (s: string) => Buffer.from(s, 'latin1');
const BOM = '\xef\xbb\xbf';

/** name, bytes (one char per byte), and the text expected when Python accepts them (undefined: Python refuses). */
const CASES: Array<[string, string, string | undefined]> = [
  ['non-UTF-8 byte in a comment, no coding line', 'def f(I):\n    x1 = I\n    # caf\xe9\n    return x1\n', undefined],
  ['non-UTF-8 byte in a string, no coding line', 'x = 1\ny = "\xe9"\n', undefined],
  ['invalid after valid multi-byte text', 'x = 1\n# caf\xc3\xa9 \xe9\n', undefined],
  ['a surrogate encoded in UTF-8', 'x = 1\n# \xed\xa0\x80\n', undefined],
  ['coding line on line 2 below code: not a coding line', 'x = 1\n# coding: latin-1\ny = "\xe9"\n', undefined],
  ['valid UTF-8', 'x = "caf\xc3\xa9"\n', 'x = "café"\n'],
  ['latin-1 coding line', '# -*- coding: latin-1 -*-\nx = "caf\xe9"\n', '# -*- coding: latin-1 -*-\nx = "café"\n'],
  ['latin-1 coding line below a shebang', '#!/usr/bin/env python3\n# vim: set fileencoding=iso-8859-1 :\nx = "\xe9"\n', '#!/usr/bin/env python3\n# vim: set fileencoding=iso-8859-1 :\nx = "é"\n'],
  ['cp1252 coding line', '# coding=cp1252\nx = "\x80"\n', '# coding=cp1252\nx = "€"\n'],
  ['cp1252 coding line and a byte cp1252 lacks', '# coding=cp1252\nx = "\x81"\n', undefined],
  ['iso-8859-2 coding line', '# coding: iso-8859-2\nx = "\xa1"\n', '# coding: iso-8859-2\nx = "Ą"\n'],
  ['BOM and a latin-1 coding line', `${BOM}# coding: latin-1\nx = 1\n`, undefined],
  ['ascii coding line and a non-ASCII byte', '# coding: ascii\nx = 1\n# caf\xe9\n', undefined],
];

function pythonSays(file: string): string | undefined {
  const r = spawnSync(PYTHON, ['-I', file], { encoding: 'utf8' });
  if (r.status === 0) return undefined;
  const last = r.stderr.trim().split('\n').pop() ?? '';
  assert.match(last, /^SyntaxError: /, r.stderr);
  return last.slice('SyntaxError: '.length);
}

describe('source encoding (PEP 263) as Python reads it', function () {
  this.timeout(120000);
  let dir: string;
  before(() => (dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-enc-')))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const [name, bytes, text] of CASES) {
    it(`${name}: ${text === undefined ? 'refused' : 'accepted'}, as the interpreter does`, () => {
      const file = path.join(dir, `${name.replace(/\W+/g, '_')}.py`);
      fs.writeFileSync(file, b(bytes));
      const got = decodeSource(b(bytes), file);
      const python = pythonSays(file);
      assert.strictEqual(got.refused?.message, python);
      if (text === undefined) assert.ok(got.refused);
      else assert.strictEqual(got.text, text);
    });
  }

  it('reports the line and column of the first bad byte', () => {
    const r = decodeSource(b('x = 1\n\n# caf\xe9\n'), '/w/x.py');
    assert.deepStrictEqual(r.refused && { line: r.refused.line, col: r.refused.col }, { line: 3, col: 6 });
    assert.strictEqual(r.text, 'x = 1\n\n# caf\ufffd\n');
  });

  it('a run reports the refused file at its line and scores none of its candidates; a latin-1 file is scored', async () => {
    const ws = path.join(dir, 'ws');
    fs.mkdirSync(path.join(ws, 'tasks'), { recursive: true });
    const grid = [[1, 2], [3, 4]];
    fs.writeFileSync(path.join(ws, 'tasks', 'aaaaaaaa.json'), JSON.stringify({ train: [{ input: grid, output: grid }], test: [{ input: grid, output: grid }] }));
    // The worker's import accepts the bad byte inside a comment: before, this candidate ran and solved the task.
    fs.writeFileSync(path.join(ws, 'broken.py'), b('def solve_aaaaaaaa_broken(I):\n    x1 = I\n    # caf\xe9\n    return x1\n'));
    fs.writeFileSync(path.join(ws, 'latin.py'), b('# -*- coding: latin-1 -*-\ndef solve_aaaaaaaa_latin(I):\n    s = "caf\xe9"\n    return I if len(s) == 4 else None\n'));
    const engine = new Engine({ workspace: ws, timeoutMs: 5000 });
    try {
      const r = await engine.run();
      const broken = path.join(ws, 'broken.py');
      const err = r.errors.find((e) => e.file === broken);
      assert.deepStrictEqual(err && { kind: err.kind, line: err.line }, { kind: 'syntax', line: 3 }, JSON.stringify(r.errors));
      assert.strictEqual(err?.message, `SyntaxError: Non-UTF-8 code starting with '\\xe9' in file ${broken} on line 3, but no encoding declared; see https://peps.python.org/pep-0263/ for details`);
      const names = r.tasks[0].candidates.map((c) => c.name);
      assert.deepStrictEqual(names, ['solve_aaaaaaaa_latin']);
      assert.strictEqual(r.tasks[0].candidates[0].solved, true);
      assert.ok(!r.errors.some((e) => e.file.endsWith('latin.py')), JSON.stringify(r.errors));
    } finally {
      await engine.dispose();
    }
  });
});
