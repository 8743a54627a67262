/**
 * The hover on a traced line: its value on every pair, rendered — grids and objects as ARC-palette PNG images
 * (base64 `data:` URIs, which VS Code's markdown renderer shows without `supportHtml` or `isTrusted`), index sets as
 * a white mask over the pair's input, everything else as text — in a table of pairs, demo then test. Kept under
 * VS Code's 100,000-character markdown limit: images that do not fit become text.
 */
import type { TraceJson, TraceLine, TracePair, TraceValue } from '../protocol/trace';
import { arcColour, cellSize, cellsPng, gridPng, pngDataUri, type Rgba } from './gridPng';
import { clip, ERROR_MARK, NO_VALUE, ODD_MARK, oddPairs, pairName } from './traceValues';

/** VS Code cuts hover markdown at 100,000 characters; the images stop before. */
export const MARKDOWN_BUDGET = 90_000;

const STATUS_MARK: Record<string, string> = { pass: '✓', fail: '✗', error: '!', timeout: '!', crash: '!', unknown: '?', skipped: '·', cancelled: '-' };

/** Markdown text with its special characters escaped (for table cells too: `|` and newlines). */
export function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** `code` in markdown, the text's backticks fenced around (pipes escaped for a table cell). */
function code(s: string): string {
  const one = s.replace(/\r?\n/g, ' ');
  const ticks = one.includes('`') ? '``' : '`';
  return `${ticks}${one.includes('`') ? ` ${one} ` : one}${ticks}`.replace(/\|/g, '\\|');
}

/** The input's colours, darkened: the background a mask or an object is drawn over. */
function dim(c: Rgba, keep = 0.3): Rgba {
  return [Math.round(c[0] * keep + 0x20 * (1 - keep)), Math.round(c[1] * keep + 0x20 * (1 - keep)), Math.round(c[2] * keep + 0x20 * (1 - keep)), 0xff];
}

const WHITE: Rgba = [0xff, 0xff, 0xff, 0xff];
const CLEAR: Rgba = [0, 0, 0, 0];

/**
 * An object's cells in their colours, or an index set (colour -1) as white cells, over the pair's input darkened
 * (over nothing when there is no input or the cells fall outside it).
 */
export function cellsOverInput(cells: Array<[number, number, number]>, input?: number[][]): Buffer | undefined {
  if (!cells.length) return undefined;
  const inRows = input?.length ?? 0;
  const inCols = input?.reduce((m, r) => Math.max(m, r.length), 0) ?? 0;
  const inside = !!input && cells.every(([r, c]) => r >= 0 && c >= 0 && r < inRows && c < inCols);
  const r0 = inside ? 0 : Math.min(...cells.map((x) => x[0]));
  const c0 = inside ? 0 : Math.min(...cells.map((x) => x[1]));
  const rows = inside ? inRows : Math.max(...cells.map((x) => x[0])) - r0 + 1;
  const cols = inside ? inCols : Math.max(...cells.map((x) => x[1])) - c0 + 1;
  if (rows > 60 || cols > 60) return undefined;
  const at = new Map(cells.map(([r, c, v]) => [`${r - r0},${c - c0}`, v]));
  return cellsPng(rows, cols, (r, c) => {
    const v = at.get(`${r},${c}`);
    if (v !== undefined) return v < 0 ? WHITE : arcColour(v);
    const under = inside ? input?.[r]?.[c] : undefined;
    return under === undefined ? CLEAR : dim(arcColour(under));
  }, cellSize(rows, cols, 96));
}

/** The image of a value, if it has one: a grid, an object or a set of objects (their cells), an index set. */
export function valueImage(v: TraceValue, pair: TracePair | undefined): Buffer | undefined {
  if (v.error !== undefined) return undefined;
  if (v.grid && v.grid.length && v.grid[0]?.length) return gridPng(v.grid, cellSize(v.grid.length, v.grid[0].length, 96));
  if ((v.type === 'object' || v.type === 'objects' || v.type === 'indices') && v.cells?.length) return cellsOverInput(v.cells, pair?.input);
  return undefined;
}

/** A value's text under its image: the summary (and repr for text values), marks for divergence and exceptions. */
function valueCell(v: TraceValue | undefined, odd: boolean, imaged: boolean): string {
  if (!v) return NO_VALUE;
  if (v.error !== undefined) return `${ERROR_MARK} ${escapeMd(clip(v.error, 120))}`;
  const mark = odd ? `**${ODD_MARK}** ` : '';
  const cut = v.truncated ? ' (cut)' : '';
  const repr = !imaged && v.repr && v.repr !== v.summary ? ` ${code(clip(v.repr, 80))}` : '';
  return `${mark}${escapeMd(v.summary || v.type)}${repr}${cut}`;
}

/** The hover's markdown for one traced line of `trace`. */
export function hoverMarkdown(trace: TraceJson, line: TraceLine, budget = MARKDOWN_BUDGET): string {
  const odd = oddPairs(line, trace.pairs);
  const byPair = new Map(line.values.map((v) => [v.pair, v]));
  const order = trace.pairs.map((p, i) => [p, i] as const).sort((a, b) => (a[0].kind === b[0].kind ? 0 : a[0].kind === 'demo' ? -1 : 1));
  const head = [
    `**${escapeMd(line.name)}** on each pair — ${code(clip(line.source, 100))}`,
    '',
    `${escapeMd(trace.solver)} on task ${escapeMd(trace.task)}, line ${line.line}${trace.cached ? ' (cached trace)' : ''}${odd.size || line.divergent ? ` · ${ODD_MARK} diverges` : ''}`,
    '',
  ];
  const header = `| ${order.map(([p]) => `${escapeMd(pairName(p))} ${STATUS_MARK[p.status] ?? ''}`).join(' | ')} |`;
  const rule = `| ${order.map(() => ':-:').join(' | ')} |`;
  let used = head.join('\n').length + header.length + rule.length + 200;
  const imaged = new Set<number>();
  const images = order.map(([p, i]) => {
    const v = byPair.get(i);
    const png = v && valueImage(v, p);
    if (!png) return '';
    const md = `![${escapeMd(v.summary)}](${pngDataUri(png)})`;
    if (used + md.length > budget) return '';
    used += md.length;
    imaged.add(i);
    return md;
  });
  const texts = order.map(([, i]) => valueCell(byPair.get(i), odd.has(i), imaged.has(i)));
  const rows = [header, rule];
  if (imaged.size) rows.push(`| ${images.join(' | ')} |`);
  rows.push(`| ${texts.join(' | ')} |`);
  return [...head, ...rows].join('\n');
}
