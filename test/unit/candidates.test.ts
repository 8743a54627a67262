import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findPythonFiles, importClosure, resolveImport, resolveImportAll } from '../../src/engine/workspace/files';
import { GlobSet, compileGlob } from '../../src/engine/workspace/glob';

function touch(root: string, rel: string, text = ''): string {
  const p = path.join(root, ...rel.split('/'));
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

describe('glob', () => {
  const m = (pattern: string, p: string) => compileGlob(pattern).test(p);

  it('** spans whole segments, * and ? stay inside one', () => {
    assert.ok(m('**/*.py', 'a.py') && m('**/*.py', 'x/y/a.py') && m('**/*.py', '.hidden.py'));
    assert.ok(!m('*.py', 'x/a.py') && m('*.py', 'a.py'));
    assert.ok(m('src/**/test_?.py', 'src/test_1.py') && m('src/**/test_?.py', 'src/a/b/test_x.py') && !m('src/**/test_?.py', 'src/test_10.py'));
    assert.ok(m('**/node_modules/**', 'node_modules/a.py') && m('**/node_modules/**', 'a/node_modules/b/c.py'));
    assert.ok(!m('**/node_modules/**', 'node_modules') && !m('**/node_modules/**', 'my_node_modules/a.py'));
    assert.ok(m('**/.*/**', '.venv/lib/x.py') && !m('**/.*/**', '.dotfile.py') && !m('**/.*/**', 'a/b.py'));
    assert.ok(m('**', 'a/b/c') && m('a/**', 'a/b/c.py') && !m('a/**', 'ab/c.py'));
  });

  it('braces (nested), classes, escapes and ./ prefixes', () => {
    assert.ok(m('{solvers,differs}/*.py', 'solvers/a.py') && m('{solvers,differs}/*.py', 'differs/a.py') && !m('{solvers,differs}/*.py', 'other/a.py'));
    assert.ok(m('solve_{a,b{1,2}}.py', 'solve_b2.py') && !m('solve_{a,b{1,2}}.py', 'solve_b3.py'));
    assert.ok(m('tmp_[0-9].py', 'tmp_7.py') && !m('tmp_[!0-9].py', 'tmp_7.py') && m('tmp_[!0-9].py', 'tmp_x.py'));
    assert.ok(m('a+b(1).py', 'a+b(1).py') && !m('a.py', 'axpy'));
    assert.ok(m('./x/*.py', 'x/a.py') && m('x\\*.py', 'x/a.py'));
  });

  it('GlobSet.matchesDir prunes folders named by a pattern or a pattern ending in /**', () => {
    const g = new GlobSet(['**/.*/**', 'build', '**/*.egg-info']);
    assert.ok(g.matchesDir('.venv') && g.matchesDir('a/.git') && g.matchesDir('build') && g.matchesDir('x/y.egg-info'));
    assert.ok(!g.matchesDir('src') && !g.matchesDir('a/build'));
  });
});

describe('findPythonFiles', () => {
  let root: string;
  beforeEach(() => (root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-find-')))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('applies the default include and exclude, sorted', async () => {
    for (const f of ['a.py', 'sub/b.py', 'sub/c.txt', 'sub/d.pyc', '.dotfile.py', 'sub/deep/e.py']) touch(root, f);
    for (const f of ['.venv/lib/x.py', 'node_modules/m.py', 'venv/v.py', 'env/e.py', 'x/site-packages/s.py', '__pycache__/p.py', '.git/h.py', 'y/.cache/z.py']) touch(root, f);
    const got = await findPythonFiles(root);
    assert.deepStrictEqual(got, ['.dotfile.py', 'a.py', 'sub/b.py', 'sub/deep/e.py'].map((f) => path.join(root, f)));
  });

  it('honours custom include and exclude globs', async () => {
    for (const f of ['solvers/a.py', 'solvers/tmp_1.py', 'differs/d.py', 'other/o.py', 'solver_md5/x/y.py']) touch(root, f);
    const got = await findPythonFiles(root, ['{solvers,differs}/**/*.py', 'solver_md5/**'], ['**/tmp_*.py']);
    assert.deepStrictEqual(got, ['differs/d.py', 'solver_md5/x/y.py', 'solvers/a.py'].map((f) => path.join(root, f)));
  });

  it('never enters excluded folders, and is fast on thousands of files', async function () {
    this.timeout(60000);
    for (let i = 0; i < 2000; i++) touch(root, `.venv/lib/site-packages/pkg${i % 40}/m${i}.py`);
    for (let i = 0; i < 1500; i++) touch(root, `solvers/s${i % 30}/solve_${i}.py`);
    const entered: string[] = [];
    const real = fs.promises.readdir;
    (fs.promises as { readdir: unknown }).readdir = (p: fs.PathLike, o?: unknown) => {
      entered.push(String(p));
      return (real as (p: fs.PathLike, o?: unknown) => Promise<unknown>)(p, o);
    };
    let got: string[];
    const t0 = performance.now();
    try {
      got = await findPythonFiles(root);
    } finally {
      fs.promises.readdir = real;
    }
    const ms = performance.now() - t0;
    console.log(`      1500 files found (2000 excluded) in ${ms.toFixed(0)} ms, ${entered.length} folders read`);
    assert.strictEqual(got.length, 1500);
    assert.ok(entered.length > 1 && entered.every((p) => !p.includes('.venv')), entered.filter((p) => p.includes('.venv')).join());
    assert.ok(ms < 20000);
  });

  it('skips symlinked folders outside root and symlink cycles, follows ones inside', async function () {
    if (process.platform === 'win32') this.skip();
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-outside-'));
    try {
      touch(outside, 'leak.py');
      touch(root, 'pkg/inner.py');
      fs.symlinkSync(outside, path.join(root, 'ext'));
      fs.symlinkSync(path.join(outside, 'leak.py'), path.join(root, 'leak_link.py'));
      fs.symlinkSync(root, path.join(root, 'pkg', 'loop'));
      fs.symlinkSync(path.join(root, 'pkg'), path.join(root, 'alias'));
      fs.symlinkSync(path.join(root, 'missing'), path.join(root, 'broken.py'));
      const got = await findPythonFiles(root);
      assert.deepStrictEqual(got, ['alias/inner.py', 'pkg/inner.py'].map((f) => path.join(root, f)));
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('resolveImport and importClosure', () => {
  const root = path.resolve('/ws');
  const files = new Set(['dsl.py', 'constants.py', 'pkg/__init__.py', 'pkg/sub/__init__.py', 'pkg/sub/mod.py', 'pkg/util.py', 'solvers/local_helper.py', 'solvers/run.py'].map((f) => path.join(root, f)));
  const exists = (p: string) => files.has(p);
  const r = (importer: string, module: string, level = 0) => resolveImport(root, path.join(root, importer), { module, level }, exists);
  const rel = (p: string | undefined) => (p === undefined ? undefined : path.relative(root, p).split(path.sep).join('/'));

  it('absolute imports: root first, then the importer folder; packages by __init__', () => {
    assert.strictEqual(rel(r('solvers/run.py', 'dsl')), 'dsl.py');
    assert.strictEqual(rel(r('solvers/run.py', 'local_helper')), 'solvers/local_helper.py');
    assert.strictEqual(rel(r('x.py', 'pkg')), 'pkg/__init__.py');
    assert.strictEqual(rel(r('x.py', 'pkg.sub.mod')), 'pkg/sub/mod.py');
    assert.strictEqual(r('x.py', 'os'), undefined);
    assert.strictEqual(r('x.py', 'numpy.linalg'), undefined);
    assert.strictEqual(r('x.py', 'pkg..bad'), undefined);
  });

  it('relative imports by level, never above root', () => {
    assert.strictEqual(rel(r('pkg/sub/mod.py', 'util', 2)), 'pkg/util.py');
    assert.strictEqual(rel(r('pkg/sub/mod.py', '', 1)), 'pkg/sub/__init__.py');
    assert.strictEqual(rel(r('pkg/util.py', 'sub.mod', 1)), 'pkg/sub/mod.py');
    assert.strictEqual(rel(r('pkg/util.py', 'dsl', 2)), 'dsl.py');
    assert.strictEqual(r('pkg/util.py', 'dsl', 3), undefined);
  });

  it('resolveImportAll adds enclosing package __init__ files and from-imported submodules', () => {
    const all = (importer: string, imp: { module: string; level: number; names?: string[] }) =>
      resolveImportAll(root, path.join(root, importer), imp, exists).map(rel);
    assert.deepStrictEqual(all('x.py', { module: 'pkg.sub.mod', level: 0 }), ['pkg/__init__.py', 'pkg/sub/__init__.py', 'pkg/sub/mod.py']);
    assert.deepStrictEqual(all('x.py', { module: 'pkg', level: 0, names: ['util', 'nothing'] }), ['pkg/__init__.py', 'pkg/util.py']);
    assert.deepStrictEqual(all('pkg/sub/mod.py', { module: '', level: 2, names: ['util'] }), ['pkg/__init__.py', 'pkg/util.py']);
    assert.deepStrictEqual(all('x.py', { module: 'os', level: 0 }), []);
  });

  it('importClosure follows chains and survives a cycle', () => {
    const deps = new Map<string, string[]>([
      ['a', ['b']],
      ['b', ['c', 'dsl']],
      ['c', ['a']],
      ['dsl', []],
      ['lonely', []],
    ]);
    assert.deepStrictEqual(importClosure('a', deps), ['b', 'c', 'dsl']);
    assert.deepStrictEqual(importClosure('c', deps), ['a', 'b', 'dsl']);
    assert.deepStrictEqual(importClosure('lonely', deps), []);
    assert.deepStrictEqual(importClosure('unknown', deps), []);
  });
});
