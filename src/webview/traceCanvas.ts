/**
 * Paints the Trace tab's thumbnails (`canvas[data-thumb]`, traceThumb.ts) after a render, each in one pixel write
 * (a hundred 30x30 thumbnails are 90,000 cells). Browser only: kept apart from traceThumb.ts, which the Node tests import.
 */
import { ARC_HEX, decodeThumb, type ThumbCell } from './traceThumb';

type RGB = [number, number, number];

const ARC_RGB: RGB[] = ARC_HEX.map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as RGB);
/** A value that is no ARC colour: a darker square inside grey (the stylesheet's `.cx` hatching, simplified). */
const NOT_ARC: RGB = [0x88, 0x88, 0x88];
const NOT_ARC_INNER: RGB = [0x44, 0x44, 0x44];

/** "rgb(r, g, b)" / "rgba(r, g, b, a)" as computed styles give colours; `fallback` when transparent or unparsed. */
function parseColour(css: string, fallback: RGB): RGB {
  const m = /^rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*([\d.]+))?\)$/.exec(css);
  if (!m || (m[4] !== undefined && Number(m[4]) === 0)) return fallback;
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** 85% toward the background, as "diff only" fades the pair view's cells. */
function fade(c: RGB, bg: RGB): RGB {
  return [0, 1, 2].map((k) => Math.round(0.85 * bg[k] + 0.15 * c[k])) as RGB;
}

/** Paints every thumbnail below `root`: crisp at the screen's pixel ratio; faded toward the editor's background. */
export function drawThumbs(root: ParentNode): void {
  const style = getComputedStyle(document.body);
  const background = parseColour(style.backgroundColor, [0x1e, 0x1e, 0x1e]);
  const ring = parseColour(style.color, [0xcc, 0xcc, 0xcc]);
  const ratio = Math.max(1, Math.round(window.devicePixelRatio || 1));
  for (const canvas of Array.from(root.querySelectorAll<HTMLCanvasElement>('canvas[data-thumb]'))) {
    const rows = decodeThumb(canvas.dataset.thumb ?? '');
    const cssCell = Number(canvas.dataset.cell) || 4;
    const s = cssCell * ratio;
    const w = rows.reduce((m, r) => Math.max(m, r.length), 0);
    if (!w) continue;
    canvas.width = w * s;
    canvas.height = rows.length * s;
    canvas.style.width = `${w * cssCell}px`;
    canvas.style.height = `${rows.length * cssCell}px`;
    const ctx = canvas.getContext('2d');
    if (!ctx) continue;
    const img = ctx.createImageData(w * s, rows.length * s);
    const lw = Math.max(ratio, Math.round(s / 6));
    const paint = (c: ThumbCell, i: number, j: number): void => {
      if (c.colour === undefined) return; // no cell: transparent
      const base = c.colour >= 0 ? ARC_RGB[c.colour] : NOT_ARC;
      const fill = c.faded ? fade(base, background) : base;
      const innerFill = c.faded ? fade(NOT_ARC_INNER, background) : NOT_ARC_INNER;
      for (let y = 0; y < s; y++) {
        for (let x = 0; x < s; x++) {
          const edge = c.ringed && (x < lw || y < lw || x >= s - lw || y >= s - lw);
          const inner = c.colour < 0 && x >= s / 4 && x < (3 * s) / 4 && y >= s / 4 && y < (3 * s) / 4;
          const rgb = edge ? ring : inner ? innerFill : fill;
          const o = ((i * s + y) * w * s + j * s + x) * 4;
          img.data[o] = rgb[0];
          img.data[o + 1] = rgb[1];
          img.data[o + 2] = rgb[2];
          img.data[o + 3] = 255;
        }
      }
    };
    rows.forEach((row, i) => row.forEach((c, j) => paint(c, i, j)));
    ctx.putImageData(img, 0, 0);
  }
}
