/**
 * `batt submit` as a user runs it (a real process): the file written, the text report and --json, --check, and the
 * exit codes (0 written or valid, 1 problems found, 2 usage errors).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import '../cacheHome';

const REPO = path.resolve(__dirname, '../..');
const DIR = path.join(REPO, 'test', 'fixtures', 'submit');
const CHALLENGES = path.join(DIR, 'bundle', 'hand_challenges.json');

function batt(args: string[], cwd = REPO): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(REPO, 'src/cli/main.ts'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: path.join(REPO, 'node_modules') },
    timeout: 120000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('batt submit (CLI)', function () {
  this.timeout(180000);
  let tmp: string;
  let ws: string;

  before(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-submit-cli-')));
    ws = path.join(tmp, 'ws');
    fs.cpSync(path.join(DIR, 'workspace'), ws, { recursive: true });
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes submission.json in the current folder by default, prints the report and exits 0', () => {
    const r = batt(['submit', '--workspace', ws, '--tasks', CHALLENGES, '--no-progress'], tmp);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.strictEqual(fs.readFileSync(path.join(tmp, 'submission.json'), 'utf8'), fs.readFileSync(path.join(DIR, 'expected_submission.json'), 'utf8'));
    const lines = r.stdout.split('\n');
    assert.strictEqual(lines[0], 'wrote submission.json: 5 tasks, 6 test inputs, 12 attempts (7 from candidates, 5 the test input as fallback)');
    assert.strictEqual(lines[1], 'score: 3/6 test outputs right (50.0%); 2 of 5 tasks all right');
    assert.strictEqual(lines[2], 'oracle gap: 1 test output some candidate got right but neither attempt did:');
    assert.strictEqual(lines[3], '  bb000002 test 0: solve_bb000002_full');
    assert.ok(r.stdout.includes('  dd000004 test 0 attempt_1: solve_dd000004 (demo 1/2)'), r.stdout);
  });

  it('--json prints the report without the grids, --out names the file', () => {
    const out = path.join(tmp, 'sub2.json');
    const r = batt(['submit', '-w', ws, '-t', CHALLENGES, '--out', out, '--json']);
    assert.strictEqual(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.strictEqual(doc.out, out);
    assert.ok(!('submission' in doc));
    assert.deepStrictEqual(doc.score, { right: 3, total: 6, score: 0.5, tasksRight: 2, tasks: 5, unknown: 0 });
    assert.ok(fs.existsSync(out));
  });

  it('--check exits 0 on a valid file, 1 with each problem on a broken one', () => {
    const ok = batt(['submit', '--check', path.join(DIR, 'check', 'valid.json'), '--tasks', CHALLENGES]);
    assert.strictEqual(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /valid\.json: valid \(5 tasks, 6 test inputs\)\nscore: 3\/6 test outputs right/);
    const bad = batt(['submit', '--check', 'test/fixtures/submit/check/bad-colour.json', '--tasks', CHALLENGES]);
    assert.strictEqual(bad.code, 1, bad.stderr);
    assert.ok(bad.stdout.startsWith('test/fixtures/submit/check/bad-colour.json: $["aa000001"][0].attempt_2[3][1]: 12 is not a colour 0-9\n'), bad.stdout);
    const json = batt(['submit', '--check', path.join(DIR, 'check', 'missing-key.json'), '--tasks', CHALLENGES, '--json']);
    assert.strictEqual(json.code, 1);
    const doc = JSON.parse(json.stdout) as { valid: boolean; problems: Array<{ place: string }> };
    assert.deepStrictEqual([doc.valid, doc.problems.map((p) => p.place)], [false, ['$["aa000001"][1]']]);
  });

  it('exits 2 on usage errors, before running anything', () => {
    const cases: Array<[string[], RegExp]> = [
      [['submit', '--check', path.join(DIR, 'check', 'valid.json')], /--check needs --tasks/],
      [['submit', '--check', path.join(tmp, 'nope.json'), '--tasks', CHALLENGES], /submission file .*nope\.json \(--check\) does not exist/],
      [['submit', '--check', path.join(DIR, 'check', 'valid.json'), '--tasks', CHALLENGES, '--battery'], /--check takes only --tasks and --json/],
      [['submit', '-w', ws, '-t', CHALLENGES, '--task', 'aa000001'], /--task is not an option of batt submit/],
      [['submit', '-w', ws, '-t', CHALLENGES, '--out', path.join(tmp, 'no', 'such', 'x.json')], /--out .*folder .* does not exist/],
      [['submit', '-w', ws, '-t', CHALLENGES, '--out', 'a.json', '--out', 'b.json'], /--out given twice/],
      [['submit', '-w', ws, '--bogus'], /unknown option --bogus/],
      [['submit', '-w', ws, '-t', path.join(tmp, 'missing_challenges.json')], /missing_challenges\.json.*does not exist/],
    ];
    for (const [args, message] of cases) {
      const r = batt(args, tmp);
      assert.strictEqual(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.ok(!fs.existsSync(path.join(tmp, 'a.json')));
  });

  it('--cluster is used, not ignored: a scheduler nobody listens on is exit 2 naming it, and no file is written', () => {
    const out = path.join(tmp, 'cluster.json');
    const r = batt(['submit', '-w', ws, '-t', CHALLENGES, '--no-progress', '-o', out, '--cluster', 'tcp://127.0.0.1:1'], tmp);
    assert.strictEqual(r.code, 2, r.stderr);
    assert.match(r.stderr, /cannot reach the Dask scheduler at tcp:\/\/127\.0\.0\.1:1.*\(--cluster\)/);
    assert.ok(!fs.existsSync(out), 'nothing written');
  });

  it('--help states the ranking and the fallback', () => {
    const r = batt(['submit', '--help']);
    assert.strictEqual(r.code, 0);
    const text = r.stdout.replace(/\s+/g, ' '); // (wrapped)
    assert.match(text, /then demo pairs passed, program length \(shorter first\), time \(faster first\); test verdicts are never used/);
    assert.match(text, /A slot no candidate fills holds the test input itself/);
  });
});
