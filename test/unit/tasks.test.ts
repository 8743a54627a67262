import { strict as assert } from 'assert';
import fc from 'fast-check';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { jsonErrorOffset, parseJson } from '../../src/engine/fsutil';
import { gridProblem } from '../../src/engine/tasks/gridCheck';
import { isValidTaskId, loadTasks, parseTask, resolveTasksPath, taskHash } from '../../src/engine/tasks/tasks';
import type { InputError } from '../../src/engine/types';
import { ARC_DIR } from '../arcPaths';

const ARC = ARC_DIR;
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'tasks');
const G = [[1, 2], [3, 4]];

function taskText(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({ train: [{ input: G, output: G }, { input: G, output: G }], test: [{ input: G, output: G }], ...overrides });
}

/** The single error of parsing `text`, as "place: message". */
function oneError(text: string, id = 'abc'): string {
  const r = parseTask(text, '/x/abc.json', id);
  assert.equal(r.task, undefined);
  assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
  const e = r.errors[0];
  assert.equal(e.kind, 'task');
  assert.equal(e.file, '/x/abc.json');
  return e.place ? `${e.place}: ${e.message}` : e.message;
}

function withGrid(grid: unknown): string {
  return taskText({ train: [{ input: G, output: G }, { input: G, output: grid }] });
}

describe('tasks: grid validation messages', () => {
  it('ragged rows, colours, non-integers, sizes and types', () => {
    assert.equal(oneError(withGrid([[1, 2, 3, 4, 5, 6], [0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1]])),
      'train[1].output: row 3 has 5 cells, expected 6');
    assert.equal(oneError(withGrid([[0, 1, 10]])), 'train[1].output: value 10 at row 0, column 2 is not a colour 0-9');
    assert.equal(oneError(withGrid([[0], [-1]])), 'train[1].output: value -1 at row 1, column 0 is not a colour 0-9');
    assert.equal(oneError(withGrid([[0], ['3']])), 'train[1].output: "3" at row 1, column 0 is not an integer');
    assert.equal(oneError(withGrid([[true]])), 'train[1].output: true at row 0, column 0 is not an integer');
    assert.equal(oneError(withGrid([[null]])), 'train[1].output: null at row 0, column 0 is not an integer');
    assert.equal(oneError(withGrid([[1.5]])), 'train[1].output: 1.5 at row 0, column 0 is not an integer');
    assert.equal(oneError(withGrid([])), 'train[1].output: grid is empty');
    assert.equal(oneError(withGrid([[]])), 'train[1].output: row 0 has no cells');
    assert.equal(oneError(withGrid(Array.from({ length: 31 }, () => [0]))), 'train[1].output: grid has 31 rows (at most 30)');
    assert.equal(oneError(withGrid([new Array(31).fill(0)])), 'train[1].output: grid has 31 columns (at most 30)');
    assert.equal(oneError(withGrid({ a: 1 })), 'train[1].output: expected a list of rows, got object');
    assert.equal(oneError(withGrid([[0], 5])), 'train[1].output: row 1 is not a list of cells, got number');
  });

  it('accepts 1x1 and 30x30 grids of 0-9', () => {
    assert.equal(gridProblem([[0]]), undefined);
    assert.equal(gridProblem(Array.from({ length: 30 }, (_, r) => Array.from({ length: 30 }, (_, c) => (r + c) % 10))), undefined);
  });

  it('reports every bad grid of a task, each at its place', () => {
    const r = parseTask(taskText({ test: [{ input: [[0, 11]], output: [] }] }), '/x/abc.json', 'abc');
    assert.deepEqual(r.errors.map((e) => e.place), ['test[0].input', 'test[0].output']);
  });
});

