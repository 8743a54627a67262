/**
 * The mismatch explainer: what a wrong output is, in the researcher's terms. Given the expected and the actual grid
 * of a pair, the first class that fits, in this order: the expected is the actual under a rotation, flip or
 * transposition; for equal shapes a colour permutation or recolouring, a translation, else the differing cells; for
 * different shapes a scaling or tiling, a crop or a padding, else the shapes and their ratio. Pure; no I/O.
 */
import type { MismatchJson } from '../../protocol/results';
import type { Grid } from '../types';

/** {kind, text, short, credit?}: what a PairJson's `mismatch` holds. */
export type Explanation = MismatchJson;
type Class = Pick<MismatchJson, 'kind' | 'text' | 'short'>;

/** How many differing cells the 'cells' class lists. */
const SHOW_CELLS = 3;

const height = (g: Grid) => g.length;
const width = (g: Grid) => g[0]?.length ?? 0;
const sizeOf = (g: Grid) => `${height(g)}x${width(g)}`;

function sameGrid(a: Grid, b: Grid): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].length !== b[i].length) return false;
    for (let j = 0; j < a[i].length; j++) if (a[i][j] !== b[i][j]) return false;
  }
  return true;
}

/** A rotation, flip or transposition of a grid. */
interface Transform {
  kind: Extract<Explanation['kind'], 'rotation' | 'flip' | 'transpose'>;
  text: string;
  short: string;
  /** the transformed grid is the source's transposed shape */
  swaps: boolean;
  /** the source cell of the transformed grid's cell (i, j), for a source of H x W */
  from(i: number, j: number, H: number, W: number): [number, number];
}

const TRANSFORMS: Transform[] = [
  { kind: 'flip', text: 'flipped horizontally (left–right)', short: 'flipped left–right', swaps: false, from: (i, j, _H, W) => [i, W - 1 - j] },
  { kind: 'flip', text: 'flipped vertically (top–bottom)', short: 'flipped top–bottom', swaps: false, from: (i, j, H) => [H - 1 - i, j] },
  { kind: 'rotation', text: 'rotated 180°', short: 'rotated 180°', swaps: false, from: (i, j, H, W) => [H - 1 - i, W - 1 - j] },
  { kind: 'transpose', text: 'transposed (rows become columns)', short: 'transposed', swaps: true, from: (i, j) => [j, i] },
  { kind: 'transpose', text: 'flipped along the anti-diagonal', short: 'anti-transposed', swaps: true, from: (i, j, H, W) => [H - 1 - j, W - 1 - i] },
  { kind: 'rotation', text: 'rotated 90° clockwise', short: 'rotated 90° cw', swaps: true, from: (i, j, H) => [H - 1 - j, i] },
  { kind: 'rotation', text: 'rotated 270° clockwise (90° counter-clockwise)', short: 'rotated 90° ccw', swaps: true, from: (i, j, _H, W) => [j, W - 1 - i] },
];

/** Is the expected grid the actual one under t? */
function isTransform(t: Transform, expected: Grid, actual: Grid): boolean {
  const H = height(actual);
  const W = width(actual);
  const [h, w] = t.swaps ? [W, H] : [H, W];
  if (height(expected) !== h || width(expected) !== w) return false;
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const [si, sj] = t.from(i, j, H, W);
      if (expected[i][j] !== actual[si][sj]) return false;
    }
  }
  return true;
}

function cellsRight(expected: Grid, actual: Grid): number {
  let right = 0;
  for (let i = 0; i < expected.length; i++) for (let j = 0; j < expected[i].length; j++) if (expected[i][j] === actual[i][j]) right++;
  return right;
}

/** The expected colour -> actual colour map when every cell of a colour became the same colour, else undefined. */
function colourMap(expected: Grid, actual: Grid): Map<number, number> | undefined {
  const map = new Map<number, number>();
  for (let i = 0; i < expected.length; i++) {
    for (let j = 0; j < expected[i].length; j++) {
      const to = map.get(expected[i][j]);
      if (to === undefined) map.set(expected[i][j], actual[i][j]);
      else if (to !== actual[i][j]) return undefined;
    }
  }
  return map;
}

function colours(g: Grid): Set<number> {
  const s = new Set<number>();
  for (const row of g) for (const c of row) s.add(c);
  return s;
}

