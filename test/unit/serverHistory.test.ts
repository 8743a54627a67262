/** The server's in-memory run history: one read per folder, then appended records; a record already read is not doubled. */
import * as assert from 'assert';
import type { RunRecord } from '../../src/protocol/results';
import { HISTORY_KEEP, RunHistory } from '../../src/server/history';

function rec(n: number, cancelled = false): RunRecord {
  return {
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(), temperature: 'warm', cancelled,
    summary: { tasks: 1, solved: 1, candidates: 1, jobs: n, ran: 1, cached: n - 1, skipped: 0, cancelled: 0, wallMs: n }, phases: [{ name: 'score', ms: n }],
    cache: { inline: { hits: 0, misses: 1 }, validation: { hits: 1, misses: 0 } }, pool: { workers: 4, restarts: 0 },
  };
}

function history(files: Record<string, RunRecord[]>) {
  const reads: string[] = [];
  // what the engine appends goes to the "file" too, as in the real runs.jsonl
  const h = new RunHistory((root, limit) => (reads.push(root), Promise.resolve((JSON.parse(JSON.stringify(files[root] ?? [])) as RunRecord[]).slice(-limit))));
  return { h, reads };
}

describe('server run history', () => {
  it('reads each folder once, then keeps appended records in memory', async () => {
    const files = { '/a': [rec(1), rec(2)], '/b': [rec(3)] };
    const { h, reads } = history(files);
    assert.deepStrictEqual(await h.recent(['/a', '/b'], 50), [rec(1), rec(2), rec(3)]);
    files['/a'].push(rec(4));
    await h.append('/a', rec(4));
    await h.append('/a', rec(5, true));
    assert.deepStrictEqual(await h.recent(['/a', '/b'], 50), [rec(1), rec(2), rec(4), rec(5, true), rec(3)]);
    assert.deepStrictEqual(await h.recent(['/a', '/b'], 2), [rec(5, true), rec(3)], 'the last `limit` in all');
    assert.deepStrictEqual(reads, ['/a', '/b'], 'runs.jsonl is read once per folder');
  });

  it('a first append after the engine wrote the line is not doubled', async () => {
    const files = { '/a': [rec(1), rec(2)] };
    const { h, reads } = history(files);
    await h.append('/a', rec(2)); // the file, read now, already holds it
    assert.deepStrictEqual(await h.recent(['/a'], 50), [rec(1), rec(2)]);
    await h.append('/a', rec(3));
    assert.deepStrictEqual(await h.recent(['/a'], 50), [rec(1), rec(2), rec(3)]);
    assert.deepStrictEqual(reads, ['/a']);
  });

  it('keeps at most HISTORY_KEEP per folder; a forgotten folder is read again; an unreadable one is empty', async () => {
    const { h, reads } = history({ '/a': [] });
    for (let i = 0; i < HISTORY_KEEP + 5; i++) await h.append('/a', rec(i));
    const all = await h.recent(['/a'], 10000);
    assert.strictEqual(all.length, HISTORY_KEEP);
    assert.deepStrictEqual(all.at(-1), rec(HISTORY_KEEP + 4));
    h.forget('/a');
    assert.deepStrictEqual(await h.recent(['/a'], 50), []);
    assert.deepStrictEqual(reads, ['/a', '/a']);
    const broken = new RunHistory(async () => {
      throw new Error('EACCES');
    });
    assert.deepStrictEqual(await broken.recent(['/x'], 50), []);
  });

  it('a record appended without waiting is in a history asked for right after, even while the file is still read', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const h = new RunHistory(async () => (await gate, [rec(1)]));
    void h.append('/a', rec(2));
    const asked = h.recent(['/a'], 50);
    release();
    assert.deepStrictEqual(await asked, [rec(1), rec(2)]);
  });
});
