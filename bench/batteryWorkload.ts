/**
 * The battery workload: a temp workspace with the sample DSL and one solvers.py of about 400 `solve_<task>(I)`
 * candidates in arc-dsl's style, each named for an ARC-AGI-1 training task, mixed as a real battery is:
 *   - real solvers (REAL): short programs that solve their own task, some also another one (the transfers a
 *     battery is for: rot180 solves 3c9b0459 and 6150a2bd);
 *   - generated programs (seeded, deterministic) of one to three stages: grid transformations, objects stages and
 *     colour stages that mostly fail on the first pair of any task, and error-prone ones (an empty `first`, a
 *     `vconcat` of different widths, an `argmax` of nothing) that raise. The plain loop spends about 1 ms per
 *     job on them on average (timeouts aside), a few a second or more;
 *   - one endless loop (turns a grid forever when it holds colour 9: a timeout on about one task in ten) and one
 *     slow program (an `underfill` quadratic in the cells of an upscaled grid: ~0.1 s typical, seconds on 30x30).
 * Exactly 5% of the generated programs (and nothing else, no DSL function either) call `trim`: the primitive the
 * bench edits to measure primitive-level invalidation.
 * The benchmark tasks mix the real solvers' own tasks, their transfer targets (which have no candidate of their
 * own), the endless loop's and the slow program's tasks, generated candidates' tasks and tasks with no candidate.
 */
import * as fs from 'fs';
import * as path from 'path';
import { rng } from '../test/rng';
import type { Workload } from './workload';

interface RealSolver {
  task: string;
  body: string[];
  /** other training tasks the same program solves (checked against the corpus by bench.test.ts) */
  transfers: string[];
}

/** Programs that solve their task with the sample DSL; those with transfer targets first. */
export const REAL: readonly RealSolver[] = [
  { task: '3c9b0459', body: ['O = rot180(I)'], transfers: ['6150a2bd'] },
  { task: '74dd1130', body: ['O = dmirror(I)'], transfers: ['9dfd6313'] },
  { task: '8be77c9e', body: ['x1 = hmirror(I)', 'O = vconcat(I, x1)'], transfers: ['6fa7a44f'] },
  { task: '6d0aefbc', body: ['x1 = vmirror(I)', 'O = hconcat(I, x1)'], transfers: ['c9e6f938'] },
  { task: '3af2c5a8', body: ['x1 = vmirror(I)', 'x2 = hconcat(I, x1)', 'x3 = hmirror(x2)', 'O = vconcat(x2, x3)'], transfers: ['62c24649', '67e8384a'] },
  { task: '7fe24cdd', body: ['x1 = rot90(I)', 'x2 = rot180(I)', 'x3 = rot90(x2)', 'x4 = hconcat(I, x1)', 'x5 = hconcat(x3, x2)', 'O = vconcat(x4, x5)'], transfers: ['46442a0e'] },
  { task: 'be94b721', body: ['x1 = objects(I, T, F, T)', 'x2 = argmax(x1, size)', 'O = subgrid(x2, I)'], transfers: ['1cf80156', '1f85a75f'] },
  { task: '23b5c85d', body: ['x1 = objects(I, T, F, T)', 'x2 = argmin(x1, size)', 'O = subgrid(x2, I)'], transfers: ['1cf80156'] },
  { task: '1cf80156', body: ['x1 = objects(I, T, T, T)', 'x2 = first(x1)', 'O = subgrid(x2, I)'], transfers: [] },
  { task: '67a3c6ac', body: ['O = vmirror(I)'], transfers: [] },
  { task: '68b16354', body: ['O = hmirror(I)'], transfers: [] },
  { task: 'ed36ccf7', body: ['x1 = rot180(I)', 'O = rot90(x1)'], transfers: [] },
  { task: 'c8f0f002', body: ['O = replace(I, SEVEN, FIVE)'], transfers: [] },
  { task: 'd511f180', body: ['O = switch(I, FIVE, EIGHT)'], transfers: [] },
  { task: '28bf18c6', body: ['x1 = objects(I, T, T, T)', 'x2 = first(x1)', 'x3 = subgrid(x2, I)', 'O = hconcat(x3, x3)'], transfers: [] },
  { task: 'f25ffba3', body: ['x1 = hmirror(I)', 'x2 = tophalf(x1)', 'x3 = hmirror(x2)', 'O = vconcat(x2, x3)'], transfers: [] },
  { task: 'a416b8f3', body: ['O = hconcat(I, I)'], transfers: [] },
  { task: 'b1948b0a', body: ['O = replace(I, SIX, TWO)'], transfers: [] },
  { task: 'c59eb873', body: ['O = upscale(I, TWO)'], transfers: [] },
  { task: '9172f3a0', body: ['O = upscale(I, THREE)'], transfers: [] },
  { task: '4c4377d9', body: ['x1 = hmirror(I)', 'O = vconcat(x1, I)'], transfers: [] },
  { task: '5614dbcf', body: ['x1 = replace(I, FIVE, ZERO)', 'O = downscale(x1, THREE)'], transfers: [] },
  { task: 'd10ecb37', body: ['O = crop(I, ORIGIN, TWO_BY_TWO)'], transfers: [] },
  { task: '5582e5ca', body: ['x1 = mostcolor(I)', 'O = canvas(x1, THREE_BY_THREE)'], transfers: [] },
  { task: 'a740d043', body: ['x1 = replace(I, ONE, ZERO)', 'x2 = objects(x1, F, T, T)', 'x3 = merge(x2)', 'O = subgrid(x3, x1)'], transfers: [] },
];

