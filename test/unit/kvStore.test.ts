import { strict as assert } from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { appendRecord, readRecords, sha256, writeFileAtomic } from '../../src/engine/fsutil';
import { DEFAULT_MAX_BYTES, encodeRecord, KvStore } from '../../src/engine/store/kvStore';
import { until } from '../poll';

const KV_MODULE = path.resolve(__dirname, '../../src/engine/store/kvStore.ts');
/** A pid above Linux's pid_max, so never alive: its segments count as left by a dead writer. */
const DEAD_PID = 4_194_304 + 12_345;

/** Deterministic value for writer key i; large ones make a SIGKILL likely to land mid-write. */
const valueFor = (i: number): { i: number; s: string } => ({ i, s: String(i % 10).repeat((i * 7919) % 300000) });
/** the same function for the child script (tsx has already stripped the types) */
const VALUE_JS = valueFor.toString();

/**
 * A child writer: opens a store on argv[2], sets keys w<start..end) flushing after every <batch> of them, and
 * prints each key number once its flush completed; "done" at the end. Runs on the real module through tsx.
 */
const WRITER = `
const { KvStore } = require(${JSON.stringify(KV_MODULE)});
const valueFor = ${VALUE_JS};
(async () => {
  const [dir, start, end, batch] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])];
  const kv = new KvStore(dir);
  let acked = [];
  for (let i = start; i < end; i++) {
    kv.set('w' + i, valueFor(i));
    acked.push(i);
    if (acked.length < batch && i + 1 < end) continue;
    await kv.flush();
    process.stdout.write(acked.join('\\n') + '\\n');
    acked = [];
  }
  process.stdout.write('done\\n');
})();
`;

interface Writer {
  child: ChildProcess;
  flushed: () => number[];
  done: () => boolean;
  exited: Promise<void>;
}

function startWriter(tmp: string, dir: string, start: number, end: number, batch = 1): Writer {
  const script = path.join(tmp, 'writer.js');
  fs.writeFileSync(script, WRITER);
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), script, dir, String(start), String(end), String(batch)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const lines = (): string[] => out.split('\n').slice(0, -1);
  return {
    child,
    flushed: () => lines().filter((l) => l !== 'done').map(Number),
    done: () => lines().includes('done'),
    exited,
  };
}

const segments = (dir: string): string[] => fs.readdirSync(dir).filter((n) => n.startsWith('seg-')).sort();

