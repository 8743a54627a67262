/**
 * ARC grids as PNG images (RGBA, 8 bits a channel, one deflated IDAT, filter 0 on every row) for the trace hover's
 * markdown: `data:image/png;base64,...` URIs, which VS Code's markdown renderer allows as image sources. The
 * palette is the panel's (media/panel.css `.c0`–`.c9`). Node's zlib only.
 */
import { deflateSync } from 'zlib';

/** The ARC palette, by colour value (media/panel.css `.c0`–`.c9`), as RGB. */
export const ARC_RGB: ReadonlyArray<readonly [number, number, number]> = [
  [0x00, 0x00, 0x00],
  [0x00, 0x74, 0xd9],
  [0xff, 0x41, 0x36],
  [0x2e, 0xcc, 0x40],
  [0xff, 0xdc, 0x00],
  [0xaa, 0xaa, 0xaa],
  [0xf0, 0x12, 0xbe],
  [0xff, 0x85, 0x1b],
  [0x7f, 0xdb, 0xff],
  [0x87, 0x0c, 0x25],
];

/** RGBA of one cell; alpha 0 is a transparent cell (e.g. outside an object). */
export type Rgba = readonly [number, number, number, number];

/** A cell colour that is no ARC colour (a bad value in a solver's output): a visible grey-pink. */
const BAD: Rgba = [0xcc, 0x88, 0x99, 0xff];
/** The 1 px lines between cells (when cells are large enough to afford them). */
const LINE: Rgba = [0x55, 0x55, 0x55, 0xff];

export function arcColour(v: number): Rgba {
  const c = Number.isInteger(v) ? ARC_RGB[v] : undefined;
  return c ? [c[0], c[1], c[2], 0xff] : BAD;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG of `width` x `height` RGBA pixels (row-major, 4 bytes a pixel). */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (!(width > 0 && height > 0) || rgba.length !== width * height * 4) throw new Error(`bad image ${width}x${height} with ${rgba.length} bytes`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  // compression 0, filter method 0, no interlace
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Pixels per cell so that the image's longer side is about `target` px (at least 3, at most 16 a cell). */
export function cellSize(rows: number, cols: number, target = 120): number {
  return Math.max(3, Math.min(16, Math.floor(target / Math.max(rows, cols, 1))));
}

/**
 * A rows x cols picture of cells, each `cell` px square, coloured by `colour(r, c)`; cells of 6 px and more are
 * separated by 1 px grey lines (as the panel draws grids).
 */
export function cellsPng(rows: number, cols: number, colour: (r: number, c: number) => Rgba, cell = cellSize(rows, cols)): Buffer {
  const line = cell >= 6 ? 1 : 0;
  const w = cols * cell + (cols + 1) * line;
  const h = rows * cell + (rows + 1) * line;
  const px = new Uint8Array(w * h * 4);
  const put = (x: number, y: number, c: Rgba) => px.set(c, (y * w + x) * 4);
  if (line) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) put(x, y, LINE);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const col = colour(r, c);
      const x0 = line + c * (cell + line);
      const y0 = line + r * (cell + line);
      for (let y = 0; y < cell; y++) for (let x = 0; x < cell; x++) put(x0 + x, y0 + y, col);
    }
  }
  return encodePng(w, h, px);
}

/** A grid in the ARC palette (ragged rows: missing cells transparent). */
export function gridPng(grid: number[][], cell?: number): Buffer {
  const cols = grid.reduce((m, row) => Math.max(m, row.length), 0);
  return cellsPng(grid.length, cols, (r, c) => (c < grid[r].length ? arcColour(grid[r][c]) : [0, 0, 0, 0]), cell);
}

export function pngDataUri(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}