function recolouring(expected: Grid, actual: Grid): Class | undefined {
  const map = colourMap(expected, actual);
  if (!map) return undefined;
  const image = new Set(map.values());
  // A blank (one-colour) actual is no recolouring of a picture: its cells say more.
  if (image.size === 1 && map.size > 1) return undefined;
  const changed = [...map].filter(([from, to]) => from !== to).sort((a, b) => a[0] - b[0]);
  const list = changed.map(([from, to]) => `${from}→${to}`).join(', ');
  const permutation = image.size === map.size && [...image].every((c) => map.has(c));
  return permutation
    ? { kind: 'permutation', text: `colours permuted (expected→actual): ${list}`, short: `colours ${list}` }
    : { kind: 'recolouring', text: `colours replaced (expected→actual): ${list}`, short: `recoloured ${list}` };
}

/** Is the expected grid the actual one moved by (dy, dx), uncovered cells `fill` and nothing but `fill` moved out? */
function isShift(expected: Grid, actual: Grid, dy: number, dx: number): number | undefined {
  const H = height(actual);
  const W = width(actual);
  let fill: number | undefined;
  const isFill = (c: number) => (fill === undefined ? ((fill = c), true) : c === fill);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      const si = i - dy;
      const sj = j - dx;
      if (si >= 0 && si < H && sj >= 0 && sj < W) {
        if (expected[i][j] !== actual[si][sj]) return undefined;
      } else if (!isFill(expected[i][j])) return undefined;
      // the actual's cell that moves out of the grid
      const ti = i + dy;
      const tj = j + dx;
      if ((ti < 0 || ti >= H || tj < 0 || tj >= W) && !isFill(actual[i][j])) return undefined;
    }
  }
  return fill;
}

function steps(n: number, plus: string, minus: string, unit: string): string | undefined {
  if (n === 0) return undefined;
  return `${Math.abs(n)} ${unit}${Math.abs(n) === 1 ? '' : 's'} ${n > 0 ? plus : minus}`;
}

/** How many cells of each colour a grid has, and its first cell (row-major) of another colour than its first cell's. */
interface Census {
  count: Map<number, number>;
  second?: [number, number];
}

function census(g: Grid): Census {
  const count = new Map<number, number>();
  let second: [number, number] | undefined;
  for (let i = 0; i < g.length; i++) {
    for (let j = 0; j < g[i].length; j++) {
      const c = g[i][j];
      count.set(c, (count.get(c) ?? 0) + 1);
      if (!second && c !== g[0][0]) second = [i, j];
    }
  }
  return { count, second };
}

/** The first cell not of colour f. */
const firstOther = (g: Grid, c: Census, f: number) => (g[0][0] !== f ? ([0, 0] as [number, number]) : c.second);

/**
 * The smallest move (|dy| + |dx|) that makes the expected from the actual. With fill f, the moved picture's cells not
 * of colour f are the actual's, as many and in the same row-major order, so the first of each fixes the only move to
 * try.
 */
function translation(expected: Grid, actual: Grid): Class | undefined {
  const ce = census(expected);
  const ca = census(actual);
  let best: { dy: number; dx: number; fill: number } | undefined;
  for (const f of new Set([...ce.count.keys(), ...ca.count.keys()])) {
    const e = firstOther(expected, ce, f);
    const a = firstOther(actual, ca, f);
    if (!e || !a || (ce.count.get(f) ?? 0) !== (ca.count.get(f) ?? 0)) continue;
    const dy = e[0] - a[0];
    const dx = e[1] - a[1];
    if ((dy || dx) && isShift(expected, actual, dy, dx) === f && (!best || Math.abs(dy) + Math.abs(dx) < Math.abs(best.dy) + Math.abs(best.dx))) best = { dy, dx, fill: f };
  }
  if (!best) return undefined;
  const { dy, dx, fill } = best;
  const how = [steps(dy, 'down', 'up', 'row'), steps(dx, 'right', 'left', 'column')].filter(Boolean).join(', ');
  return {
    kind: 'translation',
    text: `the expected is the actual moved by (dy, dx) = (${dy}, ${dx}): ${how}, filled with ${fill}`,
    short: `moved (${dy}, ${dx})`,
  };
}

/** Where `small` sits inside `big` (top-left offset), if it does. */
function findInside(small: Grid, big: Grid): [number, number] | undefined {
  const h = height(small);
  const w = width(small);
  for (let r = 0; r + h <= height(big); r++) {
    next: for (let c = 0; c + w <= width(big); c++) {
      for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) if (small[i][j] !== big[r + i][c + j]) continue next;
      return [r, c];
    }
  }
  return undefined;
}

const span = (unit: string, from: number, n: number) => (n === 1 ? `${unit} ${from}` : `${unit}s ${from}–${from + n - 1}`);
const place = (r: number, c: number, h: number, w: number) => `${span('row', r, h)}, ${span('column', c, w)}`;

