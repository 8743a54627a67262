/**
 * The server's `batt/writeSubmission` handler (src/server/submission.ts) on a real engine over a copy of
 * test/fixtures/stable: the file written where asked, the report with score, oracle gap and the unstable candidate,
 * the text `batt submit` prints, coalesced progress ending at the total; a cancelled request writes nothing and
 * answers null; a folder outside the workspace or a relative path is refused before anything runs.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { Engine } from '../../src/engine/engine';
import type { Submission } from '../../src/engine/submit/types';
import type { SubmissionProgressParams } from '../../src/protocol/submission';
import { writeSubmission, type SubmissionDeps } from '../../src/server/submission';
import '../cacheHome';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'stable');
const TASK = '5e7a0b1c';

describe('server: batt/writeSubmission', function () {
  this.timeout(120000);
  let ws: string;
  let engine: Engine;
  const progress: SubmissionProgressParams[] = [];
  const lines: string[] = [];
  const deps = (): SubmissionDeps => ({ folders: () => [ws], engine: (root) => (assert.strictEqual(root, ws), engine), progress: (p) => progress.push(p), log: (l) => lines.push(l) });

  beforeEach(() => {
    ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-submission-')));
    fs.cpSync(FIXTURE, ws, { recursive: true, filter: (src) => !src.includes('__pycache__') && !src.includes(`${path.sep}.batt`) });
    engine = new Engine({ workspace: ws, workers: 2, cacheDir: path.join(ws, '.cache') });
    progress.length = lines.length = 0;
  });
  afterEach(async () => {
    await engine.dispose();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('writes the file and answers its report: score, oracle gap, the unstable candidate, the text', async () => {
    const out = path.join(ws, 'out', 'submission.json');
    fs.mkdirSync(path.dirname(out));
    const r = await writeSubmission(deps(), { folder: pathToFileURL(ws).toString(), out });
    assert.ok(r, 'not cancelled');
    assert.strictEqual(r.folder, ws);
    assert.strictEqual(r.report.out, out);
    const file = JSON.parse(fs.readFileSync(out, 'utf8')) as Submission;
    assert.deepStrictEqual(Object.keys(file), [TASK]);
    assert.deepStrictEqual(file[TASK][0].attempt_1, [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]], 'a stable right candidate first');
    assert.strictEqual((r.report as { submission?: unknown }).submission, undefined, 'no grids in the answer');
    assert.deepStrictEqual(r.report.score && [r.report.score.right, r.report.score.total], [1, 1]);
    assert.deepStrictEqual(r.report.oracleGap, []);
    assert.deepStrictEqual(r.report.unstable, [{ task: TASK, name: `solve_${TASK}` }], 'the stability check ran with it');
    assert.match(r.text, /^score: 1\/1 test outputs right/m);
    assert.ok(progress.length > 0, 'progress sent');
    const last = progress[progress.length - 1];
    assert.ok(last.total > 0 && last.done === last.total, `progress ends at the total: ${JSON.stringify(last)}`);
    assert.ok(progress.every((p) => p.done <= p.total));
    assert.ok(lines.some((l) => l.includes(out) && l.includes('1 unstable')), lines.join('\n'));
  });

  it('a cancelled request writes nothing and answers null', async () => {
    const out = path.join(ws, 'submission.json');
    const abort = new AbortController();
    abort.abort();
    assert.strictEqual(await writeSubmission(deps(), { folder: pathToFileURL(ws).toString(), out }, abort.signal), null);
    assert.ok(!fs.existsSync(out));
  });

  it('refuses a folder outside the workspace and a relative file before anything runs', async () => {
    const other = fs.realpathSync(os.tmpdir());
    await assert.rejects(writeSubmission(deps(), { folder: pathToFileURL(other).toString(), out: path.join(ws, 's.json') }), /is not a folder of this workspace/);
    await assert.rejects(writeSubmission(deps(), { folder: pathToFileURL(ws).toString(), out: 's.json' }), /must be an absolute path, got "s.json"/);
    await assert.rejects(writeSubmission(deps(), { folder: 'untitled:x', out: path.join(ws, 's.json') }), /is not a folder of this workspace/);
    assert.strictEqual(engine.poolStatus(), undefined, 'no worker started');
  });
});