describe('tasks: task-level messages', () => {
  it('train is empty, missing "test", test output missing, not an object', () => {
    assert.equal(oneError(taskText({ train: [] })), 'train: train is empty');
    assert.equal(oneError(JSON.stringify({ train: [{ input: G, output: G }] })), 'missing "test"');
    assert.equal(oneError(taskText({ test: [{ input: G }] })), 'test[0].output: test[0].output is missing');
    assert.equal(oneError(taskText({ train: [{ output: G }] })), 'train[0].input: train[0].input is missing');
    assert.equal(oneError(taskText({ train: {} })), 'train: expected a list of pairs, got object');
    assert.equal(oneError(taskText({ test: [[G, G]] })), 'test[0]: expected an object with "input" and "output", got list');
    assert.equal(oneError('[1, 2]'), 'expected an object with "train" and "test", got list');
  });

  it('invalid JSON gives line and column', () => {
    const r = parseTask('{"train": [\n  {"input": [[1]], "output": [[1]]},\n  }\n]}', '/x/abc.json', 'abc');
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0].message, /^invalid JSON at line 3, column 3: /);
    assert.equal(r.errors[0].line, 3);
    assert.equal(r.errors[0].col, 3);
    assert.equal(oneError('{"train": [[1, 2]]} x'), 'invalid JSON at line 1, column 21: unexpected non-whitespace character after JSON');
  });

  it('truncated JSON points at the end of the file', () => {
    const text = taskText();
    const cut = text.slice(0, 40);
    assert.equal(oneError(cut), `invalid JSON at line 1, column 41: ${/: (.*)$/.exec(oneError(cut))?.[1]}`);
    assert.match(oneError('{"train": [\n[1,'), /^invalid JSON at line 2, column 4: /);
    assert.match(oneError(''), /^invalid JSON at line 1, column 1: unexpected end of JSON input$/);
  });

  it('the error offset finder agrees that valid JSON is valid and locates truncations', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (v, cut) => {
        const text = JSON.stringify(v);
        assert.equal(jsonErrorOffset(text), -1);
        const short = text.slice(0, cut % (text.length + 1));
        const parsed = parseJson(short);
        if ('error' in parsed) assert.ok(parsed.error.col >= 1 && parsed.error.col <= short.length + 1);
      }),
    );
    assert.equal(jsonErrorOffset('{"a": }'), 6);
    assert.equal(jsonErrorOffset('[1,2,]'), 5);
  });

  it('task ids: ../../x rejected', () => {
    assert.equal(isValidTaskId('007bbfb7'), true);
    assert.equal(isValidTaskId('my-task_2.v1'), true);
    for (const bad of ['../../x', '..', 'a..b', '.hidden', '', 'a/b', 'a b', 'x'.repeat(65)]) assert.equal(isValidTaskId(bad), false, bad);
    assert.match(oneError(taskText(), '../../x'), /^invalid task id "\.\.\/\.\.\/x"/);
  });

  it('taskHash is canonical: key order and extra keys do not matter, content does', () => {
    const a = parseTask(taskText(), 'a.json', 'a').task!;
    const b = parseTask(JSON.stringify({ name: 'x', test: [{ output: G, input: G }], train: [{ output: G, input: G }, { input: G, output: G }] }), 'b.json', 'b').task!;
    assert.equal(a.hash, b.hash);
    assert.match(a.hash, /^[0-9a-f]{64}$/);
    assert.notEqual(taskHash(a.train, [{ input: G, output: null }]), a.hash);
  });
});