describe('kvStore', () => {
  let tmp: string;
  let dir: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-kv-'));
    dir = path.join(tmp, 'cache');
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('round trip, and a missing folder is empty', async () => {
    const a = new KvStore<{ n: number; s: string }>(dir);
    await a.load();
    assert.equal(a.size, 0);
    a.set('x', { n: 1, s: 'é\u2028"\n' });
    a.set('y', { n: 2, s: '' });
    a.set('x', { n: 3, s: 'new' });
    assert.deepEqual(a.get('x'), { n: 3, s: 'new' });
    await a.flush();
    await a.flush(); // nothing pending: no-op
    const b = new KvStore<{ n: number; s: string }>(dir);
    await b.load();
    await b.load(); // idempotent
    assert.equal(b.size, 2);
    assert.deepEqual(b.get('x'), { n: 3, s: 'new' });
    assert.deepEqual(b.get('y'), { n: 2, s: '' });
    assert.equal(b.get('z'), undefined);
    assert.throws(() => b.set('u', undefined as unknown as { n: number; s: string }), /key "u" is not JSON-serialisable/);
    const st = await b.stats();
    assert.equal(st.entries, 2);
    assert.equal(st.segments, 1);
    assert.equal(st.corrupt, 0);
    assert.ok(st.bytes > 0 && st.oldest! <= st.newest!);
    await b.clear();
    assert.equal(b.size, 0);
    assert.deepEqual(segments(dir), []);
    assert.ok(fs.existsSync(dir));
  });

  it('two stores on one folder see each other after load', async () => {
    const a = new KvStore<number>(dir);
    const b = new KvStore<number>(dir);
    await Promise.all([a.load(), b.load()]);
    a.set('a', 1);
    b.set('b', 2);
    await Promise.all([a.flush(), b.flush()]);
    assert.equal(segments(dir).length, 2);
    await Promise.all([a.load(), b.load()]);
    for (const s of [a, b]) assert.deepEqual([s.get('a'), s.get('b')], [1, 2]);
  });

  it('a truncated line is a miss, the next record is intact, and a rewrite heals it', async () => {
    fs.mkdirSync(dir);
    const seg = path.join(dir, `seg-${DEAD_PID}-abcdef.jsonl`);
    const half = encodeRecord('half', { big: 'x'.repeat(50) }, Date.now());
    fs.writeFileSync(seg, '\n' + encodeRecord('before', 1, Date.now()) + '\n' + half.slice(0, half.length >> 1));
    await appendRecord(seg, encodeRecord('after', 2, Date.now()));
    // a damaged line that is still valid JSON fails the checksum
    await appendRecord(seg, encodeRecord('flipped', 3, Date.now()).replace('"v":3', '"v":4'));
    const kv = new KvStore<unknown>(dir);
    await kv.load();
    assert.deepEqual([kv.get('before'), kv.get('half'), kv.get('after'), kv.get('flipped')], [1, undefined, 2, undefined]);
    assert.equal((await kv.stats()).corrupt, 2);
    kv.set('half', 'rewritten');
    await kv.flush();
    const again = new KvStore<unknown>(dir);
    await again.load();
    assert.equal(again.get('half'), 'rewritten');
  });

  it('SIGKILL mid-write: every entry read back is complete and valid', async function () {
    this.timeout(90_000);
    let corrupt = 0;
    // writers killed at different points, each on its own key range, all in one folder; the batched ones write
    // ~4 MB per flush, which makes a kill inside the write (a torn last line) likely
    const rounds = [[0, 20, 1], [1, 45, 1], [2, 50, 25], [3, 75, 25], [4, 100, 25]];
    for (const [round, killAt, batch] of rounds) {
      const base = round * 100_000;
      const w = startWriter(tmp, dir, base, base + 100_000, batch);
      await until(`writer ${round} to flush ${killAt} records`, () => w.flushed().length >= killAt);
      if (batch > 1) await new Promise((r) => setTimeout(r, Math.random() * 40)); // land anywhere in the next flush
      w.child.kill('SIGKILL');
      await w.exited;
      const flushed = w.flushed();
      const kv = new KvStore<{ i: number; s: string }>(dir);
      await kv.load();
      corrupt = (await kv.stats()).corrupt;
      for (const i of flushed) assert.deepEqual(kv.get('w' + i), valueFor(i), `acknowledged record w${i}`);
      let mine = 0;
      for (let i = base; i < base + flushed.length + batch + 10; i++) {
        const v = kv.get('w' + i);
        if (v !== undefined) {
          assert.deepEqual(v, valueFor(i));
          mine++;
        }
      }
      assert.ok(mine <= flushed.length + batch, 'at most one unacknowledged flush');
    }
    console.log(`      ${rounds.length} writers killed; ${corrupt} partial line(s) found and skipped`);
  });

  it('SIGKILL inside one large write: the torn record is a miss, the rest is intact', async function () {
    this.timeout(60_000);
    const script = path.join(tmp, 'huge.js');
    fs.writeFileSync(
      script,
      `const { KvStore } = require(${JSON.stringify(KV_MODULE)});
      (async () => {
        const kv = new KvStore(process.argv[2]);
        kv.set('small', 1);
        await kv.flush();
        process.stdout.write('1\\n');
        kv.set('huge', '7'.repeat(48 * 1024 * 1024));
        await kv.flush();
        process.stdout.write('2\\n');
      })();`,
    );
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    await until('the first flush', () => out.includes('1\n'));
    const seg = path.join(dir, segments(dir)[0]);
    const before = fs.statSync(seg).size;
    // busy-poll (bounded) so the kill lands while the kernel is still copying the 48 MB write
    const deadline = Date.now() + 20_000;
    while (fs.statSync(seg).size === before && Date.now() < deadline && !out.includes('2')) {
      /* spin */
    }
    child.kill('SIGKILL');
    await exited;
    const kv = new KvStore<unknown>(dir);
    await kv.load();
    const torn = (await kv.stats()).corrupt;
    console.log(`      killed with ${fs.statSync(seg).size - before} of ~${48 * 1024 * 1024} bytes written: ${torn} torn line(s)`);
    assert.equal(kv.get('small'), 1);
    const huge = kv.get('huge');
    if (torn === 1) assert.equal(huge, undefined);
    else assert.equal(huge, '7'.repeat(48 * 1024 * 1024)); // the write finished before the kill landed
    kv.set('after', 2);
    await kv.flush();
    const again = new KvStore<unknown>(dir);
    await again.load();
    assert.deepEqual([again.get('small'), again.get('after')], [1, 2]);
  });

  it('bounds: entries older than maxAgeDays are dropped, and over maxEntries the oldest go', async () => {
    fs.mkdirSync(dir);
    const now = Date.now();
    const lines = [encodeRecord('old', 0, now - 3 * 86_400_000)];
    for (let i = 0; i < 30; i++) lines.push(encodeRecord('k' + i, i, now - (30 - i) * 1000));
    fs.writeFileSync(path.join(dir, `seg-${DEAD_PID}-000001.jsonl`), '\n' + lines.join('\n'));
    const kv = new KvStore<number>(dir, { maxAgeDays: 2, maxEntries: 10 });
    await kv.load();
    assert.equal(kv.get('old'), undefined);
    assert.equal(kv.size, 10);
    assert.equal(kv.get('k19'), undefined);
    assert.equal(kv.get('k20'), 20);
    assert.equal(kv.get('k29'), 29);
    const wide = new KvStore<number>(dir, { maxAgeDays: 4 });
    await wide.load();
    assert.equal(wide.get('old'), 0);
    // set() beyond the bound trims memory; the compaction after flush trims the disk
    for (let i = 0; i < 40; i++) kv.set('n' + i, i);
    assert.ok(kv.size <= 10 + 16);
    fs.utimesSync(path.join(dir, `seg-${DEAD_PID}-000001.jsonl`), new Date(now - 60_000), new Date(now - 60_000));
    await kv.flush();
    assert.equal(kv.size, 10);
    assert.deepEqual(segments(dir).length, 1);
    const after = new KvStore<number>(dir, { maxAgeDays: 4 });
    await after.load();
    assert.equal(after.size, 10);
    assert.equal(after.get('old'), undefined);
  });

  it('compaction while another process appends loses nothing it flushed', async function () {
    this.timeout(60_000);
    fs.mkdirSync(dir);
    // 20 segments left by a dead writer, old enough to be collected
    const old = new Date(Date.now() - 60_000);
    for (let s = 0; s < 20; s++) {
      const file = path.join(dir, `seg-${DEAD_PID}-${s.toString(16).padStart(6, '0')}.jsonl`);
      fs.writeFileSync(file, '\n' + [0, 1, 2].map((j) => encodeRecord(`d${s}.${j}`, s * 10 + j, Date.now())).join('\n'));
      fs.utimesSync(file, old, old);
    }
    const w = startWriter(tmp, dir, 0, 150);
    const a = new KvStore<number>(dir);
    const sameProcess = new KvStore<number>(dir);
    sameProcess.set('sibling', 7);
    await sameProcess.flush();
    await until('the writer to start', () => w.flushed().length >= 1);
    let rounds = 0;
    while (!w.done()) {
      a.set('a' + rounds, rounds);
      await a.compact();
      rounds++;
    }
    await w.exited;
    const deadLeft = segments(dir).filter((n) => n.startsWith(`seg-${DEAD_PID}-`));
    assert.deepEqual(deadLeft, [], 'dead segments collected');
    assert.ok(segments(dir).length <= 3, segments(dir).join(' '));
    const check = new KvStore<{ i: number; s: string } | number>(dir);
    await check.load();
    for (let i = 0; i < 150; i++) assert.deepEqual(check.get('w' + i), valueFor(i), `w${i}`);
    for (let s = 0; s < 20; s++) assert.equal(check.get(`d${s}.2`), s * 10 + 2);
    for (let r = 0; r < rounds; r++) assert.equal(check.get('a' + r), r);
    assert.equal(check.get('sibling'), 7);
    console.log(`      ${rounds} compactions ran while the writer appended 150 records`);
  });

  it('loads 100k entries quickly', async function () {
    this.timeout(60_000);
    const w = new KvStore<{ timedOut: boolean; score: number }>(dir);
    for (let i = 0; i < 100_000; i++) w.set(sha256(String(i)), { timedOut: i % 7 === 0, score: i % 5000 });
    await w.flush();
    const kv = new KvStore<{ timedOut: boolean; score: number }>(dir);
    const t0 = performance.now();
    await kv.load();
    const ms = performance.now() - t0;
    console.log(`      loaded ${kv.size} entries (${(fs.statSync(path.join(dir, segments(dir)[0])).size / 1e6).toFixed(1)} MB) in ${ms.toFixed(0)} ms`);
    assert.equal(kv.size, 100_000);
    assert.deepEqual(kv.get(sha256('7')), { timedOut: true, score: 7 });
    assert.ok(ms < 3000, `took ${ms} ms`);
  });
});