function crop(expected: Grid, actual: Grid): Class | undefined {
  const at = findInside(expected, actual);
  if (!at) return undefined;
  const where = place(at[0], at[1], height(expected), width(expected));
  return { kind: 'crop', text: `the expected is the actual's ${where} (a crop)`, short: `crop ${where}` };
}

function padding(expected: Grid, actual: Grid): Class | undefined {
  const at = findInside(actual, expected);
  if (!at) return undefined;
  const [r, c] = at;
  const h = height(actual);
  const w = width(actual);
  const around = new Set<number>();
  expected.forEach((row, i) => row.forEach((v, j) => !(i >= r && i < r + h && j >= c && j < c + w) && around.add(v)));
  const where = place(r, c, h, w);
  if (around.size !== 1) {
    return { kind: 'padding', text: `the actual is the expected's ${where}; the expected has more around it`, short: `part at ${where}` };
  }
  const below = height(expected) - r - h;
  const right = width(expected) - c - w;
  const sides = [
    r && `${plural(r, 'row')} above`,
    below && `${plural(below, 'row')} below`,
    c && `${plural(c, 'column')} left`,
    right && `${plural(right, 'column')} right`,
  ].filter(Boolean);
  const fill = [...around][0];
  return { kind: 'padding', text: `the expected is the actual padded with ${fill}: ${sides.join(', ')}`, short: `padded with ${fill}` };
}

/** Is `big` the grid `small` with every cell blown up to ky x kx? */
function isUpscale(small: Grid, big: Grid): [number, number] | undefined {
  if (height(big) % height(small) || width(big) % width(small)) return undefined;
  const ky = height(big) / height(small);
  const kx = width(big) / width(small);
  for (let i = 0; i < height(big); i++) for (let j = 0; j < width(big); j++) if (big[i][j] !== small[Math.floor(i / ky)][Math.floor(j / kx)]) return undefined;
  return [ky, kx];
}

/** Is `big` the grid `small` repeated ky times down and kx times across? */
function isTiling(small: Grid, big: Grid): [number, number] | undefined {
  if (height(big) % height(small) || width(big) % width(small)) return undefined;
  const h = height(small);
  const w = width(small);
  for (let i = 0; i < height(big); i++) for (let j = 0; j < width(big); j++) if (big[i][j] !== small[i % h][j % w]) return undefined;
  return [height(big) / h, width(big) / w];
}

const tiled = (ky: number, kx: number) => (kx === 1 ? `stacked ${ky} times` : ky === 1 ? `repeated ${kx} times side by side` : `tiled ${ky}x${kx}`);

function gcd(a: number, b: number): number {
  return b ? gcd(b, a % b) : a;
}

/** The grid with runs of equal rows and of equal columns shortened by their greatest common length: its picture. */
function picture(g: Grid): Grid {
  const runGcd = (n: number, same: (a: number, b: number) => boolean) => {
    let k = 0;
    let run = 1;
    for (let i = 1; i <= n; i++) {
      if (i < n && same(i - 1, i)) run++;
      else {
        k = gcd(k, run);
        run = 1;
      }
    }
    return Math.max(k, 1);
  };
  const ky = runGcd(height(g), (a, b) => sameGrid([g[a]], [g[b]]));
  const kx = runGcd(width(g), (a, b) => g.every((row) => row[a] === row[b]));
  return g.filter((_, i) => i % ky === 0).map((row) => row.filter((_, j) => j % kx === 0));
}

const times = (k: number) => `${Number.isInteger(k) ? k : Math.round(k * 100) / 100}x`;
const scaled = (ky: number, kx: number) =>
  ky === kx ? `${ky}x` : kx === 1 ? `${ky}x vertically` : ky === 1 ? `${kx}x horizontally` : `${ky}x vertically, ${kx}x horizontally`;

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** The ratio of the actual's shape to the expected's, in words. */
function ratio(expected: Grid, actual: Grid): string | undefined {
  const [eh, ew, ah, aw] = [height(expected), width(expected), height(actual), width(actual)];
  if (!eh || !ew || !ah || !aw) return undefined;
  if (ah === ew && aw === eh) return 'actual is the transposed shape';
  if (ah * ew === aw * eh) return ah > eh ? `actual is ${times(ah / eh)} the expected in both dimensions` : `the expected is ${times(eh / ah)} the actual in both dimensions`;
  if (ah === eh) return aw > ew ? `actual is ${times(aw / ew)} wider` : `the expected is ${times(ew / aw)} wider`;
  if (aw === ew) return ah > eh ? `actual is ${times(ah / eh)} taller` : `the expected is ${times(eh / ah)} taller`;
  const more = (d: number, unit: string) => `${plural(Math.abs(d), unit)} ${d > 0 ? 'more' : 'fewer'}`;
  return `actual has ${more(ah - eh, 'row')} and ${more(aw - ew, 'column')}`;
}

