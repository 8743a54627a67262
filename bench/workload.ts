/**
 * The bench workload: a temp workspace with the sample DSL and a generated solvers.py of seeded, random but
 * deterministic `solve_<task>_<k>(I)` variants (chains of grid -> grid primitives, some objects-based so durations
 * vary). Nothing of the ARC corpus is copied: tasks are read from the corpus folder by path.
 */
import * as fs from 'fs';
import * as path from 'path';
import { rng } from '../test/rng';

export { rng };

const COLOURS = ['ZERO', 'ONE', 'TWO', 'THREE', 'FOUR', 'FIVE', 'SIX', 'SEVEN', 'EIGHT', 'NINE'];
const UNARY = [
  'rot90($)', 'rot180($)', 'hmirror($)', 'vmirror($)', 'dmirror($)', 'trim($)', 'tophalf($)', 'lefthalf($)',
  'downscale($, TWO)', 'switch($, #, #)', 'replace($, #, #)',
];
/** Size-increasing steps: at most one per chain, so no grid grows past 60x60. */
const GROW = ['upscale($, TWO)', 'hconcat($, $)', 'vconcat($, $)'];

type Pick = <T>(xs: readonly T[]) => T;

function step(tpl: string, arg: string, pick: Pick): string {
  return tpl.replace(/\$/g, arg).replace(/#/g, () => pick(COLOURS));
}

/** The body lines (`xK = ...`, ending with `O = ...`) of one variant. heavy: objects-based. */
export function variantBody(r: () => number, heavy: boolean): string[] {
  const pick: Pick = (xs) => xs[Math.floor(r() * xs.length)];
  const calls: string[] = [];
  let cur = 'I';
  const push = (call: string) => {
    calls.push(call);
    cur = `x${calls.length}`;
  };
  if (heavy) {
    const pre = r();
    if (pre < 0.3) push(`upscale(${cur}, TWO)`); // 4x the cells: the heaviest jobs
    else if (pre < 0.6) push(step(pick(UNARY.slice(0, 5)), cur, pick));
    const grid = cur;
    push(`objects(${grid}, ${pick(['T', 'F'])}, ${pick(['T', 'F'])}, ${pick(['T', 'F'])})`);
    const objs = cur;
    const form = Math.floor(r() * 3);
    if (form === 0) {
      push(`${pick(['argmax', 'argmin'])}(${objs}, size)`);
      push(`subgrid(${cur}, ${grid})`);
      if (r() < 0.5) push(step(pick(UNARY), cur, pick));
    } else if (form === 1) {
      push(`sizefilter(${objs}, ${pick(['ONE', 'TWO', 'THREE'])})`);
      push(`merge(${cur})`);
      push(`fill(${grid}, ${pick(COLOURS)}, ${cur})`);
    } else {
      push(`merge(${objs})`);
      push(`${pick(['fill', 'underfill'])}(${grid}, ${pick(COLOURS)}, ${cur})`);
    }
  } else {
    const n = 2 + Math.floor(r() * 5); // 2..6 steps
    const growAt = r() < 0.5 ? Math.floor(r() * n) : -1;
    for (let i = 0; i < n; i++) push(step(i === growAt ? pick(GROW) : pick(UNARY), cur, pick));
  }
  return calls.map((c, i) => `${i === calls.length - 1 ? 'O' : `x${i + 1}`} = ${c}`);
}

export interface Workload {
  dir: string;
  /** candidate names per task id, in file order: exactly the jobs the engine runs (one per candidate x pair) */
  jobs: Array<{ task: string; fns: string[] }>;
  file: string;
  functions: number;
}

/** Copies the sample DSL into `dir` and writes solvers.py with `perTask` unique variants for each task. */
export function writeWorkspace(dir: string, samples: string, taskIds: string[], perTask: number, heavyShare: number, seed = 4): Workload {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['dsl.py', 'constants.py']) fs.copyFileSync(path.join(samples, f), path.join(dir, f));
  const r = rng(seed);
  const out = ['from dsl import *', 'from constants import *', '', ''];
  const jobs: Workload['jobs'] = [];
  let functions = 0;
  for (const id of taskIds) {
    const seen = new Set<string>();
    const fns: string[] = [];
    for (let k = 0, tries = 0; fns.length < perTask && tries < perTask * 20; tries++) {
      const body = variantBody(r, r() < heavyShare);
      const key = body.join(';');
      if (seen.has(key)) continue; // identical programs would be folded as duplicates by the engine
      seen.add(key);
      const name = `solve_${id}_${++k}`;
      fns.push(name);
      out.push(`def ${name}(I):`, ...body.map((l) => `    ${l}`), '    return O', '', '');
    }
    functions += fns.length;
    jobs.push({ task: id, fns });
  }
  const file = path.join(dir, 'solvers.py');
  fs.writeFileSync(file, out.join('\n'));
  return { dir, jobs, file, functions };
}

/** The ids of a corpus folder's tasks, sorted. */
export function corpusIds(corpus: string): string[] {
  return fs
    .readdirSync(corpus)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Total pairs (train + test) of the given tasks. */
export function countPairs(corpus: string, ids: string[]): number {
  let n = 0;
  for (const id of ids) {
    const file = path.join(corpus, `${id}.json`);
    try {
      const t = JSON.parse(fs.readFileSync(file, 'utf8')) as { train: unknown[]; test: unknown[] };
      n += t.train.length + t.test.length;
    } catch (e) {
      throw new Error(`${file}: cannot read task: ${(e as Error).message}`);
    }
  }
  return n;
}
