/**
 * The trace in the language server (src/server/trace.ts, traceHover.ts): `batt/trace` passes the unsaved documents
 * as overrides, answers errors with a message (never a trace), keeps the trace with the document version it came
 * from; the hover shows each pair's value — grids and objects as PNG data URIs in the ARC palette, index sets as a
 * mask over the input, numbers as text — only while the document is at that version and the line reads as traced.
 */
import * as assert from 'assert';
import * as zlib from 'zlib';
import { ResponseError } from 'vscode-languageserver/node';
import type { TraceJson } from '../../src/protocol/trace';
import { ARC_RGB } from '../../src/server/gridPng';
import { Traces, type TraceDoc, type TraceEngine } from '../../src/server/trace';
import { hoverMarkdown, MARKDOWN_BUDGET } from '../../src/server/traceHover';

const FILE = '/nonexistent-ws/solvers.py';
const URI = `file://${FILE}`;
const TEXT = ['def solve_t1(I):', '    x1 = objects(I, T, F, T)', '    x2 = first(x1)', '    x3 = toindices(x2)', '    x4 = size(x3)', '    O = crop(I, (0, 0), (1, 2))', '    return O', ''].join('\n');

function trace(): TraceJson {
  return {
    solver: 'solve_t1',
    task: 't1',
    file: FILE,
    pairs: [
      { kind: 'demo', index: 0, status: 'pass', input: [[1, 0], [0, 2]] },
      { kind: 'demo', index: 1, status: 'error', input: [[3]] },
      { kind: 'test', index: 0, status: 'pass', input: [[4, 4]] },
    ],
    lines: [
      { line: 2, name: 'x1', source: 'x1 = objects(I, T, F, T)', values: [{ pair: 0, type: 'objects', size: 2, summary: '2 obj', cells: [[0, 0, 1], [1, 1, 2]] }, { pair: 1, type: 'objects', size: 1, summary: '1 obj' }, { pair: 2, type: 'objects', size: 1, summary: '1 obj' }] },
      { line: 3, name: 'x2', source: 'x2 = first(x1)', values: [{ pair: 0, type: 'object', size: 1, shape: [1, 1], summary: '1 cells', cells: [[1, 1, 2]] }, { pair: 1, type: 'other', summary: '', error: 'IndexError: tuple index | out of range' }, { pair: 2, type: 'object', size: 2, shape: [1, 2], summary: '2 cells', cells: [[0, 0, 4], [0, 1, 4]] }] },
      { line: 4, name: 'x3', source: 'x3 = toindices(x2)', values: [{ pair: 0, type: 'indices', size: 1, summary: '1 cells', cells: [[0, 0, -1]] }, { pair: 2, type: 'indices', size: 2, summary: '2 cells', cells: [[0, 0, -1], [0, 1, -1]] }] },
      { line: 5, name: 'x4', source: 'x4 = size(x3)', values: [{ pair: 0, type: 'int', summary: '1', repr: '1' }, { pair: 2, type: 'int', summary: '2', repr: '2' }] },
      { line: 6, name: 'O', source: 'O = crop(I, (0, 0), (1, 2))', values: [{ pair: 0, type: 'grid', shape: [1, 2], summary: '1x2', grid: [[1, 0]] }, { pair: 2, type: 'grid', shape: [1, 2], summary: '1x2', grid: [[4, 4]] }] },
    ],
  };
}

/** The data: URIs of a markdown text's images, decoded to the colour of their first cell's centre. */
function images(md: string): Array<{ alt: string; width: number; height: number; px: (x: number, y: number) => number[] }> {
  return [...md.matchAll(/!\[([^\]]*)\]\(data:image\/png;base64,([A-Za-z0-9+/=]+)\)/g)].map((m) => {
    const png = Buffer.from(m[2], 'base64');
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    let at = 8;
    const idat: Buffer[] = [];
    while (at < png.length) {
      const len = png.readUInt32BE(at);
      if (png.toString('ascii', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + len));
      at += 12 + len;
    }
    const raw = zlib.inflateSync(Buffer.concat(idat));
    const px = (x: number, y: number) => [...raw.subarray(y * (width * 4 + 1) + 1 + x * 4, y * (width * 4 + 1) + 5 + x * 4)];
    return { alt: m[1], width, height, px };
  });
}

class Docs {
  readonly docs = new Map<string, { uri: string; version: number; text: string }>();
  set(uri: string, version: number, text: string) {
    this.docs.set(uri, { uri, version, text });
  }
  get = (uri: string): TraceDoc | undefined => {
    const d = this.docs.get(uri);
    return d && { uri: d.uri, version: d.version, getText: () => d.text };
  };
  all = (): TraceDoc[] => [...this.docs.keys()].map((u) => this.get(u)!);
}