function shapeClass(expected: Grid, actual: Grid): Class {
  const sizes = `expected ${sizeOf(expected)}, got ${sizeOf(actual)}`;
  const r = ratio(expected, actual);
  if (r) {
    const up = isUpscale(expected, actual);
    const down = up ? undefined : isUpscale(actual, expected);
    const tile = up || down ? undefined : isTiling(expected, actual);
    const untile = up || down || tile ? undefined : isTiling(actual, expected);
    const same = up || down || tile || untile ? undefined : sameGrid(picture(expected), picture(actual));
    const detail = up
      ? [`the expected scaled up ${scaled(...up)}`, `scaled up ${scaled(...up)}`]
      : down
        ? [`scaling the actual up ${scaled(...down)} gives the expected`, `needs scaling up ${scaled(...down)}`]
        : tile
          ? [`the expected ${tiled(...tile)}`, `${tiled(...tile)}`]
          : untile
            ? [`the expected is the actual ${tiled(...untile)}`, `needs ${tiled(...untile)}`]
            : same
              ? ['the same picture at another scale', `same picture, ${sizeOf(actual)}`]
              : undefined;
    if (detail) return { kind: 'shape', text: `${sizes}: ${r} — ${detail[0]}`, short: detail[1] };
  }
  const inside = height(actual) >= height(expected) && width(actual) >= width(expected) ? crop(expected, actual) : undefined;
  const around = height(actual) <= height(expected) && width(actual) <= width(expected) ? padding(expected, actual) : undefined;
  const rel = inside ?? around;
  // A single cell sits inside almost anything: no crop or padding is worth naming for it.
  if (rel && height(expected) * width(expected) > 1 && height(actual) * width(actual) > 1) return { ...rel, text: `${sizes}: ${rel.text}` };
  return { kind: 'shape', text: r ? `${sizes}: ${r}` : sizes, short: `${sizeOf(actual)}, not ${sizeOf(expected)}` };
}

function cellsClass(expected: Grid, actual: Grid, wrong: number, total: number): Class {
  const shown: string[] = [];
  for (let i = 0; i < expected.length && shown.length < SHOW_CELLS; i++) {
    for (let j = 0; j < expected[i].length && shown.length < SHOW_CELLS; j++) {
      if (expected[i][j] !== actual[i][j]) shown.push(`(${i},${j}) ${expected[i][j]}→${actual[i][j]}`);
    }
  }
  const more = wrong > shown.length ? `, and ${wrong - shown.length} more` : '';
  const one = colours(actual);
  const blank = one.size === 1 && total > 1 ? `actual is all ${[...one][0]}; ` : '';
  return {
    kind: 'cells',
    text: `${blank}${wrong} of ${total} cells differ, (row,col) expected→actual: ${shown.join(', ')}${more}`,
    short: `${wrong} of ${total} cells differ`,
  };
}

/** What is wrong with `actual`, or undefined when it equals `expected`. */
export function explainMismatch(expected: Grid, actual: Grid): Explanation | undefined {
  if (sameGrid(expected, actual)) return undefined;
  const sameShape = height(expected) === height(actual) && width(expected) === width(actual) && expected.every((r, i) => r.length === actual[i].length);
  const transform = height(actual) && width(actual) ? TRANSFORMS.find((t) => isTransform(t, expected, actual)) : undefined;
  if (!sameShape) {
    if (transform) return { kind: transform.kind, text: `expected ${sizeOf(expected)}, got ${sizeOf(actual)}: the expected is the actual ${transform.text}`, short: transform.short };
    return shapeClass(expected, actual);
  }
  const total = expected.reduce((n, r) => n + r.length, 0);
  const right = cellsRight(expected, actual);
  const credit = Math.round((right / total) * 1000) / 1000;
  const cls = transform
    ? { kind: transform.kind, text: `the expected is the actual ${transform.text}`, short: transform.short }
    : (total > 1 ? recolouring(expected, actual) : undefined) ?? translation(expected, actual);
  if (cls) return { ...cls, text: `${cls.text}; ${right} of ${total} cells right`, credit };
  return { ...cellsClass(expected, actual, total - right, total), credit };
}
