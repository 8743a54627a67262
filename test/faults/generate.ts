/**
 * Generated workspaces for the soak and concurrency tests: tasks made on the fly (random grids, a rule that is a
 * chain of sample-DSL transforms), arc-dsl style solvers over the sample DSL, seeded faults, and a TypeScript oracle
 * of the same transforms that predicts every verdict.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeJson } from './helpers';
import { rng } from '../rng';

export type G = number[][];
export type FaultKind = 'raise' | 'nongrid' | 'crash' | 'timeout' | 'hog';

export interface GenCandidate {
  name: string;
  chain: string[];
  fault?: FaultKind;
}
export interface GenTask {
  id: string;
  pairs: Array<{ input: G; output: G }>;
  candidates: GenCandidate[];
}
export interface GenOptions {
  tasks: number;
  candidates: number;
  tasksPerFile: number;
  /** share of candidates that are faulty (each faults on all of its pairs) */
  faultRate: number;
  /** share of each kind among the faulty */
  mix: Array<[FaultKind, number]>;
  seed: number;
}

export { rng };

/** The oracle: the same transforms as samples/dsl.py. */
const OPS: Record<string, { call: (x: string) => string; fn: (g: G) => G }> = {
  rot90: { call: (x) => `rot90(${x})`, fn: (g) => g[0].map((_, j) => g.map((_r, i) => g[g.length - 1 - i][j])) },
  rot180: { call: (x) => `rot180(${x})`, fn: (g) => [...g].reverse().map((r) => [...r].reverse()) },
  hmirror: { call: (x) => `hmirror(${x})`, fn: (g) => [...g].reverse() },
  vmirror: { call: (x) => `vmirror(${x})`, fn: (g) => g.map((r) => [...r].reverse()) },
  dmirror: { call: (x) => `dmirror(${x})`, fn: (g) => g[0].map((_, j) => g.map((r) => r[j])) },
  upscale: { call: (x) => `upscale(${x}, TWO)`, fn: (g) => g.flatMap((r) => [r.flatMap((v) => [v, v]), r.flatMap((v) => [v, v])]) },
};
const OP_NAMES = Object.keys(OPS);
export const applyChain = (chain: string[], g: G): G => chain.reduce((acc, op) => OPS[op].fn(acc), g);

const FAULT_FN: Record<FaultKind, string> = { raise: 'boom', nongrid: 'nothing', crash: 'die', timeout: 'stall', hog: 'hog' };
/** soak_faults.py: boom is on line 6, hog on line 22 (the expected messages name them). */
const FAULTS_PY =
  'import os\nimport time\n\n\ndef boom(g):\n    return 1 // 0\n\n\ndef nothing(g):\n    return None\n\n\n' +
  'def die(g):\n    os._exit(3)\n\n\ndef stall(g):\n    time.sleep(600)\n\n\ndef hog(g):\n    return bytearray(1 << 30)\n';

/** Writes tasks/<id>.json, soak_faults.py and soak_NN.py into ws (which already holds dsl.py and constants.py). */
export function generate(ws: string, o: GenOptions): GenTask[] {
  const r = rng(o.seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const chains: string[][] = [];
  for (const a of OP_NAMES) {
    chains.push([a]);
    for (const b of OP_NAMES) {
      chains.push([a, b]);
      for (const c of OP_NAMES) chains.push([a, b, c]);
    }
  }
  fs.writeFileSync(path.join(ws, 'soak_faults.py'), FAULTS_PY);
  fs.mkdirSync(path.join(ws, 'tasks'), { recursive: true });
  const tasks: GenTask[] = [];
  for (let t = 0; t < o.tasks; t++) {
    const id = `s${String(t).padStart(7, '0')}`;
    const rule = chains[Math.floor(r() * 42)]; // chains of length 1 or 2: outputs stay within 30x30
    const pairs = Array.from({ length: 4 }, () => {
      const h = 1 + Math.floor(r() * 6);
      const w = 1 + Math.floor(r() * 6);
      const input = Array.from({ length: h }, () => Array.from({ length: w }, () => Math.floor(r() * 10)));
      return { input, output: applyChain(rule, input) };
    });
    writeJson(path.join(ws, 'tasks', `${id}.json`), { train: pairs.slice(0, 3), test: pairs.slice(3) });
    const picked = new Set<string>([rule.join('.')]);
    while (picked.size < o.candidates) picked.add(pick(chains).join('.'));
    const candidates = [...picked].map((c, k): GenCandidate => {
      const cand: GenCandidate = { name: `solve_${id}_${k}`, chain: c.split('.') };
      if (r() < o.faultRate) {
        let x = r();
        cand.fault = o.mix.find(([, share]) => (x -= share) < 0)?.[0] ?? o.mix[0][0];
      }
      return cand;
    });
    tasks.push({ id, pairs, candidates });
  }
  for (let f = 0; f * o.tasksPerFile < o.tasks; f++) {
    const lines = ['from dsl import *', 'from constants import *', 'from soak_faults import *', ''];
    for (const task of tasks.slice(f * o.tasksPerFile, (f + 1) * o.tasksPerFile)) {
      for (const c of task.candidates) {
        lines.push('', `def ${c.name}(I):`);
        let prev = 'I';
        c.chain.forEach((op, i) => {
          const v = i === c.chain.length - 1 && !c.fault ? 'O' : `x${i + 1}`;
          lines.push(`    ${v} = ${OPS[op].call(prev)}`);
          prev = v;
        });
        if (c.fault) lines.push(`    O = ${FAULT_FN[c.fault]}(${prev})`);
        lines.push('    return O', '');
      }
    }
    fs.writeFileSync(path.join(ws, `soak_${String(f).padStart(2, '0')}.py`), lines.join('\n'));
  }
  return tasks;
}

/** The verdict the oracle expects for one pair: status, a message pattern, the actual grid of a mismatch. */
export function expectedVerdict(c: GenCandidate, pair: { input: G; output: G }, timeoutMs: number, memoryMB: number): { status: string; message?: RegExp; actual?: G } {
  switch (c.fault) {
    case 'raise':
      return { status: 'error', message: /^ZeroDivisionError: integer division or modulo by zero \(in boom, soak_faults\.py:6\)$/ };
    case 'nongrid':
      return { status: 'error', message: /^returned NoneType$/ };
    case 'crash':
      return { status: 'crash', message: /^crash: worker died \(exit code 3\)$/ };
    case 'timeout':
      return { status: 'timeout', message: new RegExp(`^timeout: no result within ${(3 * timeoutMs + 1000) / 1000} s wall time \\(worker killed\\)$`) };
    case 'hog':
      return { status: 'error', message: new RegExp(`^MemoryError: memory limit exceeded \\(${memoryMB} MB per worker\\) \\(in hog, soak_faults\\.py:22\\)$`) };
    default: {
      const out = applyChain(c.chain, pair.input);
      if (out.length > 30 || out[0].length > 30) {
        return { status: 'error', message: new RegExp(`^returned a ${out.length}x${out[0].length} grid \\(largest allowed is 30x30\\)$`) };
      }
      if (JSON.stringify(out) === JSON.stringify(pair.output)) return { status: 'pass' };
      return { status: 'fail', actual: out };
    }
  }
}