/** The primitive the bench edits; only the generated programs chosen for it call it. */
export const EDITED_PRIMITIVE = 'trim';

const LOOP_HELPER = [
  'def turn_until_corner(grid: Grid) -> Grid:',
  '    """Turn the grid a quarter at a time until a maroon cell sits in the top-left corner.',
  '',
  '    Deliberate bug: the test looks at the whole palette, not at the corner, so a grid holding maroon (NINE) turns',
  '    forever (a timeout); any other grid is returned unchanged.',
  '    """',
  '    while NINE in palette(grid):',
  '        grid = rot90(grid)',
  '    return grid',
];
/** Returns the grid unchanged when it does not loop, which solves no task (a following step could: dmirror would
 *  solve 9dfd6313 wherever the loop ends, so a candidate quarantined after its timeouts would lose that solve). */
const LOOP_BODY = ['O = turn_until_corner(I)'];
/** underfill tests each patch cell against a fresh ofcolor of the grid: quadratic in the (upscaled) cells. */
const SLOW_BODY = ['x1 = upscale(I, TWO)', 'x2 = objects(x1, T, F, F)', 'x3 = merge(x2)', 'O = underfill(x1, ONE, x3)'];

const COLOURS = ['ZERO', 'ONE', 'TWO', 'THREE', 'FOUR', 'FIVE', 'SIX', 'SEVEN', 'EIGHT', 'NINE'];
/** Grid -> grid steps ($ the grid, # a colour); no `trim` (see EDITED_PRIMITIVE). */
const UNARY = ['rot90($)', 'rot180($)', 'hmirror($)', 'vmirror($)', 'dmirror($)', 'tophalf($)', 'lefthalf($)', 'downscale($, TWO)', 'switch($, #, #)', 'replace($, #, #)'];
const GROW = ['upscale($, TWO)', 'hconcat($, $)', 'vconcat($, $)'];

type Pick = <T>(xs: readonly T[]) => T;

/**
 * One generated program: `xK = ...` lines ending with `O = ...`, one to three stages as arc-dsl's solvers have
 * (transformations, an objects stage, a colour stage, or an error-prone stage that raises on most grids), each
 * taking the grid the previous one made. At most one step grows the grid, so none grows past 60x60.
 */
