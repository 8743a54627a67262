// The extension-host mocha runner (test/vscode/index.ts) exercised in a plain Node child process:
// same module, same mocha, only `vscode` is absent (the runner never imports it).
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const INDEX = path.resolve(__dirname, '../vscode/index.ts');
const TSX = require.resolve('tsx/cjs');

interface Outcome { status: number | null; stdout: string; stderr: string; result?: Record<string, unknown> }

/** Runs `script` (which sees `index` = the runner module and `dir` = the temp dir) in a fresh node. */
function runNode(dir: string, script: string): Outcome {
  const resultFile = path.join(dir, 'out', 'result.json');
  const code = `const index = require(${JSON.stringify(INDEX)}); const dir = ${JSON.stringify(dir)};
    (${script})().then(() => process.exit(0), (e) => { console.error('rejected: ' + e.message); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['--require', TSX, '-e', code], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, VSCODE_TEST_RESULT_FILE: resultFile },
  });
  const result = fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, 'utf8')) : undefined;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, result };
}

function lastLine(s: string): string {
  return s.trimEnd().split('\n').pop() ?? '';
}

describe('test/vscode/index.ts (extension-host mocha runner)', function () {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-vscode-index-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (rel: string, text: string): string => {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };

  it('finds *.test.js recursively and sorted, skipping node_modules and other files', () => {
    write('b.test.js', '');
    write('sub/a.test.js', '');
    write('a.test.js.map', '');
    write('helper.js', '');
    write('node_modules/x/c.test.js', '');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { findTestFiles } = require(INDEX) as typeof import('../vscode/index');
    assert.deepStrictEqual(findTestFiles(dir).map((f) => path.relative(dir, f)), ['b.test.js', path.join('sub', 'a.test.js')]);
  });

  it('all passing: resolves, prints "N passed, N failed" last and writes the result file', () => {
    write('one.test.js', "suite('s', () => { test('a', () => {}); test('b', async () => {}); });");
    write('deep/two.test.js', "suite('t', () => { test('c', () => {}); test.skip('d', () => {}); });");
    const o = runNode(dir, '() => index.runMocha({ files: index.findTestFiles(dir) })');
    assert.strictEqual(o.status, 0, o.stderr);
    assert.strictEqual(lastLine(o.stdout), '3 passed, 0 failed, 1 skipped');
    assert.deepStrictEqual({ ...o.result, durationMs: 0 }, { passes: 3, failures: 0, pending: 1, failed: [], durationMs: 0 });
  });

  it('a failing test: rejects and names the failure in the result file', () => {
    write('x.test.js', "suite('s', () => { test('ok', () => {}); test('bad', () => { throw new Error('boom'); }); });");
    const o = runNode(dir, '() => index.runMocha({ files: index.findTestFiles(dir) })');
    assert.strictEqual(o.status, 1);
    assert.match(o.stderr, /rejected: 1 test\(s\) failed/);
    assert.strictEqual(lastLine(o.stdout), '1 passed, 1 failed');
    const failed = o.result?.failed as { title: string; err: string }[];
    assert.strictEqual(failed.length, 1);
    assert.strictEqual(failed[0].title, 's bad');
    assert.match(failed[0].err, /boom/);
  });

  it('bundled suites are loaded after the tdd globals exist', () => {
    const file = write('bundled.js', "suite('bundled', () => { test('runs', () => {}); });");
    const o = runNode(dir, `() => index.runMocha({ suites: [{ name: 'bundled', load: () => require(${JSON.stringify(file)}) }] })`);
    assert.strictEqual(o.status, 0, o.stderr);
    assert.strictEqual(lastLine(o.stdout), '1 passed, 0 failed');
  });

  it('a suite that throws while loading counts as one failure', () => {
    write('broken.test.js', "throw new Error('cannot load');");
    const o = runNode(dir, '() => index.runMocha({ files: index.findTestFiles(dir) })');
    assert.strictEqual(o.status, 1);
    assert.match(o.stderr, /cannot load/);
    assert.strictEqual(lastLine(o.stdout), '0 passed, 1 failed');
    assert.strictEqual(o.result?.failures, 1);
  });

  it('no tests at all is a failure, not a silent pass', () => {
    write('empty.test.js', '');
    const o = runNode(dir, '() => index.runMocha({ files: index.findTestFiles(dir) })');
    assert.strictEqual(o.status, 1);
    assert.match(o.stderr, /no tests ran/);
    assert.strictEqual(lastLine(o.stdout), '0 passed, 0 failed');
  });
});
