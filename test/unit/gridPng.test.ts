/**
 * The PNG encoder of the trace hover (src/server/gridPng.ts): its images decoded back here with zlib — signature,
 * chunk CRCs (checked against zlib's own crc32), IHDR, the inflated scanlines — give exactly the ARC palette's
 * colours cell by cell, the grey lines between large cells, transparent cells outside ragged rows.
 */
import * as assert from 'assert';
import * as zlib from 'zlib';
import { ARC_RGB, cellsPng, cellSize, crc32, encodePng, gridPng, pngDataUri } from '../../src/server/gridPng';

interface Decoded {
  width: number;
  height: number;
  px(x: number, y: number): number[];
  chunks: string[];
}

/** A minimal PNG reader for 8-bit RGBA, filter 0, no interlace: what the encoder writes. */
function decode(png: Buffer): Decoded {
  assert.deepStrictEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  let at = 8;
  const chunks: string[] = [];
  let ihdr: Buffer | undefined;
  const idat: Buffer[] = [];
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    const crc = png.readUInt32BE(at + 8 + len);
    const zcrc = (zlib as unknown as { crc32?: (b: Buffer) => number }).crc32;
    const want = zcrc ? zcrc(png.subarray(at + 4, at + 8 + len)) : crc32(png.subarray(at + 4, at + 8 + len));
    assert.strictEqual(crc, want, `${type} CRC`);
    chunks.push(type);
    if (type === 'IHDR') ihdr = data;
    if (type === 'IDAT') idat.push(data);
    at += 12 + len;
  }
  assert.ok(ihdr, 'IHDR');
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  assert.deepStrictEqual([...ihdr.subarray(8)], [8, 6, 0, 0, 0], 'bit depth 8, RGBA, deflate, filter 0, no interlace');
  const raw = zlib.inflateSync(Buffer.concat(idat));
  assert.strictEqual(raw.length, (width * 4 + 1) * height, 'scanline bytes');
  for (let y = 0; y < height; y++) assert.strictEqual(raw[y * (width * 4 + 1)], 0, `row ${y} filter`);
  return {
    width,
    height,
    chunks,
    px: (x, y) => [...raw.subarray(y * (width * 4 + 1) + 1 + x * 4, y * (width * 4 + 1) + 1 + x * 4 + 4)],
  };
}

describe('grid PNG encoder (trace hover images)', () => {
  it('crc32 is the standard CRC-32', () => {
    assert.strictEqual(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.strictEqual(crc32(Buffer.alloc(0)), 0);
  });

  it('encodes raw RGBA pixels that decode back unchanged', () => {
    const px = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const d = decode(encodePng(3, 2, px));
    assert.deepStrictEqual([d.width, d.height], [3, 2]);
    assert.deepStrictEqual(d.chunks, ['IHDR', 'IDAT', 'IEND']);
    assert.deepStrictEqual(d.px(1, 0), [0, 255, 0, 128]);
    assert.deepStrictEqual(d.px(2, 1), [9, 10, 11, 12]);
    assert.throws(() => encodePng(2, 2, new Uint8Array(3)), /bad image/);
  });

  it('a grid is its cells in the ARC palette, each cell a square of pixels, grey lines between large cells', () => {
    const grid = [
      [0, 1, 2, 3, 4],
      [5, 6, 7, 8, 9],
    ];
    const cell = 8;
    const d = decode(gridPng(grid, cell));
    assert.deepStrictEqual([d.width, d.height], [5 * cell + 6, 2 * cell + 3]);
    for (let r = 0; r < 2; r++) {
      for (let c = 0; c < 5; c++) {
        const x = 1 + c * (cell + 1);
        const y = 1 + r * (cell + 1);
        for (const [dx, dy] of [[0, 0], [cell - 1, cell - 1], [3, 5]]) assert.deepStrictEqual(d.px(x + dx, y + dy), [...ARC_RGB[grid[r][c]], 255], `cell ${r},${c}`);
      }
    }
    assert.deepStrictEqual(d.px(0, 0), [0x55, 0x55, 0x55, 255], 'the line around');
    assert.deepStrictEqual(d.px(cell + 1, 3), [0x55, 0x55, 0x55, 255], 'the line between cells');
  });

  it('small cells have no lines; ragged rows leave transparent cells; bad values are visible', () => {
    const d = decode(gridPng([[1, 2], [3]], 3));
    assert.deepStrictEqual([d.width, d.height], [6, 6]);
    assert.deepStrictEqual(d.px(0, 0), [...ARC_RGB[1], 255]);
    assert.deepStrictEqual(d.px(5, 2), [...ARC_RGB[2], 255]);
    assert.deepStrictEqual(d.px(4, 4), [0, 0, 0, 0]);
    const bad = decode(cellsPng(1, 1, () => [1, 2, 3, 4], 3));
    assert.deepStrictEqual(bad.px(1, 1), [1, 2, 3, 4]);
    assert.notDeepStrictEqual(decode(gridPng([[12]], 3)).px(0, 0), [0, 0, 0, 255]);
  });

  it('cell sizes fit the image to about 120 px (3 to 16 px a cell) and a 30x30 grid stays a few kB of base64', () => {
    assert.strictEqual(cellSize(3, 3), 16);
    assert.strictEqual(cellSize(30, 30), 4);
    assert.strictEqual(cellSize(30, 60), 3);
    const big = Array.from({ length: 30 }, (_, r) => Array.from({ length: 30 }, (_, c) => (r * 7 + c * 3) % 10));
    const uri = pngDataUri(gridPng(big));
    assert.match(uri, /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    assert.ok(uri.length < 8000, `${uri.length} chars`);
    const d = decode(Buffer.from(uri.split(',')[1], 'base64'));
    assert.deepStrictEqual([d.width, d.height], [120, 120]);
    assert.deepStrictEqual(d.px(4 * 29 + 1, 4 * 29 + 1), [...ARC_RGB[big[29][29]], 255]);
  });
});
