/**
 * The Trace tab's thumbnails as `<canvas>` elements: 20 lines × 5 pairs of 30x30 grids are 90,000 cells, which as
 * elements made every render of the panel take seconds. The render functions give each canvas its cells as a short
 * code (`data-thumb`, plain data that tests can read); traceCanvas.ts paints them after each render (main.ts).
 */
import type { Grid } from './grid';
import { h, type VNode } from './vdom';

/** The ARC palette, as media/panel.css `.c0`–`.c9` has it. */
export const ARC_HEX = ['#000000', '#0074d9', '#ff4136', '#2ecc40', '#ffdc00', '#aaaaaa', '#f012be', '#ff851b', '#7fdbff', '#870c25'];

/**
 * How a thumbnail shows marked cells: 'plain' (a grid, a cut-out object), 'over' (objects over the input: the rest of
 * the input faded), 'mask' (an index set over the input: the rest faded, its own cells ringed).
 */
export type ThumbMode = 'plain' | 'over' | 'mask';

/**
 * One character a cell, rows joined by '/': '0'–'9' an ARC colour, 'a'–'j' that colour faded, 'A'–'J' that colour
 * ringed, 'x' a value that is no ARC colour ('y' faded), '.' no cell (outside a cut-out object).
 */
export function encodeThumb(g: Grid, mode: ThumbMode = 'plain', marked?: ReadonlySet<string>): string {
  const w = g.reduce((m, row) => Math.max(m, row.length), 0);
  return g
    .map((row, i) => {
      let out = '';
      for (let j = 0; j < w; j++) {
        const v = row[j];
        if (v === undefined) {
          out += '.';
          continue;
        }
        const arc = Number.isInteger(v) && v >= 0 && v <= 9;
        const inSet = marked?.has(`${i},${j}`) ?? false;
        if (mode !== 'plain' && !inSet) out += arc ? String.fromCharCode(97 + v) : 'y';
        else if (mode === 'mask' && arc) out += String.fromCharCode(65 + v);
        else out += arc ? String(v) : 'x';
      }
      return out;
    })
    .join('/');
}

export interface ThumbCell {
  /** ARC colour, -1 for no ARC colour, undefined for no cell */
  colour?: number;
  faded?: boolean;
  ringed?: boolean;
}

export function decodeThumb(code: string): ThumbCell[][] {
  return code.split('/').map((row) =>
    [...row].map((ch): ThumbCell => {
      if (ch === '.') return {};
      if (ch === 'x') return { colour: -1 };
      if (ch === 'y') return { colour: -1, faded: true };
      if (ch >= 'a' && ch <= 'j') return { colour: ch.charCodeAt(0) - 97, faded: true };
      if (ch >= 'A' && ch <= 'J') return { colour: ch.charCodeAt(0) - 65, ringed: true };
      return { colour: Number(ch) };
    }),
  );
}

/** A thumbnail of `g`, `cell` CSS px a cell: a canvas `drawThumbs` paints, labelled for screen readers. */
export function thumbNode(g: Grid, label: string, cell: number, mode: ThumbMode = 'plain', marked?: ReadonlySet<string>): VNode {
  const w = g.reduce((m, row) => Math.max(m, row.length), 0);
  const cls = `trace-thumb${mode === 'plain' ? '' : ` trace-${mode}`}`;
  return h('canvas', { class: cls, role: 'img', 'aria-label': `${label}, ${g.length}x${w}`, 'data-thumb': encodeThumb(g, mode, marked), 'data-cell': cell, width: w * cell, height: g.length * cell });
}