function setup(engine: Partial<TraceEngine> & { calls?: unknown[] } = {}) {
  const docs = new Docs();
  const calls: Array<{ solver: string; overrides?: Map<string, string> }> = [];
  const eng: TraceEngine = {
    trace: engine.trace ?? (async (o) => {
      calls.push(o);
      return trace();
    }),
  };
  const traces = new Traces({ engineFor: () => eng, document: docs.get, documents: docs.all });
  return { docs, traces, calls };
}

describe('trace hover markdown', () => {
  const t = trace();
  it('grids are ARC-palette PNG images, one per pair, demo then test, under a header of pairs and verdicts', () => {
    const md = hoverMarkdown(t, t.lines[4]);
    assert.match(md, /\| demo 0 ✓ \| demo 1 ! \| test 0 ✓ \|/);
    const imgs = images(md);
    assert.strictEqual(imgs.length, 2, 'demo 1 raised before this line: no image');
    assert.deepStrictEqual(imgs.map((i) => i.alt), ['1x2', '1x2']);
    const cell = (imgs[0].width - 3) / 2;
    assert.deepStrictEqual(imgs[0].px(1 + Math.floor(cell / 2), 1 + Math.floor(cell / 2)), [...ARC_RGB[1], 255]);
    assert.deepStrictEqual(imgs[0].px(2 + cell + Math.floor(cell / 2), 1 + Math.floor(cell / 2)), [...ARC_RGB[0], 255]);
    assert.deepStrictEqual(imgs[1].px(1 + Math.floor(cell / 2), 1 + Math.floor(cell / 2)), [...ARC_RGB[4], 255]);
    assert.match(md, /\| – \|/, 'the pair that never got here');
  });

  it('an object is drawn in its colours over the darkened input; an index set as a white mask over it', () => {
    const [obj] = images(hoverMarkdown(t, t.lines[1]));
    assert.deepStrictEqual([obj.width, obj.height].map((n) => n > 0), [true, true]);
    const c = (obj.width - 3) / 2; // 2x2 input
    const mid = (i: number) => 1 + i * (c + 1) + Math.floor(c / 2);
    assert.deepStrictEqual(obj.px(mid(1), mid(1)), [...ARC_RGB[2], 255], 'the object cell');
    assert.notDeepStrictEqual(obj.px(mid(0), mid(0)), [...ARC_RGB[1], 255], 'the input under it is darkened');
    const [mask] = images(hoverMarkdown(t, t.lines[2]));
    assert.deepStrictEqual(mask.px(mid(0), mid(0)), [255, 255, 255, 255], 'a cell of the set');
    assert.notDeepStrictEqual(mask.px(mid(1), mid(1)), [255, 255, 255, 255], 'a cell outside it');
    const [set] = images(hoverMarkdown(t, t.lines[0]));
    assert.deepStrictEqual([set.px(mid(0), mid(0)), set.px(mid(1), mid(1))], [[...ARC_RGB[1], 255], [...ARC_RGB[2], 255]], 'a set of objects: their cells');
    assert.strictEqual(images(hoverMarkdown(t, t.lines[0])).length, 1, 'pairs without cells: text only');
  });

  it('the exception of the pair that raised, escaped for the table; numbers as text, no image', () => {
    const md = hoverMarkdown(t, t.lines[1]);
    assert.ok(md.includes('✗ IndexError: tuple index \\| out of range'), md);
    const n = hoverMarkdown(t, t.lines[3]);
    assert.strictEqual(images(n).length, 0);
    assert.match(n, /\| 1 \| – \| 2 \|$/m);
    assert.match(n, /\*\*x4\*\* on each pair — `x4 = size\(x3\)`/);
  });

  it('stays under the markdown budget: images that do not fit become text', () => {
    const big = Array.from({ length: 30 }, (_, r) => Array.from({ length: 30 }, (_, c) => (r * 3 + c * 7 + r * c) % 10));
    const many: TraceJson = { ...t, pairs: Array.from({ length: 200 }, (_, i) => ({ kind: 'demo' as const, index: i, status: 'pass' as const })), lines: [{ line: 6, name: 'O', source: 'O = x', values: Array.from({ length: 200 }, (_, i) => ({ pair: i, type: 'grid' as const, shape: [30, 30] as [number, number], summary: '30x30', grid: big })) }] };
    const md = hoverMarkdown(many, many.lines[0]);
    assert.ok(md.length < MARKDOWN_BUDGET + 5000, `${md.length}`);
    const n = images(md).length;
    assert.ok(n > 3 && n < 200, `${n} images`);
    assert.strictEqual((md.match(/\| 30x30 \|/g) ?? []).length > 0, true, 'the rest as text');
  });
});