describe('kvStore bounds sized for sweeps: bytes, least recently used', () => {
  let tmp: string;
  let dir: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-kvb-'));
    dir = path.join(tmp, 'cache');
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a 400 x 400 battery sweep (700k verdicts) is not evicted by the default bound', async function () {
    this.timeout(300_000);
    const verdict = (i: number) => ({ r: { kind: 'demo', index: i % 3, ms: 1.234, status: 'pass' } });
    const key = (i: number) => `${(i >> 2).toString(16).padStart(64, '0')}:demo${i & 3}`; // a validation key's shape
    const N = 700_000;
    const now = Date.now();
    const lines: string[] = [];
    for (let i = 0; i < N; i++) lines.push(encodeRecord(key(i), verdict(i), now - N + i)); // as one run's flush writes them
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, `seg-${DEAD_PID}-000003.jsonl`), '\n' + lines.join('\n'));
    lines.length = 0;
    const again = new KvStore<unknown>(dir);
    const t0 = performance.now();
    await again.load();
    console.log(`      loaded ${again.size} verdicts in ${(performance.now() - t0).toFixed(0)} ms`);
    assert.equal(again.size, N);
    assert.deepEqual([again.get(key(0)), again.get(key(N - 1))], [verdict(0), verdict(N - 1)]);
    // the default holds a million typical battery verdicts: a mismatch with its 10x10 actual grid
    const grid = Array.from({ length: 10 }, (_, r) => Array.from({ length: 10 }, (_, c) => (r * c) % 10));
    const typical = encodeRecord(key(0), { r: { kind: 'demo', index: 0, ms: 12.3456, status: 'fail', message: '37 of 100 cells differ (first at row 0, column 1)', actual: grid } }, Date.now());
    assert.ok(DEFAULT_MAX_BYTES >= 1_000_000 * Buffer.byteLength(typical), `${DEFAULT_MAX_BYTES} < 1M x ${Buffer.byteLength(typical)}`);
  });

  it('beyond maxBytes the least recently used go, and a get is a use', () => {
    const k = (i: number) => `k${String(i).padStart(2, '0')}`; // records of one size
    const one = Buffer.byteLength(encodeRecord(k(0), 0, Date.now()));
    const kv = new KvStore<number>(dir, { maxBytes: 10 * one });
    for (let i = 0; i < 10; i++) kv.set(k(i), i);
    assert.equal(kv.get(k(0)), 0);
    kv.set(k(10), 0);
    assert.equal(kv.size, 10);
    assert.equal(kv.get(k(1)), undefined, 'k01 was the least recently used');
    assert.deepEqual([kv.get(k(0)), kv.get(k(2)), kv.get(k(10))], [0, 2, 0]);
  });

  it('the order of use outlives the process: a get of an old entry is written, and a bounded load keeps it', async () => {
    fs.mkdirSync(dir);
    const now = Date.now();
    const lines: string[] = [];
    for (let i = 0; i < 10; i++) lines.push(encodeRecord(`k${i}`, i, now - 3 * 86_400_000 + i * 1000)); // k0 the oldest
    fs.writeFileSync(path.join(dir, `seg-${DEAD_PID}-000002.jsonl`), '\n' + lines.join('\n'));
    const a = new KvStore<number>(dir);
    await a.load();
    assert.equal(a.get('k0'), 0);
    await a.flush();
    const b = new KvStore<number>(dir, { maxBytes: 5 * Buffer.byteLength(lines[0]) });
    await b.load();
    assert.equal(b.size, 5);
    assert.deepEqual(['k0', 'k5', 'k6', 'k7', 'k8', 'k9'].map((k) => b.get(k)), [0, undefined, 6, 7, 8, 9]);
    const st = await b.stats();
    assert.deepEqual([st.entries, st.maxBytes, st.liveBytes], [5, 5 * Buffer.byteLength(lines[0]), 5 * Buffer.byteLength(lines[0])]);
    assert.ok(st.bytes >= st.liveBytes, 'the disk holds at least the live records');
    assert.equal((await new KvStore<number>(dir).stats()).maxBytes, DEFAULT_MAX_BYTES);
  });
});

describe('fsutil', () => {
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-fsutil-'))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writeFileAtomic replaces the content and leaves no temp file', async () => {
    const f = path.join(tmp, 'a.json');
    await writeFileAtomic(f, 'one');
    await writeFileAtomic(f, Buffer.from('two'));
    assert.equal(fs.readFileSync(f, 'utf8'), 'two');
    assert.deepEqual(fs.readdirSync(tmp), ['a.json']);
    await assert.rejects(writeFileAtomic(path.join(tmp, 'no', 'b'), 'x'));
  });

  it('appendRecord + readRecords skip a partial line and create the folder', async () => {
    const f = path.join(tmp, 'logs', 'runs.jsonl');
    await appendRecord(f, JSON.stringify({ n: 1 }));
    fs.appendFileSync(f, '\n{"n": 2, "par');
    await appendRecord(f, JSON.stringify({ n: 3 }));
    assert.deepEqual(await readRecords<{ n: number }>(f), [{ n: 1 }, { n: 3 }]);
    assert.deepEqual(await readRecords(path.join(tmp, 'missing.jsonl')), []);
    await assert.rejects(appendRecord(f, 'two\nlines'), /one line/);
  });
});