function generatedBody(r: () => number, withEdited: boolean): string[] {
  const pick: Pick = (xs) => xs[Math.floor(r() * xs.length)];
  const colour = () => pick(COLOURS);
  const calls: string[] = [];
  let cur = 'I';
  let grown = false;
  const push = (call: string) => {
    calls.push(call);
    cur = `x${calls.length}`;
    return cur;
  };
  const unary = (tpl: string) => push(tpl.replace(/\$/g, cur).replace(/#/g, colour));
  const transform = () => {
    // a chain of transformations: mostly a mismatch (wrong shape or wrong cells)
    const n = 1 + Math.floor(r() * 3);
    for (let i = 0; i < n; i++) {
      const grow = !grown && r() < 0.15;
      grown ||= grow;
      unary(pick(grow ? GROW : UNARY));
    }
  };
  const objectsStage = () => {
    // the heavier jobs, as most real solvers
    if (!grown && r() < 0.2) {
      grown = true;
      push(`upscale(${cur}, TWO)`);
    }
    const grid = cur;
    const objs = push(`objects(${grid}, ${pick(['T', 'F'])}, ${pick(['T', 'F'])}, ${pick(['T', 'F'])})`);
    const k = Math.floor(r() * 4);
    if (k === 0) {
      push(`${pick(['argmax', 'argmin'])}(${objs}, size)`);
      push(`subgrid(${cur}, ${grid})`);
    } else if (k === 1) {
      push(`sizefilter(${objs}, ${pick(['ONE', 'TWO', 'THREE', 'FOUR'])})`);
      push(`merge(${cur})`);
      push(`fill(${grid}, ${colour()}, ${cur})`);
    } else if (k === 2) {
      push(`colorfilter(${objs}, ${colour()})`);
      push(`mapply(toindices, ${cur})`);
      push(`${pick(['fill', 'underfill'])}(${grid}, ${colour()}, ${cur})`);
    } else {
      const cells = push(`merge(${objs})`);
      push(r() < 0.5 ? `fill(${grid}, ${colour()}, ${cells})` : `paint(${grid}, ${cells})`);
    }
  };
  const errorStage = () => {
    // raises on most grids (IndexError, ValueError) and fails on the rest
    const grid = cur;
    const k = Math.floor(r() * 4);
    if (k === 0) {
      push(`objects(${grid}, T, F, T)`);
      push(`sizefilter(${cur}, ${pick(['ONE', 'TWO'])})`);
      push(`first(${cur})`);
      push(`subgrid(${cur}, ${grid})`);
    } else if (k === 1) {
      const turned = push(`${pick(['rot90', 'dmirror'])}(${grid})`);
      push(`${pick(['vconcat', 'hconcat'])}(${grid}, ${turned})`);
    } else if (k === 2) {
      push(`objects(${grid}, F, T, T)`);
      push(`colorfilter(${cur}, ${colour()})`);
      push(`argmax(${cur}, size)`);
      push(`subgrid(${cur}, ${grid})`);
    } else {
      const half = push(`${pick(['tophalf', 'lefthalf'])}(${grid})`);
      push(`${pick(['hconcat', 'vconcat'])}(${grid}, ${half})`);
    }
  };
  const colourStage = () => {
    const grid = cur;
    const k = Math.floor(r() * 3);
    if (k === 0) {
      push(`palette(${grid})`);
      const colours = push(`remove(ZERO, ${cur})`);
      const a = push(`first(${colours})`);
      const b = push(`last(${colours})`);
      push(`switch(${grid}, ${a}, ${b})`);
    } else if (k === 1) {
      push(`${pick(['leastcolor', 'mostcolor'])}(${grid})`);
      push(`ofcolor(${grid}, ${cur})`);
      push(`fill(${grid}, ${colour()}, ${cur})`);
    } else {
      const c = push(`mostcolor(${grid})`);
      const s = push(`shape(${grid})`);
      push(`canvas(${c}, ${s})`);
    }
  };
  if (withEdited) push(`${EDITED_PRIMITIVE}(I)`);
  const stages = 1 + Math.floor(r() * 3);
  for (let i = 0; i < stages; i++) {
    const f = r();
    if (f < 0.3) transform();
    else if (f < 0.7) objectsStage();
    else if (f < 0.85) errorStage();
    else colourStage();
  }
  return calls.map((c, i) => `${i === calls.length - 1 ? 'O' : `x${i + 1}`} = ${c}`);
}

export interface BatteryWorkload extends Workload {
  /** the benchmark's task ids (every candidate runs on each) */
  tasks: string[];
  /** every candidate, in file order */
  candidates: string[];
  /** the candidates calling EDITED_PRIMITIVE */
  editedUsers: string[];
  loop: string;
  slow: string;
  /** candidate -> the REAL program's own task, for the real solvers */
  real: Map<string, RealSolver>;
  /** how many tasks of each kind the benchmark's tasks hold */
  taskKinds: { realOwn: number; transfer: number; special: number; generatedOwn: number; noCandidate: number };
}

/**
 * Writes `dir` (dsl.py, constants.py, solvers.py) with `candidates` candidates and picks `tasks` benchmark tasks from
 * the corpus ids (which must hold every REAL task and transfer target).
 */
export function writeBatteryWorkspace(dir: string, samples: string, corpusIds: string[], o: { candidates: number; tasks: number; seed?: number }): BatteryWorkload {
  const r = rng(o.seed ?? 9);
  const corpus = new Set(corpusIds);
  for (const s of REAL) for (const id of [s.task, ...s.transfers]) if (!corpus.has(id)) throw new Error(`the battery workload needs ARC-AGI-1 training task ${id}`);
  const shuffled = (xs: string[]) => {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  };
  const realOwn = new Set(REAL.map((s) => s.task));
  const transferIds = [...new Set(REAL.flatMap((s) => s.transfers))].filter((t) => !realOwn.has(t));
  const free = shuffled(corpusIds.filter((id) => !realOwn.has(id) && !transferIds.includes(id)));
  const loopTask = free.pop()!;
  const slowTask = free.pop()!;
  const nNone = Math.max(1, Math.round(o.tasks * 0.1));
  const noCandidate = free.splice(0, nNone);

  // The benchmark's tasks: real solvers' own tasks (40%), their transfer targets (up to 20%), the two special
  // candidates' tasks, tasks with no candidate (10%), the rest tasks of generated candidates.
  const nReal = Math.max(1, Math.round(o.tasks * 0.4));
  const ownTasks = REAL.slice(0, nReal).map((s) => s.task);
  const transfers = [...new Set(REAL.slice(0, nReal).flatMap((s) => s.transfers))].filter((t) => !realOwn.has(t)).slice(0, Math.round(o.tasks * 0.2));
  const nGenerated = o.tasks - ownTasks.length - transfers.length - 2 - noCandidate.length;
  if (nGenerated < 0) throw new Error(`${o.tasks} benchmark tasks are too few for the battery workload's mix`);

  // Candidates: every real solver, the two special ones, then generated ones named for the free tasks (a second
  // variant `_1` for some tasks when there are more candidates than tasks left).
  const nGen = o.candidates - REAL.length - 2;
  if (nGen < 1) throw new Error(`${o.candidates} candidates are too few for the battery workload`);
  const names: string[] = [];
  for (let i = 0; i < nGen; i++) names.push(i < free.length ? `solve_${free[i]}` : `solve_${free[i - free.length]}_1`);
  const named = Math.min(nGen, free.length); // free[0..named) have a candidate; the last of them have only one
  const generatedTasks = free.slice(named - nGenerated, named);
  const editedCount = Math.max(1, Math.round(nGen * 0.05));
  const editedSet = new Set(shuffled(names).slice(0, editedCount));

  const bodies = new Map<string, string[]>();
  const seen = new Set(REAL.map((s) => s.body.join(';')));
  seen.add(LOOP_BODY.join(';')).add(SLOW_BODY.join(';'));
  for (const name of names) {
    for (;;) {
      const body = generatedBody(r, editedSet.has(name));
      const key = body.join(';');
      if (seen.has(key)) continue; // identical programs would be folded as duplicates by the engine
      seen.add(key);
      bodies.set(name, body);
      break;
    }
  }
  const real = new Map<string, RealSolver>();
  for (const s of REAL) {
    bodies.set(`solve_${s.task}`, s.body);
    real.set(`solve_${s.task}`, s);
  }
  const loop = `solve_${loopTask}`;
  const slow = `solve_${slowTask}`;
  bodies.set(loop, LOOP_BODY);
  bodies.set(slow, SLOW_BODY);

  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['dsl.py', 'constants.py']) fs.copyFileSync(path.join(samples, f), path.join(dir, f));
  const candidates = [...bodies.keys()].sort();
  const out = ['from dsl import *', 'from constants import *', '', '', ...LOOP_HELPER, '', ''];
  for (const name of candidates) out.push(`def ${name}(I):`, ...bodies.get(name)!.map((l) => `    ${l}`), '    return O', '', '');
  const file = path.join(dir, 'solvers.py');
  fs.writeFileSync(file, out.join('\n'));

  const tasks = [...ownTasks, ...transfers, loopTask, slowTask, ...generatedTasks, ...noCandidate].sort();
  return {
    dir,
    file,
    functions: candidates.length,
    jobs: tasks.map((task) => ({ task, fns: candidates })),
    tasks,
    candidates,
    editedUsers: candidates.filter((c) => editedSet.has(c)),
    loop,
    slow,
    real,
    taskKinds: { realOwn: ownTasks.length, transfer: transfers.length, special: 2, generatedOwn: generatedTasks.length, noCandidate: noCandidate.length },
  };
}