describe('batt/trace in the server', () => {
  it('traces with the unsaved documents as overrides (saved ones are not), and keeps the trace for the hover', async () => {
    const { docs, traces, calls } = setup();
    docs.set(URI, 3, TEXT);
    traces.opened(URI, 3);
    docs.set('file:///nonexistent-ws/dsl.py', 5, 'def f(): pass\n');
    traces.opened('file:///nonexistent-ws/dsl.py', 4);
    const got = await traces.trace({ uri: URI, solver: 'solve_t1' });
    assert.strictEqual(got.solver, 'solve_t1');
    assert.deepStrictEqual([...(calls[0].overrides?.keys() ?? [])], ['/nonexistent-ws/dsl.py']);
    const h = traces.hover({ textDocument: { uri: URI }, position: { line: 5, character: 6 } });
    assert.ok(h && typeof h.contents === 'object' && 'kind' in h.contents && h.contents.kind === 'markdown');
    assert.strictEqual(images(h.contents.value).length, 2);
    assert.deepStrictEqual(h.range, { start: { line: 5, character: 4 }, end: { line: 5, character: 31 } });
  });

  it('on a name, the value of the line that assigned it; the range is the name', async () => {
    const { docs, traces } = setup();
    docs.set(URI, 1, TEXT);
    await traces.trace({ uri: URI, solver: 'solve_t1' });
    const at = traces.lineAt(URI, 4, 16); // x3 in "x4 = size(x3)"
    assert.strictEqual(at?.line.name, 'x3');
    assert.deepStrictEqual([at?.word?.start, at?.word?.end], [14, 16]);
    assert.strictEqual(traces.lineAt(URI, 4, 9)?.line.name, 'x4', 'elsewhere on the line: its own value');
    assert.strictEqual(traces.lineAt(URI, 0, 5), undefined, 'the def line is not traced');
  });

  it('no hover from a trace of an older version, nor on a line that no longer reads as traced', async () => {
    const { docs, traces } = setup();
    docs.set(URI, 1, TEXT);
    await traces.trace({ uri: URI, solver: 'solve_t1' });
    assert.ok(traces.lineAt(URI, 1, 6));
    docs.set(URI, 2, TEXT);
    assert.strictEqual(traces.lineAt(URI, 1, 6), undefined, 'edited since');
    const moved = TEXT.replace('def solve_t1(I):\n', 'def solve_t1(I):\n    # note\n');
    docs.set(URI, 3, moved);
    await traces.trace({ uri: URI, solver: 'solve_t1' }); // the engine's trace still says line 2..6
    assert.strictEqual(traces.lineAt(URI, 2, 6), undefined, 'line 3 now reads "x1 = ..." but the trace says x2 there');
    traces.closed(URI);
    docs.set(URI, 3, TEXT);
    assert.strictEqual(traces.lineAt(URI, 1, 6), undefined, 'closed: forgotten');
  });

  it('errors are a ResponseError with a clear message, never a trace', async () => {
    const failing = setup({ trace: () => Promise.reject(new Error('no solver solve_nope in the workspace')) });
    await assert.rejects(failing.traces.trace({ uri: URI, solver: 'solve_nope' }), (e: unknown) => e instanceof ResponseError && e.message === 'cannot trace solve_nope: no solver solve_nope in the workspace');
    const { traces } = setup();
    await assert.rejects(traces.trace({ uri: URI, solver: '../x' }), /needs \{uri, solver\}/);
    await assert.rejects(traces.trace({ uri: 'untitled:1', solver: 'solve_t1' }), /not a file/);
    const other = setup({ trace: async () => ({ ...trace(), file: '/nonexistent-ws/other.py' }) });
    await assert.rejects(other.traces.trace({ uri: URI, solver: 'solve_t1' }), /defined in \/nonexistent-ws\/other\.py, not in/);
    const untrusted = new Traces({
      engineFor: () => {
        throw new Error('This workspace is not trusted: batt runs nothing here.');
      },
      document: () => undefined,
      documents: () => [],
    });
    await assert.rejects(untrusted.trace({ uri: URI, solver: 'solve_t1' }), /not trusted/);
  });
});
