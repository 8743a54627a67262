/**
 * The text of `batt trace`: a table of the solver's lines x the task's pairs (demo, then test), each cell the value's
 * size and colours, divergent rows and their odd values marked, the exceptions below; on a colour terminal the small
 * grids drawn in the ARC palette. Every piece of text from the files passes through escapeNonPrintable.
 */
import * as path from 'path';
import { oddPairs } from '../engine/trace/lines';
import { escapeNonPrintable } from '../engine/tasks/printable';
import type { TraceJson, TraceLine, TracePair, TraceValue } from '../protocol/trace';
import type { WireGrid } from '../protocol/worker';

/** A grid with no side longer than this is drawn (colour terminals). */
export const DRAW_MAX = 12;
const SOURCE_WIDTH = 36;

/** ARC's palette, 0-9 (black, blue, red, green, yellow, grey, magenta, orange, azure, maroon). */
const ARC_RGB: Array<[number, number, number]> = [
  [0, 0, 0], [0, 116, 217], [255, 65, 54], [46, 204, 64], [255, 220, 0],
  [170, 170, 170], [240, 18, 190], [255, 133, 27], [127, 219, 255], [135, 12, 37],
];
const RESET = '\x1b[0m';

/** Colour when FORCE_COLOR says so (any value but 0/false), else not with NO_COLOR, else on a terminal (not TERM=dumb). */
export function colourWanted(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY && env.TERM !== 'dumb';
}

const MARK: Record<string, string> = { pass: '✓', fail: '✗', error: '!', timeout: '!', crash: '!', unknown: '?', skipped: '·', cancelled: '-' };

function pairName(p: TracePair): string {
  return `${p.kind} ${p.index}`;
}

function gridSize(g: WireGrid): string {
  return `${g.length}x${g[0]?.length ?? 0}`;
}

function paletteOf(g: WireGrid): number[] {
  return [...new Set(g.flat())].sort((a, b) => a - b);
}

/** A value in a table cell: its summary, with the colours of a grid or object ("3x3 {049}"), or the exception's name. */
export function cellText(v: TraceValue | undefined): string {
  if (!v) return '·';
  if (v.error !== undefined) return v.summary;
  const colours = v.palette && (v.type === 'grid' || v.type === 'object' || v.type === 'objects') ? ` {${v.palette.join('')}}` : '';
  return `${v.summary}${colours}${v.truncated ? '…' : ''}`;
}

function pad(text: string, width: number): string {
  const n = [...text].length;
  return n >= width ? text : text + ' '.repeat(width - n);
}

function clip(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : chars.slice(0, width - 1).join('') + '…';
}

export interface TraceTextOptions {
  colour: boolean;
  /** file paths are shown relative to it */
  cwd: string;
}

export function traceText(t: TraceJson, o: TraceTextOptions): string {
  const demo = t.pairs.filter((p) => p.kind === 'demo').length;
  const rel = path.relative(o.cwd, t.file) || t.file;
  const out: string[] = [
    `${escapeNonPrintable(t.solver)} on ${escapeNonPrintable(t.task)}  (${escapeNonPrintable(rel)}; ${demo} demo, ${t.pairs.length - demo} test)${t.cached ? '  cached' : ''}`,
    '',
  ];
  const head = ['', 'line', 'statement'];
  const rows: string[][] = [
    [...head, ...t.pairs.map(pairName)],
    ['', '', 'verdict', ...t.pairs.map((p) => `${MARK[p.status] ?? '?'} ${p.status}`)],
    ['', '', 'I', ...t.pairs.map((p) => (p.input ? `${gridSize(p.input)} {${paletteOf(p.input).join('')}}` : '·'))],
  ];
  for (const line of t.lines) {
    const odd = line.divergent ? oddPairs(line, t.pairs) : new Set<number>();
    const cells = t.pairs.map((_, i) => {
      const text = escapeNonPrintable(cellText(line.values.find((v) => v.pair === i)));
      return odd.has(i) ? `${text} *` : text;
    });
    rows.push([line.divergent ? '*' : '', String(line.line), clip(escapeNonPrintable(line.source || line.name), SOURCE_WIDTH), ...cells]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => [...r[c]].length)));
  for (const r of rows) out.push(r.map((cell, c) => (c === 1 ? cell.padStart(widths[c]) : pad(cell, widths[c]))).join('  ').trimEnd());

  const notes: string[] = [];
  for (const line of t.lines) {
    for (const v of line.values) {
      if (v.error !== undefined) notes.push(`${pairName(t.pairs[v.pair])}, line ${line.line}: ${escapeNonPrintable(v.error)}`);
    }
  }
  for (const p of t.pairs) {
    if ((p.status === 'crash' || p.status === 'timeout' || p.error?.type === 'TraceStopped') && !t.lines.some((l) => l.values.some((v) => v.pair === t.pairs.indexOf(p) && v.error !== undefined))) {
      notes.push(`${pairName(p)}: ${p.status}${p.error ? ` (${escapeNonPrintable(p.error.message)})` : ''}: no trace beyond the last value shown`);
    }
  }
  if (notes.length) out.push('', ...notes);
  if (t.lines.some((l) => l.divergent)) out.push('', '* the value differs between pairs in kind, size or emptiness (a marked cell is the odd one)');
  if (o.colour) out.push(...pictures(t));
  return out.join('\n') + '\n';
}

/** The input and every line with a small grid, the pairs side by side in the ARC palette. */
function pictures(t: TraceJson): string[] {
  const rowsOf = (grids: Array<WireGrid | undefined>, label: string): string[] => {
    const small = grids.map((g) => (g && g.length <= DRAW_MAX && (g[0]?.length ?? 0) <= DRAW_MAX ? g : undefined));
    if (!small.some(Boolean)) return [];
    const widths = t.pairs.map((p, i) => Math.max(pairName(p).length, (small[i]?.[0]?.length ?? 0) * 2));
    const height = Math.max(...small.map((g) => g?.length ?? 0));
    const lines = ['', escapeNonPrintable(label), t.pairs.map((p, i) => pad(pairName(p), widths[i])).join('  ').trimEnd()];
    for (let r = 0; r < height; r++) {
      lines.push(
        small
          .map((g, i) => {
            const row = g?.[r];
            if (!row) return ' '.repeat(widths[i]);
            const drawn = row.map((c) => `\x1b[48;2;${(ARC_RGB[c] ?? [0, 0, 0]).join(';')}m  `).join('') + RESET;
            return drawn + ' '.repeat(widths[i] - row.length * 2);
          })
          .join('  ')
          .trimEnd(),
      );
    }
    return lines;
  };
  const out = rowsOf(t.pairs.map((p) => p.input), 'I (the input)');
  for (const line of t.lines) {
    out.push(...rowsOf(t.pairs.map((_, i) => grid(line, i)), `${line.line}  ${clip(line.source || line.name, 72)}`));
  }
  return out;
}

function grid(line: TraceLine, pair: number): WireGrid | undefined {
  return line.values.find((v) => v.pair === pair)?.grid;
}
