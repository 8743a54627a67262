// Bad inputs as a new user meets them, through the `batt` process (issue 10): what the terminal shows, on which
// stream, and the exit code.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { RunJson } from '../../src/protocol/results';
import { SETTINGS } from '../../src/protocol/settings';
import { spawnCli } from '../cliProcess';

const G = [[1, 2], [3, 4]];
const TASK = { train: [{ input: G, output: G }], test: [{ input: G, output: G }] };
/** An identity solver for task aaaaaaaa, and one for bbbbbbbb whose exception message carries terminal escapes. */
const SOLVERS = 'def solve_aaaaaaaa(I):\n    return I\n\n\ndef solve_bbbbbbbb(I):\n    raise ValueError("\\x1b[2J\\x1b]0;pwned\\x07 gone")\n';

async function batt(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = spawnCli([...args, '--no-progress', '--workers', '1']);
  try {
    const code = await cli.exited;
    return { code, stdout: cli.stdout(), stderr: cli.stderr() };
  } finally {
    cli.kill();
  }
}

/** Anything a terminal would act on, other than a line break. */
// eslint-disable-next-line no-control-regex -- the point: find control characters in the output
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

describe('batt CLI on bad inputs (issue 10)', function () {
  this.timeout(120000);
  let tmp: string;
  let ws: string;
  const writeJson = (file: string, v: unknown) => fs.writeFileSync(file, JSON.stringify(v));

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-inputs-'));
    ws = path.join(tmp, 'ws');
    fs.mkdirSync(path.join(ws, 'tasks'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'solvers.py'), SOLVERS);
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a task file of random bytes and a solver message with escape sequences print no control bytes', async () => {
    writeJson(path.join(ws, 'tasks', 'aaaaaaaa.json'), TASK);
    writeJson(path.join(ws, 'tasks', 'bbbbbbbb.json'), TASK);
    fs.copyFileSync(path.join(__dirname, '../fixtures/inputs/noise.json'), path.join(ws, 'tasks', 'noise.json'));
    const r = await batt(['run', '--workspace', ws]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout + r.stderr;
    assert.ok(!CONTROL.test(out), JSON.stringify(out.match(new RegExp(`.{0,40}${CONTROL.source}.{0,40}`))?.[0]));
    assert.match(out, /noise\.json:1:1: invalid JSON at line 1, column 1: /);
    assert.match(r.stdout, /ValueError: \\x1B\[2J\\x1B\]0;pwned\\x07 gone/);
  });

  it('a Kaggle bundle with hyphenated names is read as a bundle, its solutions file with it', async () => {
    const challenge = { train: TASK.train, test: [{ input: G }] };
    writeJson(path.join(ws, 'tasks', 'arc-agi-training-challenges.json'), { aaaaaaaa: challenge, bbbbbbbb: challenge });
    writeJson(path.join(ws, 'tasks', 'arc-agi-training-solutions.json'), { aaaaaaaa: [G], bbbbbbbb: [G] });
    const r = await batt(['run', '--workspace', ws]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^aaaaaaaa {2}SOLVED {2}\(1 demo, 1 test; 1 candidate\)$/m);
    assert.match(r.stdout, /^2 tasks - solved = 1 - candidates = 2 /m);
    assert.doesNotMatch(r.stdout + r.stderr, /missing "train"|error:/);
  });

  it('a Kaggle bundle without solutions: a warning on stderr, and the summary says test verdicts are unknown and why', async () => {
    const challenge = { train: TASK.train, test: [{ input: G }] };
    writeJson(path.join(ws, 'tasks', 'arc-agi_test_challenges.json'), { aaaaaaaa: challenge, bbbbbbbb: challenge });
    const r = await batt(['run', '--workspace', ws, '--strict']);
    assert.equal(r.code, 0, `a warning is not an input error, even with --strict: ${r.stderr}`);
    assert.ok(r.stderr.includes(`\nwarning: ${path.join(ws, 'tasks', 'arc-agi_test_challenges.json')}: no solutions file arc-agi_test_solutions.json beside it: test verdicts will be unknown\n`), r.stderr);
    assert.doesNotMatch(r.stderr, /error:/);
    assert.match(r.stdout, /^2 tasks - solved = \? \(test outputs unknown: no solutions file arc-agi_test_solutions\.json beside arc-agi_test_challenges\.json\) - candidates = 2 /m);
    assert.doesNotMatch(r.stdout, /warning:|error:/, 'input problems are not mixed into the report');

    const j = await batt(['run', '--workspace', ws, '--json']);
    assert.equal(j.code, 0, j.stderr);
    assert.doesNotMatch(j.stderr, /warning:|error:/, 'with --json the problems are in the document');
    const doc = JSON.parse(j.stdout) as RunJson;
    assert.deepEqual(doc.summary.unknownOutputs, { tasks: 2, reasons: ['no solutions file arc-agi_test_solutions.json beside arc-agi_test_challenges.json'] });
    assert.deepEqual(doc.errors.map((e) => [e.kind, e.severity]), [['config', 'warning']]);
  });

  it('input errors go to stderr as "error:"; --strict exits 3 for them (text and --json), the default stays 0', async () => {
    writeJson(path.join(ws, 'tasks', 'aaaaaaaa.json'), TASK);
    fs.writeFileSync(path.join(ws, 'tasks', 'broken.json'), '{"train": [');
    const line = `error: ${path.join(ws, 'tasks', 'broken.json')}:1:12: invalid JSON at line 1, column 12: `;
    const plain = await batt(['run', '--workspace', ws]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.ok(plain.stderr.startsWith(`\n${line}`), plain.stderr);
    assert.doesNotMatch(plain.stdout, /error:/);
    assert.match(plain.stdout, /^aaaaaaaa {2}SOLVED/m);

    const strict = await batt(['run', '--workspace', ws, '--strict']);
    assert.equal(strict.code, 3, strict.stderr);
    assert.ok(strict.stderr.includes(line), strict.stderr);
    assert.match(strict.stderr, /\nbatt: --strict: 1 input error \(exit 3\)\n$/);
    assert.match(strict.stdout, /^1 tasks - solved = 1 - /m, 'the report is still printed');

    const json = await batt(['run', '--workspace', ws, '--strict', '--json']);
    assert.equal(json.code, 3, json.stderr);
    const doc = JSON.parse(json.stdout) as RunJson;
    assert.deepEqual(doc.errors.map((e) => [path.basename(e.file), e.severity]), [['broken.json', undefined]]);
  });

  it('an empty tasks folder and a workspace without solvers: one warning each saying what was looked for and where', async () => {
    fs.rmSync(path.join(ws, 'solvers.py'));
    fs.writeFileSync(path.join(ws, 'dsl.py'), 'def identity(x):\n    return x\n');
    const r = await batt(['run', '--workspace', ws, '--strict']);
    assert.equal(r.code, 0, `warnings only: ${r.stderr}`);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    assert.deepEqual(lines, [
      `warning: ${path.join(ws, 'tasks')}: no task files in this folder: looked for <id>.json task files and Kaggle bundles (*_challenges.json or *-challenges.json)`,
      `warning: ${ws}: no candidates in 1 Python file (include ["**/*.py"], exclude ${JSON.stringify(SETTINGS.exclude.default)}): looked for top-level def solve_<taskid>(I) or def solve_<taskid>(S, I, C) functions and batt modules (def batt(task_id, S, I, C, log_path))`,
    ]);
    assert.match(r.stdout, /^0 tasks - solved = 0 - candidates = 0 /m);
  });
});
