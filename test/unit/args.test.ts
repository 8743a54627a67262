import * as assert from 'assert';
import { parseArgs, USAGE } from '../../src/cli/args';
import { UsageError } from '../../src/engine/errors';

describe('cli arguments', () => {
  it('parses a full run command', () => {
    const a = parseArgs(['run', '--workspace', 'samples', '--task', 'a1,b2', '-i', 'c3', '--battery', '--store', '--timeout=2.5', '-n', '2', '--json']);
    assert.ok(a.cmd === 'run');
    assert.deepStrictEqual([a.workspace, a.taskIds, a.battery, a.store, a.timeoutMs, a.workers, a.json], ['samples', ['a1', 'b2', 'c3'], true, true, 2500, 2, true]);
  });
  it('parses cache stats and clear', () => {
    assert.deepStrictEqual(parseArgs(['cache', 'stats', '-w', 'x']), { cmd: 'cache', action: 'stats', workspace: 'x', json: false });
    assert.strictEqual((parseArgs(['cache', 'clear']) as { action: string }).action, 'clear');
  });
  it('rejects mistakes with a message naming the flag', () => {
    assert.throws(() => parseArgs(['run', '--workers', 'many']), (e: Error) => e instanceof UsageError && /--workers must be a number/.test(e.message));
    assert.throws(() => parseArgs(['run', '--tasks']), /--tasks needs a value/);
    assert.throws(() => parseArgs(['run', '--frobnicate']), /unknown option --frobnicate/);
    assert.throws(() => parseArgs(['cache', 'purge']), /needs "stats" or "clear", got "purge"/);
    assert.throws(() => parseArgs(['walk']), /unknown command "walk"/);
  });
  it('numbers are decimal text, integers where the setting is one (issue 10)', () => {
    for (const v of ['2.5', '0x3', '1e1', '', ' ']) {
      assert.throws(() => parseArgs(['run', '--workers', v]), (e: Error) => e instanceof UsageError && /--workers must be a number: an integer from 1 to 64/.test(e.message), v);
    }
    assert.throws(() => parseArgs(['run', '--timeout-quarantine', '1.5']), /--timeout-quarantine must be a number: an integer from 0 to 1000, got "1.5"/);
    assert.throws(() => parseArgs(['run', '--timeout', '0x10']), /--timeout must be a number: a decimal number from 0.05 to 3600/);
    assert.strictEqual((parseArgs(['run', '--timeout', '.5']) as { timeoutMs: number }).timeoutMs, 500);
  });
  it('help per command, short flags with =, a bare word and a repeated flag (issue 10)', () => {
    assert.deepStrictEqual(parseArgs(['run', '--help']), { cmd: 'help' });
    assert.deepStrictEqual(parseArgs(['run', '--workspace', 'x', '-h']), { cmd: 'help' });
    assert.deepStrictEqual(parseArgs(['cache', '--help']), { cmd: 'help', topic: 'cache' });
    assert.deepStrictEqual(parseArgs(['cache', 'stats', '--help']), { cmd: 'help', topic: 'cache' });
    const a = parseArgs(['run', '-n=2', '-w=samples']) as { workers: number; workspace: string };
    assert.deepStrictEqual([a.workers, a.workspace], [2, 'samples']);
    assert.throws(() => parseArgs(['run', 'samples']), /unexpected argument "samples" \(did you mean --workspace samples\?\)/);
    assert.throws(() => parseArgs(['run', '--tasks', 'a', '-t', 'b']), /--tasks given twice/);
    assert.throws(() => parseArgs(['run', '-n', '2', '--workers=3']), /--workers given twice/);
    assert.strictEqual((parseArgs(['run', '-i', 'a', '-i', 'b']) as { taskIds: string[] }).taskIds.length, 2, '--task stays repeatable');
  });
  it('--strict (exit 3 on input errors) is off by default; --tasks twice says one tasks path per run (issue 10)', () => {
    assert.strictEqual((parseArgs(['run']) as { strict: boolean }).strict, false);
    assert.strictEqual((parseArgs(['run', '--strict', '--json']) as { strict: boolean }).strict, true);
    assert.match(USAGE, /^ {6}--strict {10}exit 3 when an input was skipped/m);
    assert.match(USAGE, /3 with --strict: the run completed but an input error occurred/);
    assert.throws(() => parseArgs(['run', '--tasks', 'training', '--tasks', 'evaluation']), (e: Error) => e instanceof UsageError && /^--tasks given twice \(one tasks path per run is supported: a folder, a task file or a Kaggle bundle; /.test(e.message));
  });
});
