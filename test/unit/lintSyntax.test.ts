/**
 * The lint pass reports a syntax error as you type (issue 11 §5): Engine.lint on the editor's text of a solver file
 * that does not parse gives the syntax error, where and as the save run's discovery reports it, through the real
 * analyzer; a file that parses gets its formatting problems as before.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Engine } from '../../src/engine/engine';
import { lintDiagnostics } from '../../src/server/diagnostics';
import '../cacheHome';

const SAMPLES = path.join(__dirname, '..', '..', 'samples');

describe('lint: syntax errors as you type', function () {
  this.timeout(60000);
  let tmp: string;
  let engine: Engine;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-lint-syntax-'));
    for (const f of ['dsl.py', 'constants.py', 'solvers.py']) fs.copyFileSync(path.join(SAMPLES, f), path.join(tmp, f));
    fs.cpSync(path.join(SAMPLES, 'tasks'), path.join(tmp, 'tasks'), { recursive: true });
    engine = new Engine({ workspace: tmp, timeoutMs: 5000 });
  });
  after(async () => {
    await engine.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a file that does not parse gets its syntax error (only), where the run reports it', async () => {
    const file = path.join(tmp, 'solvers.py');
    const text = fs.readFileSync(file, 'utf8');
    const broken = text.replace('    O = rot180(I)\n', '    O = rot180(I\n');
    assert.notStrictEqual(broken, text);
    const problems = await engine.lint(file, broken);
    assert.strictEqual(problems.length, 1, JSON.stringify(problems));
    const [p] = problems;
    assert.deepStrictEqual([p.code, p.severity], ['syntax', 'error']);
    assert.match(p.message, /^SyntaxError: /);
    const d = lintDiagnostics(problems)[0];
    assert.deepStrictEqual([d.source, d.code, d.range.end.character - d.range.start.character], ['batt-lint', 'syntax', 1]);

    // saved, the run's discovery reports the same error at the same place (the publisher shows one of the two)
    fs.writeFileSync(file, broken);
    const run = await engine.run({ tasks: ['a3f1c07e'] });
    const e = run.errors.find((x) => x.kind === 'syntax' && x.file === file);
    assert.ok(e, JSON.stringify(run.errors));
    assert.deepStrictEqual([e.line, e.col, e.message], [p.line, p.col, p.message]);
  });

  it('a file that parses gets its formatting problems, no syntax error', async () => {
    const file = path.join(tmp, 'solvers.py');
    const text = fs.readFileSync(path.join(SAMPLES, 'solvers.py'), 'utf8').replace('    O = rot180(I)\n', '    O = rot180(rot90(I))\n');
    const problems = await engine.lint(file, text);
    assert.ok(problems.some((p) => p.code === 'nested-call'), JSON.stringify(problems));
    assert.ok(!problems.some((p) => p.code === 'syntax'));
  });
});