describe('tasks: loading from disk', () => {
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-tasks-'))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a folder with one good and one bad task loads the good one', async () => {
    const r = await loadTasks(path.join(FIXTURES, 'mixed'));
    assert.deepEqual(r.tasks.map((t) => t.id), ['good1']);
    assert.equal(r.tasks[0].source, path.join(FIXTURES, 'mixed', 'good1.json'));
    assert.deepEqual(r.errors.map((e) => [path.basename(e.file), e.place, e.message]), [
      ['bad1.json', 'train[1].output', 'row 1 has 3 cells, expected 2'],
    ]);
  });

  it('loads the ARC-AGI-1 training folder: 400 tasks, 0 errors, sorted, quickly', async () => {
    await loadTasks(path.join(ARC, 'evaluation')); // warm the page cache and the JIT
    const t0 = performance.now();
    const r = await loadTasks(path.join(ARC, 'training'));
    const ms = performance.now() - t0;
    console.log(`      loaded ${r.tasks.length} training tasks in ${ms.toFixed(0)} ms`);
    assert.deepEqual(r.errors, []);
    assert.equal(r.tasks.length, 400);
    const ids = r.tasks.map((t) => t.id);
    assert.deepEqual(ids, [...ids].sort());
    assert.ok(r.tasks.every((t) => t.test.every((p) => p.output !== null)));
    assert.ok(ms < 1500, `took ${ms} ms`); // target < 150 ms; generous on a shared machine
  });

  it('a single task file and a 50 MiB file', async () => {
    const one = await loadTasks(path.join(ARC, 'training', '007bbfb7.json'));
    assert.deepEqual(one.errors, []);
    assert.deepEqual(one.tasks.map((t) => t.id), ['007bbfb7']);
    const big = path.join(tmp, 'big.json');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 50 * 1024 * 1024); // sparse
    const r = await loadTasks(big);
    assert.equal(r.tasks.length, 0);
    assert.deepEqual(r.errors, [{ kind: 'task', file: big, message: 'file is 50.0 MiB, larger than the 16 MiB limit for a task file' }]);
    const bundle = path.join(tmp, 'huge_challenges.json');
    fs.writeFileSync(bundle, '');
    fs.truncateSync(bundle, 300 * 1024 * 1024);
    const rb = await loadTasks(bundle);
    assert.deepEqual(rb.errors, [{ kind: 'task', file: bundle, message: 'file is 300.0 MiB, larger than the 256 MiB limit for a bundle file' }]);
  });

  it('a truncated task file in a folder is reported and the rest loads', async () => {
    fs.writeFileSync(path.join(tmp, 'ok.json'), taskText());
    fs.writeFileSync(path.join(tmp, 'cut.json'), taskText().slice(0, 30));
    fs.writeFileSync(path.join(tmp, 'bad id.json'), taskText());
    fs.writeFileSync(path.join(tmp, 'notes.txt'), 'x');
    const r = await loadTasks(tmp);
    assert.deepEqual(r.tasks.map((t) => t.id), ['ok']);
    const msgs = r.errors.map((e) => `${path.basename(e.file)}: ${e.message}`).sort();
    assert.equal(msgs.length, 2);
    assert.match(msgs[0], /^bad id\.json: invalid task id "bad id"/);
    assert.match(msgs[1], /^cut\.json: invalid JSON at line 1, column 31: /);
  });

  it('a task file of random bytes, control bytes in a value, a bundle key with an escape sequence: messages are printable and capped (issue 10)', async () => {
    const bytes = Buffer.alloc(512);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) % 256; // every byte value, twice, in a fixed order
    fs.writeFileSync(path.join(tmp, 'noise.json'), bytes);
    fs.writeFileSync(path.join(tmp, 'ctrl.json'), '{"train": [{"input": [[1]], "output": [[\x01\x1b[31m]]}]}');
    fs.writeFileSync(path.join(tmp, 'cell.json'), taskText({ test: [{ input: G, output: [[1, '\u202e\u0007x']] }] }));
    const r = await loadTasks(tmp);
    assert.deepEqual(r.tasks, []);
    const messages = r.errors.map((e) => `${e.place ?? ''} ${e.message}`);
    assert.equal(messages.length, 3, messages.join('\n'));
    for (const m of messages) assert.ok(!/[\p{Cc}\p{Cf}\uFFFD]/u.test(m), JSON.stringify(m));
    assert.match(messages.join('\n'), /\\x01\\x1B\[31m/, 'the control bytes are quoted as escapes');
    assert.match(messages.join('\n'), /"\\u202E\\u0007x" at row 0, column 1 is not an integer/);

    const bundle = path.join(tmp, 'b_challenges.json');
    fs.writeFileSync(bundle, JSON.stringify({ [`\x1b[2J${'z'.repeat(500)}`]: { train: [{ input: G, output: G }], test: [{ input: G }] } }));
    const b = await loadTasks(bundle);
    const bad = b.errors.find((e) => e.kind === 'task')!;
    assert.ok(bad.place!.startsWith('\\x1B[2Jzzz') && bad.place!.length <= 60, bad.place);
    assert.match(bad.message, /^invalid task id "\\x1B\[2Jz+…" \(a letter/);
    assert.ok(bad.message.length < 200, bad.message);
  });

  it('a folder without task files is one warning saying what was looked for, and its subfolders (issue 10)', async () => {
    const looked = 'no task files in this folder: looked for <id>.json task files and Kaggle bundles (*_challenges.json or *-challenges.json)';
    assert.deepEqual(await loadTasks(tmp), { tasks: [], errors: [{ kind: 'config', file: tmp, message: looked, severity: 'warning' }], unknownOutputs: new Map() });
    fs.mkdirSync(path.join(tmp, 'training'));
    fs.mkdirSync(path.join(tmp, 'evaluation'));
    fs.writeFileSync(path.join(tmp, 'notes.txt'), 'x');
    fs.writeFileSync(path.join(tmp, 'x_solutions.json'), '{}');
    const r = await loadTasks(tmp);
    assert.deepEqual(r.errors.map((e) => e.message), [`${looked}; it has subfolders evaluation, training: point the tasks path at one of them`]);
    fs.writeFileSync(path.join(tmp, 'bad.json'), '[');
    assert.deepEqual((await loadTasks(tmp)).errors.map((e) => e.severity), [undefined], 'a bad task file is its own error, no hint');
  });

  it('a missing path is one config error', async () => {
    const r = await loadTasks(path.join(tmp, 'nope'));
    assert.deepEqual(r, { tasks: [], errors: [{ kind: 'config', file: path.join(tmp, 'nope'), message: 'no such file or folder' }] });
  });

  describe('Kaggle bundles', () => {
    const A = { train: [{ input: G, output: G }], test: [{ input: G }] };
    const B = { train: [{ input: G, output: G }], test: [{ input: G }, { input: [[5]] }] };
    const challenges = (dir: string): string => {
      const file = path.join(dir, 'arc-agi_training_challenges.json');
      fs.writeFileSync(file, JSON.stringify({ bbb: B, aaa: A }));
      return file;
    };
    const solutions = (dir: string, data: unknown): string => {
      const file = path.join(dir, 'arc-agi_training_solutions.json');
      fs.writeFileSync(file, JSON.stringify(data));
      return file;
    };

    it('with solutions: outputs filled, no errors; the folder form finds the same', async () => {
      const file = challenges(tmp);
      solutions(tmp, { aaa: [[[9]]], bbb: [G, [[6]]] });
      fs.writeFileSync(path.join(tmp, 'sample_submission.json'), '{}');
      for (const where of [file, tmp]) {
        const r = await loadTasks(where);
        assert.deepEqual(r.errors, []);
        assert.deepEqual(r.tasks.map((t) => [t.id, t.source, t.test.map((p) => p.output)]), [
          ['aaa', file, [[[9]]]],
          ['bbb', file, [G, [[6]]]],
        ]);
        assert.equal(r.tasks[0].hash, taskHash(r.tasks[0].train, r.tasks[0].test));
      }
    });

    it('without solutions: outputs null and one config warning, and why by task id (issue 10: a warning)', async () => {
      const file = challenges(tmp);
      const r = await loadTasks(file);
      assert.deepEqual(r.tasks.map((t) => t.test.map((p) => p.output)), [[null], [null, null]]);
      assert.equal(r.errors.length, 1);
      assert.equal(r.errors[0].kind, 'config');
      assert.equal(r.errors[0].file, file);
      assert.match(r.errors[0].message, /arc-agi_training_solutions\.json.*test verdicts will be unknown/);
      assert.equal(r.errors[0].severity, 'warning');
      const why = 'no solutions file arc-agi_training_solutions.json beside arc-agi_training_challenges.json';
      assert.deepEqual([...r.unknownOutputs!].sort(), [['aaa', why], ['bbb', why]]);
    });

    it('mismatched solutions: an error naming the solutions file and the id; the task still loads', async () => {
      challenges(tmp);
      const sol = solutions(tmp, { bbb: [G] });
      const r = await loadTasks(tmp);
      const errs = r.errors.map((e: InputError) => [e.kind, e.file, e.place, e.message]);
      assert.deepEqual(errs, [
        ['task', sol, 'bbb', 'task "bbb" has 2 test input(s) but 1 solution(s): test verdicts will be unknown'],
        ['task', sol, 'aaa', 'no solutions for task "aaa": test verdicts will be unknown'],
      ]);
      assert.deepEqual(r.tasks.map((t) => t.id), ['aaa', 'bbb']);
      assert.ok(r.tasks.every((t) => t.test.every((p) => p.output === null)));
      assert.ok(r.errors.every((e) => e.severity === undefined), 'a broken solutions file is an error, not a warning');
      assert.deepEqual([...r.unknownOutputs!.values()], ['no usable solutions in arc-agi_training_solutions.json', 'no usable solutions in arc-agi_training_solutions.json']);
    });

    it('hyphenated and mixed names are bundles like the underscore ones (issue 10)', async () => {
      const pairs: Array<[string, string]> = [
        ['arc-agi-training-challenges.json', 'arc-agi-training-solutions.json'],
        ['arc-agi_training-challenges.json', 'arc-agi_training_solutions.json'],
        ['arc-agi_training_challenges.json', 'arc-agi_training-solutions.json'],
      ];
      for (const [ch, sol] of pairs) {
        const dir = fs.mkdtempSync(path.join(tmp, 'k-'));
        fs.writeFileSync(path.join(dir, ch), JSON.stringify({ bbb: B, aaa: A }));
        fs.writeFileSync(path.join(dir, sol), JSON.stringify({ aaa: [[[9]]], bbb: [G, [[6]]] }));
        for (const where of [dir, path.join(dir, ch), path.join(dir, sol)]) {
          const r = await loadTasks(where);
          assert.deepEqual(r.errors, [], `${ch} + ${sol} via ${path.basename(where)}`);
          assert.deepEqual(r.tasks.map((t) => [t.id, t.source, t.test.map((p) => p.output)]), [
            ['aaa', path.join(dir, ch), [[[9]]]],
            ['bbb', path.join(dir, ch), [G, [[6]]]],
          ]);
        }
      }
      const lone = path.join(tmp, 'arc-agi-evaluation-challenges.json');
      fs.writeFileSync(lone, JSON.stringify({ aaa: A }));
      const r = await loadTasks(lone);
      assert.deepEqual(r.errors.map((e) => e.message), ['no solutions file arc-agi-evaluation-solutions.json beside it: test verdicts will be unknown']);
    });

    it('a bad task inside a bundle is placed by id; a bad id is rejected', async () => {
      const file = path.join(tmp, 'x_challenges.json');
      fs.writeFileSync(file, JSON.stringify({ good: A, bad: { train: [], test: [{ input: G }] }, '../../x': A }));
      const r = await loadTasks(file);
      assert.deepEqual(r.tasks.map((t) => t.id), ['good']);
      const errs = r.errors.filter((e) => e.kind === 'task').map((e) => [e.place, e.message.slice(0, 25)]);
      assert.deepEqual(errs, [['bad.train', 'train is empty'], ['../../x', 'invalid task id "../../x"']]);
    });
  });

  it('resolveTasksPath: explicit > config > tasks > data/training', () => {
    const ws = tmp;
    assert.equal(resolveTasksPath(ws), undefined);
    fs.mkdirSync(path.join(ws, 'data', 'training'), { recursive: true });
    assert.equal(resolveTasksPath(ws), path.join(ws, 'data', 'training'));
    fs.mkdirSync(path.join(ws, 'tasks'));
    assert.equal(resolveTasksPath(ws), path.join(ws, 'tasks'));
    fs.mkdirSync(path.join(ws, 'mine'));
    assert.equal(resolveTasksPath(ws, undefined, 'mine'), path.join(ws, 'mine'));
    assert.equal(resolveTasksPath(ws, undefined, 'missing'), undefined);
    assert.equal(resolveTasksPath(ws, path.join(ARC, 'evaluation'), 'mine'), path.join(ARC, 'evaluation'));
    assert.equal(resolveTasksPath(ws, path.relative(process.cwd(), path.join(ws, 'mine'))), path.join(ws, 'mine'));
    assert.equal(resolveTasksPath(ws, path.join(ws, 'missing')), undefined);
  });
});
