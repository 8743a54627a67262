// The pool's job queue as plain data: unknown durations first (FIFO), then longest expected first (FIFO among equals).
import { strict as assert } from 'node:assert';
import { JobQueue } from '../../src/engine/pool/queue';
import { rng } from '../rng';

interface Job {
  name: string;
  ms?: number;
  stage?: number;
}

const job = (name: string, ms?: number, stage?: number): Job => ({ name, ms, stage });
const queueOf = (...jobs: Job[]): JobQueue<Job> => {
  const q = new JobQueue<Job>((j) => j.ms, (j) => j.stage);
  for (const j of jobs) q.push(j);
  return q;
};
const names = (jobs: Job[]): string[] => jobs.map((j) => j.name);
function takeAll(q: JobQueue<Job>): string[] {
  const out: string[] = [];
  for (let j = q.shift(); j; j = q.shift()) out.push(j.name);
  return out;
}

describe('JobQueue', () => {
  it('hands out unknown durations first in arrival order, then the longest expected first', () => {
    const q = queueOf(job('short', 1), job('long', 50), job('u1'), job('mid', 10), job('u2'), job('inf', Infinity), job('nan', NaN));
    assert.equal(q.length, 7);
    assert.equal(q.peek()?.name, 'u1');
    assert.equal(q.length, 7, 'peek leaves the job queued');
    assert.deepEqual(takeAll(q), ['u1', 'u2', 'inf', 'nan', 'long', 'mid', 'short']);
    assert.equal(q.length, 0);
    assert.equal(q.peek(), undefined);
    assert.equal(q.shift(), undefined);
  });

  it('keeps arrival order among equal expected durations, zero included', () => {
    assert.deepEqual(takeAll(queueOf(job('a', 5), job('b', 0), job('c', 5), job('d', 0), job('e', 5))), ['a', 'c', 'e', 'b', 'd']);
  });

  it('orders like a stable sort for many random durations (the binary insertion)', () => {
    const rand = rng(42);
    const jobs = Array.from({ length: 500 }, (_, i) => job(`j${i}`, rand() < 0.1 ? undefined : Math.floor(rand() * 20)));
    const expected = [...jobs.filter((j) => j.ms === undefined), ...jobs.filter((j) => j.ms !== undefined).sort((a, b) => (b.ms as number) - (a.ms as number))];
    assert.deepEqual(takeAll(queueOf(...jobs)), names(expected));
  });

  it('pushFront puts a job before everything, unknown ones included', () => {
    const q = queueOf(job('u1'), job('k', 9));
    q.pushFront(job('back', 100));
    assert.deepEqual(takeAll(q), ['back', 'u1', 'k']);
  });

  it('removes one job from either part, and says whether it was queued', () => {
    const u = job('u');
    const k = job('k', 3);
    const q = queueOf(job('a'), u, job('b', 7), k, job('c', 1));
    assert.equal(q.remove(u), true);
    assert.equal(q.remove(k), true);
    assert.equal(q.remove(k), false);
    assert.equal(q.remove(job('stranger')), false);
    assert.deepEqual(takeAll(q), ['a', 'b', 'c']);
  });

  it('removeAll takes a set in one pass, returns it in queue order and keeps the rest in order', () => {
    const jobs = [job('k1', 1), job('u1'), job('k9', 9), job('u2'), job('k5', 5), job('u3')];
    const q = queueOf(...jobs);
    const gone = q.removeAll(new Set([jobs[0], jobs[3], jobs[2], job('not queued')]));
    assert.deepEqual(names(gone), ['u2', 'k9', 'k1']);
    assert.equal(q.length, 3);
    assert.deepEqual(takeAll(q), ['u1', 'u3', 'k5']);
  });

  it('hands out stage by stage, each stage unknown first then longest first; no stage is stage 0', () => {
    const q = queueOf(job('s1-long', 50, 1), job('s0-short', 1), job('s2-u', undefined, 2), job('s1-u', undefined, 1), job('s0-long', 9, 0), job('s0-u'));
    assert.equal(q.length, 6);
    assert.equal(q.peek()?.name, 's0-u');
    assert.equal(q.shift()?.name, 's0-u');
    q.push(job('s1-mid', 20, 1)); // queued while stage 0 is being handed out: behind it, at its place in stage 1
    q.push(job('s0-late', 2, 0));
    assert.deepEqual(takeAll(q), ['s0-long', 's0-late', 's0-short', 's1-u', 's1-long', 's1-mid', 's2-u']);
  });

  it('a job of a lower stage queued after later stages were handed out goes first, and pushFront beats every stage', () => {
    const q = queueOf(job('s3', 1, 3), job('s5', 1, 5));
    assert.equal(q.shift()?.name, 's3');
    q.push(job('s1', 1, 1));
    q.pushFront(job('back', 1, 9));
    assert.deepEqual(takeAll(q), ['back', 's1', 's5']);
    const r = queueOf(job('a', 1, 2), job('b', undefined, 1), job('c', 3, 0));
    const gone = r.removeAll(new Set([r.peek()!]));
    assert.deepEqual(names(gone), ['c']);
    assert.equal(r.remove(job('x')), false);
    assert.deepEqual(names(r.drain()), ['b', 'a']);
    assert.equal(r.length, 0);
  });

  it('drain empties it and returns the jobs in queue order', () => {
    const q = queueOf(job('k', 2), job('u'), job('kk', 4));
    assert.deepEqual(names(q.drain()), ['u', 'kk', 'k']);
    assert.equal(q.length, 0);
    q.push(job('again', 1));
    assert.deepEqual(takeAll(q), ['again']);
  });
});
