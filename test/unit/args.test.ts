import * as assert from 'assert';
import { parseArgs } from '../../src/cli/args';
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
});
