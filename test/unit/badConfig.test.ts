// Configuration that does not work, through the `batt` process (issue 10): an interpreter that is missing, not Python
// or too old; batt.json that is not JSON; a tasks path that does not exist; a cache folder that is a file; a memory
// cap too low to use. Exit 2 with one line saying what is wrong, where it was set and how to fix it; never a stack.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { RunJson } from '../../src/protocol/results';
import { spawnCli } from '../cliProcess';

const G = [[1, 2], [3, 4]];
const TASK = { train: [{ input: G, output: G }], test: [{ input: G, output: G }] };
const SOLVERS = 'def solve_aaaaaaaa(I):\n    return I\n';

async function batt(args: string[], env?: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = spawnCli(args[0] === 'run' ? [...args, '--no-progress', '--workers', '1'] : args, { env });
  try {
    const code = await cli.exited;
    return { code, stdout: cli.stdout(), stderr: cli.stderr() };
  } finally {
    cli.kill();
  }
}

/** Exit 2 and one line on stderr matching `re`, with no stack trace, no "internal error", nothing run. */
function usageError(r: { code: number | null; stdout: string; stderr: string }, re: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0], re);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.doesNotMatch(r.stderr, /batt\.python\b(?!Path)/, 'names no setting that does not exist');
  assert.equal(r.stdout, '', 'no verdicts: nothing ran');
}

describe('batt CLI on bad configuration (issue 10)', function () {
  this.timeout(120000);
  let tmp: string;
  let ws: string;
  let battJson: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-config-'));
    ws = path.join(tmp, 'ws');
    fs.mkdirSync(path.join(ws, 'tasks'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'tasks', 'aaaaaaaa.json'), JSON.stringify(TASK));
    fs.writeFileSync(path.join(ws, 'solvers.py'), SOLVERS);
    battJson = path.join(ws, 'batt.json');
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('--python that does not exist, or is not Python: exit 2, what is wrong and that --python fixes it', async () => {
    usageError(
      await batt(['run', '-w', ws, '--python', '/nonexistent/python']),
      /^batt: interpreter \/nonexistent\/python \(--python\) does not exist; point --python at a Python 3\.8 or newer interpreter$/,
    );
    usageError(
      await batt(['run', '-w', ws, '--python', '/bin/ls']),
      /^batt: interpreter \/bin\/ls \(--python\) is not a Python interpreter \(it exited with code 2, and it printed: .*ls: .*\); point --python at/,
    );
  });

  it('a Python older than 3.8 is named with its version', async () => {
    // A stand-in interpreter that answers the probe as a Python 3.6 would.
    const old = path.join(tmp, 'python3.6');
    const probe = JSON.stringify({ exe: old, version: '3.6.15 (default)', prefix: tmp, path: [], userSite: null });
    fs.writeFileSync(old, `#!/bin/sh\ncat > /dev/null\necho '${probe}'\n`, { mode: 0o755 });
    usageError(await batt(['run', '-w', ws, '--python', old]), /^batt: interpreter .*python3\.6 \(--python\) is Python 3\.6\.15; batt needs Python 3\.8 or newer; point --python at/);
  });

  it('batt.json "python" and $BATT_PYTHON are named as where the interpreter was set', async () => {
    fs.writeFileSync(battJson, JSON.stringify({ python: '/bin/ls' }));
    usageError(await batt(['run', '-w', ws]), new RegExp(`^batt: interpreter /bin/ls \\("python" in ${battJson}\\) is not a Python interpreter .*; point "python" in ${battJson} at`));
    fs.rmSync(battJson);
    usageError(await batt(['run', '-w', ws], { BATT_PYTHON: '/nonexistent/python' }), /^batt: interpreter \/nonexistent\/python \(\$BATT_PYTHON\) does not exist; point \$BATT_PYTHON at/);
  });

  it('batt.json that is not valid JSON (a trailing comma): exit 2 with file, line and column; nothing runs', async () => {
    fs.writeFileSync(battJson, '{\n  "tasks": "tasks",\n  "timeoutSeconds": 2,\n}\n');
    const r = await batt(['run', '-w', ws]);
    usageError(r, new RegExp(`^batt: ${battJson}:4:1: invalid JSON: .*\\(a trailing comma\\?\\); fix batt.json \\(nothing runs on a guess of its settings\\)$`));
    assert.ok(!fs.existsSync(path.join(ws, '.batt', 'runs.jsonl')), 'no run was recorded');
  });

  it('--tasks or batt.json "tasks" that does not exist: says so and where it was set', async () => {
    usageError(await batt(['run', '-w', ws, '--tasks', '/no/such/path']), /^batt: no tasks found: tasks path \/no\/such\/path does not exist \(--tasks\)$/);
    fs.writeFileSync(battJson, JSON.stringify({ tasks: 'nope/' }));
    usageError(await batt(['run', '-w', ws]), new RegExp(`^batt: no tasks found: tasks path ${path.join(ws, 'nope')} does not exist \\("tasks" in ${battJson}\\)$`));
  });

  it('--cache-dir that is a file (or inside one): exit 2 naming it', async () => {
    const file = path.join(tmp, 'cache-file');
    fs.writeFileSync(file, 'x');
    usageError(await batt(['run', '-w', ws, '--cache-dir', file]), new RegExp(`^batt: cache folder ${file} \\(--cache-dir\\) is a file, not a folder; point --cache-dir at a folder$`));
    usageError(await batt(['run', '-w', ws, '--cache-dir', path.join(file, 'sub')]), new RegExp(`cannot be created: ${file} is a file`));
    usageError(await batt(['cache', 'stats', '-w', ws, '--cache-dir', file]), /is a file, not a folder/);
  });

  it('--memory below 64 MB is a warning of the run (0 = no cap, and 64 are fine)', async () => {
    const warnings = async (mb: string) => {
      const r = await batt(['run', '-w', ws, '--json', '--memory', mb]);
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as RunJson).errors.filter((e) => /memory/.test(e.message));
    };
    const low = await warnings('1');
    assert.equal(low.length, 1);
    assert.equal(low[0].severity, 'warning');
    assert.match(low[0].message, /^--memory 1 MB is below 64 MB, too little for a Python worker: solvers that allocate will fail with MemoryError \(0 = no cap\)$/);
    assert.deepEqual(await warnings('0'), []);
    assert.deepEqual(await warnings('64'), []);
  });
});
